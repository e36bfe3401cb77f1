"""A dock whose widget is built when it is first needed, not at the window's start (issue 13).

The dock itself (its title, its tab, its View menu entry, its place in a saved layout) exists from the
start; its widget is built the first time the dock comes on screen (its tab picked, its View menu entry
checked, a saved layout that shows it, ``show()`` + ``raise_()`` from code) or the first time code asks for
the widget. ``visibilityChanged(True)`` comes from the dock's show event or its tab becoming the current
one, before anything of it is painted, so the dock is never seen empty. A widget built late reads the state
of what it shows (its controller, the document) when it is made: nothing it would have heard earlier is lost.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDockWidget, QWidget


class LazyDockWidget(QObject):
    def __init__(self, dock: QDockWidget, build: Callable[[], QWidget]):
        super().__init__(dock)
        self._dock = dock
        self._build: Callable[[], QWidget] | None = build
        self._widget: QWidget | None = None
        dock.visibilityChanged.connect(self._on_visibility)

    def is_built(self) -> bool:
        return self._widget is not None

    def built(self) -> QWidget | None:
        """The widget if it was built, else None (for work that only concerns a widget that exists)."""
        return self._widget

    def widget(self) -> QWidget:
        """The dock's widget, built now if it wasn't yet."""
        if self._widget is None:
            build, self._build = self._build, None
            if build is None:  # asked again while building (the builder's own calls): not re-entered
                raise RuntimeError(f"{self._dock.objectName()}: widget asked for while it is being built")
            self._widget = build()
            self._dock.setWidget(self._widget)
            self._dock.visibilityChanged.disconnect(self._on_visibility)
        return self._widget

    def _on_visibility(self, visible: bool) -> None:
        if visible:
            self.widget()
