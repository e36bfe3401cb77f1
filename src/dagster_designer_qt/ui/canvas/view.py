"""GraphView: zoom, pan, fit, drop from the palette, keyboard nudges; mouse gestures go to interactions."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QFrame, QGraphicsView, QLabel

from dagster_designer_qt.ui.canvas import style as S
from dagster_designer_qt.ui.canvas.edge_item import EdgeItem
from dagster_designer_qt.ui.canvas.find_bar import FindNodeBar
from dagster_designer_qt.ui.canvas.interactions import (
    MoveInteraction,
    NewEdgeInteraction,
    PanInteraction,
    RubberBandInteraction,
)
from dagster_designer_qt.ui.canvas.minimap import Minimap

COMPONENT_MIME = "application/x-dagster-designer-component"
MIN_ZOOM = 0.005
MAX_ZOOM = 3.0
ZOOM_STEP = 1.2
NUDGE = 10
NUDGE_BIG = 50


class GraphView(QGraphicsView):
    connection_rejected = Signal(str)  # the reason, also shown on the canvas
    zoom_changed = Signal(float)
    component_dropped = Signal(str, QPointF)  # component type, scene position (top-left of the node)
    context_menu_requested = Signal(QPoint, bool)  # global pos, True when over a node/edge
    # a new connection was dropped on empty canvas: (node id, "out"/"in", scene pos, global pos)
    quick_add_requested = Signal(str, str, QPointF, QPoint)
    connection_accepted = Signal()  # a connection succeeded (a refusal shown before is now old news)
    node_double_clicked = Signal(str)

    def __init__(self, document, scene, parent=None):
        super().__init__(scene, parent)
        self.document = document
        self.graph_scene = scene
        self.setObjectName("graphView")
        self.setAccessibleName("Canvas")
        self.setAccessibleDescription("The pipeline graph. Arrow keys move the selected nodes.")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
                            | QPainter.RenderHint.SmoothPixmapTransform)
        # Smart: a dragged node dirties its own box and its edges' boxes; repaint those regions (and the
        # items in them), not the one rectangle around them all, which for long edges is most of the view.
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing, True)
        # Items set every pen, brush and font they use, so no save()/restore() around each paint().
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState, True)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setDragMode(QGraphicsView.DragMode.NoDrag)
        # No scroll bars (panning: middle/Space drag, Shift/Alt+wheel, the minimap): painting them cost more
        # than the canvas strip of a pan frame. They still exist and hold the scroll position.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.DefaultContextMenu)
        self._interaction = None
        self._space = False
        self._toast = QLabel(self.viewport())
        self._toast.setObjectName("canvasMessage")
        self._toast.setWordWrap(True)
        self._toast.setMaximumWidth(420)
        self._toast.hide()
        self._toast_timer = QTimer(self)
        self._toast_timer.setSingleShot(True)
        self._toast_timer.timeout.connect(self._toast.hide)
        self.minimap = Minimap(self)
        self.find_bar = FindNodeBar(self)
        self.apply_style()

    # ------------------------------------------------------------------ look
    def apply_style(self) -> None:
        c = self.graph_scene.style.colors
        self._toast.setStyleSheet(
            f"QLabel#canvasMessage {{ background: {c.toast_fill}; color: {c.toast_text}; "
            f"border-left: 4px solid {c.error}; border-radius: 6px; padding: 8px 12px; }}")
        self.find_bar.setStyleSheet(
            f"QFrame#findNodeBar {{ background: {c.node_fill}; border: 1px solid {c.node_border}; "
            f"border-radius: 6px; }} QLabel#findNodeCount {{ color: {c.node_subtext}; }}")
        self.minimap.mark_dirty()
        self.viewport().update()

    def last_message(self) -> str:
        return self._toast.text()

    def message_visible(self) -> bool:
        return self._toast.isVisible()

    def show_message(self, text: str, at: QPoint | None = None, msec: int = 4000) -> None:
        self._toast.setText(text)
        self._toast.adjustSize()
        vp = self.viewport().rect()
        if at is None:
            at = QPoint(vp.center().x() - self._toast.width() // 2, vp.bottom() - self._toast.height() - 24)
        else:
            at = at + QPoint(16, 16)
        x = max(8, min(at.x(), vp.right() - self._toast.width() - 8))
        y = max(8, min(at.y(), vp.bottom() - self._toast.height() - 8))
        self._toast.move(x, y)
        self._toast.show()
        self._toast.raise_()
        self._toast_timer.start(msec)

    def reject_connection(self, reason: str, at: QPoint | None = None) -> None:
        text = "Cannot connect: " + reason
        self.show_message(text, at)
        self.connection_rejected.emit(text)

    def connection_made(self) -> None:
        """A connection succeeded: a refusal still on screen no longer applies."""
        if self._toast.isVisible() and self._toast.text().startswith("Cannot connect"):
            self._toast_timer.stop()
            self._toast.hide()
        self.connection_accepted.emit()

    def request_quick_add(self, node_id: str, port: str, scene_pos: QPointF, global_pos: QPoint) -> None:
        self.quick_add_requested.emit(node_id, port, scene_pos, global_pos)

    # ------------------------------------------------------------------ zoom
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float, anchor: QPointF | None = None) -> None:
        factor = max(MIN_ZOOM, min(MAX_ZOOM, factor))
        current = self.zoom()
        if abs(factor - current) < 1e-9:
            return
        if anchor is None:
            self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.scale(factor / current, factor / current)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self._zoom_done()

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom() / ZOOM_STEP)

    def reset_zoom(self) -> None:
        self.set_zoom(1.0)

    def fit_to_window(self, node_ids=None) -> None:
        rect = self.graph_scene.nodes_rect(node_ids)
        if rect.isNull():
            self.resetTransform()
            self.centerOn(QPointF(400, 300))
            self._zoom_done()
            return
        rect = rect.adjusted(-40, -40, 40, 40)
        self._ensure_scene_contains(rect)
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > 1.0:
            self.resetTransform()
        elif self.zoom() < MIN_ZOOM:
            s = MIN_ZOOM / self.zoom()
            self.scale(s, s)
        self.centerOn(rect.center())
        self._zoom_done()

    def center_on_node(self, node_id: str) -> None:
        graph = self.document.graph
        if graph.has_node(node_id):  # from the model: the node's item may not exist yet
            node = graph.node(node_id)
            if self.zoom() < 0.6:
                self.set_zoom(1.0)
            self.centerOn(QPointF(node.x + S.W / 2, node.y + S.H / 2))

    def _ensure_scene_contains(self, rect: QRectF) -> None:
        scene_rect = self.graph_scene.sceneRect()
        if not scene_rect.contains(rect):
            self.graph_scene.setSceneRect(scene_rect.united(rect))

    def _zoom_done(self) -> None:
        z = self.zoom()
        big = self.document.graph.node_count() >= S.OVERVIEW_MIN_NODES
        self.graph_scene.set_overview(big and z < S.OVERVIEW_LOD)
        self._ensure_visible_items()
        self.zoom_changed.emit(z)

    def visible_center(self) -> QPointF:
        return self.mapToScene(self.viewport().rect().center())

    def wheelEvent(self, event) -> None:  # noqa: N802
        if event.modifiers() & (Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.AltModifier):
            return super().wheelEvent(event)  # scroll
        delta = event.angleDelta().y() or event.angleDelta().x()
        if not delta:
            return
        factor = pow(1.0015, delta)
        self.set_zoom(self.zoom() * factor, anchor=event.position())
        event.accept()

    # -------------------------------------------------------------- gestures
    def _begin(self, interaction, event) -> None:
        self._interaction = interaction
        if interaction.cursor is not None:
            self.viewport().setCursor(interaction.cursor)
        interaction.start(event)

    def _end(self) -> None:
        self._interaction = None
        self.viewport().setCursor(Qt.CursorShape.OpenHandCursor if self._space else Qt.CursorShape.ArrowCursor)

    def interaction(self):
        return self._interaction

    def mousePressEvent(self, event) -> None:  # noqa: N802
        if self._interaction is not None:
            return
        button = event.button()
        if button == Qt.MouseButton.MiddleButton or (button == Qt.MouseButton.LeftButton and self._space):
            self._begin(PanInteraction(self), event)
            return
        if button == Qt.MouseButton.RightButton:
            self._select_under(event, keep_if_selected=True)
            return
        if button != Qt.MouseButton.LeftButton:
            return
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        scene_pos = self.mapToScene(event.position().toPoint())
        toggle = bool(event.modifiers() & (Qt.KeyboardModifier.ControlModifier
                                           | Qt.KeyboardModifier.ShiftModifier))
        node = self.graph_scene.node_item_at(scene_pos)
        if node is not None and not toggle:
            port = node.port_at(scene_pos)
            if port is not None:
                self._begin(NewEdgeInteraction(self, node, port), event)
                return
        item = node or self._edge_at(scene_pos)
        if item is None:
            self._begin(RubberBandInteraction(self), event)
            return
        if toggle:
            item.setSelected(not item.isSelected())
            return
        if not item.isSelected():
            self.graph_scene.clearSelection()
            item.setSelected(True)
        if node is not None:
            self._begin(MoveInteraction(self), event)

    def _edge_at(self, scene_pos: QPointF):
        self.graph_scene.ensure_items_near(scene_pos)
        for item in self.graph_scene.items(scene_pos):
            if isinstance(item, EdgeItem):
                return item
        return None

    def _select_under(self, event, keep_if_selected: bool) -> None:
        scene_pos = self.mapToScene(event.position().toPoint())
        item = self.graph_scene.node_item_at(scene_pos) or self._edge_at(scene_pos)
        if item is not None and not item.isSelected():
            self.graph_scene.clearSelection()
            item.setSelected(True)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        if self._interaction is not None:
            self._interaction.update(event)
            return
        scene = self.graph_scene
        # Hovering the overview while a big graph's items are still being made makes none (the port cursor
        # needs an item; ports are not drawn in the overview): the first hover would build the pending grid.
        if not self._space and not (scene.overview() and scene.items_pending()):
            scene_pos = self.mapToScene(event.position().toPoint())
            node = scene.node_item_at(scene_pos)
            on_port = node is not None and node.port_at(scene_pos) is not None
            self.viewport().setCursor(Qt.CursorShape.CrossCursor if on_port else Qt.CursorShape.ArrowCursor)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if self._interaction is None:
            return super().mouseReleaseEvent(event)
        interaction = self._interaction
        self._end()
        interaction.finish(event)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802
        scene_pos = self.mapToScene(event.position().toPoint())
        node = self.graph_scene.node_item_at(scene_pos)
        if node is None and event.button() == Qt.MouseButton.LeftButton:
            self.fit_to_window()
        elif node is not None and event.button() == Qt.MouseButton.LeftButton:
            self.node_double_clicked.emit(node.node_id)

    def ensure_visible_while_dragging(self, event) -> None:
        """Scroll when a drag reaches the viewport's edge."""
        pos = event.position()
        rect = self.viewport().rect()
        margin, step = 24, 20
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        if pos.x() < margin:
            h.setValue(h.value() - step)
        elif pos.x() > rect.width() - margin:
            h.setValue(h.value() + step)
        if pos.y() < margin:
            v.setValue(v.value() - step)
        elif pos.y() > rect.height() - margin:
            v.setValue(v.value() + step)

    # -------------------------------------------------------------- keyboard
    def keyPressEvent(self, event) -> None:  # noqa: N802
        key = event.key()
        if key == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            if self._interaction is None:
                self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            event.accept()
            return
        if key == Qt.Key.Key_Escape:
            if self._interaction is not None:
                interaction = self._interaction
                self._end()
                interaction.cancel()
            else:
                self.graph_scene.clearSelection()
            event.accept()
            return
        arrows = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1),
                  Qt.Key.Key_Down: (0, 1)}
        if key in arrows and self._interaction is None:
            ids = self.document.selection()
            if ids:
                step = NUDGE_BIG if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else NUDGE
                dx, dy = arrows[key]
                graph = self.document.graph
                self.document.move_nodes(
                    {i: (graph.node(i).x + dx * step, graph.node(i).y + dy * step) for i in ids}, nudge=True)
                event.accept()
                return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            if self._interaction is None:
                self.viewport().setCursor(Qt.CursorShape.ArrowCursor)
            event.accept()
            return
        super().keyReleaseEvent(event)

    def focusOutEvent(self, event) -> None:  # noqa: N802
        self._space = False
        super().focusOutEvent(event)

    # -------------------------------------------------------------- painting
    def _ensure_visible_items(self) -> None:
        """At detail zoom, make the pending items of what the viewport shows before it is painted (a
        big graph's items are made in the background after its first frame, which is the overview)."""
        scene = self.graph_scene
        if self.scene() is None:  # the scene is being destroyed (the window closing)
            return
        if scene.items_pending() and not scene.overview():
            scene.ensure_items(self.mapToScene(self.viewport().rect()).boundingRect())

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802
        super().scrollContentsBy(dx, dy)
        if self.minimap.isVisible():  # the viewport scrolled its children along: back to the corner
            self.minimap.place()

    def paintEvent(self, event) -> None:  # noqa: N802
        """In overview mode the scene's overview drawing is the whole picture: paint it directly and
        skip QGraphicsView's walk over thousands of (content-less) items."""
        scene = self.graph_scene
        if scene.items_pending():
            # Made here, not on each scroll or resize: those also happen mid-way through a fit (a big view
            # at the old zoom) and before the first fit; only what gets painted at detail zoom is needed.
            self._ensure_visible_items()
            scene.start_background()  # after the first frame, the rest a slice per event-loop turn
        if not scene.overview() or self._interaction is not None:
            return super().paintEvent(event)
        painter = QPainter(self.viewport())
        painter.setTransform(self.viewportTransform())
        exposed = self.mapToScene(event.rect()).boundingRect()
        scene.drawBackground(painter, exposed)
        painter.end()

    # ----------------------------------------------------------- drag & drop
    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasFormat(COMPONENT_MIME):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasFormat(COMPONENT_MIME):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:  # noqa: N802
        data = event.mimeData()
        if not data.hasFormat(COMPONENT_MIME):
            event.ignore()
            return
        component_type = bytes(data.data(COMPONENT_MIME)).decode("utf-8").strip()
        if not component_type:
            event.ignore()
            return
        pos = self.mapToScene(event.position().toPoint())
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.component_dropped.emit(component_type, QPointF(pos.x() - S.W / 2, pos.y() - S.H / 2))

    # ----------------------------------------------------------- context menu
    def contextMenuEvent(self, event) -> None:  # noqa: N802
        scene_pos = self.mapToScene(event.pos())
        over = self.graph_scene.node_item_at(scene_pos) is not None or self._edge_at(scene_pos) is not None
        self.context_menu_requested.emit(event.globalPos(), over)
        event.accept()


