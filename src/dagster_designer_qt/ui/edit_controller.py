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
        cb = QGuiApplication.clipboard()
        cb.dataChanged.connect(self._on_clipboard_changed)

    # ------------------------------------------------------------- adding
    def add_component(self, component_type: str, top_left: QPointF | None = None) -> str:
        """Add a node (at ``top_left`` or centred in the view, nudged off any node already there)."""
        if top_left is None:
            centre = self.view.visible_center()
            top_left = QPointF(centre.x() - S.W / 2, centre.y() - S.H / 2)
            taken = {(round(n.x), round(n.y)) for n in self.document.graph.iter_nodes()}
            while (round(top_left.x()), round(top_left.y())) in taken:
                top_left += QPointF(30, 30)
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
