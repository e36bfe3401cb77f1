"""One class per mouse gesture on the canvas: pan, move, new edge, rubber band.

Each has start/update/finish/cancel; the view forwards mouse events to the active one. Gestures change
items only for live feedback; the model changes once, through a document verb, when the gesture finishes.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsItem, QGraphicsPathItem, QRubberBand

from dagster_designer_qt.core.errors import GraphError
from dagster_designer_qt.ui.canvas.drag_layer import StillLayer
from dagster_designer_qt.ui.canvas.edge_item import curve, curve_boxes, edges_box
from dagster_designer_qt.ui.canvas.node_item import NodeItem

MANY_EDGES = 16  # moving more edges than this repaints the one box around them all
BY_BOX = Qt.ItemSelectionMode.IntersectsItemBoundingRect
MAX_CACHED = 64  # nodes given a device pixmap during a drag (one per node, the node's size on screen)
NO_CACHE = QGraphicsItem.CacheMode.NoCache
DEVICE_CACHE = QGraphicsItem.CacheMode.DeviceCoordinateCache


class Interaction:
    cursor: Qt.CursorShape | None = None

    def __init__(self, view):
        self.view = view
        self.scene = view.graph_scene
        self.document = view.document

    def start(self, event) -> None:
        pass

    def update(self, event) -> None:
        pass

    def finish(self, event) -> None:
        pass

    def cancel(self) -> None:
        pass


class PanInteraction(Interaction):
    """Middle-drag or Space+drag: scroll the view with the mouse."""

    cursor = Qt.CursorShape.ClosedHandCursor

    def start(self, event) -> None:
        self._last = event.position()

    def update(self, event) -> None:
        delta = event.position() - self._last
        self._last = event.position()
        h, v = self.view.horizontalScrollBar(), self.view.verticalScrollBar()
        h.setValue(h.value() - round(delta.x()))
        v.setValue(v.value() - round(delta.y()))


class MoveInteraction(Interaction):
    """Drag selected nodes. Items move live; on release the document gets one Move command."""

    cursor = Qt.CursorShape.SizeAllCursor

    def start(self, event) -> None:
        self._origin = self.view.mapToScene(event.position().toPoint())
        self._items = [self.scene.nodes[i] for i in self.scene.selected_node_ids()]
        self._start = {item: item.pos() for item in self._items}
        edges = {}
        for item in self._items:
            for edge in item.edges:
                edges[id(edge)] = edge
        self._edges = list(edges.values())
        self._moved = False
        self._overview_stale = False  # moved without telling the scene's overview data (items_moved)
        self._layer: StillLayer | None = None
        self._cached: list = []  # nodes given a device cache for the drag

    def update(self, event) -> None:
        pos = self.view.mapToScene(event.position().toPoint())
        delta = pos - self._origin
        if not self._moved:
            if abs(delta.x()) + abs(delta.y()) < 3 / max(self.view.zoom(), 1e-6):
                return
            self._moved = True
            self._layer = StillLayer(self.scene, self.view, self, self._edges)
            self._layer.attach()  # what does not move is painted once (drag_layer.py)
            self._cache_nodes()
        dx, dy = round(delta.x()), round(delta.y())
        for item, start in self._start.items():
            item.setPos(start.x() + dx, start.y() + dy)
        self._update_edges()
        if self.scene.overview():  # the overview draws the nodes from its own rects: keep them live
            self.scene.items_moved(self._items)
        else:  # nothing reads them before the release (the minimap waits for the model's move)
            self._overview_stale = True
        self.view.ensure_visible_while_dragging(event)

    def _update_edges(self) -> None:
        """Edges follow their nodes; many of them are repainted as one box (an update per edge box made
        the view merge hundreds of rects into its dirty region at every mouse move)."""
        edges = self._edges
        if len(edges) <= MANY_EDGES:
            for edge in edges:
                edge.update_geometry()
            return
        before = edges_box(edges)
        for edge in edges:
            edge.update_geometry(repaint=False)
        self.scene.update(before.united(edges_box(edges)))

    def _cache_nodes(self) -> None:
        """The dragged nodes, those at the other end of their edges and those under the pieces of those
        edges (``curve_boxes``: what each move repaints) are repainted at every move: while the drag lasts
        Qt keeps each one's picture in a device pixmap and copies it instead of calling its Python
        paint() (~0.13 ms each)."""
        nodes = dict.fromkeys(self._items)
        for edge in self._edges:
            nodes[edge.source] = nodes[edge.target] = None
        if len(self._edges) <= MANY_EDGES:
            for edge in self._edges:
                for box in curve_boxes(*edge.ends):
                    for item in self.scene.items(box, BY_BOX):
                        if isinstance(item, NodeItem):
                            nodes[item] = None
        self._cached = [node for node in nodes if node.cacheMode() == NO_CACHE][:MAX_CACHED]
        for node in self._cached:
            node.setCacheMode(DEVICE_CACHE)

    def _drop_layer(self) -> None:
        for node in self._cached:
            node.setCacheMode(NO_CACHE)
        self._cached = []
        if self._layer is not None:
            self._layer.finish()
            self._layer = None
        if self._overview_stale:
            self._overview_stale = False
            self.scene.items_moved(self._items)

    def finish(self, event) -> None:
        if not self._moved:
            return
        self._drop_layer()
        positions = {item.node_id: (item.x(), item.y()) for item in self._items}
        self.document.move_nodes(positions)

    def cancel(self) -> None:
        for item, start in self._start.items():
            item.setPos(start)
        self._update_edges()
        self.scene.items_moved(self._items)
        self._drop_layer()


class NewEdgeInteraction(Interaction):
    """Drag from a port to a node's opposite port to connect. A refused connection shows why."""

    cursor = Qt.CursorShape.CrossCursor

    def __init__(self, view, node_item, port: str):
        super().__init__(view)
        self.node_item = node_item
        self.port = port  # "out": dragging downstream; "in": dragging upstream
        self._hover = None
        self.target_valid: bool | None = None  # None: over no node; False: that node would be refused
        self.refusal = ""
        self._temp = QGraphicsPathItem()
        self._temp.setPen(self.scene.style.temp_edge_pen)
        self._temp.setZValue(10)
        error = QColor(self.scene.style.colors.error)
        self._bad_pen = QPen(self.scene.style.temp_edge_pen)
        self._bad_pen.setColor(error)
        self._bad_pen.setStyle(Qt.PenStyle.DashLine)
        # an invalid target port is drawn over in the error colour, with a cross (not the valid blue)
        self.bad_port = QGraphicsEllipseItem(QRectF(-7, -7, 14, 14))
        self.bad_port.setPen(QPen(error, 2))
        self.bad_port.setBrush(QBrush(error.lighter(160)))
        self.bad_port.setZValue(11)
        self.bad_port.setToolTip("")
        cross = QGraphicsPathItem(self.bad_port)
        mark = QPainterPath()
        mark.moveTo(-3.5, -3.5)
        mark.lineTo(3.5, 3.5)
        mark.moveTo(3.5, -3.5)
        mark.lineTo(-3.5, 3.5)
        cross.setPath(mark)
        cross.setPen(QPen(error, 2))
        self.bad_port.hide()

    def _anchor(self) -> QPointF:
        return self.node_item.out_anchor() if self.port == "out" else self.node_item.in_anchor()

    def start(self, event) -> None:
        self._press = event.position()
        self.scene.addItem(self._temp)
        self.scene.addItem(self.bad_port)
        self.node_item.set_hot_port(self.port)
        self.update(event)

    def _refusal(self, target) -> str:
        """Why connecting to ``target`` would be refused ('' when it would succeed): the model's rules."""
        a, b = self.node_item.node_id, target.node_id
        source, dest = (a, b) if self.port == "out" else (b, a)
        try:
            self.document.graph.check_edge(source, dest)
        except GraphError as exc:
            return str(exc)
        return ""

    def _set_hover(self, item) -> None:
        if item is self._hover:
            return
        if self._hover is not None:
            self._hover.set_hot_port(None)
        self._hover = item
        self.refusal = self._refusal(item) if item is not None else ""
        self.target_valid = None if item is None else not self.refusal
        if item is not None and not self.refusal:
            item.set_hot_port("in" if self.port == "out" else "out")
        self._temp.setPen(self._bad_pen if self.refusal else self.scene.style.temp_edge_pen)
        self.bad_port.setVisible(bool(self.refusal))
        self.bad_port.setToolTip(self.refusal)
        if self.refusal:
            self.bad_port.setPos(item.in_anchor() if self.port == "out" else item.out_anchor())

    def update(self, event) -> None:
        pos = self.view.mapToScene(event.position().toPoint())
        target = self.scene.node_item_at(pos)
        moved = event.position() - self._press
        if target is self.node_item and abs(moved.x()) + abs(moved.y()) < 6:
            target = None  # still on the port it started from
        self._set_hover(target)
        end = pos
        if target is not None:
            end = target.in_anchor() if self.port == "out" else target.out_anchor()
        path = curve(self._anchor(), end) if self.port == "out" else curve(end, self._anchor())
        self._temp.setPath(path)
        self.view.ensure_visible_while_dragging(event)

    def _cleanup(self) -> None:
        self._set_hover(None)
        self.node_item.set_hot_port(None)
        if self._temp.scene() is not None:
            self.scene.removeItem(self._temp)
        if self.bad_port.scene() is not None:
            self.scene.removeItem(self.bad_port)

    def finish(self, event) -> None:
        pos = self.view.mapToScene(event.position().toPoint())
        target = self.scene.node_item_at(pos)
        self._cleanup()
        moved = event.position() - self._press
        if target is None:
            if abs(moved.x()) + abs(moved.y()) >= 6:  # dropped on empty canvas: offer to add a node there
                self.view.request_quick_add(self.node_item.node_id, self.port, pos,
                                            self.view.viewport().mapToGlobal(event.position().toPoint()))
            return
        if target is self.node_item and abs(moved.x()) + abs(moved.y()) < 6:
            return  # a click on a port: nothing to say
        a, b = self.node_item.node_id, target.node_id
        source, dest = (a, b) if self.port == "out" else (b, a)
        try:
            self.document.connect(source, dest)
        except GraphError as exc:
            self.view.reject_connection(str(exc), event.position().toPoint())
        else:
            self.view.connection_made()

    def cancel(self) -> None:
        self._cleanup()


