"""Component types an opened Dagster project defines itself, and the absolute names Dagster resolves them to.

A defs file may name a type the project's own code defines: ``.component.MyComponent`` (relative to the
defs file's folder, as a Python package: Dagster's ``ComponentLoadContext.normalize_component_type_str``
prefixes the folder's module name, e.g. ``shop.defs.orders``), or an absolute name under the project's
``root_module`` (``shop.defs.orders.component.MyComponent``, ``shop.components.Thing``). Listing such a
type means importing the project's code, so the designer does it only after the user trusts the project
(docs/TRUST.md). Imports no Qt and runs no project code.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from dagster_designer_qt.services.project_reader import ProjectReadError, is_project_local, read_settings


def project_settings(project: Any):
    """The opened project's dg settings (None: not opened from a folder, or unreadable now)."""
    source = getattr(project, "source", None)
    if source is None:
        return None
    try:
        return read_settings(Path(source.folder))
    except (ProjectReadError, OSError):
        return None


def module_of_folder(defs_file: str) -> str | None:
    """The Python module name of a defs file's folder (``src/shop/defs/orders/defs.yaml`` ->
    ``shop.defs.orders``): the path below ``src/`` (or the project folder), dotted."""
    parts = list(PurePosixPath(defs_file).parent.parts)
    if parts[:1] == ["src"]:
        parts = parts[1:]
    if not parts or not all(p.isidentifier() for p in parts):
        return None
    return ".".join(parts)


def absolute_type(written: str, defs_file: str | None) -> str | None:
    """What Dagster imports for a type written in ``defs_file``: a relative ``.mod.Class`` is resolved
    against the file's folder; an absolute one is itself. None when it cannot be resolved."""
    if not written.startswith("."):
        return written if "." in written else None
    if defs_file is None:
        return None
    module = module_of_folder(defs_file)
    return f"{module}{written}" if module else None


def project_local_types(project: Any, settings: Any = None) -> dict[str, str]:
    """Written type -> absolute ``module.Class`` for every component node of an opened project whose type
    the project defines itself (``is_project_local``). Empty for a project not opened from a folder."""
    settings = settings if settings is not None else project_settings(project)
    if settings is None:
        return {}
    found: dict[str, str] = {}
    for node in project.graph.iter_nodes():
        if getattr(node, "node_type", "component") != "component":
            continue
        ctype = node.component_type
        if ctype in found or not isinstance(ctype, str) or not is_project_local(ctype, settings):
            continue
        source = getattr(node, "source", None)
        absolute = absolute_type(ctype, source.file if source is not None else None)
        if absolute is not None:
            found[ctype] = absolute
    return found


def needs_project_code(project: Any) -> bool:
    """Whether showing the opened project fully needs its own code: project-local component types,
    ``registry_modules``, or plain Python definitions modules (whose keys Dagster reports)."""
    settings = project_settings(project)
    if settings is None:
        return False
    if settings.registry_modules or project_local_types(project, settings):
        return True
    return any(getattr(n, "node_type", "component") == "python" for n in project.graph.iter_nodes())


def types_fingerprint(project_dir: Path, types: dict[str, str]) -> list[list[Any]]:
    """(file, mtime, size) of the module files the absolute types live in, for the registry cache key: a
    changed ``component.py`` lists its type again."""
    out: list[list[Any]] = []
    roots = [project_dir / "src", project_dir]
    for absolute in sorted(set(types.values())):
        segments = absolute.split(".")[:-1]
        for root in roots:
            base = root.joinpath(*segments)
            for path in (base.with_suffix(".py"), base / "__init__.py"):
                try:
                    st = path.stat()
                except (OSError, ValueError):
                    continue
                out.append([str(path), st.st_mtime_ns, st.st_size])
    return out
