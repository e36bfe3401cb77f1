"""Problems panel (placeholder interface; the property-panel issue fills it)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTreeWidget, QWidget


class ProblemsPanel(QTreeWidget):
    # (node_id, path into attributes) when the user activates a row
    problem_activated = Signal(str, tuple)

    def __init__(self, document, validation, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("problemsPanel")
        self.setAccessibleName("Problems")
        self.document = document
        self.validation = validation
        self.setHeaderLabels(["Node", "Field", "Problem"])
