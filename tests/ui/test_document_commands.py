"""Every undo command: do, undo -> the project dict before; redo -> the project dict after."""

import copy

import pytest

from dagster_designer_qt.core import fileformat
from dagster_designer_qt.core.errors import CycleError, DuplicateEdgeError, ProjectFileError, SelfLoopError
from dagster_designer_qt.ui.document import ProjectDocument


def snapshot(doc):
    return copy.deepcopy(fileformat.project_to_dict(doc.project))


@pytest.fixture
def doc(qapp):
    d = ProjectDocument()
    a = d.add_node("dagster.PythonScriptComponent", 0, 0, label="Extract")
    b = d.add_node("dagster.PythonScriptComponent", 200, 0, label="Load")
    c = d.add_node("dagster_dbt.DbtProjectComponent", 400, 0, label="Transform",
                   attributes={"project": "dbt"})
    d.connect(a, b)
    d.connect(b, c)
    d.undo_stack.setClean()
    d.ids = (a, b, c)
    return d


def check_undo_redo(doc, action):
    doc.undo_stack.setClean()
    before = snapshot(doc)
    count = doc.undo_stack.count()
    action()
    after = snapshot(doc)
    assert after != before
    assert doc.undo_stack.count() == count + 1, "one edit = one undo step"
    assert doc.is_modified()
    doc.undo_stack.undo()
    assert snapshot(doc) == before
    assert not doc.is_modified()
    doc.undo_stack.redo()
    assert snapshot(doc) == after


def test_add_node(doc):
    check_undo_redo(doc, lambda: doc.add_node("dagster.FunctionComponent", 5, 5))


def test_delete_node_with_edges_restores_order(doc):
    a, b, c = doc.ids
    check_undo_redo(doc, lambda: doc.delete([b]))
    assert doc.graph.edge_count() == 0


def test_delete_many(doc):
    a, b, c = doc.ids
    edge = doc.graph.find_edge(b, c).id
    check_undo_redo(doc, lambda: doc.delete([a], [edge]))


def test_move_is_one_step(doc):
    a, b, c = doc.ids
    check_undo_redo(doc, lambda: doc.move_nodes({a: (10, 20), b: (30, 40)}))


def test_nudges_merge(doc):
    a, b, c = doc.ids
    before = snapshot(doc)
    doc.move_nodes({a: (1, 0)}, nudge=True)
    doc.move_nodes({a: (2, 0)}, nudge=True)
    doc.move_nodes({a: (3, 0)}, nudge=True)
    assert doc.undo_stack.count() == 6
    doc.undo_stack.undo()
    assert snapshot(doc) == before


def test_connect_and_disconnect(doc):
    a, b, c = doc.ids
    check_undo_redo(doc, lambda: doc.connect(a, c))
    edge = doc.graph.find_edge(a, b).id
    check_undo_redo(doc, lambda: doc.disconnect([edge]))


@pytest.mark.parametrize("pair,error", [((2, 0), CycleError), ((0, 0), SelfLoopError), ((0, 1), DuplicateEdgeError)])
def test_rejected_connections_push_nothing(doc, pair, error):
    before = snapshot(doc)
    with pytest.raises(error):
        doc.connect(doc.ids[pair[0]], doc.ids[pair[1]])
    assert snapshot(doc) == before
    assert not doc.is_modified()


def test_rename(doc):
    check_undo_redo(doc, lambda: doc.rename(doc.ids[0], "Ingest"))


def test_typing_merges_into_one_step(doc):
    a = doc.ids[2]
    before = snapshot(doc)
    for text in ("d", "db", "dbt_"):
        doc.set_attributes(a, {"project": text}, merge_key="project")
    assert doc.undo_stack.count() == 6
    doc.undo_stack.undo()
    assert snapshot(doc) == before


