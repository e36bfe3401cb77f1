"""Help > Getting Started and Help > Keyboard Shortcuts. The shortcuts list is read from the window's own
actions, so it can never disagree with the keys that work."""

from __future__ import annotations

import html

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

GETTING_STARTED = """
<h2>Getting started</h2>
<p>Dagster Designer draws a Dagster project as a graph of components and exports a real project that
<code>dg</code> and the Dagster UI load.</p>
<ol>
<li><b>Add components.</b> Drag one from the <i>Components</i> panel onto the canvas, or select it and
press Enter. Type in the search field to find one.</li>
<li><b>Fill in their properties.</b> Select a node (double-click puts the keyboard in its first field). A
field's mode button switches between a plain value, a template, an environment variable and YAML. Secrets
are best read from an environment variable.</li>
<li><b>Connect them.</b> Drag from a node's right port to another node's left port; the downstream
component then depends on the upstream one's assets. Drop the connection on empty canvas to add a
new, connected node; or select two nodes and choose <i>Edit &gt; Connect Selected</i>.</li>
<li><b>Fix problems.</b> The <i>Problems</i> panel lists what the components' own models reject;
double-click a row to go to the field.</li>
<li><b>Check and export.</b> <i>File &gt; Check with Dagster</i> loads the project with Dagster itself;
<i>File &gt; Export</i> writes the project folder.</li>
</ol>
<p>New here? <i>File &gt; Open Example</i> opens a small, complete project to explore.</p>
"""


def _keys(action: QAction) -> str:
    return ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts())


def shortcut_rows(actions: list[QAction]) -> list[tuple[str, str]]:
    """(command, keys) for every action that has a shortcut, menu order, duplicates dropped."""
    rows, seen = [], set()
    for action in actions:
        keys = _keys(action)
        name = action.text().replace("&", "").rstrip("…").strip()
        if keys and name and (name, keys) not in seen:
            seen.add((name, keys))
            rows.append((name, keys))
    return rows


CANVAS_KEYS = [
    ("Move the selected nodes", "Arrow keys (Shift: further)"),
    ("Pan the canvas", "Space + drag, middle-drag, or the minimap"),
    ("Scroll the canvas", "Shift or Alt + mouse wheel"),
    ("Zoom", "Mouse wheel"),
    ("Cancel a drag / clear the selection", "Esc"),
    ("Edit a node's first property", "Double-click the node"),
]


class GettingStartedDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("gettingStarted")
        self.setWindowTitle("Getting Started")
        self.text = QTextBrowser(self)
        self.text.setObjectName("gettingStartedText")
        self.text.setOpenExternalLinks(True)
        self.text.setHtml(GETTING_STARTED)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(560, 480)


class ShortcutsDialog(QDialog):
    def __init__(self, actions: list[QAction], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("keyboardShortcuts")
        self.setWindowTitle("Keyboard Shortcuts")
        rows = shortcut_rows(actions) + CANVAS_KEYS
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setObjectName("shortcutsTable")
        self.table.setHorizontalHeaderLabels(["Command", "Keys"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        for r, (name, keys) in enumerate(rows):
            self.table.setItem(r, 0, QTableWidgetItem(name))
            self.table.setItem(r, 1, QTableWidgetItem(keys))
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(520, 560)

    def rows(self) -> list[tuple[str, str]]:
        return [(self.table.item(r, 0).text(), self.table.item(r, 1).text()) for r in range(self.table.rowCount())]


def escape(text: str) -> str:
    return html.escape(text)
