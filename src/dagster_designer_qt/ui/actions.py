"""The window's actions (objectNames, shortcuts, icons, enabled state), menus, toolbar and the canvas
context menu. The handlers live in FileController / EditController / the view; this module only wires."""

from __future__ import annotations

import importlib.util
import html
import platform
import sys
from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox, QToolBar

from dagster_designer_qt import __version__

SK = QKeySequence.StandardKey


class Actions:
    """Attribute per action: ``actions.save``, ``actions.undo``... (objectName ``actionSave``...)."""

    def __init__(self, window):
        self.window = window
        self._icons: dict[QAction, str] = {}
        w = window
        files, edit, view, doc = w.files, w.edit, w.view, w.document
        self.new = self._make("actionNew", "&New", SK.New, "new", files.new_project,
                              "Start a new, empty project")
        self.new_window = self._make("actionNewWindow", "New &Window", "Ctrl+Shift+N", None, w.new_window,
                                     "Open another window")
        self.open = self._make("actionOpen", "&Open…", SK.Open, "open", lambda: files.open_project(),
                               "Open a project file")
        self.open_dagster = self._make("actionOpenDagsterProject", "Open &Dagster Project…", "Ctrl+Shift+O", None,
                                       lambda: files.open_dagster_project(),
                                       "Open an existing Dagster project folder; Save writes your changes back")
        self.save = self._make("actionSave", "&Save", SK.Save, "save", files.save, "Save the project")
        self.save_as = self._make("actionSaveAs", "Save &As…", SK.SaveAs, "save-as", files.save_as,
                                  "Save the project under a new name")
        if self.save_as.shortcut().isEmpty():
            self.save_as.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.export = self._make("actionExport", "&Export…", "Ctrl+E", "export", lambda: files.export_folder(),
                                 "Export a Dagster project folder")
        self.export_zip = self._make("actionExportZip", "Export as &ZIP…", "Ctrl+Shift+E", "export-zip",
                                     lambda: files.export_zip(), "Export the Dagster project as a ZIP archive")
        self.check_dagster = self._make("actionCheckDagster", "Check with &Dagster", "Ctrl+Shift+D", "check-dagster",
                                        w.dagster_check.start,
                                        "Export to a temporary folder and load the project with Dagster itself")
        self.quit = self._make("actionQuit", "&Quit", SK.Quit, None, w.close_all, "Quit Dagster Designer")
        if self.quit.shortcut().isEmpty():
            self.quit.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit.setMenuRole(QAction.MenuRole.QuitRole)

        self.undo = doc.undo_stack.createUndoAction(w, "&Undo")
        self._setup(self.undo, "actionUndo", SK.Undo, "undo", "Undo the last edit")
        self.redo = doc.undo_stack.createRedoAction(w, "&Redo")
        self._setup(self.redo, "actionRedo", SK.Redo, "redo", "Redo the edit undone last")
        if sys.platform != "darwin":
            self.redo.setShortcuts([QKeySequence(SK.Redo), QKeySequence("Ctrl+Shift+Z")])
        self.cut = self._make("actionCut", "Cu&t", SK.Cut, "cut", edit.cut, "Cut the selected nodes")
        self.copy = self._make("actionCopy", "&Copy", SK.Copy, "copy", edit.copy, "Copy the selected nodes")
        self.paste = self._make("actionPaste", "&Paste", SK.Paste, "paste", edit.paste,
                                "Paste nodes (also from another window)")
        self.duplicate = self._make("actionDuplicate", "D&uplicate", "Ctrl+D", "duplicate", edit.duplicate,
                                    "Duplicate the selected nodes")
        self.delete = self._make("actionDelete", "&Delete", SK.Delete, "delete", edit.delete,
                                 "Delete the selected nodes and connections")
        self.delete.setShortcuts([QKeySequence(SK.Delete), QKeySequence(Qt.Key.Key_Backspace)])
        self.select_all = self._make("actionSelectAll", "Select &All", SK.SelectAll, "select-all",
                                     edit.select_all, "Select every node")
        self.rename = self._make("actionRename", "&Rename…", "F2", None, w.rename_selected,
                                 "Rename the selected node")
        self.connect_selected = self._make("actionConnectSelected", "C&onnect Selected", "Ctrl+K", None,
                                           edit.connect_selected,
                                           "Connect the two selected nodes, the first selected upstream")
        self.getting_started = self._make("actionGettingStarted", "&Getting Started", "F1", None,
                                          w.show_getting_started, "A short introduction to Dagster Designer")
        self.shortcuts = self._make("actionShortcuts", "&Keyboard Shortcuts", "Ctrl+/", None,
                                    w.show_shortcuts, "Every keyboard shortcut of the window")

        self.zoom_in = self._make("actionZoomIn", "Zoom &In", SK.ZoomIn, "zoom-in", view.zoom_in, "Zoom in")
        self.zoom_in.setShortcuts([QKeySequence(SK.ZoomIn), QKeySequence("Ctrl+=")])
        self.zoom_out = self._make("actionZoomOut", "Zoom &Out", SK.ZoomOut, "zoom-out", view.zoom_out,
                                   "Zoom out")
        self.zoom_reset = self._make("actionZoomReset", "&Actual Size", "Ctrl+0", None, view.reset_zoom,
                                     "Zoom to 100%")
        self.fit_view = self._make("actionFitView", "&Fit to Window", "Ctrl+Shift+F", "fit",
                                   lambda: view.fit_to_window(), "Show the whole graph")
        self.find_node = self._make("actionFindNode", "&Find Node…", SK.Find, None, view.find_bar.open,
                                    "Find a node by part of its label; Enter selects it and centres the view")
        if self.find_node.shortcut().isEmpty():
            self.find_node.setShortcut(QKeySequence("Ctrl+F"))
        self.show_minimap = QAction("Show &Minimap", w)
        self.show_minimap.setObjectName("actionShowMinimap")
        self.show_minimap.setCheckable(True)
        self.show_minimap.setChecked(not view.minimap.isHidden())
        self.show_minimap.setStatusTip("Show the whole graph in a small map at the canvas's corner")
        self.show_minimap.toggled.connect(view.minimap.setVisible)
        self.auto_layout = self._make("actionAutoLayout", "Auto &Layout", "Ctrl+Shift+L", "layout",
                                      edit.auto_layout,
                                      "Arrange the graph (or the selected nodes) left to right")
        self.focus_palette = self._make("actionFocusPalette", "Focus &Palette", "Alt+1", None,
                                        partial(w.focus_panel, "palette"), "Move the keyboard focus to the palette")
        self.focus_canvas = self._make("actionFocusCanvas", "Focus &Canvas", "Alt+2", None,
                                       partial(w.focus_panel, "canvas"), "Move the keyboard focus to the canvas")
        self.focus_properties = self._make("actionFocusProperties", "Focus P&roperties", "Alt+3", None,
                                           partial(w.focus_panel, "properties"),
                                           "Move the keyboard focus to the property panel")
        self.focus_problems = self._make("actionFocusProblems", "Focus Pro&blems", "Alt+4", None,
                                         partial(w.focus_panel, "problems"), "Move the keyboard focus to Problems")

        self.theme_group = QActionGroup(w)
        self.theme_group.setExclusive(True)
        self.themes: dict[str, QAction] = {}
        for key, text in (("system", "Follow &System"), ("light", "&Light"), ("dark", "&Dark")):
            action = QAction(text, w)
            action.setObjectName(f"actionTheme{key.title()}")
            action.setCheckable(True)
            action.setChecked(w.theme.choice == key)
            action.triggered.connect(partial(w.set_theme, key))
            self.theme_group.addAction(action)
            self.themes[key] = action

        self.git = self._make("actionGit", "&Git…", "Ctrl+Shift+G", "git", w.open_git_dialog,
                              "Export into a Git repository, commit and push")
        if importlib.util.find_spec("dagster_designer_qt.ui.dialogs.git_dialog") is None:
            self.git.setEnabled(False)
            self.git.setToolTip("Git support is not available in this build")
        self.refresh_components = self._make("actionRefreshComponents", "&Reload Components", None, None,
                                             lambda: w.context.registry.start(refresh=True),
                                             "Discover installed component types again")
        self.about = self._make("actionAbout", "&About Dagster Designer", None, None, w.show_about,
                                "Versions and credits")
        self.about.setMenuRole(QAction.MenuRole.AboutRole)
        self.recent_menu: QMenu | None = None
        self._recent_shown: list[str] | None = None  # the files the recent menu lists
        self.examples_menu: QMenu | None = None

        self._make_run_actions()

        self.selection_actions = [self.cut, self.copy, self.duplicate]
        doc.selection_changed.connect(lambda _ids: self.update_enabled())
        w.scene.selectionChanged.connect(self.update_enabled)
        edit.can_paste_changed.connect(self.paste.setEnabled)
        doc.undo_stack.indexChanged.connect(lambda _i: self.update_enabled())
        doc.project_replaced.connect(lambda _p: self.update_enabled())  # Open into an unedited window
        w.dagster_check.running_changed.connect(lambda _running: self.update_enabled())
        self.update_enabled()

    # ---------------------------------------------------------------- making
    def _make(self, name, text, shortcut, icon, slot, tip) -> QAction:
        action = QAction(text, self.window)
        self._setup(action, name, shortcut, icon, tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _setup(self, action: QAction, name, shortcut, icon, tip) -> None:
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if icon:
            self._icons[action] = icon
            action.setIcon(self.window.theme.ui_icon(icon))
        label = action.text().replace("&", "").rstrip("…")
        action.setStatusTip(tip)
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{label} ({keys})" if keys else label)
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)

    def recolor_icons(self) -> None:
        for action, icon in self._icons.items():
            action.setIcon(self.window.theme.ui_icon(icon))

    def update_enabled(self) -> None:
        w = self.window
        has_nodes = bool(w.document.selection())
        for action in self.selection_actions:
            action.setEnabled(has_nodes)
        self.rename.setEnabled(len(w.document.selection()) == 1)
        self.connect_selected.setEnabled(len(w.document.selection()) == 2)
        self.delete.setEnabled(w.edit.has_deletable())
        self.paste.setEnabled(w.edit.can_paste())
        any_nodes = w.document.graph.node_count() > 0
        self.select_all.setEnabled(any_nodes)
        self.auto_layout.setEnabled(any_nodes)
        self.check_dagster.setEnabled(w.dagster_check.can_run())
        self.update_run_enabled()

    # ---------------------------------------------------------------- run
    def _make_run_actions(self) -> None:
        w = self.window
        runs = w.run_controller
        self.run = self._make("actionRun", "&Run", "F5", "run", runs.run_all,
                              "Materialize every asset (exports to the project's run folder first)")
        self.run_selected = self._make("actionRunSelected", "Run &Selected", "Shift+F5", "run-selected",
                                       lambda: runs.run_selected(upstream=w.run_panel.upstream.isChecked()),
                                       "Materialize the selected nodes' assets (with upstream when ticked "
                                       "in the Run panel)")
        self.cancel_run = self._make("actionCancelRun", "&Cancel Run", None, "cancel-run", runs.cancel,
                                     "Stop the run and every process it started")
        self.open_dagster_ui = self._make("actionOpenDagsterUI", "Open in Dagster &UI", None, "dagster-ui",
                                          runs.open_dagster_ui,
                                          "Start dagster dev for the export on 127.0.0.1 and open it in the browser")
        self.stop_dagster_ui = self._make("actionStopDagsterUI", "S&top Dagster UI", None, None,
                                          runs.stop_dagster_ui, "Stop the dagster dev started for this window")
        runs.running_changed.connect(lambda _running: self.update_run_enabled())
        runs.dev_changed.connect(lambda _running, _text: self.update_run_enabled())

    def update_run_enabled(self) -> None:
        w = self.window
        runs = w.run_controller
        self.run.setEnabled(runs.can_run())
        self.run_selected.setEnabled(runs.can_run() and bool(w.document.selection()))
        self.cancel_run.setEnabled(runs.is_running())
        self.open_dagster_ui.setEnabled(w.document.graph.node_count() > 0 or runs.dev_running())
        self.stop_dagster_ui.setEnabled(runs.dev_running())

    # ---------------------------------------------------------------- menus
    def build_menus(self) -> None:
        w = self.window
        bar = w.menuBar()
        m = bar.addMenu("&File")
        m.setObjectName("menuFile")
        m.addActions([self.new, self.new_window, self.open])
        m.addAction(self.open_dagster)
        self.recent_menu = m.addMenu("Open &Recent")
        self.recent_menu.setObjectName("menuRecent")
        self.update_recent(w.files.recent_files())
        self.examples_menu = m.addMenu("Open E&xample")
        self.examples_menu.setObjectName("menuExamples")
        self._fill_examples()
        m.addSeparator()
        m.addActions([self.save, self.save_as])
        m.addSeparator()
        m.addActions([self.export, self.export_zip, self.check_dagster])
        m.addSeparator()
        m.addAction(self.quit)

        m = bar.addMenu("&Edit")
        m.setObjectName("menuEdit")
        m.addActions([self.undo, self.redo])
        m.addSeparator()
        m.addActions([self.cut, self.copy, self.paste, self.duplicate, self.delete])
        m.addSeparator()
        m.addActions([self.select_all, self.rename])
        m.addAction(self.connect_selected)

        m = bar.addMenu("&View")
        m.setObjectName("menuView")
        m.addActions([self.zoom_in, self.zoom_out, self.zoom_reset, self.fit_view])
        m.addActions([self.find_node, self.show_minimap])
        m.addSeparator()
        m.addAction(self.auto_layout)
        m.addSeparator()
        panels = m.addMenu("&Panels")
        for dock in w.docks():
            panels.addAction(dock.toggleViewAction())
        m.addActions([self.focus_palette, self.focus_canvas, self.focus_properties, self.focus_problems])
        m.addSeparator()
        theme = m.addMenu("&Theme")
        theme.setObjectName("menuTheme")
        theme.addActions(list(self.themes.values()))
        m.addSeparator()
        m.addAction(self.refresh_components)

        m = bar.addMenu("&Run")
        m.setObjectName("menuRun")
        m.addActions([self.run, self.run_selected, self.cancel_run])
        m.addSeparator()
        m.addActions([self.open_dagster_ui, self.stop_dagster_ui])

        m = bar.addMenu("&Git")
        m.setObjectName("menuGit")
        m.addAction(self.git)

        m = bar.addMenu("&Help")
        m.setObjectName("menuHelp")
        m.addActions([self.getting_started, self.shortcuts])
        m.addSeparator()
        self.show_log = self._make("actionShowLog", "Show &Log File", None, None,
                                   lambda: show_log_file(self.window),
                                   f"Errors and diagnostics are logged to {log_file_path()}")
        m.addAction(self.show_log)
        m.addAction(self.about)

    def _fill_examples(self) -> None:
        from dagster_designer_qt.ui.resources import examples_dir

        folder = examples_dir()
        paths = sorted(folder.glob("*.ddp.json")) if folder.is_dir() else []
        for path in paths:
            title = path.name.removesuffix(".ddp.json").replace("_", " ").title()
            action = self.examples_menu.addAction(title)
            action.setObjectName(f"actionExample_{path.name.removesuffix('.ddp.json')}")
            action.setToolTip(str(path))
            action.triggered.connect(partial(self.window.files.open_example, path))
        self.examples_menu.setEnabled(bool(paths))

    def update_recent(self, files: list[str]) -> None:
        menu = self.recent_menu
        if menu is None or files == self._recent_shown:  # reopening the first one changes nothing
            return
        self._recent_shown = list(files)
        menu.clear()
        for i, path in enumerate(files):
            action = menu.addAction(f"&{i + 1}  {path}" if i < 9 else path)
            action.triggered.connect(partial(self.window.open_path, path))
        if files:
            menu.addSeparator()
            menu.addAction("&Clear Menu", self.window.files.clear_recent)
        menu.setEnabled(bool(files))

    def build_toolbar(self) -> QToolBar:
        bar = QToolBar("Main toolbar", self.window)
        bar.setObjectName("mainToolBar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        bar.addActions([self.new, self.open, self.save])
        bar.addSeparator()
        bar.addActions([self.undo, self.redo])
        bar.addSeparator()
        bar.addActions([self.cut, self.copy, self.paste, self.delete])
        bar.addSeparator()
        bar.addActions([self.zoom_out, self.zoom_in, self.fit_view, self.auto_layout])
        bar.addSeparator()
        bar.addActions([self.export, self.check_dagster, self.git])
        bar.addSeparator()
        bar.addActions([self.run, self.run_selected, self.cancel_run, self.open_dagster_ui])
        return bar

    def context_menu(self, over_item: bool) -> QMenu:
        menu = QMenu(self.window)
        if over_item:
            menu.addActions([self.cut, self.copy, self.duplicate, self.delete])
            menu.addSeparator()
            menu.addAction(self.rename)
            menu.addAction(self.auto_layout)
            menu.addSeparator()
            menu.addAction(self.run_selected)
        else:
            menu.addActions([self.paste, self.select_all])
            menu.addSeparator()
            menu.addActions([self.fit_view, self.auto_layout])
        return menu


def about_text() -> str:
    from importlib import metadata

    import PySide6
    from PySide6.QtCore import qVersion

    rows = [("Dagster Designer", __version__), ("Python", platform.python_version()),
            ("PySide6", PySide6.__version__), ("Qt", qVersion())]
    for dist in ("dagster", "dagster-dbt", "dagster-sling", "dagster-fivetran"):
        try:
            rows.append((dist, metadata.version(dist)))
        except metadata.PackageNotFoundError:
            rows.append((dist, "not installed"))
    table = "".join(f"<tr><td>{k}</td><td>&nbsp;&nbsp;{v}</td></tr>" for k, v in rows)
    return ("<h3>Dagster Designer</h3><p>Design Dagster projects visually and export real, loadable "
            f"Dagster projects.</p><table>{table}</table>"
            f"<p>{platform.system()} {platform.release()}</p>"
            f"<p>Log file: {html.escape(log_file_path())}</p>")


def log_file_path() -> str:
    from dagster_designer_qt.services.logging_setup import log_file

    return str(log_file())


def show_log_file(parent) -> None:
    """Tell where the log is and open its folder in the file manager."""
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    from dagster_designer_qt.services.logging_setup import log_dir

    folder = log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    parent.statusBar().showMessage(f"Log file: {log_file_path()}", 15000)
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def show_about(parent) -> None:
    QMessageBox.about(parent, "About Dagster Designer", about_text())
