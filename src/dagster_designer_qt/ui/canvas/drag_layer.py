"""While nodes are dragged, what does not move is painted once: the still canvas background, in tiles.

A drag repaints, at every mouse move, the dragged nodes' old and new boxes and boxes along their edges.
Without this, each repaint draws the grid there, queries the scene's index for every edge crossing those
boxes (tall edges of a layered layout cross nearly all of them) and draws them, although none of them moves.
``StillLayer`` keeps the viewport's background without the moving edges (background colour, grid, folder
frames and every other edge, drawn by ``GraphScene``'s own functions) in one opaque image, filled tile by
tile (``TILE`` pixels square) the first time a repaint needs a tile. Each repaint copies the exposed part of
the image (a blit per rect of the paint region, ``_copy``) and draws only the moving edges over it
(``GraphScene._draw_edges`` with them as its candidates). Nodes are items and are painted by Qt as before.

Filling tiles on demand keeps the drag's first repaint near a normal one: rendering the whole viewport at
once cost 30-120 ms at 20k nodes. A drag that scrolls the view at its edge (by whole pixels) shifts the
image and keeps the tiles whose pixels it still has. A change of zoom, colours, viewport size or device
pixel ratio starts again. A painter that is not the view's (a render of the scene elsewhere), the
overview, or a rotated or sheared view paint the normal way; so does the rest of a drag during which the
still picture changed (an undo, a selection change: ``_stale``). When the drag ends the moving edges are
repainted once the normal way (``finish``).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF
from PySide6.QtGui import QImage, QPainter

from dagster_designer_qt.ui.canvas.edge_item import edges_box

TILE = 128  # viewport pixels per tile side
MAX_COPIES = 200  # rects of an exposed region copied one by one (more: one clipped copy of their box)


class StillLayer:
    def __init__(self, scene, view, interaction, moving_edges) -> None:
        self.scene = scene
        self.view = view
        self.interaction = interaction
        self.moving = list(moving_edges)
        self._skip = frozenset(self.moving)
        self._image: QImage | None = None
        self._valid: set[tuple[int, int]] = set()  # tiles of the image already rendered
        self._key = None  # what the image depends on besides the scroll position
        self._offset = (0.0, 0.0)  # the view's translation when the image was (last) placed
        self.rendered = 0  # tiles rendered so far (tests read it)

    # ------------------------------------------------------------ lifetime
    def _signals(self):
        """What can change the still picture during a drag: an undo or redo (Ctrl+Z while dragging), a
        project replaced, a selection change (edges' colour)."""
        document = self.scene.document
        return (self.scene.selectionChanged, document.undo_stack.indexChanged, document.project_replaced)

    def attach(self) -> None:
        self.scene.drag_layer = self
        for signal in self._signals():
            signal.connect(self._stale)

    def _stale(self, *_args) -> None:
        """The still picture changed: paint the normal way for the rest of the drag (the scene repaints
        what the change touched; drawn from the tiles, it would show the old picture)."""
        if self.scene.drag_layer is self:
            self.scene.drag_layer = None
        self._image = None
        self._valid = set()

    def finish(self) -> None:
        """Drop the image and repaint the moving edges the normal way (one frame)."""
        for signal in self._signals():
            try:
                signal.disconnect(self._stale)
            except (RuntimeError, TypeError):  # already gone with the document
                pass
        self._stale()
        if self.moving:
            self.scene.update(edges_box(self.moving))

    # ------------------------------------------------------------- drawing
    def draw(self, painter: QPainter, rect: QRectF, scale: float) -> bool:
        """Paint the background of the exposed region (``rect`` is its bounding box; the painter clips
        to the region) from the still image plus the moving edges; False when the image does not apply
        to this painter (the caller then paints the normal way)."""
        scene = self.scene
        if self.view.interaction() is not self.interaction:  # the drag ended without finish (view closed)
            if scene.drag_layer is self:
                scene.drag_layer = None
            return False
        viewport = self.view.viewport()
        if scene.overview() or painter.device() is not viewport:
            return False
        world = painter.worldTransform()
        if world.m12() or world.m21() or world.m11() != world.m22():
            return False
        size = viewport.size()
        key = (scale, size, viewport.devicePixelRatio(), id(scene.style))
        offset = (world.dx(), world.dy())
        if key != self._key or self._image is None:
            self._start(key, offset)
        elif offset != self._offset and not self._shift(offset):
            self._start(key, offset)
        target = world.mapRect(rect).toAlignedRect().intersected(QRect(0, 0, size.width(), size.height()))
        if target.isEmpty():
            return True
        self._fill(target, world, painter.renderHints())
        painter.resetTransform()  # viewport pixels
        self._copy(painter, target)
        painter.setWorldTransform(world)
        scene._draw_edges(painter, [rect], scale, candidates=self.moving)
        return True

    def _copy(self, painter: QPainter, target: QRect) -> None:
        """Copy the image's pixels under the exposed region. The region of a drag is a few dozen small
        boxes whose bounding ``target`` is mostly not exposed; one copy of ``target`` clipped to the region
        runs the raster engine's clipped span fill over all of ``target`` (~0.35 ms a move at 5k nodes).
        Clipped to one rect at a time, each copy is a plain blit of that rect."""
        image = self._image
        dpr = image.devicePixelRatio()
        engine = painter.paintEngine()
        region = engine.systemClip() if engine is not None else None
        count = region.rectCount() if region is not None else 0
        if painter.hasClipping() or count < 2 or count > MAX_COPIES:
            painter.drawImage(QRectF(target), image, QRectF(target.x() * dpr, target.y() * dpr,
                                                            target.width() * dpr, target.height() * dpr))
            return
        for rect in region:  # device pixels, as the image's
            box = QRectF(rect.x() / dpr, rect.y() / dpr, rect.width() / dpr, rect.height() / dpr)
            painter.setClipRect(box)
            painter.drawImage(box, image, QRectF(rect))
        painter.setClipping(False)  # as it was: the view's painter had no clip of its own

    def _start(self, key, offset) -> None:
        size, dpr = key[1], key[2]
        self._image = QImage(round(size.width() * dpr), round(size.height() * dpr),
                             QImage.Format.Format_RGB32)  # opaque: copied to the window, not blended
        self._image.setDevicePixelRatio(dpr)
        self._valid = set()
        self._key = key
        self._offset = offset

    def _shift(self, offset) -> bool:
        """The view scrolled by whole pixels: move the image's pixels along, keep the tiles still whole."""
        dx, dy = offset[0] - self._offset[0], offset[1] - self._offset[1]
        if dx != round(dx) or dy != round(dy):
            return False
        dx, dy = int(dx), int(dy)
        old = self._image
        image = QImage(old.size(), old.format())
        image.setDevicePixelRatio(old.devicePixelRatio())
        p = QPainter(image)
        p.drawImage(QPointF(dx, dy), old)
        p.end()
        valid = set()
        width, height = self._key[1].width(), self._key[1].height()
        for i in range(width // TILE + 1):
            # the tile's pixels (those inside the image) came from these, dx to the left
            left, right = i * TILE - dx, min(i * TILE + TILE, width) - dx
            if left < 0 or right > width:
                continue
            columns = range(left // TILE, (right - 1) // TILE + 1)
            for j in range(height // TILE + 1):
                top, bottom = j * TILE - dy, min(j * TILE + TILE, height) - dy
                if top < 0 or bottom > height:
                    continue
                if all((a, c) in self._valid for a in columns for c in range(top // TILE, (bottom - 1) // TILE + 1)):
                    valid.add((i, j))
        self._image, self._valid, self._offset = image, valid, offset
        return True

    def _fill(self, target: QRect, world, hints) -> None:
        """Render the missing tiles under ``target``: one pass per row run of adjacent missing tiles."""
        valid = self._valid
        i0, i1 = target.left() // TILE, target.right() // TILE
        runs = []
        for j in range(target.top() // TILE, target.bottom() // TILE + 1):
            start = None
            for i in range(i0, i1 + 2):
                missing = i <= i1 and (i, j) not in valid
                if missing and start is None:
                    start = i
                elif not missing and start is not None:
                    runs.append((start, i - 1, j))
                    start = None
        if not runs:
            return
        scene = self.scene
        scale = world.m11()
        to_scene = world.inverted()[0]
        p = QPainter(self._image)
        p.setRenderHints(hints)
        for first, last, j in runs:
            box = QRect(first * TILE, j * TILE, (last - first + 1) * TILE, TILE)
            p.resetTransform()
            p.setClipRect(box)  # in pixels: set before the scene's transform
            p.setWorldTransform(world)
            part = to_scene.mapRect(QRectF(box))
            p.fillRect(part, scene.style.background)
            scene._draw_grid(p, part, scale)
            scene._draw_group_frames(p, part, scale)
            scene._draw_edges(p, [part], scale, skip=self._skip)
            valid.update((i, j) for i in range(first, last + 1))
            self.rendered += last - first + 1
        p.end()
