"""Layered left-to-right layout (Sugiyama style, simplified for speed). Pure Python, no Qt.

1. Layering: longest path from the sources (a node sits one layer right of its furthest-right upstream).
2. Ordering: barycenter sweeps, down then up, reduce edge crossings. Long edges are not split into dummy
   nodes (that can multiply the work on wide graphs); a neighbour's position counts by its normalised
   rank in its own layer instead, which keeps each sweep O(nodes + edges).
3. Coordinates: layers are columns; inside a column nodes are placed near the mean y of their upstream
   neighbours, in sweep order, never overlapping, then the column is re-centred on its wish positions.

Only edges between the laid-out nodes count. Laying out a selection keeps its top-left corner where it was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dagster_designer_qt.core.model import Graph

# Node box size shared with the canvas (the canvas draws nodes this big).
NODE_WIDTH = 220.0
NODE_HEIGHT = 72.0
LAYER_GAP = 90.0  # horizontal space between columns
ROW_GAP = 28.0  # vertical space between nodes of a column
SWEEPS = 4


def layered_layout(graph: "Graph", node_ids: list[str] | None = None, *,
                   node_width: float = NODE_WIDTH, node_height: float = NODE_HEIGHT,
                   layer_gap: float = LAYER_GAP, row_gap: float = ROW_GAP,
                   sweeps: int = SWEEPS, fixed_layers: dict[str, int] | None = None) -> dict[str, tuple[float, float]]:
    """Positions (top-left x, y) for ``node_ids`` (all nodes when None), left to right.

    ``fixed_layers`` (node id -> column, e.g. from :func:`layers_of` on a larger set) fixes the columns instead of
    layering ``node_ids`` alone: parts of one graph laid out separately then keep every edge between them
    pointing right."""
    if node_ids is None:
        ids = [n.id for n in graph.iter_nodes()]
    else:
        ids = list(dict.fromkeys(i for i in node_ids if graph.has_node(i)))
    if not ids:
        return {}
    preds, succs = _adjacency(graph, ids)
    n = len(ids)
    order, layer = _layering(preds, succs)
    if fixed_layers is not None:
        layer = [fixed_layers.get(node_id, 0) for node_id in ids]

    depth = max(layer) + 1
    layers: list[list[int]] = [[] for _ in range(depth)]
    # initial order: DFS-ish discovery order (topological order) groups connected nodes together
    for v in order:
        layers[layer[v]].append(v)

    # 2. crossing reduction: barycenter sweeps on normalised ranks
    rank = [0.0] * n

    def set_ranks(column: list[int]) -> None:
        size = len(column)
        scale = 1.0 / size if size else 1.0
        for i, v in enumerate(column):
            rank[v] = (i + 0.5) * scale

    for column in layers:
        set_ranks(column)

    def sweep(columns: range, neighbours: list[list[int]]) -> None:
        for li in columns:
            column = layers[li]
            keyed = []
            for v in column:
                near = neighbours[v]
                if near:
                    total = 0.0
                    for w in near:
                        total += rank[w]
                    keyed.append((total / len(near), rank[v], v))
                else:
                    keyed.append((rank[v], rank[v], v))
            keyed.sort()
            layers[li] = [v for _b, _r, v in keyed]
            set_ranks(layers[li])

    for i in range(sweeps):
        if i % 2 == 0:
            sweep(range(1, depth), preds)
        else:
            sweep(range(depth - 2, -1, -1), succs)

    # 3. coordinates
    step_y = node_height + row_gap
    step_x = node_width + layer_gap
    y = [0.0] * n
    tallest = max(len(c) for c in layers)
    for li, column in enumerate(layers):
        if li == 0 or not any(preds[v] for v in column):
            offset = (tallest - len(column)) * step_y / 2.0
            for i, v in enumerate(column):
                y[v] = offset + i * step_y
            continue
        wish = []
        for i, v in enumerate(column):
            near = preds[v]
            if near:
                wish.append(sum(y[w] for w in near) / len(near))
            else:
                wish.append(None)
        # fill gaps for nodes without upstream: just below the previous node
        placed: list[float] = []
        for i, want in enumerate(wish):
            lowest = placed[-1] + step_y if placed else float("-inf")
            if want is None:
                want = lowest if placed else 0.0
            placed.append(max(want, lowest))
        # re-centre: shift the column so its mean displacement from the wishes is zero
        diffs = [p - w for p, w in zip(placed, wish) if w is not None]
        shift = -sum(diffs) / len(diffs) if diffs else 0.0
        for v, p in zip(column, placed):
            y[v] = p + shift

    top = min(y)
    if node_ids is None:
        origin_x, origin_y = 0.0, 0.0
    else:
        origin_x = min(graph.node(i).x for i in ids)
        origin_y = min(graph.node(i).y for i in ids)
    return {ids[v]: (float(origin_x + layer[v] * step_x), float(round(origin_y + y[v] - top)))
            for v in range(n)}


def layers_of(graph: "Graph", node_ids: list[str] | None = None) -> dict[str, int]:
    """The column :func:`layered_layout` gives each node (of ``node_ids``, all nodes when None)."""
    ids = [n.id for n in graph.iter_nodes()] if node_ids is None else [i for i in node_ids if graph.has_node(i)]
    ids = list(dict.fromkeys(ids))
    preds, succs = _adjacency(graph, ids)
    _order, layer = _layering(preds, succs)
    return dict(zip(ids, layer))


def _adjacency(graph: "Graph", ids: list[str]) -> tuple[list[list[int]], list[list[int]]]:
    wanted = set(ids)
    index = {node_id: i for i, node_id in enumerate(ids)}
    preds: list[list[int]] = [[] for _ in ids]
    succs: list[list[int]] = [[] for _ in ids]
    for edge in graph.iter_edges():
        if edge.source in wanted and edge.target in wanted:
            s, t = index[edge.source], index[edge.target]
            succs[s].append(t)
            preds[t].append(s)
    return preds, succs


def _layering(preds: list[list[int]], succs: list[list[int]]) -> tuple[list[int], list[int]]:
    """Topological order and longest-path layer of each node (Kahn, stable in input order)."""
    n = len(preds)
    indegree = [len(p) for p in preds]
    order = [i for i in range(n) if indegree[i] == 0]
    layer = [0] * n
    k = 0
    while k < len(order):
        v = order[k]
        k += 1
        lv = layer[v] + 1
        for w in succs[v]:
            if layer[w] < lv:
                layer[w] = lv
            indegree[w] -= 1
            if indegree[w] == 0:
                order.append(w)
    if len(order) != n:  # the model forbids cycles; be robust anyway
        seen = set(order)
        order.extend(i for i in range(n) if i not in seen)
    # Pull sources right, next to their first consumer, so they don't all pile up in column 0.
    for v in reversed(order):
        if not preds[v] and succs[v]:
            layer[v] = min(layer[w] for w in succs[v]) - 1
    return order, layer
