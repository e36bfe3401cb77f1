"""Validation: a node's attributes against its component's real Pydantic model, plus graph-level checks.

``validate_attributes`` imports the component class (dagster) the first time a type is seen and caches the
model class, so later calls take microseconds; the UI runs it on a worker thread. Pydantic's error paths
contain union-branch tags (``tuple[AssetSpecKwargsModel, ...]``, ``str``, ``nullable[bool]``) and one error
per failed branch; ``clean_errors`` keeps the branch that matched the data best and paths that index into
the user's data, so a missing field, a wrong type or an extra key each give one problem at the right path.
Imports no Qt.
"""

from __future__ import annotations

import copy

import importlib
import re
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from dagster_designer_qt.core.secrets import is_secret_name
from dagster_designer_qt.core.assets import (
    declared_asset_keys,
    declared_dep_keys,
    declared_op_names,
    is_template,
)

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    node_id: str | None  # None for project-level problems
    path: tuple[str | int, ...]  # into the node's attributes; () for node-level
    message: str
    severity: str  # "error" | "warning"
    code: str  # invalid, missing, extra, unknown-type, component-error, duplicate-asset-key,
    # duplicate-op-name, dangling-dep, literal-secret, template-runs-code, template-syntax

    def to_dict(self) -> dict[str, Any]:
        return {"node_id": self.node_id, "path": list(self.path), "message": self.message,
                "severity": self.severity, "code": self.code}


# --------------------------------------------------------------- model classes
class _ModelCache:
    """component type -> Pydantic model class (or the error that prevented loading it)."""

    def __init__(self) -> None:
        self._models: dict[str, Any] = {}
        self._lock = threading.Lock()

    def get(self, component_type: str) -> Any:
        try:
            return self._models[component_type]
        except KeyError:
            pass
        with self._lock:
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

    def clear(self) -> None:
        with self._lock:
            self._models.clear()


_MODELS = _ModelCache()
_added_paths: set[str] = set()


def clear_model_cache() -> None:
    """Forget loaded model classes (after the registry was rebuilt, e.g. a package upgrade)."""
    _MODELS.clear()


def ensure_project_importable(project_dir: Path | None) -> None:
    """Put a project's source folders on sys.path so its registry modules can be imported (once)."""
    if project_dir is None:
        return
    from dagster_designer_qt.services.registry_env import project_source_roots

    for root in reversed(project_source_roots(Path(project_dir))):
        if str(root) not in _added_paths and str(root) not in sys.path:
            sys.path.insert(0, str(root))
            _added_paths.add(str(root))


# ----------------------------------------------------------- error cleaning
def _descend(data: Any, seg: Any) -> tuple[bool, Any]:
    if isinstance(data, dict) and seg in data:
        return True, data[seg]
    if isinstance(data, (list, tuple)) and isinstance(seg, int) and -len(data) <= seg < len(data):
        return True, data[seg]
    return False, None


@dataclass
class _Err:
    path: tuple[Any, ...]  # data path (tags removed)
    tags: list[tuple[int, str]]  # (position in path where the union is, tag) in order
    type: str
    msg: str
    input: Any


_SCALAR_TAGS = {"str", "int", "float", "bool", "bytes", "none", "decimal", "date", "datetime", "time",
                "timedelta", "uuid", "url", "any", "callable", "dict", "list", "tuple", "set", "frozenset"}


def _looks_like_tag(seg: str) -> bool:
    """Pydantic names union branches by type: ``str``, ``nullable[bool]``, ``tuple[X, ...]``,
    ``function-after[...]``, or a model class name (``FunctionSpecModel``). Field names are snake_case."""
    return seg in _SCALAR_TAGS or "[" in seg or "-" in seg or (seg[:1].isupper() and "_" not in seg)


