"""The project file format: Project <-> JSON-ready dict, validation with JSON paths, and migrations.

Shape (kept from the original web designer so its files open unchanged)::

    {"schema_version": 1, "id": ..., "name": ..., "description": ...,
     "graph": {"nodes": [{"id", "type": "component", "data": {"label", "component_type", "attributes",
                                                              "translation"?, "post_processing"?, "files"?},
                          "position": {"x", "y"}}],
               "edges": [{"id", "source", "target"}]},
     "created_at": ..., "updated_at": ..., "git_repo": null, "git_branch": "main"}

A file without ``schema_version`` is the original design's shape and reads as version 1. Unknown keys
anywhere we model (top level, node, node data, edge) are kept verbatim.
"""

from __future__ import annotations

import gc
import json
import math
import re
from typing import Any

from dagster_designer_qt.core.errors import (
    CycleError,
    DuplicateEdgeError,
    DuplicateIdError,
    FutureVersionError,
    ProjectFileError,
    SelfLoopError,
    UnknownNodeError,
)
from dagster_designer_qt.core.model import Edge, Node, NodeSource, Project, ProjectSource

try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - optional speed-up
    _orjson = None

SCHEMA_VERSION = 1
FILE_SUFFIX = ".ddp.json"

_TOP_KEYS = ("schema_version", "id", "name", "description", "graph", "created_at", "updated_at",
             "git_repo", "git_branch", "source", "python")
_NODE_KEYS = ("id", "type", "data", "position")
_DATA_KEYS = ("label", "component_type", "attributes", "translation", "post_processing", "files", "source")
_EDGE_KEYS = ("id", "source", "target")

MAX_DEPTH = 250  # nesting of objects/arrays; real designs stay far below, and deeper data breaks exporters
MAX_INT_BITS = 256  # an integer beyond this is no configuration value; refused rather than mangled
MAX_COORDINATE = 1e9  # canvas positions
_SURROGATE = re.compile("[\ud800-\udfff]")


# ------------------------------------------------------------------ what JSON can hold
def json_problem(data: Any, *, nan_possible: bool = True) -> tuple[str, str] | None:
    """(JSON path, message) of the first value a project file cannot hold faithfully, or None.

    Refused rather than silently changed: NaN/Infinity (JSON has no such numbers; they would become
    null), lone surrogates (not Unicode: no UTF-8 encoding exists), integers beyond MAX_INT_BITS, nesting
    deeper than MAX_DEPTH, and anything that is not JSON data. Iterative: deep data cannot exhaust the
    stack. A fast pass without paths runs first; the path is worked out only when there is a problem."""
    if not nan_possible and _orjson is not None:
        # Data just parsed with NaN refused: orjson (C) refuses lone surrogates, non-JSON types, >64-bit
        # ints and nesting beyond 255 levels, ~5x faster than walking in Python.
        try:
            _orjson.dumps(data)
            return None
        except (TypeError, ValueError, RecursionError):
            pass
    elif _fast_ok(data):
        return None
    return _locate(data)


def _value_problem(value: Any) -> str | None:
    if isinstance(value, str):
        if not value.isascii() and _SURROGATE.search(value):
            return "contains a lone surrogate (\\u%04x), which is not valid Unicode" % ord(
                _SURROGATE.search(value).group(0))
        return None
    if value is None or value is True or value is False:
        return None
    if isinstance(value, int):
        return None if value.bit_length() <= MAX_INT_BITS else \
            f"an integer of {len(str(abs(value))) if value.bit_length() < 14000 else 'thousands of'} digits is too large"
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{value} is not a number JSON can store"
    if isinstance(value, (dict, list, tuple)):
        return None
    return f"{type(value).__name__} is not JSON data"


def _fast_ok(data: Any) -> bool:
    stack = [(data, 0)]
    pop, push = stack.pop, stack.append
    while stack:
        value, depth = pop()
        t = type(value)
        if t is dict:
            if depth >= MAX_DEPTH:
                return False
            for k, v in value.items():
                if type(k) is not str or (not k.isascii() and _SURROGATE.search(k)):
                    return False
                push((v, depth + 1))
        elif t is list:
            if depth >= MAX_DEPTH:
                return False
            for v in value:
                push((v, depth + 1))
        elif t is str:
            if not value.isascii() and _SURROGATE.search(value):
                return False
        elif t is int:
            if value.bit_length() > MAX_INT_BITS:
                return False
        elif t is float:
            if not math.isfinite(value):
                return False
        elif value is not None and t is not bool:
            return False
    return True


