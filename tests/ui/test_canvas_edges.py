"""Edges drawn in batches by the scene (GraphScene._draw_edges): only the piece of each curve inside the
exposed rect, at the right place, in the selection colour when selected, repainted where they were and
where they are after a move, a selection change or a removal; still hit-testable items."""

from __future__ import annotations

import math

import pytest
from canvas_setup import shown_canvas
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath

from dagster_designer_qt.ui.canvas import style as S
from dagster_designer_qt.ui.canvas.edge_item import curve, visible_part
from dagster_designer_qt.ui.canvas.scene import GraphScene

FUNCTION = "dagster.FunctionComponent"


# ------------------------------------------------------------------ geometry
def _bezier(p, t):
    x0, y0, x1, y1, x2, y2, x3, y3 = p
    u = 1 - t
    return (u ** 3 * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t ** 3 * x3,
            u ** 3 * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t ** 3 * y3)


def _dense(path: QPainterPath, count: int = 4000) -> list[tuple[float, float]]:
    return [(p.x(), p.y()) for p in (path.pointAtPercent(i / count) for i in range(count + 1))]


CASES = [  # (x1, y1, x2, y2): forward, backward (target left of source), flat, steep
    (220, 36, 800, 2036), (900, 500, 100, -300), (0, 50, 600, 50), (10, 0, 30, 5000)]


@pytest.mark.parametrize("x1,y1,x2,y2", CASES)
def test_visible_part_is_the_piece_of_the_curve_inside_the_band(x1, y1, x2, y2):
    dx = max(40.0, abs(x2 - x1) * 0.5)
    full = _dense(curve(QPointF(x1, y1), QPointF(x2, y2)))
    lo, hi = min(y1, y2), max(y1, y2)
    for top, bottom in ((lo - 100, hi + 100), (lo + (hi - lo) * 0.3, lo + (hi - lo) * 0.6), (lo - 5, lo + 5)):
        part = visible_part(x1, y1, x2, y2, dx, -1e9, top, 1e9, bottom)
        assert part is not None
        ends = sorted((part[1], part[7]))
        assert ends[0] == pytest.approx(max(top, lo), abs=1e-6) or y1 == y2
        assert ends[1] == pytest.approx(min(bottom, hi), abs=1e-6) or y1 == y2
        for i in range(11):  # every point of the piece lies on the full curve
            px, py = _bezier(part, i / 10)
            assert min(math.hypot(px - qx, py - qy) for qx, qy in full) < 2.0


def test_visible_part_is_none_when_the_curve_misses_the_rect():
    x1, y1, x2, y2 = 220.0, 36.0, 800.0, 2036.0
    dx = max(40.0, abs(x2 - x1) * 0.5)
    assert visible_part(x1, y1, x2, y2, dx, -1e9, 2100, 1e9, 2200) is None  # below it
    assert visible_part(x1, y1, x2, y2, dx, -1e9, -300, 1e9, -100) is None  # above it
    # At the start the curve is still near x1: a rect far right of it at that height misses it,
    # although the rect lies inside the curve's bounding box.
    assert visible_part(x1, y1, x2, y2, dx, 700, 40, 800, 60) is None
    assert visible_part(x1, y1, x2, y2, dx, 200, 40, 300, 60) is not None


# ------------------------------------------------------------------ painting
class RecordingScene(GraphScene):
    """Records the scene rects the view asks to repaint (what the user would see change)."""

    def __init__(self, *args):
        self.exposed: list[QRectF] = []
        self.regions: list[QRectF] = []  # the rects of the painted regions (``exposed`` holds their boxes)
        super().__init__(*args)

    def drawBackground(self, painter, rect):  # noqa: N802
        self.exposed.append(QRectF(rect))
        clip = painter.paintEngine().systemClip()
        to_scene = painter.deviceTransform().inverted()[0]
        self.regions.extend(to_scene.mapRect(QRectF(r)) for r in clip) if not clip.isEmpty() else \
            self.regions.append(QRectF(rect))
        super().drawBackground(painter, rect)


@pytest.fixture
def canvas(qtbot):
    document, scene, view = shown_canvas(qtbot, scene_class=RecordingScene, size=(1000, 700))
    a = document.add_node(FUNCTION, 0, 0)
    b = document.add_node(FUNCTION, 600, 0)
    document.add_node(FUNCTION, 0, 500)  # keeps the scene rect when `a` moves down
    edge_id = document.connect(a, b)
    view.reset_zoom()
    view.centerOn(QPointF(400, 250))
    qtbot.wait(1)
    return document, scene, view, a, b, edge_id


