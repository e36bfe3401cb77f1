"""Run slow work off the UI thread. The work function takes plain data and never touches widgets; its
result (or exception) comes back on the UI thread through a queued signal.

Every worker thread the UI starts goes through ``start_thread`` so that quitting can wait (``join_all``)
for the work that must finish (an export writing the user's files) while Qt and Python are still whole:
a daemon thread killed at interpreter exit dies half-way through its write. Work nobody will look at is
not waited for: it is started with ``await_at_quit=False`` (validation) or cancelled
(``BackgroundTask.cancel``: its helper processes are stopped, its result is never emitted, so it cannot
emit into objects Qt already deleted - "Signal source has been deleted").
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

from dagster_designer_qt.core.errors import DesignerError

# thread -> whether the app's quit waits for it. Weak: holds threads only, never their owners.
_threads: "weakref.WeakKeyDictionary[threading.Thread, bool]" = weakref.WeakKeyDictionary()


# Targets of ended threads, dropped on the UI thread. A target is often a bound method of a QObject (a
# ValidationRunner) whose last reference would otherwise go with the thread: the QObject would then be
# destroyed on the worker thread, taking Qt's connection lock and waiting for the GIL while the UI thread
# holds the GIL and waits for that lock in a connect() - a deadlock seen when closing windows.
_ended: list = []
_ended_lock = threading.Lock()


def start_thread(target: Callable[[], None], name: str, *, await_at_quit: bool = True) -> threading.Thread:
    """Start a daemon worker thread; ``join_all`` waits for it when the app quits if ``await_at_quit``."""
    drop_ended()
    box = [target]
    del target

    def run() -> None:
        try:
            box[0]()
        finally:
            with _ended_lock:
                _ended.append(box.pop())

    thread = threading.Thread(target=run, name=name, daemon=True)
    _threads[thread] = await_at_quit
    thread.start()
    return thread


def drop_ended() -> None:
    """Release the targets of ended threads (on the UI thread only; see ``_ended``)."""
    if threading.current_thread() is not threading.main_thread():
        return
    with _ended_lock:
        ended = _ended[:]
        _ended.clear()
    del ended


# Threads whose owner has closed (a closed window's validation, a cancelled job): they end after the
# piece of work they are in. What a closed window frees is released once these have ended (ui/memory.py);
# the threads of windows still open run on and are not waited for.
_ending: "weakref.WeakSet[threading.Thread]" = weakref.WeakSet()


def mark_ending(thread: threading.Thread | None) -> None:
    """``thread``'s owner has closed: it ends after its current piece of work."""
    if thread is not None:
        _ending.add(thread)


def ending_threads() -> list[threading.Thread]:
    """The threads marked ending that still run."""
    return [t for t in list(_ending) if t.is_alive()]


def forget_at_quit(thread: threading.Thread | None) -> None:
    """Nobody needs this thread's work any more: the quit does not wait for it."""
    if thread is not None and thread in _threads:
        _threads[thread] = False
        mark_ending(thread)


def running_threads(*, awaited_only: bool = False) -> list[threading.Thread]:
    drop_ended()
    return [t for t, awaited in list(_threads.items()) if t.is_alive() and (awaited or not awaited_only)]


def join_all(timeout: float) -> bool:
    """Wait up to ``timeout`` seconds in all for the worker threads whose work must finish (see
    ``start_thread``). True when none of them is left."""
    deadline = time.monotonic() + timeout
    for thread in running_threads(awaited_only=True):
        if thread is not threading.current_thread():
            thread.join(max(0.0, deadline - time.monotonic()))
    return not running_threads(awaited_only=True)


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
            if not isinstance(exc, DesignerError):  # a bug, not a user error: keep its traceback
                logging.getLogger(__name__).error("unexpected error in %s", threading.current_thread().name,
                                                  exc_info=exc)
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
        forget_at_quit(thread)
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
