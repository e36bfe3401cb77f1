"""The main window: composes the canvas, the docks, menus, toolbar and status bar. Behaviour lives in
FileController (files), EditController (edit verbs), Actions (wiring) and the panels."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QMenu, QWidget
from shiboken6 import isValid

from dagster_designer_qt.ui import resources
from dagster_designer_qt.ui import settings as ui_settings
from dagster_designer_qt.ui.actions import Actions, show_about
from dagster_designer_qt.ui.canvas.scene import GraphScene
from dagster_designer_qt.ui.canvas.view import GraphView
from dagster_designer_qt.ui.dagster_check import DagsterCheck
from dagster_designer_qt.ui.document import ProjectDocument
from dagster_designer_qt.ui.edit_controller import EditController
from dagster_designer_qt.ui.file_controller import FileController, Prompts
from dagster_designer_qt.ui.lazy_dock import LazyDockWidget
from dagster_designer_qt.ui.panels.palette import ComponentPalette
from dagster_designer_qt.ui.panels.problems_panel import ProblemsPanel
from dagster_designer_qt.ui.panels.property_panel import PropertyPanel
from dagster_designer_qt.ui.panels.run_panel import RunPanel
from dagster_designer_qt.ui.recovery import RecoveryManager
from dagster_designer_qt.ui.run_controller import RunController
from dagster_designer_qt.ui.validation_runner import ValidationRunner


SMALL_WINDOW = 1200  # px wide: below this the side docks give the canvas room (fit_docks_to_window)


class MainWindow(QMainWindow):
    def __init__(self, context, theme, document: ProjectDocument | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setAccessibleName("Dagster Designer")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.setWindowIcon(resources.icon("app/dagster-designer"))
        self.context = context
        context = self.context = self._own_context(context)
        self.theme = theme
        self.settings = context.settings
        self.document = document or ProjectDocument(parent=self)
        self.validation = ValidationRunner(self.document, context, self)
        self.scene = GraphScene(self.document, context.registry, self)
        self.view = GraphView(self.document, self.scene, self)
        self.setCentralWidget(self.view)
        self.palette = ComponentPalette(context.registry, theme, self)
        self.property_panel = PropertyPanel(self.document, context, self.validation)
        self.problems_panel = ProblemsPanel(self.document, self.validation)
        self.dagster_check = DagsterCheck(self.document, context.registry, self)
        self.palette_dock = self._dock("paletteDock", "Components", self.palette, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.property_dock = self._dock("propertyDock", "Properties", self.property_panel,
                                        Qt.DockWidgetArea.RightDockWidgetArea)
        self.problems_dock = self._dock("problemsDock", "Problems", self.problems_panel,
                                        Qt.DockWidgetArea.BottomDockWidgetArea)
        # Preview and Dagster are tabs behind Problems: their widgets are built when first shown or used. (Not
        # Run: its widget's minimum size sets the bottom docks' height and the window's minimum width.)
        self.preview_dock = self._dock("previewDock", "Preview", None, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.dagster_dock = self._dock("dagsterDock", "Dagster", None, Qt.DockWidgetArea.BottomDockWidgetArea)
        self._lazy_panels = {"preview": LazyDockWidget(self.preview_dock, self._build_preview_panel),
                             "dagster": LazyDockWidget(self.dagster_dock, self._build_dagster_panel)}
        self.run_controller = RunController(self, self)
        self.run_panel = RunPanel(self.run_controller)
        self.run_dock = self._dock("runDock", "Run", self.run_panel, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.tabifyDockWidget(self.problems_dock, self.preview_dock)
        self.tabifyDockWidget(self.preview_dock, self.dagster_dock)
        self.tabifyDockWidget(self.dagster_dock, self.run_dock)
        self.problems_dock.raise_()
        self.resizeDocks([self.palette_dock, self.property_dock], [250, 340], Qt.Orientation.Horizontal)
        self.resizeDocks([self.problems_dock], [190], Qt.Orientation.Vertical)

        self.prompts = Prompts(self)
        self.files = FileController(self.document, self.settings, self.prompts, context.registry, self)
        self.edit = EditController(self.document, self.scene, self.view, self)
        self.recovery = RecoveryManager(self.document, parent=self)
        self.recovery.failed.connect(lambda text: self.statusBar().showMessage(text, 0))
        self.actions = Actions(self)
        self.actions.build_menus()
        self.run_panel.set_actions(self.actions.run, self.actions.run_selected, self.actions.cancel_run,
                                   self.actions.open_dagster_ui, self.actions.stop_dagster_ui)
        self.addToolBar(self.actions.build_toolbar())
        self._build_status_bar()
        self._connect()
        self._build_python_status()
        self._build_project_code()
        self._connect_problem_summary()
        self._connect_canvas_gestures()
        self._build_empty_hint()
        self._git_dialog = None
        self.setTabOrder(self.palette.search, self.palette.tree)
        self.setTabOrder(self.palette.tree, self.view)
        self.setTabOrder(self.view, self.property_panel)
        self.update_title()
        self.resize(1440, 900)
        self._restore_layout()

    # ------------------------------------------------------------ building
    def _dock(self, name: str, title: str, widget: QWidget | None, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setAccessibleName(title)
        if widget is not None:  # None: a LazyDockWidget gives it its widget when first needed
            dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        return dock

    # The widgets of the Preview and Dagster docks, built on first use (LazyDockWidget).
    @property
    def preview_panel(self):
        return self._lazy_panels["preview"].widget()

    @property
    def dagster_panel(self):
        return self._lazy_panels["dagster"].widget()

    def _build_preview_panel(self):
        from dagster_designer_qt.ui.panels.preview_panel import PreviewPanel

        panel = PreviewPanel(self.document, self.context)
        self.preview_dock.visibilityChanged.connect(panel.dock_visibility_changed)
        return panel

    def _build_dagster_panel(self):
        from dagster_designer_qt.ui.panels.dagster_panel import DagsterPanel

        panel = DagsterPanel(self.dagster_check)  # shows a check already running
        panel.set_action(self.actions.check_dagster)
        panel.asset_activated.connect(self.show_node)
        return panel

    def docks(self) -> list[QDockWidget]:
        return [self.palette_dock, self.property_dock, self.problems_dock, self.preview_dock, self.dagster_dock,
                self.run_dock]

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        bar.setObjectName("statusBar")
        self.count_label = QLabel(self)
        self.count_label.setObjectName("statusCounts")
        self.zoom_label = QLabel(self)
        self.zoom_label.setObjectName("statusZoom")
        self.zoom_label.setMinimumWidth(48)
        self.registry_label = QLabel(self)
        self.registry_label.setObjectName("statusRegistry")
        bar.addPermanentWidget(self.registry_label)
        bar.addPermanentWidget(self.count_label)
        bar.addPermanentWidget(self.zoom_label)
        self._update_counts()
        self._update_registry_label()
        self.zoom_label.setText("100%")

    def _build_python_status(self) -> None:
        """The status bar names the project's Python interpreter and its Dagster version; a wanted one that
        failed its checks is reported (the designer's own is used then)."""
        from dagster_designer_qt.ui.project_python_controller import ProjectPythonController

        self.python_label = QLabel(self)
        self.python_label.setObjectName("statusPython")
        self.statusBar().insertPermanentWidget(0, self.python_label)
        self.project_python = ProjectPythonController(self.document, self.context.registry, self)
        self.project_python.resolved.connect(self._show_python)
        self.project_python.problem.connect(lambda text: self.statusBar().showMessage(text, 15000))

    def _own_context(self, context):
        """This window's context: its own registry model (each window lists its own project's types)."""
        from dagster_designer_qt.ui.context import window_context

        return window_context(context, self)

    def _build_project_code(self) -> None:
        """An opened project's own component types and Python modules' keys, loaded once trusted; a status
        bar button says they wait for trust and asks for it (so does the node's Properties)."""
        from PySide6.QtWidgets import QPushButton

        from dagster_designer_qt.ui.project_code import ProjectCodeController

        self.project_code = ProjectCodeController(self.document, self.context.registry,
                                                  self.dagster_check.ensure_trusted, self)
        self.trust_button = QPushButton("Trust Project Code…", self)
        self.trust_button.setObjectName("trustProjectCode")
        self.trust_button.setToolTip("This project defines its own components or Python assets. Loading them "
                                     "runs the project's code: review what would run, then trust the project.")
        self.trust_button.clicked.connect(self.project_code.request_trust)
        self.statusBar().insertPermanentWidget(0, self.trust_button)
        self.trust_button.setVisible(self.project_code.state == "pending")
        self.project_code.state_changed.connect(self._on_project_code_state)
        self.project_code.status.connect(self._show_project_code_status)
        self.project_code.keys_refreshed.connect(lambda _found: self._update_counts())  # edges it may add
        self.property_panel.trust_requested.connect(self.project_code.request_trust)

    def _on_project_code_state(self, state: str) -> None:
        self.trust_button.setVisible(state == "pending")

    def _show_project_code_status(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def _show_python(self, resolved) -> None:
        text = resolved.describe()
        self.python_label.setText(("⚠ " if resolved.problem else "") + text)
        tip = f"{resolved.path}\nPython {resolved.python_version}, {resolved.describe()[len('Python: '):]}"
        self.python_label.setToolTip(tip + (f"\n\n{resolved.problem}" if resolved.problem else ""))

    def _connect(self) -> None:
        doc, registry = self.document, self.context.registry
        doc.modified_changed.connect(lambda _m: self.update_title())
        doc.path_changed.connect(lambda _p: self.update_title())
        doc.project_replaced.connect(self._on_project_replaced)
        doc.project.meta_changed.connect(self._on_meta_changed)
        doc.undo_stack.indexChanged.connect(lambda _i: self._update_counts())
        self.validation.problems_changed.connect(self.scene.set_problems)
        self.scene.set_problems(self.validation.problems())
        # The registry outlives every window: only bound methods connect to it (Qt drops those with this
        # window), never lambdas (those would keep a closed window and its project alive).
        registry.components_loaded.connect(self._on_components_loaded)
        registry.loading_started.connect(self._update_registry_label)
        registry.loading_failed.connect(self._on_components_failed)
        self.palette.component_activated.connect(lambda t: self.edit.add_component(t))
        self.view.component_dropped.connect(self.edit.add_component)
        self.view.connection_rejected.connect(lambda text: self.statusBar().showMessage(text, 6000))
        self.view.zoom_changed.connect(lambda z: self.zoom_label.setText(f"{z * 100:.0f}%"))
        self.view.context_menu_requested.connect(
            lambda pos, over: self.actions.context_menu(over).popup(pos))
        self.problems_panel.problem_activated.connect(self.show_problem)
        self.dagster_check.started.connect(self._show_dagster_dock)
        for source in (self.files, self.edit):
            source.status.connect(lambda text: self.statusBar().showMessage(text, 5000))
        self.dagster_check.status.connect(lambda text: self.statusBar().showMessage(
            text, 0 if self.dagster_check.is_running() else 8000))  # progress stays until the result
        self.files.recent_changed.connect(self.actions.update_recent)
        self._connect_run()
        self.theme.changed.connect(self._apply_theme)
        self._apply_theme(self.theme.colors)

    def _connect_run(self) -> None:
        runs = self.run_controller
        runs.run_started.connect(lambda _record: self._show_run_dock())
        runs.status.connect(lambda text: self.statusBar().showMessage(text, 0 if runs.is_running() else 10000))
        runs.node_result_requested.connect(self.show_run_result)
        self.run_panel.node_activated.connect(self.show_node)

    def _show_run_dock(self) -> None:
        self.run_dock.show()
        self.run_dock.raise_()
        if not self.run_dock.isFloating() and self.run_dock.height() < 240:
            self.resizeDocks([self.run_dock], [240], Qt.Orientation.Vertical)

    def show_run_result(self, node_id: str) -> None:
        """A node's run badge was clicked: the Run panel shows that node's events and its error."""
        self._show_run_dock()
        self.run_panel.show_node_result(node_id)

    def _connect_problem_summary(self) -> None:
        """The Problems count on its tab and in the status bar (with "Validating…" while a pass runs)."""
        self.problems_label = QLabel(self)
        self.problems_label.setObjectName("statusProblems")
        self.statusBar().insertPermanentWidget(0, self.problems_label)
        self.problems_panel.summary_changed.connect(self._show_problem_summary)
        self.dagster_check.node_problems_changed.connect(
            lambda problems: self.validation.set_external_problems("dagster", problems))
        self._show_problem_summary(self.problems_panel.state(), self.problems_panel.summary())

    def _connect_canvas_gestures(self) -> None:
        """Connecting from the keyboard or into empty canvas, and double-click to edit a node."""
        self.view.quick_add_requested.connect(self.edit.open_quick_add)
        self.view.connection_accepted.connect(self._clear_refusal)
        self.view.node_double_clicked.connect(self.edit_node)

    def _build_empty_hint(self) -> None:
        from dagster_designer_qt.ui.canvas.empty_hint import EmptyCanvasHint
        from dagster_designer_qt.ui.resources import examples_dir

        self.empty_hint = EmptyCanvasHint(self.view, self.document)
        self.empty_hint.open_example.connect(
            lambda: self.files.open_example(examples_dir() / "analytics.ddp.json"))
        self.empty_hint.getting_started.connect(self.show_getting_started)

    def show_getting_started(self) -> None:
        from dagster_designer_qt.ui.dialogs.help_dialogs import GettingStartedDialog

        dialog = GettingStartedDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self._help_dialog = dialog

    def show_shortcuts(self) -> None:
        from dagster_designer_qt.ui.dialogs.help_dialogs import ShortcutsDialog

        actions = [a for menu in self.menuBar().findChildren(QMenu) for a in menu.actions()]
        dialog = ShortcutsDialog(actions, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self._help_dialog = dialog

    def _clear_refusal(self) -> None:
        if self.statusBar().currentMessage().startswith("Cannot connect"):
            self.statusBar().clearMessage()

    def edit_node(self, node_id: str) -> None:
        """Select the node and put the keyboard in its first property."""
        if not self.document.graph.has_node(node_id):
            return
        self.scene.select_nodes([node_id])
        self.property_dock.show()
        self.property_dock.raise_()
        self.property_panel.focus_first_field()

    def _show_problem_summary(self, state: str, text: str) -> None:
        self.problems_label.setText(text)
        self.problems_label.setProperty("state", state)
        self.problems_label.setToolTip("Problems: " + text)
        count = self.problems_panel.problem_count()
        self.problems_dock.setWindowTitle(f"Problems ({count})" if count else "Problems")

    # ------------------------------------------------------------ updates
    def update_title(self) -> None:
        doc = self.document
        self.setWindowTitle(f"{doc.display_name()}[*] — Dagster Designer")
        if self.isWindowModified() != doc.is_modified():  # Qt sends ModifiedChange (and retitles) even when equal
            self.setWindowModified(doc.is_modified())
        self.setWindowFilePath(str(doc.path) if doc.path else "")

    def _on_project_replaced(self, project) -> None:
        project.meta_changed.connect(self._on_meta_changed)
        self.update_title()
        self._update_counts()
        if self.view.isVisible():  # fit before any repaint: another widget's pending repaint (the window
            self.view.fit_to_window()  # repaints as a whole) painted the new project at the old zoom first
        QTimer.singleShot(0, self.view, self.view.fit_to_window)  # dropped if the window goes first

    def _on_components_loaded(self, _components) -> None:
        self.scene.refresh_components()
        self._update_registry_label()

    def _on_components_failed(self, message: str) -> None:
        self.statusBar().showMessage(f"Could not load components: {message}", 10000)

    def _on_meta_changed(self, name: str) -> None:
        if name == "name":
            self.update_title()

    def _update_counts(self) -> None:
        g = self.document.graph
        n, e = g.node_count(), g.edge_count()
        self.count_label.setText(f"{n} node{'s' if n != 1 else ''}, {e} connection{'s' if e != 1 else ''}")

    def _update_registry_label(self) -> None:
        registry = self.context.registry
        if registry.is_loading() and not registry.is_loaded():
            self.registry_label.setText("Loading components…")
        elif registry.is_loaded():
            self.registry_label.setText(f"{len(registry.components())} component types")
        else:
            self.registry_label.setText("")

    def _apply_theme(self, colors) -> None:
        dpr = self.devicePixelRatioF() if self.isVisible() else max(2.0, self.devicePixelRatioF())
        self.scene.set_colors(colors, dpr)
        self.view.apply_style()
        self.actions.recolor_icons()

    def set_theme(self, choice: str) -> None:
        ui_settings.set_theme(self.settings, choice)
        self.theme.set_choice(choice)
        if choice in self.actions.themes:
            self.actions.themes[choice].setChecked(True)

    # ------------------------------------------------------------ verbs
    def open_path(self, path: str) -> bool:
        return self.files.open_project(path)

    def show_node(self, node_id: str) -> bool:
        """Select a node and centre the canvas on it (from Problems or the Dagster panel)."""
        if not self.document.graph.has_node(node_id):
            return False
        self.scene.select_nodes([node_id])
        self.view.center_on_node(node_id)
        return True

    def _show_dagster_dock(self) -> None:
        self._lazy_panels["dagster"].widget()  # also when the window is hidden
        self.dagster_dock.show()
        self.dagster_dock.raise_()
        if not self.dagster_dock.isFloating() and self.dagster_dock.height() < 240:  # room for a few assets
            self.resizeDocks([self.dagster_dock], [240], Qt.Orientation.Vertical)

    def show_problem(self, node_id: str, path: tuple) -> None:
        if not self.show_node(node_id):
            return
        self.property_dock.show()
        self.property_dock.raise_()
        self.property_panel.focus_field(node_id, tuple(path))

    def rename_selected(self) -> None:
        ids = self.document.selection()
        if len(ids) != 1:
            return
        node = self.document.graph.node(ids[0])
        label = self.prompts.ask_text("Rename", "Name:", node.label)
        if label is not None:
            self.edit.rename(node.id, label)

    def focus_panel(self, which: str) -> None:
        target = {"palette": (self.palette_dock, self.palette.search),
                  "canvas": (None, self.view),
                  "properties": (self.property_dock, self.property_panel),
                  "problems": (self.problems_dock, self.problems_panel)}[which]
        dock, widget = target
        if dock is not None:
            dock.show()
            dock.raise_()
        widget.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if which == "properties" and not self.property_panel.hasFocus():
            self.property_panel.focusNextChild()

    def new_window(self):
        from dagster_designer_qt.app import open_window

        return open_window(self.context, self.theme)

    def close_all(self) -> None:
        from dagster_designer_qt.app import windows

        for window in list(windows()):
            if not window.close():
                return

    def open_git_dialog(self) -> None:
        try:
            from dagster_designer_qt.ui.dialogs.git_dialog import GitDialog
        except ImportError as exc:
            self.prompts.show_error("Git", f"Git support is not available: {exc}")
            return
        if self._git_dialog is None:
            registry = self.context.registry
            self._git_dialog = GitDialog(
                lambda: self.document.project, self, settings=self.settings,
                session=self.context.extras.get("git_session"),
                components_provider=lambda: ({c.type: c for c in registry.components()}
                                             if registry.is_loaded() else None))
            self.context.extras.setdefault("git_session", self._git_dialog.session)
        self._git_dialog.show()
        self._git_dialog.raise_()
        self._git_dialog.activateWindow()

    def show_about(self) -> None:
        show_about(self)

    # ------------------------------------------------------------ settings
    def _restore_layout(self) -> None:
        geometry = self.settings.value(ui_settings.KEY_GEOMETRY)
        state = self.settings.value(ui_settings.KEY_STATE)
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state, ui_settings.STATE_VERSION)
        else:  # first run: the canvas gets the room, the bottom tabs a few rows, the form a usable width
            self.resizeDocks([self.problems_dock], [160], Qt.Orientation.Vertical)
            self.resizeDocks([self.palette_dock, self.property_dock], [240, 360], Qt.Orientation.Horizontal)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.fit_docks_to_window(event.oldSize().width())

    def fit_docks_to_window(self, old_width: int = -1) -> None:
        """When the window becomes small (narrower than SMALL_WINDOW), the side docks shrink so that the
        canvas keeps about half the width and fit stays at a readable zoom; the bottom tabs keep a few
        rows. Only on crossing into small, so a user's own dock sizes are left alone afterwards."""
        width, height = self.width(), self.height()
        if width >= SMALL_WINDOW or 0 < old_width < SMALL_WINDOW:
            return
        self.resizeDocks([self.palette_dock, self.property_dock],
                         [max(170, int(width * 0.18)), max(280, int(width * 0.29))], Qt.Orientation.Horizontal)
        self.resizeDocks([self.problems_dock], [max(120, int(height * 0.2))], Qt.Orientation.Vertical)

    def save_layout(self) -> None:
        self.settings.setValue(ui_settings.KEY_GEOMETRY, self.saveGeometry())
        self.settings.setValue(ui_settings.KEY_STATE, self.saveState(ui_settings.STATE_VERSION))
        self.settings.sync()

    def closeEvent(self, event) -> None:  # noqa: N802
        if not self.files.maybe_save():
            event.ignore()
            return
        self.save_layout()
        event.accept()
        from dagster_designer_qt.app import forget_window

        forget_window(self)
        self.release()

    def close(self) -> bool:
        """A window already closed and deleted (see release()) stays closed: True, not a crash, for callers
        still holding it (a stale window list, a test's teardown)."""
        return True if not isValid(self) else super().close()

    def deleteLater(self) -> None:  # noqa: N802
        if isValid(self):
            super().deleteLater()

    def release(self, *, keep_recovery: bool = False) -> None:
        """Stop everything this window started and let Qt delete it with its document, scene, panels,
        timers and connections: after a confirmed close, or when the app quits with the window still open
        (``keep_recovery``: its unsaved work is autosaved and offered at the next start). A git job is
        cancelled and waited for; an export goes on to its end on its own thread (the app's quit waits
        for it); work nobody will look at (validation, preview, a Dagster check and its helper process)
        stops now."""
        if getattr(self, "_released", False):
            return
        self._released = True
        if keep_recovery:
            self.recovery.suspend()
        else:
            self.recovery.close()
        if self._git_dialog is not None:
            self._git_dialog.close()
            self._git_dialog.runner.shutdown()
        self.validation.close()
        preview = self._lazy_panels["preview"].built()
        if preview is not None:
            preview.shutdown()
        self.dagster_check.shutdown()
        self.project_code.shutdown()
        if not getattr(self.context.registry, "is_following", lambda: True)():  # its own list: stop its helper
            self.context.registry.shutdown()
        self.run_controller.shutdown()  # no run or dagster dev outlives the window
        from dagster_designer_qt.app import forget_window

        forget_window(self)
        from dagster_designer_qt.ui import memory

        memory.release_when_destroyed(self)  # its style pixmaps and the freed heap, once it is gone
        self.deleteLater()
