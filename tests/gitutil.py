"""Real git servers and repositories for the git tests. Everything listens on 127.0.0.1 only.

* ``make_bare`` / ``run_git``: repositories built with the system ``git`` (never against /work/main).
* ``git_daemon`` fixture: ``git daemon`` on a free port with receive-pack enabled (git:// transport).
* ``http_git`` fixture: a Python http.server in front of ``git http-backend`` (CGI) that requires HTTP
  basic auth with a random token.
* ``assert_no_secret``: scans every file under the given folders for the token (raw, quoted, base64).

Import the fixtures into a test module with ``from gitutil import *``.
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest

__all__ = [
    "git_env",
    "run_git",
    "make_bare",
    "free_port",
    "closed_port",
    "assert_no_secret",
    "isolated_git_config",
    "git_daemon",
    "http_git",
    "author",
    "HttpGitServer",
]

GIT = shutil.which("git") or "git"


def git_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="Seeder",
        GIT_AUTHOR_EMAIL="seeder@example.com",
        GIT_COMMITTER_NAME="Seeder",
        GIT_COMMITTER_EMAIL="seeder@example.com",
        GIT_TERMINAL_PROMPT="0",
    )
    return env


def run_git(*args: str, cwd: str | os.PathLike[str] | None = None) -> str:
    result = subprocess.run(
        [GIT, *args], cwd=cwd, env=git_env(), capture_output=True, text=True, timeout=60
    )
    if result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {result.stderr}")
    return result.stdout.strip()


def make_bare(path: Path, *, files: dict[str, str] | None = None, branch: str = "main") -> Path:
    """A bare repository; with ``files`` it gets one commit holding them on ``branch``."""
    path.mkdir(parents=True, exist_ok=True)
    run_git("init", "--quiet", "--bare", "-b", branch, str(path))
    if files:
        seed = path.parent / (path.name + "-seed")
        run_git("init", "--quiet", "-b", branch, str(seed))
        for rel, text in files.items():
            target = seed / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        run_git("add", "-A", cwd=seed)
        run_git("commit", "--quiet", "-m", "seed", cwd=seed)
        run_git("push", "--quiet", str(path), f"{branch}:{branch}", cwd=seed)
        shutil.rmtree(seed)
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


closed_port = free_port  # nothing listens on a port just released


def _wait_listening(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listening on 127.0.0.1:{port}")


def _secret_forms(secret: str) -> list[bytes]:
    forms = {secret, quote(secret, safe="")}
    for user in ("x-access-token", "alice", ""):
        forms.add(base64.b64encode(f"{user}:{secret}".encode()).decode())
    return [f.encode() for f in forms if f]


def assert_no_secret(secret: str, *roots: os.PathLike[str] | str) -> None:
    """Fail if any file under ``roots`` (including .git internals) contains the secret in any form."""
    needles = _secret_forms(secret)
    found = []
    scanned = 0
    for root in roots:
        root = Path(root)
        if not root.exists():
            continue
        paths = [root] if root.is_file() else root.rglob("*")
        for path in paths:
            if path.is_symlink() or not path.is_file():
                continue
            data = path.read_bytes()
            scanned += 1
            if any(n in data for n in needles):
                found.append(str(path))
    assert scanned > 0, "the secret scan found no files to scan"
    assert not found, f"the token was written to: {found}"


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture
def isolated_git_config(_isolated_dirs):
    """Point libgit2's global/xdg/system config search at the per-test HOME (libgit2 reads HOME once)."""
    import pygit2
    from pygit2.enums import ConfigLevel

    home = Path(_isolated_dirs)
    empty = home / "no-system-config"
    empty.mkdir(exist_ok=True)
    saved = {lvl: pygit2.settings.search_path[lvl] for lvl in (ConfigLevel.GLOBAL, ConfigLevel.XDG, ConfigLevel.SYSTEM)}
    pygit2.settings.search_path[ConfigLevel.GLOBAL] = str(home)
    pygit2.settings.search_path[ConfigLevel.XDG] = str(home / "config" / "git")
    pygit2.settings.search_path[ConfigLevel.SYSTEM] = str(empty)
    yield home
    for lvl, value in saved.items():
        pygit2.settings.search_path[lvl] = value


