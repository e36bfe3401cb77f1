"""Live validation for the open document (placeholder interface; the property-panel issue fills it).

Signals ``problems_changed(dict)`` mapping node id -> list[Problem] (services.validation.Problem);
validation results are never written into the project.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class ValidationRunner(QObject):
    problems_changed = Signal(dict)

    def __init__(self, document, context, parent: QObject | None = None):
        super().__init__(parent)
        self.document = document
        self.context = context
        self._problems: dict = {}

    def problems(self) -> dict:
        return dict(self._problems)

    def problems_for(self, node_id: str) -> list:
        return list(self._problems.get(node_id, []))
