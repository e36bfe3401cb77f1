"""A full `python -m bench` run writes its table into bench/RESULTS.md without losing the history below it."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _write_markdown():
    sys.path.insert(0, str(ROOT))
    try:
        from bench.__main__ import write_markdown
    finally:
        sys.path.remove(str(ROOT))
    return write_markdown


def _payload(started: str, value: float) -> dict:
    return {"started": started, "seconds": 12.5, "quick": False,
            "machine": {"cpu": "Test CPU", "cpus": 2, "memory": "1 kB", "platform": "Linux", "python": "3.11",
                        "pyside6": "6.11"},
            "rows": [{"group": "store", "name": "save 5000 nodes", "value": value, "unit": "s", "target": 0.1,
                      "met": value <= 0.1}]}


def test_a_full_run_replaces_its_own_block_and_keeps_the_history(tmp_path):
    write_markdown = _write_markdown()
    results = tmp_path / "RESULTS.md"
    history = "## Issue 19, morning run\n\nA table written by hand.\n"
    results.write_text("# Benchmark results\n\n" + history, encoding="utf-8")

    write_markdown(_payload("2026-12-02T10:00:00Z", 0.05), results)
    first = results.read_text(encoding="utf-8")
    assert first.startswith("# Benchmark results\n\n<!-- latest full run")
    assert "2026-12-02T10:00:00Z" in first and "Targets met: 1 of 1." in first and first.endswith(history)

    write_markdown(_payload("2026-12-03T10:00:00Z", 0.5), results)
    second = results.read_text(encoding="utf-8")
    assert "2026-12-03T10:00:00Z" in second and "2026-12-02T10:00:00Z" not in second
    assert "Targets met: 0 of 1." in second and second.count("<!-- latest full run") == 1
    assert second.endswith(history)


def test_a_first_full_run_makes_the_file(tmp_path):
    results = tmp_path / "RESULTS.md"
    _write_markdown()(_payload("2026-12-02T10:00:00Z", 0.05), results)
    text = results.read_text(encoding="utf-8")
    assert text.startswith("# Benchmark results\n\n<!-- latest full run") and text.endswith("<!-- end of the latest full run -->\n")
