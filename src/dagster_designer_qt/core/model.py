"""The project model: Project, Graph, Node, Edge. Plain Python, no Qt, no I/O.

Mutators check invariants, raise typed errors, change state, then emit a past-tense event, and only on a
real change. Ordering of nodes and edges is part of the model (it is what gets saved), so removals report
the index they removed from and insertions accept one: undo puts things back exactly where they were.
"""

from __future__ import annotations

import copy
import math
import uuid
import weakref
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Iterable, Iterator

from dagster_designer_qt.core.errors import (
    CycleError,
    DuplicateEdgeError,
    DuplicateIdError,
    SelfLoopError,
    UnknownEdgeError,
    UnknownNodeError,
)
from dagster_designer_qt.core.events import Signal
from dagster_designer_qt.core.json_copy import same_json

# Node data fields that hold a JSON value and may be absent (None) in a file.
OPTIONAL_DATA_FIELDS = ("translation", "post_processing", "files")
NODE_FIELDS = ("label", "component_type", "attributes") + OPTIONAL_DATA_FIELDS


def new_id() -> str:
    return uuid.uuid4().hex


def utc_now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(eq=True)
class NodeSource:
    """Where an imported node lives in its project folder, and what it was when last read or saved.

    ``doc`` names the document in ``ProjectSource.documents`` (a removed and later restored node whose
    document is gone no longer claims it). ``file`` is the defs file's POSIX path relative to the project
    folder, ``document`` the index of its YAML document (``---`` separated, counting empty ones). ``read`` is
    the document codegen makes of the node as it was when read (or last saved): saving in place writes
    only the difference between that and the document of the node now."""
    doc: str
    file: str
    document: int = 0
    read: dict[str, Any] = field(default_factory=dict)
    kind: str = "component"  # "component" or "python" (a read-only plain definitions module)
    keys: list[str] = field(default_factory=list)  # a python module's declared asset keys

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"doc": self.doc, "file": self.file, "document": self.document}
        if self.kind != "component":
            out["kind"] = self.kind
        if self.read:
            out["read"] = self.read
        if self.keys:
            out["keys"] = list(self.keys)
        return out


@dataclass(eq=True)
class ProjectSource:
    """The Dagster project folder a designer project was opened from (saving in place writes there).

    ``defs`` is the defs folder relative to it; ``documents`` maps each document id to the (file, document
    index) it is on disk now, so a node removed since is a document to remove."""
    folder: str
    defs: str = ""
    documents: dict[str, tuple[str, int]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"folder": self.folder, "defs": self.defs,
                "documents": {d: [f, i] for d, (f, i) in self.documents.items()}}


@dataclass(eq=True)
class Node:
    id: str
    component_type: str
    label: str
    x: float = 0.0
    y: float = 0.0
    attributes: dict[str, Any] = field(default_factory=dict)
    translation: dict[str, Any] | None = None
    post_processing: dict[str, Any] | None = None
    files: dict[str, str] | None = None
    node_type: str = "component"
    # Keys this version doesn't know, kept verbatim on a load/save round trip.
    extra: dict[str, Any] = field(default_factory=dict)
    data_extra: dict[str, Any] = field(default_factory=dict)
    source: NodeSource | None = None  # set for nodes read from a project folder

    def clone(self, new_node_id: str | None = None) -> "Node":
        twin = copy.deepcopy(self)
        if new_node_id is not None:
            twin.id = new_node_id
            twin.source = None  # a copy is a new component: it gets its own folder
        return twin


@dataclass(eq=True)
class Edge:
    id: str
    source: str
    target: str
    extra: dict[str, Any] = field(default_factory=dict)


def _shallow(obj):
    """A new instance sharing the field values: O(fields), no recursion."""
    twin = object.__new__(type(obj))
    twin.__dict__.update(obj.__dict__)
    return twin


class SharedGraph:
    """A copy-on-write snapshot of a graph's nodes and edges, for another thread (validation, preview).

    It shares the node objects, and the graph it came from puts a copy of a node's state into it before
    changing that node (``Graph._before_change``), so it keeps the values of the moment it was taken
    while costing one dict copy, not a copy per node. Safe because the graph never changes a field's
    value in place (values are replaced) and edges never change. Only reading is allowed: whoever wants
    to write to its nodes copies them first (``Graph.adopt(..., own_nodes=True)``)."""

    __slots__ = ("nodes", "edges", "__weakref__")

    def __init__(self, nodes: dict[str, "Node"], edges: dict[str, "Edge"]) -> None:
        self.nodes = nodes
        self.edges = edges


