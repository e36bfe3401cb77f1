"""`dagster-designer components` and `validate` end to end, in subprocesses (real packages)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dagster_designer_qt.core.model import Edge, Node, Project
from dagster_designer_qt.services.project_store import save_project

# Runs the CLI in-process of a fresh interpreter and reports which heavy modules got imported.
RUNNER = (
    "import json, sys\n"
    "from dagster_designer_qt.cli import main\n"
    "rc = main(sys.argv[1:])\n"
    "sys.stdout.flush()\n"
    "heavy = sorted(m for m in ('dagster', 'dagster_dbt', 'pydantic', 'PySide6') if m in sys.modules)\n"
    "sys.stderr.write('\\n@@MODULES@@' + json.dumps(heavy) + '\\n')\n"
    "sys.exit(rc)\n"
)


def run_cli(args, env_base: Path, cwd: Path):
    env = dict(os.environ)
    env["XDG_CACHE_HOME"] = str(env_base / "cache")
    env["HOME"] = str(env_base)
    proc = subprocess.run([sys.executable, "-c", RUNNER, *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=600)
    stderr, _, modules = proc.stderr.rpartition("@@MODULES@@")
    return proc.returncode, proc.stdout, stderr, json.loads(modules) if modules else None


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory):
    base = tmp_path_factory.mktemp("cli_home")
    (base / "dagster_home").mkdir()
    return base


@pytest.fixture(scope="module")
def cold_run(cli_env):
    return run_cli(["components", "--json"], cli_env, cli_env)


def test_cold_components_lists_everything_without_importing_dagster_in_the_cli(cold_run):
    rc, out, err, modules = cold_run
    assert rc == 0, err
    rows = json.loads(out)
    types = {r["type"] for r in rows}
    assert {"dagster.FunctionComponent", "dagster_dbt.DbtProjectComponent",
            "dagster_sling.SlingReplicationCollectionComponent"} <= types
    assert all(r["schema"] for r in rows if not r["error"])
    assert modules == []  # the helper process did the importing


def test_warm_components_reads_the_cache_and_never_imports_dagster(cold_run, cli_env):
    cache_files = list((cli_env / "cache").rglob("components-*.json"))
    assert len(cache_files) == 1
    mtime = cache_files[0].stat().st_mtime_ns
    rc, out, err, modules = run_cli(["components", "--json"], cli_env, cli_env)
    assert rc == 0, err
    assert json.loads(out) == json.loads(cold_run[1])
    assert modules == []
    assert cache_files[0].stat().st_mtime_ns == mtime  # not rewritten: it was a cache hit


def test_components_table(cold_run, cli_env):
    rc, out, err, _ = run_cli(["components"], cli_env, cli_env)
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["TYPE", "CATEGORY", "PACKAGE"]
    dbt = next(line for line in lines if line.startswith("dagster_dbt.DbtProjectComponent "))
    assert " dbt " in dbt and "dagster-dbt 0.29" in dbt


def test_components_missing_project_dir_is_one_line_error(cli_env):
    rc, out, err, _ = run_cli(["components", "--project-dir", str(cli_env / "nope")], cli_env, cli_env)
    assert rc == 1
    assert err.strip().splitlines() == [f"dagster-designer: error: project folder {cli_env / 'nope'} does not exist"]


def _project_file(tmp_path: Path) -> Path:
    project = Project("CLI check")
    g = project.graph
    g.add_node(Node("a", "dagster.FunctionComponent", "Orders",
                    attributes={"execution": {"fn": ".m.f", "name": "orders"}, "assets": [{"key": "raw/orders"}]}))
    g.add_node(Node("b", "dagster.FunctionComponent", "Report",
                    attributes={"execution": {"fn": ".m.g", "name": "report", "bogus": 1},
                                "assets": [{"key": "report", "deps": ["raw/orders", "raw/ghost"]}]}))
    g.add_node(Node("c", "dagster_airbyte.AirbyteComponent", "Airbyte"))
    g.add_edge(Edge("e1", "a", "b"))
    path = tmp_path / "p.ddp.json"
    save_project(project, path)
    return path


def test_validate_prints_label_path_message_and_exits_1(cold_run, cli_env, tmp_path):
    rc, out, err, _ = run_cli(["validate", str(_project_file(tmp_path))], cli_env, cli_env)
    assert rc == 1, err
    lines = out.splitlines()
    assert "Report: attributes.execution.bogus: unknown field (not allowed here)" in lines
    assert any(line.startswith("Airbyte: unknown component type 'dagster_airbyte.AirbyteComponent'")
               for line in lines)
    assert any(line.startswith("Report: attributes.assets[0].deps[1]: depends on asset 'raw/ghost'")
               and line.endswith("(warning)") for line in lines)
    assert len(lines) == 3
    assert "Traceback" not in err


def test_validate_json(cold_run, cli_env, tmp_path):
    rc, out, err, _ = run_cli(["validate", str(_project_file(tmp_path)), "--json"], cli_env, cli_env)
    assert rc == 1, err
    data = json.loads(out)
    assert data["errors"] == 2 and data["warnings"] == 1
    first = data["problems"][0]
    assert first == {"node_id": "b", "path": ["execution", "bogus"], "message": "unknown field (not allowed here)",
                     "severity": "error", "code": "extra", "node_label": "Report",
                     "attribute_path": "execution.bogus"}


def test_validate_clean_project_exits_0(cold_run, cli_env, tmp_path):
    project = Project("Clean")
    project.graph.add_node(Node("a", "dagster.FunctionComponent", "A",
                                attributes={"execution": {"fn": ".m.f"}, "assets": [{"key": "a"}]}))
    path = tmp_path / "clean.ddp.json"
    save_project(project, path)
    rc, out, err, _ = run_cli(["validate", str(path)], cli_env, cli_env)
    assert rc == 0, err
    assert "no problems" in out


def test_validate_warnings_only_exit_0(cold_run, cli_env, tmp_path):
    project = Project("Warn")
    project.graph.add_node(Node("a", "dagster.FunctionComponent", "A",
                                attributes={"execution": {"fn": ".m.f"}, "assets": [{"key": "a", "deps": ["zz"]}]}))
    path = tmp_path / "warn.ddp.json"
    save_project(project, path)
    rc, out, err, _ = run_cli(["validate", str(path)], cli_env, cli_env)
    assert rc == 0, err
    assert out.strip().endswith("(warning)")
