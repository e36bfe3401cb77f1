"""The frozen app discovers, validates with and loads in a project's own venv (issue 13): the helper script
ships as a data file and runs in that venv's Python. Runs only when a current bundle exists."""

import json

import pytest

from tests.packaging.test_bundle import _env, _run, bundle  # noqa: F401 - the fixture

WAREHOUSE = "warehouse_components.WarehouseTableComponent"


@pytest.mark.slow
def test_bundle_lists_a_project_venvs_components(bundle, project_venv, tmp_path):  # noqa: F811
    script = bundle.parent / "_internal" / "dagster_designer_qt" / "helper" / "dagster_helper.py"
    assert script.is_file()
    proc = _run([bundle, "components", "--json", "--python", str(project_venv)], env=_env(tmp_path), cwd=tmp_path)
    types = {row["type"] for row in json.loads(proc.stdout)}
    assert WAREHOUSE in types