class Graph:
    """Nodes and edges with the invariants: unique ids, edges only between existing nodes, no self-loops,
    no duplicate edges, no cycles."""

    def __init__(self) -> None:
        self._nodes: dict[str, Node] = {}
        self._edges: dict[str, Edge] = {}
        self._out: dict[str, dict[str, str]] = {}  # node -> {target: edge_id}
        self._in: dict[str, dict[str, str]] = {}  # node -> {source: edge_id}
        self._shared: weakref.WeakSet[SharedGraph] = weakref.WeakSet()  # live snapshots (share())
        self._adopted: SharedGraph | None = None  # the snapshot this detached graph reads (adopt())
        self.node_added = Signal()  # (node)
        self.node_removed = Signal()  # (node)
        self.edge_added = Signal()  # (edge)
        self.edge_removed = Signal()  # (edge)
        self.node_moved = Signal()  # (node_id, x, y)
        self.node_changed = Signal()  # (node_id, field_name)

    # ----------------------------------------------------------------- queries
    @property
    def nodes(self) -> list[Node]:
        return list(self._nodes.values())

    @property
    def edges(self) -> list[Edge]:
        return list(self._edges.values())

    def iter_nodes(self) -> Iterator[Node]:
        return iter(self._nodes.values())

    def iter_edges(self) -> Iterator[Edge]:
        return iter(self._edges.values())

    def node(self, node_id: str) -> Node:
        try:
            return self._nodes[node_id]
        except KeyError:
            raise UnknownNodeError(node_id) from None

    def edge(self, edge_id: str) -> Edge:
        try:
            return self._edges[edge_id]
        except KeyError:
            raise UnknownEdgeError(edge_id) from None

    def has_node(self, node_id: str) -> bool:
        return node_id in self._nodes

    def has_edge(self, edge_id: str) -> bool:
        return edge_id in self._edges

    def node_count(self) -> int:
        return len(self._nodes)

    def edge_count(self) -> int:
        return len(self._edges)

    def node_index(self, node_id: str) -> int:
        self.node(node_id)
        return list(self._nodes).index(node_id)

    def edge_index(self, edge_id: str) -> int:
        self.edge(edge_id)
        return list(self._edges).index(edge_id)

    def find_edge(self, source: str, target: str) -> Edge | None:
        edge_id = self._out.get(source, {}).get(target)
        return self._edges[edge_id] if edge_id else None

    def edges_of(self, node_id: str) -> list[Edge]:
        """Every edge touching the node, in the graph's edge order."""
        ids = set(self._out.get(node_id, {}).values()) | set(self._in.get(node_id, {}).values())
        return [e for e in self._edges.values() if e.id in ids] if ids else []

    def upstream(self, node_id: str) -> list[str]:
        return list(self._in.get(node_id, {}))

    def downstream(self, node_id: str) -> list[str]:
        return list(self._out.get(node_id, {}))

    def _label(self, node_id: str) -> str:
        node = self._nodes.get(node_id)
        return node.label if node and node.label else node_id

    def find_path(self, start: str, goal: str) -> list[str] | None:
        """A path of node ids from start to goal following edge direction, or None."""
        if start == goal:
            return [start]
        parent: dict[str, str] = {start: start}
        stack = [start]
        while stack:
            current = stack.pop()
            for nxt in self._out.get(current, {}):
                if nxt in parent:
                    continue
                parent[nxt] = current
                if nxt == goal:
                    path = [goal]
                    while path[-1] != start:
                        path.append(parent[path[-1]])
                    return path[::-1]
                stack.append(nxt)
        return None

    def check_edge(self, source: str, target: str) -> None:
        """Raise the error adding source -> target would raise, without changing anything."""
        self.node(source)
        self.node(target)
        if source == target:
            raise SelfLoopError(source, self._label(source))
        if target in self._out.get(source, {}):
            raise DuplicateEdgeError(source, target, self._label(source), self._label(target))
        path = self.find_path(target, source)
        if path is not None:
            cycle = path + [target]
            raise CycleError(cycle, [self._label(n) for n in cycle])

    def topological_order(self) -> list[str]:
        """Node ids so that every edge goes from an earlier to a later node (stable: file order)."""
        indegree = {n: len(self._in.get(n, {})) for n in self._nodes}
        ready = [n for n in self._nodes if indegree[n] == 0]
        order: list[str] = []
        i = 0
        while i < len(ready):
            n = ready[i]
            i += 1
            order.append(n)
            for t in self._out.get(n, {}):
                indegree[t] -= 1
                if indegree[t] == 0:
                    ready.append(t)
        return order

    # --------------------------------------------------------------- mutators
    def add_node(self, node: Node, index: int | None = None) -> None:
        if node.id in self._nodes:
            raise DuplicateIdError("node", node.id)
        if index is None or index >= len(self._nodes):
            self._nodes[node.id] = node
        else:
            items = list(self._nodes.items())
            items.insert(index, (node.id, node))
            self._nodes = dict(items)
        self._out[node.id] = {}
        self._in[node.id] = {}
        self.node_added.emit(node)

    def remove_node(self, node_id: str) -> tuple[Node, int, list[tuple[Edge, int]]]:
        """Remove a node and its edges. Returns the node, its index and the removed edges with their
        indices (ascending), which is what ``restore_node`` needs."""
        node = self.node(node_id)
        index = list(self._nodes).index(node_id)
        touching = self.edges_of(node_id)
        edge_order = list(self._edges)
        removed = [(e, edge_order.index(e.id)) for e in touching]
        for edge in reversed(touching):
            self.remove_edge(edge.id)
        del self._nodes[node_id]
        del self._out[node_id]
        del self._in[node_id]
        self.node_removed.emit(node)
        return node, index, removed

    def restore_node(self, node: Node, index: int, edges: list[tuple[Edge, int]]) -> None:
        self.add_node(node, index)
        for edge, edge_index in sorted(edges, key=lambda pair: pair[1]):
            self.add_edge(edge, edge_index)

    def add_edge(self, edge: Edge, index: int | None = None) -> None:
        if edge.id in self._edges:
            raise DuplicateIdError("edge", edge.id)
        self.check_edge(edge.source, edge.target)
        self._insert_edge(edge, index)
        self.edge_added.emit(edge)

    def _insert_edge(self, edge: Edge, index: int | None) -> None:
        if index is None or index >= len(self._edges):
            self._edges[edge.id] = edge
        else:
            items = list(self._edges.items())
            items.insert(index, (edge.id, edge))
            self._edges = dict(items)
        self._out[edge.source][edge.target] = edge.id
        self._in[edge.target][edge.source] = edge.id

    def remove_edge(self, edge_id: str) -> tuple[Edge, int]:
        edge = self.edge(edge_id)
        index = list(self._edges).index(edge_id)
        del self._edges[edge_id]
        del self._out[edge.source][edge.target]
        del self._in[edge.target][edge.source]
        self.edge_removed.emit(edge)
        return edge, index

    def move_node(self, node_id: str, x: float, y: float) -> None:
        node = self.node(node_id)
        if not (math.isfinite(x) and math.isfinite(y)):
            raise ValueError(f"node position must be finite, got ({x}, {y})")
        if node.x == x and node.y == y:
            return
        self._before_change(node)
        node.x, node.y = x, y
        self.node_moved.emit(node_id, x, y)

    def set_node_field(self, node_id: str, name: str, value: Any) -> None:
        """Set one of label, component_type, attributes, translation, post_processing, files."""
        if name not in NODE_FIELDS:
            raise ValueError(f"not a node field: {name}")
        node = self.node(node_id)
        if same_json(getattr(node, name), value):  # 1 -> true is a change (1 == True in Python)
            return
        value = copy.deepcopy(value)
        self._before_change(node)
        setattr(node, name, value)
        self.node_changed.emit(node_id, name)

    def refresh_module_keys(self, node_id: str, keys: list[str]) -> None:
        """A read-only Python module node's asset keys as Dagster reports them (``source.keys`` and the
        ``asset_keys`` attribute shown). Derived data read from the user's project, not an edit: no undo
        command (no command ever edits such a node's attributes) and the project is not marked modified.
        Values are replaced, never changed in place (validation snapshots share them)."""
        node = self.node(node_id)
        if node.node_type != "python" or node.source is None:
            raise ValueError(f"not a Python module node: {node_id}")
        keys = [str(k) for k in keys]
        if node.source.keys == keys and node.attributes.get("asset_keys") == keys:
            return
        self._before_change(node)
        node.source = replace(node.source, keys=list(keys))
        node.attributes = {**node.attributes, "asset_keys": list(keys)}
        self.node_changed.emit(node_id, "attributes")

    # ------------------------------------------------------ snapshots (COW)
    def share(self) -> SharedGraph:
        """A copy-on-write snapshot of the nodes and edges (see SharedGraph): one dict copy each."""
        shared = SharedGraph(dict(self._nodes), dict(self._edges))
        self._shared.add(shared)
        return shared

    def _before_change(self, node: Node) -> None:
        """Every live snapshot still sharing ``node`` gets a copy of its state before it changes."""
        if self._shared:
            for shared in list(self._shared):
                if shared.nodes.get(node.id) is node:
                    shared.nodes[node.id] = _shallow(node)

    def adopt(self, shared: SharedGraph, *, own_nodes: bool = False) -> None:
        """Make this empty, detached graph read a snapshot (on the thread that uses it): its nodes are the
        snapshot's own dict, which the source graph keeps up to date, so the invariants it holds need no
        check. ``own_nodes``: shallow copies of the nodes instead, for a reader that writes to them."""
        if self._nodes or self._edges:
            raise ValueError("adopt() needs an empty graph")
        self._adopted = shared  # alive as long as this graph: the source graph keeps protecting it
        self._nodes = {k: _shallow(n) for k, n in shared.nodes.items()} if own_nodes else shared.nodes
        self._edges = shared.edges
        out_map = self._out = {node_id: {} for node_id in self._nodes}
        in_map = self._in = {node_id: {} for node_id in self._nodes}
        for edge in self._edges.values():
            out_map[edge.source][edge.target] = edge.id
            in_map[edge.target][edge.source] = edge.id

    def clear(self) -> None:
        for edge_id in list(self._edges):
            self.remove_edge(edge_id)
        for node_id in list(self._nodes):
            self.remove_node(node_id)

    # ------------------------------------------------------------ bulk build
    def load(self, nodes: Iterable[Node], edges: Iterable[Edge]) -> None:
        """Fill an empty graph (used by deserialization). Checks every invariant, emits nothing.

        Errors carry ``index`` (position of the offending node or edge in its list) and, for an edge to
        a missing node, ``end`` ("source" or "target"), so a file reader can say where the problem is.
        """
        if self._nodes or self._edges:
            raise ValueError("load() needs an empty graph")
        node_map = self._nodes
        out_map, in_map = self._out, self._in
        for i, node in enumerate(nodes):
            if node.id in node_map:
                raise _at(DuplicateIdError("node", node.id), i)
            node_map[node.id] = node
            out_map[node.id] = {}
            in_map[node.id] = {}
        edge_map = self._edges
        for i, edge in enumerate(edges):
            source, target = edge.source, edge.target
            if edge.id in edge_map:
                raise _at(DuplicateIdError("edge", edge.id), i)
            if source not in node_map:
                raise _at(UnknownNodeError(source), i, "source")
            if target not in node_map:
                raise _at(UnknownNodeError(target), i, "target")
            if source == target:
                raise _at(SelfLoopError(source, self._label(source)), i)
            if target in out_map[source]:
                raise _at(DuplicateEdgeError(source, target, self._label(source), self._label(target)), i)
            edge_map[edge.id] = edge
            out_map[source][target] = edge.id
            in_map[target][source] = edge.id
        if len(self.topological_order()) != len(node_map):
            raise CycleError(*self._some_cycle())

    def _some_cycle(self) -> tuple[list[str], list[str]]:
        color: dict[str, int] = {}
        for root in self._nodes:
            if root in color:
                continue
            stack = [(root, iter(self._out[root]))]
            color[root] = 1
            path = [root]
            while stack:
                node, children = stack[-1]
                for child in children:
                    if color.get(child) == 1:
                        cycle = path[path.index(child):] + [child]
                        return cycle, [self._label(n) for n in cycle]
                    if child not in color:
                        color[child] = 1
                        path.append(child)
                        stack.append((child, iter(self._out[child])))
                        break
                else:
                    color[node] = 2
                    path.pop()
                    stack.pop()
        return [], []


