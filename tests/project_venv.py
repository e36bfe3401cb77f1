"""A second Python environment for tests: a real venv (``python -m venv``) in which Dagster is installed
but the designer is not, plus a component package the designer's environment does not have.

Offline and fast: instead of downloading Dagster again, each distribution in Dagster's dependency closure
(read from the designer environment's metadata) is linked into the new venv's site-packages, top-level
entry by entry, exactly where ``pip install`` would have put it. Nothing else of the designer's environment
is linked: no dagster_designer_qt, no PySide6, no .pth files. ``assert_designer_absent`` proves it.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from packaging.requirements import Requirement

FIXTURES = Path(__file__).parent / "fixtures"


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def dagster_closure() -> list[importlib.metadata.Distribution]:
    """Dagster and every distribution it needs (markers evaluated for this Python, no extras)."""
    seen: dict[str, importlib.metadata.Distribution] = {}
    todo = ["dagster"]
    while todo:
        name = _canonical(todo.pop())
        if name in seen:
            continue
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue  # an optional dependency this Python doesn't need
        seen[name] = dist
        for raw in dist.requires or ():
            req = Requirement(raw)
            if req.marker is not None and not req.marker.evaluate({"extra": ""}):
                continue
            todo.append(req.name)
    return list(seen.values())


def _top_levels(dist: importlib.metadata.Distribution) -> set[str]:
    tops = set()
    for f in dist.files or ():
        parts = Path(str(f)).parts
        if parts and parts[0] != ".." and not parts[0].endswith(".pth") and parts[0] != "__pycache__":
            tops.add(parts[0])
    return tops


def site_packages(venv: Path) -> Path:
    return next((venv / "lib").glob("python3*/site-packages"))


def make_dagster_venv(venv: Path) -> Path:
    """Create ``venv`` with Dagster (and its dependencies) only; returns its python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = site_packages(venv)
    source = None
    for dist in dagster_closure():
        root = Path(str(dist.locate_file("")))
        source = source or root
        for top in _top_levels(dist):
            target = root / top
            link = site / top
            if target.exists() and not link.exists():
                os.symlink(target, link)
    return venv / "bin" / "python"


def install_fixture_package(venv: Path, name: str = "warehouse_components_pkg") -> None:
    """Copy a fixture distribution (module + dist-info with its entry points) into the venv."""
    site = site_packages(venv)
    for entry in (FIXTURES / name).iterdir():
        shutil.copytree(entry, site / entry.name)


def assert_designer_absent(python: Path) -> None:
    code = ("import importlib.util, sys\n"
            "missing = [m for m in ('dagster_designer_qt', 'PySide6') if importlib.util.find_spec(m) is None]\n"
            "print(','.join(missing))\n")
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True,
                         env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"}, cwd="/")
    assert out.stdout.strip() == "dagster_designer_qt,PySide6", out.stdout