def _render(view) -> QImage:
    image = QImage(view.viewport().size(), QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    view.render(painter)
    painter.end()
    return image


def _distance(rgb: int, color: QColor) -> int:
    c = QColor.fromRgb(rgb)
    return abs(c.red() - color.red()) + abs(c.green() - color.green()) + abs(c.blue() - color.blue())


def _near(image: QImage, view, scene_pt: QPointF, color: QColor, tolerance: int = 60) -> bool:
    """Some pixel within 2 px of scene_pt is close to color."""
    p = view.mapFromScene(scene_pt)
    return any(_distance(image.pixel(p.x() + i, p.y() + j), color) <= tolerance
               for i in range(-2, 3) for j in range(-2, 3))


def _drawn(image: QImage, view, scene_pt: QPointF, background: QColor) -> bool:
    """Something clearly not background (nor a grid line) within 2 px of scene_pt: a width-1 curve is
    anti-aliased over two pixel rows, so its pixels are a blend of its colour and the background's."""
    return _near(image, view, scene_pt, background, 100) and any(
        _distance(image.pixel(p.x() + i, p.y() + j), background) > 100
        for p in [view.mapFromScene(scene_pt)] for i in range(-2, 3) for j in range(-2, 3))


def test_edges_drawn_in_batch_show_their_curve_arrow_and_selection(canvas):
    document, scene, view, a, b, edge_id = canvas
    item = scene.edges[edge_id]
    colors = scene.style.colors
    mid = QPointF(410, S.H / 2)  # on the (straight) curve between the ports, off the grid lines
    off = QPointF(410, S.H / 2 + 13)  # beside it
    arrow = QPointF(600 - S.PORT_R - 4, S.H / 2)  # inside the arrow head, left of the target port
    background = QColor(colors.background)
    image = _render(view)
    assert _drawn(image, view, mid, background)
    assert not _drawn(image, view, off, background)
    assert _near(image, view, arrow, QColor(colors.edge), 30)
    assert not _near(image, view, mid, QColor(colors.edge_selected), 30)

    item.setSelected(True)
    image = _render(view)
    assert _near(image, view, mid, QColor(colors.edge_selected), 30)
    assert _near(image, view, arrow, QColor(colors.edge_selected), 30)


def test_two_edges_into_one_node_show_a_filled_arrow_head(canvas):
    document, scene, view, a, b, edge_id = canvas
    other = document.add_node(FUNCTION, 0, -200)
    document.connect(other, b)  # its arrow head is drawn at the same place as a -> b's
    image, colour = _render(view), QColor(scene.style.colors.edge)
    corner = view.mapFromScene(QPointF(600 - S.PORT_R - 9, S.H / 2 - 4.5))  # the head's 9 x 9 box
    filled = sum(_distance(image.pixel(corner.x() + i, corner.y() + j), colour) < 60
                 for i in range(10) for j in range(10))
    assert filled >= 35  # a filled triangle (~45 pixels), not its outline and the curve's line (~23)


def test_a_removed_edge_is_no_longer_drawn(canvas, qtbot):
    document, scene, view, a, b, edge_id = canvas
    mid = QPointF(410, S.H / 2)
    background = QColor(scene.style.colors.background)
    assert _drawn(_render(view), view, mid, background)
    qtbot.wait(20)
    scene.exposed.clear()
    document.delete([], [edge_id])
    assert edge_id not in scene.edges
    qtbot.waitUntil(lambda: any(r.contains(mid) for r in scene.exposed))
    assert not _drawn(_render(view), view, mid, background)


def test_moving_a_node_repaints_its_edges_where_they_were_and_where_they_are(canvas, qtbot):
    document, scene, view, a, b, edge_id = canvas
    old_mid = scene.edges[edge_id].path().pointAtPercent(0.5)
    qtbot.wait(20)
    scene.exposed.clear()
    document.move_nodes({a: (0, 300)})
    new_mid = scene.edges[edge_id].path().pointAtPercent(0.5)
    assert new_mid.y() > old_mid.y() + 100
    # The node's own boxes are at x < 240: only the edge's invalidation reaches its middle.
    qtbot.waitUntil(lambda: any(r.contains(old_mid) for r in scene.exposed)
                    and any(r.contains(new_mid) for r in scene.exposed))
    image = _render(view)
    background = QColor(scene.style.colors.background)
    assert _drawn(image, view, new_mid, background)
    assert not _drawn(image, view, QPointF(410, S.H / 2), background)


def test_moving_a_node_repaints_its_edge_along_the_curve_not_the_curves_box(canvas, qtbot):
    """A tall S-shaped edge's box is mostly empty: repainting it made a one-node drag repaint most of the
    window (issue 19). Only boxes along the curve (and the nodes) are repainted."""
    document, scene, view, a, b, edge_id = canvas
    qtbot.wait(20)
    scene.regions.clear()
    document.move_nodes({a: (0, 560)})  # the edge now runs from (220, 596) up to (600, 36)
    item = scene.edges[edge_id]
    box = item.boundingRect()
    empty = QPointF(260, 110)  # inside the edge's box, far from the curve and from the nodes
    assert box.contains(empty) and item.path().boundingRect().contains(empty)
    assert not item.shape().contains(empty)
    points = [item.path().pointAtPercent(i / 10) for i in range(11)]
    qtbot.waitUntil(lambda: all(any(r.contains(p) for r in scene.regions) for p in points))
    assert not any(r.contains(empty) for r in scene.regions)
    assert _drawn(_render(view), view, item.path().pointAtPercent(0.5), QColor(scene.style.colors.background))


def test_a_group_frame_is_drawn_beneath_the_edges_inside_it(canvas):
    """Edges are drawn by the scene's background: a folder's frame (tint and border) must be drawn
    before them, not over them as an item above the background."""
    from dagster_designer_qt.ui.canvas.group_item import GroupItem

    document, scene, view, a, b, edge_id = canvas
    scene.edges[edge_id].setSelected(True)  # 2.6 px wide: its middle pixels are its own colour
    colour = QColor(scene.style.colors.edge_selected)
    background = QColor(scene.style.colors.background)
    mid, inside = QPointF(410, S.H / 2), QPointF(410, 150)

    def edge_pixel_untouched(image) -> bool:
        p = view.mapFromScene(mid)
        return any(_distance(image.pixel(p.x() + i, p.y() + j), colour) <= 2 for i in range(-2, 3)
                   for j in range(-2, 3))

    assert edge_pixel_untouched(_render(view))
    frame = GroupItem("folder")
    scene.addItem(frame)
    scene.group_frames.items["folder"] = frame
    frame.set_rect(QRectF(300, -100, 300, 350))  # around the edge's middle
    image = _render(view)
    p = view.mapFromScene(inside)
    assert _distance(image.pixel(p), background) > 10  # the frame's tint is there
    assert edge_pixel_untouched(image)  # and the edge is drawn over it


def test_a_pan_frame_draws_edges_rect_by_rect_where_the_region_really_is(canvas, qtbot, monkeypatch):
    """A pan frame exposes a strip and the sliver the minimap uncovers: edges are gathered per rect of
    that region, mapped from the window's device pixels to the scene; a wrong mapping would leave the
    strip without its edges."""
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    from dagster_designer_qt.ui.canvas import scene as scene_module

    document, scene, view, a, b, edge_id = canvas
    window = QWidget()  # the canvas away from the window's corner, as in the main window (docks, toolbar)
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    layout.setContentsMargins(70, 50, 0, 0)
    layout.addWidget(view)
    window.resize(1070, 750)
    window.show()
    qtbot.waitExposed(window)
    try:
        _check_pan_frame_rects(view, qtbot, monkeypatch, scene_module)
    finally:
        view.setParent(None)  # the fixture owns the view: the window must not delete it


def _check_pan_frame_rects(view, qtbot, monkeypatch, scene_module) -> None:
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QApplication

    seen = []
    real = scene_module.exposed_rects
    monkeypatch.setattr(scene_module, "exposed_rects", lambda p, r: seen.append(real(p, r)) or seen[-1])
    qtbot.waitUntil(lambda: view.minimap.isVisible() and bool(seen))  # the first full frame is painted
    QApplication.processEvents()
    seen.clear()
    bar = view.horizontalScrollBar()
    bar.setValue(bar.value() + 40)  # the view scrolls its pixels: only the right strip (and the sliver)
    qtbot.waitUntil(lambda: bool(seen))
    rects = seen[-1]
    assert len(rects) >= 2  # the strip and the minimap's sliver, not their bounding box
    vp = view.viewport().rect()
    minimap = view.minimap.geometry()
    for y in range(vp.top() + 5, vp.bottom(), 37):
        for x in (vp.right() - 35, vp.right() - 5):
            if minimap.adjusted(-1, -1, 1, 1).contains(x, y):
                continue
            point = view.mapToScene(x, y)
            assert any(r.contains(point) for r in rects), (x, y)
    middle = view.mapToScene(QRect(vp.width() // 3, vp.height() // 3, 10, 10)).boundingRect()
    assert not any(r.intersects(middle) for r in rects)  # the middle of the view was scrolled, not drawn


def test_selecting_an_edge_repaints_it(canvas, qtbot):
    document, scene, view, a, b, edge_id = canvas
    mid = QPointF(410, S.H / 2)
    qtbot.wait(20)
    scene.exposed.clear()
    scene.edges[edge_id].setSelected(True)
    qtbot.waitUntil(lambda: any(r.contains(mid) for r in scene.exposed))
    scene.exposed.clear()
    scene.clearSelection()
    qtbot.waitUntil(lambda: any(r.contains(mid) for r in scene.exposed))


def test_dragging_a_node_with_the_mouse_keeps_its_edge_clickable(canvas, qtbot):
    document, scene, view, a, b, edge_id = canvas
    start = view.mapFromScene(QPointF(100, 30))
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 6):
        qtbot.mouseMove(view.viewport(), start + (view.mapFromScene(QPointF(0, 40 * step))
                                                  - view.mapFromScene(QPointF(0, 0))))
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton,
                       pos=start + (view.mapFromScene(QPointF(0, 200)) - view.mapFromScene(QPointF(0, 0))))
    assert document.graph.node(a).y == pytest.approx(200, abs=2)
    mid = scene.edges[edge_id].path().pointAtPercent(0.5)
    scene.clearSelection()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(mid))
    assert scene.selected_edge_ids() == [edge_id]
    assert _near(_render(view), view, mid, QColor(scene.style.colors.edge_selected), 30)


