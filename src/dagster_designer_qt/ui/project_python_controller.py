"""Keeps the registry on the open project's Python interpreter.

When a project is opened, saved elsewhere or its interpreter setting changes, the interpreter is resolved
(``services.project_python.resolve``: the setting, else the project folder's ``.venv``, else the
designer's own) off the UI thread and the shared registry model switches to it; ``resolved`` announces it
(the status bar shows it) and ``problem`` says why a wanted interpreter was not used.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from dagster_designer_qt.services.project_python import NotProbedYet, ResolvedPython, resolve


SETTLE_MS = 400


class PythonResolver(QObject):
    """Resolves an interpreter on a worker thread; ``finished(token, result, error)`` arrives on the UI
    thread (a signal of this object, which lives there)."""

    finished = Signal(object, object, object)

    def start(self, setting: str | None, folder: Path | None, token: Any = None) -> None:
        def work() -> None:
            try:
                result, error = resolve(setting, folder), None
            except Exception as exc:  # noqa: BLE001 - reported on the UI thread
                result, error = None, exc
            try:
                self.finished.emit(token, result, error)
            except RuntimeError:  # the owner was deleted meanwhile
                pass

        threading.Thread(target=work, name="project-python", daemon=True).start()


class ProjectPythonController(QObject):
    resolved = Signal(object)  # ResolvedPython
    problem = Signal(str)  # one line: which check failed, what to do, and that the designer's own is used

    def __init__(self, document, registry, parent: QObject | None = None):
        super().__init__(parent)
        self.document = document
        self.registry = registry
        self.current: ResolvedPython | None = None
        self._wanted: tuple | None = None
        self._project = None
        self._resolver = PythonResolver(self)
        self._resolver.finished.connect(self._done)
        self._typing = QTimer(self)  # the setting is typed one key at a time: resolve when it settles
        self._typing.setSingleShot(True)
        self._typing.setInterval(SETTLE_MS)
        self._typing.timeout.connect(self.refresh)
        document.project_replaced.connect(self._on_project_replaced)
        document.path_changed.connect(lambda _p: self.refresh())
        self._watch(document.project)
        self.refresh()

    def _watch(self, project) -> None:
        if self._project is not None:
            self._project.meta_changed.disconnect(self._on_meta)
        self._project = project
        project.meta_changed.connect(self._on_meta)

    def _on_project_replaced(self, project) -> None:
        self._watch(project)
        self.refresh()

    def _on_meta(self, name: str) -> None:
        if name == "python":
            self._typing.start()

    def inputs(self) -> tuple[str | None, Path | None]:
        path = self.document.path
        project = self.document.project
        source = getattr(project, "source", None)
        if source is not None and not project.python:  # opened from a Dagster project folder: its .venv
            return None, Path(source.folder)
        return project.python, (Path(path).parent if path else None)

    def refresh(self) -> None:
        """Resolve again: at once when the interpreter was probed before (a few ms, so the first
        validation already uses it), else off the UI thread (a new interpreter is probed once)."""
        wanted = self.inputs()
        if wanted == self._wanted:
            return
        self._wanted = wanted
        try:
            result = resolve(*wanted, cached_only=True)
        except NotProbedYet:
            self._resolver.start(*wanted, token=wanted)
            return
        except Exception as exc:  # noqa: BLE001 - reported like a failed background check
            self._done(wanted, None, exc)
            return
        self._done(wanted, result, None)

    def _done(self, wanted: tuple, result: ResolvedPython | None, error: BaseException | None) -> None:
        if wanted != self._wanted:
            return  # superseded by a newer setting
        if error is not None or result is None:
            self.problem.emit(f"Could not check the project's Python: {error}")
            return
        self.current = result
        self.registry.set_python(result)
        self.resolved.emit(result)
        if result.problem:
            self.problem.emit(result.problem)
