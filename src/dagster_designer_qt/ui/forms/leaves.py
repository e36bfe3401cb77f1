"""Scalar editors: text, multi-line text, path, integer, number, boolean, choice, fixed value,
multi-choice lists and the inline YAML editor (the fallback for anything the parser can't represent).

PyYAML is imported by the YAML editor when it is first used, not at start-up (the property panel imports
this module when the window is built; yaml's import is ~30 ms of a start)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from dagster_designer_qt.core.schema import UNSET, Field, format_value
from dagster_designer_qt.ui.forms.base import Editor, FormContext

INT_MIN, INT_MAX = -(2**31) + 2, 2**31 - 1


def _hbox(widget: QWidget) -> QHBoxLayout:
    layout = QHBoxLayout(widget)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    return layout


class LineEditor(Editor):
    """A single line of text (strings, scalars of mixed type, template strings)."""

    def __init__(self, fld: Field, ctx: FormContext, parent: QWidget | None = None, placeholder: str = ""):
        super().__init__(fld, ctx, parent)
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(placeholder or fld.placeholder())
        self.edit.setAccessibleName(fld.title or fld.name or "value")
        self.edit.textEdited.connect(lambda _t: self._edited())
        layout = _hbox(self)
        layout.addWidget(self.edit)
        self.setFocusProxy(self.edit)
        self.reveal: QToolButton | None = None
        if fld.secret:  # a literal secret is masked; a template ({{ env('X') }}) is not a secret itself
            self.reveal = QToolButton(self)
            self.reveal.setObjectName("revealSecret")
            self.reveal.setCheckable(True)
            self.reveal.setText("Show")
            self.reveal.setToolTip("Show or hide the secret")
            self.reveal.setAccessibleName("Show secret")
            self.reveal.toggled.connect(lambda _c: self._update_echo())
            self.edit.textChanged.connect(lambda _t: self._update_echo())
            layout.addWidget(self.reveal)
            self._update_echo()

    def is_masked(self) -> bool:
        return self.edit.echoMode() != QLineEdit.EchoMode.Normal

    def _update_echo(self) -> None:
        from dagster_designer_qt.core.attrs import is_template

        text = self.edit.text()
        literal = bool(text) and not is_template(text)
        revealed = self.reveal.isChecked()
        self.reveal.setText("Hide" if revealed else "Show")
        self.reveal.setEnabled(literal)
        mode = QLineEdit.EchoMode.Password if literal and not revealed else QLineEdit.EchoMode.Normal
        if self.edit.echoMode() != mode:
            self.edit.setEchoMode(mode)

    def value(self) -> Any:
        text = self.edit.text()
        return text if text != "" else UNSET

    def set_value(self, value: Any) -> None:
        with QSignalBlocker(self.edit):
            text = "" if value is UNSET or value is None else format_value(value)
            if text != self.edit.text():
                self.edit.setText(text)
                self.edit.setCursorPosition(0)  # long values and templates read from their start
            self.edit.setToolTip(text if len(text) > 20 and not self.field.secret else "")
        if self.reveal is not None:
            self._update_echo()


class PathEditor(LineEditor):
    """A path with a file or folder picker; picked paths are made relative to the project folder."""

    def __init__(self, fld: Field, ctx: FormContext, parent: QWidget | None = None):
        super().__init__(fld, ctx, parent)
        self.browse = QToolButton(self)
        self.browse.setText("…")
        self.browse.setToolTip("Choose a folder" if fld.path_mode == "dir" else "Choose a file")
        self.browse.setAccessibleName("Browse")
        self.browse.clicked.connect(self._browse)
        self.layout().addWidget(self.browse)

    def _browse(self) -> None:
        base = self.ctx.base_dir()
        start = str(base) if base else ""
        if self.field.path_mode == "dir":
            chosen = QFileDialog.getExistingDirectory(self, self.field.title, start)
        else:
            chosen, _ = QFileDialog.getOpenFileName(self, self.field.title, start)
        if chosen:
            self.pick(chosen)

    def pick(self, chosen: str) -> None:
        base = self.ctx.base_dir()
        text = chosen
        if base:
            try:
                text = os.path.relpath(chosen, base) if Path(chosen).resolve().is_relative_to(
                    Path(base).resolve()) else chosen
            except ValueError:
                text = chosen
        self.edit.setText(Path(text).as_posix())
        self._edited((), False)


class TextEditor(Editor):
    """Multi-line text (SQL, scripts)."""

    def __init__(self, fld: Field, ctx: FormContext, parent: QWidget | None = None):
        super().__init__(fld, ctx, parent)
        self.edit = QPlainTextEdit(self)
        self.edit.setPlaceholderText(fld.placeholder())
        self.edit.setAccessibleName(fld.title or fld.name or "text")
        self.edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.edit.setMinimumHeight(80)
        self.edit.setMaximumHeight(180)
        self.edit.setTabChangesFocus(True)
        self.edit.textChanged.connect(self._edited)
        _hbox(self).addWidget(self.edit)
        self.setFocusProxy(self.edit)

    def value(self) -> Any:
        text = self.edit.toPlainText()
        return text if text != "" else UNSET

    def set_value(self, value: Any) -> None:
        with QSignalBlocker(self.edit):
            self.edit.setPlainText("" if value is UNSET or value is None else format_value(value))


class _SpinMixin:
    """Spin boxes have no empty state: the value just below the range means "not set" and shows the
    default (Qt's specialValueText idiom)."""

    def _setup_spin(self, spin, fld: Field, lo: float, hi: float) -> None:
        from dagster_designer_qt.ui.theme import field_frame_style

        spin.setStyle(field_frame_style())  # a frame in the theme's input border colour
        spin.setRange(lo - 1 if isinstance(spin, QSpinBox) else lo - 1.0, hi)
        spin.setSpecialValueText(fld.placeholder() or " ")
        spin.setKeyboardTracking(True)
        spin.setAccessibleName(fld.title or fld.name or "number")
        spin.setValue(spin.minimum())
        spin.setMinimumWidth(60)  # wide ranges must not widen the form beyond a narrow panel
        spin.valueChanged.connect(lambda _v: self._edited())


class IntEditor(Editor, _SpinMixin):
    def __init__(self, fld: Field, ctx: FormContext, parent: QWidget | None = None):
        super().__init__(fld, ctx, parent)
        lo = int(fld.minimum) if fld.minimum is not None else INT_MIN
        if fld.exclusive_minimum is not None:
            lo = int(fld.exclusive_minimum) + 1
        hi = int(fld.maximum) if fld.maximum is not None else INT_MAX
        if fld.exclusive_maximum is not None:
            hi = int(fld.exclusive_maximum) - 1
        self.spin = QSpinBox(self)
        self._setup_spin(self.spin, fld, max(lo, INT_MIN), min(hi, INT_MAX))
        _hbox(self).addWidget(self.spin)
        self.setFocusProxy(self.spin)

    @staticmethod
    def fits(value: Any) -> bool:
        """Whether the spin box (32-bit) can show ``value``; larger integers are edited as YAML text."""
        return not isinstance(value, int) or isinstance(value, bool) or INT_MIN <= value <= INT_MAX

    def value(self) -> Any:
        return UNSET if self.spin.value() == self.spin.minimum() else int(self.spin.value())

    def set_value(self, value: Any) -> None:
        with QSignalBlocker(self.spin):
            if value is UNSET or value is None or not isinstance(value, (int, float)):
                self.spin.setValue(self.spin.minimum())
            else:  # never raises: out-of-range values are clamped (FieldRow shows those as YAML instead)
                self.spin.setValue(max(self.spin.minimum() + 1, min(self.spin.maximum(), int(value))))


class NumberEditor(Editor, _SpinMixin):
    def __init__(self, fld: Field, ctx: FormContext, parent: QWidget | None = None):
        super().__init__(fld, ctx, parent)
        lo = float(fld.minimum if fld.minimum is not None else (fld.exclusive_minimum or -1e12))
        hi = float(fld.maximum if fld.maximum is not None else (fld.exclusive_maximum or 1e12))
        if fld.minimum is None and fld.exclusive_minimum is None:
            lo = -1e12
        self.spin = QDoubleSpinBox(self)
        self.spin.setDecimals(4)
        self.spin.setSingleStep(0.1)
        self._setup_spin(self.spin, fld, lo, hi)
        _hbox(self).addWidget(self.spin)
        self.setFocusProxy(self.spin)

    def value(self) -> Any:
        if self.spin.value() <= self.spin.minimum():
            return UNSET
        number = round(float(self.spin.value()), 4)
        return number

    def set_value(self, value: Any) -> None:
        with QSignalBlocker(self.spin):
            self.spin.setValue(self.spin.minimum() if value is UNSET or value is None else float(value))


class BoolEditor(Editor):
    """A check box. Not set, it shows the default greyed; clicking it stores an explicit value."""

    def __init__(self, fld: Field, ctx: FormContext, parent: QWidget | None = None):
        super().__init__(fld, ctx, parent)
        self.box = QCheckBox(self)
        self.box.setAccessibleName(fld.title or fld.name or "flag")
        self.box.clicked.connect(self._clicked)
        self._set = False
        layout = _hbox(self)
        layout.addWidget(self.box)
        layout.addStretch(1)
        self.setFocusProxy(self.box)
        self.set_value(UNSET)

    def _clicked(self, checked: bool) -> None:
        self._set = True
        self._show()
        self._edited((), False)

    def _show(self) -> None:
        if self._set:
            self.box.setText("")
            self.box.setStyleSheet("")
        else:
            self.box.setText("(default)" if self.field.has_default else "(not set)")
            self.box.setStyleSheet("color: palette(placeholder-text);")

    def value(self) -> Any:
        return bool(self.box.isChecked()) if self._set else UNSET

    def set_value(self, value: Any) -> None:
        with QSignalBlocker(self.box):
            self._set = isinstance(value, bool)
            if self._set:
                self.box.setChecked(value)
            else:
                self.box.setChecked(bool(self.field.default) if isinstance(self.field.default, bool) else False)
        self._show()


class EnumEditor(Editor):
    def __init__(self, fld: Field, ctx: FormContext, parent: QWidget | None = None):
        super().__init__(fld, ctx, parent)
        self.combo = QComboBox(self)
        self.combo.setAccessibleName(fld.title or fld.name or "choice")
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(6)
        self.combo.addItem(fld.placeholder() or "(not set)", UNSET)
        for choice in fld.enum:
            self.combo.addItem(format_value(choice), choice)
        self.combo.activated.connect(lambda _i: self._edited((), False))
        _hbox(self).addWidget(self.combo)
        self.setFocusProxy(self.combo)

    def value(self) -> Any:
        index = self.combo.currentIndex()
        return UNSET if index <= 0 else self.field.enum[index - 1]

    def set_value(self, value: Any) -> None:
        with QSignalBlocker(self.combo):
            index = self.field.enum.index(value) + 1 if value in self.field.enum else 0
            self.combo.setCurrentIndex(index)


class ConstEditor(Editor):
    """A fixed value (a union variant's tag): shown, never typed."""

    def __init__(self, fld: Field, ctx: FormContext, parent: QWidget | None = None):
        super().__init__(fld, ctx, parent)
        self.label = QLabel(format_value(fld.const), self)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        _hbox(self).addWidget(self.label)
        self._value: Any = UNSET

    def value(self) -> Any:
        return self._value

    def set_value(self, value: Any) -> None:
        self._value = value if value == self.field.const else UNSET
        self.label.setText(format_value(self.field.const) + ("" if self._value is not UNSET else "  (default)"))


class MultiChoiceEditor(Editor):
    """An array whose items come from a fixed set: one check box per choice, stored in schema order."""

    def __init__(self, fld: Field, ctx: FormContext, parent: QWidget | None = None):
        super().__init__(fld, ctx, parent)
        item = fld.items
        self.choices = list(item.enum) if item.kind == "enum" else [item.const]
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.boxes: list[QCheckBox] = []
        for choice in self.choices:
            box = QCheckBox(format_value(choice), self)
            box.clicked.connect(lambda _c: self._edited((), False))
            layout.addWidget(box)
            self.boxes.append(box)
        if self.boxes:
            self.setFocusProxy(self.boxes[0])

    def value(self) -> Any:
        chosen = [c for c, b in zip(self.choices, self.boxes) if b.isChecked()]
        return chosen if chosen else UNSET

    def set_value(self, value: Any) -> None:
        values = value if isinstance(value, list) else []
        for choice, box in zip(self.choices, self.boxes):
            with QSignalBlocker(box):
                box.setChecked(choice in values)


def dump_yaml(value: Any) -> str:
    if value is UNSET:
        return ""
    import yaml

    text = yaml.safe_dump(value, sort_keys=False, default_flow_style=False, allow_unicode=True)
    if text.endswith("\n...\n"):
        text = text[: -len("...\n")]
    return text.rstrip("\n")


class YamlEditor(Editor):
    """YAML for a subtree the form can't represent (or any-typed values). Validated as you type; an
    invalid text shows the parser's message and keeps the last valid value, so nothing is lost."""

    def __init__(self, fld: Field, ctx: FormContext, parent: QWidget | None = None, compact: bool = False):
        super().__init__(fld, ctx, parent)
        self.compact = compact
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        if compact:
            self.edit = QLineEdit(self)
            self.edit.textEdited.connect(self._parse)
            self.edit.setPlaceholderText(fld.placeholder() or "value (YAML)")
        else:
            self.edit = QPlainTextEdit(self)
            self.edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
            self.edit.setPlaceholderText("YAML" + (f" — {fld.reason}" if fld.reason else ""))
            self.edit.setMinimumHeight(60)
            self.edit.setMaximumHeight(200)
            self.edit.setTabChangesFocus(True)
            self.edit.textChanged.connect(self._parse)
        self.edit.setAccessibleName((fld.title or fld.name or "value") + " (YAML)")
        self.error = QLabel(self)
        self.error.setObjectName("yamlError")
        from dagster_designer_qt.ui.theme import message_color

        self.error.setStyleSheet(f"color: {message_color('error')};")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.edit)
        layout.addWidget(self.error)
        self.setFocusProxy(self.edit)
        self._value: Any = UNSET

    def text(self) -> str:
        return self.edit.text() if self.compact else self.edit.toPlainText()

    def is_valid(self) -> bool:
        return self.error.isHidden()

    def _parse(self, *_args) -> None:
        text = self.text()
        if not text.strip():
            self._value = UNSET
            self.error.hide()
            self._edited()
            return
        import yaml

        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}: " if mark is not None else ""
            self.error.setText(f"{where}{getattr(exc, 'problem', None) or exc}")
            self.error.show()
            return
        self.error.hide()
        self._value = value
        self._edited()

    def value(self) -> Any:
        return self._value

    def set_value(self, value: Any) -> None:
        import yaml

        self._value = value
        self.error.hide()
        with QSignalBlocker(self.edit):
            if self.compact:
                self.edit.setText("" if value is UNSET else (value if isinstance(value, str) else
                                                             yaml.safe_dump(value, default_flow_style=True,
                                                                            width=10**6).strip().removesuffix("...").strip()))
            else:
                self.edit.setPlainText(dump_yaml(value))
