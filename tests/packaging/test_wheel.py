"""The wheel works when installed: build it, install it into a fresh venv outside the source tree, and run
the installed `dagster-designer` there (component listing, export of the bundled example).

One test on purpose: under pytest-xdist, tests sharing a session fixture can land on different workers and
build/install everything twice. It takes ~1-2 minutes: the wheel build (hatchling from pip's cache), a venv
without pip (the outer pip installs into it with ``--python``), dependencies from pip's cache pinned to the
versions of the running environment (so the resolver never backtracks and the tested versions match).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from dagster_designer_qt.services.project_store import save_project

ROOT = Path(__file__).resolve().parents[2]
EXPECTED_TYPES = {
    "dagster.DefinitionsComponent",
    "dagster.DefsFolderComponent",
    "dagster.FunctionComponent",
    "dagster.PythonScriptComponent",
    "dagster.TemplatedSqlComponent",
    "dagster.UvRunComponent",
    "dagster_dbt.DbtProjectComponent",
    "dagster_dbt.DbtCloudComponent",
    "dagster_sling.SlingReplicationCollectionComponent",
    "dagster_fivetran.FivetranAccountComponent",
}
EXAMPLE_IN_PACKAGE = "dagster_designer_qt/resources/examples/analytics.ddp.json"


def _real_pip_cache_dir() -> str:
    # Computed at import, before tests/conftest.py points HOME/XDG_CACHE_HOME at a temporary folder:
    # the wheels must come from the real pip cache, not be downloaded again.
    if os.environ.get("PIP_CACHE_DIR"):
        return os.environ["PIP_CACHE_DIR"]
    import platformdirs

    return platformdirs.user_cache_dir("pip", appauthor=False)


PIP_CACHE_DIR = _real_pip_cache_dir()


def _run(cmd: list[str], *, env: dict[str, str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [str(c) for c in cmd], env=env, cwd=str(cwd), capture_output=True, text=True, timeout=timeout
    )
    assert proc.returncode == 0, (
        f"{' '.join(map(str, cmd))} exited {proc.returncode}\n--- stdout\n{proc.stdout[-4000:]}"
        f"\n--- stderr\n{proc.stderr[-4000:]}"
    )
    return proc


def _pip_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PIP_REQUIRE_VIRTUALENV")}
    env.update(PIP_CACHE_DIR=PIP_CACHE_DIR, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1", HOME=str(home))
    return env


def _constraints() -> str:
    """`name==version` for every distribution of the running environment except this project."""
    out = subprocess.run(
        [sys.executable, "-m", "pip", "list", "--format=json", "--exclude-editable"],
        capture_output=True, text=True, check=True,
    ).stdout
    lines = []
    for row in json.loads(out):
        name = row["name"]
        if re.sub(r"[-_.]+", "-", name.lower()) in ("dagster-designer-qt", "pip", "setuptools", "wheel"):
            continue
        lines.append(f"{name}=={row['version']}")
    return "\n".join(sorted(lines)) + "\n"


def _app_env(home: Path) -> dict[str, str]:
    """The environment the installed app runs in: nothing pointing at the source tree or the dev venv."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env.update(
        HOME=str(home),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        QT_QPA_PLATFORM="offscreen",
        DAGSTER_DG_UPDATE_CHECK_ENABLED="0",
        DAGSTER_TELEMETRY_DISABLED="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


