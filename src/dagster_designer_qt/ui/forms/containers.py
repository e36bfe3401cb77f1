"""Container editors: objects (a row per property), lists (add/remove/reorder), maps (key/value rows with
key validation and rename) and unions (a variant picker that keeps shared values when switching)."""

from __future__ import annotations

import copy
import re
from typing import Any

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QToolButton, QVBoxLayout, QWidget

from dagster_designer_qt.core.schema import UNSET, Field, match_variant, switch_variant
from dagster_designer_qt.ui.forms.base import Editor, FormContext, FormProblem
from dagster_designer_qt.ui.forms.row import FieldRow


def _vbox(widget: QWidget, spacing: int = 1) -> QVBoxLayout:
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(spacing)
    return layout


def _tool(parent: QWidget, text: str, tip: str, name: str) -> QToolButton:
    button = QToolButton(parent)
    button.setText(text)
    button.setToolTip(tip)
    button.setAccessibleName(tip)
    button.setObjectName(name)
    button.setAutoRaise(True)
    return button


def _expand_initially(fld: Field, value: Any, depth: int) -> bool:
    return depth == 0 and fld.required and value is not UNSET and fld.kind != "map"


class ObjectEditor(Editor):
    """One FieldRow per property (ui:order first). Keys without a property — extra keys of an open object,
    or unknown keys of a closed one — are kept in an extra map/YAML row so nothing is ever dropped."""

    def __init__(self, fld: Field, ctx: FormContext, parent: QWidget | None = None, path: tuple = (),
                 root: bool = False):
        super().__init__(fld, ctx, parent)
        self.path = path
        self.root = root
        self._value: dict = {}
        self.rows: dict[str, FieldRow] = {}
        self._extra_row: FieldRow | None = None
        layout = _vbox(self, 2)
        for prop in fld.properties:
            if prop.hidden:
                continue
            row = FieldRow(prop, ctx, self, path=path + (prop.name,),
                           expanded=root and prop.required and prop.kind != "map")
            row.value_edited.connect(lambda p, m, key=prop.name: self._row_edited(key, p, m))
            layout.addWidget(row)
            self.rows[prop.name] = row
        if not fld.properties and fld.closed:
            layout.addWidget(QLabel("(no settings)", self))

    def _extra_keys(self, value: dict) -> list[str]:
        known = {p.name for p in self.field.properties if not p.hidden}
        hidden = {p.name for p in self.field.properties if p.hidden}
        return [k for k in value if k not in known and k not in hidden]

    def _sync_extra(self) -> None:
        extra = {k: self._value[k] for k in self._extra_keys(self._value)}
        if not extra and self._extra_row is None:
            return
        if self._extra_row is None:
            open_map = self.field.extra is not None and not self.field.closed
            fld = Field(kind="map" if open_map else "yaml", name="", value=self.field.extra,
                        title="Additional properties" if open_map else "Unknown keys",
                        description="Keys the schema doesn't list" if not open_map else "",
                        reason="" if open_map else "keys not in the schema")
            self._extra_row = FieldRow(fld, self.ctx, self, path=self.path, expanded=True, removable=False)
            self._extra_row.setObjectName("field:__extra__")
            self._extra_row.value_edited.connect(self._extra_edited)
            self.layout().addWidget(self._extra_row)
        self._extra_row.set_value(extra if extra else UNSET)

    def _row_edited(self, key: str, path: tuple, mergeable: bool) -> None:
        value = self.rows[key].value()
        if value is UNSET:
            self._value.pop(key, None)
        else:
            self._value[key] = value
        self._edited((key,) + path, mergeable)

    def _extra_edited(self, path: tuple, mergeable: bool) -> None:
        extra = self._extra_row.value()
        extra = extra if isinstance(extra, dict) else {}
        known = [k for k in self._value if k not in self._extra_keys(self._value)]
        self._value = {**{k: self._value[k] for k in known}, **extra}
        self._edited(path, mergeable)

    def add_extra_row(self) -> FieldRow:
        """Show the additional-properties row even when empty (the user wants to add a key)."""
        if self._extra_row is None:
            self._value.setdefault("__tmp__", None)
            self._sync_extra()
            self._value.pop("__tmp__", None)
            self._extra_row.set_value(UNSET)
        return self._extra_row

    def value(self) -> Any:
        if not self._value and not self.root:
            return UNSET
        return copy.deepcopy(self._value)

    def set_value(self, value: Any) -> None:
        self._value = copy.deepcopy(value) if isinstance(value, dict) else {}
        for key, row in self.rows.items():
            row.set_value(self._value.get(key, UNSET))
        self._sync_extra()

    def set_problems(self, problems: list[FormProblem]) -> list[FormProblem]:
        routed: dict[str, list] = {k: [] for k in self.rows}
        unplaced = []
        extra_problems = []
        extra_keys = set(self._extra_keys(self._value))
        for path, message, severity in problems:
            if path and path[0] in routed:
                routed[path[0]].append((path[1:], message, severity))
            elif path and path[0] in extra_keys and self._extra_row is not None:
                extra_problems.append((path, message, severity))
            else:
                unplaced.append((path, message, severity))
        for key, row in self.rows.items():
            row.set_problems(routed[key])
        if self._extra_row is not None:
            self._extra_row.set_problems(extra_problems)
        return unplaced

    def focus_path(self, path: tuple) -> bool:
        if not path:
            first = next(iter(self.rows.values()), None)
            return first.focus_path(()) if first else False
        row = self.rows.get(path[0])
        if row is not None:
            return row.focus_path(path[1:])
        if self._extra_row is not None:
            return self._extra_row.focus_path(path)
        return False

    def row(self, key: str) -> FieldRow | None:
        return self.rows.get(key)


