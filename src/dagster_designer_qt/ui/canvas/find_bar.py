"""Find Node: a search field over the canvas (Ctrl+F). Typing part of a label lists the matches; Enter
selects the next match and centres the view on it; Escape closes the bar and gives the canvas the focus."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit

MARGIN = 12


def find_nodes(graph, text: str) -> list[str]:
    """Ids of the nodes whose label contains ``text`` (case-insensitive), best first: exact label, then
    labels starting with the text, then the rest, each in the graph's order."""
    needle = text.strip().casefold()
    if not needle:
        return []
    ranked = []
    for index, node in enumerate(graph.iter_nodes()):
        label = node.label.casefold()
        pos = label.find(needle)
        if pos >= 0:
            rank = 0 if label == needle else (1 if pos == 0 else 2)
            ranked.append((rank, index, node.id))
    ranked.sort()
    return [node_id for _rank, _index, node_id in ranked]


class FindNodeBar(QFrame):
    def __init__(self, view):
        super().__init__(view)  # over the viewport, not in it (the viewport scrolls its children)
        self.view = view
        self.setObjectName("findNodeBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(6)
        self.field = QLineEdit(self)
        self.field.setObjectName("findNodeField")
        self.field.setAccessibleName("Find node")
        self.field.setPlaceholderText("Find node by label…")
        self.field.setClearButtonEnabled(True)
        self.field.setMinimumWidth(220)
        self.count = QLabel(self)
        self.count.setObjectName("findNodeCount")
        self.count.setMinimumWidth(70)
        layout.addWidget(self.field)
        layout.addWidget(self.count)
        self._matches: list[str] = []
        self._current = -1
        self.field.textChanged.connect(self._on_text)
        self.field.returnPressed.connect(self.next_match)
        self.field.installEventFilter(self)
        view.installEventFilter(self)
        view.document.project_replaced.connect(lambda _project: self.hide())
        self.hide()

    # ------------------------------------------------------------ public
    def open(self) -> None:
        self.adjustSize()
        self.place()
        self.show()
        self.raise_()
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()
        self._on_text(self.field.text())

    def close_bar(self) -> None:
        self.hide()
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def matches(self) -> list[str]:
        return list(self._matches)

    def next_match(self) -> str | None:
        """Select the next match and centre the view on it; returns its id."""
        if not self._matches:
            self._on_text(self.field.text())
            if not self._matches:
                return None
        self._current = (self._current + 1) % len(self._matches)
        node_id = self._matches[self._current]
        self.view.graph_scene.select_nodes([node_id])
        self.view.center_on_node(node_id)
        self._show_count()
        return node_id

    # ------------------------------------------------------------ internals
    def place(self) -> None:
        vp = self.view.viewport().geometry()
        self.move(vp.right() - self.width() - MARGIN + 1, vp.top() + MARGIN)

    def _on_text(self, text: str) -> None:
        self._matches = find_nodes(self.view.document.graph, text)
        self._current = -1
        self._show_count()

    def _show_count(self) -> None:
        if not self.field.text().strip():
            self.count.setText("")
        elif not self._matches:
            self.count.setText("No match")
        elif self._current < 0:
            n = len(self._matches)
            self.count.setText(f"{n} match{'es' if n != 1 else ''}")
        else:
            self.count.setText(f"{self._current + 1} of {len(self._matches)}")

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if obj is self.view and event.type() == event.Type.Resize and self.isVisible():
            self.place()
        elif obj is self.field and event.type() == event.Type.KeyPress and event.key() == Qt.Key.Key_Escape:
            self.close_bar()
            return True
        return False
