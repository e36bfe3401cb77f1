"""services.importer: Dagster project folder -> designer project (files only, nothing executed)."""

import os
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "integration"))
from projects import build, dbt_node, script, sling_node  # noqa: E402

from dagster_designer_qt.cli import main  # noqa: E402
from dagster_designer_qt.core.model import Node  # noqa: E402
from dagster_designer_qt.services.codegen import generate, generate_files  # noqa: E402
from dagster_designer_qt.services.export import export_folder  # noqa: E402
from dagster_designer_qt.services.importer import ImportProjectError, import_project  # noqa: E402
from dagster_designer_qt.services.project_copy import copy_to_folder  # noqa: E402
from dagster_designer_qt.services.project_store import load_project  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "examples" / "analytics.ddp.json"


def fivetran_node():
    return Node(id="ft", component_type="dagster_fivetran.FivetranAccountComponent", label="Fivetran",
                attributes={"workspace": {"account_id": "acc", "api_key": "{{ env('FIVETRAN_API_KEY') }}",
                                          "api_secret": "{{ env('FIVETRAN_API_SECRET') }}"}},
                translation={"group_name": "fivetran"})


def custom_node():
    """A type codegen knows nothing about: edges into it become a post_processing rule."""
    return Node(id="c", component_type="my_pkg.components.Custom", label="Custom",
                attributes={"execution": {"fn": "x"}, "assets": [{"key": "c"}]},
                post_processing={"assets": [{"target": "*", "attributes": {"group_name": "g"}}]})


def every_pairing():
    nodes = [
        script("up", "Raw orders", ["raw/orders"]),  # declared -> dbt, implied by a dbt source
        script("cfg", "Settings", ["settings"]),  # declared -> factory (translation deps)
        dbt_node(),
        script("rep", "Report", ["report"]),  # factory -> declared (build_defs template)
        sling_node(),  # factory -> factory (sling -> dbt) and factory -> declared
        script("after", "After sling", ["after_sling"], ),
        script("s1", "Step 1", ["step1"]),  # declared -> declared chain
        script("s2", "Step 2", ["step2", "step2b"]),
        script("s3", "Step 3", ["step3"]),
        fivetran_node(),
        custom_node(),  # declared -> unknown type (post_processing rule)
        script("mix", "Mixed", ["mixed"]),  # declared + factory -> declared, with the user's own deps
    ]
    nodes[-1].attributes["assets"][0]["deps"] = ["elsewhere/x"]
    nodes[6].attributes["assets"][0]["deps"] = ["external/a"]  # user deps kept beside the edge's
    edges = [("up", "dbt"), ("cfg", "dbt"), ("dbt", "rep"), ("sling", "after"), ("sling", "dbt"),
             ("s1", "s2"), ("s2", "s3"), ("up", "s1"), ("s3", "c"), ("s1", "c"), ("ft", "dbt"),
             ("s2", "mix"), ("dbt", "mix")]
    return build("Pairings", nodes, edges)


def defs_docs(files):
    """folder -> parsed defs.yaml, literal deps lists sorted (the round trip holds modulo ordering)."""
    def canon(value, key=None):
        if isinstance(value, dict):
            return {k: canon(v, k) for k, v in value.items()}
        if isinstance(value, list):
            items = [canon(v) for v in value]
            return sorted(items) if key == "deps" and all(isinstance(v, str) for v in items) else items
        return value
    return {path.split("/defs/", 1)[1].rsplit("/", 1)[0]: canon(yaml.safe_load(text))
            for path, text in files.items() if path.endswith("/defs.yaml")}


def edge_labels(project):
    g = project.graph
    return {(g.node(e.source).label, g.node(e.target).label) for e in g.iter_edges()}


def round_trip(project, tmp_path):
    """Export, open the folder, export it elsewhere (a copy with the designer's changes): the files."""
    out = export_folder(project, tmp_path / "exported")
    result = import_project(out)
    again = copy_to_folder(result.project, tmp_path / "again")
    return generate_files(project), {k: v.decode() for k, v in again.files.items()}, result


@pytest.mark.parametrize("make", [lambda: load_project(EXAMPLE), every_pairing], ids=["example", "pairings"])
def test_export_import_export_gives_the_same_defs(make, tmp_path):
    project = make()
    first, again, result = round_trip(project, tmp_path)
    assert defs_docs(again) == defs_docs(first)
    again.pop(".dagster-designer.json")  # the first export's record, copied like any file of the project
    assert again == first  # byte-identical: defs files and the files beside them
    assert not [w for w in result.warnings if "kept as written" in w]
    folders = generate(project).folders  # node id -> folder; imported labels are the folder names
    expected = {(folders[e.source], folders[e.target]) for e in project.graph.iter_edges()}
    assert edge_labels(result.project) == expected  # every drawn edge comes back, implied ones too