class RubberBandInteraction(Interaction):
    """Drag on empty canvas: select the nodes and edges the band touches (Ctrl/Shift adds)."""

    def start(self, event) -> None:
        self._origin = event.position().toPoint()
        self._additive = bool(event.modifiers() & (Qt.KeyboardModifier.ControlModifier
                                                   | Qt.KeyboardModifier.ShiftModifier))
        self._band = QRubberBand(QRubberBand.Shape.Rectangle, self.view.viewport())
        self._band.setGeometry(QRect(self._origin, QSize()))
        self._band.show()
        self._active = False
        if not self._additive:
            self.scene.clearSelection()

    def update(self, event) -> None:
        rect = QRect(self._origin, event.position().toPoint()).normalized()
        if not self._active and rect.width() + rect.height() < 4:
            return
        self._active = True
        self._band.setGeometry(rect)
        path = QPainterPath()
        path.addPolygon(self.view.mapToScene(rect))
        self.scene.ensure_items(path.boundingRect())  # a big graph's items may still be pending
        operation = (Qt.ItemSelectionOperation.AddToSelection if self._additive
                     else Qt.ItemSelectionOperation.ReplaceSelection)
        self.scene.setSelectionArea(path, operation, Qt.ItemSelectionMode.IntersectsItemShape,
                                    self.view.viewportTransform())

    def finish(self, event) -> None:
        self._band.hide()
        self._band.deleteLater()

    def cancel(self) -> None:
        self.finish(None)
