"""The designer's helper process: everything Dagster-side, run in the project's own Python interpreter.

A standalone script: it imports only the standard library and ``dagster`` (never ``dagster_designer_qt``),
so it runs in an environment where only Dagster is installed::

    python dagster_helper.py probe                                   interpreter facts as one JSON line
    python dagster_helper.py components --out FILE [--project-dir D] component types with their schemas
    python dagster_helper.py load PROJECT_ROOT                       load an exported project, print JSON
    python dagster_helper.py serve [--project-dir D]                 answer JSON-line requests on stdin
    python dagster_helper.py module-keys ROOT FILES_JSON             asset keys Dagster reports per module

``serve`` reads one JSON object per line (``{"id": 1, "op": "validate", "type": ..., "attributes": ...}``
or ``{"id": 2, "op": "ping"}``) and writes one JSON object per line back with the same id. It exits when
stdin closes, so it never outlives the designer.

The designer runs this file as ``python /path/to/dagster_helper.py`` in a project interpreter, and as
``python -m dagster_designer_qt.helper.dagster_helper`` in its own (which also works in the PyInstaller
bundle, where ``sys.executable`` is the bundle).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

LOAD_MARK = "@@DESIGNER-LOAD@@"
PROTOCOL = 1


# ------------------------------------------------------------------ shared bits
def _error_text(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    cause = exc.__cause__ or exc.__context__
    if cause is not None and str(cause) and str(cause) not in text:
        text += f" (caused by {type(cause).__name__}: {cause})"
    return text


def _quiet_dagster() -> None:
    os.environ.setdefault("DAGSTER_DG_UPDATE_CHECK_ENABLED", "0")
    os.environ.setdefault("DAGSTER_TELEMETRY_DISABLED", "1")


def project_source_roots(project_dir: Path) -> list[Path]:
    """``src/`` (the create-dagster layout) and the project folder itself."""
    roots = []
    if (project_dir / "src").is_dir():
        roots.append(project_dir / "src")
    roots.append(project_dir)
    return roots


def _add_project_to_path(project_dir: Path | None) -> None:
    if project_dir is None:
        return
    for root in reversed(project_source_roots(project_dir)):
        if str(root) not in sys.path:
            sys.path.insert(0, str(root))
    importlib.invalidate_caches()


def read_project_registry_modules(project_dir: Path) -> list[str]:
    """``registry_modules`` from dg.toml ``[project]`` or pyproject.toml ``[tool.dg.project]``."""
    import tomllib

    for path, dig in ((project_dir / "dg.toml", ()), (project_dir / "pyproject.toml", ("tool", "dg"))):
        if not path.is_file():
            continue
        try:
            table: Any = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return []
        for key in dig:
            table = table.get(key) if isinstance(table, dict) else None
        if isinstance(table, dict):
            project = table.get("project") if isinstance(table.get("project"), dict) else {}
            modules = project.get("registry_modules") or []
            return [m for m in modules if isinstance(m, str) and m.strip()]
    return []


# ------------------------------------------------------------------------ probe
def probe() -> dict[str, Any]:
    """Facts about this interpreter; imports nothing heavy (the designer reads Dagster's version from the
    ``dagster-X.dist-info`` folder on ``sys_path``)."""
    return {
        "protocol": PROTOCOL,
        "executable": sys.executable,
        "prefix": sys.prefix,
        "python": ".".join(str(p) for p in sys.version_info[:3]),
        "sys_path": [p for p in sys.path if p and p != os.path.dirname(os.path.abspath(__file__))],
    }


# ------------------------------------------------------------------- components
def _distribution_of(module_name: str, ep_dist: Any = None) -> tuple[str | None, str | None]:
    import importlib.metadata

    if ep_dist is not None:
        try:
            return ep_dist.metadata["Name"], ep_dist.version
        except Exception:  # noqa: BLE001 - broken metadata must not stop the listing
            pass
    top = module_name.split(".", 1)[0]
    try:
        names = importlib.metadata.packages_distributions().get(top) or []
        if names:
            return names[0], importlib.metadata.version(names[0])
    except Exception:  # noqa: BLE001
        pass
    return None, None


def _row(namespace: str, name: str, dist: tuple[str | None, str | None], project_local: bool,
         **more: Any) -> dict[str, Any]:
    row = {"type": f"{namespace}.{name}", "name": name, "module": namespace, "distribution": dist[0],
           "version": dist[1], "project_local": project_local}
    row.update(more)
    return row


def _describe(namespace: str, name: str, obj: Any, dist: tuple[str | None, str | None],
              project_local: bool) -> dict[str, Any]:
    from dagster_shared.serdes.objects import EnvRegistryKey

    from dagster.components.core.snapshot import get_package_entry_snap

    doc = (getattr(obj, "__doc__", None) or "").strip()
    try:
        snap = get_package_entry_snap(EnvRegistryKey(name=name, namespace=namespace), obj)
        return _row(namespace, name, dist, project_local,
                    description=snap.description or "", summary=snap.summary or "",
                    schema=snap.component_schema or {}, scaffolder_schema=snap.scaffolder_schema,
                    aliases=[a.to_typename() for a in snap.aliases])
    except Exception as exc:  # noqa: BLE001 - one bad schema must not hide the others
        return _row(namespace, name, dist, project_local, description=doc,
                    summary=doc.split("\n\n")[0] if doc else "",
                    error=f"cannot build the schema of {namespace}.{name}: {_error_text(exc)}")


def _module_error(module_name: str, label: str, dist: tuple[str | None, str | None], exc: BaseException,
                  project_local: bool) -> dict[str, Any]:
    return {"type": module_name, "name": label, "module": module_name, "distribution": dist[0],
            "version": dist[1], "project_local": project_local,
            "error": f"cannot import registry module {module_name!r}: {_error_text(exc)}"}


def _components_in_module(module: Any, namespace: str, dist: tuple[str | None, str | None],
                          project_local: bool) -> list[dict[str, Any]]:
    from dagster.components.component.component import Component
    from dagster.components.core.package_entry import get_package_objects_in_module

    return [_describe(namespace, name, obj, dist, project_local)
            for name, obj in get_package_objects_in_module(module)
            if isinstance(obj, type) and issubclass(obj, Component)]


def build_component_rows(project_dir: Path | None = None) -> list[dict[str, Any]]:
    """Every component type registered in this environment, plus the project's registry modules.

    Every registry module is loaded on its own: one that fails to import becomes a row with ``error`` and
    the others are still listed (Dagster's ``discover_entry_point_package_objects`` stops at the first
    failure, so it is not used directly)."""
    from types import ModuleType

    from dagster.components.core.package_entry import get_plugin_entry_points

    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for ep in get_plugin_entry_points():
        if ep.value in seen:
            continue
        seen.add(ep.value)
        dist = _distribution_of(ep.value, getattr(ep, "dist", None))
        try:
            module = ep.load()
            if not isinstance(module, ModuleType):
                raise TypeError(f"entry point {ep.name} in group {ep.group} must name a module, got {module!r}")
            rows.extend(_components_in_module(module, ep.value, dist, False))
        except (Exception, SystemExit) as exc:  # noqa: BLE001
            rows.append(_module_error(ep.value, ep.name, dist, exc, False))
    if project_dir is not None:
        rows.extend(_project_rows(Path(project_dir), seen))
    return rows


def _project_rows(project_dir: Path, seen: set[str]) -> list[dict[str, Any]]:
    from dagster_shared.seven import resolve_module_pattern

    _add_project_to_path(project_dir)
    rows: list[dict[str, Any]] = []
    for pattern in read_project_registry_modules(project_dir):
        try:
            modules = resolve_module_pattern(pattern) if "*" in pattern else [pattern]
        except (Exception, SystemExit) as exc:  # noqa: BLE001
            rows.append(_module_error(pattern, pattern, (None, None), exc, True))
            continue
        for module_name in sorted(set(modules)):
            if module_name in seen:
                continue
            seen.add(module_name)
            dist = _distribution_of(module_name)
            try:
                module = importlib.import_module(module_name)
                rows.extend(_components_in_module(module, module_name, dist, True))
            except (Exception, SystemExit) as exc:  # noqa: BLE001
                rows.append(_module_error(module_name, module_name, dist, exc, True))
    return rows


def project_type_rows(pairs: list, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows for component types the project's defs files name and its own code defines (``component.py``,
    ``.module.Class``): ``pairs`` of (type as written, absolute ``module.Class``). A type already listed
    (through registry_modules) only gains the written spelling as an alias; one that cannot be imported
    is a row with ``error`` under its written name."""
    by_type = {r["type"]: r for r in rows}
    out: list[dict[str, Any]] = []
    for written, absolute in pairs:
        if not isinstance(written, str) or not isinstance(absolute, str):
            continue
        row = by_type.get(absolute)
        if row is None:
            module_name, _, name = absolute.rpartition(".")
            try:
                obj = getattr(importlib.import_module(module_name), name)
                from dagster.components.component.component import Component

                if not (isinstance(obj, type) and issubclass(obj, Component)):
                    raise TypeError(f"{absolute} is not a Dagster component class")
                row = _describe(module_name, name, obj, (None, None), True)
            except (Exception, SystemExit) as exc:  # noqa: BLE001 - one broken type must not hide the rest
                row = _row(module_name, name, (None, None), True, type=written,
                           error=f"cannot load component type {written}: {_error_text(exc)}")
                out.append(row)
                continue
            by_type[absolute] = row
            out.append(row)
        if written != row["type"] and written not in row.setdefault("aliases", []):
            row["aliases"].append(written)
    return out


