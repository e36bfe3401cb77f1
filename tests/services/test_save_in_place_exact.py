"""Saving in place changes only a changed value's characters, like a code editor (issue 12, item 1).

One hand-written project with values in every common style (plain with a comment spaced out, 'single'
and "double" quoted, flow lists and flow mappings, block lists, 4-space indentation, a second document
of a multi-document file, CRLF line ends). All edits are made and saved once per module; each test checks
one file byte for byte, and Dagster loads the saved project once.
"""

from __future__ import annotations

import copy
import difflib
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import real_projects  # noqa: E402

from dagster_designer_qt.core.model import Node  # noqa: E402
from dagster_designer_qt.core.scaffold_templates import templates_for  # noqa: E402
from dagster_designer_qt.services.importer import import_project  # noqa: E402
from dagster_designer_qt.services.save_in_place import patch_document, save_in_place  # noqa: E402
from dagster_designer_qt.services.save_preview import CHANGED, NEW, REMOVED, preview_save  # noqa: E402
from dagster_designer_qt.services.project_reader import load_chunk  # noqa: E402
from dagster_designer_qt.services.value_splice import splice_values  # noqa: E402

DEFS = "src/exact/defs"

FILES = {
    "plain/defs.yaml": (
        "# plain values, comments spaced by hand\n"
        "type: dagster.PythonScriptComponent\n"
        "attributes:\n"
        "  execution:\n"
        "    path: run.py        # the script beside this file\n"
        "  assets:\n"
        "    - key: plain_orders   # the table\n"
        "      description: Orders   # what it is\n"
        "      kinds: [python,   duckdb]    # spaced by hand\n"
        "      metadata: {rows: 3,  tier: gold}   # flow mapping\n"),
    "quoted/defs.yaml": (
        "type: 'dagster.PythonScriptComponent'\n"
        "attributes:\n"
        "    execution:\n"
        "        path: \"quoted.py\"\n"
        "    assets:\n"
        "        -   key: 'quoted_orders'\n"
        "            description: 'The orders'     # single quoted\n"
        "            group_name: \"sales\"   # double quoted\n"
        "            owners:\n"
        "              - \"team:data\"   # block list\n"
        "              - alice@example.com\n"),
    "multi/defs.yml": (
        "type: dagster.PythonScriptComponent\r\n"
        "attributes:\r\n"
        "  execution: {path: first.py}\r\n"
        "  assets: [{key: first_doc}]\r\n"
        "---\r\n"
        "# the second document, CRLF line ends\r\n"
        "type: dagster.PythonScriptComponent\r\n"
        "attributes:\r\n"
        "  execution:\r\n"
        "    path: second.py\r\n"
        "  assets:\r\n"
        "  - key: second_doc\r\n"
        "    description: Second    #  kept\r\n"),
}


def _edit(label, change):
    def apply(project):
        node = next(n for n in project.graph.iter_nodes() if n.label == label)
        attrs = copy.deepcopy(node.attributes)
        change(attrs)
        project.graph.set_node_field(node.id, "attributes", attrs)
    return apply


def _set(path, value):
    def change(attrs):
        target = attrs
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
    return change


