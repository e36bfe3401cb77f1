"""Preview panel: the files the export would write (a tree; the selected node's files first) and the chosen
file's text (read-only). Choosing a node on the canvas shows its files.

For a project opened from a Dagster project folder it shows what File > Save would change in that folder
instead (``services/save_preview.py``, made from the save's own plan): changed files as a unified diff,
new files in full, removed files with a note; a line above says what Save would write.

Refreshed after edits, debounced, and only while the panel is really visible (a tab behind Problems is
not): opening a big project costs the preview nothing until the user looks at it. Generation runs off the
UI thread on a copy-on-write snapshot of the project (the validation runner's, a shallow copy per node),
so neither typing nor opening waits for serialisation or codegen.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QSplitter, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from dagster_designer_qt.ui.validation_runner import build_with_sources, take_snapshot, take_sources
from dagster_designer_qt.ui.workers import run_in_background

DEBOUNCE_MS = 400
PATH_ROLE = Qt.ItemDataRole.UserRole


def _generate(taken: tuple, extra: dict, components, sources: tuple | None = None) -> tuple:
    """On the worker: (path -> text shown, node id -> the folder holding its files, a summary line or None)."""
    project = build_with_sources(taken, extra, sources)
    if sources is not None:
        return _save_preview(project, components)
    from dagster_designer_qt.services.codegen import generate

    gen = generate(project, components)
    folders: dict[str, str] = {}
    for node_id, folder_slug in gen.folders.items():
        suffix = f"/defs/{folder_slug}/"
        folder = next((p[: p.index(suffix) + len(suffix)] for p in gen.files if suffix in p), "")
        if folder:
            folders[node_id] = folder
    return dict(gen.files), folders, None


def _save_preview(project, components) -> tuple:
    """What Save would change in the project's folder (the save's own plan, nothing written)."""
    from dagster_designer_qt.services.save_preview import REMOVED, preview_save

    preview = preview_save(project, components)
    shown = {path: f.shown if f.status != REMOVED else
             "# Save removes this file: its last component was removed. What it holds now:\n" + f.shown
             for path, f in preview.files.items()}
    summary = "\n".join([preview.summary(), *preview.warnings[:5]])
    return shown, dict(preview.node_folders), summary


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
        self._folders: dict[str, str] = {}
        self._closed = False
        self._shown_before = False
        self.files = QTreeWidget(self)
        self.files.setObjectName("previewFiles")
        self.files.setAccessibleName("Generated files")
        self.files.setHeaderHidden(True)
        self.files.setUniformRowHeights(True)
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
        self.files.currentItemChanged.connect(self._on_current_item)
        # Bound methods, not lambdas: the registry outlives this window, and a lambda connected to it
        # would keep the panel, its document and the whole window alive after the window closed.
        document.selection_changed.connect(self._follow_selection)
        document.undo_stack.indexChanged.connect(self.schedule)
        document.project_replaced.connect(self.schedule)
        document.modified_changed.connect(self.schedule)  # saved in place: nothing left to show
        context.registry.components_loaded.connect(self.schedule)

    def _on_current_item(self, item, _old=None) -> None:
        if item is not None:
            self._show_file(item.data(0, PATH_ROLE))

    def _follow_selection(self, _ids=None) -> None:
        self._fill(follow=True)

    def schedule(self, *_args) -> None:
        self._dirty = True
        if self.is_shown() and not self._closed:
            self.timer.start()

    def is_shown(self) -> bool:
        """On screen: visible, and not a dock tab behind another one. Qt leaves the widget of a tabified
        dock that is not the current tab visible (``isVisible()``) with nothing of it on screen; counting
        it as shown generated the whole project's code at every open and edit (at 20k nodes: seconds of a
        worker's CPU and GIL, ~4 KiB of memory per node) for a tab nobody looked at."""
        return self.isVisible() and not self.visibleRegion().isEmpty()

    def dock_visibility_changed(self, visible: bool) -> None:
        """Its dock's ``visibilityChanged``: a tab brought to the front regenerates what changed meanwhile."""
        if visible and self._dirty and not self._closed:
            self.timer.start(0 if self._shown_before else DEBOUNCE_MS)
            self._shown_before = True

    def shutdown(self) -> None:
        """The window closes: no more refreshes; a generation in flight reports to nobody."""
        self._closed = True
        self.timer.stop()
        if self._running is not None:
            self._running.cancel()
            self._running = None

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self._dirty and not self._closed:
            # A first show before the window is on screen is the app's start (a saved layout with this tab
            # in front): the first generation (which imports codegen, tomlkit and PyYAML on the worker,
            # sharing the GIL) waits a debounce so the first frame and the palette come first. Shown later
            # (the window builds this panel when its tab is first picked) it regenerates at once.
            handle = self.window().windowHandle()
            at_start = not self._shown_before and not (handle is not None and handle.isExposed())
            self.timer.start(DEBOUNCE_MS if at_start else 0)
        self._shown_before = True

    def _components(self):
        registry = self.context.registry
        return {c.type: c for c in registry.components()} if registry.is_loaded() else None

    def _refresh_if_visible(self) -> None:
        # A tabified dock's panel can be shown for a moment while the main window lays out its docks;
        # by the time the timer fires it is hidden again (or behind another tab) and showEvent or its
        # dock's visibilityChanged will bring it back when needed.
        if self.is_shown():
            self.refresh()

    def refresh(self) -> None:
        """Regenerate now (in the background)."""
        if self._closed:
            return
        if self._running is not None and self._running.is_running():
            self._again = True
            return
        self._dirty = False
        project = self.document.project
        self._running = run_in_background(_generate, take_snapshot(project), dict(project.extra),
                                          self._components(), take_sources(project),
                                          on_done=self._on_done, name="preview")

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
        self._files, self._folders = dict(files[0] or {}), dict(files[1] or {})
        if files[2]:
            self.message.setText(files[2])
            self.message.show()
        self._fill(follow=False)

    def summary(self) -> str:
        """The line above the files (what Save would write, for a project opened from a folder)."""
        return self.message.text() if not self.message.isHidden() else ""

    def node_folders(self) -> dict[str, str]:
        return dict(self._folders)

    def selected_folder(self) -> str:
        """The folder of the single selected node's files ('' when none)."""
        ids = self.document.selection()
        return self._folders.get(ids[0], "") if len(ids) == 1 else ""

    def _fill(self, follow: bool) -> None:
        """The tree: the selected node's files first (expanded), then the whole project by folder."""
        if not self._files:
            self.files.clear()
            self.text.clear()
            return
        current = self.current_file()
        folder = self.selected_folder()
        self.files.blockSignals(True)
        self.files.clear()
        first_pick = None
        if folder:
            ids = self.document.selection()
            label = self.document.graph.node(ids[0]).label if self.document.graph.has_node(ids[0]) else ""
            top = QTreeWidgetItem([f"{label} — {folder.rstrip('/')}"])
            top.setToolTip(0, folder)
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            self.files.addTopLevelItem(top)
            leaves = []
            for name in sorted(n for n in self._files if n.startswith(folder)):
                leaf = QTreeWidgetItem(top, [name[len(folder):]])
                leaf.setData(0, PATH_ROLE, name)
                leaf.setToolTip(0, name)
                leaves.append(leaf)
            first_pick = next((leaf for leaf in leaves if leaf.data(0, PATH_ROLE).endswith("/defs.yaml")),
                              leaves[0] if leaves else None)
            top.setExpanded(True)
        dirs: dict[str, QTreeWidgetItem] = {}
        pick = None
        for name in sorted(self._files):
            parts = name.split("/")
            parent = None
            for depth in range(1, len(parts)):
                key = "/".join(parts[:depth])
                if key not in dirs:
                    item = QTreeWidgetItem([parts[depth - 1] + "/"])
                    (parent.addChild(item) if parent is not None else self.files.addTopLevelItem(item))
                    dirs[key] = item
                parent = dirs[key]
            leaf = QTreeWidgetItem([parts[-1]])
            leaf.setData(0, PATH_ROLE, name)
            leaf.setToolTip(0, name)
            (parent.addChild(leaf) if parent is not None else self.files.addTopLevelItem(leaf))
            if name == current:
                pick = leaf
        if not folder:
            self.files.expandToDepth(3)
        self.files.blockSignals(False)
        chosen = first_pick if (folder and (follow or pick is None or not current.startswith(folder))) else pick
        if chosen is None:
            chosen = self._find(next((n for n in sorted(self._files) if n.endswith("defs.yaml")),
                                     sorted(self._files)[0]))
        self.files.setCurrentItem(chosen)
        self.files.scrollToItem(chosen)
        self._show_file(chosen.data(0, PATH_ROLE))

    def _find(self, path: str) -> QTreeWidgetItem | None:
        from PySide6.QtWidgets import QTreeWidgetItemIterator

        it = QTreeWidgetItemIterator(self.files)
        while it.value() is not None:
            if it.value().data(0, PATH_ROLE) == path:
                return it.value()
            it += 1
        return None

    def current_file(self) -> str:
        item = self.files.currentItem()
        return (item.data(0, PATH_ROLE) or "") if item is not None else ""

    def visible_paths(self) -> list[str]:
        """File paths in tree order (the selected node's first), as the user sees them."""
        from PySide6.QtWidgets import QTreeWidgetItemIterator

        out = []
        it = QTreeWidgetItemIterator(self.files)
        while it.value() is not None:
            if it.value().data(0, PATH_ROLE):
                out.append(it.value().data(0, PATH_ROLE))
            it += 1
        return out

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
