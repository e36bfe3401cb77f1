"""`python -m bench --quick` runs every benchmark module end to end, so the suite can't rot.
No figure is asserted (timing asserts don't belong in tests); only that each module produced rows."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_quick_benchmark_runs_every_module(tmp_path):
    out = tmp_path / "quick.json"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-m", "bench", "--quick", "--out", str(out)], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    data = json.loads(out.read_text())
    groups = {row["group"] for row in data["rows"]}
    modules = {p.stem.removeprefix("bench_") for p in (ROOT / "bench").glob("bench_*.py")}
    assert len(groups) >= len(modules), (groups, modules)
    assert all("error" not in row for row in data["rows"])
    assert all(isinstance(row["value"], (int, float)) for row in data["rows"])
    assert "targets met" in result.stdout