def post_processing_schema() -> dict | None:
    """The JSON schema of a defs.yaml ``post_processing:`` block from this Dagster (None if it lacks it)."""
    try:
        from dagster.components.core.defs_module import ComponentPostProcessingModel

        return ComponentPostProcessingModel.model().model_json_schema()
    except Exception:  # noqa: BLE001 - an older/newer Dagster: the panel falls back to a YAML editor
        return None


def _restore_sys_path() -> None:
    """The designer's own interpreter passes its sys.path (DAGSTER_DESIGNER_SYS_PATH) so the helper sees
    what the designer sees (tests add folders at run time)."""
    raw = os.environ.get("DAGSTER_DESIGNER_SYS_PATH")
    if not raw:
        return
    try:
        wanted = [p for p in json.loads(raw) if isinstance(p, str)]
    except ValueError:
        return
    sys.path[:] = wanted + [p for p in sys.path if p not in wanted]


# ------------------------------------------------------------------- validation
class ModelCache:
    """component type -> Pydantic model class, or a LookupError saying why there is none."""

    def __init__(self) -> None:
        self._models: dict[str, Any] = {}

    def get(self, component_type: str) -> Any:
        if component_type not in self._models:
            self._models[component_type] = self._load(component_type)
        return self._models[component_type]

    @staticmethod
    def _load(component_type: str) -> Any:
        module_name, _, attr = component_type.rpartition(".")
        if not module_name:
            return LookupError(f"{component_type!r} is not a dotted 'module.Class' component type")
        try:
            cls = getattr(importlib.import_module(module_name), attr)
        except (ImportError, AttributeError) as exc:
            return LookupError(f"cannot import component type {component_type}: {exc}")
        except Exception as exc:  # noqa: BLE001 - a broken module is a problem to show, not a crash
            return LookupError(f"importing {module_name} failed: {type(exc).__name__}: {exc}")
        get_model_cls = getattr(cls, "get_model_cls", None)
        if get_model_cls is None:
            return LookupError(f"{component_type} is not a Dagster component")
        try:
            return get_model_cls()
        except Exception as exc:  # noqa: BLE001
            return LookupError(f"cannot build the model of {component_type}: {type(exc).__name__}: {exc}")


