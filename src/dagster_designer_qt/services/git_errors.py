"""Git errors, credentials and the remote URL policy. Pure Python: no pygit2, no Qt.

Everything the UI and the CLI need to *talk about* git lives here, so they can import it without loading
libgit2. ``git_service`` is the only module that imports pygit2.

Remote URL policy (``check_remote_url``):

* ``https://`` – allowed; a token or username/password may be sent.
* ``ssh://`` and scp-like ``user@host:path`` – allowed; keys come from the SSH agent.
* a local path or ``file://`` – allowed.
* ``git://`` – allowed (unauthenticated, read-mostly; used by ``git daemon``); no credentials are sent.
* ``http://`` – only to a loopback host (127.0.0.1, ::1, localhost): a token over plain http to another
  machine would travel in the clear. Loopback exists for local servers and tests.
* anything else (``ext::``, ``ftp://`` ...) is refused.
* a URL that carries a password or token (``https://user:token@host/...``) is refused: git would write it
  to ``.git/config``. Type the token in the token field (or the environment variable for the CLI).
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from dagster_designer_qt.core.errors import DesignerError

TOKEN_ENV = "DAGSTER_DESIGNER_GIT_TOKEN"
USERNAME_ENV = "DAGSTER_DESIGNER_GIT_USERNAME"
DEFAULT_TOKEN_USERNAME = "x-access-token"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


# --------------------------------------------------------------------------- errors
class GitError(DesignerError):
    """Base class of every git error shown to the user."""


class GitNotARepositoryError(GitError):
    pass


class GitUrlError(GitError):
    """A remote URL refused by the transport policy (see module docstring)."""


class GitAuthError(GitError):
    pass


class GitNetworkError(GitError):
    """The remote host could not be reached."""


class GitNonFastForwardError(GitError):
    pass


class GitPushRejectedError(GitError):
    pass


class GitDirtyError(GitError):
    def __init__(self, message: str, paths: list[str]):
        super().__init__(message)
        self.paths = paths


class GitDetachedHeadError(GitError):
    pass


class GitOverwriteError(GitError):
    """An export would overwrite or delete files the designer did not generate (or that were edited)."""

    def __init__(self, message: str, paths: list[str]):
        super().__init__(message)
        self.paths = paths


class GitNoAuthorError(GitError):
    pass


class GitNothingToCommitError(GitError):
    pass


class GitDivergedError(GitError):
    pass


class GitConflictError(GitError):
    """A checkout (pull, branch switch) would overwrite local changes."""


class GitCancelledError(GitError):
    def __init__(self, message: str = "cancelled"):
        super().__init__(message)


# --------------------------------------------------------------------------- credentials
class Credentials:
    """A username and token (or password) held in memory for the session only.

    Never serialised: no ``__getstate__``, a ``repr`` without the secret, and ``secrets()`` so every error
    message can be scrubbed. ``use_ssh_agent`` lets SSH remotes authenticate through the running agent.
    """

    __slots__ = ("username", "_token", "use_ssh_agent")

    def __init__(self, username: str | None = None, token: str | None = None, *, use_ssh_agent: bool = True):
        self.username = (username or "").strip() or None
        self._token = token or None
        self.use_ssh_agent = use_ssh_agent

    @property
    def token(self) -> str | None:
        return self._token

    @property
    def has_token(self) -> bool:
        return bool(self._token)

    def http_username(self) -> str:
        return self.username or DEFAULT_TOKEN_USERNAME

    def secrets(self) -> list[str]:
        """Every form in which the token could show up in text: raw, URL-quoted, basic-auth base64."""
        if not self._token:
            return []
        token = self._token
        forms = {token, quote(token, safe=""), quote(token)}
        for user in {self.http_username(), self.username or ""}:
            raw = f"{user}:{token}".encode()
            forms.add(base64.b64encode(raw).decode())
        return sorted((f for f in forms if f), key=len, reverse=True)

    def __repr__(self) -> str:
        return f"Credentials(username={self.username!r}, token={'***' if self._token else None})"

    __str__ = __repr__

    def __reduce__(self):  # never pickled (QSettings, multiprocessing, ...)
        raise TypeError("Credentials are kept in memory only and cannot be serialised")


def scrub(text: str, credentials: Credentials | None) -> str:
    if credentials is None:
        return text
    for secret in credentials.secrets():
        text = text.replace(secret, "***")
    return text


# --------------------------------------------------------------------------- URL policy
_SCP_LIKE = re.compile(r"^(?:[^@/\s]+@)?[A-Za-z0-9.\-_]+:(?!//)")
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


@dataclass(frozen=True)
class RemoteUrl:
    url: str
    kind: str  # "local", "file", "https", "http", "ssh", "git"
    host: str | None

    @property
    def sends_credentials(self) -> bool:
        return self.kind in ("https", "http")


def check_remote_url(url: str) -> RemoteUrl:
    """Classify ``url`` and enforce the transport policy. Raises GitUrlError with the reason."""
    url = (url or "").strip()
    if not url:
        raise GitUrlError("the remote URL is empty")
    if _WINDOWS_DRIVE.match(url) or url.startswith(("/", "./", "../", "~")) or url in (".", ".."):
        return RemoteUrl(url, "local", None)
    if "://" not in url:
        if "::" in url.split("/", 1)[0]:
            raise GitUrlError(f"unsupported remote URL {url!r}: remote helpers are not allowed")
        if _SCP_LIKE.match(url):
            host = url.split(":", 1)[0].rsplit("@", 1)[-1]
            return RemoteUrl(url, "ssh", host)
        return RemoteUrl(url, "local", None)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = parts.hostname
    if scheme == "file":
        return RemoteUrl(url, "file", None)
    if scheme in ("http", "https"):
        if parts.password is not None:
            raise GitUrlError(
                "the remote URL contains a password or token; remove it from the URL and enter it in the "
                "token field instead (a URL is stored in .git/config)"
            )
        if not host:
            raise GitUrlError(f"the remote URL {_safe(url)!r} has no host")
        if scheme == "http" and host not in LOOPBACK_HOSTS:
            raise GitUrlError(
                f"plain http:// is refused for {host}: the token would be sent unencrypted; use https://"
            )
        return RemoteUrl(url, scheme, host)
    if scheme in ("ssh", "git+ssh", "ssh+git"):
        return RemoteUrl(url, "ssh", host)
    if scheme == "git":
        return RemoteUrl(url, "git", host)
    raise GitUrlError(
        f"unsupported remote URL scheme {scheme!r}: use https://, ssh://, git://, file:// or a local path"
    )


def _safe(url: str) -> str:
    """A URL with any userinfo password replaced (for messages)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return parts._replace(netloc=netloc).geturl()


