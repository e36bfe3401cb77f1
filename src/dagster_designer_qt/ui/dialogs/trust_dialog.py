"""Asks before Dagster loads a project that would run code (services.trust): shows exactly what would run
(templates outside the allow-list, Python modules) and offers to trust it once or to remember the trust
for this project file with this content. Cancel is the default: Enter or Escape runs nothing."""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dagster_designer_qt.core.terminal import printable_lines
from dagster_designer_qt.services.trust import TrustReport

ONCE, ALWAYS, CANCEL = "once", "always", "cancel"
_DETAIL_CHARS = 2000


def report_text(report: TrustReport) -> str:
    """What the dialog lists: each item, then the template or the start of the Python file."""
    blocks = []
    for item in report.items:
        detail = item.detail if len(item.detail) <= _DETAIL_CHARS else item.detail[:_DETAIL_CHARS] + "\n…"
        blocks.append(item.line() + ("\n    " + printable_lines(detail.rstrip("\n")).replace("\n", "\n    ")
                                     if detail and not item.what.startswith("template") else ""))
    return "\n\n".join(blocks)


class TrustDialog(QDialog):
    def __init__(self, report: TrustReport, *, can_remember: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Trust this project?")
        self.answer = CANCEL
        layout = QVBoxLayout(self)
        n = len(report.items)
        head = QLabel(
            f"<b>Loading this project with Dagster would run code.</b><br>"
            f"{n} item{'s' if n != 1 else ''} below run as Python when Dagster loads the project: templates "
            "that go beyond environment variables and the project root, or Python modules. Only continue "
            "if you trust whoever wrote this project.")
        head.setWordWrap(True)
        layout.addWidget(head)
        self.details = QPlainTextEdit(report_text(report))
        self.details.setObjectName("trustDetails")
        self.details.setReadOnly(True)
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details.setMinimumSize(560, 220)
        layout.addWidget(self.details)
        buttons = QDialogButtonBox()
        self.always_button = QPushButton("Trust and Remember")
        self.always_button.setToolTip("Trust this project file while what would run stays the same")
        self.always_button.setEnabled(can_remember)
        self.once_button = QPushButton("Trust Once")
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton(self.always_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.once_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button.setDefault(True)
        self.cancel_button.setFocus()
        self.always_button.clicked.connect(lambda: self._finish(ALWAYS))
        self.once_button.clicked.connect(lambda: self._finish(ONCE))
        self.cancel_button.clicked.connect(self.reject)
        layout.addWidget(buttons)

    def _finish(self, answer: str) -> None:
        self.answer = answer
        self.accept()


def ask_trust(report: TrustReport, *, can_remember: bool, parent: QWidget | None = None) -> str:
    """"once", "always" or "cancel"."""
    dialog = TrustDialog(report, can_remember=can_remember, parent=parent)
    dialog.exec()
    return dialog.answer