# file -> (edit, [(old bytes, new bytes) in the order they appear in the file])
EDITS = {
    "plain/defs.yaml": (_edit("plain", lambda a: (
        _set(("execution", "path"), "other.py")(a),
        _set(("assets", 0, "kinds", 1), "snowflake")(a),
        _set(("assets", 0, "metadata", "rows"), 12)(a))), [
        (b"path: run.py        #", b"path: other.py        #"),
        (b"[python,   duckdb]    #", b"[python,   snowflake]    #"),
        (b"{rows: 3,  tier", b"{rows: 12,  tier")]),
    "quoted/defs.yaml": (_edit("quoted", lambda a: (
        _set(("assets", 0, "description"), "Orders: it's all here")(a),
        _set(("assets", 0, "group_name"), "shop")(a),
        _set(("assets", 0, "owners", 0), "team:ml")(a))), [
        (b"description: 'The orders'     #", b"description: 'Orders: it''s all here'     #"),
        (b"group_name: \"sales\"   #", b"group_name: \"shop\"   #"),
        (b"- \"team:data\"   #", b"- \"team:ml\"   #")]),
    "multi/defs.yml": (_edit("multi 2", _set(("assets", 0, "description"), "Now: quoted")), [
        (b"description: Second    #  kept\r\n", b"description: 'Now: quoted'    #  kept\r\n")]),
}


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    root = tmp_path_factory.mktemp("exact") / "exact"
    real_projects.w(root / "pyproject.toml", """
        [project]
        name = "exact"
        version = "0.1.0"
        dependencies = ["dagster"]

        [tool.dg]
        directory_type = "project"

        [tool.dg.project]
        root_module = "exact"
        """)
    (root / "src/exact/defs").mkdir(parents=True)
    (root / "src/exact/__init__.py").write_text("")
    for rel, text in FILES.items():
        path = root / DEFS / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode())
        for script in ("run.py", "other.py", "quoted.py", "first.py", "second.py"):  # op names: the stems
            (path.parent / script).write_text("print('hi')\n")
    before = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    result = import_project(root)
    assert result.problems == []
    for edit, _changes in EDITS.values():
        edit(result.project)
    for i in range(2):  # two new nodes as the palette makes them: both run script.py (op "script")
        template = templates_for("dagster.PythonScriptComponent")
        template.attributes["assets"][0]["key"] = f"new_{i}"
        result.project.graph.add_node(Node(id=f"new{i}", component_type="dagster.PythonScriptComponent",
                                           label="script", attributes=template.attributes,
                                           files=template.files))
    plan = save_in_place(result.project)
    assert not save_in_place(result.project).changed  # the op names written are the files' own now
    after = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    return root, before, after, plan


@pytest.mark.parametrize("rel", sorted(EDITS))
def test_a_changed_value_changes_only_its_characters(saved, rel):
    _root, before, after, _plan = saved
    old, new = before[f"{DEFS}/{rel}"], after[f"{DEFS}/{rel}"]
    expected = old
    for was, now in EDITS[rel][1]:
        assert expected.count(was) == 1
        expected = expected.replace(was, now)
    assert new == expected
    # difflib on the bytes: the changed spans are inside the values' own spans, nothing around them
    changed = [(old[i1:i2], new[j1:j2]) for tag, i1, i2, j1, j2 in
               difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes() if tag != "equal"]
    assert changed and all(b"#" not in a + b and b"\n" not in a + b and b"  " not in a + b for a, b in changed)


NEW_FILES = [f"{DEFS}/script/defs.yaml", f"{DEFS}/script/script.py", f"{DEFS}/script_2/defs.yaml",
       f"{DEFS}/script_2/script.py"]


def test_only_the_edited_files_and_the_new_folders_are_written(saved):
    _root, before, after, plan = saved
    assert sorted(plan.write) == sorted([f"{DEFS}/{rel}" for rel in EDITS] + NEW_FILES)
    assert set(NEW_FILES) <= set(after)
    assert {k: v for k, v in after.items() if k.removeprefix(DEFS + "/") not in EDITS and k not in NEW_FILES} == {
        k: v for k, v in before.items() if k.removeprefix(DEFS + "/") not in EDITS}


def test_new_nodes_get_unique_op_names_by_exports_rule(saved):
    root = saved[0]
    names = [yaml.safe_load((root / rel).read_text())["attributes"]["execution"].get("name")
             for rel in NEW_FILES if rel.endswith("defs.yaml")]
    assert len(set(names)) == 2 and None not in names


def test_dagster_loads_the_saved_project_with_the_new_values(saved):
    root = saved[0]
    assets = real_projects.summary(root)["assets"]  # two ops named "script" would fail to load
    assert {"new_0", "new_1"} <= set(assets)
    assert assets["plain_orders"]["kinds"] == ["python", "snowflake"]
    assert assets["quoted_orders"]["description"] == "Orders: it's all here"
    assert assets["quoted_orders"]["group"] == "shop"
    assert assets["quoted_orders"]["owners"] == ["alice@example.com", "team:ml"]
    assert assets["second_doc"]["description"] == "Now: quoted"
    assert assets["first_doc"]["description"] is None


