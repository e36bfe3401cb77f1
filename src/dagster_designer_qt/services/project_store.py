"""Reading and writing project files on disk."""

from __future__ import annotations

import os
from pathlib import Path

from dagster_designer_qt.core import fileformat
from dagster_designer_qt.core.errors import ProjectFileError
from dagster_designer_qt.core.model import Project, utc_now_iso
from dagster_designer_qt.services.atomic import atomic_write_bytes

MAX_PROJECT_BYTES = 512 * 1024 * 1024


def load_project(path: str | os.PathLike[str]) -> Project:
    """Read and validate a project file. Raises ProjectFileError (never touches the file)."""
    source = str(path)
    try:
        size = os.path.getsize(path)
        if size > MAX_PROJECT_BYTES:
            raise ProjectFileError(f"file is too large ({size} bytes)", path=source)
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise ProjectFileError("no such file", path=source) from None
    except IsADirectoryError:
        raise ProjectFileError("is a folder, not a project file", path=source) from None
    except OSError as exc:
        raise ProjectFileError(f"cannot read: {exc.strerror or exc}", path=source) from None
    return fileformat.loads(data, source)


def save_project(project: Project, path: str | os.PathLike[str], *, touch: bool = True) -> None:
    """Write atomically. ``touch`` sets ``updated_at`` to now first (what a user's save does)."""
    if touch:
        project.updated_at = utc_now_iso()
    data = fileformat.dump_bytes(project)
    try:
        atomic_write_bytes(path, data, follow_symlinks=True)
    except OSError as exc:
        raise ProjectFileError(f"cannot save: {exc.strerror or exc}", path=str(path)) from None


def new_project(name: str, description: str | None = None) -> Project:
    return Project(name, description=description)
