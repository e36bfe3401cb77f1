"""The git token never goes to a host other than the configured remote's: a remote on 127.0.0.1 that
answers 302 to another loopback host/port must not make the client send it there (real libgit2, real
HTTP servers on 127.0.0.1 and 127.0.0.2)."""

from __future__ import annotations

import base64
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from gitutil import *  # noqa: F401,F403 - fixtures
from gitutil import run_git

from dagster_designer_qt.services import git_service as g
from dagster_designer_qt.services.git_errors import Credentials, GitError

pytestmark = pytest.mark.usefixtures("isolated_git_config")

TOKEN = "tok-REDIRECT-s3cr3t"


class _Server:
    def __init__(self, host: str, handler_factory):
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                outer.requests.append({"path": self.path, "auth": self.headers.get("Authorization")})
                handler_factory(self, outer)

            do_POST = do_GET

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.url = f"http://{host}:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def tokens_seen(self) -> list[str]:
        out = []
        for r in self.requests:
            if r["auth"] and r["auth"].startswith("Basic "):
                out.append(base64.b64decode(r["auth"][6:]).decode("utf-8", "replace"))
        return out


def _ask_for_auth(handler, server):
    handler.send_response(401)
    handler.send_header("WWW-Authenticate", 'Basic realm="git"')
    handler.send_header("Content-Length", "0")
    handler.end_headers()


@pytest.fixture
def elsewhere():
    server = _Server("127.0.0.2", _ask_for_auth)
    yield server
    server.close()


def _redirect_to(target):
    def handle(handler, server):
        handler.send_response(302)
        handler.send_header("Location", target.url + handler.path)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
    return handle


def _auth_then_redirect_to(target):
    """Asks for the token first (so the client has it), then redirects every later request."""
    def handle(handler, server):
        if not handler.headers.get("Authorization"):
            return _ask_for_auth(handler, server)
        return _redirect_to(target)(handler, server)
    return handle


@pytest.mark.parametrize("behaviour", [_redirect_to, _auth_then_redirect_to])
@pytest.mark.parametrize("action", ["clone", "push"])
def test_a_redirect_to_another_host_never_receives_the_token(tmp_path, elsewhere, behaviour, action, author):
    remote = _Server("127.0.0.1", behaviour(elsewhere))
    creds = Credentials(username="me", token=TOKEN)
    try:
        with pytest.raises(GitError) as info:
            if action == "clone":
                g.clone(remote.url + "/proj.git", tmp_path / "wc", credentials=creds)
            else:
                g.init_repo(tmp_path / "wc")
                run_git("remote", "add", "origin", remote.url + "/proj.git", cwd=tmp_path / "wc")
                repo = g.open_repo(tmp_path / "wc")
                (tmp_path / "wc" / "a.txt").write_text("a")
                g.commit(repo, "a", author)
                g.push(repo, credentials=creds)
    finally:
        remote.close()
    assert elsewhere.requests == [] or not any(TOKEN in t for t in elsewhere.tokens_seen()), elsewhere.requests
    assert TOKEN not in str(info.value)
    if behaviour is _redirect_to:
        assert "redirected to another server" in str(info.value)
    assert not (tmp_path / "wc" / ".git").exists() or action == "push"


@pytest.mark.parametrize("configured,asked,same", [
    ("https://github.com/a/b.git", "https://github.com/a/c.git", True),
    ("https://github.com/a/b.git", "https://GitHub.com:443/x", True),
    ("https://github.com/a/b.git", "https://evil.example/a/b.git", False),
    ("https://github.com/a/b.git", "http://github.com/a/b.git", False),
    ("http://127.0.0.1:8000/p.git", "http://127.0.0.1:8001/p.git", False),
    ("http://127.0.0.1:8000/p.git", "http://127.0.0.2:8000/p.git", False),
    ("https://github.com/a/b.git", "not a url", False),
    ("git@github.com:a/b.git", "ssh://github.com/a/b.git", True),
])
def test_same_origin_table(configured, asked, same):
    from dagster_designer_qt.services.git_errors import same_origin

    assert same_origin(configured, asked) is same
