"""Open a real-shaped Dagster project folder, save it back in place, export it elsewhere (issue 12).

One project is made per module (Dagster's scaffolders + hand edits, see real_projects.py) and loaded with
Dagster once; each test works on its own copy.
"""

from __future__ import annotations

import copy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import real_projects  # noqa: E402

from dagster_designer_qt.cli import main  # noqa: E402
from dagster_designer_qt.core import fileformat  # noqa: E402
from dagster_designer_qt.core.model import Edge, Node  # noqa: E402
from dagster_designer_qt.services.importer import PYTHON_TYPE, import_project  # noqa: E402
from dagster_designer_qt.services.project_copy import copy_to_folder, copy_to_zip  # noqa: E402
from dagster_designer_qt.services.project_store import load_project  # noqa: E402
from dagster_designer_qt.services.save_in_place import remove_orphans, save_in_place  # noqa: E402

DEFS = "src/shop/defs"


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.email=t@t", "-c", "user.name=t", *args], cwd=root, check=True,
                          capture_output=True, text=True).stdout


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(root).parts}


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    root = real_projects.make_shop(tmp_path_factory.mktemp("made") / "shop")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "made by hand and by dg scaffold")
    return root, real_projects.summary(root)


@pytest.fixture
def work(shop, tmp_path):
    root = tmp_path / "shop"
    shutil.copytree(shop[0], root, symlinks=True)
    return root


def by_label(project, label):
    return next(n for n in project.graph.iter_nodes() if n.label == label)


def test_every_layout_dagster_loads_is_read(work):
    result = import_project(work)
    assert result.problems == []
    nodes = {n.label: n for n in result.project.graph.iter_nodes()}
    assert {label: n.source.file.removeprefix(DEFS + "/") for label, n in nodes.items()} == {
        "counter": "deep/er/still/counter/defs.yaml", "greeting": "greeting/defs.yaml",
        "ingest": "ingest/defs.yaml", "legacy": "legacy/component.yaml", "reports": "reports/defs.yml",
        "reports 2": "reports/defs.yml", "team": "team/defs.yaml", "script": "team/script/defs.yaml",
        "jobs": "jobs.py", "schedules": "schedules.py", "sensors": "sensors.py", "my_assets": "team/my_assets.py"}
    assert nodes["reports 2"].source.document == 1
    assert nodes["my_assets"].node_type == PYTHON_TYPE and nodes["my_assets"].source.keys == ["my_assets"]
    assert nodes["schedules"].attributes["defines"] == ["schedule"]
    g = result.project.graph
    edges = {(g.node(e.source).label, g.node(e.target).label) for e in g.iter_edges()}
    assert edges == {("script", "my_assets"), ("my_assets", "reports")}  # the real deps, both directions
    assert result.project.source.folder == str(work)
    # positions live in the designer's file, laid out once
    assert len({(n.x, n.y) for n in nodes.values()}) == len(nodes)


def test_project_folder_and_sources_survive_the_project_file(work):
    project = import_project(work).project
    again = fileformat.loads(fileformat.dumps(project))
    assert again.source == project.source
    assert [n.source for n in again.graph.iter_nodes()] == [n.source for n in project.graph.iter_nodes()]


def test_save_in_place_without_edits_leaves_the_folder_byte_identical(work):
    before = snapshot(work)
    project = import_project(work).project
    plan = save_in_place(project)
    assert not plan.changed
    assert snapshot(work) == before
    assert git(work, "status", "--porcelain") == ""


def test_one_attribute_changed_is_exactly_one_line_in_that_file(work):
    project = import_project(work).project
    node = by_label(project, "script")
    attrs = copy.deepcopy(node.attributes)
    attrs["assets"][0]["kinds"] = ["python", "snowflake"]
    project.graph.set_node_field(node.id, "attributes", attrs)
    plan = save_in_place(project)
    assert list(plan.write) == [f"{DEFS}/team/script/defs.yaml"]
    diff = git(work, "diff", "-U0").splitlines()
    assert [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")] == [
        "-          kinds: [python, duckdb]", "+          kinds: [python, snowflake]"]
    assert git(work, "status", "--porcelain") == f" M {DEFS}/team/script/defs.yaml\n"
    # saved again with no further edit: nothing more is written
    assert not save_in_place(project).changed


