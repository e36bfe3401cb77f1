"""Without a `dbt` executable, `validate --load` on a project with a dbt node names that node (its label),
not a node that only reads its assets, and says what to install."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from projects import build, dbt_node, script  # noqa: E402

from dagster_designer_qt.services.project_store import save_project  # noqa: E402

SRC = Path(__file__).resolve().parents[2] / "src"


def _python_without_dbt(tmp_path: Path) -> Path:
    """A venv whose bin/ has no `dbt` but whose interpreter sees this environment's packages (so the
    loader, which puts the interpreter's bin/ first on PATH, finds no dbt executable)."""
    venv = tmp_path / "nodbt"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "dev_env.pth").write_text(f"{sysconfig.get_paths()['purelib']}\n{SRC}\n")
    return venv / "bin" / "python"


@pytest.mark.slow
def test_validate_load_without_dbt_names_the_dbt_node_and_what_to_install(tmp_path):
    # "Report" reads the dbt node's assets: Dagster's outer error names report[0].
    project = build("Dbt check", [script("up", "Raw orders", ["raw/orders"]), dbt_node(label="Transform"),
                                  script("rep", "Report", ["reports/daily"])],
                    [("up", "dbt"), ("dbt", "rep")])
    path = tmp_path / "p.ddp.json"
    save_project(project, path)
    python = _python_without_dbt(tmp_path)
    env = dict(os.environ, PATH="/usr/bin:/bin")
    result = subprocess.run([str(python), "-m", "dagster_designer_qt", "validate", str(path), "--load"],
                            capture_output=True, text=True, timeout=600, env=env, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    error = result.stderr.strip()
    assert len(error.splitlines()) == 1 and "Traceback" not in error, error
    assert error.startswith("dagster-designer: error: Transform (dagster_dbt.DbtProjectComponent): "
                            "dbt is not installed"), error
    assert 'pip install "dagster-designer-qt[dbt]"' in error
    assert "report[0]" not in error and "Report" not in error.split("Dagster said:")[0]