def _at(error: Exception, index: int, end: str | None = None) -> Exception:
    error.index = index  # type: ignore[attr-defined]
    error.end = end  # type: ignore[attr-defined]
    return error


# python: the project's Python interpreter (a path; relative to the project file's folder), None = default
PROJECT_META_FIELDS = ("name", "description", "git_repo", "git_branch", "python")


class Project:
    def __init__(
        self,
        name: str,
        *,
        project_id: str | None = None,
        description: str | None = None,
        created_at: str | None = None,
        updated_at: str | None = None,
        git_repo: str | None = None,
        git_branch: str = "main",
        extra: dict[str, Any] | None = None,
        python: str | None = None,
    ) -> None:
        now = utc_now_iso()
        self.id = project_id or new_id()
        self.name = name
        self.description = description
        self.created_at = created_at or now
        self.updated_at = updated_at or now
        self.git_repo = git_repo
        self.git_branch = git_branch
        self.python = python
        self.extra: dict[str, Any] = dict(extra or {})
        self.source: ProjectSource | None = None  # the project folder it was opened from, if any
        self.graph = Graph()
        self.meta_changed = Signal()  # (field_name)

    def set_meta(self, name: str, value: Any) -> None:
        if name not in PROJECT_META_FIELDS:
            raise ValueError(f"not a project field: {name}")
        if getattr(self, name) == value:
            return
        setattr(self, name, value)
        self.meta_changed.emit(name)