def _split_loc(loc: tuple[Any, ...], err_type: str, data: Any) -> _Err:
    path: list[Any] = []
    tags: list[tuple[int, str]] = []
    current: Any = data
    alive = True
    missing = err_type == "missing"
    for i, seg in enumerate(loc):
        if alive:
            ok, value = _descend(current, seg)
            if ok:
                path.append(seg)
                current = value
                continue
            if isinstance(seg, str) and _looks_like_tag(seg):
                tags.append((len(path), seg))  # a union branch: doesn't index into the data
                continue
            if isinstance(current, dict) and i == len(loc) - 1:
                missing = True  # a key the data doesn't have (some models report it as a type error)
        path.append(seg)
        alive = False
    return _Err(tuple(path), tags, "missing" if missing else err_type, "", None)


def _value_at(data: Any, path: tuple[Any, ...]) -> Any:
    for seg in path:
        ok, data = _descend(data, seg)
        if not ok:
            return None
    return data


_PREFIX = "Input should be "


def _select(errs: list[_Err], data: Any) -> list[_Err]:
    """Resolve union branches: keep the best branch at each union point, recursively."""
    out = [e for e in errs if not e.tags]
    groups: dict[tuple[Any, ...], list[_Err]] = {}
    for e in errs:
        if e.tags:
            pos = e.tags[0][0]
            groups.setdefault(e.path[:pos], []).append(e)
    for point, members in groups.items():
        branches: dict[str, list[_Err]] = {}
        for e in members:
            tag = e.tags[0][1]
            branches.setdefault(tag, []).append(_Err(e.path, e.tags[1:], e.type, e.msg, e.input))
        names = list(branches)
        value = _value_at(data, point)
        # `X | str` is how Dagster lets a template stand in for any value: the trailing `str` branch is
        # noise unless the user wrote a string.
        if len(names) > 1 and names[-1] == "str" and not isinstance(value, str):
            names = names[:-1]
        deep = [n for n in names if any(len(e.path) > len(point) for e in branches[n])]
        if not deep:
            # Every branch rejected the value itself: one problem, listing what would be accepted.
            firsts = [branches[n][0] for n in names]
            if len(firsts) == 1 or not all(f.msg.startswith(_PREFIX) for f in firsts):
                out.append(firsts[0])
            else:
                wanted = list(dict.fromkeys(f.msg[len(_PREFIX):] for f in firsts))
                joined = wanted[0] if len(wanted) == 1 else ", ".join(wanted[:-1]) + " or " + wanted[-1]
                f = firsts[0]
                out.append(_Err(f.path, [], f.type, _PREFIX + joined, f.input))
            continue

        def score(name: str) -> tuple[int, int]:
            members_ = branches[name]
            literal = sum(1 for e in members_ if e.type == "literal_error")
            return (literal, len(members_))

        best = min(deep, key=score)
        out.extend(_select(branches[best], data))
    return out


def _code_for(err_type: str) -> str:
    if err_type == "missing":
        return "missing"
    if err_type == "extra_forbidden":
        return "extra"
    return "invalid"


def _message_for(err: _Err) -> str:
    if err.type == "missing":
        return "required field is missing"
    if err.type == "extra_forbidden":
        return "unknown field (not allowed here)"
    msg = err.msg.replace("a valid tuple", "a list").replace("a valid list", "a list")
    msg = re.sub(r"a valid dictionary or instance of \w+", "an object (key: value mapping)", msg)
    return msg.replace("a valid dictionary", "an object (key: value mapping)")


def clean_errors(raw_errors: list[dict[str, Any]], data: Any) -> list[tuple[tuple[Any, ...], str, str]]:
    """Pydantic ``errors()`` -> ``[(path, message, code)]`` with union noise removed, in path order."""
    errs = []
    for raw in raw_errors:
        e = _split_loc(tuple(raw.get("loc", ())), raw.get("type", ""), data)
        e.msg = str(raw.get("msg", ""))
        e.input = raw.get("input")
        errs.append(e)
    selected = _select(errs, data)
    seen = set()
    result = []
    for e in selected:
        item = (e.path, _message_for(e), _code_for(e.type))
        if item not in seen:
            seen.add(item)
            result.append(item)
    return result


