"""git_service over real network transports on 127.0.0.1: git daemon (git://) and an HTTP server in front
of ``git http-backend`` that requires basic auth. Every test with a token ends with a scan of every file it
wrote for that token."""

from __future__ import annotations

import pytest
from gitutil import *  # noqa: F401,F403 - fixtures
from gitutil import assert_no_secret, closed_port, make_bare, run_git

from dagster_designer_qt.services import git_service as g
from dagster_designer_qt.services.git_errors import (
    Credentials,
    GitAuthError,
    GitCancelledError,
    GitNetworkError,
    GitNonFastForwardError,
    GitUrlError,
)

pytestmark = pytest.mark.usefixtures("isolated_git_config")

FILES = {"pyproject.toml": "[project]\nname='p'\n", "src/p/defs.py": "x = 1\n"}


# ------------------------------------------------------------------- git daemon
def test_clone_commit_push_over_git_daemon(tmp_path, git_daemon, author):
    bare = make_bare(git_daemon.root / "proj.git", files={"README.md": "hi\n"})
    events = []
    repo = g.clone(git_daemon.url("proj.git"), tmp_path / "wc", progress=lambda *a: events.append(a))
    assert (repo.path / "README.md").exists()
    assert events, "clone over the network reports progress"
    g.export_files(repo, "dagster", FILES)
    oid = g.commit(repo, "export", author, paths=["dagster"])
    g.push(repo)
    assert run_git("rev-parse", "main", cwd=bare) == oid


def test_fetch_and_pull_over_git_daemon(tmp_path, git_daemon, author):
    bare = make_bare(git_daemon.root / "proj.git", files={"README.md": "hi\n"})
    mine = g.clone(git_daemon.url("proj.git"), tmp_path / "mine")
    theirs = g.clone(git_daemon.url("proj.git"), tmp_path / "theirs")
    (theirs.path / "t.txt").write_text("t")
    oid = g.commit(theirs, "theirs", author)
    g.push(theirs)
    assert g.pull(mine).head == oid
    assert run_git("rev-parse", "main", cwd=bare) == oid


def test_non_fast_forward_over_git_daemon(tmp_path, git_daemon, author):
    bare = make_bare(git_daemon.root / "proj.git", files={"README.md": "hi\n"})
    mine = g.clone(git_daemon.url("proj.git"), tmp_path / "mine")
    theirs = g.clone(git_daemon.url("proj.git"), tmp_path / "theirs")
    (theirs.path / "t.txt").write_text("t")
    g.commit(theirs, "theirs", author)
    g.push(theirs)
    remote_head = run_git("rev-parse", "main", cwd=bare)
    (mine.path / "m.txt").write_text("m")
    local_head = g.commit(mine, "mine", author)
    g.fetch(mine)  # even knowing the remote commit, the push must not rewrite it
    with pytest.raises(GitNonFastForwardError, match="non-fast-forward"):
        g.push(mine)
    assert run_git("rev-parse", "main", cwd=bare) == remote_head
    assert g.repo_info(mine).head == local_head


def test_cancelled_push_leaves_remote_unchanged(tmp_path, git_daemon, author):
    bare = make_bare(git_daemon.root / "proj.git", files={"README.md": "hi\n"})
    repo = g.clone(git_daemon.url("proj.git"), tmp_path / "wc")
    (repo.path / "x.txt").write_text("x")
    g.commit(repo, "x", author)
    before = run_git("rev-parse", "main", cwd=bare)
    calls = []

    def cancel():
        calls.append(1)
        return len(calls) > 1

    with pytest.raises(GitCancelledError):
        g.push(repo, cancel=cancel)
    assert run_git("rev-parse", "main", cwd=bare) == before


# ------------------------------------------------------------------- unreachable
@pytest.mark.parametrize("scheme", ["git", "http"])
def test_unreachable_host(tmp_path, scheme):
    url = f"{scheme}://127.0.0.1:{closed_port()}/proj.git"
    with pytest.raises(GitNetworkError, match="cannot be reached"):
        g.clone(url, tmp_path / "wc")
    assert not (tmp_path / "wc").exists()


