"""Git for exported projects: clone, open, export, status, diff, commit, push, fetch/pull, branches.

The only module that imports pygit2. Plain, synchronous and Qt-free: the UI calls these functions from a
worker thread. Every function raises ``git_errors.GitError`` subclasses with a message a user can act on,
and with any token scrubbed out. Network functions take:

* ``credentials``: a ``git_errors.Credentials`` (memory only) or None;
* ``progress(done, total, text)``: optional, called from the calling thread;
* ``cancel()``: optional, returns True to stop; the operation then raises ``GitCancelledError``.

Transport policy: see ``git_errors`` (https, ssh via agent, git://, file:// and local paths; plain
http:// only to loopback; URLs with an embedded token are refused).
"""

from __future__ import annotations

import difflib
import os
import re
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pygit2
from pygit2.enums import BranchType, CheckoutStrategy, CredentialType, FileStatus, Option

from dagster_designer_qt.services import git_export
from dagster_designer_qt.services.git_errors import (
    Credentials,
    GitAuthError,
    GitCancelledError,
    GitConflictError,
    GitDetachedHeadError,
    GitDirtyError,
    GitDivergedError,
    GitError,
    GitNetworkError,
    GitNoAuthorError,
    GitNonFastForwardError,
    GitNotARepositoryError,
    GitNothingToCommitError,
    GitPushRejectedError,
    check_remote_url,
    classify_message,
    same_origin,
    scrub,
)
from dagster_designer_qt.services.git_export import ExportResult

Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool]

CONNECT_TIMEOUT_MS = 15_000
SERVER_TIMEOUT_MS = 120_000
MAX_LISTED = 20

try:  # not fatal on an old libgit2
    pygit2.option(Option.SET_SERVER_CONNECT_TIMEOUT, CONNECT_TIMEOUT_MS)
    pygit2.option(Option.SET_SERVER_TIMEOUT, SERVER_TIMEOUT_MS)
except Exception:  # pragma: no cover
    pass


# --------------------------------------------------------------------------- data
@dataclass(frozen=True)
class Author:
    name: str
    email: str


@dataclass(frozen=True)
class Change:
    path: str  # POSIX, relative to the working copy
    kind: str  # added, modified, deleted, renamed, typechange, untracked, conflicted
    staged: bool


@dataclass(frozen=True)
class RepoInfo:
    workdir: str
    branch: str | None  # None when HEAD is detached
    detached: bool
    unborn: bool
    head: str | None  # commit id
    remotes: tuple[str, ...]
    branches: tuple[str, ...]


@dataclass(frozen=True)
class PullResult:
    status: str  # "up-to-date", "fast-forward", "ahead"
    head: str | None


class Repo:
    """An open working copy. ``path`` is the working tree folder."""

    def __init__(self, raw: pygit2.Repository):
        self._raw = raw
        self.path = Path(raw.workdir).resolve()

    @property
    def raw(self) -> pygit2.Repository:
        return self._raw

    def __repr__(self) -> str:
        return f"Repo({str(self.path)!r})"


def _repo(repo) -> Repo:
    return repo if isinstance(repo, Repo) else open_repo(repo)


# --------------------------------------------------------------------------- error translation
class _Translate:
    """Context manager turning pygit2/OS errors into GitError with the token scrubbed out."""

    def __init__(self, action: str, credentials: Credentials | None = None, where: str = ""):
        self.action = action
        self.credentials = credentials
        self.where = where

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is None:
            return False
        if isinstance(exc, GitError):
            message = scrub(str(exc), self.credentials)
            if getattr(exc, "from_callback", False):
                target = f" {self.where}" if self.where else ""
                message = f"{self.action}{target}: {message}"
                exc.from_callback = False
            if message != str(exc):
                exc.args = (message,)
            return False
        if isinstance(exc, (pygit2.GitError, KeyError, ValueError, OSError)):
            text = scrub(_exc_text(exc), self.credentials)
            kind = classify_message(text)
            raise _build(kind, self.action, self.where, text) from None
        return False