# ------------------------------------------------------------- node checks
def validate_attributes(component_type: str, attributes: dict, *, node_id: str | None = None) -> list[Problem]:
    """Validate with the component's own model: ``cls.get_model_cls().model_validate(attributes)``."""
    model = _MODELS.get(component_type)
    if isinstance(model, Exception):
        return [Problem(node_id, (), str(model), ERROR, "unknown-type")]
    if model is None:  # a component without attributes
        if attributes:
            return [Problem(node_id, (k,), "unknown field (this component takes no attributes)", ERROR, "extra")
                    for k in attributes]
        return []
    import pydantic

    try:
        model.model_validate(attributes)
    except pydantic.ValidationError as exc:
        return [Problem(node_id, path, message, ERROR, code)
                for path, message, code in clean_errors(exc.errors(), attributes)]
    except Exception as exc:  # noqa: BLE001 - a validator that crashes is still a problem to show
        return [Problem(node_id, (), f"validation failed: {type(exc).__name__}: {exc}", ERROR, "invalid")]
    return []


def validate_attributes_in_helper(python: Any, project_dir: Path | None, component_type: str, attributes: dict,
                                 *, node_id: str | None = None) -> list[Problem]:
    """Like ``validate_attributes`` but in the project's interpreter (``python``, a ResolvedPython): the
    long-lived helper process validates with the component's real model there, and the raw Pydantic
    errors are cleaned here, by the same rules."""
    from dagster_designer_qt.services.helper_server import HelperError, server_for

    try:
        reply = server_for(python, project_dir).request(
            {"op": "validate", "type": component_type, "attributes": attributes})
    except HelperError as exc:
        return [Problem(node_id, (), f"cannot validate {component_type}: {exc}", ERROR, "component-error")]
    if "lookup_error" in reply:
        return [Problem(node_id, (), str(reply["lookup_error"]), ERROR, "unknown-type")]
    if reply.get("no_model"):
        return [Problem(node_id, (k,), "unknown field (this component takes no attributes)", ERROR, "extra")
                for k in attributes]
    if "crash" in reply or "failure" in reply:
        return [Problem(node_id, (), f"validation failed: {reply.get('crash') or reply.get('failure')}",
                        ERROR, "invalid")]
    raw = [{"loc": tuple(e.get("loc") or ()), "type": e.get("type", ""), "msg": e.get("msg", "")}
           for e in reply.get("errors") or ()]
    return [Problem(node_id, path, message, ERROR, code) for path, message, code in clean_errors(raw, attributes)]


