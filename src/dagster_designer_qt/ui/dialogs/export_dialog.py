"""Export dialog: where the Dagster project goes, as a parent folder plus a project folder name (the
export creates or updates ``parent/name``), with the resulting path spelled out before anything is written."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from dagster_designer_qt.core.naming import slug as folder_slug


def suggested_folder_name(project_name: str) -> str:
    """``Shop analytics`` -> ``shop-analytics``: a folder name that is safe on every OS."""
    return folder_slug(project_name or "", "dagster-project").rstrip("_").replace("_", "-") or "dagster-project"


class ExportDialog(QDialog):
    def __init__(self, parent_dir: str, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export Dagster Project")
        self.parent_edit = QLineEdit(parent_dir, self)
        self.parent_edit.setObjectName("exportParent")
        self.parent_edit.setAccessibleName("Parent folder")
        browse = QToolButton(self)
        browse.setObjectName("exportBrowse")
        browse.setText("Browse…")
        browse.setToolTip("Choose the folder the project folder is created in")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.parent_edit, 1)
        row.addWidget(browse)
        self.name_edit = QLineEdit(name, self)
        self.name_edit.setObjectName("exportName")
        self.name_edit.setAccessibleName("Project folder name")
        self.target_label = QLabel(self)
        self.target_label.setObjectName("exportTarget")
        self.target_label.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Parent folder:", row)
        form.addRow("Project folder name:", self.name_edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setObjectName("exportOk")
        self.export_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.target_label)
        layout.addWidget(self.buttons)
        self.parent_edit.textChanged.connect(self._update)
        self.name_edit.textChanged.connect(self._update)
        self.resize(520, self.sizeHint().height())
        self._update()

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Choose the Parent Folder", self.parent_edit.text())
        if chosen:
            self.parent_edit.setText(chosen)

    def problem(self) -> str:
        """Why the current choice can't be exported ('' when it can)."""
        parent, name = self.parent_edit.text().strip(), self.name_edit.text().strip()
        if not parent:
            return "Choose a parent folder."
        if not Path(parent).is_dir():
            return "The parent folder does not exist."
        if not name:
            return "Type a name for the project folder."
        if name in (".", "..") or any(c in name for c in '/\\:*?"<>|') or name != name.strip(". "):
            return "The folder name can't contain / \\ : * ? \" < > | or start or end with a dot."
        return ""

    def target(self) -> str:
        return str(Path(self.parent_edit.text().strip()) / self.name_edit.text().strip())

    def _update(self) -> None:
        problem = self.problem()
        self.export_button.setEnabled(not problem)
        if problem:
            self.target_label.setText(problem)
            return
        target = Path(self.target())
        if target.is_dir() and any(target.iterdir()):
            self.target_label.setText(f"Updates the existing project in {target}")
        else:
            self.target_label.setText(f"Creates {target}")
