"""``dagster dev`` for a project's run folder, on a free 127.0.0.1 port, stopped with its whole process group.

``DevServer(prepared).start()`` runs ``PYTHON -m dagster dev -w workspace.yaml -h 127.0.0.1 -p PORT`` in the
export (the same folder and ``DAGSTER_HOME`` as designer runs, so their history shows in the UI).
``wait_ready()`` polls the HTTP port until the webserver answers. ``dagster dev`` needs the
``dagster-webserver`` package in that interpreter's environment.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from typing import Any

from dagster_designer_qt.services.run_service import PreparedRun, RunError, _terminate_group

HOST = "127.0.0.1"


def free_port(host: str = HOST) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def webserver_installed(python: str | None = None) -> bool:
    exe = python or sys.executable
    if exe == sys.executable:
        import importlib.util

        return importlib.util.find_spec("dagster_webserver") is not None
    probe = subprocess.run([exe, "-c", "import dagster_webserver"], capture_output=True, timeout=60)
    return probe.returncode == 0


class DevServer:
    def __init__(self, prepared: PreparedRun, *, python: str | None = None, port: int | None = None):
        self.prepared = prepared
        self.python = python or sys.executable
        self.port = port
        self.proc: subprocess.Popen | None = None
        self._output: list[str] = []

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> "DevServer":
        if not webserver_installed(self.python):
            raise RunError(f"dagster dev needs the dagster-webserver package: pip install dagster-webserver "
                           f"into the environment of {self.python}")
        self.port = self.port or free_port()
        env = dict(os.environ)
        env["DAGSTER_HOME"] = str(self.prepared.home)
        env.setdefault("DAGSTER_TELEMETRY_DISABLED", "1")
        env["PATH"] = os.path.dirname(self.python) + os.pathsep + env.get("PATH", "")
        kwargs: dict[str, Any] = ({"start_new_session": True} if os.name == "posix"
                                  else {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP})
        self.proc = subprocess.Popen(
            [self.python, "-m", "dagster", "dev", "-w", "workspace.yaml", "-h", HOST, "-p", str(self.port)],
            cwd=str(self.prepared.root), env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, **kwargs)
        threading.Thread(target=self._drain, name="dagster-dev-output", daemon=True).start()
        return self

    def _drain(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for raw in self.proc.stdout:
            self._output.append(raw.decode("utf-8", "replace").rstrip())
            del self._output[:-200]

    def output(self) -> list[str]:
        return list(self._output)

    def is_running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait_ready(self, timeout: float = 180.0, stop: threading.Event | None = None) -> bool:
        """Poll the webserver until it answers; False when the process exits or the time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.is_running() or (stop is not None and stop.is_set()):
                return False
            try:
                with urllib.request.urlopen(f"{self.url}/server_info", timeout=2) as response:
                    if response.status == 200:
                        return True
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.5)
        return False

    def stop(self, grace: float = 10.0) -> None:
        if self.proc is not None and self.proc.poll() is None:
            _terminate_group(self.proc, grace)
