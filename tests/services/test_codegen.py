import json
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "integration"))
from projects import build, dbt_node, script, sling_node  # noqa: E402

from dagster_designer_qt.core.model import Node  # noqa: E402
from dagster_designer_qt.services.codegen import CodegenError, generate, generate_files  # noqa: E402
from dagster_designer_qt.services.export import ExportError, export_folder, export_zip  # noqa: E402


def chain():
    return build("Demo", [script("a", "A", ["raw/a"]), script("b", "B", ["b"])], [("a", "b")])


def defs_of(files, slug):
    pkg = next(p.split("/")[1] for p in files if p.endswith("definitions.py"))
    return yaml.safe_load(files[f"src/{pkg}/defs/{slug}/defs.yaml"])


def test_layout_and_literal_deps():
    files = generate_files(chain())
    for path in ("pyproject.toml", "workspace.yaml", "dagster.yaml", ".gitignore", "README.md",
                 "src/demo/__init__.py", "src/demo/definitions.py", "src/demo/defs/__init__.py"):
        assert path in files
    assert list(files) == sorted(files)
    b = defs_of(files, "b")
    assert b["attributes"]["assets"] == [{"key": "b", "deps": ["raw/a"]}]
    assert b["attributes"]["execution"]["name"] == "b"  # unique op names


def test_only_user_keys_and_env_requirements():
    node = Node(id="f", component_type="dagster_fivetran.FivetranAccountComponent", label="Fivetran",
                attributes={"workspace": {"account_id": "acc", "api_key": "{{ env('FIVETRAN_API_KEY') }}",
                                          "api_secret": "{{ env.FIVETRAN_API_SECRET }}"}},
                translation={"group_name": "fivetran"})
    files = generate_files(build("F", [node], []))
    doc = defs_of(files, "fivetran")
    assert set(doc) == {"type", "attributes", "requirements"}
    assert doc["attributes"]["translation"] == {"group_name": "fivetran"}
    assert doc["requirements"] == {"env": ["FIVETRAN_API_KEY", "FIVETRAN_API_SECRET"]}
    assert "dagster-fivetran" in files["pyproject.toml"]
    assert files[".env.example"] == "FIVETRAN_API_KEY=\nFIVETRAN_API_SECRET=\n"


def test_factory_edges_keep_internal_deps_and_skip_implied_sources():
    p = build("D", [script("up", "Up", ["raw/orders"]), script("cfg", "Cfg", ["settings"]), dbt_node()],
              [("up", "dbt"), ("cfg", "dbt")])
    deps = defs_of(generate_files(p), "transform")["attributes"]["translation"]["deps"]
    assert deps.startswith("{{ spec.deps + ")  # never replaces dbt's own deps
    assert "settings" in deps and "raw/orders" not in deps  # raw/orders is a dbt source already


def test_hostile_labels_and_names_stay_inside(tmp_path):
    labels = ["Transform", "transform", "../../x", "CON", "", "数据", "it's \"q\"", "a\nb", "{{ env('X') }}"]
    nodes = [script(f"n{i}", lab, [f"k{i}"]) for i, lab in enumerate(labels)]
    p = build("../json", nodes, [(f"n{i}", f"n{i + 1}") for i in range(len(labels) - 1)])
    files = generate_files(p)
    for rel in files:
        assert not rel.startswith("/") and ".." not in rel.split("/")
    out = export_folder(p, tmp_path / "out")
    for f in out.rglob("*"):
        assert f.resolve().is_relative_to(out.resolve())
    assert len([f for f in files if f.endswith("defs.yaml")]) == len(labels)


def test_node_file_escaping_is_refused():
    node = script("a", "A", ["a"])
    node.files = {"../evil.py": "x"}
    with pytest.raises(CodegenError):
        generate_files(build("X", [node], []))


def test_preview_equals_export_and_is_deterministic(tmp_path):
    p = build("D", [script("a", "A", ["a"]), sling_node(), dbt_node()], [("a", "dbt"), ("sling", "dbt")])
    files = generate_files(p)
    out = export_folder(p, tmp_path / "one")
    record = ".dagster-designer.json"  # what the export generated (path -> sha256), for later updates
    written = {f.relative_to(out).as_posix(): f.read_bytes() for f in out.rglob("*")
               if f.is_file() and f.name != record}
    assert written == {k: v.encode() for k, v in files.items()}
    assert set(json.loads((out / record).read_text())["files"]) == set(files)
    export_folder(p, tmp_path / "one", force=True)
    again = {f.relative_to(out).as_posix(): f.read_bytes() for f in out.rglob("*")
             if f.is_file() and f.name != record}
    assert again == written
    z1 = export_zip(p, tmp_path / "a.zip").read_bytes()
    z2 = export_zip(p, tmp_path / "b.zip").read_bytes()
    assert z1 == z2
    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        assert {n: zf.read(n) for n in zf.namelist()} == written


def test_forced_export_updates_in_place_and_keeps_user_files(tmp_path):
    out = export_folder(chain(), tmp_path / "out")
    (out / ".git").mkdir()
    (out / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (out / ".env").write_text("SECRET=1\n")
    (out / "notes.md").write_text("mine\n")
    smaller = chain()
    last = smaller.graph.nodes[-1]
    smaller.graph.remove_node(last.id)
    before = set(generate_files(chain())) - set(generate_files(smaller))
    assert before, "the smaller project must drop some generated files"
    export_folder(smaller, out, force=True)
    for rel in before:
        assert not (out / rel).exists(), f"stale generated file {rel} was kept"
    assert (out / ".git" / "HEAD").read_text() == "ref: refs/heads/main\n"
    assert (out / ".env").read_text() == "SECRET=1\n"
    assert (out / "notes.md").read_text() == "mine\n"
    for rel, text in generate_files(smaller).items():
        assert (out / rel).read_text() == text


def test_forced_export_never_writes_through_a_symlink(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "src").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ExportError):
        export_folder(chain(), out, force=True)
    assert list(outside.iterdir()) == []