def _plain(value: Any) -> Any:
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


def validate(models: ModelCache, component_type: str, attributes: Any) -> dict[str, Any]:
    """``{"lookup_error": msg}`` | ``{"no_model": True}`` | ``{"errors": [{loc, type, msg}]}`` (raw Pydantic
    errors; the designer cleans them) | ``{"crash": msg}`` when a validator itself raised."""
    model = models.get(component_type)
    if isinstance(model, Exception):
        return {"lookup_error": str(model)}
    if model is None:
        return {"no_model": True}
    import pydantic

    try:
        model.model_validate(attributes)
    except pydantic.ValidationError as exc:
        return {"errors": [{"loc": [_plain(s) for s in e.get("loc", ())], "type": str(e.get("type", "")),
                            "msg": str(e.get("msg", ""))} for e in exc.errors(include_url=False)]}
    except Exception as exc:  # noqa: BLE001 - a validator that crashes is still a problem to show
        return {"crash": f"{type(exc).__name__}: {exc}"}
    return {"errors": []}


def serve(project_dir: Path | None, stdin: Any = None, stdout: Any = None) -> int:
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    _add_project_to_path(project_dir)
    models = ModelCache()
    for line in stdin:
        line = line.strip()
        if not line:
            continue
        try:
            request = json.loads(line)
            op = request.get("op")
            if op == "ping":
                reply: dict[str, Any] = {"pong": True, "pid": os.getpid()}
            elif op == "validate":
                reply = validate(models, str(request["type"]), request.get("attributes") or {})
            else:
                reply = {"failure": f"unknown request {op!r}"}
            reply["id"] = request.get("id")
        except Exception as exc:  # noqa: BLE001 - one bad request never stops the server
            reply = {"id": None, "failure": _error_text(exc)}
        stdout.write(json.dumps(reply) + "\n")
        stdout.flush()
    return 0


