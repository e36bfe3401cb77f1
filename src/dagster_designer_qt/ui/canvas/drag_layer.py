"""While nodes are dragged, what does not move is painted once: the still layer of the canvas background.

A drag repaints, at every mouse move, the dragged nodes' old and new boxes and boxes along their edges.
Without this, each repaint draws the grid there, queries the scene's index for every edge crossing those
boxes (tall edges of a layered layout cross nearly all of them) and draws them, although none of them moves.
``StillLayer`` renders the background of the whole viewport once, on the drag's first repaint: background
colour, grid, folder frames and every edge except the moving ones, exactly as ``GraphScene.drawBackground``
draws them. Each later repaint copies the exposed part of that image and draws only the moving edges over
it (``GraphScene._draw_edges`` with them as its candidates). Nodes are items and are painted by Qt as
before.

The image is only valid for the painter it was made for: the same view, viewport size, transform (zoom and
scroll) and colours. Anything else (a drag that scrolls the view at its edge, a zoom, a render of the scene
elsewhere, the overview) paints the normal way, for the rest of the drag; a drag that scrolls the view at
its edge by whole pixels shifts the image and renders only the strip that came into view. When the drag ends the moving edges are repainted
once the normal way (``finish``), so the last frame is the same as a fresh render.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF
from PySide6.QtGui import QImage, QPainter, QRegion

from dagster_designer_qt.ui.canvas.edge_item import edges_box


class StillLayer:
    def __init__(self, scene, view, interaction, moving_edges) -> None:
        self.scene = scene
        self.view = view
        self.interaction = interaction
        self.moving = list(moving_edges)
        self._skip = frozenset(self.moving)
        self._image: QImage | None = None
        self._key = None
        self._broken = False  # the view scrolled or zoomed during the drag: paint the normal way

    # ------------------------------------------------------------ lifetime
    def attach(self) -> None:
        self.scene.drag_layer = self

    def finish(self) -> None:
        """Drop the image and repaint the moving edges the normal way (one frame)."""
        if self.scene.drag_layer is self:
            self.scene.drag_layer = None
        self._image = None
        if self.moving:
            self.scene.update(edges_box(self.moving))

    # ------------------------------------------------------------- drawing
    def _painter_key(self, painter: QPainter):
        viewport = self.view.viewport()
        if painter.device() is not viewport:
            return None
        return (painter.worldTransform(), viewport.size(), viewport.devicePixelRatio(), id(self.scene.style))

    def draw(self, painter: QPainter, rect: QRectF, scale: float) -> bool:
        """Paint the background of the exposed region (``rect`` is its bounding box; the painter clips to
        the region) from the still image plus the moving edges; False when the image does not apply to
        this painter (the caller then paints the normal way)."""
        scene = self.scene
        if self.view.interaction() is not self.interaction:  # the drag ended without finish (view closed)
            if scene.drag_layer is self:
                scene.drag_layer = None
            return False
        if self._broken or scene.overview():
            return False
        key = self._painter_key(painter)
        if key is None:
            return False
        if self._image is None:
            self._render(painter, key)
        elif key != self._key and not self._scrolled(key):
            self._image = None
            self._broken = True
            return False
        world = painter.worldTransform()
        painter.resetTransform()  # viewport pixels (the image's)
        target = world.mapRect(rect).toAlignedRect().intersected(self._image.rect())
        dpr = self._image.devicePixelRatio()
        source = QRectF(target.x() * dpr, target.y() * dpr, target.width() * dpr, target.height() * dpr)
        painter.drawImage(QRectF(target), self._image, source)
        painter.setWorldTransform(world)
        scene._draw_edges(painter, [rect], scale, candidates=self.moving)
        return True

    def _render(self, painter: QPainter, key) -> None:
        """The viewport's background without the moving edges, drawn by the scene's own functions."""
        viewport = self.view.viewport()
        dpr = viewport.devicePixelRatio()
        size = viewport.size()
        image = QImage(round(size.width() * dpr), round(size.height() * dpr),
                       QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(dpr)
        p = QPainter(image)
        self._paint_still(p, painter.renderHints(), key[0], QRectF(QPointF(0, 0), size.toSizeF()))
        p.end()
        self._image = image
        self._key = key

    def _scrolled(self, key) -> bool:
        """The view scrolled by whole pixels (a drag at its edge): shift the image, render what came into
        view. False when anything else changed."""
        old, new = self._key[0], key[0]
        if key[1:] != self._key[1:] or (old.m11(), old.m12(), old.m21(), old.m22()) != (
                new.m11(), new.m12(), new.m21(), new.m22()):
            return False
        dx, dy = new.dx() - old.dx(), new.dy() - old.dy()
        if dx != round(dx) or dy != round(dy):
            return False
        image = QImage(self._image.size(), self._image.format())
        image.setDevicePixelRatio(self._image.devicePixelRatio())
        size = self.view.viewport().size()
        whole = QRect(QPoint(0, 0), size)
        kept = whole.intersected(whole.translated(int(dx), int(dy)))
        p = QPainter(image)
        p.drawImage(QPointF(dx, dy), self._image)
        for strip in QRegion(whole).subtracted(QRegion(kept)):
            p.save()
            p.setClipRect(strip)
            self._paint_still(p, self._hints, new, QRectF(strip))
            p.restore()
        p.end()
        self._image = image
        self._key = key
        return True

    def _paint_still(self, p: QPainter, hints, world, target: QRectF) -> None:
        """Background colour, grid, folder frames and the still edges in ``target`` (viewport pixels)."""
        scene = self.scene
        self._hints = hints
        p.setRenderHints(hints)
        p.setWorldTransform(world)
        to_scene, _ok = world.inverted()
        part = to_scene.mapRect(target)
        p.fillRect(part, scene.style.background)
        scale = world.m11()
        scene._draw_grid(p, part, scale)
        scene._draw_group_frames(p, part, scale)
        scene._draw_edges(p, [part], scale, skip=self._skip)
