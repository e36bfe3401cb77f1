"""After a window is deleted: drop what Qt cached for it and give the freed memory back.

Qt's style draws buttons, frames and arrows once into ``QPixmapCache`` under a key that includes the
widget's palette serial number. The app's stylesheet gives every polished widget its own palette, so each
window's widgets add entries no later window can ever hit (measured: ~28 KiB per window, a 2,000-node
project or an empty one alike), until the cache's 10 MiB limit evicts them. The entries of the windows
still open are simply drawn again on their next paint. Then ``services.memory`` collects Python's garbage
and trims the C heap.

One release runs at a time, shortly after the last window was deleted (several closed together share
it). It waits for the closed windows' worker threads (``workers.ending_threads``: a closed window's last
validation pass still holds its project until it ends; the windows still open keep theirs), up to
``MAX_WAIT_S``: collecting before they end would leave their garbage to Python's next full collection and
its pages in the heap.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QPixmapCache

from dagster_designer_qt.services import memory

DESTROY_SETTLE_MS = 200
POLL_MS = 250
MAX_WAIT_S = 15.0

_pending = False
_since = 0.0


def release_when_destroyed(window: QObject) -> None:
    """Run ``release_now`` once ``window`` (a QObject about to be deleted) is gone."""
    window.destroyed.connect(_schedule)  # a module function: holds nothing of the window


def _schedule(*_args) -> None:
    global _pending, _since
    if not _pending:
        _pending, _since = True, time.monotonic()
        QTimer.singleShot(DESTROY_SETTLE_MS, _when_threads_end)


def _when_threads_end() -> None:
    from dagster_designer_qt.ui import workers

    # Only the closed windows' threads: another open window's validation thread runs on (waiting for it
    # held every release for MAX_WAIT_S while a second window was open).
    if workers.ending_threads() and time.monotonic() - _since < MAX_WAIT_S:
        QTimer.singleShot(POLL_MS, _when_threads_end)
    else:
        release_now()


def is_pending() -> bool:
    return _pending


def release_now() -> None:
    from dagster_designer_qt.ui import workers

    global _pending
    _pending = False
    workers.drop_ended()
    QPixmapCache.clear()
    # A full collection frees the window's reference cycles now, on the UI thread (Python's own collector
    # could run it later on a worker thread, destroying the window's parentless QObjects there), so that
    # the trim returns their pages. It once segfaulted in the suite: the collector freed a test's
    # parentless ProjectDocument and its undo commands in an order PySide6 can't survive; the document
    # now empties its stack first (ProjectDocument.__del__, tests/ui/test_lifetime.py).
    memory.release_freed_memory(collect=True)
