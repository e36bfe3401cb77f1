"""Edges: one item per edge for hit tests, selection and tooltips; drawn in batches by the scene.

An ``EdgeItem`` has no contents of its own (``ItemHasNoContents``: Qt never calls a Python ``paint()`` for
it). The scene draws every edge crossing an exposed rect in its ``drawBackground`` with one ``drawPath``
per pen, and only the part of each curve inside that rect (``visible_part``). Because Qt does not repaint
a content-less item when it moves or changes selection, the item and the scene invalidate it
themselves (``EdgeItem.repaint``: a few boxes along the curve, not its bounding box; called by
``update_geometry``, the scene's selection handler, edge added/removed).
"""

from __future__ import annotations

import math
from itertools import zip_longest

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainterPath, QPainterPathStroker
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem

from dagster_designer_qt.ui.canvas import style as S


def curve(p1: QPointF, p2: QPointF) -> QPainterPath:
    dx = max(40.0, abs(p2.x() - p1.x()) * 0.5)
    path = QPainterPath(p1)
    path.cubicTo(QPointF(p1.x() + dx, p1.y()), QPointF(p2.x() - dx, p2.y()), p2)
    return path


def visible_part(x1: float, y1: float, x2: float, y2: float, dx: float,
                 left: float, top: float, right: float, bottom: float):
    """The piece of ``curve((x1, y1), (x2, y2))`` between heights ``top`` and ``bottom``, as its four
    Bézier control points (x0, y0, x1, y1, x2, y2, x3, y3), or None when that piece lies outside
    ``left``..``right`` (or the curve misses the band).

    The curve's control points are (x1, y1), (x1 + dx, y1), (x2 - dx, y2), (x2, y2), so its height is
    y1 + (y2 - y1)·s(t) with s the smoothstep 3t² − 2t³: monotonic, with the closed-form inverse
    t = ½ − sin(asin(1 − 2s) / 3). The piece's control points bound it, so they decide the horizontal test.
    Drawing only the piece keeps a long edge that merely crosses a small exposed rect cheap to stroke.
    """
    cx1, cx2 = x1 + dx, x2 - dx
    h = y2 - y1
    ta, tb = 0.0, 1.0
    if h != 0.0:
        sa, sb = (top - y1) / h, (bottom - y1) / h
        if sa > sb:
            sa, sb = sb, sa
        if sb <= 0.0 or sa >= 1.0:
            return None
        if sa > 0.0:
            ta = 0.5 - math.sin(math.asin(1.0 - 2.0 * sa) / 3.0)
        if sb < 1.0:
            tb = 0.5 - math.sin(math.asin(1.0 - 2.0 * sb) / 3.0)
    elif not top <= y1 <= bottom:
        return None
    if cx1 <= cx2:
        # x grows with t (x1 < x1 + dx <= x2 - dx < x2), so the piece spans exactly x(ta)..x(tb): most
        # candidates of a pan strip (tall edges whose box crosses it) are refused here, without a split.
        u = 1.0 - tb
        if u * u * u * x1 + 3.0 * u * tb * (u * cx1 + tb * cx2) + tb * tb * tb * x2 < left:
            return None
        u = 1.0 - ta
        if u * u * u * x1 + 3.0 * u * ta * (u * cx1 + ta * cx2) + ta * ta * ta * x2 > right:
            return None
    if ta == 0.0 and tb == 1.0:
        p = (x1, y1, cx1, y1, cx2, y2, x2, y2)
    else:
        p = _sub_bezier((x1, y1, cx1, y1, cx2, y2, x2, y2), ta, tb)
    xs = p[0::2]
    if max(xs) < left or min(xs) > right:
        return None
    return p


def _split(p, u: float):
    """The cubic ``p`` split at ``u`` (de Casteljau): the control points of its [0, u] and [u, 1] parts."""
    x0, y0, x1, y1, x2, y2, x3, y3 = p
    ax, ay = x0 + (x1 - x0) * u, y0 + (y1 - y0) * u
    bx, by = x1 + (x2 - x1) * u, y1 + (y2 - y1) * u
    cx, cy = x2 + (x3 - x2) * u, y2 + (y3 - y2) * u
    dx_, dy_ = ax + (bx - ax) * u, ay + (by - ay) * u
    ex, ey = bx + (cx - bx) * u, by + (cy - by) * u
    fx, fy = dx_ + (ex - dx_) * u, dy_ + (ey - dy_) * u
    return (x0, y0, ax, ay, dx_, dy_, fx, fy), (fx, fy, ex, ey, cx, cy, x3, y3)


def _sub_bezier(p, ta: float, tb: float):
    """Control points of the cubic ``p`` restricted to ta..tb (two de Casteljau splits)."""
    if tb < 1.0:  # keep [0, tb]
        p = _split(p, tb)[0]
    if ta > 0.0:  # keep [ta / tb, 1] of what is left
        p = _split(p, ta / tb)[1]
    return tuple(p)


PIECE = 200.0  # scene units: a curve is repainted as pieces about this long (at most MAX_PIECES)
MAX_PIECES = 8
PAD = 6.0  # around a piece's box: half the widest pen (2.6) and antialiasing, with room to spare
ARROW_BOX = (-S.PORT_R - 9.0 - PAD, -4.5 - PAD, 9.0 + 2 * PAD, 9.0 + 2 * PAD)  # the arrow head, from (x2, y2)