def _locate(data: Any) -> tuple[str, str] | None:
    stack: list[tuple[Any, str, int]] = [(data, "$", 0)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, (dict, list, tuple)) and depth >= MAX_DEPTH:
            return path, f"nested more than {MAX_DEPTH} levels deep"
        if isinstance(value, dict):
            for k, v in reversed(list(value.items())):
                if not isinstance(k, str):
                    return path, f"a key of type {type(k).__name__} is not JSON data"
                sub = f"{path}.{_path_key(k)}"
                if why := _value_problem(k):
                    return sub, f"the key {why}"
                stack.append((v, sub, depth + 1))
        elif isinstance(value, (list, tuple)):
            stack.extend((v, f"{path}[{i}]", depth + 1) for i, v in reversed(list(enumerate(value))))
        elif why := _value_problem(value):
            return path, why
    return None


def _path_key(key: str) -> str:
    safe = key.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")
    return safe if safe.isidentifier() else json.dumps(safe)


def check_json(data: Any, source: str | None = None, *, action: str = "cannot read",
               nan_possible: bool = True) -> None:
    """Raise ProjectFileError naming the JSON path when ``data`` holds what a project file cannot."""
    found = json_problem(data, nan_possible=nan_possible)
    if found:
        path, message = found
        if len(path) > 120:
            path = path[:117] + "..."
        raise ProjectFileError(f"{action}: {message}", path=source, json_path=path)


# ------------------------------------------------------------------ writing
def node_to_dict(node: Node) -> dict[str, Any]:
    data: dict[str, Any] = {
        "label": node.label,
        "component_type": node.component_type,
        "attributes": node.attributes,
    }
    for key in ("translation", "post_processing", "files"):
        value = getattr(node, key)
        if value is not None:
            data[key] = value
    data.update(node.data_extra)
    if node.source is not None:
        data["source"] = node.source.to_dict()
    out: dict[str, Any] = {
        "id": node.id,
        "type": node.node_type,
        "data": data,
        "position": {"x": _number_out(node.x), "y": _number_out(node.y)},
    }
    out.update(node.extra)
    return out


def edge_to_dict(edge: Edge) -> dict[str, Any]:
    out: dict[str, Any] = {"id": edge.id, "source": edge.source, "target": edge.target}
    out.update(edge.extra)
    return out


def _number_out(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def project_to_dict(project: Project) -> dict[str, Any]:
    """A JSON-ready dict; equal projects give equal dicts (and equal bytes once dumped)."""
    graph = {
        "nodes": [node_to_dict(n) for n in project.graph.iter_nodes()],
        "edges": [edge_to_dict(e) for e in project.graph.iter_edges()],
    }
    out: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "id": project.id,
        "name": project.name,
        "description": project.description,
        "graph": graph,
        "created_at": project.created_at,
        "updated_at": project.updated_at,
        "git_repo": project.git_repo,
        "git_branch": project.git_branch,
    }
    if project.source is not None:
        out["source"] = project.source.to_dict()
    if project.python:  # written only when set, so files without one keep their bytes
        out["python"] = project.python
    out.update(project.extra)
    return out


def dumps(project: Project) -> str:
    """Deterministic, indented JSON text with a trailing newline (UTF-8, two-space indent)."""
    return dump_bytes(project).decode("utf-8")


