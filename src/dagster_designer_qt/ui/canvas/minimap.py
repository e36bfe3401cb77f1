"""Minimap: the whole graph in a small overlay at the canvas's bottom-right corner, with the visible area
outlined. Click or drag in it to move the view there.

The graph picture (the scene's overview data: boxes in their category colours, problem outlines) is
rendered once into a pixmap and redrawn only when the graph changes (coalesced to one redraw per event-loop
turn); panning and zooming only move the outline drawn on top.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QWidget

SIZE = QSize(220, 150)  # at most; a third of a small canvas at most
MARGIN = 12  # from the viewport's edges
PAD = 6.0  # inside the minimap, around the graph


class Minimap(QWidget):
    def __init__(self, view):
        # A child of the viewport (a sibling over it would cost Qt's accelerated scrolling: every pan frame
        # would repaint the whole canvas); the view puts it back in its corner after each scroll.
        super().__init__(view.viewport())
        self.view = view
        self.scene = view.graph_scene
        self.setObjectName("minimap")
        self.setAccessibleName("Minimap")
        self.setToolTip("Minimap: click or drag to move the view")
        self.resize(SIZE)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self._pixmap: QPixmap | None = None
        self._transform: tuple[float, float, float] | None = None  # scale, dx, dy: scene -> minimap
        self._dirty = QTimer(self)
        self._dirty.setSingleShot(True)
        self._dirty.setInterval(0)
        self._dirty.timeout.connect(self._rerender)
        self.scene.overview_changed.connect(self.mark_dirty)
        view.horizontalScrollBar().valueChanged.connect(self._view_moved)
        view.verticalScrollBar().valueChanged.connect(self._view_moved)
        view.zoom_changed.connect(self._view_moved)
        view.viewport().installEventFilter(self)

    # ------------------------------------------------------------ state
    def mark_dirty(self) -> None:
        if self.view.interaction() is not None and self._pixmap is not None:
            return  # items move live during a drag; the model's move on release redraws the map once
        self._pixmap = None
        self._transform = None
        if self.isVisible():
            self._dirty.start()

    def _view_moved(self, *_args) -> None:
        if self.isVisible():
            self.update()

    def place(self) -> None:
        vp = self.view.viewport().rect()
        width = max(100, min(SIZE.width(), vp.width() // 3))
        size = QSize(width, round(width * SIZE.height() / SIZE.width()))
        if size != self.size():
            self.resize(size)
            self.mark_dirty()
        self.move(vp.right() - self.width() - MARGIN + 1, vp.bottom() - self.height() - MARGIN + 1)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if event.type() == event.Type.Resize:
            self.place()
        return False

    def showEvent(self, event) -> None:  # noqa: N802
        self.place()
        self.raise_()
        if self._pixmap is None:
            self._dirty.start()
        super().showEvent(event)

    # ------------------------------------------------------------ geometry
    def graph_rect(self) -> QRectF:
        rect = self.scene.nodes_rect()
        return QRectF(0, 0, 800, 600) if rect.isNull() else rect.adjusted(-60, -60, 60, 60)

    def _xf(self) -> tuple[float, float, float]:
        if self._transform is None:
            self._fit()
        return self._transform

    def _fit(self) -> None:
        rect = self.graph_rect()
        w, h = self.width() - 2 * PAD, self.height() - 2 * PAD
        scale = min(w / rect.width(), h / rect.height())
        dx = PAD + (w - rect.width() * scale) / 2 - rect.left() * scale
        dy = PAD + (h - rect.height() * scale) / 2 - rect.top() * scale
        self._transform = (scale, dx, dy)

    def to_scene(self, pos: QPointF) -> QPointF:
        scale, dx, dy = self._xf()
        return QPointF((pos.x() - dx) / scale, (pos.y() - dy) / scale)

    def to_minimap(self, rect: QRectF) -> QRectF:
        scale, dx, dy = self._xf()
        return QRectF(rect.left() * scale + dx, rect.top() * scale + dy, rect.width() * scale,
                      rect.height() * scale)

    # ------------------------------------------------------------ painting
    def _rerender(self) -> None:
        self._fit()
        dpr = self.devicePixelRatioF()
        pixmap = QPixmap(self.size() * dpr)
        pixmap.setDevicePixelRatio(dpr)
        st = self.scene.style
        c = st.colors
        pixmap.fill(QColor(c.background))
        painter = QPainter(pixmap)
        scale, dx, dy = self._transform
        painter.translate(dx, dy)
        painter.scale(scale, scale)
        self.scene.draw_overview(painter, scale)
        painter.end()
        self._pixmap = pixmap
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        if self._pixmap is None:
            self._rerender()
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self._pixmap)
        c = self.scene.style.colors
        visible = self.view.mapToScene(self.view.viewport().rect()).boundingRect()
        frame = self.to_minimap(visible).intersected(QRectF(self.rect()).adjusted(1, 1, -1, -1))
        selection = QColor(c.selection)
        fill = QColor(selection)
        fill.setAlpha(40)
        painter.setPen(QPen(selection, 1.5))
        painter.setBrush(fill)
        painter.drawRect(frame)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QColor(c.node_border), 1))
        painter.drawRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5))
        painter.end()

    # ------------------------------------------------------------ mouse
    def mousePressEvent(self, event) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self.view.centerOn(self.to_scene(event.position()))
            event.accept()

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        if event.buttons() & Qt.MouseButton.LeftButton:
            self.view.centerOn(self.to_scene(event.position()))
            event.accept()
