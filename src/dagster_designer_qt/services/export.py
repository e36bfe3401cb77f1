"""Export a project to a folder or a ZIP. The files are exactly ``codegen.generate_files``.

A folder export is written into a temporary sibling folder and moved into place, so a failure leaves
nothing half-written. A ZIP has fixed timestamps and sorted entries: the same project gives the same bytes.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any, Mapping

from dagster_designer_qt.core.errors import DesignerError
from dagster_designer_qt.services.atomic import atomic_write_bytes
from dagster_designer_qt.services.codegen import generate_files

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
MAX_NAME_BYTES = 255  # one path component on Linux, macOS and Windows file systems


class ExportError(DesignerError):
    pass


def _check_relative(rel: str) -> None:
    """Lexical check (no file system calls): a relative POSIX path without '..' or empty segments."""
    parts = rel.split("/")
    if not rel or rel.startswith("/") or "\\" in rel or ":" in parts[0] or \
            any(part in ("", ".", "..") for part in parts):
        raise ExportError(f"refusing to write {rel!r}: it is outside the export folder")
    for part in parts:
        if len(part.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
            raise ExportError(f"refusing to write {part[:40]!r}...: a file or folder name longer than "
                              f"{MAX_NAME_BYTES} bytes cannot be created or unzipped")


def write_files(files: Mapping[str, str], root: Path) -> None:
    """Write path -> text below root (which must exist). Bytes are UTF-8, newlines as generated."""
    made: set[str] = set()
    base = str(root)
    for rel, text in files.items():
        _check_relative(rel)
        folder = rel.rpartition("/")[0]
        if folder and folder not in made:
            os.makedirs(os.path.join(base, folder), exist_ok=True)
            made.add(folder)
        with open(os.path.join(base, rel), "wb") as handle:
            handle.write(text.encode("utf-8"))


def export_folder(project: Any, out_dir: str | os.PathLike[str], *, force: bool = False,
                  components: Mapping[str, Any] | None = None) -> Path:
    """Write the project so that ``out_dir`` becomes its root.

    A new or empty folder is written as a whole into a temporary sibling and moved into place, so a
    failure leaves nothing half-written. A non-empty folder is refused unless ``force``; then the export
    *updates* it: generated files are (atomically, one by one) overwritten, files an earlier export
    generated that are no longer produced are removed, and everything else - ``.git``, ``.venv``, a
    ``.env`` with the user's secrets, files they added - is kept. What was generated is recorded in
    ``.dagster-designer.json`` (path -> sha256), the same record the git export uses.
    """
    out = Path(out_dir).absolute()
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out} exists and is not a folder")
    parent = out.parent
    if not parent.is_dir():
        raise ExportError(f"folder {parent} does not exist")
    if out.is_dir() and any(out.iterdir()):
        if not force:
            raise ExportError(f"{out} is not empty (use --force to update it: generated files are replaced, "
                              "files you added are kept)")
        return _update_in_place(out, generate_files(project, components))
    files = generate_files(project, components)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.export-", dir=parent))
    except OSError as exc:
        raise ExportError(f"cannot write in {parent}: {exc.strerror or exc}") from None
    try:
        write_files(files, staging)
        _write_manifest(staging, files)
        os.chmod(staging, 0o755)
        if out.exists():
            os.rmdir(out)  # empty (checked above); replace() can't move a folder onto a folder
        os.replace(staging, out)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise ExportError(f"cannot export to {out}: {exc.strerror or exc}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


def _write_manifest(root: Path, files: Mapping[str, str]) -> None:
    from dagster_designer_qt.services.git_export import MANIFEST_NAME, manifest_text

    (root / MANIFEST_NAME).write_text(manifest_text(files), encoding="utf-8")


def _update_in_place(out: Path, files: Mapping[str, str]) -> Path:
    """A forced export into a non-empty folder: overwrite what we generate, keep everything else."""
    from dagster_designer_qt.services.git_errors import GitError
    from dagster_designer_qt.services.git_export import apply_export, plan_export, unsafe_parent

    try:
        plan = plan_export(out, None, dict(files))
        # --force: a generated path that was edited by hand (or never ours) is overwritten; a file we
        # generated once, no longer produce and that was edited since is kept rather than deleted.
        # Never through a symlink or a file standing where a folder should be.
        unsafe = [rel for rel in plan.conflicts if rel not in plan.files or unsafe_parent(plan.root, plan.root / rel)]
        plan.write += [rel for rel in plan.conflicts if rel in plan.files and rel not in unsafe]
        plan.conflicts = [rel for rel in unsafe if rel in plan.files]
        apply_export(plan)
    except GitError as exc:
        raise ExportError(str(exc)) from None
    return out


def zip_bytes(files: Mapping[str, str], root_name: str | None = None) -> bytes:
    """Deterministic ZIP of the files (sorted, fixed dates, fixed permissions)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for rel in sorted(files):
            _check_relative(rel)  # the same names a folder export would accept
            name = f"{root_name}/{rel}" if root_name else rel
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            info.create_system = 3
            zf.writestr(info, files[rel].encode("utf-8"))
    return buffer.getvalue()


def export_zip(project: Any, zip_path: str | os.PathLike[str], *,
               components: Mapping[str, Any] | None = None) -> Path:
    """Write a ZIP whose entries are the project root's files (pyproject.toml at the top)."""
    path = Path(zip_path).absolute()
    if path.is_dir():
        raise ExportError(f"{path} is a folder")
    if not path.parent.is_dir():
        raise ExportError(f"folder {path.parent} does not exist")
    data = zip_bytes(generate_files(project, components))
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path
