"""Runs one git job at a time off the UI thread.

A job is a plain function ``job(progress, cancel) -> result`` built on the UI thread from plain data (paths,
strings, a Credentials object); it never touches widgets. ``progress(done, total, text)`` is forwarded to
the UI thread through a queued signal; ``cancel()`` returns True once ``GitRunner.cancel()`` was called.

Stopping (the dialog or its window closes, the app quits): the cancel flag is checked by every libgit2
callback (progress, sideband, credentials), so a transfer in progress stops within one network read. A
*network* job whose server has gone quiet sits in a blocking socket read that nothing can interrupt
(libgit2 gives up after ``git_service.SERVER_TIMEOUT_MS``): ``shutdown`` waits ``NETWORK_GRACE_S`` for it,
then leaves it to end on its own (its result goes nowhere, the app's quit does not wait for it) and runs the
job's ``abandon`` clean-up (a clone's half-written folder is removed). Local jobs (export, commit) write the
user's working copy: they are always waited for, here and at quit (``workers.join_all``).
"""

from __future__ import annotations

import threading
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

from dagster_designer_qt.core.errors import DesignerError
from dagster_designer_qt.ui import workers

Job = Callable[[Callable[[int, int, str], None], Callable[[], bool]], Any]

NETWORK_GRACE_S = 3.0  # a cancelled network job gets this long to notice before it is left behind
LOCAL_WAIT_S = 30.0


class _Task:
    """The worker's side. It reports through signals of the runner (a QObject the dialog owns): no QObject
    of its own, so the worker thread never destroys one (see ``workers._ended``)."""

    def __init__(self, job: Job, runner: "GitRunner", cancel_event: threading.Event):
        self._job = job
        self._runner = runner
        self._cancel = cancel_event

    def run(self) -> None:  # worker thread
        job, self._job = self._job, None
        try:
            result, error = job(self._progress, self._cancel.is_set), None
        except DesignerError as exc:
            result, error = None, exc
        except Exception as exc:  # a bug; never lose it silently, never show a traceback to the user
            result, error = None, DesignerError(f"unexpected error: {type(exc).__name__}: {exc}")
        del job
        try:
            self._runner._job_done.emit(result, error)
        except RuntimeError:  # the dialog is gone (closed, or the app quit mid-job): nobody waits for it
            pass

    def _progress(self, done: int, total: int, text: str) -> None:
        try:
            self._runner._job_progress.emit(done, total, text)
        except RuntimeError:
            pass


class GitRunner(QObject):
    """``start(job, on_done)``; ``on_done(result, error)`` runs on the UI thread."""

    busy_changed = Signal(bool)
    progress = Signal(int, int, str)
    _job_done = Signal(object, object)  # (result, error), emitted on the worker thread: queued to the UI
    _job_progress = Signal(int, int, str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._job_done.connect(self._finished)
        self._job_progress.connect(self.progress)
        self._thread: threading.Thread | None = None
        self._cancel = threading.Event()
        self._on_done: Callable[[Any, Any], None] | None = None
        self._network = False
        self._abandon: Callable[[], None] | None = None

    def is_busy(self) -> bool:
        return self._thread is not None

    def start(self, job: Job, on_done: Callable[[Any, Any], None], *, network: bool = False,
              abandon: Callable[[], None] | None = None) -> bool:
        """``network``: the job talks to a remote and may be left behind by ``shutdown``; then ``abandon``
        (run on the UI thread) undoes what it had started writing."""
        if self._thread is not None:
            return False
        self._cancel = threading.Event()
        self._on_done = on_done
        self._network, self._abandon = network, abandon
        task = _Task(job, self, self._cancel)
        self._thread = workers.start_thread(task.run, "git")  # its result arrives queued, after this
        self.busy_changed.emit(True)
        return True

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, msecs: int = -1) -> bool:
        thread = self._thread
        if thread is not None:
            thread.join(None if msecs < 0 else msecs / 1000)
        return thread is None or not thread.is_alive()

    def shutdown(self, msecs: int | None = None, *, drop_result: bool = True) -> bool:
        """The dialog or its window closes, or the app quits: cancel the job and wait for it (a network job
        at most ``NETWORK_GRACE_S``, see the module text). ``drop_result``: the owner is going away, its
        ``on_done`` is not called. Returns True when no job is left running."""
        thread = self._thread
        if thread is None:
            return True
        self._cancel.set()
        if drop_result:
            self._on_done = None
        if thread not in workers.running_threads(awaited_only=True):
            return not thread.is_alive()  # already left behind by an earlier shutdown
        if msecs is None:
            msecs = int((NETWORK_GRACE_S if self._network else LOCAL_WAIT_S) * 1000)
        if self.wait(msecs):
            return True
        if self._network:  # stuck in a socket read: ends on its own when libgit2 times out
            workers.forget_at_quit(thread)
            abandon, self._abandon = self._abandon, None
            if abandon is not None:
                abandon()
        return False

    def _finished(self, result, error) -> None:
        on_done = self._on_done
        self._thread = None
        self._on_done = None
        self._abandon = None
        self.busy_changed.emit(False)
        if on_done is not None:
            on_done(result, error)