def test_quoting_and_comments_kept_when_a_quoted_value_changes(work):
    project = import_project(work).project
    node = by_label(project, "script")
    attrs = copy.deepcopy(node.attributes)
    attrs["assets"][0]["description"] = "Orders, as they arrive"
    attrs["execution"]["path"] = "run2.py"
    project.graph.set_node_field(node.id, "attributes", attrs)
    save_in_place(project)
    text = (work / DEFS / "team/script/defs.yaml").read_text()
    assert 'description: "Orders, as they arrive"' in text
    # the comment stays on its line (ruamel.yaml puts one space before it on a line it rewrites)
    assert [line.split("#")[0].strip() for line in text.splitlines() if "# the script beside" in line] == [
        'path: "run2.py"']
    assert text.startswith("# Loads the orders. Keep this comment.\n")
    assert "name: load_orders_op" in text  # op names stay


def test_a_drawn_edge_becomes_a_real_dependency_in_the_file(work):
    project = import_project(work).project
    legacy, mine = by_label(project, "legacy"), by_label(project, "my_assets")
    project.graph.add_edge(Edge(id="new", source=mine.id, target=legacy.id))
    plan = save_in_place(project)
    assert list(plan.write) == [f"{DEFS}/legacy/component.yaml"]
    doc = yaml.safe_load((work / DEFS / "legacy/component.yaml").read_text())
    assert doc["attributes"]["assets"] == [{"key": "legacy_table", "deps": ["my_assets"]}]
    # and removing the edge again takes the dependency out
    project.graph.remove_edge("new")
    save_in_place(project)
    assert git(work, "status", "--porcelain") == ""


def test_removed_node_removes_its_document_and_keeps_the_users_files(work):
    project = import_project(work).project
    project.graph.remove_node(by_label(project, "reports").id)
    project.graph.remove_node(by_label(project, "legacy").id)
    plan = save_in_place(project)
    assert plan.delete == [f"{DEFS}/legacy/component.yaml"]
    assert plan.orphans == [f"{DEFS}/legacy/legacy.py"]
    assert (work / DEFS / "legacy/legacy.py").exists()  # kept until the user confirms
    remaining = list(yaml.safe_load_all((work / DEFS / "reports/defs.yml").read_text()))
    assert [d["attributes"]["assets"][0]["key"] for d in remaining] == ["report/weekly"]
    assert "# the weekly one" in (work / DEFS / "reports/defs.yml").read_text()
    weekly = by_label(project, "reports 2")
    assert weekly.source.document == 0 and project.source.documents[weekly.source.doc][1] == 0
    # the user confirms: the orphans go
    remove_orphans(work, plan.orphans)
    assert not (work / DEFS / "legacy").exists()
    # the weekly report, now the file's only document, still edits in place
    attrs = copy.deepcopy(weekly.attributes)
    attrs["execution"]["name"] = "weekly_op_2"
    project.graph.set_node_field(weekly.id, "attributes", attrs)
    save_in_place(project)
    assert "name: weekly_op_2" in (work / DEFS / "reports/defs.yml").read_text()


def test_new_node_goes_into_a_new_folder(work):
    project = import_project(work).project
    node = Node(id="n1", component_type="dagster.PythonScriptComponent", label="ingest",
                attributes={"execution": {"path": "x.py"}, "assets": [{"key": "new_one"}]},
                files={"x.py": "print(1)\n"})
    project.graph.add_node(node)
    plan = save_in_place(project)
    assert sorted(plan.write) == [f"{DEFS}/ingest_2/defs.yaml", f"{DEFS}/ingest_2/x.py"]  # ingest is taken
    assert node.source is not None and node.source.file == f"{DEFS}/ingest_2/defs.yaml"
    assert not save_in_place(project).changed  # it is a sourced node now


def test_a_new_sling_node_gets_an_op_name_no_existing_op_has(work):
    """The opened project's Sling node runs ``replication.yaml`` (Dagster names its op "replication"); a new
    Sling node on a file of that name gets a name of its own, written into its new file only."""
    project = import_project(work).project
    before = snapshot(work)
    node = Node(id="n2", component_type="dagster_sling.SlingReplicationCollectionComponent", label="replication",
                attributes={"replications": [{"path": "replication.yaml"}]},
                files={"replication.yaml": "source: SRC_DB\ntarget: DST_DB\nstreams:\n  public.more: {}\n"})
    project.graph.add_node(node)
    plan = save_in_place(project)
    assert sorted(plan.write) == [f"{DEFS}/replication/defs.yaml", f"{DEFS}/replication/replication.yaml"]
    doc = yaml.safe_load((work / DEFS / "replication/defs.yaml").read_text())
    assert doc["attributes"]["replications"] == [{"path": "replication.yaml", "op": {"name": "replication_2"}}]
    assert {k: v for k, v in snapshot(work).items() if not k.startswith(f"{DEFS}/replication/")} == before
    assert not save_in_place(project).changed


