"""Copy/paste payloads: a selection of nodes with the edges between them, as JSON-ready data.

Pasting gives every node and edge a new id and offsets positions, so the same payload can be pasted
many times, into this window or another one (the payload travels as clipboard MIME data).
"""

from __future__ import annotations

from typing import Any, Iterable

from dagster_designer_qt.core import fileformat
from dagster_designer_qt.core.errors import ProjectFileError
from dagster_designer_qt.core.model import Edge, Graph, Node, new_id

MIME_TYPE = "application/x-dagster-designer-nodes+json"
PAYLOAD_KIND = "dagster-designer/nodes"


def copy_payload(graph: Graph, node_ids: Iterable[str]) -> dict[str, Any]:
    wanted = set(node_ids)
    nodes = [fileformat.node_to_dict(n) for n in graph.iter_nodes() if n.id in wanted]
    edges = [
        fileformat.edge_to_dict(e)
        for e in graph.iter_edges()
        if e.source in wanted and e.target in wanted
    ]
    return {"kind": PAYLOAD_KIND, "version": fileformat.SCHEMA_VERSION, "nodes": nodes, "edges": edges}


def payload_items(payload: Any, offset: tuple[float, float] = (40.0, 40.0)) -> tuple[list[Node], list[Edge]]:
    """Nodes and edges ready to add: fresh ids, positions offset. Raises ProjectFileError on bad data."""
    if not isinstance(payload, dict) or payload.get("kind") != PAYLOAD_KIND:
        raise ProjectFileError("the clipboard does not hold Dagster Designer nodes")
    wrapper = {"name": "clipboard", "graph": {"nodes": payload.get("nodes", []),
                                              "edges": payload.get("edges", [])}}
    project = fileformat.project_from_dict(wrapper, source="clipboard")
    id_map = {n.id: new_id() for n in project.graph.iter_nodes()}
    nodes = []
    for node in project.graph.iter_nodes():
        twin = node.clone(id_map[node.id])
        twin.x += offset[0]
        twin.y += offset[1]
        nodes.append(twin)
    edges = [Edge(new_id(), id_map[e.source], id_map[e.target], dict(e.extra))
             for e in project.graph.iter_edges()]
    return nodes, edges


def unique_label(wanted: str, taken: Iterable[str]) -> str:
    """`wanted`, or `wanted 2`, `wanted 3`... so labels stay distinct (case-insensitively)."""
    taken_folded = {t.casefold() for t in taken}
    base = wanted.strip() or "Component"
    if base.casefold() not in taken_folded:
        return base
    stem = base
    parts = base.rsplit(" ", 1)
    if len(parts) == 2 and parts[1].isdigit():
        stem = parts[0]
    n = 2
    while f"{stem} {n}".casefold() in taken_folded:
        n += 1
    return f"{stem} {n}"
