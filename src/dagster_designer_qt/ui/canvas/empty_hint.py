"""The empty canvas's hint: what to do first (drag a component here, or open the example). Shown while
the project has no nodes; a child of the view's viewport, so it never becomes part of the scene."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class EmptyCanvasHint(QWidget):
    open_example = Signal()
    getting_started = Signal()

    def __init__(self, view, document):
        super().__init__(view.viewport())
        self.setObjectName("emptyCanvasHint")
        self.view = view
        self.document = document
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        title = QLabel("Start your Dagster project", self)
        title.setObjectName("emptyHintTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        title.setFont(font)
        self.text = QLabel("Drag a component from the Components panel onto the canvas, or select one and "
                           "press Enter. Then connect nodes by dragging from a node's right port.", self)
        self.text.setObjectName("emptyHintText")
        self.text.setWordWrap(True)
        self.example_button = QPushButton("Open the Example", self)
        self.example_button.setObjectName("emptyHintExample")
        self.example_button.clicked.connect(self.open_example)
        self.help_button = QPushButton("Getting Started", self)
        self.help_button.setObjectName("emptyHintHelp")
        self.help_button.clicked.connect(self.getting_started)
        buttons = QHBoxLayout()
        buttons.addWidget(self.example_button)
        buttons.addWidget(self.help_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 16)
        layout.addWidget(title)
        layout.addWidget(self.text)
        layout.addLayout(buttons)
        self.setMaximumWidth(440)
        view.viewport().installEventFilter(self)
        self._graph = None
        self._watch(document.project)
        document.project_replaced.connect(self._watch)

    def _watch(self, project) -> None:
        if self._graph is not None:
            self._graph.node_added.disconnect(self.refresh)
            self._graph.node_removed.disconnect(self.refresh)
        self._graph = project.graph
        self._graph.node_added.connect(self.refresh)
        self._graph.node_removed.connect(self.refresh)
        self.refresh()

    def refresh(self, *_args) -> None:
        empty = self._graph.node_count() == 0
        self.setVisible(empty)
        if empty:
            self._place()

    def _place(self) -> None:
        vp = self.view.viewport().rect()
        width = min(440, max(240, vp.width() - 40))
        self.setFixedWidth(width)
        self.adjustSize()
        self.move(vp.center().x() - self.width() // 2, max(12, vp.center().y() - self.height() // 2))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return False