@pytest.mark.parametrize("text, path, value, spliced", [
    ("a: 2   # c\n", ("a",), True, "a: true   # c\n"),  # int -> bool: plain
    ("a: '1'   # c\n", ("a",), 2, "a: 2   # c\n"),  # quoted string -> int: plain
    ("a: x   # c\n", ("a",), "yes", "a: 'yes'   # c\n"),  # would read as a bool: quoted
    ("a: [x,  y]  # c\n", ("a", 1), "b, c", "a: [x,  'b, c']  # c\n"),  # a comma in a flow list
    ("a: \"x\"  # c\n", ("a",), "two\nlines", 'a: "two\\nlines"  # c\n'),
    ("a: 'x'  # c\n", ("a",), "two\nlines", 'a: "two\\nlines"  # c\n'),  # single quotes can't hold it
])
def test_value_styles_follow_the_original_where_the_new_value_allows(text, path, value, spliced):
    old = load_chunk(text)
    new = copy.deepcopy(old)
    _set(path, value)(new)
    out = patch_document(text, old, new)
    assert out == spliced
    assert load_chunk(out) == new


def test_anchored_values_and_structural_changes_are_left_to_ruamel():
    text = "a: &v 1   # c\nb: *v\nc:\n  - x  # keep\nd: |\n  block\n"
    old = load_chunk(text)
    new = copy.deepcopy(old)
    new["a"] = new["b"] = 2  # an anchor and its alias: splicing the anchor would change both
    new["c"].append("z")  # a block list that grows
    new["d"] = "other\n"  # a block scalar
    assert splice_values(text, old, new) == (text, old)
    out = patch_document(text, old, new)
    assert load_chunk(out) == new
    assert "# keep" in out


def test_preview_is_exactly_what_save_then_writes(tmp_path):
    """The Preview panel's content for an opened project comes from the save's own plan."""
    root = tmp_path / "shop"
    for rel, text in FILES.items():
        path = root / DEFS / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode())
        (path.parent / "run.py").write_text("print('hi')\n")
    (root / "pyproject.toml").write_text('[tool.dg.project]\nroot_module = "exact"\n')
    project = import_project(root).project
    assert preview_save(project).files == {}
    for edit, _changes in EDITS.values():
        edit(project)
    graph = project.graph
    graph.remove_node(next(n for n in graph.iter_nodes() if n.label == "quoted").id)  # a whole file
    graph.remove_node(next(n for n in graph.iter_nodes() if n.label == "multi").id)  # one of two documents
    template = templates_for("dagster.PythonScriptComponent")
    graph.add_node(Node(id="new", component_type="dagster.PythonScriptComponent", label="fresh",
                        attributes=template.attributes, files=template.files))
    before = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    preview = preview_save(project)
    plan = save_in_place(project)
    after = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    written = {rel: data.decode() for rel, data in after.items() if before.get(rel) != data}
    removed = sorted(set(before) - set(after))
    assert {rel: f.new for rel, f in preview.files.items() if f.status != REMOVED} == written
    assert sorted(rel for rel, f in preview.files.items() if f.status == REMOVED) == removed == [
        f"{DEFS}/quoted/defs.yaml"]
    assert {rel: f.status for rel, f in preview.files.items()} == {
        f"{DEFS}/plain/defs.yaml": CHANGED, f"{DEFS}/multi/defs.yml": CHANGED,
        f"{DEFS}/quoted/defs.yaml": REMOVED, f"{DEFS}/fresh/defs.yaml": NEW, f"{DEFS}/fresh/script.py": NEW}
    assert all(f.old == (before[rel].decode() if rel in before else None) for rel, f in preview.files.items())
    assert preview.orphans == plan.orphans == [f"{DEFS}/quoted/run.py"]
    diff = preview.files[f"{DEFS}/plain/defs.yaml"].shown
    assert "-    path: run.py        # the script beside this file\n" in diff
    assert "+    path: other.py        # the script beside this file\n" in diff
    assert preview.node_folders["new"] == f"{DEFS}/fresh/"
    assert "1 removed" in preview.summary() and "2 new" in preview.summary()
    assert preview_save(project).files == {}  # saved: nothing left to show