def test_push_to_unreachable_host_keeps_the_repo(tmp_path, author):
    bare = make_bare(tmp_path / "remote.git", files={"README.md": "hi\n"})
    repo = g.clone(str(bare), tmp_path / "wc")
    (repo.path / "x.txt").write_text("x")
    head = g.commit(repo, "x", author)
    run_git("remote", "set-url", "origin", f"git://127.0.0.1:{closed_port()}/remote.git", cwd=repo.path)
    with pytest.raises(GitNetworkError):
        g.push(repo)
    assert g.repo_info(repo).head == head


# ------------------------------------------------------------------- http-backend with basic auth
def _seed_http(http_git):
    return make_bare(http_git.root / "proj.git", files={"README.md": "hi\n"})


def test_token_push_over_http(tmp_path, http_git, author):
    bare = _seed_http(http_git)
    creds = Credentials(http_git.username, http_git.token)
    repo = g.clone(http_git.url("proj.git"), tmp_path / "wc", credentials=creds)
    g.export_files(repo, "dagster", FILES)
    oid = g.commit(repo, "export", author, paths=["dagster"])
    g.push(repo, credentials=creds)
    assert run_git("rev-parse", "main", cwd=bare) == oid
    assert any(auth for _, _, auth in http_git.requests)
    assert any(not auth for _, _, auth in http_git.requests), "the server did ask for credentials"
    assert http_git.url("proj.git") in (repo.path / ".git" / "config").read_text()
    assert_no_secret(http_git.token, tmp_path)


def test_wrong_token_is_rejected(tmp_path, http_git, author):
    bare = _seed_http(http_git)
    good = Credentials(http_git.username, http_git.token)
    repo = g.clone(http_git.url("proj.git"), tmp_path / "wc", credentials=good)
    (repo.path / "x.txt").write_text("x")
    head = g.commit(repo, "x", author)
    remote_head = run_git("rev-parse", "main", cwd=bare)
    wrong = Credentials(http_git.username, "wrong" + http_git.token[5:])
    with pytest.raises(GitAuthError, match="authentication failed") as info:
        g.push(repo, credentials=wrong)
    assert wrong.token not in str(info.value) and http_git.token not in str(info.value)
    assert run_git("rev-parse", "main", cwd=bare) == remote_head
    assert g.repo_info(repo).head == head
    assert_no_secret(http_git.token, tmp_path)
    assert_no_secret(wrong.token, tmp_path)


def test_wrong_token_clone_leaves_nothing(tmp_path, http_git):
    _seed_http(http_git)
    wrong = Credentials(http_git.username, "nottherighttoken123")
    with pytest.raises(GitAuthError):
        g.clone(http_git.url("proj.git"), tmp_path / "wc", credentials=wrong)
    assert not (tmp_path / "wc").exists()
    assert_no_secret(wrong.token, tmp_path)


def test_missing_token_asks_for_one(tmp_path, http_git):
    _seed_http(http_git)
    with pytest.raises(GitAuthError, match="username and token"):
        g.clone(http_git.url("proj.git"), tmp_path / "wc")


def test_token_in_url_is_refused_before_anything_is_written(tmp_path, http_git):
    _seed_http(http_git)
    url = http_git.url("proj.git").replace("http://", f"http://alice:{http_git.token}@")
    with pytest.raises(GitUrlError, match="token field") as info:
        g.clone(url, tmp_path / "wc")
    assert http_git.token not in str(info.value)
    assert not (tmp_path / "wc").exists()
    assert http_git.requests == []


def test_http_to_non_loopback_is_refused(tmp_path):
    with pytest.raises(GitUrlError, match="https"):
        g.clone("http://example.com/proj.git", tmp_path / "wc")
