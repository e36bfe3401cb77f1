"""Pens, brushes, fonts, paths and pixmaps shared by every canvas item (built once per theme)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainterPath, QPen, QPixmap, QPolygonF

from dagster_designer_qt.core.layout import NODE_HEIGHT, NODE_WIDTH
from dagster_designer_qt.ui import resources
from dagster_designer_qt.ui.theme import LIGHT_CANVAS, CanvasColors, category_color

W = NODE_WIDTH
H = NODE_HEIGHT
RADIUS = 8.0
PORT_R = 6.0
PORT_HIT = 14.0  # how close to a port centre a press counts as "on the port"
ICON = 28.0
PAD = 10.0  # bounding-rect margin: ports, badge, selection outline
BODY = QRectF(0, 0, W, H)
BOUNDS = QRectF(-PAD, -PAD, W + 2 * PAD, H + 2 * PAD)
IN_PORT = QPointF(0, H / 2)
OUT_PORT = QPointF(W, H / 2)
TEXT_X = 52.0
TEXT_W = W - TEXT_X - 12.0
BADGE_CENTER = QPointF(W - 2, 2)
BADGE_R = 9.0

# Levels of detail (on-screen pixels per scene unit). From LOD_TEXT up a node shows icon, label, type and
# ports. Between LOD_FAR_TEXT and LOD_TEXT it shows only its label, in a bigger font so that it stays
# 9-12 px on screen: FAR_LABEL_PX[0] scene pixels from LOD_FAR_SWITCH up (11.7 px at 45 %, 9.1 px at 35 %),
# FAR_LABEL_PX[1] below (10 px at 25 %), elided to the body's width. Below LOD_FAR_TEXT nodes
# are flat boxes in their category colour, outlined when they have problems; below OVERVIEW_LOD graphs of
# OVERVIEW_MIN_NODES or more switch to the scene's overview drawing (the same picture, in a few calls).
LOD_TEXT = 0.5
LOD_PORTS = 0.3
LOD_FAR_TEXT = 0.2
LOD_FAR_SWITCH = 0.35
FAR_LABEL_PX = (26, 40)
FAR_TEXT_W = W - 2 * 12.0
OVERVIEW_LOD = 0.2
OVERVIEW_MIN_NODES = 300


def _accent_path() -> QPainterPath:
    body = QPainterPath()
    body.addRoundedRect(BODY, RADIUS, RADIUS)
    strip = QPainterPath()
    strip.addRect(QRectF(0, 0, 5, H))
    return body.intersected(strip)


class CanvasStyle:
    def __init__(self, colors: CanvasColors = LIGHT_CANVAS, device_pixel_ratio: float = 2.0):
        self.colors = colors
        self.dpr = max(1.0, device_pixel_ratio)
        c = colors
        self.background = QColor(c.background)
        self.grid_minor_pen = QPen(QColor(c.grid_minor), 0)
        self.grid_major_pen = QPen(QColor(c.grid_major), 0)
        self.fill_brush = QBrush(QColor(c.node_fill))
        self.border_pen = QPen(QColor(c.node_border), 1.2)
        self.selected_pen = QPen(QColor(c.selection), 2.4)
        self.missing_pen = QPen(QColor(c.missing), 1.6, Qt.PenStyle.DashLine)
        self.text_pen = QPen(QColor(c.node_text))
        self.subtext_pen = QPen(QColor(c.node_subtext))
        self.missing_text_pen = QPen(QColor(c.missing))
        # Width 1 takes the raster engine's fast anti-aliased line path (30x faster than 1.6 on long curves)
        self.edge_pen = QPen(QColor(c.edge), 1.0)
        self.edge_pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        self.edge_selected_pen = QPen(QColor(c.edge_selected), 2.6)
        self.no_brush = QBrush()
        self.edge_brush = QBrush(QColor(c.edge))
        self.edge_selected_brush = QBrush(QColor(c.edge_selected))
        self.port_pen = QPen(QColor(c.port_border), 1.4)
        self.port_brush = QBrush(QColor(c.port_fill))
        self.port_hot_brush = QBrush(QColor(c.selection))
        self.error_brush = QBrush(QColor(c.error))
        self.warning_brush = QBrush(QColor(c.warning))
        self.badge_pen = QPen(QColor("#FFFFFF"), 1.8)
        self.overview_brush = QBrush(QColor(c.overview_node))
        self.overview_selected_brush = QBrush(QColor(c.selection))
        self.overview_edge_pen = QPen(QColor(c.edge), 0)
        # Cosmetic (screen-pixel) outlines: a node with problems stays visibly red/amber at any zoom.
        self.overview_error_pen = QPen(QColor(c.error), 1.6)
        self.overview_error_pen.setCosmetic(True)
        self.overview_warning_pen = QPen(QColor(c.warning), 1.6)
        self.overview_warning_pen.setCosmetic(True)
        self.temp_edge_pen = QPen(QColor(c.selection), 2.0, Qt.PenStyle.DashLine)
        self.label_font = QFont()
        self.label_font.setPointSizeF(10.0)
        self.label_font.setWeight(QFont.Weight.DemiBold)
        self.type_font = QFont()
        self.type_font.setPointSizeF(8.5)
        self.badge_font = QFont()
        self.badge_font.setPointSizeF(8.0)
        self.badge_font.setBold(True)
        self.far_fonts = []
        for px in FAR_LABEL_PX:
            font = QFont()
            font.setPixelSize(px)
            font.setWeight(QFont.Weight.DemiBold)
            self.far_fonts.append(font)
        self.far_metrics = [QFontMetricsF(f) for f in self.far_fonts]
        self.label_metrics = QFontMetricsF(self.label_font)
        self.type_metrics = QFontMetricsF(self.type_font)
        self.accent = _accent_path()
        self.arrow = QPolygonF([QPointF(0, 0), QPointF(-9, -4.5), QPointF(-9, 4.5)])
        self._accent_brushes: dict[str, QBrush] = {}
        self._pixmaps: dict[str, QPixmap] = {}

    def accent_brush(self, category: str) -> QBrush:
        brush = self._accent_brushes.get(category)
        if brush is None:
            color = QColor(self.colors.missing) if category == "\0missing" else category_color(category)
            brush = self._accent_brushes[category] = QBrush(color)
        return brush

    def icon_pixmap(self, icon_name: str) -> QPixmap:
        pixmap = self._pixmaps.get(icon_name)
        if pixmap is None:
            size = int(ICON * self.dpr)
            pixmap = resources.icon(icon_name).pixmap(QSize(size, size))
            pixmap.setDevicePixelRatio(self.dpr)
            self._pixmaps[icon_name] = pixmap
        return pixmap