def test_a_one_change_save_regenerates_only_the_documents_the_change_reaches(tmp_path):
    from bench.bench_import import make_project

    root = make_project(tmp_path / "p", 12)
    project = import_project(root).project
    nodes = {n.label: n for n in project.graph.iter_nodes()}
    step1, step2 = nodes["step_1"], nodes["step_2"]
    attrs = copy.deepcopy(step1.attributes)
    attrs["assets"][0]["key"] = "k/renamed"  # step_2 depends on it: its deps must follow
    project.graph.set_node_field(step1.id, "attributes", attrs)
    plan = save_in_place(project)
    assert set(plan.inputs) == {step1.source.doc, step2.source.doc}  # 2 of 13 documents made again
    text = (root / step2.source.file).read_text()
    assert "deps: [k/renamed]" in text and "k/1]" not in text
    assert sorted(plan.write) == sorted([step1.source.file, step2.source.file])
    again = save_in_place(project)
    assert not again.changed and again.inputs == {}  # nothing changed since: nothing regenerated
    # an undo (the value as it was, a new object) is a change back, and written back
    attrs = copy.deepcopy(attrs)
    attrs["assets"][0]["key"] = "k/1"
    project.graph.set_node_field(step1.id, "attributes", attrs)
    save_in_place(project)
    assert "deps: [k/1]" in (root / step2.source.file).read_text()


@pytest.mark.parametrize("text, added, spliced", [
    ("a:\n  deps: [x,  y]    # c\n", ["z", "yes"], "a:\n  deps: [x,  y, z, 'yes']    # c\n"),
    ("a:\n  deps: []    # c\n", ["z"], "a:\n  deps: [z]    # c\n"),
    ("a:\n  deps: ['x']  # c\n", ["z"], "a:\n  deps: ['x', 'z']  # c\n"),  # the items' quoting
])
def test_items_appended_to_a_flow_list_are_written_after_its_last_item(text, added, spliced):
    """What drawing an edge does to a literal ``deps`` list."""
    old = load_chunk(text)
    new = copy.deepcopy(old)
    new["a"]["deps"] += added
    assert patch_document(text, old, new) == spliced


@pytest.mark.parametrize("before, after, written", [
    ("a: 1   # c\n", True, "a: true   # c\n"),  # Python says 1 == True; YAML doesn't
    ("a: true   # c\n", 1, "a: 1   # c\n"),
    ("a: 1   # c\n", 1.0, "a: 1.0   # c\n"),
    ("a: {b: 0}   # c\n", {"b": False}, "a: {b: false}   # c\n"),
])
def test_a_change_between_values_python_calls_equal_is_written(before, after, written):
    old = load_chunk(before)
    new = dict(old, a=after)
    assert patch_document(before, old, new) == written


def test_an_attribute_changed_from_1_to_true_is_saved(tmp_path):
    """The save's own change detection (not only the patch) sees 1 -> true as a change."""
    from bench.bench_import import make_project

    root = make_project(tmp_path / "p", 2)
    project = import_project(root).project
    node = next(n for n in project.graph.iter_nodes() if n.label == "step_1")
    attrs = copy.deepcopy(node.attributes)
    attrs["assets"][0]["metadata"] = {"rows": 1}
    project.graph.set_node_field(node.id, "attributes", attrs)
    save_in_place(project)
    attrs = copy.deepcopy(attrs)
    attrs["assets"][0]["metadata"] = {"rows": True}
    project.graph.set_node_field(node.id, "attributes", attrs)
    plan = save_in_place(project)
    assert list(plan.write) == [node.source.file]
    saved = yaml.safe_load((root / node.source.file).read_text())
    assert saved["attributes"]["assets"][0]["metadata"] == {"rows": True}
    assert saved["attributes"]["assets"][0]["metadata"]["rows"] is True
