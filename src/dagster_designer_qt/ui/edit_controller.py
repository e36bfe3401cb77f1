"""Edit verbs of one window: add from the palette, copy/cut/paste/duplicate through the system clipboard
(so they work between windows and between processes), delete, select all, auto layout, rename.
Everything goes through ProjectDocument verbs (one undo step each)."""

from __future__ import annotations

import json

from PySide6.QtCore import QMimeData, QObject, QPointF, Signal
from PySide6.QtGui import QGuiApplication

from dagster_designer_qt.core import clipboard
from dagster_designer_qt.core.errors import DesignerError
from dagster_designer_qt.ui.canvas import style as S

PASTE_STEP = 40.0
GAP = 24.0  # the space kept between a keyboard-added node and its neighbours


def free_spot(wanted: QPointF, taken: list[tuple[float, float]]) -> QPointF:
    """The top-left nearest ``wanted`` where a node overlaps none of the nodes at ``taken`` (top-lefts),
    searched on rings of a grid one node (plus a gap) apart: below first, then right, left, above."""
    step_x, step_y = S.W + GAP, S.H + GAP

    def free(x: float, y: float) -> bool:
        return all(abs(x - tx) >= step_x or abs(y - ty) >= step_y for tx, ty in taken)

    if free(wanted.x(), wanted.y()):
        return wanted
    for ring in range(1, 60):
        candidates = [(dx, dy) for dy in range(-ring, ring + 1) for dx in range(-ring, ring + 1)
                      if max(abs(dx), abs(dy)) == ring]
        candidates.sort(key=lambda d: (abs(d[0]) + abs(d[1]), d[1] < 0, d[0] < 0, abs(d[1])))
        for dx, dy in candidates:
            x, y = wanted.x() + dx * step_x, wanted.y() + dy * step_y
            if free(x, y):
                return QPointF(x, y)
    return wanted


