"""The sdist carries what its own tests read (packaging/, bench/, docs/, LICENSE) and its tests pass from
the unpacked sdist, with the package imported from the sdist's src/ (not this checkout).

The whole suite would take minutes twice over; from the sdist run the tests that read files outside
src/ and tests/ (launcher, import layers, pyproject checks) and collect all the others (a missing file or
module fails collection)."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _build_sdist(out: Path) -> Path:
    proc = subprocess.run([sys.executable, "-m", "hatchling", "build", "--target", "sdist", "--directory",
                           str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (sdist,) = out.glob("dagster_designer_qt-*.tar.gz")
    return sdist


@pytest.mark.slow
def test_sdist_tests_pass_from_the_unpacked_sdist(tmp_path):
    pytest.importorskip("hatchling", reason="the test extra's hatchling builds the sdist")
    sdist = _build_sdist(tmp_path / "dist")
    with tarfile.open(sdist) as tf:
        tf.extractall(tmp_path / "unpacked", filter="data")
    (tree,) = (tmp_path / "unpacked").iterdir()
    for needed in ("LICENSE", "packaging/launcher.py", "packaging/dagster_designer.spec", "bench/__main__.py",
                   "docs/PACKAGING.md", "resources/examples/analytics.ddp.json", "tests/conftest.py"):
        assert (tree / needed).is_file(), f"{needed} is not in the sdist"
    assert not list(tree.glob("packaging/dist")) and not list(tree.rglob("__pycache__"))
    pkg_info = (tree / "PKG-INFO").read_text()
    assert "License-Expression: Apache-2.0" in pkg_info and "Classifier: Programming Language" in pkg_info
    assert "](docs/" not in pkg_info, "a relative link in the long description breaks on an index page"

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    env["PYTHONPATH"] = str(tree / "src")  # before the checkout's editable install on sys.path
    probe = subprocess.run([sys.executable, "-c", "import dagster_designer_qt as p; print(p.__file__)"],
                           cwd=tree, env=env, capture_output=True, text=True, timeout=60)
    assert Path(probe.stdout.strip()).is_relative_to(tree), probe.stdout + probe.stderr

    base = [sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:cacheprovider", "-q"]
    collect = subprocess.run([*base, "--collect-only"], cwd=tree, env=env, capture_output=True, text=True,
                             timeout=600)
    assert collect.returncode == 0, collect.stdout[-4000:] + collect.stderr[-2000:]
    run = subprocess.run([*base, "-m", "not slow", "tests/packaging/test_bundle.py", "tests/test_layers.py",
                          "tests/ui/test_qt_binding.py", "tests/packaging/test_launcher_env.py"],
                         cwd=tree, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "error" not in run.stdout.splitlines()[-1], run.stdout[-2000:]
