"""The PyInstaller bundle and its launcher.

Launcher tests run the launcher script unfrozen (fast, always run). Bundle tests run a bundle that
`packaging/build.sh` built (2-3 minutes, ~300 MB, so the test suite doesn't build it): the one named by
$DAGSTER_DESIGNER_BUNDLE, else packaging/dist/dagster-designer/dagster-designer when it is newer than the
sources. Otherwise they are skipped with the reason (pytest -ra prints it).
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import dagster_designer_qt

ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = ROOT / "packaging" / "launcher.py"
DEFAULT_BUNDLE = ROOT / "packaging" / "dist" / "dagster-designer" / "dagster-designer"
BUNDLE_ENV = "DAGSTER_DESIGNER_BUNDLE"
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
REGISTRY_GROUPS = ("dagster_dg_cli.registry_modules", "dagster_dg.library", "dagster_dg.plugin",
                   "dagster_dg_cli.plugin")
# Qt messages the offscreen platform prints for every window; not errors.
HARMLESS_STDERR = ("This plugin does not support propagateSizeHints()", "dagster-designer: autoclose:")


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env.update(HOME=str(home), XDG_CACHE_HOME=str(home / "cache"), XDG_CONFIG_HOME=str(home / "config"),
               XDG_DATA_HOME=str(home / "data"), QT_QPA_PLATFORM="offscreen",
               DAGSTER_DG_UPDATE_CHECK_ENABLED="0", DAGSTER_TELEMETRY_DISABLED="1")
    env.update(extra)
    return env


def _run(cmd, *, env, cwd, timeout=300) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], env=env, cwd=str(cwd), capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0, (f"{cmd} exited {proc.returncode}\n--- stdout\n{proc.stdout[-4000:]}"
                                  f"\n--- stderr\n{proc.stderr[-4000:]}")
    return proc


def _unexpected_stderr(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip() and not line.startswith(HARMLESS_STDERR)]


# ----------------------------------------------------------------- launcher (unfrozen)

def test_launcher_runs_own_modules_like_python_m(tmp_path):
    proc = _run([sys.executable, LAUNCHER, "-m", "dagster_designer_qt", "--version"],
                env=_env(tmp_path), cwd=tmp_path, timeout=60)
    assert proc.stdout.strip() == f"dagster-designer {dagster_designer_qt.__version__}"


def test_launcher_refuses_other_modules(tmp_path):
    proc = subprocess.run([sys.executable, str(LAUNCHER), "-m", "json.tool", "--help"], env=_env(tmp_path),
                          cwd=str(tmp_path), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "-m accepts only dagster_designer_qt modules" in proc.stderr


def test_launcher_autoclose_closes_the_main_window(tmp_path):
    proc = _run([sys.executable, LAUNCHER], env=_env(tmp_path, DAGSTER_DESIGNER_AUTOCLOSE_MS="500"),
                cwd=tmp_path, timeout=120)
    assert "dagster-designer: autoclose: windows=['mainWindow:" in proc.stderr
    assert not _unexpected_stderr(proc.stderr), proc.stderr


# ----------------------------------------------------------------- the bundle

def _sources_newer_than(stamp: float) -> list[Path]:
    newer = []
    for folder in (ROOT / "src", ROOT / "resources", ROOT / "packaging"):
        for path in folder.rglob("*"):
            if "dist" in path.relative_to(ROOT).parts[:2] or "build" in path.relative_to(ROOT).parts[:2]:
                continue
            if "__pycache__" in path.parts or not path.is_file():
                continue
            if path.stat().st_mtime > stamp:
                newer.append(path)
    return newer


@pytest.fixture(scope="module")
def bundle() -> Path:
    named = os.environ.get(BUNDLE_ENV)
    if named:
        exe = Path(named)
        assert exe.is_file(), f"${BUNDLE_ENV}={named} is not a file"
        return exe
    if not DEFAULT_BUNDLE.is_file():
        pytest.skip(f"no bundle: run packaging/build.sh (or set ${BUNDLE_ENV})")
    newer = _sources_newer_than(DEFAULT_BUNDLE.stat().st_mtime)
    if newer:
        pytest.skip(f"{DEFAULT_BUNDLE} is older than {len(newer)} source files (e.g. "
                    f"{newer[0].relative_to(ROOT)}): rebuild with packaging/build.sh")
    return DEFAULT_BUNDLE


def _internal(bundle: Path) -> Path:
    return bundle.parent / "_internal"


@pytest.mark.slow
def test_bundle_reports_its_version(bundle, tmp_path):
    proc = _run([bundle, "--version"], env=_env(tmp_path), cwd=tmp_path, timeout=60)
    assert proc.stdout.strip() == f"dagster-designer {dagster_designer_qt.__version__}"


@pytest.mark.slow
def test_bundle_carries_metadata_of_every_component_package(bundle):
    """Entry-point discovery reads dist-info: every registry distribution of this environment is there."""
    internal = _internal(bundle)
    bundled = {p.name.split("-")[0].lower() for p in internal.glob("*.dist-info")}
    for group in REGISTRY_GROUPS:
        for ep in importlib.metadata.entry_points(group=group):
            name = ep.dist.metadata["Name"].replace("-", "_").lower()
            assert name in bundled, f"{name} (registers {ep.value} in {group}) has no dist-info in the bundle"
            ep_file = next(internal.glob(f"{name}-*.dist-info")) / "entry_points.txt"
            assert group in ep_file.read_text()


@pytest.mark.slow
def test_bundle_has_qt_platform_plugins_resources_and_desktop_entry(bundle):
    internal = _internal(bundle)
    plugins = internal / "PySide6" / ("plugins" if sys.platform == "win32" else "Qt/plugins")
    platforms = {p.name for p in (plugins / "platforms").iterdir()}
    expected = {"win32": {"qoffscreen.dll", "qminimal.dll", "qwindows.dll"},
                "darwin": {"libqoffscreen.dylib", "libqminimal.dylib", "libqcocoa.dylib"}}
    assert expected.get(sys.platform, {"libqoffscreen.so", "libqminimal.so", "libqxcb.so"}) <= platforms
    resources = internal / "dagster_designer_qt" / "resources"
    assert (resources / "icons" / "app" / "dagster-designer.svg").is_file()
    assert (resources / "examples" / "analytics.ddp.json").is_file()
    assert (bundle.parent / "io.github.dagster_designer.DagsterDesigner.desktop").is_file()
    assert (resources / "desktop" / "dagster-designer-mime.xml").is_file()


@pytest.mark.slow
def test_bundle_lists_every_component_type(bundle, tmp_path):
    # A fresh cache dir: the registry rebuilds the list in a helper process (`<bundle> -m ...worker`).
    proc = _run([bundle, "components", "--json"], env=_env(tmp_path), cwd=tmp_path)
    rows = json.loads(proc.stdout)
    types = {row["type"] for row in rows}
    assert EXPECTED_TYPES <= types, f"missing: {sorted(EXPECTED_TYPES - types)}"
    assert not [row for row in rows if row.get("error")], [r["error"] for r in rows if r.get("error")]


@pytest.mark.slow
def test_bundle_exports_the_example_and_dagster_loads_it(bundle, tmp_path):
    example = _internal(bundle) / "dagster_designer_qt" / "resources" / "examples" / "analytics.ddp.json"
    out = tmp_path / "exported"
    _run([bundle, "export", example, "--out", out], env=_env(tmp_path), cwd=tmp_path)
    assert "[tool.dg]" in (out / "pyproject.toml").read_text()
    # Load it with this environment's Dagster (as a user would in their own venv), after filling in
    # .env the way the export's README asks (dummy values: loading connects to nothing).
    example_env = out / ".env.example"
    if example_env.exists():
        names = [line.split("=", 1)[0].strip() for line in example_env.read_text().splitlines()
                 if "=" in line and not line.lstrip().startswith("#")]
        (out / ".env").write_text("".join(f"{name}=placeholder\n" for name in names))
    dg = Path(sys.executable).parent / "dg"
    if not dg.exists():
        pytest.skip("dagster-dg-cli is not installed (test extra)")
    src = out / "src"
    env = _env(tmp_path, PYTHONPATH=str(src), PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    (tmp_path / "dagster_home").mkdir(exist_ok=True)
    (tmp_path / "dagster_home" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    env["DAGSTER_HOME"] = str(tmp_path / "dagster_home")
    proc = _run([dg, "list", "defs", "--json"], env=env, cwd=out, timeout=300)
    assets = json.loads(proc.stdout)["assets"]
    keys = {a["asset_key"] for a in assets}
    assert {"analytics/clean_orders", "analytics/daily_revenue"} <= keys, sorted(keys)
    deps = {a["asset_key"]: a["dependency_keys"] for a in assets}
    assert deps["analytics/daily_revenue"] == ["analytics/clean_orders"]


@pytest.mark.slow
@pytest.mark.parametrize("open_example", [False, True], ids=["empty", "example"])
def test_bundle_opens_its_main_window_offscreen(bundle, tmp_path, open_example):
    args = [bundle]
    if open_example:
        args.append(_internal(bundle) / "dagster_designer_qt" / "resources" / "examples" / "analytics.ddp.json")
    proc = _run(args, env=_env(tmp_path, DAGSTER_DESIGNER_AUTOCLOSE_MS="2000"), cwd=tmp_path, timeout=120)
    title = "Analytics" if open_example else ""
    assert f"dagster-designer: autoclose: windows=['mainWindow:{title}" in proc.stderr, proc.stderr
    assert not _unexpected_stderr(proc.stderr), proc.stderr


@pytest.mark.slow
def test_bundle_does_not_need_the_build_environment(bundle, tmp_path):
    """A copy of the bundle elsewhere, with PATH reduced to system folders, still lists components."""
    copy = tmp_path / "copy"
    shutil.copytree(bundle.parent, copy, symlinks=True)
    env = _env(tmp_path, PATH="/usr/bin:/bin")
    proc = _run([copy / bundle.name, "components"], env=env, cwd=tmp_path)
    assert "dagster_dbt.DbtProjectComponent" in proc.stdout


@pytest.mark.slow
def test_bundle_children_see_the_users_environment(bundle, tmp_path):
    """A program the bundle starts (`env`) sees the user's LD_LIBRARY_PATH unchanged and nothing of the
    bundle in QT_PLUGIN_PATH, QML2_IMPORT_PATH or PYTHONPATH."""
    if shutil.which("env") is None:
        pytest.skip("no `env` program on this system")
    env = _env(tmp_path, LD_LIBRARY_PATH="/opt/user lib:/usr/local/lib")
    env.pop("QT_PLUGIN_PATH", None)
    proc = _run([bundle, "-m", "dagster_designer_qt.child_env", "--run", "env"], env=env, cwd=tmp_path)
    child = dict(line.split("=", 1) for line in proc.stdout.splitlines() if "=" in line)
    assert child.get("LD_LIBRARY_PATH") == "/opt/user lib:/usr/local/lib", child.get("LD_LIBRARY_PATH")
    internal = str(_internal(bundle).parent)
    for name in ("QT_PLUGIN_PATH", "QML2_IMPORT_PATH", "PYTHONPATH", "LD_LIBRARY_PATH"):
        assert internal not in child.get(name, ""), f"{name}={child[name]} points into the bundle"


@pytest.mark.slow
def test_bundle_metadata_does_not_point_at_the_build_machine(bundle):
    """Built from the wheel: the app's dist-info is the wheel's, with no direct_url.json naming a checkout."""
    internal = _internal(bundle)
    (own,) = internal.glob("dagster_designer_qt-*.dist-info")
    assert not (own / "direct_url.json").exists(), (own / "direct_url.json").read_text()
    for direct_url in internal.glob("*.dist-info/direct_url.json"):
        assert str(ROOT) not in direct_url.read_text(), f"{direct_url} names the build folder"
