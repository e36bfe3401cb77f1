"""Helper process that lists component types with Dagster's own registry and writes them as JSON.

    python -m dagster_designer_qt.services.registry_worker --out FILE [--project-dir DIR]

Runs in a separate process because importing dagster and the integrations takes seconds. Every registry
module is loaded on its own: one that fails to import becomes an entry with ``error`` and the others are
still listed (Dagster's ``discover_entry_point_package_objects`` stops at the first failure, so it is not
used directly). ``build_components()`` can also be called in-process (tests, benchmarks).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import traceback
from pathlib import Path
from typing import Any

from dagster_designer_qt.services.registry import (
    SYS_PATH_ENV,
    ComponentInfo,
    category_for_module,
    schema_declares_assets,
)
from dagster_designer_qt.services.registry_env import project_source_roots, read_project_registry_modules


def _error_text(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    cause = exc.__cause__ or exc.__context__
    if cause is not None and str(cause) and str(cause) not in text:
        text += f" (caused by {type(cause).__name__}: {cause})"
    return text


def _distribution_of(module_name: str, ep_dist: Any = None) -> tuple[str | None, str | None]:
    if ep_dist is not None:
        try:
            return ep_dist.metadata["Name"], ep_dist.version
        except Exception:  # noqa: BLE001 - broken metadata must not stop the listing
            pass
    import importlib.metadata

    top = module_name.split(".", 1)[0]
    try:
        names = importlib.metadata.packages_distributions().get(top) or []
        if names:
            return names[0], importlib.metadata.version(names[0])
    except Exception:  # noqa: BLE001
        pass
    return None, None


def _describe(namespace: str, name: str, obj: Any, dist: tuple[str | None, str | None],
              project_local: bool) -> ComponentInfo:
    from dagster_shared.serdes.objects import EnvRegistryKey

    from dagster.components.core.snapshot import get_package_entry_snap

    category = category_for_module(namespace)
    base = dict(
        type=f"{namespace}.{name}",
        name=name,
        module=namespace,
        category=category,
        icon=category,
        distribution=dist[0],
        version=dist[1],
        project_local=project_local,
    )
    doc = (getattr(obj, "__doc__", None) or "").strip()
    try:
        snap = get_package_entry_snap(EnvRegistryKey(name=name, namespace=namespace), obj)
        schema = snap.component_schema or {}
        return ComponentInfo(
            **base,
            description=snap.description or "",
            summary=snap.summary or "",
            schema=schema,
            scaffolder_schema=snap.scaffolder_schema,
            asset_factory=not schema_declares_assets(schema),
            aliases=tuple(a.to_typename() for a in snap.aliases),
        )
    except Exception as exc:  # noqa: BLE001 - one bad schema must not hide the others
        return ComponentInfo(
            **base,
            description=doc,
            summary=doc.split("\n\n")[0] if doc else "",
            error=f"cannot build the schema of {namespace}.{name}: {_error_text(exc)}",
        )


def _module_error(module_name: str, label: str, dist: tuple[str | None, str | None], exc: BaseException,
                  project_local: bool) -> ComponentInfo:
    category = category_for_module(module_name)
    return ComponentInfo(
        type=module_name,
        name=label,
        module=module_name,
        category=category,
        icon=category,
        distribution=dist[0],
        version=dist[1],
        error=f"cannot import registry module {module_name!r}: {_error_text(exc)}",
        project_local=project_local,
    )


def _components_in_module(module: Any, namespace: str, dist: tuple[str | None, str | None],
                          project_local: bool) -> list[ComponentInfo]:
    from dagster.components.component.component import Component
    from dagster.components.core.package_entry import get_package_objects_in_module

    out = []
    for name, obj in get_package_objects_in_module(module):
        if isinstance(obj, type) and issubclass(obj, Component):
            out.append(_describe(namespace, name, obj, dist, project_local))
    return out


def build_components(project_dir: Path | None = None) -> list[ComponentInfo]:
    """Every component type registered in this environment (and the project's registry modules)."""
    from types import ModuleType

    from dagster.components.core.package_entry import get_plugin_entry_points

    rows: list[ComponentInfo] = []
    seen_modules: set[str] = set()
    for ep in get_plugin_entry_points():
        if ep.value in seen_modules:
            continue
        seen_modules.add(ep.value)
        dist = _distribution_of(ep.value, getattr(ep, "dist", None))
        try:
            module = ep.load()
            if not isinstance(module, ModuleType):
                raise TypeError(f"entry point {ep.name} in group {ep.group} must name a module, got {module!r}")
            rows.extend(_components_in_module(module, ep.value, dist, False))
        except (Exception, SystemExit) as exc:  # noqa: BLE001
            rows.append(_module_error(ep.value, ep.name, dist, exc, False))
    if project_dir is not None:
        rows.extend(_project_components(Path(project_dir), seen_modules))
    return rows


def _project_components(project_dir: Path, seen_modules: set[str]) -> list[ComponentInfo]:
    from dagster_shared.seven import resolve_module_pattern

    for root in reversed(project_source_roots(project_dir)):
        if str(root) not in sys.path:
            sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    rows: list[ComponentInfo] = []
    for pattern in read_project_registry_modules(project_dir):
        try:
            modules = resolve_module_pattern(pattern) if "*" in pattern else [pattern]
        except (Exception, SystemExit) as exc:  # noqa: BLE001
            rows.append(_module_error(pattern, pattern, (None, None), exc, True))
            continue
        for module_name in sorted(set(modules)):
            if module_name in seen_modules:
                continue
            seen_modules.add(module_name)
            dist = _distribution_of(module_name)
            try:
                module = importlib.import_module(module_name)
                rows.extend(_components_in_module(module, module_name, dist, True))
            except (Exception, SystemExit) as exc:  # noqa: BLE001
                rows.append(_module_error(module_name, module_name, dist, exc, True))
    return rows


def _restore_sys_path() -> None:
    raw = os.environ.get(SYS_PATH_ENV)
    if not raw:
        return
    try:
        wanted = [p for p in json.loads(raw) if isinstance(p, str)]
    except ValueError:
        return
    sys.path[:] = wanted + [p for p in sys.path if p not in wanted]


def post_processing_schema() -> dict | None:
    """The JSON schema of a defs.yaml ``post_processing:`` block, from the installed Dagster (so the
    property panel's form follows Dagster without importing it). None if this Dagster lacks the model."""
    try:
        from dagster.components.core.defs_module import ComponentPostProcessingModel

        return ComponentPostProcessingModel.model().model_json_schema()
    except Exception:  # noqa: BLE001 - an older/newer Dagster: the panel falls back to a YAML editor
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="registry_worker")
    parser.add_argument("--out", required=True)
    parser.add_argument("--project-dir", default=None)
    args = parser.parse_args(argv)
    _restore_sys_path()
    os.environ.setdefault("DAGSTER_DG_UPDATE_CHECK_ENABLED", "0")
    try:
        rows = build_components(Path(args.project_dir) if args.project_dir else None)
    except Exception:  # noqa: BLE001 - report and fail; the parent turns it into a RegistryError
        traceback.print_exc()
        return 1
    payload = {"components": [r.to_dict() for r in rows], "post_processing_schema": post_processing_schema()}
    Path(args.out).write_text(json.dumps(payload), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