@pytest.fixture
def author():
    from dagster_designer_qt.services.git_service import Author

    return Author("Designer Test", "designer@example.com")


class GitDaemon:
    def __init__(self, root: Path, port: int):
        self.root = root
        self.port = port

    def url(self, name: str) -> str:
        return f"git://127.0.0.1:{self.port}/{name}"


@pytest.fixture
def git_daemon(tmp_path):
    root = tmp_path / "daemon-root"
    root.mkdir()
    port = free_port()
    proc = subprocess.Popen(
        [
            GIT,
            "daemon",
            "--reuseaddr",
            "--export-all",
            "--enable=receive-pack",
            "--informative-errors",
            f"--base-path={root}",
            "--listen=127.0.0.1",
            f"--port={port}",
            str(root),
        ],
        env=git_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_listening(port)
        yield GitDaemon(root, port)
    finally:
        try:
            os.killpg(proc.pid, 15)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


# ----------------------------------------------------------------------------- http-backend
class HttpGitServer:
    def __init__(self, root: Path, port: int, username: str, token: str):
        self.root = root
        self.port = port
        self.username = username
        self.token = token
        self.requests: list[tuple[str, str, bool]] = []  # (method, path, authorised)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"


def _make_handler(server_info: HttpGitServer):
    expected = "Basic " + base64.b64encode(f"{server_info.username}:{server_info.token}".encode()).decode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, format, *args):  # keep test output (and any log file) clean
            pass

        def _read_body(self) -> bytes:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                chunks = []
                while True:
                    size_line = self.rfile.readline().strip()
                    size = int(size_line.split(b";")[0], 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        break
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
                return b"".join(chunks)
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _handle(self):
            body = self._read_body() if self.command == "POST" else b""
            authorised = self.headers.get("Authorization") == expected
            server_info.requests.append((self.command, self.path, authorised))
            if not authorised:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="git"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            path, _, query = self.path.partition("?")
            env = git_env()
            env.update(
                GIT_PROJECT_ROOT=str(server_info.root),
                GIT_HTTP_EXPORT_ALL="1",
                PATH_INFO=path,
                QUERY_STRING=query,
                REQUEST_METHOD=self.command,
                CONTENT_TYPE=self.headers.get("Content-Type", ""),
                CONTENT_LENGTH=str(len(body)),
                REMOTE_USER=server_info.username,
                REMOTE_ADDR="127.0.0.1",
                GATEWAY_INTERFACE="CGI/1.1",
                SERVER_PROTOCOL="HTTP/1.0",
            )
            if self.headers.get("Content-Encoding"):
                env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
            if self.headers.get("Git-Protocol"):
                env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
            result = subprocess.run(
                [GIT, "http-backend"], input=body, env=env, capture_output=True, timeout=60
            )
            head, _, payload = result.stdout.partition(b"\r\n\r\n")
            if not _:
                head, _, payload = result.stdout.partition(b"\n\n")
            status = 200
            headers = []
            for line in head.decode("latin-1").splitlines():
                if not line.strip():
                    continue
                key, _, value = line.partition(":")
                if key.lower() == "status":
                    status = int(value.strip().split()[0])
                else:
                    headers.append((key.strip(), value.strip()))
            self.send_response(status)
            for key, value in headers:
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = _handle
        do_POST = _handle

    return Handler


@pytest.fixture
def http_git(tmp_path):
    root = tmp_path / "http-root"
    root.mkdir()
    token = "tok" + secrets.token_hex(16)
    info = HttpGitServer(root, 0, "alice", token)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(info))
    httpd.daemon_threads = True
    info.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield info
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)
