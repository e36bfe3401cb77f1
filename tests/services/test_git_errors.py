"""Remote URL policy, in-memory credentials, scrubbing, error classification, and layering."""

from __future__ import annotations

import base64
import pickle
import subprocess
import sys

import pytest

from dagster_designer_qt.services.git_errors import (
    Credentials,
    GitAuthError,
    GitError,
    GitNetworkError,
    GitNonFastForwardError,
    GitUrlError,
    check_remote_url,
    classify_message,
    scrub,
)


@pytest.mark.parametrize(
    "url,kind",
    [
        ("https://github.com/org/repo.git", "https"),
        ("https://alice@github.com/org/repo.git", "https"),
        ("http://127.0.0.1:8080/repo.git", "http"),
        ("http://localhost/repo.git", "http"),
        ("http://[::1]:9/repo.git", "http"),
        ("ssh://git@github.com/org/repo.git", "ssh"),
        ("git@github.com:org/repo.git", "ssh"),
        ("git://127.0.0.1:9418/repo.git", "git"),
        ("file:///srv/repo.git", "file"),
        ("/srv/repo.git", "local"),
        ("../repo.git", "local"),
        ("C:\\repos\\x.git", "local"),
    ],
)
def test_allowed_urls(url, kind):
    assert check_remote_url(url).kind == kind


@pytest.mark.parametrize(
    "url,reason",
    [
        ("http://example.com/repo.git", "unencrypted"),
        ("https://alice:s3cret@github.com/org/repo.git", "token field"),
        ("https://:s3cret@github.com/org/repo.git", "token field"),
        ("ext::sh -c touch% /tmp/pwned", "remote helpers"),
        ("ftp://example.com/repo.git", "unsupported"),
        ("", "empty"),
    ],
)
def test_refused_urls(url, reason):
    with pytest.raises(GitUrlError, match=reason) as info:
        check_remote_url(url)
    assert "s3cret" not in str(info.value)


def test_credentials_never_show_the_token():
    creds = Credentials("alice", "ghp_secretvalue")
    assert "ghp_secretvalue" not in repr(creds) and "ghp_secretvalue" not in str(creds)
    with pytest.raises(TypeError):
        pickle.dumps(creds)
    assert not hasattr(creds, "__dict__")


def test_scrub_removes_every_form_of_the_token():
    creds = Credentials("alice", "to/ken+1")
    basic = base64.b64encode(b"alice:to/ken+1").decode()
    text = f"raw to/ken+1, quoted to%2Fken%2B1, header Basic {basic}"
    cleaned = scrub(text, creds)
    assert "to/ken+1" not in cleaned and "to%2Fken%2B1" not in cleaned and basic not in cleaned


@pytest.mark.parametrize(
    "message,kind",
    [
        ("cannot push non-fastforwardable reference", GitNonFastForwardError),
        ("unexpected http status code: 401", GitAuthError),
        ("too many redirects or authentication replays", GitAuthError),
        ("failed to connect to 127.0.0.1: Connection refused", GitNetworkError),
        ("failed to resolve address for nowhere.invalid: Name or service not known", GitNetworkError),
        ("something else", GitError),
    ],
)
def test_classify(message, kind):
    assert classify_message(message) is kind


def test_services_do_not_import_qt_and_only_git_service_imports_pygit2():
    code = (
        "import sys\n"
        "import dagster_designer_qt.services.git_errors, dagster_designer_qt.services.git_export\n"
        "assert 'pygit2' not in sys.modules, 'git_errors/git_export must not load pygit2'\n"
        "import dagster_designer_qt.services.git_service\n"
        "import dagster_designer_qt.cli_commands.git\n"
        "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt loaded by a service'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_library_errors_are_translated_and_scrubbed():
    import pygit2

    from dagster_designer_qt.services.git_service import _Translate

    creds = Credentials("alice", "sekrit-token-1")
    with pytest.raises(GitAuthError) as info:
        with _Translate("cannot push", creds, "to https://example.com/r.git"):
            raise pygit2.GitError("401 for https://alice:sekrit-token-1@example.com")
    assert "sekrit-token-1" not in str(info.value)
    assert str(info.value).startswith("cannot push to https://example.com/r.git: authentication failed")
    assert info.value.__suppress_context__