def _exc_text(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = str(exc)
    if isinstance(exc, KeyError) and len(exc.args) == 1:
        text = str(exc.args[0])
    return text


def _build(kind: type[GitError], action: str, where: str, text: str) -> GitError:
    target = f" {where}" if where else ""
    if kind is GitAuthError:
        return GitAuthError(
            f"{action}{target}: authentication failed; check the username and token (or SSH key) and that "
            f"they have access ({text})"
        )
    if kind is GitNetworkError:
        return GitNetworkError(f"{action}{target}: the remote cannot be reached; check the URL and your network ({text})")
    if kind is GitNonFastForwardError:
        return GitNonFastForwardError(
            f"{action}{target}: the remote branch has commits you don't have (non-fast-forward); pull first, "
            "then push again"
        )
    return GitError(f"{action}{target}: {text}")


# --------------------------------------------------------------------------- callbacks
class _Callbacks(pygit2.RemoteCallbacks):
    def __init__(self, url_kind: str, credentials: Credentials | None, progress: Progress | None, cancel: Cancel | None,
                 url: str = ""):
        super().__init__()
        self._kind = url_kind
        self._url = url
        self._creds = credentials
        self._progress = progress
        self._cancel = cancel
        self._attempts = 0
        self.rejected: list[tuple[str, str]] = []

    def _check_cancel(self) -> None:
        if self._cancel is not None and self._cancel():
            raise GitCancelledError()

    def _report(self, done: int, total: int, text: str) -> None:
        self._check_cancel()
        if self._progress is not None:
            self._progress(done, total, text)

    def credentials(self, url, username_from_url, allowed_types):
        try:
            if self._url and url and not same_origin(self._url, url):
                # e.g. the remote answered 302 to another host: that host never gets the token
                raise GitAuthError(f"the remote redirected to another server ({scrub(url, self._creds)}); "
                                   "credentials are only sent to the configured remote's server")
            return self._credentials(username_from_url, allowed_types)
        except GitAuthError as exc:
            exc.from_callback = True  # _Translate adds what was being done, and where
            raise

    def _credentials(self, username_from_url, allowed_types):
        self._check_cancel()
        self._attempts += 1
        if self._attempts > 1:
            raise GitAuthError("authentication failed; check the username and token (or SSH key)")
        creds = self._creds
        if allowed_types & CredentialType.SSH_KEY and (creds is None or creds.use_ssh_agent):
            return pygit2.KeypairFromAgent(username_from_url or (creds.username if creds else None) or "git")
        if allowed_types & CredentialType.USERPASS_PLAINTEXT:
            if self._kind not in ("https", "http"):
                raise GitAuthError("this remote asks for a password, which is only sent over https")
            if creds is None or not creds.has_token:
                raise GitAuthError("the remote requires authentication; enter a username and token")
            return pygit2.UserPass(creds.username or username_from_url or creds.http_username(), creds.token)
        if allowed_types & CredentialType.USERNAME:
            return pygit2.Username(username_from_url or (creds.username if creds else None) or "git")
        raise GitAuthError("the remote asks for a kind of authentication this app does not support")

    def sideband_progress(self, string):
        self._check_cancel()

    def transfer_progress(self, stats):
        total = stats.total_objects
        if total and stats.received_objects >= total and stats.total_deltas:
            self._report(stats.indexed_deltas, stats.total_deltas, "resolving deltas")
        else:
            self._report(stats.received_objects, total, "receiving objects")

    def push_transfer_progress(self, objects_pushed, total_objects, bytes_pushed):
        self._report(objects_pushed, total_objects, "pushing objects")

    def push_negotiation(self, updates):
        self._check_cancel()

    def push_update_reference(self, refname, message):
        if message:
            self.rejected.append((refname, message))


def _callbacks(url: str, credentials, progress, cancel) -> _Callbacks:
    kind = check_remote_url(url).kind
    return _Callbacks(kind, credentials, progress, cancel, url)


def _check_cancel(cancel: Cancel | None) -> None:
    if cancel is not None and cancel():
        raise GitCancelledError()


# --------------------------------------------------------------------------- open / clone
def open_repo(path: str | os.PathLike[str]) -> Repo:
    """Open the working copy at ``path`` (its top folder). Bare repositories are refused."""
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise GitNotARepositoryError(f"{folder} is not a folder")
    try:
        raw = pygit2.Repository(str(folder), pygit2.enums.RepositoryOpenFlag.NO_SEARCH)
    except (pygit2.GitError, KeyError):
        raise GitNotARepositoryError(
            f"{folder} is not a git working copy (clone one, or run 'git init' there)"
        ) from None
    if raw.is_bare or raw.workdir is None:
        raise GitNotARepositoryError(f"{folder} is a bare repository; clone it to get a working copy")
    return Repo(raw)


def init_repo(path: str | os.PathLike[str], *, bare: bool = False, initial_branch: str = "main") -> Path:
    """Create a repository (used by tests and for 'start a new repo here')."""
    with _Translate("cannot create a repository", where=str(path)):
        raw = pygit2.init_repository(str(path), bare=bare, initial_head=initial_branch)
    return Path(raw.path if bare else raw.workdir)


def default_clone_dir(url: str, base: str | os.PathLike[str] | None = None) -> Path:
    """``<user data dir>/repos/<repo name>`` (the original design's ``data/repos/{name}``)."""
    if base is None:
        import platformdirs

        base = Path(platformdirs.user_data_dir("DagsterDesigner", "DagsterDesigner")) / "repos"
    name = re.split(r"[/:\\]", url.rstrip("/"))[-1] or "repo"
    name = re.sub(r"\.git$", "", name) or "repo"
    name = re.sub(r"[^A-Za-z0-9._-]", "_", name)
    return Path(base) / name


def clone(
    url: str,
    dest: str | os.PathLike[str],
    credentials: Credentials | None = None,
    branch: str | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    staging: str | os.PathLike[str] | None = None,
) -> Repo:
    """Clone ``url`` into ``dest`` (absent or an empty folder). On any failure ``dest`` is left as before.

    libgit2 writes into ``staging`` (a hidden folder beside ``dest``, see ``clone_staging_path``), and the
    finished clone is renamed into ``dest``. So a failed, cancelled or abandoned clone only ever removes its
    own staging folder - libgit2 itself removes the folder it cloned into on failure - never ``dest``, which
    may have been cloned again meanwhile (a clone left stuck in a network read ends up to 120 s later)."""
    info = check_remote_url(url)
    dest = Path(dest).expanduser()
    _check_clone_target(dest)
    _check_cancel(cancel)
    stage = Path(staging).expanduser() if staging is not None else clone_staging_path(dest)
    callbacks = _callbacks(url, credentials, progress, cancel)
    try:
        with _Translate("cannot clone", credentials, _display(info)):
            stage.parent.mkdir(parents=True, exist_ok=True)
            stage.mkdir()  # a fresh name: fails rather than clone into anything that exists
            raw = pygit2.clone_repository(
                _transport_url(info), str(stage), checkout_branch=branch or None, callbacks=callbacks
            )
            raw.free()
        _check_cancel(cancel)  # cancelled or abandoned meanwhile: its result goes nowhere
        _move_into_place(stage, dest)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return Repo(pygit2.Repository(str(dest), pygit2.enums.RepositoryOpenFlag.NO_SEARCH))


def clone_staging_path(dest: str | os.PathLike[str]) -> Path:
    """A new hidden folder name beside ``dest`` for ``clone``'s ``staging`` (the same file system, so the
    finished clone is renamed into place). Nothing is created."""
    dest = Path(dest).expanduser()
    return dest.parent / f".{dest.name}.cloning-{secrets.token_hex(6)}"


def discard_partial_clone(staging: str | os.PathLike[str]) -> None:
    """Remove what a clone abandoned mid-way (its thread stuck in a network read) had written: its
    staging folder, never the clone's destination."""
    shutil.rmtree(Path(staging).expanduser(), ignore_errors=True)


def _check_clone_target(dest: Path) -> None:
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise GitError(f"cannot clone into {dest}: the folder exists and is not empty")


def _move_into_place(stage: Path, dest: Path) -> None:
    """Rename the finished clone to ``dest``: atomic where ``dest`` is absent or an empty folder (POSIX
    replaces an empty folder). Elsewhere (Windows, or ``dest`` an empty mount point) an empty ``dest``
    receives the clone's entries one by one."""
    try:
        os.rename(stage, dest)
        return
    except OSError as exc:
        error = exc
    _check_clone_target(dest)  # filled meanwhile: the user's files stay, this clone goes
    if not dest.is_dir():
        raise GitError(f"cannot clone into {dest}: {error.strerror or error}")
    with _Translate("cannot clone into", where=str(dest)):
        for child in stage.iterdir():
            shutil.move(str(child), str(dest / child.name))
        stage.rmdir()


def _display(info) -> str:
    return f"from {info.url}" if info.kind != "local" else f"from {info.url}"


def _transport_url(info) -> str:
    if info.kind == "local":
        return str(Path(info.url).expanduser())
    return info.url


# --------------------------------------------------------------------------- info
def repo_info(repo) -> RepoInfo:
    r = _repo(repo)
    raw = r.raw
    with _Translate("cannot read the repository", where=str(r.path)):
        detached = raw.head_is_detached
        unborn = raw.head_is_unborn
        branch = None
        head = None
        if not detached:
            ref = raw.references["HEAD"].target  # symbolic: refs/heads/<name>
            branch = ref[len("refs/heads/"):] if ref.startswith("refs/heads/") else ref
        if not unborn:
            head = str(raw.head.target)
        branches = tuple(sorted(raw.branches.local))
        remotes = tuple(rm.name for rm in raw.remotes)
    return RepoInfo(str(r.path), branch, detached, unborn, head, remotes, branches)


def _current_branch(r: Repo, action: str) -> str:
    info = repo_info(r)
    if info.detached:
        raise GitDetachedHeadError(
            f"{action}: HEAD is detached (not on a branch); switch to a branch or create one first"
        )
    return info.branch or "main"


# --------------------------------------------------------------------------- status / diff
_KINDS = (
    (FileStatus.CONFLICTED, "conflicted", False),
    (FileStatus.INDEX_NEW, "added", True),
    (FileStatus.INDEX_DELETED, "deleted", True),
    (FileStatus.INDEX_RENAMED, "renamed", True),
    (FileStatus.INDEX_TYPECHANGE, "typechange", True),
    (FileStatus.INDEX_MODIFIED, "modified", True),
    (FileStatus.WT_NEW, "untracked", False),
    (FileStatus.WT_DELETED, "deleted", False),
    (FileStatus.WT_RENAMED, "renamed", False),
    (FileStatus.WT_TYPECHANGE, "typechange", False),
    (FileStatus.WT_MODIFIED, "modified", False),
)

_TRACKED_CHANGE = (
    FileStatus.INDEX_NEW
    | FileStatus.INDEX_MODIFIED
    | FileStatus.INDEX_DELETED
    | FileStatus.INDEX_RENAMED
    | FileStatus.INDEX_TYPECHANGE
    | FileStatus.WT_MODIFIED
    | FileStatus.WT_DELETED
    | FileStatus.WT_TYPECHANGE
    | FileStatus.WT_RENAMED
    | FileStatus.CONFLICTED
)


def _raw_status(r: Repo) -> dict[str, int]:
    with _Translate("cannot read the status", where=str(r.path)):
        return {p: int(f) for p, f in r.raw.status(untracked_files="all").items() if not f & FileStatus.IGNORED}


def status(repo, subdir: str | None = None) -> list[Change]:
    """Changes in the working copy compared with HEAD, sorted by path; only under ``subdir`` if given."""
    r = _repo(repo)
    sub = git_export.normalize_subdir(subdir) if subdir is not None else ""
    changes = []
    for path, flags in sorted(_raw_status(r).items()):
        if sub and not (path == sub or path.startswith(sub + "/")):
            continue
        for flag, kind, staged in _KINDS:
            if flags & flag:
                changes.append(Change(path, kind, staged))
                break
    return changes


def diff_file(repo, path: str) -> str:
    """A unified diff of one file between HEAD and the working copy (what a commit would record)."""
    r = _repo(repo)
    rel = path.replace("\\", "/")
    old = _head_blob(r, rel)
    target = r.path / rel
    new: bytes | None
    try:
        new = target.read_bytes() if target.is_file() else None
    except OSError as exc:
        raise GitError(f"cannot read {rel}: {exc.strerror or exc}") from None
    if old == new:
        return ""
    if (old and b"\0" in old[:8000]) or (new and b"\0" in new[:8000]):
        return f"Binary file {rel} differs\n"
    a = (old or b"").decode("utf-8", errors="replace").splitlines(keepends=True)
    b = (new or b"").decode("utf-8", errors="replace").splitlines(keepends=True)
    lines = difflib.unified_diff(
        a, b, fromfile="/dev/null" if old is None else f"a/{rel}", tofile="/dev/null" if new is None else f"b/{rel}"
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def _head_blob(r: Repo, rel: str) -> bytes | None:
    raw = r.raw
    if raw.head_is_unborn:
        return None
    with _Translate("cannot read HEAD", where=str(r.path)):
        tree = raw.head.peel(pygit2.Commit).tree
        try:
            obj = tree[rel]
        except KeyError:
            return None
        return obj.data if isinstance(obj, pygit2.Blob) else None


def dirty_paths(repo, ignore: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """Tracked files with uncommitted changes (staged or not), minus ``ignore``. Untracked files don't count."""
    r = _repo(repo)
    return sorted(p for p, f in _raw_status(r).items() if f & _TRACKED_CHANGE and p not in ignore)


def _dirty_error(action: str, paths: list[str]) -> GitDirtyError:
    listed = "\n".join(f"  {p}" for p in paths[:MAX_LISTED])
    more = f"\n  ... and {len(paths) - MAX_LISTED} more" if len(paths) > MAX_LISTED else ""
    return GitDirtyError(
        f"{action}: the working copy has uncommitted changes:\n{listed}{more}\n"
        "Commit or discard them first. Nothing was changed.",
        paths,
    )


# --------------------------------------------------------------------------- export
def export_files(repo, subdir: str | None, files: dict[str, str | bytes]) -> ExportResult:
    """Write ``files`` (relative POSIX path -> content) under ``subdir`` of the working copy.

    Refuses, changing nothing, when tracked files outside the designer's own output have uncommitted
    changes (``GitDirtyError``) or when it would overwrite/delete files the designer did not generate or
    that were edited since (``GitOverwriteError``). Re-exporting over an uncommitted earlier export is fine.
    """
    r = _repo(repo)
    sub = git_export.normalize_subdir(subdir)
    managed = git_export.managed_paths(r.path, sub)
    dirty = dirty_paths(r, ignore=managed)
    if dirty:
        raise _dirty_error("export refused", dirty)
    plan = git_export.plan_export(r.path, sub, files)
    return git_export.apply_export(plan)


def export_project(repo, project, subdir: str | None, components=None) -> ExportResult:
    """Generate the project's Dagster files (``codegen.generate_files``) and export them under ``subdir``.

    ``components`` is passed through to the generator (component type -> registry info), if given."""
    return export_files(repo, subdir, _generate_files(project, components))


def _generate_files(project, components=None) -> dict[str, str]:
    try:
        from dagster_designer_qt.services.codegen import generate_files
    except ImportError:
        raise GitError("project export is not available in this build (no code generator)") from None
    if components is None:
        return generate_files(project)
    return generate_files(project, components)


def default_subdir(project) -> str:
    """The export folder used when none is given: the project's package name (e.g. ``analytics``)."""
    try:
        from dagster_designer_qt.core.naming import package_name

        return package_name(getattr(project, "name", "") or "")
    except ImportError:  # pragma: no cover
        return re.sub(r"[^a-z0-9]+", "_", (getattr(project, "name", "") or "project").lower()).strip("_")


# --------------------------------------------------------------------------- commit
def resolve_author(repo, author: Author | None = None) -> Author:
    """The explicit author, else user.name/user.email from git config. GitNoAuthorError if neither."""
    if author is not None:
        if not author.name.strip() or not author.email.strip():
            raise GitNoAuthorError("the commit author needs both a name and an email")
        return Author(author.name.strip(), author.email.strip())
    r = _repo(repo)
    config = r.raw.config
    try:
        name = config["user.name"]
        email = config["user.email"]
    except (KeyError, pygit2.GitError):
        name = email = ""
    if not (name or "").strip() or not (email or "").strip():
        raise GitNoAuthorError(
            "no commit author: enter a name and email, or set them with "
            "'git config --global user.name \"Your Name\"' and 'git config --global user.email you@example.com'"
        )
    return Author(name.strip(), email.strip())


def commit(repo, message: str, author: Author | None = None, paths: list[str] | None = None) -> str:
    """Stage changes (all, or only under ``paths``) and commit on the current branch. Returns the commit id."""
    r = _repo(repo)
    raw = r.raw
    if not message or not message.strip():
        raise GitError("the commit message is empty")
    _current_branch(r, "cannot commit")
    who = resolve_author(r, author)
    scopes = [git_export.normalize_subdir(p) for p in paths] if paths else [""]
    changed = _raw_status(r)
    with _Translate("cannot commit", where=str(r.path)):
        index = raw.index
        index.read()
        for path, flags in changed.items():
            if not any(not s or path == s or path.startswith(s + "/") for s in scopes):
                continue
            if flags & FileStatus.WT_DELETED:
                index.remove(path)
            elif flags & (FileStatus.WT_NEW | FileStatus.WT_MODIFIED | FileStatus.WT_TYPECHANGE):
                index.add(path)
        tree_id = index.write_tree()
        parents = [] if raw.head_is_unborn else [raw.head.target]
        if parents and raw[parents[0]].peel(pygit2.Commit).tree_id == tree_id:
            index.read(force=True)  # drop our staging again
            raise GitNothingToCommitError("nothing to commit: the working copy matches the last commit")
        index.write()
        sig = pygit2.Signature(who.name, who.email)
        oid = raw.create_commit("HEAD", sig, sig, message.strip() + "\n", tree_id, parents)
    return str(oid)


# --------------------------------------------------------------------------- remotes
def _remote(r: Repo, name: str):
    try:
        return r.raw.remotes[name]
    except (KeyError, ValueError, pygit2.GitError):
        raise GitError(f"the working copy has no remote named {name!r}") from None


def _remote_url(remote, push: bool) -> str:
    url = (remote.push_url if push else None) or remote.url
    if not url:
        raise GitError(f"the remote {remote.name!r} has no URL")
    return url


def push(
    repo,
    remote: str = "origin",
    branch: str | None = None,
    credentials: Credentials | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> None:
    """Push ``branch`` (default: the current one) to the same branch on ``remote``; set its upstream."""
    r = _repo(repo)
    if branch is None:
        branch = _current_branch(r, "cannot push")
    if r.raw.lookup_branch(branch) is None:
        raise GitError(f"cannot push: there is no local branch {branch!r} (commit something first)")
    rem = _remote(r, remote)
    url = _remote_url(rem, push=True)
    info = check_remote_url(url)
    _check_cancel(cancel)
    callbacks = _callbacks(url, credentials, progress, cancel)
    spec = f"refs/heads/{branch}:refs/heads/{branch}"
    with _Translate("cannot push", credentials, f"to {info.url}"):
        rem.push([spec], callbacks=callbacks)
    if callbacks.rejected:
        reasons = "; ".join(f"{ref}: {msg}" for ref, msg in callbacks.rejected)
        reasons = scrub(reasons, credentials)
        if classify_message(reasons) is GitNonFastForwardError:
            raise GitNonFastForwardError(
                f"cannot push to {info.url}: the remote branch has commits you don't have "
                "(non-fast-forward); pull first, then push again"
            )
        raise GitPushRejectedError(f"the remote {info.url} rejected the push ({reasons})")
    with _Translate("pushed, but cannot record the upstream branch", where=str(r.path)):
        local = r.raw.lookup_branch(branch)
        if local.upstream is None:
            tracking = r.raw.lookup_branch(f"{remote}/{branch}", BranchType.REMOTE)
            if tracking is not None:
                local.upstream = tracking


def fetch(
    repo,
    remote: str = "origin",
    credentials: Credentials | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> None:
    r = _repo(repo)
    rem = _remote(r, remote)
    url = _remote_url(rem, push=False)
    info = check_remote_url(url)
    _check_cancel(cancel)
    callbacks = _callbacks(url, credentials, progress, cancel)
    with _Translate("cannot fetch", credentials, f"from {info.url}"):
        rem.fetch(callbacks=callbacks)


def pull(
    repo,
    remote: str = "origin",
    credentials: Credentials | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> PullResult:
    """Fetch, then fast-forward the current branch to ``remote/<branch>``. Never merges or rebases."""
    r = _repo(repo)
    branch = _current_branch(r, "cannot pull")
    dirty = dirty_paths(r)
    if dirty:
        raise _dirty_error("pull refused", dirty)
    fetch(r, remote, credentials, progress, cancel)
    raw = r.raw
    with _Translate("cannot pull", where=str(r.path)):
        tracking = raw.lookup_branch(f"{remote}/{branch}", BranchType.REMOTE)
        if tracking is None:
            raise GitError(f"cannot pull: the remote {remote!r} has no branch {branch!r}")
        theirs = tracking.target
        if raw.head_is_unborn:
            ours = None
        else:
            ours = raw.head.target
        if ours == theirs:
            return PullResult("up-to-date", str(ours))
        if ours is not None and raw.descendant_of(ours, theirs):
            return PullResult("ahead", str(ours))
        if ours is not None and not raw.descendant_of(theirs, ours):
            raise GitDivergedError(
                f"cannot pull: {branch} and {remote}/{branch} have diverged; merge or rebase them with git, "
                "then try again"
            )
        target = raw[theirs].peel(pygit2.Commit)
        try:
            raw.checkout_tree(target, strategy=CheckoutStrategy.SAFE)
        except pygit2.GitError as exc:
            raise GitConflictError(
                f"cannot pull: the update would overwrite local files ({exc}); move them away first"
            ) from None
        ref_name = f"refs/heads/{branch}"
        if ours is None:
            raw.references.create(ref_name, theirs)
        else:
            raw.references[ref_name].set_target(theirs, f"pull: fast-forward to {remote}/{branch}")
        local = raw.lookup_branch(branch)
        if local.upstream is None:
            local.upstream = tracking
    return PullResult("fast-forward", str(theirs))


# --------------------------------------------------------------------------- branches
_BAD_BRANCH = re.compile(r"(^[-/.])|(\.\.)|([\s~^:?*\[\\])|(@\{)|(/$)|(\.lock$)|(\.$)|(//)")


def _check_branch_name(name: str) -> str:
    name = (name or "").strip()
    if not name or _BAD_BRANCH.search(name):
        raise GitError(f"{name!r} is not a valid branch name")
    return name


def list_branches(repo) -> list[str]:
    return list(repo_info(repo).branches)


def create_branch(repo, name: str, switch: bool = True) -> None:
    """Create ``name`` at HEAD (and switch to it)."""
    r = _repo(repo)
    name = _check_branch_name(name)
    raw = r.raw
    if raw.lookup_branch(name) is not None:
        raise GitError(f"a branch named {name!r} already exists")
    if raw.head_is_unborn:
        if switch:
            with _Translate("cannot create the branch", where=name):
                raw.set_head(f"refs/heads/{name}")
            return
        raise GitError("cannot create a branch before the first commit")
    with _Translate("cannot create the branch", where=name):
        raw.branches.local.create(name, raw.head.peel(pygit2.Commit))
    if switch:
        switch_branch(r, name)


def switch_branch(repo, name: str, remote: str = "origin", create: bool = False) -> None:
    """Check out a local branch, or create one tracking ``remote/name``; with ``create``, a branch that
    exists nowhere is created from HEAD. Keeps non-conflicting local edits (like ``git switch``)."""
    r = _repo(repo)
    raw = r.raw
    name = _check_branch_name(name)
    local = raw.lookup_branch(name)
    if local is None:
        tracking = raw.lookup_branch(f"{remote}/{name}", BranchType.REMOTE)
        if tracking is None:
            if create:
                create_branch(r, name, switch=True)
                return
            raise GitError(f"there is no branch {name!r} (nor {remote}/{name})")
        with _Translate("cannot create the branch", where=name):
            local = raw.branches.local.create(name, raw[tracking.target].peel(pygit2.Commit))
            local.upstream = tracking
    try:
        raw.checkout(local.name, strategy=CheckoutStrategy.SAFE)
    except pygit2.GitError as exc:
        raise GitConflictError(
            f"cannot switch to {name}: local changes would be overwritten ({exc}); commit or discard them first"
        ) from None
