"""A long-lived helper process per (interpreter, project folder) that answers JSON-line requests.

Live validation asks it to validate a node's attributes against the component's real Pydantic model in the
project's interpreter (``dagster_helper.py serve``): the first request imports the component (seconds),
later ones take milliseconds. One request at a time per server (a lock); answers are matched by id. A
server that died (crash, killed) is started again on the next request. ``stop_all`` ends every server; it
also runs at interpreter exit, and a server exits by itself when its stdin closes (the designer died), so
none outlives the designer. Imports no Qt and no dagster.
"""

from __future__ import annotations

import atexit
import itertools
import json
import queue
import subprocess
import threading
from pathlib import Path
from typing import Any

from dagster_designer_qt.core.errors import DesignerError
from dagster_designer_qt.services.project_python import ResolvedPython, helper_command, helper_env

FIRST_REPLY_TIMEOUT_S = 300.0  # the first request imports Dagster and the component's package
REPLY_TIMEOUT_S = 120.0


class HelperError(DesignerError):
    """The helper process could not answer (it failed to start, died twice, or timed out)."""


class HelperServer:
    def __init__(self, python: ResolvedPython, project_dir: Path | None = None):
        self.python = python
        self.project_dir = project_dir
        self._proc: subprocess.Popen | None = None
        self._replies: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._answered = False
        self.starts = 0  # how many processes were started (tests: a dead one is restarted)

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def _start(self) -> None:
        args = ["serve"]
        if self.project_dir is not None:
            args += ["--project-dir", str(self.project_dir)]
        env = helper_env(self.python.own)
        if self.python.own:  # the helper sees what the designer sees (tests add folders at run time)
            import os
            import sys

            paths = [p for p in sys.path if p]
            env["DAGSTER_DESIGNER_SYS_PATH"] = json.dumps(paths)
            env["PYTHONPATH"] = os.pathsep.join(paths)
        try:
            proc = subprocess.Popen(
                helper_command(self.python, *args), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, text=True, encoding="utf-8", bufsize=1,
                env=env,
                cwd=str(self.project_dir) if self.project_dir is not None else None,
            )
        except OSError as exc:
            raise HelperError(f"cannot start the Dagster helper with {self.python.path}: {exc}") from None
        replies: queue.Queue = queue.Queue()

        def read() -> None:
            for line in proc.stdout:
                replies.put(line)
            replies.put(None)  # EOF: the process ended

        threading.Thread(target=read, name="dagster-helper-reader", daemon=True).start()
        self._proc, self._replies, self._answered = proc, replies, False
        self.starts += 1

    def request(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Send one request and wait for its answer; a dead server is restarted once."""
        with self._lock:
            for attempt in (1, 2):
                if not self.alive():
                    self._start()
                try:
                    return self._exchange(payload)
                except _Died:
                    self._kill()
                    if attempt == 2:
                        raise HelperError(f"the Dagster helper in {self.python.path} stopped while answering; "
                                          "it was restarted once and stopped again") from None
        raise AssertionError("unreachable")

    def _exchange(self, payload: dict[str, Any]) -> dict[str, Any]:
        request_id = next(self._ids)
        try:
            self._proc.stdin.write(json.dumps({**payload, "id": request_id}) + "\n")
            self._proc.stdin.flush()
        except (OSError, ValueError):
            raise _Died() from None
        timeout = REPLY_TIMEOUT_S if self._answered else FIRST_REPLY_TIMEOUT_S
        while True:
            try:
                line = self._replies.get(timeout=timeout)
            except queue.Empty:
                self._kill()
                raise HelperError(f"the Dagster helper in {self.python.path} did not answer within "
                                  f"{timeout:.0f} s and was stopped") from None
            if line is None:
                raise _Died()
            try:
                reply = json.loads(line)
            except ValueError:
                continue  # something printed by an imported package at import time
            if isinstance(reply, dict) and reply.get("id") == request_id:
                self._answered = True
                return reply

    def _kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            proc.kill()
            proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            pass
        for stream in (proc.stdin, proc.stdout):
            try:
                stream.close()
            except (OSError, ValueError):
                pass

    def stop(self) -> None:
        """Close stdin (the server exits), wait briefly, then kill it if it is still there."""
        with self._lock:
            proc = self._proc
            if proc is None:
                return
            try:
                proc.stdin.close()
                proc.wait(timeout=3)
            except (OSError, ValueError, subprocess.TimeoutExpired):
                pass
            self._kill()


class _Died(Exception):
    pass


_SERVERS: dict[tuple[str, str], HelperServer] = {}
_SERVERS_LOCK = threading.Lock()


def server_for(python: ResolvedPython, project_dir: Path | None = None) -> HelperServer:
    """The shared server of an interpreter (and project folder), started on its first request."""
    key = (python.path, str(project_dir or ""))
    with _SERVERS_LOCK:
        server = _SERVERS.get(key)
        if server is None:
            server = _SERVERS[key] = HelperServer(python, project_dir)
        return server


def servers() -> list[HelperServer]:
    with _SERVERS_LOCK:
        return list(_SERVERS.values())


def stop_all() -> None:
    """Stop every helper server (the app calls this when it quits; it also runs at exit)."""
    with _SERVERS_LOCK:
        items = list(_SERVERS.values())
        _SERVERS.clear()
    for server in items:
        server.stop()


atexit.register(stop_all)
