"""`validate --load` exports to a temp folder, loads it with Dagster and prints assets, deps and nodes."""

import json
import subprocess
import sys

import pytest

from dagster_designer_qt.core.model import Edge, Node, Project
from dagster_designer_qt.services.project_store import save_project

SCRIPT = "from dagster_pipes import open_dagster_pipes\nwith open_dagster_pipes() as p:\n    pass\n"


def _script_node(node_id, label, key, x):
    return Node(node_id, "dagster.PythonScriptComponent", label, x, 0,
                attributes={"execution": {"path": "run.py"}, "assets": [{"key": key}]},
                files={"run.py": SCRIPT})


def _run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "dagster_designer_qt", *args], capture_output=True,
                          text=True, timeout=600)


@pytest.mark.slow
def test_validate_load_prints_assets_deps_and_nodes(tmp_path):
    project = Project("Load check")
    project.graph.add_node(_script_node("a", "Extract", "raw/orders", 0))
    project.graph.add_node(_script_node("b", "Report", "reports/daily", 300))
    project.graph.add_edge(Edge("e", "a", "b"))
    path = tmp_path / "p.ddp.json"
    save_project(project, path)

    result = _run("validate", str(path), "--load", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assets = {a["key"]: a for a in data["assets"]}
    assert set(assets) == {"raw/orders", "reports/daily"}
    assert assets["reports/daily"]["deps"] == ["raw/orders"]
    assert assets["reports/daily"]["node_label"] == "Report"
    assert assets["raw/orders"]["node_label"] == "Extract"

    text = _run("validate", str(path), "--load")
    assert text.returncode == 0, text.stderr
    assert "reports/daily  <- Report" in text.stdout
    assert "depends on raw/orders" in text.stdout


@pytest.mark.slow
def test_validate_load_failure_is_one_clear_line(tmp_path):
    project = Project("Needs env")
    node = _script_node("a", "Extract", "raw/orders", 0)
    node.attributes["assets"][0]["description"] = "{{ env('DESIGNER_TEST_UNSET_VAR') }}"
    project.graph.add_node(node)
    path = tmp_path / "p.ddp.json"
    save_project(project, path)
    result = _run("validate", str(path), "--load")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "DESIGNER_TEST_UNSET_VAR" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
