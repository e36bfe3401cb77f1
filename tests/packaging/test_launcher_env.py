"""The bundle's launcher gives children the user's own environment (packaging/launcher.py).

Runs the launcher unfrozen, as the frozen app would run it: a small driver marks the process frozen with
a bundle folder, sets the variables the bootloader and PyInstaller's PySide6 runtime hook set, runs the
launcher's `-m dagster_designer_qt.child_env --run env` and reads what a real child process (`env`) got.
The bundle-level check of the same is in test_bundle.py (when a bundle exists)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = ROOT / "packaging" / "launcher.py"

DRIVER = """
import os, runpy, sys
bundle = sys.argv[1]
sys.frozen = True
sys._MEIPASS = os.path.join(bundle, "_internal")
sys.executable = os.path.join(bundle, "dagster-designer")
sys.argv = [sys.executable, "-m", "dagster_designer_qt.child_env", "--run", "env"]
runpy.run_path(os.environ["LAUNCHER"], run_name="__main__")
"""


def _load_launcher():
    spec = importlib.util.spec_from_file_location("dd_launcher", LAUNCHER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _child_env(tmp_path: Path, **variables: str) -> dict[str, str]:
    if shutil.which("env") is None:
        pytest.skip("no `env` program on this system")
    bundle = tmp_path / "My Bundle"
    env = {k: v for k, v in os.environ.items()
           if k not in ("LD_LIBRARY_PATH", "LD_LIBRARY_PATH_ORIG", "QT_PLUGIN_PATH", "QML2_IMPORT_PATH",
                        "PYTHONPATH")}
    env.update({k: v.replace("BUNDLE", str(bundle)) for k, v in variables.items()}, LAUNCHER=str(LAUNCHER))
    proc = subprocess.run([sys.executable, "-c", DRIVER, str(bundle)], env=env, capture_output=True, text=True,
                          timeout=60, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    return dict(line.split("=", 1) for line in proc.stdout.splitlines() if "=" in line)


def test_child_sees_the_users_ld_library_path_unchanged_when_the_bootloader_set_nothing(tmp_path):
    # PyInstaller 6.22: neither LD_LIBRARY_PATH nor LD_LIBRARY_PATH_ORIG touched by the bootloader.
    child = _child_env(tmp_path, LD_LIBRARY_PATH="/opt/user lib:/usr/local/lib:")
    assert child["LD_LIBRARY_PATH"] == "/opt/user lib:/usr/local/lib:"


def test_child_sees_the_users_ld_library_path_when_the_bootloader_prepended_the_bundle(tmp_path):
    child = _child_env(tmp_path, LD_LIBRARY_PATH="BUNDLE/_internal:/opt/user", LD_LIBRARY_PATH_ORIG="/opt/user")
    assert child["LD_LIBRARY_PATH"] == "/opt/user"
    assert "LD_LIBRARY_PATH_ORIG" not in child


def test_child_gets_no_ld_library_path_when_the_user_had_none(tmp_path):
    child = _child_env(tmp_path, LD_LIBRARY_PATH="BUNDLE/_internal")
    assert "LD_LIBRARY_PATH" not in child


def test_no_qt_plugin_path_or_pythonpath_into_the_bundle_leaks_to_children(tmp_path):
    child = _child_env(tmp_path, QT_PLUGIN_PATH="BUNDLE/_internal/PySide6/Qt/plugins",
                       QML2_IMPORT_PATH="BUNDLE/_internal/PySide6/Qt/qml",
                       PYTHONPATH=f"BUNDLE/_internal{os.pathsep}BUNDLE/_internal/base_library.zip"
                                  f"{os.pathsep}/home/me/lib")
    assert "QT_PLUGIN_PATH" not in child and "QML2_IMPORT_PATH" not in child
    assert child["PYTHONPATH"] == "/home/me/lib"


def test_a_users_own_qt_plugin_path_is_kept(tmp_path):
    child = _child_env(tmp_path, QT_PLUGIN_PATH="/usr/lib/qt6/plugins")
    assert child["QT_PLUGIN_PATH"] == "/usr/lib/qt6/plugins"


def test_clean_environment_drops_only_entries_inside_the_bundle():
    launcher = _load_launcher()
    sep = os.pathsep
    environ = {"PYTHONPATH": sep.join(["/b/_internal", "/b-other/x", "/b"]), "LD_LIBRARY_PATH": "/b2/lib"}
    launcher.clean_environment(environ, "/b")
    assert environ == {"PYTHONPATH": "/b-other/x", "LD_LIBRARY_PATH": "/b2/lib"}
