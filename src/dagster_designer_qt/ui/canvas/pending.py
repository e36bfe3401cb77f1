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
    """Boxes on levels of cells CELL·2^k: each box goes to the one cell of the level whose cells are at
    least its size that holds its top-left corner (a "loose" grid: one entry per box); a query widens by
    one cell up and left, where the boxes of the cells there may reach into the rect. Entries are
    (id, left, top, right, bottom), so a query tests the boxes without asking the model."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int, int], list] = {}
        self.levels: set[int] = set()

    def add(self, entry: tuple) -> None:
        _id, left, top, right, bottom = entry
        level = int(max(right - left, bottom - top) / CELL).bit_length()
        cell = CELL * (1 << level)
        self.levels.add(level)
        where = (level, math.floor(left / cell), math.floor(top / cell))
        bucket = self.cells.get(where)
        if bucket is None:
            self.cells[where] = [entry]
        else:
            bucket.append(entry)

    def meeting(self, left: float, top: float, right: float, bottom: float) -> list:
        """Ids whose boxes meet the rect."""
        out: list = []
        cells = self.cells
        for level in self.levels:
            cell = CELL * (1 << level)
            x0, x1 = math.floor(left / cell) - 1, math.floor(right / cell)
            y0, y1 = math.floor(top / cell) - 1, math.floor(bottom / cell)
            if (x1 - x0 + 1) * (y1 - y0 + 1) > len(cells):  # a huge rect: walk the cells instead
                buckets = [b for (lv, cx, cy), b in cells.items() if lv == level and x0 <= cx <= x1
                           and y0 <= cy <= y1]
            else:
                buckets = [cells.get((level, cx, cy)) for cx in range(x0, x1 + 1) for cy in range(y0, y1 + 1)]
            for bucket in buckets:
                if bucket:
                    out.extend(e[0] for e in bucket if e[1] <= right and e[3] >= left and e[2] <= bottom
                               and e[4] >= top)
        return out


class PendingItems:
    """The queue of ids still without items (in model order, for the background creation) and, on
    demand, a grid of where the graph's nodes and edges are. The scene tells it when a node moves
    (``moved``: the grid is rebuilt at the next query)."""

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

    def _build(self) -> tuple[_Grid, _Grid]:
        """One pass over the model (~0.1 s at 20k nodes and 24k edges; ``_Grid.add`` and ``edge_box``
        inlined: as calls they were two thirds of it). Ids that have items are skipped by the queries."""
        node_grid, edge_grid = _Grid(), _Grid()
        w, h = self._w, self._h
        level = int(max(w, h) / CELL).bit_length()  # every body has the same size: one level
        cell = CELL * (1 << level)
        node_grid.levels.add(level)
        cells = node_grid.cells
        where = {}
        for node in self.graph.iter_nodes():
            x, y = node.x, node.y
            where[node.id] = (x, y)
            key = (level, x // cell, y // cell)  # floats equal to the ints ``meeting`` looks up
            entry = (node.id, x, y, x + w, y + h)
            bucket = cells.get(key)
            if bucket is None:
                cells[key] = [entry]
            else:
                bucket.append(entry)
        (ox, oy), (ix, iy) = self._out, self._in
        cells, levels = edge_grid.cells, edge_grid.levels
        for edge in self.graph.iter_edges():  # edge_box(), inlined
            sx, sy = where[edge.source]
            tx, ty = where[edge.target]
            x1, y1, x2, y2 = sx + ox, sy + oy, tx + ix, ty + iy
            dx = abs(x2 - x1) * 0.5
            if dx < 40.0:
                dx = 40.0
            left = (x1 if x1 < x2 - dx else x2 - dx) - 10.0
            right = (x2 if x2 > x1 + dx else x1 + dx) + 10.0
            top, bottom = (y1 - 10.0, y2 + 10.0) if y1 < y2 else (y2 - 10.0, y1 + 10.0)
            size = right - left if right - left > bottom - top else bottom - top
            level = int(size / CELL).bit_length()
            levels.add(level)
            cell = CELL * (1 << level)
            key = (level, left // cell, top // cell)
            entry = (edge.id, left, top, right, bottom)
            bucket = cells.get(key)
            if bucket is None:
                cells[key] = [entry]
            else:
                bucket.append(entry)
        return node_grid, edge_grid

    def in_rect(self, left: float, top: float, right: float, bottom: float, node_pending, edge_pending):
        """(node ids, edge ids) still pending whose body or curve box meets the rect."""
        if self._grid is None:
            self._grid = self._build()
        node_grid, edge_grid = self._grid
        node_ids = [i for i in node_grid.meeting(left, top, right, bottom) if node_pending(i)]
        edge_ids = [i for i in edge_grid.meeting(left, top, right, bottom) if edge_pending(i)]
        return node_ids, edge_ids