class ListEditor(Editor):
    """Items as rows with move up/down and remove buttons, and an Add button. Removing the last item
    clears the field (the key goes)."""

    def __init__(self, fld: Field, ctx: FormContext, parent: QWidget | None = None, path: tuple = ()):
        super().__init__(fld, ctx, parent)
        self.path = path
        self._value: list = []
        self.items: list[FieldRow] = []
        layout = _vbox(self)
        self.holder = QWidget(self)
        self.holder_layout = _vbox(self.holder)
        layout.addWidget(self.holder)
        self.add_button = _tool(self, "+ Add", f"Add {fld.title or 'item'}", "addItem")
        self.add_button.setAutoRaise(False)
        self.add_button.clicked.connect(self.add_item)
        bar = QHBoxLayout()
        bar.addWidget(self.add_button)
        bar.addStretch(1)
        layout.addLayout(bar)

    def _item_label(self, index: int, value: Any) -> str:
        if isinstance(value, dict):
            for key in ("key", "name", "path", "target", "asset", "fn"):
                if isinstance(value.get(key), str) and value[key]:
                    return f"{index + 1}. {value[key]}"
        return f"{index + 1}."

    def _rebuild(self, expand: int | None = None) -> None:
        for row in self.items:
            self.holder_layout.removeWidget(row)
            row.hide()
            row.deleteLater()
        self.items = []
        item_field = self.field.items
        for index, value in enumerate(self._value):
            container = item_field.kind in ("object", "map", "array", "union")
            row = FieldRow(item_field, self.ctx, self.holder, label=self._item_label(index, value),
                           path=self.path + (index,), expanded=(index == expand) if container else None,
                           removable=False)
            row.set_value(value)
            row.setObjectName(f"item:{index}")
            up = _tool(row, "▲", "Move up", "moveUp")
            down = _tool(row, "▼", "Move down", "moveDown")
            remove = _tool(row, "✕", "Remove", "removeItem")
            up.setEnabled(index > 0)
            down.setEnabled(index < len(self._value) - 1)
            up.clicked.connect(lambda _c=False, i=index: self.move_item(i, i - 1))
            down.clicked.connect(lambda _c=False, i=index: self.move_item(i, i + 1))
            remove.clicked.connect(lambda _c=False, i=index: self.remove_item(i))
            for button in (up, down, remove):
                row.header.addWidget(button)
            row.value_edited.connect(lambda p, m, i=index: self._item_edited(i, p, m))
            self.holder_layout.addWidget(row)
            self.items.append(row)

    def _new_item(self) -> Any:
        item = self.field.items
        if item.kind == "object":
            required = {p.name: "" for p in item.properties if p.required and p.kind in ("string", "path", "text")}
            return {**dict(item.tag), **required}
        if item.kind == "union" and item.variants:
            return switch_variant(UNSET, item.variants[0]) if item.variants[0].kind != "const" else item.variants[0].const
        return {"map": {}, "array": [], "integer": 0, "number": 0.0, "boolean": False,
                "enum": item.enum[0] if item.enum else ""}.get(item.kind, "")

    def add_item(self) -> None:
        new = self._new_item()
        self._value.append(new if new is not UNSET else "")
        self._rebuild(expand=len(self._value) - 1)
        self._edited((), False)
        self.items[-1].focus_path(())

    def remove_item(self, index: int) -> None:
        del self._value[index]
        self._rebuild()
        self._edited((), False)

    def move_item(self, index: int, to: int) -> None:
        if not (0 <= to < len(self._value)) or index == to:
            return
        self._value.insert(to, self._value.pop(index))
        self._rebuild(expand=to if self.items and self.items[index].is_expanded() and
                      self.items[index].collapsible else None)
        self._edited((), False)

    def _item_edited(self, index: int, path: tuple, mergeable: bool) -> None:
        value = self.items[index].value()
        self._value[index] = value if value is not UNSET else ""
        if isinstance(value, dict):
            self.items[index].title.setText(self._item_label(index, value))
        self._edited((index,) + path, mergeable)

    def value(self) -> Any:
        return copy.deepcopy(self._value) if self._value else UNSET

    def set_value(self, value: Any) -> None:
        new = copy.deepcopy(value) if isinstance(value, list) else []
        if len(new) == len(self.items) and self.items:
            self._value = new
            for row, item in zip(self.items, new):
                row.set_value(item)
                if isinstance(item, dict):
                    row.title.setText(self._item_label(self.items.index(row), item))
            return
        self._value = new
        self._rebuild()

    def set_problems(self, problems: list[FormProblem]) -> list[FormProblem]:
        routed: dict[int, list] = {i: [] for i in range(len(self.items))}
        unplaced = []
        for path, message, severity in problems:
            if path and isinstance(path[0], int) and path[0] in routed:
                routed[path[0]].append((path[1:], message, severity))
            else:
                unplaced.append((path, message, severity))
        for index, row in enumerate(self.items):
            row.set_problems(routed[index])
        return unplaced

    def focus_path(self, path: tuple) -> bool:
        if not path:
            if self.items:
                return self.items[0].focus_path(())
            self.add_button.setFocus()
            return True
        if isinstance(path[0], int) and path[0] < len(self.items):
            return self.items[path[0]].focus_path(path[1:])
        return False