def _literal_secrets(value: Any, path: tuple[Any, ...] = ()) -> Iterable[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            sub = path + (key,)
            if (isinstance(key, str) and is_secret_name(key) and isinstance(item, str) and item
                    and not is_template(item)):
                yield sub
            else:
                yield from _literal_secrets(item, sub)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _literal_secrets(item, path + (i,))


def validate_node(node: Any, registry: Any) -> list[Problem]:
    """Problems of one node: its type is known and loads, its attributes validate, no literal secrets."""
    if getattr(node, "node_type", "component") != "component":
        return []  # a read-only plain Python module of an opened project: Dagster checks it at load
    info = registry.get(node.component_type) if registry is not None else None
    attributes = node.attributes if isinstance(node.attributes, dict) else {}
    problems: list[Problem] = []
    awaiting = getattr(registry, "awaiting_trust", None)
    if info is None and callable(awaiting) and awaiting(node.component_type):
        # Defined by the project itself: listing it runs the project's code, which waits for trust.
        problems.append(Problem(
            node.id, (),
            "defined by this project: trust the project to load its form and check its attributes",
            WARNING, "needs-trust"))
    elif info is None:
        problems.append(Problem(
            node.id, (),
            f"unknown component type {node.component_type!r}: no installed package registers it "
            "(install the package that provides it, or change the type)",
            ERROR, "unknown-type"))
    elif info.error:
        problems.append(Problem(node.id, (), f"component type {node.component_type} is broken: {info.error}",
                                ERROR, "component-error"))
    elif _project_python(registry) is not None or info.project_local:
        # The project's own interpreter, or a project-local type: in a helper process, never imported here.
        from dagster_designer_qt.services.project_python import own_interpreter

        problems.extend(validate_attributes_in_helper(
            _project_python(registry) or own_interpreter(), getattr(registry, "project_dir", None),
            info.type if info.project_local else node.component_type,  # ".mod.Class" as Dagster resolves it
            _exported_attributes(node, attributes, registry), node_id=node.id))
    else:
        if info.project_local:
            ensure_project_importable(getattr(registry, "project_dir", None))
        problems.extend(validate_attributes(node.component_type, _exported_attributes(node, attributes, registry),
                                            node_id=node.id))
    problems.extend(template_problems(node))
    for path in _literal_secrets(attributes):
        problems.append(Problem(
            node.id, path,
            "looks like a secret written in clear; use a template such as \"{{ env('NAME') }}\"",
            WARNING, "literal-secret"))
    return problems


def _project_python(registry: Any) -> Any:
    """The registry's interpreter when it is a project's own (not the designer's); else None."""
    python = getattr(registry, "python", None)
    return python if python is not None and not getattr(python, "own", True) else None


def template_problems(node: Any) -> list[Problem]:
    """Templates outside core.templates' allow-list, on their field: a warning (loading needs the user's
    trust) when it runs code, an error when it is not a valid template (Dagster refuses to load it)."""
    from dagster_designer_qt.core.templates import find_templates

    problems: list[Problem] = []
    attributes = node.attributes if isinstance(node.attributes, dict) else {}
    for found in find_templates(attributes):
        problems.append(Problem(node.id, found.path, found.reason, WARNING if found.runs_code else ERROR,
                                "template-runs-code" if found.runs_code else "template-syntax"))
    for part in ("translation", "post_processing"):
        for found in find_templates(getattr(node, part, None), (part,)):
            where = ".".join(str(p) for p in found.path)
            problems.append(Problem(node.id, (), f"{where}: {found.reason}",
                                    WARNING if found.runs_code else ERROR,
                                    "template-runs-code" if found.runs_code else "template-syntax"))
    return problems


def _exported_attributes(node: Any, attributes: dict, registry: Any) -> dict:
    """The attributes as export writes them: a node-level ``translation`` merged in (codegen's rule)."""
    if not getattr(node, "translation", None):
        return attributes
    from dagster_designer_qt.services.codegen import apply_node_translation
    from dagster_designer_qt.services.codegen_traits import traits_for

    merged = copy.deepcopy(attributes)
    apply_node_translation(node, merged, traits_for(node.component_type, registry))
    return merged


# ------------------------------------------------------------ graph checks
def _label(node: Any) -> str:
    return node.label or node.id


def graph_problems(project: Any, registry: Any) -> list[Problem]:
    """Duplicate asset keys and op names across nodes, and deps on keys no node produces."""
    graph = project.graph
    nodes = graph.nodes
    problems: list[Problem] = []
    producers: dict[str, list[Any]] = {}
    unknown_keys: set[str] = set()  # nodes whose keys are only known after loading
    for node in nodes:
        info = registry.get(node.component_type) if registry is not None else None
        declares = None if info is None or info.error else not info.asset_factory
        keys = declared_asset_keys(node, declares_assets=declares)
        if keys is None:
            unknown_keys.add(node.id)
            continue
        for key in keys:
            producers.setdefault(key, []).append(node)
    for key, owners in producers.items():
        if len(owners) > 1:
            labels = ", ".join(dict.fromkeys(_label(n) for n in owners))
            for node in _unique_nodes(owners):
                index = _asset_index(node, key)
                problems.append(Problem(
                    node.id, ("assets", index, "key") if index is not None else (),
                    f"asset key {key!r} is declared more than once ({labels}); asset keys must be unique",
                    ERROR, "duplicate-asset-key"))
    # The exporter gives every op without a user-set name a unique one (codegen._op_names), so only
    # names the user wrote can collide.
    ops: dict[str, list[Any]] = {}
    for node in nodes:
        explicit = _explicit_op_names(node)
        for name in declared_op_names(node):
            if name in explicit:
                ops.setdefault(name, []).append(node)
    for name, owners in ops.items():
        if len(owners) > 1:
            labels = ", ".join(dict.fromkeys(_label(n) for n in owners))
            hint = (" (unnamed function ops are all called _assets_def: set execution.name)"
                    if name.startswith("_asset") else "")
            for node in _unique_nodes(owners):
                for path in _op_name_paths(node, name):
                    problems.append(Problem(
                        node.id, path, f"op name {name!r} is used by more than one component ({labels}); "
                        f"op names must be unique{hint}", ERROR, "duplicate-op-name"))
    for node in nodes:
        deps = declared_dep_keys(node)
        if not deps:
            continue
        ancestors = _ancestors(graph, node.id)
        factory_upstream = any(a in unknown_keys for a in ancestors)
        for key in deps:
            if key in producers or factory_upstream:
                continue
            problems.append(Problem(
                node.id, _dep_path(node, key),
                f"depends on asset {key!r}, which no component in this project declares; it will be an "
                "external asset that nothing materializes (connect the component that makes it, or fix the key)",
                WARNING, "dangling-dep"))
    return problems


def _explicit_op_name_specs(node: Any) -> list[tuple[tuple[Any, ...], str]]:
    """(path of the name field, name) for each op name written in the attributes: execution.name, op.name,
    replications[i].op.name."""
    attrs = node.attributes if isinstance(node.attributes, dict) else {}
    specs: list[tuple[tuple[Any, ...], Any]] = [(("execution",), attrs.get("execution")), (("op",), attrs.get("op"))]
    replications = attrs.get("replications")
    if isinstance(replications, list):
        specs += [(("replications", i, "op"), r.get("op")) for i, r in enumerate(replications) if isinstance(r, dict)]
    return [(path + ("name",), spec["name"]) for path, spec in specs
            if isinstance(spec, dict) and isinstance(spec.get("name"), str) and spec["name"]]


def _explicit_op_names(node: Any) -> set[str]:
    return {name for _path, name in _explicit_op_name_specs(node)}


def _op_name_paths(node: Any, name: str) -> list[tuple[Any, ...]]:
    """Every field of ``node`` where the user wrote op name ``name`` (the field a problem points at)."""
    return [path for path, written in _explicit_op_name_specs(node) if written == name] or [()]


def _unique_nodes(nodes: list[Any]) -> list[Any]:
    seen: dict[str, Any] = {}
    for node in nodes:
        seen.setdefault(node.id, node)
    return list(seen.values())


def _ancestors(graph: Any, node_id: str) -> set[str]:
    seen: set[str] = set()
    stack = list(graph.upstream(node_id))
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        stack.extend(graph.upstream(current))
    return seen


def _asset_index(node: Any, key: str) -> int | None:
    assets = node.attributes.get("assets") if isinstance(node.attributes, dict) else None
    if isinstance(assets, list):
        for i, spec in enumerate(assets):
            if isinstance(spec, dict) and isinstance(spec.get("key"), str):
                from dagster_designer_qt.core.assets import normalize_key

                if normalize_key(spec["key"]) == key:
                    return i
    return None


def _dep_path(node: Any, key: str) -> tuple[Any, ...]:
    from dagster_designer_qt.core.assets import normalize_key

    attrs = node.attributes if isinstance(node.attributes, dict) else {}
    assets = attrs.get("assets")
    if isinstance(assets, list):
        for i, spec in enumerate(assets):
            deps = spec.get("deps") if isinstance(spec, dict) else None
            if isinstance(deps, list):
                for j, dep in enumerate(deps):
                    if isinstance(dep, str) and normalize_key(dep) == key:
                        return ("assets", i, "deps", j)
    translation = attrs.get("translation")
    if isinstance(translation, dict) and isinstance(translation.get("deps"), list):
        for j, dep in enumerate(translation["deps"]):
            if isinstance(dep, str) and normalize_key(dep) == key:
                return ("translation", "deps", j)
    return ()


def validate_project(project: Any, registry: Any) -> list[Problem]:
    """Every node's problems (in graph order) followed by the graph-level ones."""
    problems: list[Problem] = []
    for node in project.graph.iter_nodes():
        problems.extend(validate_node(node, registry))
    problems.extend(graph_problems(project, registry))
    return problems


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.severity == ERROR for p in problems)
