"""Shared helpers for the benchmark suite: timing with median and spread, and result rows."""

from __future__ import annotations

import statistics
import time
from typing import Callable


def measure(fn: Callable[[], object], repeat: int = 5, setup: Callable[[], object] | None = None) -> dict:
    """Run ``fn`` ``repeat`` times (``setup`` before each, untimed); return seconds as median/min/max."""
    samples = []
    for _ in range(repeat):
        if setup is not None:
            setup()
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return summary(samples)


def summary(samples: list[float]) -> dict:
    return {
        "median": statistics.median(samples),
        "min": min(samples),
        "max": max(samples),
        "runs": len(samples),
    }


def row(group: str, name: str, stats: dict | float, unit: str = "s", target: float | None = None,
        baseline: float | None = None, note: str = "") -> dict:
    """A result row. ``value`` is the median; ``met`` says whether it is within ``target`` (same unit)."""
    if isinstance(stats, dict):
        value, spread = stats["median"], (stats["min"], stats["max"])
        runs = stats.get("runs", 1)
    else:
        value, spread, runs = float(stats), None, 1
    out = {"group": group, "name": name, "value": value, "unit": unit, "spread": spread, "runs": runs,
           "target": target, "met": None if target is None else value <= target, "note": note}
    if baseline:
        out["baseline"] = baseline
        out["ratio"] = value / baseline if baseline else None
    return out
