"""Export a project opened from a folder to somewhere else (a new folder or a ZIP): the whole project.

Every file of the project folder comes through byte-identical, except the defs files the designer
changed, which get exactly the changes a save in place would make (``save_in_place.plan_save`` run on
the in-memory copy). Skipped: version control and virtualenv folders, caches and build output
(:data:`SKIPPED_DIRS`, any folder holding a ``pyvenv.cfg``), symlinks, files larger than
:data:`MAX_FILE_BYTES` (reported) and anything past :data:`MAX_TOTAL_BYTES` in all. The project folder is
only read.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from dagster_designer_qt.core.errors import DesignerError
from dagster_designer_qt.services.atomic import atomic_write_bytes
from dagster_designer_qt.services.save_in_place import MemoryFiles, plan_save

SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", ".venv", "__pycache__", ".mypy_cache", ".pytest_cache",
                          ".ruff_cache", ".tox", ".nox", "node_modules", ".eggs", "target", "dbt_packages",
                          ".dagster", ".idea", ".vscode", ".ipynb_checkpoints"})
# at the top only: build output and a local Dagster instance's folders (DAGSTER_HOME=<project>)
SKIPPED_TOP_DIRS = frozenset({"build", "dist", "logs", "storage", "history", "schedules", "venv"})
SKIPPED_SUFFIXES = (".pyc", ".pyo", ".egg-info")
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 512 * 1024 * 1024
MAX_NAME = 255
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class CopyError(DesignerError):
    pass


@dataclass
class CopyResult:
    path: Path
    files: dict[str, bytes]
    warnings: list[str] = field(default_factory=list)


def collect(root: Path, warnings: list[str]) -> dict[str, bytes]:
    """relative POSIX path -> bytes of every file the copy takes (see the module docstring)."""
    out: dict[str, bytes] = {}
    total = 0
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            warnings.append(f"{folder}: can't be read ({exc.strerror or exc}); not copied")
            continue
        subdirs = []
        for entry in entries:
            rel = Path(entry.path).relative_to(root).as_posix()
            try:
                rel.encode("utf-8")
            except UnicodeEncodeError:
                warnings.append(f"{rel.encode('utf-8', 'backslashreplace').decode()}: name is not UTF-8; "
                                "not copied")
                continue
            if entry.is_symlink():
                warnings.append(f"{rel}: a symlink; not copied")
                continue
            if entry.name.endswith(SKIPPED_SUFFIXES) or len(entry.name.encode()) > MAX_NAME:
                continue
            if entry.is_dir(follow_symlinks=False):
                if entry.name not in SKIPPED_DIRS and not (folder == root and entry.name in SKIPPED_TOP_DIRS) \
                        and not (Path(entry.path) / "pyvenv.cfg").exists() and not entry.name.startswith(".tmp_dagster_home"):
                    subdirs.append(Path(entry.path))
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if not stat.S_ISREG(info.st_mode):
                continue
            if info.st_size > MAX_FILE_BYTES:
                warnings.append(f"{rel}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB; not copied")
                continue
            total += info.st_size
            if total > MAX_TOTAL_BYTES:
                raise CopyError(f"{root}: more than {MAX_TOTAL_BYTES // (1024 * 1024)} MiB of files to copy")
            try:
                with open(entry.path, "rb") as handle:
                    out[rel] = handle.read()
            except OSError as exc:
                warnings.append(f"{rel}: can't be read ({exc.strerror or exc}); not copied")
        stack.extend(reversed(subdirs))
    return out


def copied_files(project: Any, components: Mapping[str, Any] | None = None) -> tuple[dict[str, bytes], list[str]]:
    """The files of the copy: the project folder with the designer's changes applied."""
    ps = project.source
    if ps is None:
        raise CopyError("this project was not opened from a project folder")
    root = Path(ps.folder)
    if not root.is_dir():
        raise CopyError(f"the project folder {root} no longer exists")
    warnings: list[str] = []
    files = collect(root, warnings)
    plan = plan_save(project, components, MemoryFiles(files))
    files.update(plan.write)
    for rel in plan.delete:
        files.pop(rel, None)
    warnings.extend(plan.warnings)
    return dict(sorted(files.items())), warnings


def copy_to_folder(project: Any, out_dir: str | os.PathLike[str],
                   components: Mapping[str, Any] | None = None) -> CopyResult:
    """Write the whole project into a new (or empty) folder, atomically (staging folder + rename)."""
    out = Path(out_dir).absolute()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise CopyError(f"{out} exists and is not an empty folder")
    if not out.parent.is_dir():
        raise CopyError(f"folder {out.parent} does not exist")
    if project.source is not None and _inside(out, Path(project.source.folder)):
        raise CopyError(f"{out} is inside the project folder; choose a folder outside it")
    files, warnings = copied_files(project, components)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.export-", dir=out.parent))
    except OSError as exc:
        raise CopyError(f"cannot write in {out.parent}: {exc.strerror or exc}") from None
    try:
        for rel, data in files.items():
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        os.chmod(staging, 0o755)
        if out.exists():
            os.rmdir(out)
        os.replace(staging, out)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise CopyError(f"cannot export to {out}: {exc.strerror or exc}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return CopyResult(path=out, files=files, warnings=warnings)


def copy_to_zip(project: Any, zip_path: str | os.PathLike[str],
                components: Mapping[str, Any] | None = None) -> CopyResult:
    """Write the whole project into a ZIP (sorted entries, fixed dates: the same project, the same bytes)."""
    path = Path(zip_path).absolute()
    if path.is_dir():
        raise CopyError(f"{path} is a folder")
    if not path.parent.is_dir():
        raise CopyError(f"folder {path.parent} does not exist")
    files, warnings = copied_files(project, components)
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for rel in sorted(files):
            info = zipfile.ZipInfo(rel, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            info.create_system = 3
            zf.writestr(info, files[rel])
    try:
        atomic_write_bytes(path, buffer.getvalue())
    except OSError as exc:
        raise CopyError(f"cannot write {path}: {exc.strerror or exc}") from None
    return CopyResult(path=path, files=files, warnings=warnings)


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):
        return False


def write_copy(project: Any, components: Mapping[str, Any] | None, root: Path) -> dict[str, str]:
    """Write the copy of an opened project into ``root`` (a scratch folder Dagster loads or runs from),
    over what is there; returns node id -> its top-level component folder."""
    from dagster_designer_qt.services.node_docs import folder_of

    files, _warnings = copied_files(project, components)
    for rel, data in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    folders = {}
    for node in project.graph.iter_nodes():
        folder = folder_of(node, project)
        if folder and "/" not in folder and folder != "." and node.node_type == "component":
            folders[node.id] = folder
    return folders