@pytest.mark.parametrize("project_attr", ["dbt", "{{ context.project_root }}/src/shop/defs/transform/dbt"])
def test_a_new_dbt_node_avoids_the_name_of_an_existing_dbt_op(work, project_attr):
    """An existing dbt component's op is named after its dbt project ("warehouse" here, read from its
    dbt_project.yml, not its folder "transform"); a new node in folder "warehouse" gets another op name."""
    real_projects.w(work / DEFS / "transform/defs.yaml", f"""
        type: dagster_dbt.DbtProjectComponent
        attributes:
          project: "{project_attr}"
        """)
    real_projects.w(work / DEFS / "transform/dbt/dbt_project.yml", "name: warehouse\nprofile: warehouse\n")
    project = import_project(work).project
    node = Node(id="n3", component_type="dagster_dbt.DbtProjectComponent", label="warehouse",
                attributes={"project": "dbt", "select": "x"})
    project.graph.add_node(node)
    save_in_place(project)
    doc = yaml.safe_load((work / DEFS / "warehouse/defs.yaml").read_text())
    assert doc["attributes"]["op"] == {"name": "warehouse_2"}
    assert "op:" not in (work / DEFS / "transform/defs.yaml").read_text()

def test_export_elsewhere_copies_everything_and_loads_the_same_in_dagster(shop, tmp_path):
    root, original = shop
    project = import_project(root).project
    result = copy_to_folder(project, tmp_path / "copy")
    before = snapshot(root)
    assert {k: v for k, v in snapshot(result.path).items()} == {
        k: v for k, v in before.items() if not k.startswith(".git_like_cache")}
    assert real_projects.summary(result.path) == original
    zipped = copy_to_zip(project, tmp_path / "shop.zip")
    assert zipped.files == result.files


def test_cli_import_then_export_without_out_saves_in_place(work, tmp_path, capsys, warm_registry):
    design = tmp_path / "shop.ddp.json"
    assert main(["import", str(work), "--out", str(design)]) == 0
    capsys.readouterr()
    assert main(["export", str(design)]) == 0
    assert "no changes" in capsys.readouterr().out
    assert git(work, "status", "--porcelain") == ""
    project = load_project(design)
    node = by_label(project, "counter")
    project.graph.set_node_field(node.id, "attributes", {"count": 3})
    fileformat_path = design
    fileformat_path.write_bytes(fileformat.dump_bytes(project))
    assert main(["export", str(design)]) == 0
    assert f"wrote {DEFS}/deep/er/still/counter/defs.yaml" in capsys.readouterr().out
    assert "count: 3" in (work / DEFS / "deep/er/still/counter/defs.yaml").read_text()
    assert main(["export", str(design), "--out", str(tmp_path / "elsewhere")]) == 0
    assert (tmp_path / "elsewhere" / "tests/test_shop.py").is_file()


def test_check_with_dagster_loads_the_opened_project_with_its_edits(work):
    from dagster_designer_qt.services.loader import load_project as dagster_load

    project = import_project(work).project
    legacy = by_label(project, "legacy")
    project.graph.set_node_field(legacy.id, "attributes", {"execution": {"path": "legacy.py"},
                                                          "assets": [{"key": "legacy_table_2"}]})
    report = dagster_load(project)
    keys = {a.key: a for a in report.assets}
    assert "legacy_table_2" in keys and "legacy_table" not in keys and "hello_world" in keys
    assert keys["legacy_table_2"].node_id == legacy.id
    assert (work / DEFS / "legacy/component.yaml").read_text().count("legacy_table_2") == 0  # only a copy


def test_python_module_keys_from_dagster_when_asked(work):
    from dagster_designer_qt.services.python_defs import load_module_keys

    w = real_projects.w
    w(work / DEFS / "computed.py", """
        import dagster as dg

        def make(name):
            @dg.asset(name=name)
            def _a():
                return None
            return _a

        ASSETS = [make(f"computed_{i}") for i in range(2)]
        """)
    project = import_project(work).project
    computed = by_label(project, "computed")
    assert computed.source.keys == []  # nothing declared literally: ast can't know
    found = load_module_keys(project)
    assert found[f"{DEFS}/computed.py"] == ["computed_0", "computed_1"]
    assert computed.source.keys == ["computed_0", "computed_1"]
    assert found[f"{DEFS}/team/my_assets.py"] == ["my_assets"]