def test_deps_that_became_edges_are_removed_and_translation_mapped(tmp_path):
    _, _, result = round_trip(every_pairing(), tmp_path)
    nodes = {n.label: n for n in result.project.graph.iter_nodes()}
    assert nodes["step_2"].attributes["assets"] == [{"key": "step2"}, {"key": "step2b"}]
    assert nodes["step_1"].attributes["assets"][0]["deps"] == ["external/a"]
    assert nodes["mixed"].attributes["assets"][0]["deps"] == ["elsewhere/x"]
    assert nodes["report"].attributes["assets"] == [{"key": "report"}]
    assert "translation" not in nodes["transform"].attributes
    assert nodes["fivetran"].translation == {"group_name": "fivetran"}
    assert "translation" not in nodes["fivetran"].attributes
    assert all("translation" not in r for r in nodes["ingest"].attributes["replications"])
    assert nodes["custom"].post_processing == {"assets": [{"target": "*", "attributes": {"group_name": "g"}}]}
    assert nodes["transform"].files is None  # the dbt project stays in its folder, not in the model
    assert all(not n.attributes.get("requirements") for n in nodes.values())


def test_user_written_deps_become_edges_when_they_name_all_of_a_components_keys(tmp_path):
    defs = tmp_path / "defs"
    write(defs / "a" / "defs.yaml", {"type": "dagster.PythonScriptComponent",
                                     "attributes": {"execution": {"path": "a.py"}, "assets": [{"key": "a"}]}})
    write(defs / "b" / "defs.yaml", {"type": "dagster.PythonScriptComponent", "attributes": {
        "execution": {"path": "b.py"},
        "assets": [{"key": "b1", "deps": ["a", "x"]}, {"key": "b2", "deps": ["a"]}]}})
    write(defs / "c" / "defs.yaml", {"type": "dagster.PythonScriptComponent", "attributes": {
        "execution": {"path": "c.py"}, "assets": [{"key": "c1", "deps": ["b1"]}, {"key": "c2"}]}})
    result = import_project(defs)
    assert edge_labels(result.project) == {("a", "b")}
    nodes = {n.label: n for n in result.project.graph.iter_nodes()}
    assert nodes["b"].attributes["assets"] == [{"key": "b1", "deps": ["x"]}, {"key": "b2"}]
    # c depends on only one of b's two assets: not what an edge means, so it stays as written
    assert nodes["c"].attributes["assets"][0]["deps"] == ["b1"]
    assert result.project.name == "Imported project" or result.project.name == tmp_path.name


def write(path, doc, *more):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump_all([doc, *more], sort_keys=False) if more else yaml.safe_dump(doc))


def dg_project(tmp_path, name="shop"):
    root = tmp_path / "proj"
    (root / "src" / name / "defs").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "{name}"\ndescription = "A shop"\n\n'
        f'[tool.dg]\ndirectory_type = "project"\n\n[tool.dg.project]\nroot_module = "{name}"\n')
    return root, root / "src" / name / "defs"


def test_dg_project_multi_document_files_and_folder_files(tmp_path):
    root, defs = dg_project(tmp_path)
    doc1 = {"type": "dagster.PythonScriptComponent",
            "attributes": {"execution": {"path": "run.py"}, "assets": [{"key": "one"}]}}
    doc2 = {"type": "dagster.PythonScriptComponent",
            "attributes": {"execution": {"path": "run.py", "name": "second"}, "assets": [{"key": "two"}]},
            "requirements": {"env": []}, "template_vars_module": ".vars"}
    write(defs / "jobs" / "defs.yaml", doc1, doc2)
    (defs / "jobs" / "run.py").write_text("print('x')\n")
    (defs / "jobs" / "sql").mkdir()
    (defs / "jobs" / "sql" / "q.sql").write_text("select 1\n")
    (defs / "jobs" / "data.bin.txt").write_bytes(b"\x00\x01binary")
    (defs / "jobs" / "__pycache__").mkdir()
    (defs / "jobs" / "__pycache__" / "run.cpython-311.pyc.py").write_text("junk")
    (defs / "jobs" / "big.md").write_text("x" * (1024 * 1024 + 1))
    (defs / "jobs" / "image.png").write_bytes(b"\x89PNG")
    (defs / "loose.py").write_text("import os\nos.system('touch /tmp/never')\n")
    result = import_project(root)
    p = result.project
    assert p.name == "shop" and p.description == "A shop"
    nodes = p.graph.nodes
    assert [n.label for n in nodes] == ["jobs", "jobs 2"]
    assert nodes[1].attributes["execution"]["name"] == "second"
    assert [(n.source.file, n.source.document) for n in nodes] == [
        ("src/shop/defs/jobs/defs.yaml", 0), ("src/shop/defs/jobs/defs.yaml", 1)]
    for n in nodes:
        assert n.files is None  # the folder's files stay where they are; nothing else is read
    assert not result.problems  # loose.py defines nothing Dagster loads: no node, no problem
    assert all(n.x != nodes[0].x or n.y != nodes[0].y for n in nodes[1:])  # laid out


