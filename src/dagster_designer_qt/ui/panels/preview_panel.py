"""Preview panel: the files the export would write (list) and the selected file's text (read-only).

Refreshed after edits, debounced, and only while the panel is really visible (a tab behind Problems is
not): opening a big project costs the preview nothing until the user looks at it. Generation runs off the
UI thread on a copy-on-write snapshot of the project (the validation runner's, a shallow copy per node),
so neither typing nor opening waits for serialisation or codegen.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QLabel, QListWidget, QPlainTextEdit, QSplitter, QVBoxLayout, QWidget

from dagster_designer_qt.ui.validation_runner import build_snapshot, take_snapshot
from dagster_designer_qt.ui.workers import run_in_background

DEBOUNCE_MS = 400


def _generate(taken: tuple, extra: dict, components) -> dict[str, str]:
    from dagster_designer_qt.services.codegen import generate_files

    project = build_snapshot(taken)
    project.extra = extra
    return generate_files(project, components=components)


class PreviewPanel(QWidget):
    def __init__(self, document, context, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("previewPanel")
        self.setAccessibleName("Preview")
        self.document = document
        self.context = context
        self._files: dict[str, str] = {}
        self._dirty = True
        self._running = None
        self._again = False
        self.files = QListWidget(self)
        self.files.setObjectName("previewFiles")
        self.files.setAccessibleName("Generated files")
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("previewText")
        self.text.setAccessibleName("File contents")
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.message = QLabel(self)
        self.message.setObjectName("previewMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.files)
        splitter.addWidget(self.text)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([260, 700])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.message)
        layout.addWidget(splitter, 1)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self._refresh_if_visible)
        self.files.currentTextChanged.connect(self._show_file)
        document.undo_stack.indexChanged.connect(lambda _i: self.schedule())
        document.project_replaced.connect(lambda _p: self.schedule())
        context.registry.components_loaded.connect(lambda _c: self.schedule())

    def schedule(self) -> None:
        self._dirty = True
        if self.isVisible():
            self.timer.start()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self._dirty:
            self.timer.start(0)

    def _components(self):
        registry = self.context.registry
        return {c.type: c for c in registry.components()} if registry.is_loaded() else None

    def _refresh_if_visible(self) -> None:
        # A tabified dock's panel can be shown for a moment while the main window lays out its docks;
        # by the time the timer fires it is hidden again and showEvent will bring it back when needed.
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        """Regenerate now (in the background)."""
        if self._running is not None and self._running.is_running():
            self._again = True
            return
        self._dirty = False
        project = self.document.project
        self._running = run_in_background(_generate, take_snapshot(project), dict(project.extra),
                                          self._components(), on_done=self._on_done, name="preview")

    def wait(self, timeout: float = 10.0) -> None:
        if self._running is not None:
            self._running.wait(timeout)

    def _on_done(self, files, error) -> None:
        self._running = None
        if self._again:
            self._again = False
            self.refresh()
            return
        if error is not None:
            if isinstance(error, ImportError):
                text = "Preview is not available in this build (code generation module missing)."
            else:
                text = f"Cannot generate the project: {error}"
            self.message.setText(text)
            self.message.show()
            return
        self.message.hide()
        current = self.files.currentItem().text() if self.files.currentItem() else None
        self._files = dict(files or {})
        self.files.blockSignals(True)
        self.files.clear()
        self.files.addItems(sorted(self._files))
        self.files.blockSignals(False)
        names = sorted(self._files)
        if names:
            pick = current if current in self._files else next(
                (n for n in names if n.endswith("defs.yaml")), names[0])
            self.files.setCurrentRow(names.index(pick))
            self._show_file(pick)
        else:
            self.text.clear()

    def file_names(self) -> list[str]:
        return sorted(self._files)

    def _show_file(self, name: str) -> None:
        text = self._files.get(name)
        if text is None:
            return
        bar = self.text.verticalScrollBar()
        keep = bar.value() if self.text.documentTitle() == name else 0
        self.text.setPlainText(text)
        self.text.setDocumentTitle(name)
        bar.setValue(keep)
