"""Run slow work off the UI thread. The work function takes plain data and never touches widgets; its
result (or exception) comes back on the UI thread through a queued signal."""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

from dagster_designer_qt.core.errors import DesignerError


class BackgroundTask(QObject):
    finished = Signal(object, object)  # (result, exception or None), delivered on the UI thread

    _alive: set["BackgroundTask"] = set()  # keep tasks referenced until they report

    def __init__(self, fn: Callable[..., Any], *args: Any, name: str = "worker", **kwargs: Any):
        super().__init__()
        self._fn, self._args, self._kwargs = fn, args, kwargs
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.finished.connect(self._done)

    def start(self) -> "BackgroundTask":
        BackgroundTask._alive.add(self)
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            result = self._fn(*self._args, **self._kwargs)
        except BaseException as exc:  # reported to the UI thread, never raised on the worker
            if not isinstance(exc, DesignerError):  # a bug, not a user error: keep its traceback
                logging.getLogger(__name__).error("unexpected error in %s", self._thread.name, exc_info=exc)
            self.finished.emit(None, exc)
        else:
            self.finished.emit(result, None)

    def _done(self, _result, _error) -> None:
        BackgroundTask._alive.discard(self)

    def wait(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def is_running(self) -> bool:
        return self._thread.is_alive()


def run_in_background(fn: Callable[..., Any], *args: Any, on_done: Callable[[Any, BaseException | None], None],
                      name: str = "worker", **kwargs: Any) -> BackgroundTask:
    """Start ``fn(*args, **kwargs)`` on a thread; ``on_done(result, error)`` runs on the UI thread."""
    task = BackgroundTask(fn, *args, name=name, **kwargs)
    task.finished.connect(on_done)
    return task.start()
