"""GraphScene: node and edge items that follow the document's model events; holds no other truth.

Also draws the grid, and for big graphs seen from far away an overview (every box in one drawRects call
per category colour, problem outlines, every edge in one drawLines call) instead of thousands of Python
paint() calls; items then carry ItemHasNoContents, which keeps them selectable and hit-testable but skips
their paint(). The overview's data (one rect per node) is built once and kept up to date per node; only its
grouping by colour is redone, lazily, after a change. The minimap draws from the same data.

Items of a big graph (LAZY_MIN_NODES or more) are not made when it is built: its first frame is the
overview, drawn from data. They are made in the background after the first frame (``_make_some``: a few
milliseconds per event-loop turn), and before that on demand: ``node_item``/``edge_item`` (the one way to
get an item by id), ``ensure_items(rect)`` for what a paint at detail zoom, a hit test or a rubber band
covers, and the edges of every selected node (a drag moves them with it). ``items_pending()`` tells
whether some are still missing. ``nodes``/``edges`` hold the items that exist.
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QToolTip

from dagster_designer_qt.core.bulk import gc_paused
from dagster_designer_qt.ui.canvas import style as S
from dagster_designer_qt.ui.canvas.edge_item import EdgeItem, visible_part
from dagster_designer_qt.ui.canvas.node_item import NodeItem
from dagster_designer_qt.ui.canvas.pending import PendingItems
from dagster_designer_qt.ui.theme import LIGHT_CANVAS, CanvasColors, category_icon_name

NO_CONTENTS = QGraphicsItem.GraphicsItemFlag.ItemHasNoContents
BY_BOX = Qt.ItemSelectionMode.IntersectsItemBoundingRect
IN_ORDER = Qt.SortOrder.AscendingOrder
EDGE_MARGIN = 8.0  # scene units around an exposed rect in which edge pieces are kept (pens are < 3 wide)
SCENE_MARGIN = 1500.0
MAX_EXPOSED_RECTS = 16  # more rects in a paint region: edges are gathered in its bounding box
DOT_PX = 5.0  # on-screen size of the problem marker in the overview and the minimap
LAZY_MIN_NODES = S.OVERVIEW_MIN_NODES  # smaller graphs get all their items at once (a few milliseconds)
SLICE_S = 0.008  # background item creation per event-loop turn: input and paints wait at most this long


def display_name(name: str) -> str:
    """``DbtProjectComponent`` -> ``dbt Project`` (the palette shows the same names; core.naming's rule)."""
    from dagster_designer_qt.core.naming import component_display_name

    return component_display_name(name)


def module_category(component_type: str) -> str:
    top = component_type.split(".", 1)[0]
    if top.startswith("dagster_") and len(top) > 8:
        return top[8:]
    return top


def short_type(component_type: str) -> str:
    return component_type.rsplit(".", 1)[-1]


class GraphScene(QGraphicsScene):
    geometry_changed = Signal()  # nodes were added, removed or moved (overview, scene rect)
    overview_changed = Signal()  # anything the overview/minimap shows changed (positions, colours, problems)
    drag_layer = None  # a drag_layer.StillLayer while nodes are dragged (set by interactions.MoveInteraction)

    def __init__(self, document, registry=None, parent=None):
        super().__init__(parent)
        self.document = document
        self.registry = registry  # RegistryModel-like: .get(type), .is_loaded()
        self.nodes: dict[str, NodeItem] = {}
        self.edges: dict[str, EdgeItem] = {}
        self._problems: dict = {}
        self._selected_edges: set[EdgeItem] = set()  # to repaint edges whose selection changed
        self._syncing = False
        self._overview = False
        self._ov_rects: dict[str, QRectF] | None = None  # node id -> body rect; built on first use
        self._ov_lines: dict[str, QLineF] | None = None  # edge id -> port-to-port line; built with the rects
        self._ov_moved: set[str] = set()  # nodes whose edges' lines are stale (moved since the last grouping)
        self._ov_cache: OverviewData | None = None  # grouping of _ov_rects; None when stale
        self._views: dict[str, tuple] = {}  # component type -> _component_view result
        self.builds = 0  # how many times items were built for a whole project (tests count it)
        self._graph = None
        self._pending: PendingItems | None = None  # ids without items yet (big graphs, until all are made)
        self._make_timer = QTimer(self)
        self._make_timer.setSingleShot(True)
        self._make_timer.setInterval(0)
        self._make_timer.timeout.connect(self._make_some)
        self.set_colors(LIGHT_CANVAS)
        self._rect_timer = QTimer(self)
        self._rect_timer.setSingleShot(True)
        self._rect_timer.setInterval(0)
        self._rect_timer.timeout.connect(self._update_scene_rect)
        self.selectionChanged.connect(self._on_scene_selection)
        document.selection_changed.connect(self._on_document_selection)
        document.project_replaced.connect(lambda _project: self.rebuild())
        self.rebuild()
        from dagster_designer_qt.ui.canvas.group_item import GroupFrames

        self.group_frames = GroupFrames(self)  # frames around DefsFolderComponent children (issue 12)

    # ------------------------------------------------------------------ look
    def set_colors(self, colors: CanvasColors, device_pixel_ratio: float = 2.0) -> None:
        style = S.CanvasStyle(colors, device_pixel_ratio)
        NodeItem.style = style
        EdgeItem.style = style
        self.style = style
        for item in self.nodes.values():
            item.set_texts(item.label, item.type_text)
        self._overview_changed()
        self.update()

    # ------------------------------------------------------------ build/sync
    def rebuild(self) -> None:
        graph = self.document.graph
        if self._graph is not None:
            self._disconnect_graph(self._graph)
        self._syncing = True
        try:
            self.nodes.clear()
            self.edges.clear()
            self._selected_edges = set()
            self.clear()
        finally:
            self._syncing = False
        self._graph = graph
        self._ov_rects = self._ov_lines = None
        self._ov_moved = set()
        self._ov_cache = None
        self._make_timer.stop()
        self._pending = None
        if graph.node_count():
            self.builds += 1
        if graph.node_count() >= LAZY_MIN_NODES:  # made after the first frame, or when needed
            self._pending = PendingItems(graph, [n.id for n in graph.iter_nodes()],
                                         [e.id for e in graph.iter_edges()], ((S.OUT_PORT.x(), S.OUT_PORT.y()),
                                         (S.IN_PORT.x(), S.IN_PORT.y())), (S.W, S.H))
        else:
            for node in graph.iter_nodes():
                self._make_node_item(node)
            for edge in graph.iter_edges():
                self._make_edge_item(edge)
        graph.node_added.connect(self._on_node_added)
        graph.node_removed.connect(self._on_node_removed)
        graph.edge_added.connect(self._on_edge_added)
        graph.edge_removed.connect(self._on_edge_removed)
        graph.node_moved.connect(self._on_node_moved)
        graph.node_changed.connect(self._on_node_changed)
        self.setSceneRect(self._content_rect())
        self._geometry_dirty()

    def _disconnect_graph(self, graph) -> None:
        graph.node_added.disconnect(self._on_node_added)
        graph.node_removed.disconnect(self._on_node_removed)
        graph.edge_added.disconnect(self._on_edge_added)
        graph.edge_removed.disconnect(self._on_edge_removed)
        graph.node_moved.disconnect(self._on_node_moved)
        graph.node_changed.disconnect(self._on_node_changed)

    def _component_view(self, component_type: str) -> tuple[str, str, bool, str]:
        """(category, icon name, missing, type text) for a component type (cached per type)."""
        view = self._views.get(component_type)
        if view is None:
            view = self._views[component_type] = self._compute_component_view(component_type)
        return view

    def _compute_component_view(self, component_type: str) -> tuple[str, str, bool, str]:
        info = self.registry.get(component_type) if self.registry is not None else None
        if info is not None:
            category = info.category or module_category(info.module)
            return category, category_icon_name(category, info.icon), False, display_name(info.name)
        if component_type == "python":  # a plain Python definitions module of an opened project (read-only)
            return "python", category_icon_name("python"), False, "Python definitions (read-only)"
        loaded = self.registry is not None and self.registry.is_loaded()
        category = module_category(component_type)
        awaiting = getattr(self.registry, "awaiting_trust", None)
        if callable(awaiting) and awaiting(component_type):  # the project's own type: listed once trusted
            return category, category_icon_name(category), False, "Needs project trust"
        if loaded:
            return category, "cat-missing", True, f"Not installed: {component_type}"
        return category, category_icon_name(category), False, display_name(short_type(component_type))

    # ------------------------------------------------------------ items
    def node_item(self, node_id: str) -> NodeItem | None:
        """The item of a node, made now if it is still pending (None: no such node)."""
        item = self.nodes.get(node_id)
        if item is None and self._pending is not None and self._graph.has_node(node_id):
            item = self._make_node_item(self._graph.node(node_id))
        return item

    def edge_item(self, edge_id: str) -> EdgeItem | None:
        """The item of an edge (and of its ends), made now if it is still pending (None: no such edge)."""
        item = self.edges.get(edge_id)
        if item is None and self._pending is not None and self._graph.has_edge(edge_id):
            item = self._make_edge_item(self._graph.edge(edge_id))
        return item

    def items_pending(self) -> bool:
        """Some nodes or edges of the graph have no item yet (made in the background, or when needed)."""
        return self._pending is not None

    def ensure_items(self, rect: QRectF) -> None:
        """Make the pending items whose body or curve box meets ``rect`` (scene units): before a paint at
        detail zoom, a hit test, a rubber band."""
        pending = self._pending
        if pending is None:
            return
        graph = self._graph
        with gc_paused():
            node_ids, edge_ids = pending.in_rect(rect.left(), rect.top(), rect.right(), rect.bottom(),
                                                 self._node_pending, self._edge_pending)
            for node_id in node_ids:
                self._make_node_item(graph.node(node_id))
            for edge_id in edge_ids:
                if edge_id not in self.edges:
                    self._make_edge_item(graph.edge(edge_id))

    def _node_pending(self, node_id: str) -> bool:
        return node_id not in self.nodes and self._graph.has_node(node_id)

    def _edge_pending(self, edge_id: str) -> bool:
        return edge_id not in self.edges and self._graph.has_edge(edge_id)

    def _complete_edges(self, node_ids) -> None:
        """Make the pending edges of these nodes: a selected node's item carries all its edges (a drag
        moves them with it through ``NodeItem.edges``)."""
        if self._pending is None:
            return
        graph, edges = self._graph, self.edges
        with gc_paused():
            for node_id in node_ids:
                if graph.has_node(node_id):
                    for edge in graph.edges_of(node_id):
                        if edge.id not in edges:
                            self._make_edge_item(edge)

    def start_background(self) -> None:
        """Make the pending items a slice per event-loop turn (the view calls this after it painted)."""
        if self._pending is not None and not self._make_timer.isActive():
            self._make_timer.start()

    def _make_some(self) -> None:
        pending = self._pending
        if pending is None:
            return
        graph = self._graph
        deadline = time.perf_counter() + SLICE_S
        # The collector paused: the items' reference cycles (node <-> edge) live as long as the scene, and
        # a full collection in the middle of a slice would cost ten times the slice.
        with gc_paused():
            pending.next_node = _drain(pending.node_queue, pending.next_node, self.nodes, graph.has_node,
                                       lambda i: self._make_node_item(graph.node(i)), deadline)
            if pending.next_node >= len(pending.node_queue):
                pending.next_edge = _drain(pending.edge_queue, pending.next_edge, self.edges, graph.has_edge,
                                           lambda i: self._make_edge_item(graph.edge(i)), deadline)
                if pending.next_edge >= len(pending.edge_queue):
                    self._pending = None  # every node and edge added since had its item made at once
                    return
        self._make_timer.start()

    def _make_node_item(self, node) -> NodeItem:
        item = NodeItem(node.id)
        category, icon, missing, type_text = self._component_view(node.component_type)
        item.set_component(category, icon, missing)
        item.set_texts(node.label, type_text)
        problems = self._problems.get(node.id)
        if problems:
            item.set_problems(_severity(problems), len(problems))
        item.setPos(node.x, node.y)
        if self._overview:
            item.setFlag(NO_CONTENTS, True)
        self.addItem(item)
        self.nodes[node.id] = item
        return item

    def _make_edge_item(self, edge) -> EdgeItem:
        source, target = self.node_item(edge.source), self.node_item(edge.target)
        item = EdgeItem(edge.id, source, target)  # no contents: drawn by _draw_edges
        source.edges.append(item)
        target.edges.append(item)
        self.addItem(item)
        self.edges[edge.id] = item
        return item

    def refresh_components(self) -> None:
        """Re-read category/icon/installed state of every node (after the registry loads). Only the nodes
        of a type whose look changed are touched (the registry loading right after an open, from its
        cache, usually changes a few types of thousands of nodes, or none)."""
        old = self._views
        self._views = {}
        changed = {t for t, view in old.items() if self._component_view(t) != view}
        if not changed and old.keys() >= {n.component_type for n in self.document.graph.iter_nodes()}:
            return
        for node in self.document.graph.iter_nodes():
            if node.component_type in old and node.component_type not in changed:
                continue
            item = self.nodes.get(node.id)
            if item is None:
                continue
            category, icon, missing, type_text = self._component_view(node.component_type)
            item.set_component(category, icon, missing)
            if type_text != item.type_text:
                item.set_texts(item.label, type_text)
        self._overview_changed()

    def set_problems(self, problems: dict) -> None:
        old = self._problems
        self._problems = dict(problems or {})
        for node_id in set(old) | set(self._problems):
            item = self.nodes.get(node_id)
            if item is not None:
                found = self._problems.get(node_id) or []
                item.set_problems(_severity(found), len(found))
        self._overview_changed()

    def problems_for(self, node_id: str) -> list:
        return list(self._problems.get(node_id) or [])

    # model events
    def _on_node_added(self, node) -> None:
        self._make_node_item(node)  # at once, also while others are pending
        if self._ov_rects is not None:
            self._ov_rects[node.id] = QRectF(node.x, node.y, S.W, S.H)
        self._geometry_dirty()

    def _on_node_removed(self, node) -> None:
        item = self.nodes.pop(node.id, None)
        if self._ov_rects is not None:
            self._ov_rects.pop(node.id, None)
        if item is not None:
            self.removeItem(item)
        self._geometry_dirty()

    def _on_edge_added(self, edge) -> None:
        item = self._make_edge_item(edge)
        self._ov_moved.add(edge.source)  # its line is made at the next grouping
        item.repaint()
        self._geometry_dirty()

    def _on_edge_removed(self, edge) -> None:
        item = self.edges.pop(edge.id, None)
        if self._ov_lines is not None:
            self._ov_lines.pop(edge.id, None)
        if item is None:  # still pending: nothing drawn it but the overview
            self._overview_changed()
            return
        for end in (item.source, item.target):
            try:
                end.edges.remove(item)
            except ValueError:
                pass
        item.repaint()
        self._selected_edges.discard(item)
        self.removeItem(item)
        self._geometry_dirty()

    def _on_node_moved(self, node_id: str, x: float, y: float) -> None:
        if self._ov_rects is not None:
            self._ov_rects[node_id] = QRectF(x, y, S.W, S.H)
            self._ov_moved.add(node_id)
        item = self.nodes.get(node_id)
        if self._pending is not None and (item is None or any(
                e.id not in self.edges for e in self._graph.edges_of(node_id))):
            self._pending.moved()  # the places of pending items changed (a selected node has all its edges)
        if item is None:  # pending: made where the model has it
            self._geometry_dirty()
            return
        if item.x() != x or item.y() != y:
            item.setPos(x, y)
            for edge in item.edges:
                edge.update_geometry()
            self._geometry_dirty()
        else:
            self._overview_changed()

    def _on_node_changed(self, node_id: str, field: str) -> None:
        item = self.nodes.get(node_id)
        if item is None:  # pending: made from the model; the overview's colour may have changed
            if field == "component_type":
                self._overview_changed()
            return
        node = self.document.graph.node(node_id)
        if field == "label":
            item.set_texts(node.label, item.type_text)
        elif field == "component_type":
            category, icon, missing, type_text = self._component_view(node.component_type)
            item.set_component(category, icon, missing)
            item.set_texts(node.label, type_text)
            self._overview_changed()

    def _overview_changed(self) -> None:
        """Colours, selection or problems changed: regroup the overview lazily, repaint it if shown."""
        self._ov_cache = None
        if self._overview:
            self.update()
        self.overview_changed.emit()

    def _geometry_dirty(self) -> None:
        self._overview_changed()
        self._rect_timer.start()
        self.geometry_changed.emit()

    def items_moved(self, items) -> None:
        """Called by the move interaction after it moved items directly (before the model knows)."""
        if self._ov_rects is not None:
            for item in items:
                self._ov_rects[item.node_id] = S.BODY.translated(item.pos())
            self._ov_moved.update(item.node_id for item in items)
        self._overview_changed()

    def _content_rect(self) -> QRectF:
        rect = self.nodes_rect()
        if rect.isNull():
            rect = QRectF(0, 0, 800, 600)
        return rect.adjusted(-SCENE_MARGIN, -SCENE_MARGIN, SCENE_MARGIN, SCENE_MARGIN)

    def _update_scene_rect(self) -> None:
        wanted = self._content_rect().united(self.sceneRect())
        if wanted != self.sceneRect():
            self.setSceneRect(wanted)

    def nodes_rect(self, node_ids=None) -> QRectF:
        """The box around the nodes' bodies (all nodes, or the given ones), from the model's positions."""
        graph = self.document.graph
        if node_ids is None:
            nodes = list(graph.iter_nodes())
        else:
            nodes = [graph.node(i) for i in node_ids if graph.has_node(i)]
        if not nodes:
            return QRectF()
        xs = [n.x for n in nodes]
        ys = [n.y for n in nodes]
        left, top = min(xs), min(ys)
        return QRectF(left, top, max(xs) - left + S.W, max(ys) - top + S.H)

    # ------------------------------------------------------------- selection
    def selected_node_ids(self) -> list[str]:
        return [i.node_id for i in self.selectedItems() if isinstance(i, NodeItem)]

    def selected_edge_ids(self) -> list[str]:
        return [i.edge_id for i in self.selectedItems() if isinstance(i, EdgeItem)]

    def _on_scene_selection(self) -> None:
        self._repaint_selected_edges()
        self._overview_changed()
        if self._syncing:
            return
        ids = self.selected_node_ids()
        self._complete_edges(ids)
        if len(ids) > 1:
            order = {n.id: i for i, n in enumerate(self._graph.iter_nodes())}  # the model's order
            ids = sorted(ids, key=lambda n: order.get(n, 0))
        self.document.set_selection(ids)

    def _on_document_selection(self, ids: list) -> None:
        wanted = set(ids)
        current = set(self.selected_node_ids())
        if wanted == current:
            return
        self._syncing = True
        try:
            for node_id in current - wanted:
                item = self.nodes.get(node_id)
                if item is not None:
                    item.setSelected(False)
            added = wanted - current
            if added and self._pending is not None:
                with gc_paused():  # select all while items are pending makes them all here
                    for node_id in added:
                        self.node_item(node_id)
                self._complete_edges(added)
            for node_id in added:
                item = self.nodes.get(node_id)
                if item is not None:
                    item.setSelected(True)
        finally:
            self._syncing = False
        self._overview_changed()

    def _repaint_selected_edges(self) -> None:
        """Edges are drawn by the scene, so a change of their selection repaints their boxes here."""
        now = {i for i in self.selectedItems() if isinstance(i, EdgeItem)}
        if now or self._selected_edges:
            for item in now ^ self._selected_edges:
                item.repaint()
            self._selected_edges = now

    def select_nodes(self, node_ids, *, clear_edges: bool = True) -> None:
        if clear_edges:
            self._syncing = True
            try:
                for edge_id in self.selected_edge_ids():
                    self.edges[edge_id].setSelected(False)
            finally:
                self._syncing = False
        self.document.set_selection(list(node_ids))

    def ensure_items_near(self, scene_pos: QPointF) -> None:
        """Make the pending items a hit test at ``scene_pos`` may find (ports stick out of the body)."""
        if self._pending is not None:
            m = 2.0 * S.PORT_HIT
            self.ensure_items(QRectF(scene_pos.x() - m, scene_pos.y() - m, 2 * m, 2 * m))

    def node_item_at(self, scene_pos: QPointF) -> NodeItem | None:
        self.ensure_items_near(scene_pos)
        for item in self.items(scene_pos):
            if isinstance(item, NodeItem):
                return item
        # ports stick out of the body; items() already covers them via the bounding rect
        return None

    # ------------------------------------------------------------- overview
    def overview(self) -> bool:
        return self._overview

    def set_overview(self, on: bool) -> None:
        if on == self._overview:
            return
        self._overview = on
        for item in self.nodes.values():
            item.setFlag(NO_CONTENTS, on)
        self.update()

    def overview_data(self) -> "OverviewData":
        """Every node's body rect grouped by what colour it is drawn in, problem outlines, edge lines.

        From the model, not the items (a big graph's first frame is drawn before they exist). Rects and
        lines are built on first use and then kept per node and edge (moves, adds, removals); a change of
        colours, selection or problems only regroups the rects. Lines run port to port (the rects' right
        and left middles), as ``EdgeItem.ends`` does; a node dragged live has its rect moved by
        ``items_moved``, so its edges' lines follow it at the next grouping."""
        if self._ov_cache is None:
            graph = self._graph
            rects = self._ov_rects
            (ox, oy), (ix, iy) = (S.OUT_PORT.x(), S.OUT_PORT.y()), (S.IN_PORT.x(), S.IN_PORT.y())
            if rects is None:  # first use: one pass over the model's positions
                with gc_paused():  # the collector was two thirds of this at 20k nodes (core/bulk.py)
                    rects = self._ov_rects = {n.id: QRectF(n.x, n.y, S.W, S.H) for n in graph.iter_nodes()}
                    node = graph.node
                    lines = self._ov_lines = {}
                    for edge in graph.iter_edges():
                        s, t = node(edge.source), node(edge.target)
                        lines[edge.id] = QLineF(s.x + ox, s.y + oy, t.x + ix, t.y + iy)
                self._ov_moved = set()
            elif self._ov_moved:
                lines = self._ov_lines
                for node_id in self._ov_moved:
                    if not graph.has_node(node_id):
                        continue
                    for edge in graph.edges_of(node_id):
                        s, t = rects.get(edge.source), rects.get(edge.target)
                        if s is not None and t is not None:
                            lines[edge.id] = QLineF(s.x() + ox, s.y() + oy, t.x() + ix, t.y() + iy)
                self._ov_moved = set()
            selected_ids = {i.node_id for i in self.selectedItems() if isinstance(i, NodeItem)}
            data = OverviewData()
            by_colour = data.by_colour
            views, view_of = self._views, self._component_view
            for node in graph.iter_nodes():
                rect = rects.get(node.id)
                if rect is None:
                    continue
                if node.id in selected_ids:
                    data.selected.append(rect)
                else:
                    view = views.get(node.component_type) or view_of(node.component_type)
                    key = "\0missing" if view[2] else view[0]
                    group = by_colour.get(key)
                    if group is None:
                        group = by_colour[key] = []
                    group.append(rect)
            for node_id, problems in self._problems.items():
                rect = rects.get(node_id)
                severity = _severity(problems) if rect is not None else None
                if severity == "error":
                    data.errors.append(rect.topRight())
                elif severity == "warning":
                    data.warnings.append(rect.topRight())
            data.lines = list(self._ov_lines.values())
            self._ov_cache = data
        return self._ov_cache

    def draw_overview(self, painter: QPainter, scale: float) -> None:
        """The whole graph as boxes in their category colours; a node with problems gets a dot in its
        severity's colour at its top-right corner that stays DOT_PX wide on screen at any zoom."""
        st = self.style
        data = self.overview_data()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        if data.lines:
            painter.setPen(st.overview_edge_pen)
            painter.drawLines(data.lines)
        painter.setPen(Qt.PenStyle.NoPen)
        for key, rects in data.by_colour.items():
            painter.setBrush(st.accent_brush(key))
            painter.drawRects(rects)
        if data.selected:
            painter.setBrush(st.overview_selected_brush)
            painter.drawRects(data.selected)
        # One square-capped point per problem node: a dot DOT_PX wide on screen, in one call per severity
        # (a rect per node built at every repaint cost ~0.1 s at 5k nodes with problems).
        size = min(S.H, DOT_PX / max(scale, 1e-9))
        for corners, brush in ((data.warnings, st.warning_brush), (data.errors, st.error_brush)):
            if corners:
                painter.setPen(QPen(brush, size, Qt.PenStyle.SolidLine, Qt.PenCapStyle.SquareCap))
                painter.drawPoints(corners)

    # -------------------------------------------------------------- drawing
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802
        scale = painter.worldTransform().m11()
        if self.drag_layer is not None and self.drag_layer.draw(painter, rect, scale):
            return  # a drag: what does not move comes from one image (drag_layer.py)
        st = self.style
        painter.fillRect(rect, st.background)
        rects = exposed_rects(painter, rect)
        for part in rects:
            self._draw_grid(painter, part, scale)
        self._draw_group_frames(painter, rect, scale)
        if self._overview:
            self.draw_overview(painter, scale)
        else:
            self._draw_edges(painter, rects, scale)

    def _draw_group_frames(self, painter: QPainter, rect: QRectF, scale: float) -> None:
        """Folder frames (a few at most) beneath the edges: as items they covered the edges inside them."""
        frames = getattr(self, "group_frames", None)  # made after the first build
        if frames is None:
            return
        for item in frames.items.values():
            if item.scene() is self and item.boundingRect().intersects(rect):
                item.draw(painter, scale)

    def _draw_edges(self, painter: QPainter, rects: list[QRectF], scale: float, candidates=None,
                    skip=frozenset()) -> None:
        """Every edge crossing the exposed rects: the piece of each curve inside each rect, in one path
        per pen (selected edges last, on top), arrow heads in one path per colour when ports are shown.
        Below the nodes, which are items. ``candidates``: the edges to consider instead of the scene
        index's items in each rect (a drag's moving edges); ``skip``: edges left out (the still layer)."""
        st = self.style
        m = EDGE_MARGIN
        arrows_shown = scale >= S.LOD_PORTS
        selected = self._selected_edges
        plain, chosen = QPainterPath(), QPainterPath()
        plain_arrows, chosen_arrows = QPainterPath(), QPainterPath()
        # Edges into one node share its arrow head's place: with the default odd-even fill two copies of it
        # in one path cancel out (a hollow arrow); the winding fill fills them.
        plain_arrows.setFillRule(Qt.FillRule.WindingFill)
        chosen_arrows.setFillRule(Qt.FillRule.WindingFill)
        arrow = st.arrow
        tip_dx = S.PORT_R
        with_arrow: set[EdgeItem] = set()  # an edge met in two rects gets one arrow
        for rect in rects:
            left, top, right, bottom = rect.left() - m, rect.top() - m, rect.right() + m, rect.bottom() + m
            for item in self.items(rect, BY_BOX, IN_ORDER) if candidates is None else candidates:
                if not isinstance(item, EdgeItem) or item in skip:
                    continue
                x1, y1, x2, y2, dx = item.ends
                part = visible_part(x1, y1, x2, y2, dx, left, top, right, bottom)
                is_selected = item in selected
                if part is not None:  # pieces of one edge from two rects overlap: one stroke covers both
                    path = chosen if is_selected else plain
                    path.moveTo(part[0], part[1])
                    path.cubicTo(part[2], part[3], part[4], part[5], part[6], part[7])
                if arrows_shown and item not in with_arrow:
                    tip = x2 - tip_dx
                    if tip >= left and tip - 9.0 <= right and top <= y2 <= bottom:
                        with_arrow.add(item)
                        (chosen_arrows if is_selected else plain_arrows).addPolygon(arrow.translated(tip, y2))
        painter.setBrush(st.no_brush)
        if not plain.isEmpty():
            painter.setPen(st.edge_pen)
            painter.drawPath(plain)
        if not chosen.isEmpty():
            painter.setPen(st.edge_selected_pen)
            painter.drawPath(chosen)
        if not plain_arrows.isEmpty():
            painter.setPen(st.edge_pen)
            painter.setBrush(st.edge_brush)
            painter.drawPath(plain_arrows)
        if not chosen_arrows.isEmpty():
            painter.setPen(st.edge_selected_pen)
            painter.setBrush(st.edge_selected_brush)
            painter.drawPath(chosen_arrows)

    def _draw_grid(self, painter: QPainter, rect: QRectF, scale: float) -> None:
        st = self.style
        step = 20.0
        while step * scale < 12:
            step *= 5
        major = step * 5
        if major * scale > 4000:
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        left, top = rect.left(), rect.top()
        for spacing, pen in ((step, st.grid_minor_pen), (major, st.grid_major_pen)):
            if spacing * scale < 12:
                continue
            x0 = math.floor(left / spacing) * spacing
            y0 = math.floor(top / spacing) * spacing
            lines = []
            x = x0
            while x <= rect.right():
                lines.append(QLineF(x, top, x, rect.bottom()))
                x += spacing
            y = y0
            while y <= rect.bottom():
                lines.append(QLineF(left, y, rect.right(), y))
                y += spacing
            if len(lines) < 2000:
                painter.setPen(pen)
                painter.drawLines(lines)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)

    # ------------------------------------------------------------- tooltips
    def helpEvent(self, event) -> None:  # noqa: N802
        item = None
        self.ensure_items_near(event.scenePos())
        for candidate in self.items(event.scenePos()):
            if isinstance(candidate, (NodeItem, EdgeItem)):
                item = candidate
                break
        if isinstance(item, NodeItem):
            QToolTip.showText(event.screenPos(), self.node_tooltip(item.node_id))
        elif isinstance(item, EdgeItem):
            QToolTip.showText(event.screenPos(), f"{item.source.label} → {item.target.label}")
        else:
            QToolTip.hideText()
        event.accept()

    def node_tooltip(self, node_id: str) -> str:
        from html import escape

        node = self.document.graph.node(node_id)
        info = self.registry.get(node.component_type) if self.registry is not None else None
        parts = [f"<b>{escape(node.label)}</b>", f"<code>{escape(node.component_type)}</code>"]
        if info is not None and (info.summary or info.description):
            parts.append(escape((info.summary or info.description).strip().splitlines()[0]))
        elif callable(getattr(self.registry, "awaiting_trust", None)) and self.registry.awaiting_trust(
                node.component_type):
            parts.append("Defined by this project. Listing it runs the project's code: trust the project "
                         "(Project Code… in the status bar, or the button in Properties) to load its form.")
        elif self._component_view(node.component_type)[2]:  # missing (the item may not exist yet)
            parts.append("The package providing this component is not installed; its data is kept "
                         "unchanged.")
        for problem in self._problems.get(node_id) or []:
            parts.append(f"{'✖' if getattr(problem, 'severity', '') == 'error' else '⚠'} "
                         f"{escape(str(getattr(problem, 'message', problem)))}")
        return "<br>".join(parts)