_KEY_RE = re.compile(r"^\S(.*\S)?$")


class MapEditor(Editor):
    """Key/value rows. Keys must be non-empty, without surrounding spaces, and unique; an invalid key is
    marked and not committed until fixed. Renaming keeps the entry's position."""

    def __init__(self, fld: Field, ctx: FormContext, parent: QWidget | None = None, path: tuple = ()):
        super().__init__(fld, ctx, parent)
        self.path = path
        self._value: dict = {}
        self.entries: list[tuple[QLineEdit, FieldRow]] = []
        layout = _vbox(self)
        self.holder = QWidget(self)
        self.holder_layout = _vbox(self.holder)
        layout.addWidget(self.holder)
        self.add_button = _tool(self, "+ Add", f"Add an entry to {fld.title or 'the mapping'}", "addEntry")
        self.add_button.setAutoRaise(False)
        self.add_button.clicked.connect(self.add_entry)
        bar = QHBoxLayout()
        bar.addWidget(self.add_button)
        bar.addStretch(1)
        layout.addLayout(bar)

    def _value_field(self) -> Field:
        return self.field.value or Field(kind="any")

    def _rebuild(self, focus_key: str | None = None) -> None:
        for _key_edit, row in self.entries:
            entry = row.parentWidget()
            self.holder_layout.removeWidget(entry)
            entry.hide()
            entry.deleteLater()
        self.entries = []
        vfield = self._value_field()
        for key, value in self._value.items():
            entry = QWidget(self.holder)
            entry.setObjectName(f"entry:{key}")
            entry_layout = QVBoxLayout(entry)
            entry_layout.setContentsMargins(0, 0, 0, 0)
            entry_layout.setSpacing(0)
            line = QHBoxLayout()
            key_edit = QLineEdit(key, entry)
            key_edit.setObjectName("mapKey")
            key_edit.setAccessibleName("Key")
            key_edit.setPlaceholderText("key")
            key_edit.setMaximumWidth(150)
            line.addWidget(key_edit)
            container = vfield.kind in ("object", "map", "array", "union", "text", "yaml")
            row = FieldRow(vfield, self.ctx, entry, label="" if not container else "value", path=self.path + (key,),
                           expanded=True if container else None, removable=False)
            row.set_value(value)
            remove = _tool(entry, "✕", "Remove entry", "removeEntry")
            remove.clicked.connect(lambda _c=False, k=key_edit: self.remove_entry(self._entry_key(k)))
            if container:
                line.addStretch(1)
                line.addWidget(remove)
                entry_layout.addLayout(line)
                entry_layout.addWidget(row)
            else:
                row.title.hide()
                line.addWidget(row, 1)
                line.addWidget(remove)
                entry_layout.addLayout(line)
            key_edit.editingFinished.connect(lambda k=key_edit: self._key_finished(k))
            key_edit.textEdited.connect(lambda _t, k=key_edit: self._check_key(k))
            key_edit.setProperty("committed", key)
            row.value_edited.connect(lambda p, m, k=key_edit: self._entry_edited(k, p, m))
            self.holder_layout.addWidget(entry)
            self.entries.append((key_edit, row))
            if key == focus_key:
                key_edit.setFocus()
                key_edit.selectAll()

    @staticmethod
    def _entry_key(key_edit: QLineEdit) -> str:
        return key_edit.property("committed")

    def key_error(self, new: str, old: str | None) -> str:
        if not new:
            return "a key can't be empty"
        if not _KEY_RE.match(new):
            return "a key can't start or end with spaces"
        if new != old and new in self._value:
            return f"'{new}' is already a key"
        return ""

    def _check_key(self, key_edit: QLineEdit) -> str:
        error = self.key_error(key_edit.text(), self._entry_key(key_edit))
        from dagster_designer_qt.ui.theme import message_color

        key_edit.setStyleSheet(f"border: 1px solid {message_color('error')};" if error else "")
        key_edit.setToolTip(error)
        return error

    def _key_finished(self, key_edit: QLineEdit) -> None:
        old, new = self._entry_key(key_edit), key_edit.text()
        if new == old or self._check_key(key_edit):
            return
        self.rename_key(old, new)

    def rename_key(self, old: str, new: str) -> bool:
        if old not in self._value or self.key_error(new, old):
            return False
        self._value = {(new if k == old else k): v for k, v in self._value.items()}
        for key_edit, row in self.entries:
            if self._entry_key(key_edit) == old:
                key_edit.setProperty("committed", new)
                with QSignalBlocker(key_edit):
                    key_edit.setText(new)
                row.parentWidget().setObjectName(f"entry:{new}")
        self._edited((), False)
        return True

    def add_entry(self) -> None:
        base = "key"
        key, n = base, 1
        while key in self._value:
            n += 1
            key = f"{base}_{n}"
        vfield = self._value_field()
        new: Any = {"object": dict(vfield.tag), "map": {}, "array": [], "integer": 0, "number": 0.0,
                    "boolean": False}.get(vfield.kind, "")
        if vfield.kind == "object":
            new.update({p.name: "" for p in vfield.properties if p.required and p.kind in ("string", "path")})
        self._value[key] = new
        self._rebuild(focus_key=key)
        self._edited((), False)

    def remove_entry(self, key: str) -> None:
        if key in self._value:
            del self._value[key]
            self._rebuild()
            self._edited((), False)

    def _entry_edited(self, key_edit: QLineEdit, path: tuple, mergeable: bool) -> None:
        key = self._entry_key(key_edit)
        row = next(r for k, r in self.entries if k is key_edit)
        value = row.value()
        self._value[key] = value if value is not UNSET else ""
        self._edited((key,) + path, mergeable)

    def value(self) -> Any:
        return copy.deepcopy(self._value) if self._value else UNSET

    def set_value(self, value: Any) -> None:
        new = copy.deepcopy(value) if isinstance(value, dict) else {}
        if list(new) == list(self._value) and self.entries:
            self._value = new
            for key_edit, row in self.entries:
                row.set_value(new[self._entry_key(key_edit)])
            return
        self._value = new
        self._rebuild()

    def set_problems(self, problems: list[FormProblem]) -> list[FormProblem]:
        by_key = {self._entry_key(k): r for k, r in self.entries}
        routed: dict[str, list] = {k: [] for k in by_key}
        unplaced = []
        for path, message, severity in problems:
            if path and path[0] in routed:
                routed[path[0]].append((path[1:], message, severity))
            else:
                unplaced.append((path, message, severity))
        for key, row in by_key.items():
            row.set_problems(routed[key])
        return unplaced

    def focus_path(self, path: tuple) -> bool:
        for key_edit, row in self.entries:
            if path and self._entry_key(key_edit) == path[0]:
                if len(path) == 1:
                    return row.focus_path(())
                return row.focus_path(path[1:])
        if not path:
            if self.entries:
                self.entries[0][0].setFocus()
            else:
                self.add_button.setFocus()
            return True
        return False


