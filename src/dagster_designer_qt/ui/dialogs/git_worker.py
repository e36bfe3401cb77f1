"""Runs one git job at a time off the UI thread.

A job is a plain function ``job(progress, cancel) -> result`` built on the UI thread from plain data (paths,
strings, a Credentials object); it never touches widgets. ``progress(done, total, text)`` is forwarded to
the UI thread through a queued signal; ``cancel()`` returns True once ``GitRunner.cancel()`` was called.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from dagster_designer_qt.core.errors import DesignerError

Job = Callable[[Callable[[int, int, str], None], Callable[[], bool]], Any]


class _Signals(QObject):
    progress = Signal(int, int, str)
    done = Signal(object, object)  # (result, error) - exactly one is not None... or both None


class _Task(QRunnable):
    def __init__(self, job: Job, signals: _Signals, cancel_event: threading.Event):
        super().__init__()
        self.setAutoDelete(False)
        self._job = job
        self._signals = signals
        self._cancel = cancel_event

    def run(self) -> None:  # worker thread
        try:
            result, error = self._job(self._progress, self._cancel.is_set), None
        except DesignerError as exc:
            result, error = None, exc
        except Exception as exc:  # a bug; never lose it silently, never show a traceback to the user
            result, error = None, DesignerError(f"unexpected error: {type(exc).__name__}: {exc}")
        try:
            self._signals.done.emit(result, error)
        except RuntimeError:  # the dialog is gone (the app quit mid-job): nobody waits for the result
            pass

    def _progress(self, done: int, total: int, text: str) -> None:
        try:
            self._signals.progress.emit(done, total, text)
        except RuntimeError:
            pass


class GitRunner(QObject):
    """Owns a one-thread pool. ``start(job, on_done)``; ``on_done(result, error)`` runs on the UI thread."""

    busy_changed = Signal(bool)
    progress = Signal(int, int, str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._task: _Task | None = None
        self._signals: _Signals | None = None
        self._cancel = threading.Event()
        self._on_done: Callable[[Any, Any], None] | None = None

    def is_busy(self) -> bool:
        return self._task is not None

    def start(self, job: Job, on_done: Callable[[Any, Any], None]) -> bool:
        if self._task is not None:
            return False
        self._cancel = threading.Event()
        self._signals = _Signals()
        self._signals.progress.connect(self.progress)
        self._signals.done.connect(self._finished)
        self._on_done = on_done
        self._task = _Task(job, self._signals, self._cancel)
        self.busy_changed.emit(True)
        self._pool.start(self._task)
        return True

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, msecs: int = -1) -> bool:
        return self._pool.waitForDone(msecs)

    def shutdown(self, msecs: int = 30_000) -> bool:
        """The window closes or the app quits: cancel the job (it stops at its next cancellation check:
        a progress or network callback) and wait for it. Returns True when no job is left running."""
        if self._task is None:
            return True
        self._cancel.set()
        self._on_done = None  # the dialog is going away: the result goes nowhere
        return self._pool.waitForDone(msecs)

    def _finished(self, result, error) -> None:
        on_done = self._on_done
        self._task = None
        self._on_done = None
        self._signals = None
        self.busy_changed.emit(False)
        if on_done is not None:
            on_done(result, error)