def _drain(queue: list, start: int, made: dict, exists, make, deadline: float) -> int:
    """Make the items of ``queue[start:]`` not made yet and still in the graph, 32 at a time, until the
    deadline (``time.perf_counter``); the index reached."""
    i = start
    while i < len(queue) and time.perf_counter() < deadline:
        for item_id in queue[i:i + 32]:
            if item_id not in made and exists(item_id):
                make(item_id)
        i += 32
    return min(i, len(queue))


def exposed_rects(painter: QPainter, rect: QRectF) -> list[QRectF]:
    """The scene rects of the region being painted (its ``rect`` is only their bounding box): a pan
    frame exposes a strip and the sliver the minimap uncovers when it goes back to its corner, whose
    bounding box spans most of the viewport; a moved edge dirties a few boxes along its curve. Drawing
    edges and grid per rect keeps the Python work to what is exposed. Each rect is a query of the scene's
    index, and every long edge crossing several rects is a candidate in each, so the bounding box is
    returned when the rects are many or fill most of it (a drag's region of overlapping boxes, which Qt
    splits into dozens of thin bands), or when the painter has no usable clip."""
    engine = painter.paintEngine()
    clip = engine.systemClip() if engine is not None else None
    count = clip.rectCount() if clip is not None else 0
    if count < 2 or count > 8 * MAX_EXPOSED_RECTS:
        return [rect]
    rects = _rejoined(clip)
    if len(rects) > MAX_EXPOSED_RECTS:
        return [rect]
    rects = _merged(rects)
    box = clip.boundingRect()
    if sum(r.width() * r.height() for r in rects) * 2 > box.width() * box.height():
        return [rect]  # the rects fill their box: visiting each would find the same long edges again
    to_scene, invertible = painter.deviceTransform().inverted()
    if not invertible:
        return [rect]
    out = []
    for r in rects:
        part = to_scene.mapRect(QRectF(r)).intersected(rect)
        if not part.isEmpty():
            out.append(part)
    return out or [rect]


