"""PropertyPanel + ValidationRunner + ProblemsPanel with a real ProjectDocument: edits become undo commands,
typing merges, undo refreshes the form, selection switches don't leak, problems land at the field."""

from __future__ import annotations

import importlib
from functools import lru_cache
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from dagster_designer_qt.services.registry import ComponentInfo
from dagster_designer_qt.ui.document import ProjectDocument
from dagster_designer_qt.ui.panels.problems_panel import ProblemsPanel
from dagster_designer_qt.ui.panels.property_panel import PropertyPanel
from dagster_designer_qt.ui.validation_runner import ValidationRunner

TYPES = {
    "dagster_dbt.DbtProjectComponent": ("dagster_dbt", "DbtProjectComponent"),
    "dagster_sling.SlingReplicationCollectionComponent": ("dagster_sling", "SlingReplicationCollectionComponent"),
    "dagster_fivetran.FivetranAccountComponent": ("dagster_fivetran", "FivetranAccountComponent"),
    "dagster.PythonScriptComponent": ("dagster", "PythonScriptComponent"),
}


@lru_cache(maxsize=None)
def _schema(component_type: str) -> dict:
    module, name = TYPES[component_type]
    return getattr(importlib.import_module(module), name).get_model_cls().model_json_schema()


class FakeRegistry:
    def get(self, component_type):
        if component_type not in TYPES:
            return None
        module, name = TYPES[component_type]
        return ComponentInfo(type=component_type, name=name, module=module, schema=_schema(component_type))

    def is_loaded(self):
        return True

    def post_processing_schema(self):
        from dagster.components.core.defs_module import ComponentPostProcessingModel

        return ComponentPostProcessingModel.model().model_json_schema()