def test_refuses_non_empty_folder(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("x")
    with pytest.raises(ExportError):
        export_folder(chain(), tmp_path / "out")
    assert (tmp_path / "out" / "keep.txt").read_text() == "x"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging left behind


def test_schema_driven_traits():
    schema = {"properties": {"assets": {"anyOf": [{"type": "array", "items": {"$ref": "#/$defs/A"}}]},
                             "execution": {"$ref": "#/$defs/E"}},
              "required": ["execution"],
              "$defs": {"A": {"properties": {"key": {}, "deps": {}}}, "E": {"properties": {"name": {}}}}}

    class Info:
        type = "my_pkg.components.Custom"
        distribution = None

    Info.schema = schema
    node = Node(id="c", component_type="my_pkg.components.Custom", label="C",
                attributes={"execution": {"fn": "x"}, "assets": [{"key": "c"}]})
    p = build("C", [script("a", "A", ["a"]), node], [("a", "c")])
    doc = defs_of(generate_files(p, {"my_pkg.components.Custom": Info}), "c")
    assert doc["attributes"]["assets"][0]["deps"] == ["a"]
    assert doc["attributes"]["execution"]["name"] == "c"
    # without registry info, an unknown type falls back to post_processing (keeps existing deps)
    doc = defs_of(generate_files(p), "c")
    assert doc["post_processing"]["assets"][-1]["attributes"]["deps"].startswith("{{ asset.deps + ")
    assert generate(p).warnings == []


def test_pyproject_dependencies_are_the_same_with_registry_information():
    """The GUI exports with registry info, the no-registry path uses built-in traits: the generated
    pyproject must not differ (a duplicate unpinned "dagster" used to appear with registry info)."""
    from types import SimpleNamespace

    p = build("Deps", [script("a", "A", ["a"]), sling_node()], [("a", "sling")])
    components = {
        "dagster.PythonScriptComponent": SimpleNamespace(schema=_schema_of("dagster", "PythonScriptComponent"),
                                                         distribution="dagster", project_local=False),
        "dagster_sling.SlingReplicationCollectionComponent": SimpleNamespace(
            schema=_schema_of("dagster_sling", "SlingReplicationCollectionComponent"),
            distribution="dagster-sling", project_local=False),
    }
    with_registry = generate_files(p, components)["pyproject.toml"]
    assert with_registry == generate_files(p)["pyproject.toml"]
    import tomllib

    deps = tomllib.loads(with_registry)["project"]["dependencies"]
    assert deps == ["dagster>=1.13,<1.14", "dagster-sling"]


def _schema_of(module, name):
    import importlib

    return getattr(importlib.import_module(module), name).get_model_cls().model_json_schema()


def test_every_op_spec_gets_a_unique_name_and_users_names_are_kept():
    """dbt's ``op`` and each Sling replication's ``op`` are named like ``execution``: every unnamed op gets
    a unique name; what the user wrote (a name, tags) stays; a template is left alone."""
    d1, d2 = dbt_node("d1", "Staging"), dbt_node("d2", "Staging")
    d2.attributes["op"] = {"tags": {"team": "bi"}}
    d3 = dbt_node("d3", "Mine")
    d3.attributes["op"] = {"name": "staging"}  # the user's name wins; generated names avoid it
    d4 = dbt_node("d4", "Templated")
    d4.attributes["op"] = "{{ my_op }}"
    s1 = sling_node("s1", "Ingest")
    s1.attributes["replications"] = [{"path": "replication.yaml"}, {"path": "sub/other.yaml"},
                                     {"path": "{{ p }}"}, {"path": "x.yaml", "op": {"name": "mine"}}]
    s2 = sling_node("s2", "Templated list")
    s2.attributes["replications"] = "{{ replications }}"
    files = generate_files(build("Ops", [d1, d2, d3, d4, s1, s2], []))
    assert defs_of(files, "staging")["attributes"]["op"] == {"name": "staging_2"}
    assert defs_of(files, "staging_2")["attributes"]["op"] == {"tags": {"team": "bi"}, "name": "staging_2_2"}
    assert defs_of(files, "mine")["attributes"]["op"] == {"name": "staging"}
    assert defs_of(files, "templated")["attributes"]["op"] == "{{ my_op }}"
    reps = defs_of(files, "ingest")["attributes"]["replications"]
    assert [r["op"]["name"] for r in reps] == ["ingest_replication", "ingest_other", "ingest_3", "mine"]
    assert defs_of(files, "templated_list")["attributes"]["replications"] == "{{ replications }}"


def test_two_ops_the_user_named_alike_are_kept_and_warned_about():
    a, b = sling_node("a", "A"), dbt_node("b", "B")
    a.attributes["replications"] = [{"path": "replication.yaml", "op": {"name": "load"}}]
    b.attributes["op"] = {"name": "load"}
    result = generate(build("Clash", [a, b], []))
    assert defs_of(result.files, "b")["attributes"]["op"] == {"name": "load"}
    assert any("'load'" in w and "another op" in w for w in result.warnings)
