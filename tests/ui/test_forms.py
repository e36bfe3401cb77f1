"""Forms for every installed component type: build with no top-level fallback, and values set through the
widgets give attributes the component's real Pydantic model accepts."""

from __future__ import annotations

import importlib
from functools import lru_cache

import pytest
from PySide6.QtCore import Qt

from dagster_designer_qt.core.schema import UNSET, parse_schema
from dagster_designer_qt.ui.forms.base import FormContext
from dagster_designer_qt.ui.forms.factory import build_form
from dagster_designer_qt.ui.forms.leaves import YamlEditor
from dagster_designer_qt.ui.forms.row import FieldRow

TYPES = {
    "dagster_dbt.DbtProjectComponent": ("dagster_dbt", "DbtProjectComponent"),
    "dagster_dbt.DbtCloudComponent": ("dagster_dbt", "DbtCloudComponent"),
    "dagster_sling.SlingReplicationCollectionComponent": ("dagster_sling", "SlingReplicationCollectionComponent"),
    "dagster_fivetran.FivetranAccountComponent": ("dagster_fivetran", "FivetranAccountComponent"),
    "dagster.PythonScriptComponent": ("dagster", "PythonScriptComponent"),
    "dagster.FunctionComponent": ("dagster", "FunctionComponent"),
    "dagster.TemplatedSqlComponent": ("dagster", "TemplatedSqlComponent"),
    "dagster.UvRunComponent": ("dagster", "UvRunComponent"),
    "dagster.DefinitionsComponent": ("dagster", "DefinitionsComponent"),
    "dagster.DefsFolderComponent": ("dagster", "DefsFolderComponent"),
}


@lru_cache(maxsize=None)
def model(component_type: str):
    module, name = TYPES[component_type]
    return getattr(importlib.import_module(module), name).get_model_cls()


def schema(component_type: str) -> dict:
    return model(component_type).model_json_schema()


def type_into(qtbot, row: FieldRow, text: str) -> None:
    editor = row.editor() if row.mode() == "value" else None
    target = row.template_edit() if row.mode() == "template" else editor.focusProxy() or editor
    target.clear()
    qtbot.keyClicks(target, text)


def expand(row: FieldRow):
    row.set_expanded(True)
    return row.editor()


@pytest.mark.parametrize("component_type", sorted(TYPES))
def test_form_builds_for_full_schema_without_top_level_fallback(qtbot, component_type):
    form = build_form(schema(component_type), FormContext(component_type=component_type))
    qtbot.addWidget(form)
    form.set_value({})
    assert form.value() == {}
    for name, row in form.rows.items():
        assert row.field.kind != "yaml", name
        if row.field.is_container:
            row.set_expanded(True)  # lazily built groups build too
            assert row.mode() in ("value", "template")
            assert not isinstance(row.editor() or row.template_edit(), YamlEditor)


def _fill_required(qtbot, form, component_type):
    """Drive the widgets for each type's required fields (and a few optional ones)."""
    if component_type == "dagster_dbt.DbtProjectComponent":
        type_into(qtbot, form.rows["project"], "{{ context.project_root }}/dbt")
        type_into(qtbot, form.rows["select"], "tag:daily")
        qtbot.mouseClick(expand(form.rows["include_metadata"]).boxes[1], Qt.MouseButton.LeftButton)
    elif component_type == "dagster_dbt.DbtCloudComponent":
        ws = expand(form.rows["workspace"])
        ws.rows["account_id"].mode_button.click()  # Template mode
        type_into(qtbot, ws.rows["account_id"], "{{ env('DBT_ACCOUNT') }}")
        assert ws.value()["account_id"] == "{{ env('DBT_ACCOUNT') }}"
        ws.rows["account_id"].mode_button.click()  # back to Value mode: an integer
        ws.rows["account_id"].editor().spin.setValue(12)
        ws.rows["project_id"].editor().spin.setValue(3)
        ws.rows["environment_id"].editor().spin.setValue(4)
        ws.rows["token"].mode_button.click()  # secret: fills the env template
    elif component_type == "dagster_sling.SlingReplicationCollectionComponent":
        reps = expand(form.rows["replications"])
        qtbot.mouseClick(reps.add_button, Qt.MouseButton.LeftButton)
        item = reps.items[0].editor()
        type_into(qtbot, item.rows["path"], "replication.yaml")
        conns = expand(form.rows["connections"])
        qtbot.mouseClick(conns.add_button, Qt.MouseButton.LeftButton)
        conn = conns.entries[0][1].editor()
        type_into(qtbot, conn.rows["type"], "duckdb")
    elif component_type == "dagster_fivetran.FivetranAccountComponent":
        ws = expand(form.rows["workspace"])
        type_into(qtbot, ws.rows["account_id"], "acc")
        ws.rows["api_key"].mode_button.click()
        ws.rows["api_secret"].mode_button.click()
        ws.rows["request_max_retries"].editor().spin.setValue(5)
    elif component_type in ("dagster.PythonScriptComponent", "dagster.UvRunComponent"):
        ex = expand(form.rows["execution"])
        type_into(qtbot, ex.rows["path"], "script.py")
        assets = expand(form.rows["assets"])
        qtbot.mouseClick(assets.add_button, Qt.MouseButton.LeftButton)
        type_into(qtbot, assets.items[0].editor().rows["key"], "my_asset")
    elif component_type == "dagster.FunctionComponent":
        ex = expand(form.rows["execution"])
        type_into(qtbot, ex.rows["fn"], ".mod.fn")
    elif component_type == "dagster.TemplatedSqlComponent":
        type_into(qtbot, form.rows["connection"], "{{ context.load_component('conn') }}")
        sql = form.rows["sql_template"]
        if sql.mode() != "template":
            sql.mode_button.click()
        type_into(qtbot, sql, "SELECT 1")
    elif component_type == "dagster.DefinitionsComponent":
        type_into(qtbot, form.rows["path"], "defs.py")


