"""Running projects: the CLI on the shipped example (real Dagster, real DuckDB), a failing script, Cancel,
`dagster dev` on loopback, and the checks made before a run starts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dagster_designer_qt.core.model import Edge, Node, Project
from dagster_designer_qt.services import run_service
from dagster_designer_qt.services.project_store import save_project
from dagster_designer_qt.services.run_service import RunError, RunProcess, prepare_run, preflight

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "resources" / "examples" / "orders_report.ddp.json"

pytestmark = pytest.mark.slow


def _cli_env(base: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(HOME=str(base), XDG_DATA_HOME=str(base / "data"), XDG_CONFIG_HOME=str(base / "config"),
               XDG_CACHE_HOME=str(base / "cache"), DAGSTER_TELEMETRY_DISABLED="1")
    env.pop("DAGSTER_HOME", None)  # the designer's own instance for the project
    return env


def _cli(args: list[str], base: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dagster_designer_qt", *args], capture_output=True, text=True,
                          env=_cli_env(base), timeout=600)


@pytest.fixture(scope="module")
def example_run(tmp_path_factory):
    """One CLI run of the example, shared by the tests that read its outcome."""
    base = tmp_path_factory.mktemp("cli-run")
    proc = _cli(["run", str(EXAMPLE), "--json"], base)
    return base, proc


def test_cli_runs_the_example_and_every_asset_materializes_with_real_row_counts(example_run):
    base, proc = example_run
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = json.loads(proc.stdout)
    assert out["success"] is True
    by_key = {a["key"]: a for a in out["assets"]}
    assert set(by_key) == {"raw/orders", "staging/clean_orders", "reports/revenue_by_customer"}
    assert all(a["status"] == "materialized" for a in by_key.values())
    assert by_key["raw/orders"]["node_label"] == "Load orders"
    # the shipped CSV has 62 lines; the SQL drops 2 refunds, 3 orders without a customer and 1 duplicate
    assert by_key["raw/orders"]["metadata"]["rows"] == "62"
    assert by_key["staging/clean_orders"]["metadata"]["rows"] == "56"
    assert by_key["staging/clean_orders"]["metadata"]["rows_dropped"] == "6"
    assert by_key["reports/revenue_by_customer"]["metadata"]["rows"] == "8"


def test_the_run_uses_a_designer_managed_instance_and_run_folder(example_run):
    base, proc = example_run
    runs = base / "data" / "dagster-designer" / "runs"
    (folder,) = list(runs.iterdir())
    home = folder / "dagster_home"
    assert (home / "dagster.yaml").is_file()
    assert (home / "storage").is_dir() or (home / "history").is_dir()  # the run was recorded there
    report = folder / "project" / "reports" / "revenue_by_customer.csv"
    assert report.read_text().splitlines()[0] == "customer,orders,revenue"
    assert len(report.read_text().splitlines()) == 9
    assert not (base / ".dagster").exists()


def _project(nodes: list[Node], edges: list[tuple[str, str]] = ()) -> Project:
    project = Project("Run test", project_id="r" * 32, created_at="2024-01-01T00:00:00Z",
                      updated_at="2024-01-01T00:00:00Z")
    project.graph.load(nodes, [Edge(id=f"e{i}", source=s, target=t) for i, (s, t) in enumerate(edges)])
    return project


def _script(node_id: str, label: str, key: str, body: str) -> Node:
    code = "from dagster_pipes import open_dagster_pipes\n\nwith open_dagster_pipes() as pipes:\n" + "".join(
        f"    {line}\n" for line in body.splitlines()) + "    pipes.report_asset_materialization(metadata={'rows': 1})\n"
    return Node(id=node_id, component_type="dagster.PythonScriptComponent", label=label,
                attributes={"execution": {"path": f"{node_id}.py"}, "assets": [{"key": key}]},
                files={f"{node_id}.py": code})


def test_a_script_that_raises_fails_its_node_only_and_the_cli_names_it(tmp_path):
    project = _project([
        _script("aaaa", "Extract", "extract", "print('extracting')"),
        _script("bbbb", "Broken step", "broken", "raise ValueError('column amount_eur does not exist')"),
        _script("cccc", "Independent", "independent", "pipes.log.info('fine')"),
        _script("dddd", "After broken", "after", "pass"),
    ], [("aaaa", "bbbb"), ("bbbb", "dddd")])
    path = tmp_path / "broken.ddp.json"
    save_project(project, path)
    proc = _cli(["run", str(path)], tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = {line.split()[1]: line for line in proc.stdout.splitlines()}
    assert lines["extract"].startswith("materialized")
    assert lines["independent"].startswith("materialized")
    assert lines["broken"].startswith("failed")
    assert "(Broken step)" in lines["broken"] and "ValueError: column amount_eur does not exist" in lines["broken"]
    assert lines["after"].startswith("skipped") and "upstream failed: broken" in lines["after"]
    assert "Traceback (most recent call last)" in proc.stderr and "bbbb.py" in proc.stderr


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    status = Path(f"/proc/{pid}/status")
    try:  # a zombie waiting for its (new) parent to reap it has stopped running
        return "\nState:\tZ" in status.read_text()
    except OSError:
        return True


@pytest.mark.skipif(os.name != "posix", reason="checks pids through POSIX signals")
def test_cancel_stops_a_long_run_and_leaves_no_process_behind(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    pid_file = tmp_path / "script.pid"
    project = _project([_script("slow", "Slow", "slow",
                                f"import os, time\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
                                "pipes.log.info('sleeping')\ntime.sleep(600)")])
    process = RunProcess(prepare_run(project)).start()
    seen = []
    for event in process.events():
        seen.append(event["event"])
        if event["event"] == "log" and event.get("message") == "sleeping":
            break
    script_pid = int(pid_file.read_text())
    helper_pid = process.pid
    started = time.monotonic()
    process.cancel()
    rest = [e["event"] for e in process.events()]
    assert rest[-1] == "cancelled"
    assert time.monotonic() - started < 30
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not (_gone(helper_pid) and _gone(script_pid)):
        time.sleep(0.1)
    assert _gone(helper_pid) and _gone(script_pid)


# ------------------------------------------------------------------ before a run
def test_preflight_names_a_missing_environment_variable_and_its_node(tmp_path):
    node = Node(id="n1", component_type="dagster.PythonScriptComponent", label="Load API",
                attributes={"execution": {"path": "a.py"}, "assets": [{"key": "a", "description": "{{ env('API_TOKEN') }}"}]})
    problems = preflight(_project([node]), tmp_path, environ={"PATH": ""})
    assert len(problems) == 1
    assert problems[0].startswith("Load API: environment variable API_TOKEN is not set")
    (tmp_path / ".env").write_text("API_TOKEN=abc\n")
    assert preflight(_project([node]), tmp_path, environ={"PATH": ""}) == []


def test_preflight_names_a_missing_dbt_or_sling_and_how_to_install_it(tmp_path):
    dbt = Node(id="d", component_type="dagster_dbt.DbtProjectComponent", label="Transform",
               attributes={"project": "dbt_project"})
    sling = Node(id="s", component_type="dagster_sling.SlingReplicationCollectionComponent", label="Ingest",
                 attributes={"replications": [{"path": "r.yaml"}]})
    fake_python = tmp_path / "bin" / "python"
    problems = preflight(_project([dbt, sling]), None, python=str(fake_python),
                         environ={"PATH": str(tmp_path / "empty"), "SLING_HOME_DIR": str(tmp_path / "sling")})
    assert any(p.startswith("Transform: the dbt executable is not installed: pip install dbt-core") for p in problems)
    assert any(p.startswith("Ingest: the sling binary is not installed") and "SLING_BINARY" in p for p in problems)
    # the dbt that comes with this environment is found beside its interpreter
    assert not any("dbt" in p for p in preflight(_project([dbt]), None, environ={"PATH": ""}))


def test_prepare_refuses_to_run_with_the_preflight_problems(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("MISSING_VAR_FOR_TEST", raising=False)
    node = Node(id="n1", component_type="dagster.PythonScriptComponent", label="Uses env",
                attributes={"execution": {"path": "a.py"}, "assets": [{"key": "{{ env('MISSING_VAR_FOR_TEST') }}"}]})
    with pytest.raises(RunError, match="Uses env: environment variable MISSING_VAR_FOR_TEST is not set"):
        prepare_run(_project([node]))


def test_dagster_home_is_the_users_only_when_set(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    project = _project([])
    mine = run_service.dagster_home(project, environ={})
    assert mine == run_service.run_folder(project) / "dagster_home"
    assert str(mine).startswith(str(tmp_path / "data"))
    assert "telemetry" in (mine / "dagster.yaml").read_text()
    assert run_service.dagster_home(project, environ={"DAGSTER_HOME": "/srv/dagster"}) == Path("/srv/dagster")


def test_cli_select_with_upstream_runs_that_node_and_what_it_needs_only(tmp_path):
    proc = _cli(["run", str(EXAMPLE), "--select", "Clean orders", "--upstream"], tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert sorted(line.split()[1] for line in lines) == ["raw/orders", "staging/clean_orders"]
    assert all(line.startswith("materialized") for line in lines)


def test_cli_select_of_an_unknown_label_names_the_nodes(tmp_path):
    proc = _cli(["run", str(EXAMPLE), "--select", "Nope"], tmp_path)
    assert proc.returncode == 1
    assert "no node labelled 'Nope'" in proc.stderr and "Clean orders" in proc.stderr