def dump_bytes(project: Project) -> bytes:
    """Like ``dumps`` but bytes. orjson (when installed) gives the same bytes as the json module, ~25x
    faster: json's indent mode can't use its C encoder."""
    data = project_to_dict(project)
    check_json(data, action="cannot save")  # orjson would turn NaN into null and fail on surrogates
    if _orjson is not None:
        try:
            return _orjson.dumps(data, option=_orjson.OPT_INDENT_2) + b"\n"
        except TypeError:  # e.g. an integer beyond 64 bits: let the json module handle it
            pass
    return (json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")


# ------------------------------------------------------------------ reading
class _Reader:
    def __init__(self, source: str | None):
        self.source = source

    def fail(self, json_path: str, message: str) -> ProjectFileError:
        return ProjectFileError(message, path=self.source, json_path=json_path)

    def obj(self, value: Any, json_path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(json_path, f"expected an object, found {_kind(value)}")
        return value

    def array(self, value: Any, json_path: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(json_path, f"expected an array, found {_kind(value)}")
        return value

    def string(self, parent: dict[str, Any], key: str, json_path: str, *, required: bool = True,
               nullable: bool = False, default: str | None = None, non_empty: bool = False) -> Any:
        if key not in parent:
            if required:
                raise self.fail(json_path, f"missing required key {key!r}")
            return default
        value = parent[key]
        if value is None and nullable:
            return None
        if not isinstance(value, str):
            raise self.fail(f"{json_path}.{key}", f"expected a string, found {_kind(value)}")
        if non_empty and not value:
            raise self.fail(f"{json_path}.{key}", "must not be empty")
        return value

    def optional_obj(self, parent: dict[str, Any], key: str, json_path: str) -> dict[str, Any] | None:
        value = parent.get(key)
        if value is None:
            return None
        return self.obj(value, f"{json_path}.{key}")

    def number(self, parent: dict[str, Any], key: str, json_path: str) -> float:
        value = parent.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
                -MAX_COORDINATE <= value <= MAX_COORDINATE):  # comparing never converts a huge int
            raise self.fail(f"{json_path}.{key}", f"expected a number between -{MAX_COORDINATE:.0e} and "
                                                  f"{MAX_COORDINATE:.0e}, found {_kind(value)}")
        return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def migrate(data: dict[str, Any], source: str | None = None) -> dict[str, Any]:
    """Bring a raw file dict to the current schema_version (refusing newer ones)."""
    version = data.get("schema_version", 1)  # the original design's files have no version: they are 1
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ProjectFileError(f"schema_version must be a positive integer, found {version!r}",
                               path=source, json_path="$.schema_version")
    if version > SCHEMA_VERSION:
        raise FutureVersionError(version, SCHEMA_VERSION, path=source)
    # Version 1 is the first; future migrations go here as `if version == 1: ...; version = 2`.
    return data


def project_from_dict(data: Any, source: str | None = None) -> Project:
    """Validate and build a Project. Raises ProjectFileError naming the JSON path of the first problem."""
    r = _Reader(source)
    data = r.obj(data, "$")
    data = migrate(data, source)
    name = r.string(data, "name", "$", non_empty=False)
    project = Project(
        name,
        project_id=r.string(data, "id", "$", required=False) or None,
        description=r.string(data, "description", "$", required=False, nullable=True),
        created_at=r.string(data, "created_at", "$", required=False, nullable=True),
        updated_at=r.string(data, "updated_at", "$", required=False, nullable=True),
        git_repo=r.string(data, "git_repo", "$", required=False, nullable=True),
        git_branch=r.string(data, "git_branch", "$", required=False, nullable=True) or "main",
        extra={k: v for k, v in data.items() if k not in _TOP_KEYS},
        python=r.string(data, "python", "$", required=False, nullable=True) or None,
    )
    if data.get("source") is not None:
        project.source = _read_project_source(r, data["source"])
    graph = r.obj(data.get("graph", {"nodes": [], "edges": []}), "$.graph")
    raw_nodes = r.array(graph.get("nodes", []), "$.graph.nodes")
    raw_edges = r.array(graph.get("edges", []), "$.graph.edges")
    nodes = [_read_node(r, raw, i) for i, raw in enumerate(raw_nodes)]
    edges = [_read_edge(r, raw, i) for i, raw in enumerate(raw_edges)]
    try:
        project.graph.load(nodes, edges)
    except CycleError as exc:
        raise r.fail("$.graph.edges", f"the edges form a cycle: {' -> '.join(exc.cycle)}") from None
    except DuplicateIdError as exc:
        kind = "nodes" if exc.kind == "node" else "edges"
        raise r.fail(f"$.graph.{kind}[{exc.index}].id", f"duplicate {exc.kind} id {exc.item_id!r}") from None
    except UnknownNodeError as exc:
        raise r.fail(f"$.graph.edges[{exc.index}].{exc.end}",
                     f"edge refers to a missing node {exc.node_id!r}") from None
    except SelfLoopError as exc:
        raise r.fail(f"$.graph.edges[{exc.index}]", f"edge connects node {exc.node_id!r} to itself") from None
    except DuplicateEdgeError as exc:
        raise r.fail(f"$.graph.edges[{exc.index}]",
                     f"duplicate edge {exc.source!r} -> {exc.target!r}") from None
    return project


_DEFAULT_POSITION = {"x": 0, "y": 0}


def _read_node(r: _Reader, raw: Any, i: int) -> Node:
    if type(raw) is not dict:
        raw = r.obj(raw, f"$.graph.nodes[{i}]")
    jp = f"$.graph.nodes[{i}]"
    node_id = r.string(raw, "id", jp, non_empty=True)
    node_type = raw.get("type", "component")
    if type(node_type) is not str:
        node_type = r.string(raw, "type", jp)
    data = raw.get("data", {})
    djp = jp + ".data"
    if type(data) is not dict:
        data = r.obj(data, djp)
    component_type = r.string(data, "component_type", djp, non_empty=True)
    label = data.get("label")
    if label is None:
        label = component_type.rsplit(".", 1)[-1]
    elif type(label) is not str:
        r.string(data, "label", djp)
    attributes = data.get("attributes")
    if type(attributes) is not dict:
        attributes = r.optional_obj(data, "attributes", djp) or {}
    files = r.optional_obj(data, "files", djp) if "files" in data else None
    if files is not None:
        for fname, text in files.items():
            if not isinstance(text, str):
                raise r.fail(f"{djp}.files.{fname}", f"file contents must be text, found {_kind(text)}")
    position = raw.get("position", _DEFAULT_POSITION)
    if type(position) is not dict:
        position = r.obj(position, jp + ".position")
    x, y = position.get("x", 0), position.get("y", 0)
    if type(x) not in (int, float) or type(y) not in (int, float) or not (
            -MAX_COORDINATE <= x <= MAX_COORDINATE and -MAX_COORDINATE <= y <= MAX_COORDINATE):
        r.number(position, "x", jp + ".position")
        r.number(position, "y", jp + ".position")
    return Node(
        id=node_id,
        component_type=component_type,
        label=label,
        x=x,
        y=y,
        attributes=attributes,
        translation=r.optional_obj(data, "translation", djp) if "translation" in data else None,
        post_processing=r.optional_obj(data, "post_processing", djp) if "post_processing" in data else None,
        files=files,
        node_type=node_type,
        extra={k: v for k, v in raw.items() if k not in _NODE_KEYS} if len(raw) > 4 else {},
        data_extra={k: v for k, v in data.items() if k not in _DATA_KEYS},
        source=_read_node_source(r, data["source"], djp + ".source") if data.get("source") is not None else None,
    )


def _read_node_source(r: _Reader, raw: Any, jp: str) -> NodeSource:
    raw = r.obj(raw, jp)
    document = raw.get("document", 0)
    if type(document) is not int or document < 0:
        raise r.fail(f"{jp}.document", f"expected a non-negative integer, found {_kind(document)}")
    read = r.optional_obj(raw, "read", jp) or {}
    keys = r.array(raw.get("keys", []), f"{jp}.keys")
    if not all(isinstance(i, str) for i in keys):
        raise r.fail(f"{jp}.keys", "expected an array of strings")
    kind = r.string(raw, "kind", jp, required=False, default="component")
    if kind not in ("component", "python"):
        raise r.fail(f"{jp}.kind", f"unknown kind {kind!r}")
    return NodeSource(doc=r.string(raw, "doc", jp, non_empty=True),
                      file=r.string(raw, "file", jp, non_empty=True), document=document, read=read,
                      kind=kind, keys=list(keys))


def _read_project_source(r: _Reader, raw: Any) -> ProjectSource:
    jp = "$.source"
    raw = r.obj(raw, jp)
    documents = {}
    for doc, item in (r.optional_obj(raw, "documents", jp) or {}).items():
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)
                and type(item[1]) is int):
            raise r.fail(f"{jp}.documents.{doc}", "expected [file, document index]")
        documents[doc] = (item[0], item[1])
    return ProjectSource(folder=r.string(raw, "folder", jp, non_empty=True),
                         defs=r.string(raw, "defs", jp, required=False, default="") or "",
                         documents=documents)


