"""Quick-add picker: a small popup with a search field and the matching components, best match first.
Opened where a new connection was dropped on empty canvas; choosing a component emits ``chosen(type)``
(the edit controller adds it there and connects it). Escape or a click elsewhere closes it."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from dagster_designer_qt.core.component_text import match_score, rst_to_text
from dagster_designer_qt.core.naming import component_display_name

TYPE_ROLE = Qt.ItemDataRole.UserRole


class QuickAddPicker(QFrame):
    chosen = Signal(str)

    def __init__(self, components, parent: QWidget | None = None, title: str = "Add and connect"):
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("quickAdd")
        self.setAccessibleName("Quick add")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._components = [(component_display_name(c.name), c) for c in components]
        self.heading = QLabel(title, self)
        self.heading.setObjectName("quickAddTitle")
        self.search = QLineEdit(self)
        self.search.setObjectName("quickAddSearch")
        self.search.setPlaceholderText("Type to find a component…")
        self.search.setAccessibleName("Search components")
        self.list = QListWidget(self)
        self.list.setObjectName("quickAddList")
        self.list.setAccessibleName("Components")
        self.empty = QLabel("No component matches.", self)
        self.empty.setObjectName("quickAddEmpty")
        self.empty.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addWidget(self.heading)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        layout.addWidget(self.empty)
        self.search.textChanged.connect(self._fill)
        self.search.returnPressed.connect(self.accept_current)
        self.list.itemActivated.connect(lambda item: self._choose(item.data(TYPE_ROLE)))
        self.search.installEventFilter(self)
        self.resize(280, 300)
        self._fill("")

    def _fill(self, text: str) -> None:
        ranked = []
        for index, (display, info) in enumerate(self._components):
            score = match_score(text, display, info.name, info.type,
                                description=rst_to_text(info.description or info.summary or ""))
            if score > 0:
                ranked.append((-score, index, display, info))
        ranked.sort()
        self.list.clear()
        for _s, _i, display, info in ranked:
            item = QListWidgetItem(display)
            item.setData(TYPE_ROLE, info.type)
            item.setToolTip(info.type)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        self.empty.setVisible(self.list.count() == 0)

    def types(self) -> list[str]:
        return [self.list.item(i).data(TYPE_ROLE) for i in range(self.list.count())]

    def accept_current(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self._choose(item.data(TYPE_ROLE))

    def _choose(self, component_type: str) -> None:
        self.hide()
        self.chosen.emit(component_type)
        self.deleteLater()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        from PySide6.QtCore import QEvent

        if watched is self.search and event.type() == QEvent.Type.KeyPress and event.key() in (
                Qt.Key.Key_Down, Qt.Key.Key_Up):
            row = self.list.currentRow() + (1 if event.key() == Qt.Key.Key_Down else -1)
            if 0 <= row < self.list.count():
                self.list.setCurrentRow(row)
            return True
        return super().eventFilter(watched, event)

    def popup(self, global_pos: QPoint) -> None:
        self.move(global_pos)
        self.show()
        self.search.setFocus(Qt.FocusReason.PopupFocusReason)
