"""Helper processes (the component lister, the Dagster loader): started, tracked and stopped in one place.

``run(cmd, ...)`` is ``subprocess.run(cmd, capture_output=True, text=True, ...)`` with three guarantees:

* each helper runs in its own process group (POSIX), so stopping it also stops what it started (dbt);
* when ``run`` returns or raises for any reason (a timeout, Ctrl-C, a stop), no process of that group is
  left running;
* a helper can be stopped from another thread: ``stop(thread_id)`` stops the helpers started by one
  thread (a window closed during its Dagster check), ``stop_all()`` every helper (the app quits). A
  stopped helper's ``run`` raises ``HelperStopped``; after ``stop_all()`` no new helper starts.

Nothing here imports Qt.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from typing import Mapping, Sequence

from dagster_designer_qt.core.errors import DesignerError

GRACE_S = 2.0  # between asking a helper to stop (SIGTERM) and killing it

_lock = threading.Lock()
_running: dict[int, tuple[subprocess.Popen, int]] = {}  # pid -> (process, id of the thread that started it)
_stopped: set[int] = set()  # pids asked to stop (their run() raises HelperStopped)
_closed = False


class HelperStopped(DesignerError):
    """The helper process was stopped before it finished (its window closed, or the app quit)."""


def run(cmd: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: str | None = None,
        timeout: float | None = None, cancel: threading.Event | None = None) -> subprocess.CompletedProcess:
    """Run a helper to its end and return its exit code and captured text output. Setting ``cancel`` (from
    any thread) stops it like ``stop``.

    Raises ``subprocess.TimeoutExpired`` after ``timeout`` seconds, ``HelperStopped`` when it was stopped,
    ``OSError`` when it cannot start. In every case the helper's process group is gone on return."""
    with _lock:
        if _closed:
            raise HelperStopped("the app is quitting")
        proc = subprocess.Popen(list(cmd), env=dict(env) if env is not None else None, cwd=cwd,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, **_new_group())
        _running[proc.pid] = (proc, threading.get_ident())
    try:
        out, err = _communicate(proc, cmd, timeout, cancel)
    finally:
        _end(proc)
        with _lock:
            _running.pop(proc.pid, None)
            stopped = proc.pid in _stopped
            _stopped.discard(proc.pid)
    if stopped:
        raise HelperStopped("the helper process was stopped")
    return subprocess.CompletedProcess(list(cmd), proc.returncode, out, err)


def _communicate(proc: subprocess.Popen, cmd: Sequence[str], timeout: float | None,
                 cancel: threading.Event | None = None) -> tuple[str, str]:
    """Collect the output; give up at ``timeout``; kill the group if it ignores a stop for GRACE_S."""
    deadline = None if timeout is None else time.monotonic() + timeout
    stop_seen: float | None = None
    while True:
        try:
            return proc.communicate(timeout=0.25)  # restartable: no output is lost
        except subprocess.TimeoutExpired:
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                raise subprocess.TimeoutExpired(list(cmd), timeout or 0) from None
            if cancel is not None and cancel.is_set():
                with _lock:
                    asked = proc.pid in _stopped
                    _stopped.add(proc.pid)
                if not asked:
                    _signal_group(proc, signal.SIGTERM)
            with _lock:
                stopped = proc.pid in _stopped
            if stopped:
                stop_seen = stop_seen or now
                if now - stop_seen >= GRACE_S:
                    _signal_group(proc, getattr(signal, "SIGKILL", signal.SIGTERM))


def running() -> list[int]:
    """Pids of the helpers running now (tests, diagnostics)."""
    with _lock:
        return list(_running)


def stop(thread_id: int) -> int:
    """Stop the helpers started by one thread; returns how many were asked to stop. Does not wait."""
    with _lock:
        doomed = [p for p, owner in _running.values() if owner == thread_id]
        _stopped.update(p.pid for p in doomed)
    for proc in doomed:
        _signal_group(proc, signal.SIGTERM)
    return len(doomed)


def stop_all(wait: float = GRACE_S + 1.0) -> bool:
    """The app is quitting: refuse new helpers, stop every running one (and what it started), wait up to
    ``wait`` seconds for them to be gone. Returns True when none is left."""
    global _closed
    with _lock:
        _closed = True
        doomed = [p for p, _owner in _running.values()]
        _stopped.update(p.pid for p in doomed)
    for proc in doomed:
        _signal_group(proc, signal.SIGTERM)
    deadline = time.monotonic() + wait
    for proc in doomed:
        try:
            proc.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(proc, getattr(signal, "SIGKILL", signal.SIGTERM))
    return all(p.poll() is not None for p in doomed)


def reopen() -> None:
    """Allow helpers again after ``stop_all`` (a new QApplication in the same process: tests)."""
    global _closed
    with _lock:
        _closed = False


# ------------------------------------------------------------------ process groups
def _new_group() -> dict:
    if sys.platform == "win32":  # pragma: no cover - POSIX CI
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    return {"start_new_session": True}


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    if proc.returncode is not None:
        return  # reaped: its id may belong to another process by now
    if sys.platform == "win32":  # pragma: no cover
        try:
            proc.kill() if sig != signal.SIGTERM else proc.terminate()
        except OSError:
            pass
        return
    try:
        os.killpg(proc.pid, sig)  # the helper leads its own session: pgid == pid
    except (ProcessLookupError, PermissionError):
        pass


def _end(proc: subprocess.Popen) -> None:
    """Make sure the helper and its group are gone: SIGTERM, then SIGKILL after the grace period."""
    if proc.poll() is None:
        _signal_group(proc, signal.SIGTERM)
        try:
            proc.wait(GRACE_S)
        except subprocess.TimeoutExpired:
            _signal_group(proc, getattr(signal, "SIGKILL", signal.SIGTERM))
            proc.wait()
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            try:
                stream.close()
            except OSError:
                pass