def curve_boxes(x1: float, y1: float, x2: float, y2: float, dx: float) -> list[QRectF]:
    """Boxes that together cover the curve ``visible_part`` draws (and its arrow head): the control-point
    boxes of a few consecutive pieces of it. Repainting these instead of the curve's box keeps a moved
    long edge from repainting most of the window (a tall S-curve's box is mostly empty)."""
    n = max(1, min(MAX_PIECES, math.ceil(max(abs(x2 - x1) + dx, abs(y2 - y1)) / PIECE)))
    rest = (x1, y1, x1 + dx, y1, x2 - dx, y2, x2, y2)
    boxes = []
    for i in range(n):
        if i < n - 1:
            piece, rest = _split(rest, 1.0 / (n - i))
        else:
            piece = rest
        xs, ys = piece[0::2], piece[1::2]
        left, top = min(xs) - PAD, min(ys) - PAD
        boxes.append(QRectF(left, top, max(xs) + PAD - left, max(ys) + PAD - top))
    ax, ay, aw, ah = ARROW_BOX
    boxes.append(QRectF(x2 + ax, y2 + ay, aw, ah))
    return boxes


SELECTABLE = QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
NO_CONTENTS = QGraphicsItem.GraphicsItemFlag.ItemHasNoContents
OUT_X, OUT_Y = S.OUT_PORT.x(), S.OUT_PORT.y()
IN_X, IN_Y = S.IN_PORT.x(), S.IN_PORT.y()


class EdgeItem(QGraphicsRectItem):
    """A rect item (its rect: the curve's box) so that ``boundingRect`` is Qt's own C++: every query of
    the scene's index calls it for each candidate, and a Python override made the ~400 candidates of a
    20k-node pan frame ~400 calls into Python."""

    style: S.CanvasStyle = None
    TYPE = QGraphicsItem.UserType + 2
    # Slots, not an instance __dict__ (~270 bytes per edge, measured with tracemalloc).
    __slots__ = ("edge_id", "source", "target", "_shape", "ends", "_rect")

    def __init__(self, edge_id: str, source, target):
        super().__init__()
        self.edge_id = edge_id
        self.source = source
        self.target = target
        self._shape: QPainterPath | None = None  # made on the first hit test
        self.setFlags(SELECTABLE | NO_CONTENTS)
        self._compute()

    def _compute(self) -> None:
        """End points, control offset and the curve's control-point box, by arithmetic."""
        s, t = self.source, self.target
        x1, y1 = s.x() + OUT_X, s.y() + OUT_Y
        x2, y2 = t.x() + IN_X, t.y() + IN_Y
        dx = max(40.0, abs(x2 - x1) * 0.5)
        self.ends = (x1, y1, x2, y2, dx)
        left = min(x1, x2 - dx)
        right = max(x2, x1 + dx)
        top, bottom = (y1, y2) if y1 < y2 else (y2, y1)
        self._rect = QRectF(left - 10, top - 10, right - left + 20, bottom - top + 20)
        self.setRect(self._rect)

    def type(self) -> int:  # noqa: A003
        return self.TYPE

    def update_geometry(self, repaint: bool = True) -> None:
        """An end moved: re-index the item and repaint where the curve was and where it is now (Qt
        repaints neither for an item without contents). ``repaint=False``: the caller repaints
        (``edges_box``)."""
        scene = self.scene() if repaint else None
        before = curve_boxes(*self.ends) if scene is not None else None
        self.prepareGeometryChange()
        self._shape = None
        self._compute()
        if scene is not None:
            # A drag moves a curve by a few pixels: each piece's old and new boxes overlap, and one united
            # box each keeps the dirty region to a few rects (Qt's region splits overlapping boxes into
            # many thin bands, each a rect the scene's drawing then visits).
            after = curve_boxes(*self.ends)
            for old, new in zip_longest(before, after):
                if old is not None and new is not None and old.intersects(new):
                    scene.update(old.united(new))
                else:
                    for box in (old, new):
                        if box is not None:
                            scene.update(box)

    def repaint(self) -> None:
        """Invalidate the pieces of the scene the curve covers (``curve_boxes``), not its whole box."""
        scene = self.scene()
        if scene is not None:
            for box in curve_boxes(*self.ends):
                scene.update(box)

    def path(self) -> QPainterPath:
        x1, y1, x2, y2, _dx = self.ends
        return curve(QPointF(x1, y1), QPointF(x2, y2))

    def shape(self) -> QPainterPath:
        if self._shape is None:
            stroker = QPainterPathStroker()
            stroker.setWidth(10.0)
            self._shape = stroker.createStroke(self.path())
        return self._shape

    def paint(self, painter, option, widget=None) -> None:
        """Never called (ItemHasNoContents): the scene draws edges in batches (GraphScene._draw_edges)."""


def edges_box(edges) -> QRectF:
    """The box around the given edges' boxes (to repaint many moving edges with one update)."""
    left = top = math.inf
    right = bottom = -math.inf
    for edge in edges:
        r = edge._rect
        left, top = min(left, r.left()), min(top, r.top())
        right, bottom = max(right, r.right()), max(bottom, r.bottom())
    return QRectF() if left == math.inf else QRectF(left, top, right - left, bottom - top)