def test_symlinks_leaving_the_folder_are_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("token")
    (outside / "defs.yaml").write_text("type: dagster.FunctionComponent\n")
    defs = tmp_path / "defs"
    write(defs / "a" / "defs.yaml", {"type": "dagster.PythonScriptComponent", "attributes": {}})
    (defs / "a" / "inside.txt").write_text("ok")
    os.symlink(outside / "secret.txt", defs / "a" / "secret.txt")
    os.symlink(defs / "a" / "inside.txt", defs / "a" / "alias.txt")
    os.symlink(outside, defs / "linked")
    result = import_project(defs)
    [node] = result.project.graph.nodes
    assert node.files is None  # component folder files are not read at all
    assert [str(p) for p in result.problems] == ["linked: symlink not followed"]


@pytest.mark.parametrize("text, fragment", [
    ("- a\n- b\n", "must be a mapping"),
    ("attributes: {}\n", "no component 'type'"),
    ("type: [x]\n", "no component 'type'"),
    ("type: a\nattributes: [1]\n", "'attributes' must be a mapping"),
    ("type: a\nattributes: {x: !!python/object/apply:os.system [echo hi]}\n", "invalid YAML"),
    ("type: a\nattributes: {x: [unclosed\n", ":3:1: invalid YAML"),
    ("type: a\nattributes: {1: x}\n", "not a string"),
    ("a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
     "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\ntype: a\nattributes: {f: [*e, *e, *e, *e]}\n",
     "too large"),
])
def test_bad_defs_yaml_is_an_error_naming_the_file(tmp_path, text, fragment):
    defs = tmp_path / "defs"
    (defs / "comp").mkdir(parents=True)
    (defs / "comp" / "defs.yaml").write_text(text)
    with pytest.raises(ImportProjectError) as info:
        import_project(defs)
    assert "comp/defs.yaml" in str(info.value) and fragment in str(info.value)


@pytest.mark.parametrize("setup, fragment", [
    (lambda p: None, "no components"),
    (lambda p: (p / "pyproject.toml").write_text("[project]\nname = 'x'\n"), "root_module"),
    (lambda p: (p / "pyproject.toml").write_text("[tool.dg.project]\nroot_module = 'x'\n"), "no folder"),
    (lambda p: (p / "pyproject.toml").write_text("not toml ["), "not valid TOML"),
])
def test_not_a_project_is_an_error(tmp_path, setup, fragment):
    setup(tmp_path)
    with pytest.raises(ImportProjectError, match=fragment):
        import_project(tmp_path)


