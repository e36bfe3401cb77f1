"""Which interpreter a project uses, its checks, and everything Dagster-side running in it: discovery,
validation against the real models (the long-lived helper) and loads. The project venv has Dagster and a
component package (warehouse_components) that the designer's own environment does not have."""

import ast
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from dagster_designer_qt.core.model import Node, Project
from dagster_designer_qt.helper import dagster_helper
from dagster_designer_qt.services import helper_server, project_python
from dagster_designer_qt.services.loader import LoadError, load_project
from dagster_designer_qt.services.project_python import InterpreterError, check_interpreter, resolve
from dagster_designer_qt.services.registry import ComponentRegistry
from dagster_designer_qt.services.validation import validate_project

WAREHOUSE = "warehouse_components.WarehouseTableComponent"
SITE = Path(__file__).parents[1] / "fixtures"


@pytest.fixture(scope="module")
def venv_registry(project_venv, tmp_path_factory):
    """The component list of the project venv, built once in a helper process there."""
    registry = ComponentRegistry(cache_dir=tmp_path_factory.mktemp("venv_cache"), python=resolve(str(project_venv)))
    registry.load()
    return registry


def _project(attributes):
    project = Project("warehouse")
    project.graph.add_node(Node("n1", WAREHOUSE, "Orders", attributes=attributes))
    return project


# ------------------------------------------------------------- which python
def test_without_setting_or_venv_the_designers_own_is_used(tmp_path):
    resolved = resolve(None, tmp_path)
    assert resolved.own and resolved.source == "designer" and resolved.problem is None
    assert resolved.path == sys.executable and resolved.dagster


def test_the_project_folders_venv_is_used(project_venv, tmp_path):
    os.symlink(project_venv.parent.parent, tmp_path / ".venv")
    resolved = resolve(None, tmp_path)
    assert (resolved.own, resolved.source, resolved.problem) == (False, "venv", None)
    assert resolved.path == str(tmp_path / ".venv" / "bin" / "python")
    assert resolved.describe().startswith("Python: project .venv (Dagster ")


def test_the_projects_setting_wins_over_the_venv_and_may_be_relative(project_venv, tmp_path):
    (tmp_path / ".venv").mkdir()  # a broken .venv that must not be looked at
    os.symlink(project_venv.parent.parent, tmp_path / "envs")
    resolved = resolve("envs/bin/python", tmp_path)
    assert (resolved.own, resolved.source, resolved.problem) == (False, "project", None)
    assert resolved.path == str(tmp_path / "envs" / "bin" / "python")


def test_the_designers_own_venv_set_explicitly_is_the_own_interpreter():
    resolved = resolve(sys.executable, None)
    assert resolved.own and resolved.problem is None