def test_canvas_has_no_scroll_bars_and_shift_wheel_still_scrolls(canvas, qtbot):
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    document, scene, view, *_ = canvas
    assert not view.horizontalScrollBar().isVisible() and not view.verticalScrollBar().isVisible()
    h, v = view.horizontalScrollBar(), view.verticalScrollBar()
    before, zoom = (h.value(), v.value()), view.zoom()
    pos = QPointF(view.viewport().rect().center())
    event = QWheelEvent(pos, QPointF(view.viewport().mapToGlobal(pos.toPoint())), QPoint(0, 0), QPoint(0, -120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.ShiftModifier, Qt.ScrollPhase.NoScrollPhase,
                        False)
    QApplication.sendEvent(view.viewport(), event)
    assert view.zoom() == zoom
    assert (h.value(), v.value()) != before  # Qt turns Shift+wheel into a horizontal or a page scroll


def test_dragging_many_nodes_repaints_all_their_edges(canvas, qtbot):
    """More than MANY_EDGES moving edges are repainted as one box: every edge's new place is exposed."""
    from dagster_designer_qt.ui.canvas.interactions import MANY_EDGES

    document, scene, view, *_ = canvas
    ids = [document.add_node(FUNCTION, 0, 100 + 30 * i) for i in range(MANY_EDGES + 4)]
    far = [document.add_node(FUNCTION, 1400, 100 + 30 * i) for i in range(MANY_EDGES + 4)]
    for a, b in zip(ids, far):  # the edges' middles lie far from the dragged nodes' own boxes
        document.connect(a, b)
    moved = [e for e in scene.edges.values() if e.source.node_id in ids]
    assert len(moved) > MANY_EDGES
    view.set_zoom(0.5)
    view.centerOn(QPointF(700, 400))
    document.set_selection(ids)
    qtbot.wait(20)
    grab = view.mapFromScene(scene.nodes[ids[0]].pos() + QPointF(100, 30))
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=grab)
    scene.exposed.clear()
    qtbot.mouseMove(view.viewport(), grab + view.mapFromScene(QPointF(0, 60)) - view.mapFromScene(QPointF(0, 0)))
    mids = [e.path().pointAtPercent(0.5) for e in moved]
    qtbot.waitUntil(lambda: all(any(r.contains(m) for r in scene.exposed) for m in mids))
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton,
                       pos=grab + view.mapFromScene(QPointF(0, 60)) - view.mapFromScene(QPointF(0, 0)))
    assert document.graph.node(ids[0]).y == pytest.approx(100 + 60, abs=3)