@pytest.mark.slow
def test_wheel_installs_and_runs_outside_source_tree(tmp_path: Path) -> None:
    work = tmp_path / "work"  # cwd of every command: outside the source tree
    work.mkdir()
    home = tmp_path / "home"
    home.mkdir()
    assert ROOT not in tmp_path.parents

    # 1. Build the wheel (pip's build isolation gets hatchling from the cache or PyPI).
    wheel_dir = tmp_path / "wheel"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", wheel_dir, ROOT],
         env=_pip_env(home), cwd=work)
    (wheel,) = wheel_dir.glob("dagster_designer_qt-*.whl")

    # 2. The wheel holds the package, resources/ under the package, and both entry points.
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        assert "dagster_designer_qt/cli.py" in names
        assert EXAMPLE_IN_PACKAGE in names
        assert "dagster_designer_qt/resources/icons/app/dagster-designer.svg" in names
        assert "dagster_designer_qt/resources/icons/app/dagster-designer-256.png" in names
        assert not any(n.startswith(("resources/", "tests/", "src/")) for n in names), "stray top-level files"
        (ep_name,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        entry_points = zf.read(ep_name).decode()
    assert "[console_scripts]\ndagster-designer = dagster_designer_qt.cli:main" in entry_points
    assert "[gui_scripts]\ndagster-designer-gui = dagster_designer_qt.cli:gui_main" in entry_points

    # 3. A fresh venv (no pip inside, no system site-packages); the outer pip installs into it.
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], env=_pip_env(home), cwd=work)
    vpython = venv / "bin" / "python"
    constraints = tmp_path / "constraints.txt"
    constraints.write_text(_constraints())
    # With the dbt extra: dbt projects must load and run in the installed app's environment.
    _run([sys.executable, "-m", "pip", "--python", vpython, "install", "--quiet",
          "--constraint", constraints, f"{wheel}[dbt]"], env=_pip_env(home), cwd=work, timeout=900)
    app = venv / "bin" / "dagster-designer"
    assert app.exists() and (venv / "bin" / "dagster-designer-gui").exists()
    env = _app_env(home)

    # 4. The package and its resources come from the venv, not from the source tree.
    probe = _run([vpython, "-c", (
        "import json, sys, dagster_designer_qt as p; from pathlib import Path; "
        "import importlib.resources as r; "
        "ex = r.files('dagster_designer_qt') / 'resources' / 'examples' / 'analytics.ddp.json'; "
        "print(json.dumps({'file': p.__file__, 'example': str(ex), 'exists': ex.is_file(), "
        "'path': sys.path}))"
    )], env=env, cwd=work)
    info = json.loads(probe.stdout)
    site = venv.resolve()
    assert Path(info["file"]).resolve().is_relative_to(site), info["file"]
    assert Path(info["example"]).resolve().is_relative_to(site) and info["exists"], info
    assert not any(p and Path(p).resolve().is_relative_to(ROOT) for p in info["path"]), info["path"]
    example = Path(info["example"])

    # The app's own resolver (ui/resources.py, importable without Qt) finds the installed copy too.
    resolved = _run([vpython, "-c", (
        "from dagster_designer_qt.ui import resources as r; import json; "
        "print(json.dumps([str(r.resources_root()), str(r.resource_path('examples', 'analytics.ddp.json'))]))"
    )], env=env, cwd=work)
    root_dir, resolved_example = map(Path, json.loads(resolved.stdout))
    assert root_dir.resolve().is_relative_to(site), root_dir
    assert resolved_example.resolve() == example.resolve()

    # 5. --version, then every installed component type, listed by the installed app.
    version = _run([app, "--version"], env=env, cwd=work).stdout
    assert re.fullmatch(r"dagster-designer \d+\.\d+\.\d+\S*\n", version), version
    listed = _run([app, "components", "--json"], env=env, cwd=work, timeout=300)
    rows = json.loads(listed.stdout)
    errors = [row["error"] for row in rows if row.get("error")]
    assert not errors, f"component packages that fail to import in the installed app: {errors}"
    types = {row["type"] for row in rows}
    assert EXPECTED_TYPES <= types, f"missing: {sorted(EXPECTED_TYPES - types)}"

    # 6. Export the example shipped inside the installed package.
    out = tmp_path / "exported"
    _run([app, "export", example, "--out", out], env=env, cwd=work, timeout=300)
    pyproject = (out / "pyproject.toml").read_text()
    assert "[tool.dg]" in pyproject
    defs_yaml = list(out.glob("src/*/defs/**/defs.yaml"))
    assert defs_yaml, f"no defs.yaml exported under {out}"
    assert not any(ROOT.as_posix() in p.read_text() for p in out.rglob("*") if p.is_file() and p.suffix in
                   (".toml", ".yaml", ".py", ".json", ".md")), "the export refers to the source tree"

    # 7. The Dagster home and environment of the loads below. (The exported example is not loaded here:
    #    step 8 loads and runs an exported project with the Dagster the wheel brought in, and
    #    tests/integration/test_load_exported.py loads the example itself.)
    load_env = dict(env, DAGSTER_HOME=str(home / "dagster_home"))
    (home / "dagster_home").mkdir(exist_ok=True)
    (home / "dagster_home" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")

    # 8. The dbt extra: a project with a dbt node loads (`validate --load`, dbt from the venv's bin/) and
    #    its dbt models run against DuckDB.
    assert (venv / "bin" / "dbt").exists(), "the dbt extra did not install a dbt executable"
    design = tmp_path / "dbt_design.ddp.json"
    save_project(_dbt_design(), design)
    warehouse = tmp_path / "warehouse.duckdb"
    checked = _run([app, "validate", design, "--load", "--json"], env=dict(env, DD_DUCKDB=str(warehouse)),
                   cwd=work, timeout=600)
    assets = {a["key"]: a for a in json.loads(checked.stdout)["assets"]}
    assert assets["order_totals"]["deps"] == ["stg_orders"] and assets["order_totals"]["node_label"] == "Models"
    dbt_out = tmp_path / "dbt_exported"
    _run([app, "export", design, "--out", dbt_out], env=env, cwd=work, timeout=300)
    run_env = dict(load_env, PYTHONPATH=str(dbt_out / "src"), DAGSTER_IS_DEV_CLI="1", DD_DUCKDB=str(warehouse),
                   PATH=f"{venv / 'bin'}{os.pathsep}{env['PATH']}")
    ran = _run([vpython, "-W", "ignore", "-c", (
        "import sys; from pathlib import Path; import dagster as dg; "
        "from dagster.components.core.component_tree import ComponentTree; "
        "defs = ComponentTree.for_project(Path(sys.argv[1])).build_defs(); "
        "result = defs.resolve_implicit_global_asset_job_def().execute_in_process(); "
        "print('SUCCESS' if result.success else 'FAILED')"
    ), dbt_out], env=run_env, cwd=dbt_out, timeout=600)
    assert ran.stdout.strip().splitlines()[-1] == "SUCCESS", ran.stdout[-3000:] + ran.stderr[-3000:]
    rows = _run([vpython, "-c", "import duckdb, sys; print(duckdb.connect(sys.argv[1], read_only=True)"
                 ".sql('select total from order_totals').fetchall())", warehouse], env=env, cwd=work)
    assert rows.stdout.strip() == "[(60,)]", rows.stdout


DBT_FILES = {
    "dbt_project/dbt_project.yml": 'name: shop\nversion: "1.0.0"\nconfig-version: 2\nprofile: shop\n'
                                   'model-paths: ["models"]\n',
    # The warehouse file comes from the environment: an absolute path, whatever dbt's working folder.
    "dbt_project/profiles.yml": "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
                                "      path: \"{{ env_var('DD_DUCKDB') }}\"\n      threads: 1\n",
    "dbt_project/models/stg_orders.sql": "select * from (values (1, 10), (2, 20), (3, 30)) as t(id, amount)\n",
    "dbt_project/models/order_totals.sql": "select sum(amount) as total from {{ ref('stg_orders') }}\n",
}


def _dbt_design():
    from dagster_designer_qt.core.model import Node, Project

    project = Project("Shop")
    project.graph.add_node(Node("dbt", "dagster_dbt.DbtProjectComponent", "Models", 0, 0,
                                attributes={"project": "dbt_project"}, files=dict(DBT_FILES)))
    return project
