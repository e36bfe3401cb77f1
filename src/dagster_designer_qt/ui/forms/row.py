"""FieldRow: one labelled field. It owns the modes every field shares — Value, Template (a string in place
of the value, where the schema allows one) and YAML (a value the editor can't show) — the reset button,
the problem message under the field, and lazy building of collapsible groups."""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from dagster_designer_qt.core.attrs import env_template, is_env_template, is_template
from dagster_designer_qt.core.schema import UNSET, Field
from dagster_designer_qt.ui.forms.base import Editor, FormContext, FormProblem

LABEL_WIDTH = 130
LABEL_MIN_WIDTH = 84
EDITOR_MIN_WIDTH = 72  # an inline editor never asks for more than this, so every row fits a narrow panel
_BLOCK_KINDS = {"object", "map", "array", "union", "text", "yaml"}


class FieldRow(Editor):
    def __init__(self, fld: Field, ctx: FormContext, parent: QWidget | None = None, *, label: str | None = None,
                 path: tuple = (), expanded: bool | None = None, removable: bool = True):
        super().__init__(fld, ctx, parent)
        self.path = path  # absolute, for env-var suggestions
        self.setObjectName(f"field:{fld.name}" if fld.name else "field")
        self._value: Any = UNSET
        # a required field whose usual form is text (dbt `project`: a path) starts in Text mode
        self._mode = "template" if fld.template and fld.template_label == "Text" and fld.required else "value"
        self._editor: Editor | None = None
        self._template: QLineEdit | None = None
        self._yaml: Editor | None = None
        self._stash: Any = UNSET  # the value kept while in Template mode, restored on switching back
        self._problems: list[FormProblem] = []
        self.block = fld.kind in _BLOCK_KINDS or (fld.kind == "array" and fld.items is not None)
        self.collapsible = fld.kind in ("object", "map", "array", "union")
        self._expanded = bool(expanded) if expanded is not None else False

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 1, 0, 1)
        outer.setSpacing(1)
        self.header = QHBoxLayout()
        self.header.setSpacing(3)
        outer.addLayout(self.header)
        text = label if label is not None else (fld.title or fld.name)
        if self.collapsible:
            self.title = QToolButton(self)
            self.title.setObjectName("fieldExpander")
            self.title.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            self.title.setAutoRaise(True)
            self.title.setArrowType(Qt.ArrowType.DownArrow if self._expanded else Qt.ArrowType.RightArrow)
            self.title.setText(text + (" *" if fld.required and fld.name else ""))
            self.title.clicked.connect(self.toggle_expanded)
            self.header.addWidget(self.title)
            self.header.addStretch(1)
        else:
            self.title = QLabel(text + (" *" if fld.required and fld.name else ""), self)
            # labels wrap rather than push the editor out of a narrow panel
            self.title.setMinimumWidth(min(LABEL_WIDTH, 60) if not text else LABEL_MIN_WIDTH)
            self.title.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
            self.title.setMaximumWidth(LABEL_WIDTH if not self.block else 16777215)
            self.title.setWordWrap(True)
            self.header.addWidget(self.title)
            if self.block:
                self.header.addStretch(1)
        if fld.description:
            from dagster_designer_qt.core.component_text import rst_to_text

            self.title.setToolTip(rst_to_text(fld.description))
        self.slot = QHBoxLayout()  # inline editors go in the header line, block editors below it
        self.slot.setContentsMargins(0, 0, 0, 0)
        if not self.block:
            self.header.addLayout(self.slot, 1)
        self.mode_button: QToolButton | None = None
        self.mode_actions: dict[str, QAction] = {}
        if fld.template or fld.secret or self.collapsible:
            self._build_mode_button()
        self.removable = removable
        self.reset_button: QToolButton | None = None  # built when the field first holds a value
        self.body = QWidget(self) if self.block else None
        if self.body is not None:
            body_layout = QVBoxLayout(self.body)
            body_layout.setContentsMargins(14 if self.collapsible else 0, 0, 0, 2)
            body_layout.setSpacing(1)
            body_layout.addLayout(self.slot)
            outer.addWidget(self.body)
            self.body.setVisible(self._expanded or not self.collapsible)
        self.problem: QLabel | None = None  # built on the first problem
        if not self.collapsible or self._expanded:
            self._show_mode()

    # ------------------------------------------------------------- modes
    def available_modes(self) -> list[str]:
        """The modes this row offers, in menu order: value, template, env (an environment variable), yaml."""
        modes = ["value"]
        if self.field.template:
            modes.append("template")
        if self.field.template or self.field.secret or self.field.kind in ("string", "scalar", "path"):
            modes.append("env")
        modes.append("yaml")
        return modes

    def _build_mode_button(self) -> None:
        """One mode control per row: the button names the current mode; its menu lists them all. A click
        on the button itself switches to the row's usual alternative (Template, or an env var for secrets)."""
        if self.mode_button is not None:
            return
        button = QToolButton(self)
        button.setObjectName("modeButton")
        button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        button.setAccessibleName("Value mode")
        menu = QMenu(button)
        group = QActionGroup(menu)
        for mode in self.available_modes():
            action = QAction(self._mode_name(mode), menu)
            action.setCheckable(True)
            action.setToolTip(self._mode_tip(mode))
            action.setStatusTip(self._mode_tip(mode))
            action.triggered.connect(lambda _c=False, m=mode: self.set_mode(m))
            group.addAction(action)
            menu.addAction(action)
            self.mode_actions[mode] = action
        menu.setToolTipsVisible(True)
        button.setMenu(menu)
        button.clicked.connect(self._mode_clicked)
        self.mode_button = button
        self.header.addWidget(button)
        self._sync_mode_button()

    def _mode_name(self, mode: str) -> str:
        return {"value": "Value", "template": self.field.template_label, "env": "Env var",
                "yaml": "YAML"}[mode]

    def _mode_tip(self, mode: str) -> str:
        return {
            "value": "Value: edit the value with the form's own editor",
            "template": ("Template: a Jinja template instead of a value, e.g. {{ env('VAR') }}"
                         if self.field.template_label == "Template" else "Text: type the value as text"),
            "env": "Environment variable: read the value from an environment variable at run time "
                   f"({self._env_suggestion()})",
            "yaml": "YAML: type the value as YAML (for values the form can't show)",
        }[mode]

    def display_mode(self) -> str:
        """The mode the control shows: like mode(), but an env-var template reads as "env"."""
        if isinstance(self._value, str) and is_env_template(self._value) and self._mode in ("value", "template"):
            return "env"
        return self._mode

    def _sync_mode_button(self) -> None:
        if self.mode_button is None:
            return
        shown = self.display_mode()
        self.mode_button.setText(self._mode_name(shown))
        self.mode_button.setToolTip(self._mode_tip(shown) + "\nClick the arrow to choose another mode.")
        for mode, action in self.mode_actions.items():
            action.setChecked(mode == shown)
        if "value" in self.mode_actions:
            self.mode_actions["value"].setEnabled(
                self._value is UNSET or (self.field.accepts(self._value) and _editor_fits(self.field, self._value))
                or self._mode == "template"
                or self._stash is not UNSET)

    def _mode_clicked(self) -> None:
        current = self.display_mode()
        if current != "value":
            self.set_mode("value")
        elif "template" in self.mode_actions and not self.field.secret:
            self.set_mode("template")
        else:
            self.set_mode("env")

    def set_mode(self, mode: str) -> None:
        """Switch the row's mode as the user does from the mode control (one undoable edit if it changes
        the value)."""
        current = self.display_mode()
        if mode == current:
            return
        if mode == "template":
            if self._mode != "template":
                self._to_template(None)
        elif mode == "env":
            if self.field.kind in ("string", "scalar", "path", "text"):
                self._fill_env()
            else:
                self._to_template(self._env_suggestion())
        elif mode == "yaml":
            self._to_yaml()
        else:  # value
            if self._mode == "template":
                self._from_template()
            elif self._mode == "yaml":
                if self._value is UNSET or (self.field.accepts(self._value)
                                            and _editor_fits(self.field, self._value)):
                    self._mode = "value"
                    self._build_editor().set_value(self._value)
                    self._show_mode()
            elif isinstance(self._value, str) and is_env_template(self._value):  # string field holding env
                self._value = UNSET
                if self._editor is not None:
                    self._editor.set_value(UNSET)
                self._update_reset()
                self._edited((), False)
        self._sync_mode_button()

    def _to_yaml(self) -> None:
        if self.collapsible:
            self.set_expanded(True)
        self._mode = "yaml"
        self._show_mode()
        if self._yaml is not None:
            self._yaml.setFocus()

    # ----------------------------------------------------------- editors
    def _build_editor(self) -> Editor:
        if self._editor is None:
            from dagster_designer_qt.ui.forms.factory import create_editor

            self._editor = create_editor(self.field, self.ctx, self, path=self.path)
            self._editor.set_value(self._value if self._mode == "value" else self._stash)
            self._editor.value_edited.connect(self._child_edited)
            if not self.block:
                self._editor.setMinimumWidth(EDITOR_MIN_WIDTH)
            self.slot.addWidget(self._editor)
            if self._problems:
                self._apply_problems()
        return self._editor

    def _build_template(self) -> QLineEdit:
        if self._template is None:
            self._template = QLineEdit(self)
            self._template.setObjectName("templateEdit")
            self._template.setAccessibleName(f"{self.field.title or self.field.name} ({self.field.template_label})")
            suggestion = self._env_suggestion()
            self._template.setPlaceholderText(suggestion if self.field.secret or self.field.template_label ==
                                              "Template" else self.field.placeholder() or "text")
            self._template.textEdited.connect(self._template_edited)
            self._template.setMinimumWidth(EDITOR_MIN_WIDTH)
            self.slot.addWidget(self._template)
        return self._template

    def _build_yaml(self) -> Editor:
        if self._yaml is None:
            from dagster_designer_qt.ui.forms.leaves import YamlEditor

            self._yaml = YamlEditor(self.field, self.ctx, self, compact=not self.block)
            self._yaml.value_edited.connect(self._yaml_edited)
            self.slot.addWidget(self._yaml)
        return self._yaml

    def _env_suggestion(self) -> str:
        if self.ctx.env_var_for is not None:
            return env_template(self.ctx.env_var_for(self.path))
        return "{{ env('VAR') }}"

    def _show_mode(self) -> None:
        """Show the widget for the current mode (building it on first use)."""
        if self.collapsible and not self._expanded:
            return
        if self._mode == "value":
            self._build_editor().show()
        elif self._editor is not None:
            self._editor.hide()
        if self._mode == "template":
            edit = self._build_template()
            with QSignalBlocker(edit):
                if edit.text() != (self._value if isinstance(self._value, str) else ""):
                    edit.setText(self._value if isinstance(self._value, str) else "")
                    edit.setCursorPosition(0)  # a long template reads from its start, not its end
            edit.setToolTip(edit.text())
            edit.show()
        elif self._template is not None:
            self._template.hide()
        if self._mode == "yaml":
            self._build_yaml().set_value(self._value)
            self._yaml.show()
        elif self._yaml is not None:
            self._yaml.hide()
        if self.mode_button is None and self._mode != "value":
            self._build_mode_button()
        self._sync_mode_button()
        self.setFocusProxy(self._current_widget())

    def _current_widget(self) -> QWidget | None:
        return {"value": self._editor, "template": self._template, "yaml": self._yaml}.get(self._mode)

    def _update_reset(self) -> None:
        if self.reset_button is None and self.removable and self._value is not UNSET:
            self.reset_button = QToolButton(self)
            self.reset_button.setObjectName("resetField")
            self.reset_button.setText("✕")
            self.reset_button.setAutoRaise(True)
            self.reset_button.setToolTip("Clear (remove the key; the default applies)")
            self.reset_button.setAccessibleName("Clear")
            self.reset_button.clicked.connect(self.clear)
            self.header.addWidget(self.reset_button)
        if self.reset_button is not None:
            self.reset_button.setVisible(self._value is not UNSET)
        self._sync_mode_button()

    # ------------------------------------------------------------- state
    def value(self) -> Any:
        return copy.deepcopy(self._value)

    def mode(self) -> str:
        return self._mode

    def editor(self) -> Editor | None:
        """The value editor (built on demand)."""
        if self._mode != "value":
            return None
        if self.collapsible and not self._expanded:
            self.set_expanded(True)
        return self._build_editor()

    def template_edit(self) -> QLineEdit | None:
        return self._template if self._mode == "template" else None

    def yaml_editor(self) -> Editor | None:
        return self._yaml if self._mode == "yaml" else None

    def set_value(self, value: Any) -> None:
        value = copy.deepcopy(value)
        self._value = value
        if value is UNSET:
            mode = self._mode if self._mode != "yaml" else "value"
        elif self.field.is_template_value(value):
            mode = "template"
        elif self.field.accepts(value) and _editor_fits(self.field, value):
            mode = "value"
        else:
            mode = "yaml"
        if self.field.kind in ("string", "text", "path") and mode == "template":
            mode = "value"
        self._mode = mode
        if mode == "value" and self._editor is not None:
            self._editor.set_value(value)
        self._show_mode()
        self._update_reset()

    def clear(self) -> None:
        """The user cleared the field: its key is removed."""
        if self._value is UNSET:
            return
        self.set_value(UNSET)
        self._edited((), False)

    # ---------------------------------------------------------- expander
    def is_expanded(self) -> bool:
        return self._expanded or not self.collapsible

    def set_expanded(self, expanded: bool) -> None:
        if not self.collapsible or expanded == self._expanded:
            return
        self._expanded = expanded
        self.title.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        if expanded:
            self._show_mode()
        if self.body is not None:
            self.body.setVisible(expanded)
        self._apply_problems()

    def toggle_expanded(self) -> None:
        self.set_expanded(not self._expanded)

    # ------------------------------------------------------------ edits
    def _child_edited(self, path: tuple, mergeable: bool) -> None:
        self._value = self._editor.value()
        self._update_reset()
        self._edited(path, mergeable)

    def _template_edited(self, text: str) -> None:
        self._value = text if text else UNSET
        self._template.setToolTip(text)
        self._update_reset()
        self._edited((), True)

    def _yaml_edited(self, _path: tuple, _mergeable: bool) -> None:
        self._value = self._yaml.value()
        self._update_reset()
        if self._value is not UNSET and (self.field.accepts(self._value) or self.field.is_template_value(
                self._value)) and self._yaml.is_valid():
            pass  # stays in YAML mode while typing; the next refresh shows the proper editor
        self._edited((), True)

    def _to_template(self, initial: str | None) -> None:
        """Value -> Template. The value is kept aside (restored when switching back)."""
        self._stash = self._value
        self._mode = "template"
        new = initial if initial is not None else (self._env_suggestion() if self.field.secret else UNSET)
        changed = new != self._value
        self._value = new
        self._show_mode()
        self._update_reset()
        if self._template is not None:
            with QSignalBlocker(self._template):
                self._template.setText(new if isinstance(new, str) else "")
            self._template.setFocus()
        if changed:
            self._edited((), False)

    def _from_template(self) -> None:
        self._mode = "value"
        restored = self._stash if self._stash is not UNSET and self.field.accepts(self._stash) else UNSET
        changed = restored != self._value
        self._value = restored
        if self._editor is not None:
            self._editor.set_value(restored)
        self._show_mode()
        self._update_reset()
        if changed:
            self._edited((), False)

    def _fill_env(self) -> None:
        """Secret string fields: put an env-var template in."""
        suggestion = self._env_suggestion()
        if self._value == suggestion:
            return
        self._value = suggestion
        if self._mode == "yaml":
            self._mode = "value"
            self._show_mode()
        if self._editor is not None:
            self._editor.set_value(suggestion)
        self._update_reset()
        self._edited((), False)

    # ---------------------------------------------------------- problems
    def set_problems(self, problems: list[FormProblem]) -> list[FormProblem]:
        self._problems = list(problems)
        self._apply_problems()
        return []

    def _apply_problems(self) -> None:
        own = [p for p in self._problems if not p[0]]
        deeper = [p for p in self._problems if p[0]]
        unplaced = deeper
        if deeper and self._mode == "value" and self._editor is not None and self.is_expanded():
            unplaced = self._editor.set_problems(deeper)
        elif self._editor is not None:
            self._editor.set_problems([])
        shown = own + [((), _where(p[0]) + p[1], p[2]) for p in unplaced]
        secret_hint = self._secret_hint()
        if secret_hint and not any("secret" in p[1] for p in shown):
            shown.append(((), secret_hint, "warning"))
        if not shown:
            if self.problem is not None:
                self.problem.hide()
                self.problem.clear()
            self.setProperty("severity", "")
            return
        if self.problem is None:
            self.problem = QLabel(self)
            self.problem.setObjectName("fieldProblem")
            self.problem.setWordWrap(True)
            self.problem.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
            self.layout().addWidget(self.problem)
        worst = "error" if any(p[2] == "error" for p in shown) else shown[0][2]
        self.problem.setText("\n".join(("⚠ " if p[2] != "error" else "✖ ") + p[1] for p in shown))
        from dagster_designer_qt.ui.theme import message_color

        self.problem.setStyleSheet(f"color: {message_color(worst, self.palette())};")
        self.problem.show()
        self.setProperty("severity", worst)

    def _secret_hint(self) -> str:
        if self.field.secret and isinstance(self._value, str) and self._value and not is_template(self._value):
            return "literal secret: use a template such as " + self._env_suggestion()
        return ""

    def problem_text(self) -> str:
        return self.problem.text() if self.problem is not None and not self.problem.isHidden() else ""

    # ------------------------------------------------------------- focus
    def focus_path(self, path: tuple) -> bool:
        if self.collapsible:
            self.set_expanded(True)
        if path and self._mode == "value":
            editor = self._build_editor()
            if editor.focus_path(path):
                return True
        widget = self._current_widget() or (self._build_editor() if self._mode == "value" else None)
        if widget is not None:
            target = widget.focusProxy() or widget
            while target.focusProxy() is not None and target.focusProxy() is not target:
                target = target.focusProxy()
            target.setFocus(Qt.FocusReason.OtherFocusReason)
            return True
        return False


def _editor_fits(fld: Field, value: Any) -> bool:
    """Whether the value editor can show ``value`` (a spin box holds 32-bit integers only)."""
    if fld.kind == "integer":
        from dagster_designer_qt.ui.forms.leaves import IntEditor

        return IntEditor.fits(value)
    return True


def _where(path: tuple) -> str:
    from dagster_designer_qt.core.attrs import format_path

    return f"{format_path(path)}: " if path else ""
