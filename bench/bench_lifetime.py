"""Lifetime: memory left behind by windows opened and closed in one process.

One window stays open (a real session); then a 2,000-node project is opened in a new window, shown,
validated and closed, 20 times, returning to the event loop after each close as the app does (and waiting
for the release the app runs once a closed window is deleted: ``ui/memory.py``). The bench itself never
collects or trims: it measures what the app leaves.

Rows: the memory one open window costs; what 20 cycles leave in RSS (target under 5 % of one window) and
per cycle after the warm-up; the part of it that is live C heap (``mallinfo2``: a real leak grows here,
whereas RSS above it is allocator pages) and live Python objects; threads left (target 0).

    python bench/bench_lifetime.py [--quick] [--no-trim]
    python -m bench --only lifetime

``--no-trim`` measures the same cycles with the app's ``malloc_trim`` switched off (docs/LIFETIME.md).
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

from bench.common import row, summary  # noqa: E402

NODES = 2000
CYCLES = 20
WARM_UP = 2  # cycles before the baseline: first imports, fonts, style and schema caches


def _rss() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
        "keepcost")]


def _heap_in_use() -> int | None:
    """Bytes the C allocator has handed out and not had back (all arenas and mmapped blocks); glibc 2.33+."""
    try:
        mallinfo2 = ctypes.CDLL("libc.so.6").mallinfo2
    except (OSError, AttributeError):
        return None
    mallinfo2.restype = _MallInfo2
    info = mallinfo2()
    return info.uordblks + info.hblkhd


def _objects() -> int:
    return len(gc.get_objects())


def run(quick: bool = False, trim: bool = True) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        for key, sub in (("HOME", ""), ("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"),
                         ("XDG_CACHE_HOME", "cache")):
            os.environ[key] = str(home / sub)
        if not trim:
            from dagster_designer_qt.services import memory

            memory._malloc_trim.cache_clear()
            memory._malloc_trim = lambda: None  # the app collects garbage but keeps glibc's free pages
        return _measure(home, 2 if quick else CYCLES, warm=not quick)  # quick: proves the path runs


def _measure(home: Path, cycles: int, warm: bool = True) -> list[dict]:
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    from bench.bench_canvas import make_project_file
    from dagster_designer_qt.app import create_main_window, open_window
    from dagster_designer_qt.services import memory as service_memory
    from dagster_designer_qt.ui import memory

    release_times: list[float] = []
    release = service_memory.release_freed_memory

    def timed_release(**kwargs) -> None:  # what the UI thread spends on the release after a close
        start = time.perf_counter()
        release(**kwargs)
        release_times.append(time.perf_counter() - start)

    service_memory.release_freed_memory = timed_release
    first = create_main_window()
    first.show()
    app = QApplication.instance()

    def wait_for(condition, timeout: float = 600.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition() and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.02)

    # The session is warm before the baseline: the component list loaded (a cold cache starts a helper
    # after the window is shown: registry.wait() alone can return before it began) and one validation pass
    # done, which imports Dagster (tens of MiB). Otherwise these land inside the measured cycles. Not for
    # --quick (the suite's check that the path runs: seconds of cold component list and imports).
    if warm:
        wait_for(first.context.registry.is_loaded)
        first.validation.validate_now()
        wait_for(lambda: first.validation.is_idle() and first.validation.generation() > 0)
    first.context.registry.wait(300)
    path = make_project_file(NODES, home)
    threads_before = threading.active_count()

    def settle(threads: int | None = None) -> None:
        """Back in the event loop until the closed windows are deleted, their validation passes ended and
        the app's release after a deleted window has run (``threads``: how many may stay running; the
        count before the first cycle, unless a window is left open)."""
        threads = threads_before if threads is None else threads
        for _ in range(3):
            app.processEvents()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        deadline = time.monotonic() + 60
        while (threading.active_count() > threads or memory.is_pending()) and time.monotonic() < deadline:
            time.sleep(0.02)
            app.processEvents()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    def open_one():
        window = open_window(first.context, first.theme, str(path))
        for _ in range(3):
            app.processEvents()
        window.validation.validate_now()
        return window

    def close(window) -> None:
        window.document.undo_stack.setClean()
        window.close()

    for _ in range(WARM_UP):
        window = open_one()
        wait_for(window.validation.is_idle)  # a whole pass: Dagster's model classes are loaded once per session
        close(window)
        del window
        settle()
    base = _rss()
    window = open_one()
    settle(threads=threading.active_count())  # its own threads run on: waiting for them took the full minute
    wait_for(window.validation.is_idle)  # its first validation pass done: the window as a user has it
    wait_for(lambda: not window.scene.items_pending())  # and every canvas item (made after the first frame)
    one_window = _rss() - base
    close(window)
    del window
    settle()
    before = (_rss(), _heap_in_use(), _objects())
    samples = []
    for _ in range(cycles):
        close(open_one())
        settle()
        samples.append(_rss())
    after = (_rss(), _heap_in_use(), _objects())
    threads_left = threading.active_count() - threads_before
    first.close()

    left = after[0] - before[0]
    # Per cycle once warmed up: the slope over the second half of the cycles (the first ones may still
    # fill caches that then stay constant).
    half = samples[len(samples) // 2:]
    per_cycle = (half[-1] - half[0]) / (len(half) - 1) if len(half) > 1 else float(left)
    rows = [
        row("lifetime", f"one open window, {NODES} nodes", float(one_window), unit="bytes"),
        row("lifetime", f"memory left after {cycles} open/close cycles", float(max(left, 0)), unit="bytes",
            target=0.05 * one_window),
        row("lifetime", "  the same, in % of one open window", left / one_window * 100, unit="%", target=5.0),
        row("lifetime", "memory left per cycle (second half)", float(max(per_cycle, 0)), unit="bytes",
            note=f"{per_cycle / one_window * 100:.2f} % of one window per cycle"),
    ]
    if before[1] is not None:  # glibc: how much of it is live data; RSS above it is free allocator pages
        rows.append(row("lifetime", f"C heap in use left after {cycles} cycles", float(after[1] - before[1]),
                        unit="bytes", note=f"{(after[1] - before[1]) / one_window * 100:.1f} % of one window"))
    if release_times:
        rows.append(row("lifetime", "release after a close (gc + malloc_trim), UI thread",
                        summary(release_times)))
    rows += [
        row("lifetime", f"Python objects left after {cycles} cycles", float(after[2] - before[2]),
            unit="objects"),
        row("lifetime", f"threads left after {cycles} cycles", float(threads_left), unit="threads",
            target=0.0),
    ]
    return rows


if __name__ == "__main__":
    from bench.__main__ import print_table

    print_table(run("--quick" in sys.argv, trim="--no-trim" not in sys.argv))
