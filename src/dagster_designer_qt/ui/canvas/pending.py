"""The nodes and edges of a big graph that have no canvas item yet, and where they are (no Qt).

Opening a big project creates no item before the first frame (it shows the overview, drawn from data); the
scene then creates them in the background and, before that finishes, on demand: whatever a paint, a hit
test or a rubber band needs in a rect (``PendingItems.in_rect``). Finding those needs the places of the
pending nodes and edges: a hierarchical grid, built on first use from the model's positions. An edge's box
in a layered layout is often tens of thousands of units tall (20k nodes: ~900k cells of 1024 units for the
24k edges), so each box goes to the level whose cells are at least as big as the box: at most 2 × 2 cells
per box, and a query visits a few cells per level.
"""

from __future__ import annotations

import math

CELL = 1024.0  # scene units: the smallest cells (a node's body is 220 × 72)


def edge_box(x1: float, y1: float, x2: float, y2: float) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of the curve between two ports: EdgeItem's control-point box, padded."""
    dx = max(40.0, abs(x2 - x1) * 0.5)
    left, right = min(x1, x2 - dx), max(x2, x1 + dx)
    top, bottom = (y1, y2) if y1 < y2 else (y2, y1)
    return left - 10.0, top - 10.0, right + 10.0, bottom + 10.0


class _Grid:
    """Ids by box, on levels of cells CELL·2^k; each box in the cells of the level that fits it."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int, int], list] = {}
        self.levels: set[int] = set()

    def add(self, key, left: float, top: float, right: float, bottom: float) -> None:
        size = max(right - left, bottom - top)
        level, cell = 0, CELL
        while cell < size:
            cell *= 2.0
            level += 1
        self.levels.add(level)
        cells = self.cells
        for cx in range(math.floor(left / cell), math.floor(right / cell) + 1):
            for cy in range(math.floor(top / cell), math.floor(bottom / cell) + 1):
                bucket = cells.get((level, cx, cy))
                if bucket is None:
                    cells[(level, cx, cy)] = [key]
                else:
                    bucket.append(key)

    def near(self, left: float, top: float, right: float, bottom: float) -> list:
        """Keys whose cells meet the rect (a superset of those whose boxes do; repeats possible)."""
        out: list = []
        cells = self.cells
        for level in self.levels:
            cell = CELL * 2.0 ** level
            x0, x1 = math.floor(left / cell), math.floor(right / cell)
            y0, y1 = math.floor(top / cell), math.floor(bottom / cell)
            if (x1 - x0 + 1) * (y1 - y0 + 1) > len(cells):  # a huge rect: walk the cells instead
                for (lv, cx, cy), bucket in cells.items():
                    if lv == level and x0 <= cx <= x1 and y0 <= cy <= y1:
                        out.extend(bucket)
                continue
            for cx in range(x0, x1 + 1):
                for cy in range(y0, y1 + 1):
                    bucket = cells.get((level, cx, cy))
                    if bucket:
                        out.extend(bucket)
        return out


class PendingItems:
    """The queue of ids still without items (in model order, for the background creation) and, on demand,
    a grid of where they are. The scene tells it when a node moves (``moved``: the grid is rebuilt at the
    next query) and asks ``is_node_pending``/``is_edge_pending`` through the callables it passes."""

    def __init__(self, graph, node_ids: list[str], edge_ids: list[str], port_offsets, size) -> None:
        self.graph = graph
        self.node_queue = node_ids
        self.edge_queue = edge_ids
        self.next_node = 0
        self.next_edge = 0
        self._out, self._in = port_offsets  # (x, y) of the out and in ports from a node's top-left
        self._w, self._h = size
        self._grid: tuple[_Grid, _Grid] | None = None

    def moved(self) -> None:
        """A node moved in the model: boxes in the grid may be stale."""
        self._grid = None

    def _build(self, node_pending, edge_pending) -> tuple[_Grid, _Grid]:
        """One pass over the pending ids (~0.1 s at 20k nodes and 24k edges, less as items get made)."""
        graph = self.graph
        node_grid, edge_grid = _Grid(), _Grid()
        w, h = self._w, self._h
        cells = node_grid.cells
        floor = math.floor
        node_grid.levels.add(0)  # a body (220 x 72) is smaller than a cell
        for node_id in self.node_queue[self.next_node:]:
            if node_pending(node_id):
                node = graph.node(node_id)
                x, y = node.x, node.y
                for cx in range(floor(x / CELL), floor((x + w) / CELL) + 1):
                    for cy in range(floor(y / CELL), floor((y + h) / CELL) + 1):
                        bucket = cells.get((0, cx, cy))
                        if bucket is None:
                            cells[(0, cx, cy)] = [node_id]
                        else:
                            bucket.append(node_id)
        (ox, oy), (ix, iy) = self._out, self._in
        node, add = graph.node, edge_grid.add
        for edge_id in self.edge_queue[self.next_edge:]:
            if edge_pending(edge_id):
                edge = graph.edge(edge_id)
                s, t = node(edge.source), node(edge.target)
                add(edge_id, *edge_box(s.x + ox, s.y + oy, t.x + ix, t.y + iy))
        return node_grid, edge_grid

    def in_rect(self, left: float, top: float, right: float, bottom: float, node_pending, edge_pending):
        """(node ids, edge ids) still pending whose body or curve box meets the rect."""
        if self._grid is None:
            self._grid = self._build(node_pending, edge_pending)
        node_grid, edge_grid = self._grid
        graph = self.graph
        w, h = self._w, self._h
        node_ids = []
        for node_id in dict.fromkeys(node_grid.near(left, top, right, bottom)):
            if node_pending(node_id):
                node = graph.node(node_id)
                if node.x <= right and node.x + w >= left and node.y <= bottom and node.y + h >= top:
                    node_ids.append(node_id)
        (ox, oy), (ix, iy) = self._out, self._in
        edge_ids = []
        for edge_id in dict.fromkeys(edge_grid.near(left, top, right, bottom)):
            if edge_pending(edge_id):
                edge = graph.edge(edge_id)
                s, t = graph.node(edge.source), graph.node(edge.target)
                l, tp, r, b = edge_box(s.x + ox, s.y + oy, t.x + ix, t.y + iy)
                if l <= right and r >= left and tp <= bottom and b >= top:
                    edge_ids.append(edge_id)
        return node_ids, edge_ids
