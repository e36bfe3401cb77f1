"""Writing generated files into a folder of a working copy, safely. Pure Python: no pygit2, no Qt.

The designer records what it generated in ``<subdir>/.dagster-designer.json`` (path -> sha256). An export:

* writes every generated file;
* removes files it generated last time that are no longer produced;
* refuses - before touching anything - to overwrite or delete a file it did not generate, or one that was
  edited by hand since it was generated (its hash no longer matches). Identical content is never a conflict.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from dagster_designer_qt.services.atomic import atomic_write_bytes
from dagster_designer_qt.services.git_errors import GitError, GitOverwriteError

MANIFEST_NAME = ".dagster-designer.json"
MANIFEST_VERSION = 1
MAX_LISTED = 20


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class ExportPlan:
    root: Path  # the export folder (absolute)
    subdir: str  # POSIX, relative to the working copy ("" for its root)
    files: dict[str, bytes]
    write: list[str] = field(default_factory=list)
    delete: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # relative to the working copy

    @property
    def changes(self) -> int:
        return len(self.write) + len(self.delete)


@dataclass
class ExportResult:
    subdir: str
    written: list[str]
    deleted: list[str]
    unchanged: list[str]


def normalize_subdir(subdir: str | None) -> str:
    """A safe relative POSIX folder inside the working copy ("" = its root). Raises GitError."""
    text = (subdir or "").strip().replace("\\", "/")
    if text in ("", ".", "./"):
        return ""
    pure = PurePosixPath(text)
    if pure.is_absolute() or (len(text) > 1 and text[1] == ":"):
        raise GitError(f"the target subfolder must be relative to the working copy, not {subdir!r}")
    parts = [p for p in pure.parts if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise GitError(f"the target subfolder {subdir!r} must stay inside the working copy (no '..')")
    if parts and parts[0] == ".git":
        raise GitError("the target subfolder cannot be inside .git")
    return "/".join(parts)


def _check_rel(path: str) -> str:
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts or ".git" in pure.parts:
        raise GitError(f"generated file path {path!r} is not a safe relative path")
    if pure.name == MANIFEST_NAME:
        raise GitError(f"generated files cannot be named {MANIFEST_NAME}")
    return pure.as_posix()


def read_manifest(root: Path) -> dict[str, str]:
    path = root / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise GitError(f"{path}: cannot read the designer's export record ({exc}); remove it by hand") from None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        raise GitError(f"{path}: not a valid export record; remove it by hand")
    return {str(k): str(v) for k, v in files.items()}


def _manifest_text(hashes: dict[str, str]) -> str:
    body = {
        "generator": "dagster-designer",
        "version": MANIFEST_VERSION,
        "files": dict(sorted(hashes.items())),
    }
    return json.dumps(body, indent=2) + "\n"


def manifest_text(files: dict[str, str | bytes]) -> str:
    """The record for a set of generated files (path -> text or bytes)."""
    return _manifest_text({rel: sha256(data.encode("utf-8") if isinstance(data, str) else bytes(data))
                           for rel, data in files.items()})


def _file_hash(path: Path) -> str | None:
    """sha256 of a regular file, None if absent. A symlink or folder gets a marker that matches nothing."""
    try:
        if path.is_symlink() or (path.exists() and not path.is_file()):
            return "<not a regular file>"
        return sha256(path.read_bytes())
    except FileNotFoundError:
        return None


def unsafe_parent(workdir: Path, target: Path) -> bool:
    """True when some existing parent between workdir and target is a symlink or a file."""
    current = target.parent
    while current != workdir and workdir in current.parents:
        if current.is_symlink() or (current.exists() and not current.is_dir()):
            return True
        current = current.parent
    return False


def plan_export(workdir: str | os.PathLike[str], subdir: str | None, files: dict[str, str | bytes]) -> ExportPlan:
    workdir = Path(workdir).resolve()
    sub = normalize_subdir(subdir)
    root = workdir / sub if sub else workdir
    encoded = {
        _check_rel(rel): (data.encode("utf-8") if isinstance(data, str) else bytes(data))
        for rel, data in files.items()
    }
    plan = ExportPlan(root=root, subdir=sub, files=encoded)
    if root != workdir and unsafe_parent(workdir, root / "x"):
        raise GitError(f"the target subfolder {sub!r} goes through a symlink or a file")
    manifest = read_manifest(root) if root.is_dir() else {}
    prefix = f"{sub}/" if sub else ""
    for rel in sorted(encoded):
        target = root / rel
        on_disk = _file_hash(target)
        new_hash = sha256(encoded[rel])
        if unsafe_parent(workdir, target):
            plan.conflicts.append(prefix + rel)
        elif on_disk == new_hash:
            plan.unchanged.append(rel)
        elif on_disk is None or manifest.get(rel) == on_disk:
            plan.write.append(rel)
        else:
            plan.conflicts.append(prefix + rel)
    for rel in sorted(set(manifest) - set(encoded)):
        try:
            rel = _check_rel(rel)
        except GitError:
            continue  # a tampered record never makes us delete outside the folder
        on_disk = _file_hash(root / rel)
        if on_disk is None:
            continue
        if on_disk == manifest[rel] and not unsafe_parent(workdir, root / rel):
            plan.delete.append(rel)
        else:
            plan.conflicts.append(prefix + rel)
    return plan


def conflict_error(plan: ExportPlan) -> GitOverwriteError:
    listed = plan.conflicts[:MAX_LISTED]
    more = len(plan.conflicts) - len(listed)
    lines = "\n".join(f"  {p}" for p in listed) + (f"\n  ... and {more} more" if more > 0 else "")
    where = plan.subdir or "the working copy root"
    return GitOverwriteError(
        f"export refused: it would overwrite or delete {len(plan.conflicts)} file(s) in {where} that "
        f"Dagster Designer did not generate or that were edited since:\n{lines}\n"
        "Move or commit them elsewhere, or pick another target subfolder. Nothing was changed.",
        list(plan.conflicts),
    )


def apply_export(plan: ExportPlan) -> ExportResult:
    """Write the plan. Refuses (changing nothing) if it has conflicts."""
    if plan.conflicts:
        raise conflict_error(plan)
    try:
        plan.root.mkdir(parents=True, exist_ok=True)
        for rel in plan.write:
            target = plan.root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(target, plan.files[rel])
        for rel in plan.delete:
            target = plan.root / rel
            target.unlink(missing_ok=True)
            _prune_empty_dirs(plan.root, target.parent)
        hashes = {rel: sha256(data) for rel, data in plan.files.items()}
        manifest_path = plan.root / MANIFEST_NAME
        text = _manifest_text(hashes)
        if not manifest_path.exists() or manifest_path.read_text(encoding="utf-8") != text:
            atomic_write_bytes(manifest_path, text.encode("utf-8"))
    except OSError as exc:
        raise GitError(f"cannot write the export into {plan.root}: {exc.strerror or exc}") from None
    return ExportResult(plan.subdir, list(plan.write), list(plan.delete), list(plan.unchanged))


def managed_paths(workdir: str | os.PathLike[str], subdir: str | None) -> set[str]:
    """Working-copy-relative paths that hold exactly what the designer last generated (plus its record)."""
    workdir = Path(workdir).resolve()
    sub = normalize_subdir(subdir)
    root = workdir / sub if sub else workdir
    prefix = f"{sub}/" if sub else ""
    manifest = read_manifest(root) if root.is_dir() else {}
    result = {prefix + MANIFEST_NAME}
    for rel, digest in manifest.items():
        on_disk = _file_hash(root / rel)
        if on_disk is None or on_disk == digest:
            result.add(prefix + rel)
    return result


def _prune_empty_dirs(root: Path, folder: Path) -> None:
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