def test_set_translation_and_project_meta(doc):
    check_undo_redo(doc, lambda: doc.set_node_field(doc.ids[2], "translation", {"group_name": "g"}))
    check_undo_redo(doc, lambda: doc.set_project_meta("description", "New"))


def test_a_change_python_calls_equal_is_an_edit(doc):
    """1 -> true -> 1.0 are three different YAML values (Python says 1 == True == 1.0): each is an undo step
    that undoes to the exact value before; a merged step that ends where it started is dropped."""
    a = doc.ids[2]

    def threads():
        value = doc.graph.node(a).attributes["threads"]
        return type(value), value

    doc.set_attributes(a, {"project": "dbt", "threads": 1})
    count = doc.undo_stack.count()
    doc.set_attributes(a, {"project": "dbt", "threads": True})
    doc.set_attributes(a, {"project": "dbt", "threads": 1.0})
    assert doc.undo_stack.count() == count + 2 and threads() == (float, 1.0)
    doc.undo_stack.undo()
    assert threads() == (bool, True)
    doc.undo_stack.undo()
    assert threads() == (int, 1)
    doc.set_attributes(a, {"project": "dbt", "threads": True}, merge_key="threads")
    doc.set_attributes(a, {"project": "dbt", "threads": 1}, merge_key="threads")  # typed back: no step left
    assert doc.undo_stack.count() == count and threads() == (int, 1)


def test_no_op_edit_pushes_nothing(doc):
    doc.rename(doc.ids[0], "Extract")
    doc.move_nodes({doc.ids[0]: (0, 0)})
    assert doc.undo_stack.count() == 5


def test_paste_keeps_internal_edges_with_new_ids(doc):
    a, b, c = doc.ids
    payload = doc.copy_payload([a, b])
    assert len(payload["edges"]) == 1
    new_ids = []
    check_undo_redo(doc, lambda: new_ids.extend(doc.paste(payload)))
    assert len(new_ids) == 2 and not set(new_ids) & {a, b, c}
    na, nb = (doc.graph.node(i) for i in new_ids)
    assert (na.x, na.y) == (40, 40)
    assert na.label == "Extract 2"
    assert doc.graph.find_edge(na.id, nb.id) is not None


def test_duplicate_and_cut(doc):
    a, b, c = doc.ids
    check_undo_redo(doc, lambda: doc.duplicate([c]))
    check_undo_redo(doc, lambda: doc.cut([a]))


def test_paste_refuses_foreign_payload(doc):
    with pytest.raises(ProjectFileError):
        doc.paste({"kind": "something else"})


def test_save_marks_clean_and_open_resets(doc, tmp_path):
    doc.rename(doc.ids[0], "X")
    assert doc.is_modified()
    path = doc.save(tmp_path / "p.ddp.json")
    assert not doc.is_modified()
    other = ProjectDocument()
    other.open(path)
    assert snapshot(other)["graph"] == snapshot(doc)["graph"]
    assert other.undo_stack.count() == 0


def test_open_bad_file_changes_nothing(doc, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("[]")
    before = snapshot(doc)
    with pytest.raises(ProjectFileError):
        doc.open(bad)
    assert snapshot(doc) == before


def test_selection_forgets_deleted_nodes(doc):
    a, b, c = doc.ids
    seen = []
    doc.selection_changed.connect(seen.append)
    doc.set_selection([a, b])
    doc.delete([a])
    assert doc.selection() == [b]
    assert seen[-1] == [b]


def test_new_node_starts_from_its_scaffold_template(doc):
    node_id = doc.add_node("dagster.PythonScriptComponent", label="Clean Orders")
    node = doc.graph.node(node_id)
    assert node.attributes["execution"] == {"path": "script.py"}
    assert node.attributes["assets"] == [{"key": "clean_orders"}]
    assert "script.py" in node.files
    bare = doc.graph.node(doc.add_node("dagster.PythonScriptComponent", template=False))
    assert bare.attributes == {} and bare.files is None