class UnionEditor(Editor):
    """A variant picker (labelled by the variants' titles) over the editor of the chosen variant."""

    def __init__(self, fld: Field, ctx: FormContext, parent: QWidget | None = None, path: tuple = ()):
        super().__init__(fld, ctx, parent)
        self.path = path
        layout = _vbox(self)
        line = QHBoxLayout()
        line.addWidget(QLabel("Variant", self))
        self.combo = QComboBox(self)
        self.combo.setObjectName("variantPicker")
        self.combo.setAccessibleName(f"{fld.title or 'value'} variant")
        for variant in fld.variants:
            self.combo.addItem(variant.title or variant.kind)
        self.combo.activated.connect(self.switch_to)
        line.addWidget(self.combo, 1)
        layout.addLayout(line)
        self._index = 0
        self._value: Any = UNSET
        self.child: FieldRow | None = None
        self._build_child()
        self.setFocusProxy(self.combo)

    def _build_child(self) -> None:
        if self.child is not None:
            self.layout().removeWidget(self.child)
            self.child.hide()
            self.child.deleteLater()
        variant = self.field.variants[self._index]
        self.child = FieldRow(variant, self.ctx, self, label="", path=self.path, expanded=True, removable=False)
        self.child.title.hide()
        self.child.set_value(self._value)
        self.child.value_edited.connect(self._child_edited)
        self.layout().addWidget(self.child)

    def _child_edited(self, path: tuple, mergeable: bool) -> None:
        self._value = self.child.value()
        self._edited(path, mergeable)

    def variant_index(self) -> int:
        return self._index

    def switch_to(self, index: int) -> None:
        if index == self._index and self._value is not UNSET:
            return
        previous = self.field.variants[self._index]
        self._index = index
        with QSignalBlocker(self.combo):
            self.combo.setCurrentIndex(index)
        self._value = switch_variant(self._value, self.field.variants[index], previous)
        if self._value == {} and not self.field.variants[index].tag:
            self._value = {}
        self._build_child()
        self._edited((), False)

    def value(self) -> Any:
        if isinstance(self._value, dict) and not self._value:
            return UNSET
        return copy.deepcopy(self._value)

    def set_value(self, value: Any) -> None:
        self._value = copy.deepcopy(value)
        index = match_variant(self.field, value)
        if index is not None and index != self._index:
            self._index = index
            with QSignalBlocker(self.combo):
                self.combo.setCurrentIndex(index)
            self._build_child()
        else:
            self.child.set_value(value)

    def set_problems(self, problems: list[FormProblem]) -> list[FormProblem]:
        return self.child.set_problems(problems) if self.child else problems

    def focus_path(self, path: tuple) -> bool:
        if not path:
            self.combo.setFocus()
            return True
        return self.child.focus_path(path) if self.child else False
