"""The run badge: a pill at the node's bottom right with the state of its last run and the asset counts
(``✓ 3/3``, ``✗ 0/1``, ``◐ 1/2``, ``▶ running``, ``queued``…). NodeItem calls ``paint`` when its
``run_state`` is set (a ``services.run_state.NodeRunState``); everything shared is made once per state."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen

from dagster_designer_qt.ui.canvas import style as S

WIDTH = 64.0
HEIGHT = 18.0
RECT = QRectF(S.W - WIDTH - 8, S.H - HEIGHT / 2, WIDTH, HEIGHT)  # straddles the bottom edge

COLORS = {
    "queued": "#8A93A3", "running": "#2F6FEB", "succeeded": "#1E8E3E", "failed": "#D93025",
    "partial": "#E37400", "skipped": "#8A93A3", "cancelled": "#8A93A3",
}
GLYPHS = {"queued": "…", "running": "▶", "succeeded": "✓", "failed": "✗", "partial": "◐", "skipped": "–",
          "cancelled": "■"}

_brushes: dict[str, QBrush] = {}
_pen = QPen(QColor("#FFFFFF"), 1.2)
_text_pen = QPen(QColor("#FFFFFF"))
_font: QFont | None = None


def text_for(run_state) -> str:
    glyph = GLYPHS.get(run_state.state, "?")
    if run_state.state in ("queued", "running", "skipped", "cancelled") and not run_state.materialized:
        return f"{glyph} {run_state.state}"
    return f"{glyph} {run_state.materialized}/{run_state.total}"


def hit(local_pos: QPointF) -> bool:
    """Whether an item-local position is on the badge (a click there opens the node's run result)."""
    return RECT.adjusted(-2, -2, 2, 2).contains(local_pos)


def paint(painter: QPainter, run_state, lod: float) -> None:
    global _font
    brush = _brushes.get(run_state.state)
    if brush is None:
        brush = _brushes[run_state.state] = QBrush(QColor(COLORS.get(run_state.state, "#8A93A3")))
    painter.setPen(_pen)
    painter.setBrush(brush)
    painter.drawRoundedRect(RECT, HEIGHT / 2, HEIGHT / 2)
    if lod >= S.LOD_TEXT:
        if _font is None:
            _font = QFont()
            _font.setPointSizeF(7.5)
            _font.setBold(True)
        painter.setFont(_font)
        painter.setPen(_text_pen)
        painter.drawText(RECT, Qt.AlignmentFlag.AlignCenter, text_for(run_state))
