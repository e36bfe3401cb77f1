"""Builds the QApplication and the main window. Nothing happens at import time."""

from __future__ import annotations

import sys


def _application():
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        app.setApplicationName("Dagster Designer")
        app.setOrganizationName("DagsterDesigner")
    return app


def create_main_window(project_path: str | None = None):
    """Return the main window (using the running QApplication or creating one) without running the loop."""
    _application()
    from PySide6.QtWidgets import QLabel, QMainWindow

    window = QMainWindow()
    window.setObjectName("mainWindow")
    window.setWindowTitle("Dagster Designer")
    window.setCentralWidget(QLabel("Dagster Designer"))
    return window


def run_app(project_path: str | None = None) -> int:
    app = _application()
    window = create_main_window(project_path)
    window.show()
    return app.exec()