def _read_edge(r: _Reader, raw: Any, i: int) -> Edge:
    jp = f"$.graph.edges[{i}]"
    raw = r.obj(raw, jp)
    return Edge(
        id=r.string(raw, "id", jp, non_empty=True),
        source=r.string(raw, "source", jp, non_empty=True),
        target=r.string(raw, "target", jp, non_empty=True),
        extra={k: v for k, v in raw.items() if k not in _EDGE_KEYS} if len(raw) > 3 else {},
    )


def loads(text: str | bytes, source: str | None = None) -> Project:
    # Building tens of thousands of containers triggers the cyclic GC over and over (quadratic-looking
    # load times at 20k nodes); nothing here makes cycles, so pause it while reading.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _loads(text, source)
    finally:
        if was_enabled:
            gc.enable()


def _loads(text: str | bytes, source: str | None) -> Project:
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except _ConstantError as exc:
        raise ProjectFileError(f"not valid JSON: {exc} is not a number JSON allows", path=source) from None
    except UnicodeDecodeError as exc:
        raise ProjectFileError(f"not UTF-8 text ({exc.reason})", path=source) from None
    except json.JSONDecodeError as exc:
        raise ProjectFileError(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", path=source
        ) from None
    except RecursionError:
        raise ProjectFileError("not valid JSON: nested too deeply", path=source) from None
    except ValueError as exc:  # Python refuses integers of more than 4300 digits
        detail = "an integer has more than 4300 digits" if "digits" in str(exc) else str(exc)[:200]
        raise ProjectFileError(f"not valid JSON: {detail}", path=source) from None
    check_json(data, source, nan_possible=False)
    return project_from_dict(data, source)


class _ConstantError(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise _ConstantError(name)