# ------------------------------------------------------------------------- load
def _read_dotenv(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    if not path.is_file():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        key = key.strip().removeprefix("export ").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        out[key] = value
    return out


def load(root: Path) -> dict[str, Any]:
    """``ComponentTree.for_project(root).build_defs()`` + ``validate_loadable``; every asset with its deps
    and the component folder that produced it."""
    import warnings

    warnings.filterwarnings("ignore")
    start = time.perf_counter()
    for key, value in _read_dotenv(root / ".env").items():
        os.environ.setdefault(key, value)
    sys.path.insert(0, str(root / "src"))
    import dagster as dg
    from dagster.components.core.component_tree import ComponentTree

    tree = ComponentTree.for_project(root)
    defs = tree.build_defs()
    dg.Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    defs_root = Path(tree.defs_module_path).resolve()
    folder_of: dict[Any, str] = {}
    for sub in sorted(p for p in defs_root.iterdir() if p.is_dir() and any(
            (p / name).is_file() for name in ("defs.yaml", "defs.yml", "component.yaml"))):
        sub_graph = tree.build_defs(sub).resolve_asset_graph()
        for key in sub_graph.executable_asset_keys:
            folder_of.setdefault(key, sub.name)
    assets = []
    for node in graph.asset_nodes:
        spec = node.to_asset_spec()
        assets.append({
            "key": spec.key.to_user_string(),
            "deps": sorted(d.asset_key.to_user_string() for d in spec.deps),
            "folder": folder_of.get(spec.key),
            "executable": bool(node.is_executable),
            "group": spec.group_name,
            "kinds": sorted(spec.kinds or []),
        })
    assets.sort(key=lambda a: a["key"])
    return {"assets": assets, "seconds": round(time.perf_counter() - start, 3)}


def module_keys(root: Path, files: list[str]) -> dict[str, Any]:
    """The asset keys Dagster reports for each plain Python definitions module ``files`` (relative to
    ``root``) of the project at ``root``: file -> sorted keys, or ``{"error": message}`` for a module that
    does not load; ``{"error": message}`` overall when the project itself does not load. Runs the
    project's code (the designer asks only once the user trusts the project)."""
    import warnings

    warnings.filterwarnings("ignore")
    for key, value in _read_dotenv(root / ".env").items():
        os.environ.setdefault(key, value)
    _add_project_to_path(root)
    out: dict[str, Any] = {}
    try:
        from dagster.components.core.component_tree import ComponentTree

        tree = ComponentTree.for_project(root)
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return {"error": (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]}
    for rel in files:
        try:
            graph = tree.build_defs(root / rel).resolve_asset_graph()
            out[rel] = sorted(k.to_user_string() for k in graph.executable_asset_keys)
        except Exception as exc:  # noqa: BLE001 - one module's error is that module's
            out[rel] = {"error": (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]}
    return out


def failing_folder(exc: BaseException) -> str | None:
    """The component folder whose load failed: the innermost "Error while ... for <folder>[i]" of the
    chain (a component that reads another one's assets fails with the other's error inside its own)."""
    import re

    found, inner, seen = None, exc, set()
    while inner is not None and id(inner) not in seen:
        seen.add(id(inner))
        match = re.match(r"Error while [a-z ]+ for ([^\s\[:]+)", str(inner))
        if match:
            found = match.group(1).split("/")[0]
        inner = inner.__cause__ or inner.__context__
    return found


def short_message(exc: BaseException) -> str:
    """First line of the failing component's error plus the innermost cause (what went wrong). Dagster's
    component errors embed a whole traceback and a tree drawing in their text; the outer error names the
    component that used the failing one's assets, so the innermost "Error while ..." line is taken."""
    head = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    inner, seen = exc, set()
    while id(inner) not in seen:
        seen.add(id(inner))
        nxt = inner.__cause__ or inner.__context__
        if nxt is None:
            break
        inner = nxt
        if str(inner).startswith("Error while "):  # the component that failed, not one that used it
            head = str(inner).strip().splitlines()[0]
    if inner is exc:
        return str(exc).strip()[:4000] or type(exc).__name__
    detail = (str(inner).strip().splitlines() or [""])[0]
    detail += _validation_details(inner)
    return f"{head} {type(inner).__name__}: {detail}"[:4000]


def _validation_details(exc: BaseException) -> str:
    """A pydantic ValidationError's own messages (its first line only says how many errors there are)."""
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return ""
    try:
        return ": " + "; ".join(str(e.get("msg", "")) for e in errors()[:3])
    except Exception:  # not pydantic's errors(): keep the first line only
        return ""


# ------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dagster_helper")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("probe")
    comp = sub.add_parser("components")
    comp.add_argument("--out", required=True)
    comp.add_argument("--project-dir", default=None)
    comp.add_argument("--types", default=None, help="JSON [[written type, absolute module.Class], ...]")
    ld = sub.add_parser("load")
    ld.add_argument("root")
    mk = sub.add_parser("module-keys")
    mk.add_argument("root")
    mk.add_argument("files")
    srv = sub.add_parser("serve")
    srv.add_argument("--project-dir", default=None)
    args = parser.parse_args(argv)
    _quiet_dagster()
    if args.command == "probe":
        print(json.dumps(probe()), flush=True)
        return 0
    _restore_sys_path()
    if args.command == "serve":
        return serve(Path(args.project_dir) if args.project_dir else None)
    if args.command == "module-keys":
        data = module_keys(Path(args.root).resolve(), [f for f in json.loads(args.files) if isinstance(f, str)])
        print(LOAD_MARK + json.dumps(data), flush=True)
        return 0
    if args.command == "load":
        root = Path(args.root).resolve()
        try:
            data = load(root)
        except Exception as exc:  # noqa: BLE001 - report Dagster's message, not a traceback
            data = {"error": short_message(exc), "folder": failing_folder(exc)}
        print(LOAD_MARK + json.dumps(data), flush=True)
        return 0
    try:
        rows = build_component_rows(Path(args.project_dir) if args.project_dir else None)
        if args.project_dir and args.types:
            rows.extend(project_type_rows(json.loads(args.types), rows))
    except Exception:  # noqa: BLE001 - report and fail; the designer turns it into a RegistryError
        traceback.print_exc()
        return 1
    payload = {"components": rows, "post_processing_schema": post_processing_schema()}
    Path(args.out).write_text(json.dumps(payload), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