@pytest.mark.parametrize("component_type", sorted(TYPES))
def test_values_set_through_widgets_validate_with_the_real_model(qtbot, component_type):
    form = build_form(schema(component_type), FormContext(component_type=component_type))
    qtbot.addWidget(form)
    form.set_value({})
    edits = []
    form.value_edited.connect(lambda p, m: edits.append(p))
    _fill_required(qtbot, form, component_type)
    attributes = form.value()
    model(component_type).model_validate(attributes)
    if component_type not in ("dagster.DefsFolderComponent",):
        assert edits and attributes
    # a freshly built form shows the same attributes back
    again = build_form(schema(component_type))
    qtbot.addWidget(again)
    again.set_value(attributes)
    assert again.value() == attributes


def test_clearing_removes_key_and_unset_values_stay_out(qtbot):
    form = build_form(schema("dagster_dbt.DbtProjectComponent"))
    qtbot.addWidget(form)
    form.set_value({"project": "p", "select": "x"})
    form.rows["select"].clear()
    assert form.value() == {"project": "p"}
    type_into(qtbot, form.rows["exclude"], "a")
    form.rows["exclude"].editor().edit.clear()
    form.rows["exclude"].editor().edit.textEdited.emit("")
    assert "exclude" not in form.value()


def test_value_the_form_cannot_show_falls_back_to_yaml_without_losing_it(qtbot):
    form = build_form(schema("dagster.PythonScriptComponent"))
    qtbot.addWidget(form)
    odd = {"execution": {"path": "s.py"}, "assets": [{"key": "a", "deps": {"weird": 1}}], "unknown": [1, 2]}
    form.set_value(odd)
    assert form.value() == odd
    deps = form.rows["assets"].editor().items[0].editor().rows["deps"]
    assert deps.mode() == "yaml"


def test_yaml_editor_validates_as_you_type(qtbot):
    form = build_form(schema("dagster.PythonScriptComponent"))
    qtbot.addWidget(form)
    form.set_value({"execution": {"path": "s.py"}, "zzz": {"a": 1}})
    extra = form._extra_row.editor()
    assert isinstance(extra, YamlEditor)
    extra.edit.setPlainText("zzz: [unclosed")
    assert not extra.is_valid() and form.value()["zzz"] == {"a": 1}
    extra.edit.setPlainText("zzz: 2")
    assert extra.is_valid() and form.value()["zzz"] == 2


def test_defaults_are_placeholders_and_hidden_fields_hidden(qtbot):
    form = build_form(schema("dagster_fivetran.FivetranAccountComponent"))
    qtbot.addWidget(form)
    form.set_value({"defs_state": {"management_type": "LOCAL_FILESYSTEM"}})
    assert "defs_state" not in form.rows
    assert form.value() == {"defs_state": {"management_type": "LOCAL_FILESYSTEM"}}  # kept, not shown
    ws = expand(form.rows["workspace"])
    assert ws.rows["request_max_retries"].editor().spin.specialValueText() == "default: 3"
    assert ws.rows["request_max_retries"].value() is UNSET


def test_bounds_from_schema(qtbot):
    fld = parse_schema(schema("dagster_dbt.DbtCloudComponent")).property("workspace").property("adhoc_job_pool_size")
    from dagster_designer_qt.ui.forms.factory import create_editor

    editor = create_editor(fld, FormContext())
    qtbot.addWidget(editor)
    assert editor.spin.minimum() == 0 and editor.value() is UNSET  # 0 = "not set", 1 is the lowest value
    editor.spin.setValue(1)
    assert editor.value() == 1