class EditController(QObject):
    status = Signal(str)
    can_paste_changed = Signal(bool)

    def __init__(self, document, scene, view, parent: QObject | None = None):
        super().__init__(parent)
        self.document = document
        self.scene = scene
        self.view = view
        self._paste_count = 0
        self._own_copy = False
        self._selection_order: list[str] = []  # the selected nodes in the order the user selected them
        self.quick_add = None  # the open quick-add picker, if any
        cb = QGuiApplication.clipboard()
        cb.dataChanged.connect(self._on_clipboard_changed)
        document.selection_changed.connect(self._track_selection_order)

    # ------------------------------------------------------------- connecting
    def _track_selection_order(self, ids: list) -> None:
        current = set(ids)
        kept = [i for i in self._selection_order if i in current]
        self._selection_order = kept + [i for i in ids if i not in set(kept)]

    def selection_order(self) -> list[str]:
        return [i for i in self._selection_order if self.document.graph.has_node(i)]

    def connect_selected(self) -> bool:
        """Connect the two selected nodes, the first selected upstream; refused like a drag would be."""
        ids = self.selection_order()
        if len(ids) != 2:
            self.status.emit("Select two nodes to connect: first the upstream one, then the downstream one")
            return False
        try:
            self.document.connect(ids[0], ids[1])
        except DesignerError as exc:
            self.view.reject_connection(str(exc))
            return False
        graph = self.document.graph
        self.view.connection_made()
        self.status.emit(f"Connected {graph.node(ids[0]).label} → {graph.node(ids[1]).label}")
        return True

    def open_quick_add(self, node_id: str, port: str, scene_pos: QPointF, global_pos) -> None:
        """A connection dropped on empty canvas: pick a component to add there, connected to ``node_id``."""
        from dagster_designer_qt.ui.dialogs.quick_add import QuickAddPicker

        registry = self.scene.registry
        if registry is None or not registry.is_loaded() or not self.document.graph.has_node(node_id):
            return
        picker = QuickAddPicker(registry.components(), self.view,
                                "Add downstream of" if port == "out" else "Add upstream of")
        picker.heading.setText(("Add downstream of " if port == "out" else "Add upstream of ")
                               + self.document.graph.node(node_id).label)
        picker.chosen.connect(lambda t: self.add_connected(t, node_id, port, scene_pos))
        picker.destroyed.connect(lambda *_a: setattr(self, "quick_add", None))
        self.quick_add = picker
        picker.popup(global_pos)

    def add_connected(self, component_type: str, node_id: str, port: str, scene_pos: QPointF) -> str | None:
        """Add ``component_type`` at ``scene_pos`` and connect it to ``node_id`` (one undo step)."""
        if not self.document.graph.has_node(node_id):
            return None
        top_left = QPointF(scene_pos.x() - (0 if port == "out" else S.W), scene_pos.y() - S.H / 2)
        stack = self.document.undo_stack
        stack.beginMacro("Add and Connect")
        try:
            new = self.document.add_node(component_type, round(top_left.x()), round(top_left.y()))
            source, target = (node_id, new) if port == "out" else (new, node_id)
            self.document.connect(source, target)  # a new node can't make a cycle or a duplicate
        finally:
            stack.endMacro()
        self.view.connection_made()
        self.scene.select_nodes([new])
        return new

    # ------------------------------------------------------------- adding
    def add_component(self, component_type: str, top_left: QPointF | None = None) -> str:
        """Add a node (at ``top_left`` or centred in the view, nudged off any node already there)."""
        if top_left is None:
            centre = self.view.visible_center()
            top_left = free_spot(QPointF(centre.x() - S.W / 2, centre.y() - S.H / 2),
                                 [(n.x, n.y) for n in self.document.graph.iter_nodes()])
        node_id = self.document.add_node(component_type, round(top_left.x()), round(top_left.y()))
        self.scene.select_nodes([node_id])
        self.view.setFocus()
        return node_id

    # ------------------------------------------------------------- clipboard
    def _on_clipboard_changed(self) -> None:
        if not self._own_copy:
            self._paste_count = 0
        self._own_copy = False
        self.can_paste_changed.emit(self.can_paste())

    def can_paste(self) -> bool:
        return self._clipboard_payload() is not None

    def _clipboard_payload(self):
        data = QGuiApplication.clipboard().mimeData()
        if data is None:
            return None
        raw = None
        if data.hasFormat(clipboard.MIME_TYPE):
            raw = bytes(data.data(clipboard.MIME_TYPE)).decode("utf-8", "replace")
        elif data.hasText() and clipboard.PAYLOAD_KIND in data.text()[:200]:
            raw = data.text()
        if raw is None:
            return None
        try:
            payload = json.loads(raw)
        except ValueError:
            return None
        return payload if isinstance(payload, dict) and payload.get("kind") == clipboard.PAYLOAD_KIND else None

    def copy(self) -> bool:
        ids = self.document.selection()
        if not ids:
            return False
        self._put(self.document.copy_payload(ids))
        self.status.emit(f"Copied {len(ids)} node{'s' if len(ids) != 1 else ''}")
        return True

    def cut(self) -> bool:
        ids = self.document.selection()
        if not ids:
            return False
        self._put(self.document.copy_payload(ids))
        self.document.delete(ids, self.scene.selected_edge_ids())
        self._paste_count = -1  # the first paste lands where the cut nodes were
        self.status.emit(f"Cut {len(ids)} node{'s' if len(ids) != 1 else ''}")
        return True

    def _put(self, payload: dict) -> None:
        text = json.dumps(payload, ensure_ascii=False)
        data = QMimeData()
        data.setData(clipboard.MIME_TYPE, text.encode("utf-8"))
        data.setText(text)
        self._own_copy = True
        self._paste_count = 0
        QGuiApplication.clipboard().setMimeData(data)

    def paste(self) -> list[str]:
        payload = self._clipboard_payload()
        if payload is None:
            self.status.emit("Nothing to paste")
            return []
        self._paste_count += 1
        step = PASTE_STEP * self._paste_count
        try:
            ids = self.document.paste(payload, offset=(step, step))
        except DesignerError as exc:
            self.status.emit(f"Cannot paste: {exc}")
            return []
        self.scene.select_nodes(ids)
        return ids

    def duplicate(self) -> list[str]:
        ids = self.document.selection()
        if not ids:
            return []
        new_ids = self.document.duplicate(ids)
        self.scene.select_nodes(new_ids)
        return new_ids

    # ------------------------------------------------------------- others
    def delete(self) -> None:
        self.document.delete(self.document.selection(), self.scene.selected_edge_ids())

    def has_deletable(self) -> bool:
        return bool(self.document.selection() or self.scene.selected_edge_ids())

    def select_all(self) -> None:
        self.document.set_selection([n.id for n in self.document.graph.iter_nodes()])

    def auto_layout(self) -> None:
        ids = self.document.selection()
        self.document.auto_layout(ids if len(ids) > 1 else None)
        if len(ids) <= 1:
            self.view.fit_to_window()

    def rename(self, node_id: str, label: str) -> None:
        label = label.strip()
        if label:
            self.document.rename(node_id, self.document.unique_label(label, exclude=node_id))
