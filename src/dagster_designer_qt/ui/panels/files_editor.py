"""The Files section of the property panel: a node's text files (name -> text), one editor per file,
add / rename / remove, and the component's template files. Every edit goes through the document."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from dagster_designer_qt.core.scaffold_templates import templates_for

if TYPE_CHECKING:
    from dagster_designer_qt.ui.panels.property_panel import PropertyPanel


class FilesEditor(QWidget):
    """The node's files (name -> text): one editor per file, add/rename/remove, template files."""

    def __init__(self, panel: "PropertyPanel", node_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.panel = panel
        self.node_id = node_id
        self.setObjectName("filesEditor")
        self.edits: dict[str, QPlainTextEdit] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.holder = QVBoxLayout()
        layout.addLayout(self.holder)
        bar = QHBoxLayout()
        self.add_button = QPushButton("Add file…", self)
        self.add_button.clicked.connect(self._ask_add)
        bar.addWidget(self.add_button)
        self.template_button = QPushButton("Add template files", self)
        self.template_button.setObjectName("addTemplateFiles")
        self.template_button.clicked.connect(self.add_template_files)
        bar.addWidget(self.template_button)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.refresh()

    def _node(self):
        return self.panel.document.graph.node(self.node_id)

    def files(self) -> dict[str, str]:
        return dict(self._node().files or {})

    def refresh(self) -> None:
        files = self.files()
        if list(files) != list(self.edits):
            while self.holder.count():
                item = self.holder.takeAt(0)
                if item.widget():
                    item.widget().deleteLater()
            self.edits = {}
            for name, text in files.items():
                box = QWidget(self)
                box_layout = QVBoxLayout(box)
                box_layout.setContentsMargins(0, 0, 0, 0)
                line = QHBoxLayout()
                line.addWidget(QLabel(name, box))
                line.addStretch(1)
                remove = QToolButton(box)
                remove.setText("✕")
                remove.setToolTip(f"Remove {name}")
                remove.setAutoRaise(True)
                remove.clicked.connect(lambda _c=False, n=name: self.remove_file(n))
                line.addWidget(remove)
                box_layout.addLayout(line)
                edit = QPlainTextEdit(box)
                edit.setObjectName(f"file:{name}")
                edit.setAccessibleName(name)
                edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
                edit.setMinimumHeight(100)
                edit.setMaximumHeight(260)
                edit.setTabChangesFocus(False)
                edit.textChanged.connect(lambda n=name: self._edited(n))
                box_layout.addWidget(edit)
                self.holder.addWidget(box)
                self.edits[name] = edit
        for name, edit in self.edits.items():
            if edit.toPlainText() != files.get(name, ""):
                with QSignalBlocker(edit):
                    edit.setPlainText(files.get(name, ""))
        missing = {n for n in templates_for(self._node().component_type).files if n not in files}
        self.template_button.setVisible(bool(missing))

    def _edited(self, name: str) -> None:
        files = self.files()
        files[name] = self.edits[name].toPlainText()
        self.panel.document.set_node_field(self.node_id, "files", files, merge_key=f"{self.node_id}/files/{name}",
                                           text=f"Edit {name}")

    def add_file(self, name: str, text: str = "") -> None:
        files = self.files()
        if not name or name in files:
            return
        files[name] = text
        self.panel.document.set_node_field(self.node_id, "files", files, text=f"Add {name}")

    def _ask_add(self) -> None:
        name, ok = QInputDialog.getText(self, "Add file", "File name (relative to the component folder):")
        if ok and name.strip():
            self.add_file(name.strip())

    def add_template_files(self) -> None:
        files = self.files()
        template = templates_for(self._node().component_type)
        added = {n: t for n, t in template.files.items() if n not in files}
        if added:
            self.panel.document.set_node_field(self.node_id, "files", {**files, **added},
                                               text="Add template files")

    def remove_file(self, name: str) -> None:
        files = self.files()
        if name in files:
            del files[name]
            self.panel.document.set_node_field(self.node_id, "files", files or None, text=f"Remove {name}")
