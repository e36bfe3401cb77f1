"""The one editor factory: a Field kind -> an editor widget. Every editor has value(), set_value() and
value_edited; FieldRow adds the label, Template/YAML modes, reset and problems around it."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from dagster_designer_qt.core.schema import Field, parse_schema
from dagster_designer_qt.ui.forms.base import Editor, FormContext
from dagster_designer_qt.ui.forms.containers import ListEditor, MapEditor, ObjectEditor, UnionEditor
from dagster_designer_qt.ui.forms.leaves import (
    BoolEditor,
    ConstEditor,
    EnumEditor,
    IntEditor,
    LineEditor,
    MultiChoiceEditor,
    NumberEditor,
    PathEditor,
    TextEditor,
    YamlEditor,
)


def create_editor(fld: Field, ctx: FormContext, parent: QWidget | None = None, *, path: tuple = ()) -> Editor:
    kind = fld.kind
    if kind in ("string", "scalar"):
        return LineEditor(fld, ctx, parent)
    if kind == "path":
        return PathEditor(fld, ctx, parent)
    if kind == "text":
        return TextEditor(fld, ctx, parent)
    if kind == "integer":
        return IntEditor(fld, ctx, parent)
    if kind == "number":
        return NumberEditor(fld, ctx, parent)
    if kind == "boolean":
        return BoolEditor(fld, ctx, parent)
    if kind == "enum":
        return EnumEditor(fld, ctx, parent)
    if kind == "const":
        return ConstEditor(fld, ctx, parent)
    if kind == "object":
        return ObjectEditor(fld, ctx, parent, path=path)
    if kind == "map":
        return MapEditor(fld, ctx, parent, path=path)
    if kind == "array":
        if fld.items is not None and fld.items.kind in ("enum", "const") and not fld.items.template:
            return MultiChoiceEditor(fld, ctx, parent)
        return ListEditor(fld, ctx, parent, path=path)
    if kind == "union":
        return UnionEditor(fld, ctx, parent, path=path)
    return YamlEditor(fld, ctx, parent, compact=kind == "any")


def build_form(schema_or_field: dict | Field, ctx: FormContext | None = None,
               parent: QWidget | None = None) -> ObjectEditor:
    """The root form of an attribute schema: an ObjectEditor whose value is the attributes dict."""
    root = schema_or_field if isinstance(schema_or_field, Field) else parse_schema(schema_or_field)
    ctx = ctx or FormContext()
    if root.kind != "object":
        raise ValueError("an attribute schema must describe an object")
    return ObjectEditor(root, ctx, parent, root=True)
