"""Lifetime: memory left behind by windows opened and closed in one process.

One window stays open (a real session); then a 2,000-node project is opened in a new window and closed,
20 times, returning to the event loop after each close as the app does. Reported: the memory one open
window costs, and what 20 open/close cycles leave behind (RSS after minus RSS before, after a garbage
collection and ``malloc_trim`` so freed memory is returned and not merely kept by the allocator).
Target: what 20 cycles leave is under 5 % of one open window. Also the threads left (target 0).

    python bench/bench_lifetime.py [--quick]
    python -m bench --only lifetime
"""

from __future__ import annotations

import ctypes
import gc
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import row  # noqa: E402

NODES = 2000
CYCLES = 20


def _rss() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def _trim() -> None:
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: RSS then includes what the allocator keeps
        pass


def run(quick: bool = False) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        for key, sub in (("HOME", ""), ("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"),
                         ("XDG_CACHE_HOME", "cache")):
            os.environ[key] = str(home / sub)
        return _measure(home, 2 if quick else CYCLES)  # quick: proves the path runs


def _measure(home: Path, cycles: int) -> list[dict]:
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    from bench.bench_canvas import make_project_file
    from dagster_designer_qt.app import create_main_window, open_window

    first = create_main_window()
    first.show()
    app = QApplication.instance()
    first.context.registry.wait(300)
    app.processEvents()
    path = make_project_file(NODES, home)
    threads_before = threading.active_count()

    def settle() -> None:
        for _ in range(3):
            app.processEvents()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        deadline = time.monotonic() + 60  # closed windows' validation passes end on their own
        while threading.active_count() > threads_before and time.monotonic() < deadline:
            time.sleep(0.02)
            app.processEvents()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        _trim()

    def open_one():
        window = open_window(first.context, first.theme, str(path))
        for _ in range(3):
            app.processEvents()
        window.validation.validate_now()
        return window

    def close(window) -> None:
        window.document.undo_stack.setClean()
        window.close()

    for _ in range(2):  # warm-up: first imports, caches, fonts
        close(open_one())
        settle()
    base = _rss()
    window = open_one()
    settle()
    one_window = _rss() - base
    close(window)
    del window
    settle()
    before = _rss()
    for _ in range(cycles):
        close(open_one())
        settle()
    left = _rss() - before
    threads_left = threading.active_count() - threads_before
    first.close()
    return [
        row("lifetime", f"one open window, {NODES} nodes", float(one_window), unit="bytes"),
        row("lifetime", f"memory left after {cycles} open/close cycles", float(max(left, 0)), unit="bytes",
            target=0.05 * one_window, note=f"{left / one_window * 100:.1f} % of one open window"),
        row("lifetime", f"threads left after {cycles} cycles", float(threads_left), unit="threads",
            target=0.0),
    ]


if __name__ == "__main__":
    from bench.__main__ import print_table

    print_table(run("--quick" in sys.argv))
