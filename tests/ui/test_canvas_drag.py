"""Dragging nodes with the still layer (ui/canvas/drag_layer.py): what a drag leaves on screen, repainted
move by move, is what a fresh render of the same scene shows (no trail of the moving edges, nothing of the
still ones lost), also when the drag scrolls the view; the still background is rendered once per tile and
each later move draws only the moving edges (no query of the scene's index for the others); the nodes
repainted at every move are copied from Qt's device pixmaps during the drag, and only then."""

from __future__ import annotations

import pytest
from canvas_setup import shown_canvas
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QGraphicsItem

from dagster_designer_qt.ui.canvas.scene import GraphScene

FUNCTION = "dagster.FunctionComponent"


class CountingScene(GraphScene):
    """Counts the index queries by rect that the scene's own drawing makes."""

    rect_queries = 0

    def items(self, *args):
        if len(args) == 3:  # _draw_edges: items(rect, mode, order)
            self.rect_queries += 1
        return super().items(*args)


@pytest.fixture
def canvas(qtbot):
    """Edges that are straight lines when the dragged node is back at y = 0 (a straight curve is drawn
    the same whatever piece of it is stroked, so a fresh render must match pixel for pixel)."""
    document, scene, view = shown_canvas(qtbot, scene_class=CountingScene, size=(900, 560))
    a = document.add_node(FUNCTION, 0, 0)
    b = document.add_node(FUNCTION, 400, 0)
    c = document.add_node(FUNCTION, 800, 0)
    d = document.add_node(FUNCTION, 0, 300)
    e = document.add_node(FUNCTION, 800, 300)
    document.connect(a, b)
    document.connect(b, c)
    document.connect(d, e)  # a still edge under the dragged node's path
    view.reset_zoom()
    view.minimap.hide()  # a child of the viewport: not part of the canvas picture compared here
    view.centerOn(QPointF(510, 200))
    QApplication.processEvents()
    document.set_selection([b])
    QApplication.processEvents()
    return document, scene, view, b


def _screen(view) -> QImage:
    """What the window shows: the backing store's pixels as the repaints left them (not a new render)."""
    return view.screen().grabWindow(view.winId()).toImage().convertToFormat(QImage.Format.Format_RGB32)


def _fresh(view, scene) -> QImage:
    """The same scene rendered afresh, the normal way (no still layer), into the same window."""
    layer = scene.drag_layer
    scene.drag_layer = None
    try:
        view.viewport().repaint()
        return _screen(view)
    finally:
        scene.drag_layer = layer


def _difference(a: QImage, b: QImage) -> int:
    """The largest difference of one colour channel between the two pictures (0: identical)."""
    from PySide6.QtGui import QPainter

    diff = a.copy()
    painter = QPainter(diff)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Difference)
    painter.drawImage(0, 0, b)
    painter.end()
    rgb = diff.convertToFormat(QImage.Format.Format_RGB888)
    return max(bytes(rgb.constBits()))


def _same(shown: QImage, fresh: QImage) -> bool:
    """Equal but for rounding: the nodes come from Qt's device pixmaps during a drag, whose premultiplied
    colours are one level off here and there. A trail or a lost edge differs by tens of levels."""
    assert shown.size() == fresh.size()
    return _difference(shown, fresh) <= 2


def _move(view, pos: QPoint) -> None:
    QApplication.sendEvent(view.viewport(), _mouse_move(view, pos))
    QApplication.processEvents()  # the repaint of this move, as the event loop would do it


def _mouse_move(view, pos: QPoint):
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QMouseEvent

    return QMouseEvent(QEvent.Type.MouseMove, QPointF(pos), QPointF(view.viewport().mapToGlobal(pos)),
                       Qt.MouseButton.NoButton, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)


def test_a_drag_leaves_exactly_what_a_fresh_render_shows(canvas, qtbot):
    document, scene, view, b = canvas
    start = view.mapFromScene(QPointF(510, 36))
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=start)
    for step in list(range(1, 12)) + list(range(11, -1, -1)):  # down across the still edge and back
        _move(view, start + QPoint(4 * step if step else 40, 37 * step))
    assert scene.nodes[b].pos() == QPointF(440, 0)  # its edges are straight again
    layer = scene.drag_layer
    assert layer is not None and layer.rendered > 0  # the drag painted from the still layer
    shown = _screen(view)
    fresh = _fresh(view, scene)
    assert _same(shown, fresh), f"differs by up to {_difference(shown, fresh)} levels"
    assert scene.nodes[b].cacheMode() == QGraphicsItem.CacheMode.DeviceCoordinateCache  # during the drag
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=start + QPoint(40, 0))
    assert scene.drag_layer is None
    assert document.graph.node(b).x == 440
    # no pixmap cache stays on a node after the drag (it would be refilled at every zoom)
    assert all(item.cacheMode() == QGraphicsItem.CacheMode.NoCache for item in scene.nodes.values())


def test_later_moves_reuse_the_tiles_and_query_no_still_edges(canvas, qtbot):
    document, scene, view, b = canvas
    start = view.mapFromScene(QPointF(510, 36))
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=start)
    _move(view, start + QPoint(6, 0))
    layer = scene.drag_layer
    rendered, queries = layer.rendered, scene.rect_queries
    assert rendered > 0
    for step in range(2, 6):  # a few pixels: the same tiles are exposed again
        _move(view, start + QPoint(3 * step, 0))
    assert layer.rendered == rendered
    assert scene.rect_queries == queries  # each move drew only the moving edges
    qtbot.keyClick(view, Qt.Key.Key_Escape)  # cancel: the layer goes, the node is back
    assert scene.drag_layer is None
    assert scene.nodes[b].pos() == QPointF(400, 0)
    assert all(item.cacheMode() == QGraphicsItem.CacheMode.NoCache for item in scene.nodes.values())


def test_a_drag_that_scrolls_the_view_keeps_the_picture_right(canvas, qtbot):
    document, scene, view, b = canvas
    start = view.mapFromScene(QPointF(510, 36))
    bar = view.horizontalScrollBar()
    before = bar.value()
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=start)
    edge = view.viewport().width() - 10
    _move(view, QPoint(edge - 60, start.y() + 120))
    for _ in range(3):  # at the viewport's right edge: each move scrolls the view by 20 px
        _move(view, QPoint(edge, start.y() + 120))
    _move(view, QPoint(edge - 60, start.y()))  # back to y = 0: straight edges again
    assert bar.value() > before
    assert scene.nodes[b].y() == 0
    assert scene.drag_layer is not None
    shown = _screen(view)
    fresh = _fresh(view, scene)
    assert _same(shown, fresh), f"differs by up to {_difference(shown, fresh)} levels"
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(edge - 60, start.y()))


def test_an_undo_during_a_drag_is_painted_the_normal_way(canvas, qtbot):
    """Ctrl+Z while dragging removes the still edge: it must not stay on screen from the tiles."""
    document, scene, view, b = canvas
    start = view.mapFromScene(QPointF(510, 36))
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 9):  # down to the still edge: its tiles are rendered
        _move(view, start + QPoint(0, 37 * step))
    assert scene.drag_layer is not None
    document.undo_stack.undo()  # the last command made the still edge d -> e
    assert len(scene.edges) == 2
    for step in range(8, -1, -1):
        _move(view, start + QPoint(0, 37 * step))
    assert scene.nodes[b].pos() == QPointF(400, 0)
    shown = _screen(view)
    fresh = _fresh(view, scene)
    assert _same(shown, fresh), f"differs by up to {_difference(shown, fresh)} levels"
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=start)
