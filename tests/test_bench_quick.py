"""`python -m bench --quick --only NAME` runs each benchmark module end to end, so the suite can't rot.
No figure is asserted (timing asserts don't belong in tests); only that the module produced rows and the
table. One test per module, so the two test workers share them."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted(p.stem.removeprefix("bench_") for p in (ROOT / "bench").glob("bench_*.py"))


def test_every_benchmark_module_is_run_by_default():
    sys.path.insert(0, str(ROOT))
    try:
        from bench.__main__ import discover
    finally:
        sys.path.remove(str(ROOT))
    assert sorted(discover()) == MODULES


@pytest.mark.slow
@pytest.mark.parametrize("module", MODULES)
def test_quick_benchmark_module_runs(module, tmp_path):
    out = tmp_path / "quick.json"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-m", "bench", "--quick", "--only", module, "--out", str(out)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rows = json.loads(out.read_text())["rows"]
    assert rows, f"bench_{module} produced no rows"
    assert all("error" not in row for row in rows), rows
    assert all(isinstance(row["value"], (int, float)) for row in rows)
    assert "targets met" in result.stdout
