"""Property panel (placeholder interface; the property-panel issue fills it)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class PropertyPanel(QWidget):
    def __init__(self, document, context, validation, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("propertyPanel")
        self.setAccessibleName("Properties")
        self.document = document
        self.context = context
        self.validation = validation
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Select a node to edit its properties."))

    def focus_field(self, node_id: str, path: tuple) -> None:
        """Select the node's form and put the keyboard focus in the field at ``path``."""
