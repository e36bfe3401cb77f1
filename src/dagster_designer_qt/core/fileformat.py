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

import json
import math
from typing import Any

from dagster_designer_qt.core.errors import CycleError, FutureVersionError, ProjectFileError
from dagster_designer_qt.core.model import Edge, Node, Project

SCHEMA_VERSION = 1
FILE_SUFFIX = ".ddp.json"

_TOP_KEYS = ("schema_version", "id", "name", "description", "graph", "created_at", "updated_at",
             "git_repo", "git_branch")
_NODE_KEYS = ("id", "type", "data", "position")
_DATA_KEYS = ("label", "component_type", "attributes", "translation", "post_processing", "files")
_EDGE_KEYS = ("id", "source", "target")


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
    out.update(project.extra)
    return out


def dumps(project: Project) -> str:
    """Deterministic, indented JSON text with a trailing newline."""
    return json.dumps(project_to_dict(project), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


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
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise self.fail(f"{json_path}.{key}", f"expected a finite number, found {_kind(value)}")
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
    )
    graph = r.obj(data.get("graph", {"nodes": [], "edges": []}), "$.graph")
    raw_nodes = r.array(graph.get("nodes", []), "$.graph.nodes")
    raw_edges = r.array(graph.get("edges", []), "$.graph.edges")
    nodes = [_read_node(r, raw, f"$.graph.nodes[{i}]") for i, raw in enumerate(raw_nodes)]
    edges = [_read_edge(r, raw, f"$.graph.edges[{i}]") for i, raw in enumerate(raw_edges)]
    _check_graph(r, nodes, edges)
    try:
        project.graph.load(nodes, edges)
    except CycleError as exc:
        raise r.fail("$.graph.edges", f"the edges form a cycle: {' -> '.join(exc.cycle)}") from None
    return project


def _read_node(r: _Reader, raw: Any, jp: str) -> Node:
    raw = r.obj(raw, jp)
    node_id = r.string(raw, "id", jp, non_empty=True)
    node_type = r.string(raw, "type", jp, required=False) or "component"
    data = r.obj(raw.get("data"), f"{jp}.data") if "data" in raw else {}
    djp = f"{jp}.data"
    component_type = r.string(data, "component_type", djp, non_empty=True)
    label = r.string(data, "label", djp, required=False)
    attributes = r.optional_obj(data, "attributes", djp) or {}
    files = r.optional_obj(data, "files", djp)
    if files is not None:
        for fname, text in files.items():
            if not isinstance(text, str):
                raise r.fail(f"{djp}.files.{fname}", f"file contents must be text, found {_kind(text)}")
    position = r.obj(raw.get("position", {"x": 0, "y": 0}), f"{jp}.position")
    return Node(
        id=node_id,
        component_type=component_type,
        label=label if label is not None else component_type.rsplit(".", 1)[-1],
        x=r.number(position, "x", f"{jp}.position"),
        y=r.number(position, "y", f"{jp}.position"),
        attributes=attributes,
        translation=r.optional_obj(data, "translation", djp),
        post_processing=r.optional_obj(data, "post_processing", djp),
        files=files,
        node_type=node_type,
        extra={k: v for k, v in raw.items() if k not in _NODE_KEYS},
        data_extra={k: v for k, v in data.items() if k not in _DATA_KEYS},
    )


def _read_edge(r: _Reader, raw: Any, jp: str) -> Edge:
    raw = r.obj(raw, jp)
    return Edge(
        id=r.string(raw, "id", jp, non_empty=True),
        source=r.string(raw, "source", jp, non_empty=True),
        target=r.string(raw, "target", jp, non_empty=True),
        extra={k: v for k, v in raw.items() if k not in _EDGE_KEYS},
    )


def _check_graph(r: _Reader, nodes: list[Node], edges: list[Edge]) -> None:
    """Name the JSON path of graph-level problems before the model's own checks run."""
    seen: dict[str, int] = {}
    for i, node in enumerate(nodes):
        if node.id in seen:
            raise r.fail(f"$.graph.nodes[{i}].id",
                         f"duplicate node id {node.id!r} (also at $.graph.nodes[{seen[node.id]}])")
        seen[node.id] = i
    seen_edges: dict[str, int] = {}
    pairs: dict[tuple[str, str], int] = {}
    for i, edge in enumerate(edges):
        jp = f"$.graph.edges[{i}]"
        if edge.id in seen_edges:
            raise r.fail(f"{jp}.id", f"duplicate edge id {edge.id!r} (also at $.graph.edges[{seen_edges[edge.id]}])")
        seen_edges[edge.id] = i
        for end in ("source", "target"):
            if getattr(edge, end) not in seen:
                raise r.fail(f"{jp}.{end}", f"edge refers to a missing node {getattr(edge, end)!r}")
        if edge.source == edge.target:
            raise r.fail(jp, f"edge connects node {edge.source!r} to itself")
        if (edge.source, edge.target) in pairs:
            raise r.fail(jp, f"duplicate edge {edge.source!r} -> {edge.target!r} (also at "
                             f"$.graph.edges[{pairs[(edge.source, edge.target)]}])")
        pairs[(edge.source, edge.target)] = i


def loads(text: str | bytes, source: str | None = None) -> Project:
    try:
        data = json.loads(text)
    except UnicodeDecodeError as exc:
        raise ProjectFileError(f"not UTF-8 text ({exc.reason})", path=source) from None
    except json.JSONDecodeError as exc:
        raise ProjectFileError(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", path=source
        ) from None
    except RecursionError:
        raise ProjectFileError("not valid JSON: nested too deeply", path=source) from None
    return project_from_dict(data, source)