# --------------------------------------------------------------------------- classifying libgit2 errors
_AUTH_MARKERS = (
    "authentication",
    "401",
    "403",
    "unauthorized",
    "forbidden",
    "permission denied",
    "credentials",
    "auth replays",
)
_NETWORK_MARKERS = (
    "failed to connect",
    "could not connect",
    "connection refused",
    "couldn't connect",
    "failed to resolve",
    "could not resolve",
    "unreachable",
    "timed out",
    "name or service not known",
    "connection reset",
    "no route to host",
    "failed to send request",
    "early eof",
)
_NON_FF_MARKERS = ("non-fastforward", "non-fast-forward", "not present locally", "fetch first")


def classify_message(message: str) -> type[GitError]:
    lower = message.lower()
    if any(m in lower for m in _NON_FF_MARKERS):
        return GitNonFastForwardError
    if any(m in lower for m in _AUTH_MARKERS):
        return GitAuthError
    if any(m in lower for m in _NETWORK_MARKERS):
        return GitNetworkError
    return GitError


def same_origin(configured_url: str, asked_url: str) -> bool:
    """Whether ``asked_url`` (where libgit2 wants credentials, e.g. after an HTTP redirect) is on the same
    scheme, host and port as the configured remote. Credentials go to that origin only."""
    from urllib.parse import urlsplit

    def origin(url: str) -> tuple[str, str, int | None] | None:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            return None
        if not parts.scheme or not parts.hostname:
            return None
        default = {"https": 443, "http": 80, "ssh": 22, "git": 9418}.get(parts.scheme.lower())
        return parts.scheme.lower(), parts.hostname.lower().rstrip("."), port or default

    if "://" not in configured_url:  # scp-like ssh (git@host:path): no HTTP redirects there
        return True
    a, b = origin(configured_url), origin(asked_url)
    return a is not None and a == b
