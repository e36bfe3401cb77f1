"""The empty canvas's hint: what to do first (drag a component here, or open the example). Shown while
the project has no nodes; a child widget over the view's viewport, never part of the scene."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class EmptyCanvasHint(QWidget):
    open_example = Signal()
    getting_started = Signal()

    def __init__(self, view, document):
        super().__init__(view)  # not the viewport: scrolling the canvas would move the hint with it
        self.setObjectName("emptyCanvasHint")
        self.view = view
        self.document = document
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("QWidget#emptyCanvasHint { background: palette(base); border: 1px solid palette(mid);"
                           " border-radius: 8px; }")
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
        vp = self.view.viewport().geometry()
        width = min(440, max(240, vp.width() - 40))
        height = self.layout().totalHeightForWidth(width)
        if height <= 0:
            height = self.layout().totalSizeHint().height()
        self.setFixedSize(width, height)
        self.move(vp.center().x() - width // 2, max(12, vp.center().y() - height // 2 - 40))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show) and not self.isHidden():
            self._place()
        return False

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self._place()