@pytest.fixture
def setup(qtbot, tmp_path):
    context = SimpleNamespace(registry=FakeRegistry(),
                              settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    doc = ProjectDocument()
    dbt = doc.add_node("dagster_dbt.DbtProjectComponent", attributes={"project": "proj"})
    sling = doc.add_node("dagster_sling.SlingReplicationCollectionComponent",
                         attributes={"connections": {"PG": {"type": "postgres"}, "DUCK": {"type": "duckdb"}},
                                     "replications": [{"path": "a.yaml"}, {"path": "b.yaml"}]})
    script = doc.add_node("dagster.PythonScriptComponent", attributes={"execution": {"path": "s.py"}})
    doc.undo_stack.clear()
    runner = ValidationRunner(doc, context, debounce_ms=10)
    panel = PropertyPanel(doc, context, runner)
    qtbot.addWidget(panel)
    panel.resize(500, 700)
    yield SimpleNamespace(doc=doc, panel=panel, runner=runner, dbt=dbt, sling=sling, script=script, ctx=context)
    runner.close()


def attrs(s, node_id):
    return s.doc.graph.node(node_id).attributes


def test_typing_in_one_field_is_one_undo_step(qtbot, setup):
    s = setup
    s.doc.set_selection([s.dbt])
    row = s.panel.row("select")
    qtbot.keyClicks(row.editor().edit, "tag:x")
    assert attrs(s, s.dbt) == {"project": "proj", "select": "tag:x"}
    assert s.doc.undo_stack.count() == 1
    s.doc.undo_stack.undo()
    assert attrs(s, s.dbt) == {"project": "proj"}
    assert s.panel.row("select").editor().edit.text() == ""  # undo updated the visible form
    assert s.doc.undo_stack.count() == 1  # the refresh pushed nothing


def test_clearing_removes_the_key_and_undo_restores(qtbot, setup):
    s = setup
    s.doc.set_attributes(s.dbt, {"project": "proj", "exclude": "tag:skip"})
    s.doc.set_selection([s.dbt])
    s.panel.row("exclude").reset_button.click()
    assert "exclude" not in attrs(s, s.dbt)
    s.doc.undo_stack.undo()
    assert attrs(s, s.dbt)["exclude"] == "tag:skip"
    assert s.panel.row("exclude").editor().edit.text() == "tag:skip"


def test_template_toggle_and_undo(qtbot, setup):
    s = setup
    s.doc.set_attributes(s.dbt, {"project": "proj", "prepare_if_dev": False})
    s.doc.set_selection([s.dbt])
    row = s.panel.row("prepare_if_dev")
    before = s.doc.undo_stack.count()
    row.mode_button.click()  # -> Template: the bool is set aside
    assert row.mode() == "template" and "prepare_if_dev" not in attrs(s, s.dbt)
    qtbot.keyClicks(row.template_edit(), "{{ env('PREP') }}")
    assert attrs(s, s.dbt)["prepare_if_dev"] == "{{ env('PREP') }}"
    s.doc.undo_stack.undo()
    s.doc.undo_stack.undo()
    assert attrs(s, s.dbt)["prepare_if_dev"] is False
    assert s.panel.row("prepare_if_dev").mode() == "value"
    assert s.doc.undo_stack.index() == before


def test_variant_switch_keeps_shared_values_and_undoes(qtbot, setup):
    s = setup
    s.doc.set_attributes(s.dbt, {"project": {"project_dir": "d", "profile": "p", "target": "t"}})
    s.doc.set_selection([s.dbt])
    row = s.panel.row("project")
    union = row.editor()
    assert union.variant_index() == 0
    union.switch_to(1)  # Remote Git: keeps profile/target, drops project_dir
    assert attrs(s, s.dbt)["project"] == {"profile": "p", "target": "t"}
    s.doc.undo_stack.undo()
    assert attrs(s, s.dbt)["project"] == {"project_dir": "d", "profile": "p", "target": "t"}
    assert s.panel.row("project").editor().variant_index() == 0


def test_map_rename_keeps_order_validates_keys_and_undoes(qtbot, setup):
    s = setup
    s.doc.set_selection([s.sling])
    conns = s.panel.row("connections").editor()
    assert conns.key_error("DUCK", "PG")  # duplicate
    assert conns.key_error("", "PG") and conns.key_error(" x", "PG")
    key_edit = conns.entries[0][0]
    key_edit.setText("DUCK")
    key_edit.editingFinished.emit()
    assert list(attrs(s, s.sling)["connections"]) == ["PG", "DUCK"]  # invalid key not committed
    key_edit.setText("POSTGRES")
    key_edit.editingFinished.emit()
    assert list(attrs(s, s.sling)["connections"]) == ["POSTGRES", "DUCK"]
    s.doc.undo_stack.undo()
    assert list(attrs(s, s.sling)["connections"]) == ["PG", "DUCK"]
    assert [conns_key.text() for conns_key, _r in s.panel.row("connections").editor().entries] == ["PG", "DUCK"]


def test_list_reorder_add_remove_and_undo(qtbot, setup):
    s = setup
    s.doc.set_selection([s.sling])
    reps = s.panel.row("replications").editor()
    reps.move_item(1, 0)
    assert [r["path"] for r in attrs(s, s.sling)["replications"]] == ["b.yaml", "a.yaml"]
    qtbot.mouseClick(s.panel.row("replications").editor().add_button, Qt.MouseButton.LeftButton)
    assert len(attrs(s, s.sling)["replications"]) == 3
    s.panel.row("replications").editor().remove_item(2)
    s.doc.undo_stack.undo()
    s.doc.undo_stack.undo()
    s.doc.undo_stack.undo()
    assert [r["path"] for r in attrs(s, s.sling)["replications"]] == ["a.yaml", "b.yaml"]
    assert [r.value()["path"] for r in s.panel.row("replications").editor().items] == ["a.yaml", "b.yaml"]


def test_selection_switch_never_leaks_values(qtbot, setup):
    s = setup
    s.doc.set_selection([s.dbt])
    qtbot.keyClicks(s.panel.row("select").editor().edit, "x")
    s.doc.set_selection([s.script])
    assert s.panel.row("select") is None
    assert attrs(s, s.script) == {"execution": {"path": "s.py"}}
    s.doc.set_selection([s.dbt])
    assert s.panel.row("select").editor().edit.text() == "x"
    assert attrs(s, s.dbt) == {"project": "proj", "select": "x"}


def test_label_rename_merges_and_warns_about_duplicates(qtbot, setup):
    s = setup
    s.doc.set_selection([s.dbt])
    s.panel.label_edit.clear()
    s.panel.label_edit.textEdited.emit("")
    qtbot.keyClicks(s.panel.label_edit, "Python Script")  # the other node's default (friendly) label
    assert s.doc.graph.node(s.dbt).label == "Python Script"
    assert not s.panel.label_hint.isHidden() and "already" in s.panel.label_hint.text()


def test_project_settings_when_nothing_selected(qtbot, setup):
    s = setup
    s.doc.set_selection([])
    assert s.panel.mode == "project"
    qtbot.keyClicks(s.panel.meta_edits["git_branch"], "-dev")
    assert s.doc.project.git_branch == "main-dev"
    assert s.doc.undo_stack.count() == 1
    s.doc.undo_stack.undo()
    assert s.panel.meta_edits["git_branch"].text() == "main"


def test_opening_another_project_shows_its_settings_in_the_project_form(qtbot, setup):
    """The project form stays (no new widgets) when another project replaces the shown one: its fields
    show the new project's values, and typing in them edits the new project, not the old one."""
    from dagster_designer_qt.core.model import Project

    s = setup
    s.doc.set_selection([])
    old_project = s.doc.project
    name_edit = s.panel.meta_edits["name"]
    qtbot.keyClicks(s.panel.meta_edits["description"], "old words")
    qtbot.keyClicks(s.panel.meta_edits["git_branch"], "-dev")
    other = Project("other")
    other.description = "A long description of the other project"
    other.git_branch = "main-dev"  # the text the field already shows
    s.doc.replace_project(other, None)
    assert s.panel.mode == "project"
    assert s.panel.meta_edits["name"] is name_edit  # filled in place
    assert name_edit.text() == "other"
    assert s.panel.meta_edits["description"].text() == "A long description of the other project"
    assert s.panel.meta_edits["description"].cursorPosition() == 0
    assert s.panel.meta_edits["git_repo"].text() == ""
    assert s.panel.meta_edits["git_branch"].text() == "main-dev"
    # the field's own undo (Ctrl+Z while typing in it) must not bring back the old project's typing
    assert not any(edit.isUndoAvailable() for edit in s.panel.meta_edits.values())
    assert s.doc.undo_stack.count() == 0  # showing values is not an edit
    qtbot.keyClicks(s.panel.meta_edits["git_branch"], "-2")
    assert other.git_branch == "main-dev-2"
    assert old_project.git_branch == "main-dev"
    s.doc.undo_stack.undo()
    assert s.panel.meta_edits["git_branch"].text() == "main-dev"


def test_multi_selection_summary(qtbot, setup):
    s = setup
    s.doc.set_selection([s.dbt, s.sling])
    assert s.panel.mode == "multi"
    assert "2 nodes selected" in s.panel.heading.text()


def test_post_processing_and_files(qtbot, setup):
    s = setup
    s.doc.set_selection([s.script])
    assert not s.panel.files_editor.template_button.isHidden()
    s.panel.files_editor.add_template_files()
    assert "script.py" in s.doc.graph.node(s.script).files
    edit = s.panel.files_editor.edits["script.py"]
    qtbot.keyClicks(edit, "#")
    qtbot.keyClicks(edit, "!")
    assert s.doc.undo_stack.count() == 2  # add + one merged edit
    pp = s.panel.post_processing_row
    pp.set_expanded(True)
    assets = pp.editor().rows["assets"]
    assets.set_expanded(True)
    assets.editor().add_item()
    node = s.doc.graph.node(s.script)
    assert node.post_processing == {"assets": [{"target": ""}]} or "assets" in node.post_processing
    assert "post_processing" not in node.attributes


def test_post_processing_without_a_schema_is_edited_as_yaml(qtbot, setup):
    s = setup
    s.ctx.registry.post_processing_schema = lambda: None  # e.g. a Dagster without the model
    s.doc.set_node_field(s.script, "post_processing", {"assets": [{"target": "*", "attributes": {}}]})
    s.doc.set_selection([s.script])
    s.panel.rebuild()
    row = s.panel.post_processing_row
    assert row.field.kind == "any"
    assert s.doc.graph.node(s.script).post_processing == {"assets": [{"target": "*", "attributes": {}}]}


def test_validation_messages_at_the_right_field_and_problems_panel(qtbot, setup):
    s = setup
    s.doc.set_attributes(s.script, {"execution": {"path": "s.py"}, "assets": [{"key": "a", "deps": 3}]})
    s.doc.set_selection([s.script])
    problems = ProblemsPanel(s.doc, s.runner)
    qtbot.addWidget(problems)
    with qtbot.waitSignal(s.runner.problems_changed, timeout=30000,
                          check_params_cb=lambda d: s.script in d):
        s.runner.validate_now()
    found = s.runner.problems_for(s.script)
    assert any(p.path[:2] == ("assets", 0) for p in found), found
    assert problems.problem_count() >= 1
    assets = s.panel.row("assets")
    assets.set_expanded(True)
    item = s.panel.row("assets", 0)
    item.set_expanded(True)
    deps_row = s.panel.row("assets", 0, "deps")
    assert deps_row.problem_text(), "the message is shown next to the field"
    # double-click in Problems: the node gets selected and the field focused
    activated = []
    problems.problem_activated.connect(lambda n, p: activated.append((n, p)))
    s.doc.set_selection([s.dbt])
    problems.problem_activated.connect(s.panel.focus_field)
    s.panel.show()
    qtbot.waitExposed(s.panel)
    problems.activated.emit(problems.model().index(0, 0))  # what a double-click or Enter emits
    assert activated and activated[0][0] == s.script
    assert s.doc.selection() == [s.script]
    s.panel.activateWindow()
    focus = QApplication.focusWidget() or s.panel.focusWidget()
    deps_row = s.panel.row("assets", 0, "deps")
    assert focus is not None and deps_row.isAncestorOf(focus), focus


def test_literal_secret_warns_at_the_field(qtbot, setup):
    s = setup
    node = s.doc.add_node("dagster_fivetran.FivetranAccountComponent",
                          attributes={"workspace": {"account_id": "a", "api_key": "plain", "api_secret": "{{ env('S') }}"}})
    s.doc.set_selection([node])
    with qtbot.waitSignal(s.runner.problems_changed, timeout=30000,
                          check_params_cb=lambda d: node in d):
        s.runner.validate_now()
    codes = {(p.path, p.code) for p in s.runner.problems_for(node)}
    assert (("workspace", "api_key"), "literal-secret") in codes
    assert "secret" in s.panel.row("workspace", "api_key").problem_text()
    assert not s.panel.row("workspace", "api_secret").problem_text()


def test_stale_results_are_discarded(qtbot, setup):
    s = setup
    s.runner._generation = 5
    s.runner._on_finished(4, {"x": []})
    assert s.runner.problems() != {"x": []}


def test_problems_never_saved(qtbot, setup, tmp_path):
    s = setup
    s.doc.set_attributes(s.script, dict(attrs(s, s.script), password="plain-text-secret"))
    with qtbot.waitSignal(s.runner.finished, timeout=30000):
        s.runner.validate_now()
    assert any(p.code == "literal-secret" for p in s.runner.problems().get(s.script, []))  # there is one
    path = s.doc.save(tmp_path / "p.json")
    text = path.read_text()
    assert "plain-text-secret" in text  # the user's data is saved...
    assert "literal-secret" not in text and "problems" not in text  # ...the problems about it are not
