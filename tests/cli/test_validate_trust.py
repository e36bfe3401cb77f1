"""Project trust on the CLI: a template outside the allow-list is reported by `validate`, and
`validate --load` runs it only with `--trust` (a marker file the template would create proves it)."""

import subprocess
import sys

import pytest

from dagster_designer_qt.core.model import Node, Project
from dagster_designer_qt.services.project_store import save_project

SCRIPT = "from dagster_pipes import open_dagster_pipes\nwith open_dagster_pipes() as p:\n    pass\n"


def _run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "dagster_designer_qt", *args], capture_output=True,
                          text=True, timeout=600, cwd=cwd)


def _hostile_project(tmp_path, marker):
    payload = "{{ 'exit ' ~ cycler.__init__.__globals__.os.system('touch " + str(marker) + "') }}"
    project = Project("Hostile")
    project.graph.add_node(Node("a", "dagster.PythonScriptComponent", "Extract", 0, 0,
                                attributes={"execution": {"path": "run.py"},
                                            "assets": [{"key": "raw/orders", "description": payload}]},
                                files={"run.py": SCRIPT}))
    path = tmp_path / "hostile.ddp.json"
    save_project(project, path)
    return path


@pytest.fixture
def hostile(tmp_path):
    marker = tmp_path / "pwned"
    return _hostile_project(tmp_path, marker), marker


def test_validate_reports_the_disallowed_template_on_its_field(hostile):
    path, marker = hostile
    result = _run("validate", str(path))
    assert "Extract: attributes.assets[0].description: this template runs code when Dagster loads the project" \
        in result.stdout, result.stdout + result.stderr
    assert not marker.exists()


def test_validate_load_without_trust_refuses_in_one_line_and_runs_nothing(hostile):
    path, marker = hostile
    result = _run("validate", str(path), "--load")
    assert result.returncode == 1
    err = result.stderr.strip().splitlines()
    assert len(err) == 1 and "untrusted project" in err[0] and "--trust" in err[0], result.stderr
    assert "assets.0.description" in err[0]
    assert "Traceback" not in result.stderr
    assert not marker.exists()


@pytest.mark.slow
def test_validate_load_with_trust_loads_the_project(hostile):
    path, marker = hostile
    result = _run("validate", str(path), "--load", "--trust")
    assert result.returncode == 0, result.stderr
    assert marker.exists()  # the template ran: --trust means exactly that
    assert "raw/orders" in result.stdout


def test_designer_made_project_loads_without_trust_prompt(tmp_path):
    from dagster_designer_qt.services.trust import scan_project

    project = Project("Plain")
    project.graph.add_node(Node("a", "dagster.PythonScriptComponent", "Extract", 0, 0,
                                attributes={"execution": {"path": "run.py"},
                                            "assets": [{"key": "raw", "description": "{{ env('DESC') }}"}]},
                                files={"run.py": SCRIPT}))
    assert not scan_project(project).needs_trust


def _folder_with_own_components(tmp_path, marker):
    """A dg project whose registry module writes ``marker`` when imported."""
    root = tmp_path / "shop"
    (root / "src/shop/components").mkdir(parents=True)
    (root / "src/shop/defs").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "shop"\n\n[tool.dg.project]\nroot_module = "shop"\n'
                                         'registry_modules = ["shop.components"]\n')
    (root / "src/shop/__init__.py").write_text("")
    (root / "src/shop/components/__init__.py").write_text(
        f"from pathlib import Path\nPath({str(marker)!r}).write_text('ran')\n")
    project = Project("Shop")
    path = tmp_path / "shop.ddp.json"
    save_project(project, path)
    return root, path


def test_validate_project_dir_without_trust_imports_nothing(tmp_path):
    marker = tmp_path / "imported"
    root, path = _folder_with_own_components(tmp_path, marker)
    result = _run("validate", str(path), "--project-dir", str(root))
    assert result.returncode == 1
    err = result.stderr.strip().splitlines()
    assert len(err) == 1 and "untrusted project folder (--project-dir)" in err[0] and "--trust" in err[0], \
        result.stderr
    assert "src/shop/components/__init__.py" in err[0] and "Traceback" not in result.stderr
    assert not marker.exists()


@pytest.mark.slow
def test_validate_project_dir_with_trust_lists_the_projects_types(tmp_path):
    marker = tmp_path / "imported"
    root, path = _folder_with_own_components(tmp_path, marker)
    result = _run("validate", str(path), "--project-dir", str(root), "--trust")
    assert result.returncode == 0, result.stderr
    assert marker.exists()  # the registry module was imported: only with --trust


def test_components_project_dir_without_trust_imports_nothing(tmp_path):
    marker = tmp_path / "imported"
    root, _path = _folder_with_own_components(tmp_path, marker)
    result = _run("components", "--project-dir", str(root))
    assert result.returncode == 1 and "--trust" in result.stderr and "Traceback" not in result.stderr
    assert not marker.exists()
