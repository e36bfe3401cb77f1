"""Atomic file writes: temp file in the same folder, fsync, rename. A failure leaves the old file as it was.

- With ``follow_symlinks`` (project files) a symlink is written *through*: the file it points to is
  replaced, the link stays a link. Without it (exports) a link is replaced by a regular file.
- A read-only file is refused (``ReadOnlyFileError``) unless the caller says ``overwrite_readonly``.
- A new file gets the permissions the umask allows (``0o666 & ~umask``); an existing file keeps its own.
- Temp files a killed process left beside the target (``.<name>.*.tmp``) are removed by the next save.
"""

from __future__ import annotations

import errno
import os
import tempfile
import threading
import time
from pathlib import Path

STALE_TMP_SECONDS = 30.0  # a temp file older than this is not another save in progress
_umask_lock = threading.Lock()


class ReadOnlyFileError(PermissionError):
    """The target exists and is read-only; nothing was written."""


def current_umask() -> int:
    with _umask_lock:  # os.umask can only be read by setting it
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def is_read_only(path: Path) -> bool:
    """No write permission for us, or none for anybody (root may write anyway; a chmod a-w file says
    "don't")."""
    try:
        return not os.access(path, os.W_OK) or not (path.stat().st_mode & 0o222)
    except OSError:
        return False


def real_target(path: str | os.PathLike[str]) -> Path:
    """The file a save replaces: a symlink's final target (so the link survives), else the path itself."""
    target = Path(path)
    if target.is_symlink():
        resolved = Path(os.path.realpath(target))
        if resolved.is_symlink():  # a loop: realpath stops inside it
            raise OSError(errno.ELOOP, "too many levels of symbolic links", str(path))
        return resolved
    return target


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, *, follow_symlinks: bool = False,
                       overwrite_readonly: bool = False) -> None:
    """``follow_symlinks``: a user's document saved through its link. Off for exports, where a link
    planted in the folder must be replaced, never followed out of it."""
    target = real_target(path) if follow_symlinks else Path(path)
    folder = target.parent
    exists = target.exists()
    if exists and not overwrite_readonly and is_read_only(target):
        raise ReadOnlyFileError(errno.EACCES, "the file is read-only", str(path))
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if exists:
            try:
                os.chmod(tmp_name, target.stat().st_mode & 0o7777)
            except OSError:
                pass
        else:
            os.chmod(tmp_name, 0o666 & ~current_umask())
        os.replace(tmp_name, target)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except OSError:
            pass
        raise
    _fsync_dir(folder)
    remove_stale_temp_files(target)


def atomic_write_text(path: str | os.PathLike[str], text: str, *, follow_symlinks: bool = False,
                      overwrite_readonly: bool = False) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), follow_symlinks=follow_symlinks,
                       overwrite_readonly=overwrite_readonly)


def remove_stale_temp_files(target: Path, *, older_than: float = STALE_TMP_SECONDS) -> list[Path]:
    """Delete ``.<name>.*.tmp`` files an interrupted save of ``target`` left behind."""
    removed = []
    now = time.time()
    try:
        candidates = list(target.parent.glob(f".{_glob_escape(target.name)}.*.tmp"))
    except OSError:
        return removed
    for tmp in candidates:
        try:
            if tmp.is_file() and not tmp.is_symlink() and now - tmp.stat().st_mtime > older_than:
                tmp.unlink()
                removed.append(tmp)
        except OSError:
            pass
    return removed


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[]" else c for c in name)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
