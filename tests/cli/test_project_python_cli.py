"""`--python PATH` on components, validate and export: a component type only the project's venv has is
listed, validated by its real model, exported and loaded by Dagster in that venv."""

import json
import os
import subprocess
import sys

import pytest

from dagster_designer_qt.core.model import Node, Project
from dagster_designer_qt.services.project_store import load_project, save_project

WAREHOUSE = "warehouse_components.WarehouseTableComponent"


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory):
    """One cache folder for the module's CLI calls, so only the first lists the venv's components."""
    return tmp_path_factory.mktemp("cli_cache")


def _run(cache, *args):
    env = dict(os.environ, XDG_CACHE_HOME=str(cache))
    return subprocess.run([sys.executable, "-m", "dagster_designer_qt", *args], capture_output=True, text=True,
                          timeout=600, env=env)


def _save(tmp_path, attributes, name="p.ddp.json"):
    project = Project("warehouse")
    project.graph.add_node(Node("n1", WAREHOUSE, "Orders", attributes=attributes))
    path = tmp_path / name
    save_project(project, path)
    return path


def test_components_lists_the_venvs_own_type(project_venv, shared_cache):
    result = _run(shared_cache, "components", "--json", "--python", str(project_venv))
    assert result.returncode == 0, result.stderr
    by_type = {c["type"]: c for c in json.loads(result.stdout)}
    assert by_type[WAREHOUSE]["distribution"] == "warehouse-components"
    assert by_type[WAREHOUSE]["schema"]["required"] == ["table"]
    assert "dagster_dbt.DbtProjectComponent" not in by_type  # the designer's, not the venv's
    own = _run(shared_cache, "components", "--json")
    assert WAREHOUSE not in {c["type"] for c in json.loads(own.stdout)}


def test_validate_reports_a_wrong_value_from_the_venvs_model(project_venv, shared_cache, tmp_path):
    path = _save(tmp_path, {"table": ["orders"]})
    result = _run(shared_cache, "validate", str(path), "--python", str(project_venv))
    assert result.returncode == 1
    assert result.stdout.strip() == "Orders: attributes.table: Input should be a valid string"


@pytest.mark.slow
def test_export_and_validate_load_in_the_venv(project_venv, shared_cache, tmp_path):
    path = _save(tmp_path, {"table": "orders", "rows": 3})
    out = tmp_path / "exported"
    exported = _run(shared_cache, "export", str(path), "--out", str(out), "--python", str(project_venv))
    assert exported.returncode == 0, exported.stderr
    defs = list(out.glob("src/*/defs/*/defs.yaml"))
    assert len(defs) == 1 and f"type: {WAREHOUSE}" in defs[0].read_text()
    loaded = _run(shared_cache, "validate", str(path), "--load", "--json", "--python", str(project_venv))
    assert loaded.returncode == 0, loaded.stderr
    assets = json.loads(loaded.stdout)["assets"]
    assert [(a["key"], a["node_label"]) for a in assets] == [("orders", "Orders")]


def test_without_python_flag_the_project_folders_venv_is_used(project_venv, shared_cache, tmp_path):
    os.symlink(project_venv.parent.parent, tmp_path / ".venv")
    result = _run(shared_cache, "components", "--json", "--project-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert WAREHOUSE in {c["type"] for c in json.loads(result.stdout)}


def test_the_project_files_python_setting_is_used(project_venv, shared_cache, tmp_path):
    os.symlink(project_venv.parent.parent, tmp_path / "env")
    path = _save(tmp_path, {"table": "orders"})
    project = load_project(path)
    project.python = "env/bin/python"
    save_project(project, path)
    assert json.loads(path.read_text())["python"] == "env/bin/python"
    result = _run(shared_cache, "validate", str(path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_bad_python_is_one_warning_and_the_designers_own_is_used(shared_cache, tmp_path):
    path = _save(tmp_path, {"table": "orders"})
    missing = tmp_path / "nope" / "python"
    result = _run(shared_cache, "validate", str(path), "--python", str(missing))
    assert result.stderr.strip() == (f"warning: the project's Python interpreter {missing} does not exist; choose "
                                     "another in Project properties (or pass --python). Using the designer's "
                                     "own Python instead.")
    assert result.returncode == 1 and "unknown component type" in result.stdout  # the designer lacks it
