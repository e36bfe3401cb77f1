"""Cheap fingerprints of the Python environment and of a Dagster project, for the registry cache key.

Nothing here imports dagster: it reads folder listings (``name-version.dist-info`` carries both name and
version), folder mtimes, the stamps of the distributions' ``entry_points.txt`` files and the project's
``pyproject.toml``/``dg.toml`` and source files. It runs on every start (the warm cache's key), so it reads
no metadata: parsing every distribution's entry points (``importlib.metadata``) cost ~70 ms of a start.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

ENTRY_POINT_GROUPS = (
    "dagster_dg_cli.registry_modules",
    # legacy groups Dagster still reads
    "dagster_dg.library",
    "dagster_dg.plugin",
    "dagster_dg_cli.plugin",
)
_DIST_SUFFIXES = (".dist-info", ".egg-info", ".egg-link", ".pth")
MAX_PROJECT_FILES = 5000


def _is_within(path: Path, folder: Path | None) -> bool:
    if folder is None:
        return False
    try:
        path.resolve().relative_to(folder)
        return True
    except (ValueError, OSError):
        return False


def environment_fingerprint(sys_path: list[str], *, exclude: Path | None = None) -> dict[str, Any]:
    """Distributions (names + versions) and mtimes of every sys.path folder that provides distributions,
    plus the stamp (mtime, size) of each distribution's ``entry_points.txt``: the registry's entry points
    (ENTRY_POINT_GROUPS) live there, and a reinstall that changes them rewrites that file even when the
    version and the folder listing stay the same. Folders inside ``exclude`` (the project) are keyed by the
    project fingerprint instead, so adding the project to sys.path doesn't change this part. Only files
    are read, so this process's sys.path and another interpreter's are fingerprinted alike."""
    folders = []
    for entry in sys_path:
        path = Path(entry)
        if _is_within(path, exclude):
            continue
        try:
            st = os.stat(path)
        except OSError:
            continue
        if not path.is_dir():
            folders.append([entry, st.st_mtime_ns, st.st_size, []])  # zip/egg files
            continue
        try:
            names = sorted(e.name for e in os.scandir(path) if e.name.endswith(_DIST_SUFFIXES))
        except OSError:
            continue
        if names:
            folders.append([entry, st.st_mtime_ns, 0, names, _entry_point_stamps(path, names)])
    return {"folders": folders}


def _entry_point_stamps(folder: Path, names: list[str]) -> list:
    stamps = []
    for name in names:
        if not name.endswith((".dist-info", ".egg-info")):
            continue
        try:
            st = os.stat(os.path.join(folder, name, "entry_points.txt"))
        except OSError:
            continue  # a distribution without entry points (or a single-file .egg-info)
        stamps.append([name, st.st_mtime_ns, st.st_size])
    return stamps


def read_dg_config(project_dir: Path) -> tuple[dict[str, Any], Path | None]:
    """The project's dg configuration table and the file it came from (dg.toml wins over pyproject.toml,
    as in ``dg``)."""
    dg_toml = project_dir / "dg.toml"
    pyproject = project_dir / "pyproject.toml"
    for path, getter in ((dg_toml, lambda d: d), (pyproject, lambda d: d.get("tool", {}).get("dg"))):
        if path.is_file():
            import tomllib  # only for a project with a dg configuration: not on every start

            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                return {}, path
            table = getter(data)
            if isinstance(table, dict):
                return table, path
    return {}, None


def read_project_registry_modules(project_dir: Path) -> list[str]:
    table, _ = read_dg_config(project_dir)
    project = table.get("project") if isinstance(table.get("project"), dict) else {}
    modules = project.get("registry_modules") or []
    return [m for m in modules if isinstance(m, str) and m.strip()]


def project_source_roots(project_dir: Path) -> list[Path]:
    """Folders a project's modules are imported from: ``src/`` (the create-dagster layout) and the project
    folder itself."""
    roots = []
    if (project_dir / "src").is_dir():
        roots.append(project_dir / "src")
    roots.append(project_dir)
    return roots


def _module_base(pattern: str) -> list[str]:
    segments = []
    for segment in pattern.split("."):
        if segment == "*" or not segment:
            break
        segments.append(segment)
    return segments


def project_fingerprint(project_dir: Path) -> dict[str, Any]:
    """The dg config file's bytes and (path, mtime, size) of every Python file under the registry
    modules' packages."""
    _, config_path = read_dg_config(project_dir)
    config_digest = None
    if config_path is not None:
        try:
            config_digest = hashlib.sha256(config_path.read_bytes()).hexdigest()
        except OSError:
            config_digest = "unreadable"
    files: list[list[Any]] = []
    for pattern in read_project_registry_modules(project_dir):
        segments = _module_base(pattern)
        if not segments:
            continue
        for root in project_source_roots(project_dir):
            base = root.joinpath(*segments)
            candidates = [base.with_suffix(".py")] if base.with_suffix(".py").is_file() else []
            if base.is_dir():
                candidates.extend(sorted(base.rglob("*.py"))[:MAX_PROJECT_FILES])
            for path in candidates:
                try:
                    st = path.stat()
                except OSError:
                    continue
                files.append([str(path.relative_to(project_dir)), st.st_mtime_ns, st.st_size])
            if candidates:
                break
    return {"dir": str(project_dir), "config": config_digest, "files": files}
