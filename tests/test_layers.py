"""core/ and services/ must never import PySide6 (STYLE.md section 1)."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import dagster_designer_qt

PKG_DIR = Path(dagster_designer_qt.__file__).parent


def _modules(sub):
    return [f"dagster_designer_qt.{sub}.{m.name}" for m in pkgutil.iter_modules([str(PKG_DIR / sub)])]


def test_core_and_services_import_no_qt():
    modules = _modules("core") + _modules("services") + ["dagster_designer_qt.cli"]
    modules += _modules("cli_commands")
    assert "dagster_designer_qt.core.model" in modules
    code = (
        "import importlib, sys\n"
        f"mods = {modules!r}\n"
        "for m in mods:\n"
        "    importlib.import_module(m)\n"
        "bad = sorted(k for k in sys.modules if k.startswith(('PySide6', 'shiboken6')))\n"
        "print('QT:' + ','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "QT:\n" in out.stdout, out.stdout


def test_no_pyside6_import_statements_in_core_or_services():
    offenders = []
    for sub in ("core", "services"):
        for path in (PKG_DIR / sub).rglob("*.py"):
            for line in path.read_text().splitlines():
                stripped = line.strip()
                if stripped.startswith(("import PySide6", "from PySide6", "import shiboken6", "from shiboken6")):
                    offenders.append(f"{path.name}: {stripped}")
    assert offenders == []
