"""The editor contract every form widget follows.

``value()`` returns the JSON value or ``UNSET`` (the key is absent), ``set_value()`` shows a value without
emitting anything (programmatic refresh), and ``value_edited(path, mergeable)`` announces a user edit:
``path`` is where, below this editor, the edit happened; ``mergeable`` says whether consecutive edits of
the same path may merge into one undo step (typing) or not (add, remove, switch, toggle).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from dagster_designer_qt.core.schema import UNSET, Field

# A problem as the forms see it: (path relative to the editor, message, severity)
FormProblem = tuple[tuple, str, str]


@dataclass
class FormContext:
    """What editors need from outside: where relative paths start, and how to name env vars."""

    base_dir: Callable[[], Path | None] = lambda: None
    component_type: str = ""
    env_var_for: Callable[[tuple], str] | None = None
    extras: dict = field(default_factory=dict)


class Editor(QWidget):
    value_edited = Signal(tuple, bool)

    def __init__(self, fld: Field, ctx: FormContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.field = fld
        self.ctx = ctx

    def value(self) -> Any:  # pragma: no cover - abstract
        return UNSET

    def set_value(self, value: Any) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def focus_path(self, path: tuple) -> bool:
        """Put the keyboard focus on the editor at ``path`` below this one; False if there is none."""
        if path:
            return False
        target = self.focus_target()
        if target is not None:
            target.setFocus()
            return True
        return False

    def focus_target(self) -> QWidget | None:
        return self.focusProxy() or self

    def set_problems(self, problems: list[FormProblem]) -> list[FormProblem]:
        """Show the problems this editor can place; return the ones it can't (shown by the parent row)."""
        return list(problems)

    def _edited(self, path: tuple = (), mergeable: bool = True) -> None:
        self.value_edited.emit(tuple(path), mergeable)