def _bare_venv(path: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    return path / "bin" / "python"


def test_each_failed_check_says_which_and_what_to_do(tmp_path):
    script = tmp_path / "not-python"
    script.write_text("#!/bin/sh\necho hello\n")
    script.chmod(0o755)
    bare = _bare_venv(tmp_path / "bare")
    old = _bare_venv(tmp_path / "old")
    site = next((tmp_path / "old" / "lib").glob("python3*/site-packages"))
    (site / "dagster-1.5.0.dist-info").mkdir()
    cases = {
        str(tmp_path / "missing" / "python"): ("missing", "does not exist"),
        str(script): ("not-python", "not a Python 3 interpreter"),
        str(tmp_path): ("not-python", "is a folder"),
        str(bare): ("no-dagster", "has no Dagster installed; install it there"),
        str(old): ("old-dagster", "has Dagster 1.5.0, older than the 1.13 the designer supports"),
    }
    for path, (kind, text) in cases.items():
        with pytest.raises(InterpreterError) as info:
            check_interpreter(path)
        assert info.value.kind == kind and text in str(info.value), path
        resolved = resolve(path, None)  # the app and the CLI fall back to their own and say so
        assert resolved.own and resolved.path == sys.executable
        assert text in resolved.problem and resolved.problem.endswith("Using the designer's own Python instead.")


def test_the_probe_is_cached_on_disk_for_the_warm_start(project_venv, monkeypatch):
    # an earlier test in this process may have probed it into memory, before this test's own cache folder
    project_python._probe_cache.clear()
    check_interpreter(str(project_venv))
    project_python._probe_cache.clear()
    calls = []
    monkeypatch.setattr(project_python.subprocess, "run", lambda *a, **k: calls.append(a))
    assert check_interpreter(str(project_venv)).dagster  # from the cache file: no process started
    assert calls == []


def test_the_designers_own_dagster_version_is_the_installed_one_without_reading_metadata(monkeypatch):
    import importlib.metadata

    installed = importlib.metadata.version("dagster")
    assert project_python.own_interpreter().dagster == installed  # from the dist-info folder's name
    monkeypatch.setattr(project_python, "dagster_version_in", lambda _paths: None)
    assert project_python.own_interpreter().dagster == installed  # no such folder: the metadata says


def test_a_cached_interpreter_check_is_redone_when_the_venv_is_replaced(tmp_path, monkeypatch):
    python = _bare_venv(tmp_path / "env")
    site = next((tmp_path / "env" / "lib").glob("python3*/site-packages"))
    (site / "dagster-1.13.0.dist-info").mkdir()
    assert check_interpreter(str(python)).dagster == "1.13.0"  # probed once, then cached
    assert check_interpreter(str(python), cached_only=True).dagster == "1.13.0"
    project_python._probe_cache.clear()
    assert check_interpreter(str(python), cached_only=True).sys_path  # the disk cache answers too
    cfg = tmp_path / "env" / "pyvenv.cfg"
    cfg.write_text(cfg.read_text() + "# recreated\n")  # `python -m venv --clear` / `uv venv` again
    with pytest.raises(project_python.NotProbedYet):
        check_interpreter(str(python), cached_only=True)
    assert check_interpreter(str(python)).dagster == "1.13.0"  # probed again


# ---------------------------------------------------------- the helper script
def test_the_helper_script_imports_nothing_of_the_designer():
    tree = ast.parse(Path(dagster_helper.__file__).read_text())
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert not [n for n in names if n.startswith("dagster_designer_qt")]


def test_the_project_venv_has_dagster_but_not_the_designer(project_venv):
    import project_venv as pv  # tests/ is on sys.path (conftest)

    pv.assert_designer_absent(project_venv)


# ------------------------------------------------------------------ discovery
def test_a_type_only_the_project_venv_has_is_listed_with_its_schema(venv_registry):
    info = venv_registry.get(WAREHOUSE)
    assert info is not None and info.error is None
    assert info.distribution == "warehouse-components" and info.version == "0.1.0"
    assert info.category == "warehouse_components" and info.asset_factory
    assert set(info.schema["properties"]) == {"table", "rows"} and info.schema["required"] == ["table"]
    assert venv_registry.get("dagster.PythonScriptComponent") is not None
    assert venv_registry.get("dagster_dbt.DbtProjectComponent") is None  # the designer has it, the venv not


def test_the_project_venvs_list_is_cached_per_interpreter(venv_registry, project_venv):
    warm = ComponentRegistry(cache_dir=venv_registry.cache_dir, python=resolve(str(project_venv)))
    assert warm.load_cached() == venv_registry.components
    own = ComponentRegistry(cache_dir=venv_registry.cache_dir)
    assert own.cache_path != warm.cache_path and own.load_cached() is None


def test_installing_into_the_project_venv_changes_the_cache_key(project_venv, tmp_path):
    import project_venv as pv

    venv = tmp_path / "v"
    python = pv.make_dagster_venv(venv)
    registry = ComponentRegistry(cache_dir=tmp_path / "cache", python=resolve(str(python)))
    before = registry.cache_key()
    pv.install_fixture_package(venv)
    assert ComponentRegistry(cache_dir=tmp_path / "cache", python=resolve(str(python))).cache_key() != before


# ----------------------------------------------------------------- validation
def test_a_wrong_value_is_a_problem_found_by_the_real_model_in_the_venv(venv_registry):
    problems = validate_project(_project({"table": ["orders"], "rows": 3}), venv_registry)
    assert [(p.path, p.code, p.message) for p in problems] == [(("table",), "invalid", "Input should be a valid string")]
    missing = validate_project(_project({"rows": 3}), venv_registry)
    assert [(p.path, p.code) for p in missing] == [(("table",), "missing")]
    assert validate_project(_project({"table": "orders"}), venv_registry) == []


def test_the_validation_helper_restarts_after_it_died_and_stops_cleanly(venv_registry):
    server = helper_server.server_for(venv_registry.python)
    assert validate_project(_project({"table": "orders"}), venv_registry) == []
    pid, starts = server.pid, server.starts
    os.kill(pid, signal.SIGKILL)
    problems = validate_project(_project({"table": 5}), venv_registry)
    assert [p.path for p in problems] == [("table",)]
    assert server.starts == starts + 1 and server.pid != pid
    last = server.pid
    helper_server.stop_all()
    assert not server.alive()
    with pytest.raises(ProcessLookupError):
        os.kill(last, 0)


def test_the_validation_helper_exits_when_the_designer_goes_away(venv_registry):
    server = helper_server.HelperServer(venv_registry.python)
    assert server.request({"op": "ping"})["pong"]
    proc = server._proc
    proc.stdin.close()  # what the OS does when the designer dies
    assert proc.wait(timeout=30) == 0


# ---------------------------------------------------------------------- load
@pytest.mark.slow
def test_a_project_using_the_venvs_type_loads_in_the_venv(venv_registry):
    project = _project({"table": "orders", "rows": 3})
    components = {c.type: c for c in venv_registry.components}
    report = load_project(project, components, python=venv_registry.python)
    assert [(a.key, a.node_label, a.executable) for a in report.assets] == [("orders", "Orders", True)]
    with pytest.raises(LoadError, match="warehouse_components"):
        load_project(project, components)  # the designer's own environment lacks the package


def test_a_project_local_type_is_validated_in_a_helper_not_imported_here(tmp_path):
    from tests.services.test_registry import _write_local_project

    folder = _write_local_project(tmp_path)
    registry = ComponentRegistry(cache_dir=tmp_path / "cache", project_dir=folder)
    registry.load()
    local = "localproj.components.custom.LocalComponent"
    assert registry.get(local).project_local
    project = Project("local")
    project.graph.add_node(Node("n1", local, "Local", attributes={"name": ["x"]}))
    problems = validate_project(project, registry)
    assert [(p.path, p.code) for p in problems] == [(("name",), "invalid")]
    assert not [m for m in sys.modules if m.startswith("localproj")]
    helper_server.stop_all()


def test_cached_only_resolution_never_starts_a_process(project_venv, tmp_path, monkeypatch):
    import project_venv as pv

    fresh = pv.make_dagster_venv(tmp_path / "fresh")
    with pytest.raises(project_python.NotProbedYet):
        resolve(str(fresh), None, cached_only=True)
    assert resolve(str(fresh), None).problem is None  # probes once
    monkeypatch.setattr(project_python.subprocess, "run", lambda *a, **k: pytest.fail("a process was started"))
    assert resolve(str(fresh), None, cached_only=True).path == str(fresh)