def _rejoined(region) -> list:
    """The region's rects with vertical runs joined again: a region stores horizontal bands, so a box that
    overlaps others is cut into one rect per band, all with its left and right."""
    out: list = []
    open_runs: dict[tuple[int, int], int] = {}  # (left, right) -> index in out of the run ending last
    for r in region:
        key = (r.left(), r.right())
        i = open_runs.get(key)
        if i is not None and out[i].bottom() + 1 == r.top():
            out[i] = out[i].united(r)
        else:
            open_runs[key] = len(out)
            out.append(r)
    return out


def _merged(rects: list) -> list:
    """Neighbouring rects joined while their box adds little area: Qt's region splits a strip beside the
    minimap into bands, and each band would be one more index query finding the same long edges."""
    merged = True
    while merged and len(rects) > 1:
        merged = False
        for i in range(len(rects)):
            for j in range(i + 1, len(rects)):
                a, b = rects[i], rects[j]
                union = a.united(b)
                if union.width() * union.height() <= 1.25 * (a.width() * a.height() + b.width() * b.height()):
                    rects[i] = union
                    del rects[j]
                    merged = True
                    break
            if merged:
                break
    return rects


class OverviewData:
    __slots__ = ("by_colour", "selected", "errors", "warnings", "lines")

    def __init__(self) -> None:
        self.by_colour: dict[str, list[QRectF]] = {}  # category (or "\0missing") -> body rects
        self.selected: list[QRectF] = []
        self.errors: list[QPointF] = []  # top-right corners of nodes with errors (where the dot goes)
        self.warnings: list[QPointF] = []
        self.lines: list[QLineF] = []


def _severity(problems) -> str | None:
    if not problems:
        return None
    if any(getattr(p, "severity", "error") == "error" for p in problems):
        return "error"
    return "warning"