def test_cli_writes_the_project_and_prints_warnings(tmp_path, capsys):
    out_dir = export_folder(load_project(EXAMPLE), tmp_path / "exported")
    (out_dir / "src" / "analytics" / "defs" / "stray.py").write_text("x = 1\n")  # defines nothing: skipped
    target = tmp_path / "imported.ddp.json"
    assert main(["import", str(out_dir), "--out", str(target)]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == str(target)
    assert "stray.py" not in captured.err
    imported = load_project(target)
    assert imported.graph.edge_count() == 2
    assert main(["import", str(out_dir), "--out", str(target)]) == 1  # exists
    err = capsys.readouterr().err
    assert "already exists" in err and len(err.strip().splitlines()) == 1
    assert main(["import", str(out_dir), "--out", str(target), "--force"]) == 0


def test_cli_user_error_is_one_line(tmp_path, capsys):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "defs.yaml").write_text("- not a mapping\n")
    assert main(["import", str(tmp_path), "--out", str(tmp_path / "p.ddp.json")]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "c/defs.yaml" in err and "Traceback" not in err
    assert not (tmp_path / "p.ddp.json").exists()


def test_deps_an_edge_would_export_differently_stay_as_written(tmp_path):
    """A hand-written build_defs template on a component whose keys are literal: an edge would export the
    keys themselves, so the template is kept and no connection is made (with a warning)."""
    defs = tmp_path / "defs"
    write(defs / "a" / "defs.yaml", {"type": "dagster.PythonScriptComponent",
                                     "attributes": {"execution": {"path": "a.py"}, "assets": [{"key": "a"}]}})
    template = "{{ [] + (context.build_defs('a').resolve_asset_graph().executable_asset_keys | list) }}"
    write(defs / "b" / "defs.yaml", {"type": "dagster.PythonScriptComponent", "attributes": {
        "execution": {"path": "b.py"}, "assets": [{"key": "b", "deps": template}]}})
    result = import_project(defs)
    assert result.project.graph.edge_count() == 0
    b = next(n for n in result.project.graph.iter_nodes() if n.label == "b")
    assert b.attributes["assets"][0]["deps"] == template
    assert any(w.startswith("b:") and "kept as written" in w for w in result.warnings)


def test_nested_folders_keep_their_place_and_references(tmp_path):
    defs = tmp_path / "defs"
    write(defs / "raw" / "ingest" / "defs.yaml", {"type": "dagster_dbt.DbtProjectComponent",
                                                  "attributes": {"project": "p"}})
    write(defs / "ingest" / "defs.yaml", {"type": "dagster.PythonScriptComponent",
                                          "attributes": {"execution": {"path": "x.py"}, "assets": [{"key": "x"}]}})
    write(defs / "use" / "defs.yaml", {"type": "dagster.PythonScriptComponent", "attributes": {
        "execution": {"path": "u.py"}, "assets": [{"key": "u", "deps": (
            "{{ [] + (context.build_defs('raw/ingest').resolve_asset_graph().executable_asset_keys | list) }}")}]}})
    result = import_project(defs)
    [edge] = result.project.graph.edges
    source = result.project.graph.node(edge.source)
    assert source.component_type == "dagster_dbt.DbtProjectComponent"
    assert source.source.file == "raw/ingest/defs.yaml"  # folders are never renamed or flattened
    use = next(n for n in result.project.graph.iter_nodes() if n.label == "use")
    assert use.attributes["assets"] == [{"key": "u"}]  # the template was the edge's; it comes back on save
    assert not result.warnings


def test_a_node_downstream_of_a_defs_folder_child_is_laid_out_to_its_right(tmp_path):
    """The children of a DefsFolderComponent get a band of their own below the rest; the columns still come
    from the whole graph, so edges out of the band point right (they were laid out as separate graphs: the
    band's chain started in column 0 again, left of the loose node it feeds)."""
    def asset(key, deps=()):
        spec = {"key": key, "deps": list(deps)} if deps else {"key": key}
        return {"type": "dagster.PythonScriptComponent",
                "attributes": {"execution": {"path": f"{key}.py", "name": key}, "assets": [spec]}}

    defs = tmp_path / "defs"
    write(defs / "a_start" / "defs.yaml", asset("start"))
    write(defs / "team" / "defs.yaml", {"type": "dagster.DefsFolderComponent", "attributes": {}})
    write(defs / "team" / "clean" / "defs.yaml", asset("clean", ["start"]))
    write(defs / "team" / "model" / "defs.yaml", asset("model", ["clean"]))
    write(defs / "z_report" / "defs.yaml", asset("report", ["model"]))
    graph = import_project(defs).project.graph
    at = {n.label: (n.x, n.y) for n in graph.iter_nodes()}
    assert at["a_start"][0] < at["clean"][0] < at["model"][0] < at["z_report"][0]
    assert at["clean"][1] > at["z_report"][1]  # the band is still below the loose nodes
    for edge in graph.iter_edges():
        assert graph.node(edge.source).x < graph.node(edge.target).x


def test_a_bad_document_is_a_problem_and_the_rest_opens(tmp_path):
    defs = tmp_path / "defs"
    (defs / "comp").mkdir(parents=True)
    (defs / "comp" / "defs.yaml").write_text("type: a\n---\n42\n")
    result = import_project(defs)
    assert [n.component_type for n in result.project.graph.nodes] == ["a"]
    assert [str(p) for p in result.problems] == ["comp/defs.yaml:2: a component document must be a mapping "
                                                  "with 'type'"]
