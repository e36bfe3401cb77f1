"""Run slow work off the UI thread. The work function takes plain data and never touches widgets; its
result (or exception) comes back on the UI thread through a queued signal.

Every worker thread the UI starts goes through ``start_thread`` so that quitting can stop what can be
stopped (``BackgroundTask.cancel`` stops the helper processes the task started) and wait for the rest
(``join_all``) while Qt and Python are still whole: a thread still running while the interpreter shuts
down emits into deleted objects ("Signal source has been deleted") or dies half-way through a write.
"""

from __future__ import annotations

import threading
import time
import weakref
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

_threads: "weakref.WeakSet[threading.Thread]" = weakref.WeakSet()  # holds threads only, never their owners


def start_thread(target: Callable[[], None], name: str) -> threading.Thread:
    """Start a daemon thread that ``join_all`` waits for when the app quits."""
    thread = threading.Thread(target=target, name=name, daemon=True)
    _threads.add(thread)
    thread.start()
    return thread


def running_threads() -> list[threading.Thread]:
    return [t for t in list(_threads) if t.is_alive()]


def join_all(timeout: float) -> bool:
    """Wait up to ``timeout`` seconds in all for every worker thread to end. True when none is left."""
    deadline = time.monotonic() + timeout
    for thread in running_threads():
        if thread is not threading.current_thread():
            thread.join(max(0.0, deadline - time.monotonic()))
    return not running_threads()


class BackgroundTask(QObject):
    finished = Signal(object, object)  # (result, exception or None), delivered on the UI thread

    _alive: set["BackgroundTask"] = set()  # keep tasks referenced until they report

    def __init__(self, fn: Callable[..., Any], *args: Any, name: str = "worker", **kwargs: Any):
        super().__init__()
        self._fn, self._args, self._kwargs = fn, args, kwargs
        self._name = name
        self._thread: threading.Thread | None = None
        self._cancelled = False
        self.finished.connect(self._done)

    def start(self) -> "BackgroundTask":
        BackgroundTask._alive.add(self)
        self._thread = start_thread(self._run, self._name)
        return self

    def _run(self) -> None:
        fn, args, kwargs = self._fn, self._args, self._kwargs
        self._fn = self._args = self._kwargs = None  # a task kept until it reports keeps no data
        try:
            result, error = fn(*args, **kwargs), None
        except BaseException as exc:  # reported to the UI thread, never raised on the worker
            result, error = None, exc
        del fn, args, kwargs
        if self._cancelled:
            return
        try:
            self.finished.emit(result, error)
        except RuntimeError:  # the task object is gone (the app is shutting down): nobody waits for it
            pass

    def _done(self, _result, _error) -> None:
        BackgroundTask._alive.discard(self)

    def cancel(self) -> None:
        """Nobody wants the result any more (its window closed, the app quits): stop the helper processes
        this task started; the thread ends as soon as its function returns and reports nothing."""
        self._cancelled = True
        try:
            self.finished.disconnect()
        except (RuntimeError, TypeError):  # nothing connected
            pass
        BackgroundTask._alive.discard(self)
        thread = self._thread
        if thread is not None and thread.ident is not None and thread.is_alive():
            from dagster_designer_qt.services import helper_process

            helper_process.stop(thread.ident)

    def wait(self, timeout: float | None = None) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.is_running()

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()


def run_in_background(fn: Callable[..., Any], *args: Any, on_done: Callable[[Any, BaseException | None], None],
                      name: str = "worker", **kwargs: Any) -> BackgroundTask:
    """Start ``fn(*args, **kwargs)`` on a thread; ``on_done(result, error)`` runs on the UI thread."""
    task = BackgroundTask(fn, *args, name=name, **kwargs)
    task.finished.connect(on_done)
    return task.start()
