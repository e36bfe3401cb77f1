"""Frames around the children of a ``DefsFolderComponent`` (its ``post_processing`` applies to them).

A frame is drawn behind the nodes read from files below the folder of a ``DefsFolderComponent`` node of
a project opened from a folder, titled with the folder's name. ``GroupFrames`` follows the model's events
(coalesced into one update per event-loop turn) and keeps one ``GroupItem`` per such folder; the frames
are decoration only: not selectable, not movable, never in the model.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QRectF, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem

from dagster_designer_qt.ui.canvas import style as S

DEFS_FOLDER_TYPES = frozenset({"dagster.DefsFolderComponent", "dagster.components.DefsFolderComponent",
                               "dagster.components.core.defs_module.DefsFolderComponent"})
MARGIN = 24.0
TITLE_H = 22.0
ACCENT = QColor(90, 120, 200)
FRAME_PEN = QPen(ACCENT, 1.5, Qt.PenStyle.DashLine)
FRAME_BRUSH = QBrush(QColor(ACCENT.red(), ACCENT.green(), ACCENT.blue(), 22))
_TITLE_FONT: list[QFont] = []  # made on first use (a QFont wants the application's default font)


def _title_font() -> QFont:
    if not _TITLE_FONT:
        font = QFont()
        font.setBold(True)
        _TITLE_FONT.append(font)
    return _TITLE_FONT[0]


def group_members(nodes) -> dict[str, list]:
    """DefsFolderComponent node id -> the nodes read from files below its folder (not itself)."""
    folders = {}
    for node in nodes:
        source = getattr(node, "source", None)
        if source is not None and node.component_type in DEFS_FOLDER_TYPES:
            folders[node.id] = source.file.rpartition("/")[0] + "/"
    members: dict[str, list] = {gid: [] for gid in folders}
    if not folders:
        return members
    for node in nodes:
        source = getattr(node, "source", None)
        if source is None:
            continue
        for gid, prefix in folders.items():
            if gid != node.id and source.file.startswith(prefix):
                members[gid].append(node)
    return members


class GroupItem(QGraphicsItem):
    """A frame's place in the scene. It has no contents: the scene draws the frames in its background,
    beneath the edges (``GraphScene.drawBackground`` calls ``draw``); as an item at any z above the
    background its tint and border would cover the edges inside it. So a change of its rect or title
    repaints its old and new boxes here (Qt does not repaint a content-less item)."""

    def __init__(self, title: str):
        super().__init__()
        self.title = title
        self._rect = QRectF()
        self.setZValue(-10)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, False)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, True)

    def set_rect(self, rect: QRectF) -> None:
        if rect != self._rect:
            self.repaint()
            self.prepareGeometryChange()
            self._rect = rect
            self.repaint()

    def set_title(self, title: str) -> None:
        if title != self.title:
            self.title = title
            self.repaint()

    def repaint(self) -> None:
        scene = self.scene()
        if scene is not None and not self._rect.isNull():
            scene.update(self.boundingRect())

    def frame_rect(self) -> QRectF:
        return QRectF(self._rect)

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-2, -2, 2, 2)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        """Never called (ItemHasNoContents): see ``draw``."""

    def draw(self, painter: QPainter, scale: float) -> None:
        """The frame: a tinted, dashed rounded rect and the folder's name (when text is shown)."""
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(FRAME_PEN)
        painter.setBrush(FRAME_BRUSH)
        painter.drawRoundedRect(self._rect, 10, 10)
        if scale >= S.LOD_TEXT:
            painter.setFont(_title_font())
            painter.setPen(ACCENT)
            painter.drawText(self._rect.adjusted(12, 4, -12, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                             self.title)


class GroupFrames(QObject):
    """Keeps the scene's group frames in step with the document's project."""

    def __init__(self, scene):
        super().__init__(scene)
        self.scene = scene
        self.document = scene.document
        self.items: dict[str, GroupItem] = {}
        self._graph = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.update_frames)
        self.document.project_replaced.connect(lambda _p: self._attach())
        self._attach()

    def _attach(self) -> None:
        graph = self.document.graph
        if self._graph is not None:
            for signal in self._signals(self._graph):
                signal.disconnect(self._schedule)
        self._graph = graph
        for signal in self._signals(graph):
            signal.connect(self._schedule)
        self.items = {}  # the scene cleared its items when it rebuilt
        self.update_frames()

    @staticmethod
    def _signals(graph):
        return (graph.node_added, graph.node_removed, graph.node_moved, graph.node_changed)

    def _schedule(self, *_args) -> None:
        self._timer.start()

    def update_frames(self) -> None:
        nodes = list(self.document.graph.iter_nodes())
        members = group_members(nodes)
        for gid in list(self.items):
            if not members.get(gid):
                item = self.items.pop(gid)
                if item.scene() is self.scene:
                    self.scene.removeItem(item)
        by_id = {n.id: n for n in nodes}
        for gid, children in members.items():
            if not children:
                continue
            rect = QRectF()
            for child in children:
                rect = rect.united(QRectF(child.x, child.y, S.W, S.H))
            rect = rect.adjusted(-MARGIN, -MARGIN - TITLE_H, MARGIN, MARGIN)
            item = self.items.get(gid)
            title = by_id[gid].label
            if item is None or item.scene() is not self.scene:
                item = GroupItem(title)
                self.items[gid] = item
                self.scene.addItem(item)
            item.set_title(title)
            item.set_rect(rect)
