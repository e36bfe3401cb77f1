"""services.python_defs.scan_module: what a definitions module declares, read with ast (never run)."""

import ast
import textwrap

import pytest

from dagster_designer_qt.services.python_defs import scan_module


def scan(code):
    return scan_module(ast.parse(textwrap.dedent(code)))


@pytest.mark.parametrize("code, keys, deps, defines", [
    ("@dg.asset\ndef orders(): ...\n", ["orders"], [], ["asset"]),
    ("@asset(key_prefix=['raw'], name='o')\ndef f(): ...\n", ["raw/o"], [], ["asset"]),
    ("@dg.asset(key=dg.AssetKey(['a', 'b']), deps=['x', dg.AssetKey(['y', 'z'])])\ndef f(): ...\n",
     ["a/b"], ["x", "y/z"], ["asset"]),
    ("@dg.asset\ndef report(context: dg.AssetExecutionContext, orders, customers): ...\n",
     ["report"], ["orders", "customers"], ["asset"]),
    ("@dg.multi_asset(outs={'a': dg.AssetOut(), 'b': dg.AssetOut(key=['x', 'b'])})\ndef f(): ...\n",
     ["a", "x/b"], [], ["asset"]),
    ("@dg.multi_asset(specs=[dg.AssetSpec('s1', deps=['up']), dg.AssetSpec(key='s2')])\ndef f(): ...\n",
     ["s1", "s2"], ["up"], ["asset"]),
    ("def make(n):\n    @dg.asset(name=n)\n    def _a(): ...\n    return _a\n", [], [], ["asset"]),
    ("@dg.asset_check(asset='orders')\ndef c(): ...\n", [], [], ["check"]),
    ("j = dg.define_asset_job('j', selection='*')\ns = dg.ScheduleDefinition(job=j, cron_schedule='@daily')\n",
     [], [], ["job", "schedule"]),
    ("@dg.definitions\ndef defs():\n    return dg.Definitions(assets=[dg.AssetSpec('ext')])\n",
     ["ext"], [], ["definitions", "asset"]),
    ("import os\nos.system('touch /tmp/never')\n", [], [], []),
])
def test_declared_definitions_are_found(code, keys, deps, defines):
    found = scan(code)
    assert (found.keys, found.deps, sorted(found.defines)) == (keys, deps, sorted(defines))


# ------------------------------------------------------------------ taking Dagster's keys (after trust)
def _project(tmp_path, report_deps, module_code):
    from dagster_designer_qt.services.importer import import_project

    root = tmp_path / "shop"
    files = {
        "pyproject.toml": '[project]\nname = "shop"\n\n[tool.dg.project]\nroot_module = "shop"\n',
        "src/shop/defs/mod.py": textwrap.dedent(module_code),
        "src/shop/defs/report/defs.yaml": "type: dagster.PythonScriptComponent\nattributes:\n"
                                          "  execution: {path: run.py}\n"
                                          f"  assets: [{{key: report, deps: {report_deps}}}]\n",
        "src/shop/defs/report/run.py": "print(1)\n",
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    project = import_project(root).project
    by_label = {n.label: n for n in project.graph.iter_nodes()}
    return project, by_label["mod"], by_label["report"]


COMPUTED = "def make(n):\n    @dg.asset(name=n)\n    def _a(): ...\n    return _a\n"


def test_dagsters_keys_and_the_edge_they_imply_are_taken_when_saving_writes_the_same(tmp_path):
    from dagster_designer_qt.services.python_defs import apply_key_refresh, plan_key_refresh

    project, mod, report = _project(tmp_path, "[c0, c1]", COMPUTED)
    assert mod.source.keys == [] and project.graph.edge_count() == 0
    plan = plan_key_refresh(project, {mod.source.file: ["c0", "c1"]})
    assert plan == ({mod.id: ["c0", "c1"]}, [(mod.id, report.id)], [])
    changed = []
    project.graph.node_changed.connect(lambda node_id, name: changed.append((node_id, name)))
    apply_key_refresh(project, plan)
    assert mod.source.keys == ["c0", "c1"] and mod.attributes["asset_keys"] == ["c0", "c1"]
    assert changed == [(mod.id, "attributes")] and project.graph.find_edge(mod.id, report.id) is not None


def test_an_edge_that_would_rewrite_a_components_deps_is_not_added(tmp_path):
    """report depends on one of the module's two keys: an edge would save deps: [c0, c1] into its file."""
    from dagster_designer_qt.services.python_defs import plan_key_refresh

    project, mod, report = _project(tmp_path, "[c0]", COMPUTED)
    keys, edges, notes = plan_key_refresh(project, {mod.source.file: ["c0", "c1"]})
    assert keys == {mod.id: ["c0", "c1"]} and edges == [] and notes == []


def test_keys_that_would_rewrite_a_connected_component_are_kept_as_read(tmp_path):
    from dagster_designer_qt.services.python_defs import plan_key_refresh

    project, mod, report = _project(tmp_path, "[a]", "@dg.asset\ndef a(): ...\n")
    assert mod.source.keys == ["a"] and project.graph.find_edge(mod.id, report.id) is not None
    keys, edges, notes = plan_key_refresh(project, {mod.source.file: ["a", "b"], "elsewhere.py": "an error"})
    assert keys == {} and edges == []
    assert len(notes) == 1 and "kept the keys read from the file" in notes[0]
