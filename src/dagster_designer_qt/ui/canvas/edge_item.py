"""One custom-painted item per edge: a cubic curve from an output port to an input port, with an arrow."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainter, QPainterPath, QPainterPathStroker
from PySide6.QtWidgets import QGraphicsItem

from dagster_designer_qt.ui.canvas import style as S


def curve(p1: QPointF, p2: QPointF) -> QPainterPath:
    dx = max(40.0, abs(p2.x() - p1.x()) * 0.5)
    path = QPainterPath(p1)
    path.cubicTo(QPointF(p1.x() + dx, p1.y()), QPointF(p2.x() - dx, p2.y()), p2)
    return path


SELECTABLE = QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
OUT_X, OUT_Y = S.OUT_PORT.x(), S.OUT_PORT.y()
IN_X, IN_Y = S.IN_PORT.x(), S.IN_PORT.y()


class EdgeItem(QGraphicsItem):
    style: S.CanvasStyle = None
    TYPE = QGraphicsItem.UserType + 2

    def __init__(self, edge_id: str, source, target):
        super().__init__()
        self.edge_id = edge_id
        self.source = source
        self.target = target
        self._path: QPainterPath | None = None  # built on first paint/shape
        self._shape: QPainterPath | None = None
        self._arrow = None  # the arrow head's polygon at the target port (made with the path)
        self.setFlags(SELECTABLE)
        self._rect = self._compute_rect()

    def _compute_rect(self) -> QRectF:
        """The curve's control-point box, by arithmetic (no path needed)."""
        s, t = self.source, self.target
        x1, y1 = s.x() + OUT_X, s.y() + OUT_Y
        x2, y2 = t.x() + IN_X, t.y() + IN_Y
        dx = max(40.0, abs(x2 - x1) * 0.5)
        left = min(x1, x2 - dx)
        right = max(x2, x1 + dx)
        top, bottom = (y1, y2) if y1 < y2 else (y2, y1)
        return QRectF(left - 10, top - 10, right - left + 20, bottom - top + 20)

    def type(self) -> int:  # noqa: A003
        return self.TYPE

    def update_geometry(self) -> None:
        self.prepareGeometryChange()
        self._path = None
        self._shape = None
        self._arrow = None
        self._rect = self._compute_rect()

    def path(self) -> QPainterPath:
        if self._path is None:
            end = self.target.pos() + S.IN_PORT
            self._path = curve(self.source.pos() + S.OUT_PORT, end)
            self._arrow = self.style.arrow.translated(end - QPointF(S.PORT_R, 0))
        return self._path

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._rect

    def shape(self) -> QPainterPath:
        if self._shape is None:
            stroker = QPainterPathStroker()
            stroker.setWidth(10.0)
            self._shape = stroker.createStroke(self.path())
        return self._shape

    def paint(self, painter: QPainter, option, widget=None) -> None:
        st = self.style
        selected = self.isSelected()  # cheaper than testing option.state's enum flags in Python
        painter.setPen(st.edge_selected_pen if selected else st.edge_pen)
        painter.setBrush(st.no_brush)
        painter.drawPath(self._path if self._path is not None else self.path())
        if painter.worldTransform().m11() >= S.LOD_PORTS:  # the view only scales and translates
            painter.setBrush(st.edge_selected_brush if selected else st.edge_brush)
            painter.drawPolygon(self._arrow)
