"""Builds the QApplication, the AppContext and main windows. Nothing happens at import time.

No dagster import happens here: the registry reads its disk cache (warm start) or loads in the
background; heavy modules (codegen, export, git) are imported when first used.
"""

from __future__ import annotations

import sys

_WINDOWS: list = []
_SHARED: dict = {}


def _cheap_pyside_feature_check() -> None:
    """PySide6 asks of every module imported after it (and, once, of all imported before) whether its
    source mentions "PySide6" (its ``__feature__`` switching), through ``inspect.getsource``: linecache,
    tokenize and stat calls per module, ~40-50 ms of a start. Same question, answered by reading the
    module's .py file as bytes; anything else (no .py file, unreadable) still goes to PySide's own check.
    Does nothing if this PySide6 has no such hook."""
    import PySide6  # noqa: F401 - sets up Qt's folders and loads shiboken6 with its import hook

    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if original is None or hasattr(original, "pyside_check"):
        return

    def uses_pyside(module) -> bool:
        spec = getattr(module, "__spec__", None)
        origin = getattr(spec, "origin", None)
        if getattr(spec, "has_location", False) and isinstance(origin, str) and origin.endswith(".py"):
            try:
                with open(origin, "rb") as source:
                    return b"PySide6" in source.read()
            except OSError:
                pass
        return original(module)

    uses_pyside.pyside_check = original
    feature._mod_uses_pyside = uses_pyside


def _application():
    _cheap_pyside_feature_check()
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        # Fusion from the command line (Qt's documented -style option), not app.setStyle(): that returns the
        # style to Python, which makes QStyle's Python types at every start (~10 ms, issue 13). ThemeManager
        # sets it itself on an application made elsewhere (tests) and reads this property.
        app = QApplication(sys.argv[:1] + ["-style", "fusion"])
        from dagster_designer_qt.ui.theme import FUSION_PROPERTY

        app.setProperty(FUSION_PROPERTY, True)
        app.setApplicationName("Dagster Designer")
        app.setApplicationDisplayName("Dagster Designer")
        app.setOrganizationName("DagsterDesigner")
        app.setDesktopFileName("io.github.dagster_designer.DagsterDesigner")  # the .desktop file's id
        from dagster_designer_qt.services import helper_server

        app.aboutToQuit.connect(helper_server.stop_all)  # no helper outlives the app
    QCoreApplication.setApplicationName("Dagster Designer")
    return app


def _shared(context=None):
    """The AppContext and ThemeManager all windows share (made once per QApplication)."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if _SHARED.get("app") is not app or context is not None:
        from dagster_designer_qt.ui import settings as ui_settings
        from dagster_designer_qt.ui.context import AppContext
        from dagster_designer_qt.ui.theme import ThemeManager

        if context is None:
            from dagster_designer_qt.ui.registry_model import RegistryModel

            context = AppContext(registry=RegistryModel(), settings=ui_settings.open_settings())
        theme = ThemeManager(ui_settings.theme(context.settings))
        theme.apply()
        _SHARED.update(app=app, context=context, theme=theme)
    return _SHARED["context"], _SHARED["theme"]


def _load_registry(context) -> None:
    """List the components (a warm cache at once, else in the background) unless that is done or under
    way. Called once the first window has opened its project, not before: a project with its own
    interpreter has switched the registry to that interpreter by then (the interpreter check is cached),
    so the designer's own list is not read and shown first for nothing."""
    if not context.registry.is_loaded() and not context.registry.is_loading():
        context.registry.start()


def windows() -> list:
    return list(_WINDOWS)


def forget_window(window) -> None:
    if window in _WINDOWS:
        _WINDOWS.remove(window)


def open_window(context=None, theme=None, project_path: str | None = None, *, show: bool = True):
    from dagster_designer_qt.ui.main_window import MainWindow

    shared = context is None or theme is None
    if shared:
        context, theme = _shared(context)
    window = MainWindow(context, theme)
    _WINDOWS.append(window)
    if project_path:
        window.files.open_project(project_path)
    if shared:
        _load_registry(context)
    if show:
        window.show()
    return window


def create_main_window(project_path: str | None = None, *, context=None):
    """Return the main window (using the running QApplication or creating one) without running the loop.

    ``context`` (an AppContext) lets tests and scripts inject a registry and settings. Once the event
    loop runs, the window offers to restore work left by a crashed session.
    """
    from PySide6.QtCore import QTimer

    _application()
    ctx, theme = _shared(context)
    window = open_window(ctx, theme, project_path, show=False)
    _load_registry(ctx)
    # With the window as context: Qt drops these if the window is deleted before the event loop runs.
    if project_path is None or window.document.path is None:
        QTimer.singleShot(0, window, lambda: _offer_recovery(window))
    QTimer.singleShot(0, window.view, window.view.fit_to_window)
    return window


def _offer_recovery(window) -> None:
    try:
        from shiboken6 import isValid
    except ImportError:  # pragma: no cover
        isValid = lambda _o: True  # noqa: E731
    if not isValid(window) or window not in _WINDOWS:
        return

    def elsewhere(project, original):
        other = open_window(window.context, window.theme)
        other.files.restore_into_document(project, original)

    window.files.offer_recovery(open_elsewhere=elsewhere)


def start_gui(project_path: str | None = None, *, context=None):
    """The first window of a launch, shown before the file given on the command line is opened: a
    missing or corrupt file's error then appears over the main window, not as a lone box."""
    from PySide6.QtCore import QTimer

    _application()
    ctx, theme = _shared(context)
    window = open_window(ctx, theme)
    QTimer.singleShot(0, window, window.view.fit_to_window)  # the window as context: not after it's gone
    if project_path:
        window.files.open_project(project_path)
    _load_registry(ctx)
    if window.document.path is None:
        QTimer.singleShot(0, window, lambda: _offer_recovery(window))
    return window


def open_in_app(project_path: str | None = None):
    """Open a file the system or a second launch asks for: in a new window, or in the only window when
    that one is still empty, untitled and unchanged. None opens a new empty window."""
    target = next((w for w in _WINDOWS if w.isVisible() and w.document.path is None
                   and not w.document.is_modified() and w.document.graph.node_count() == 0), None)
    if target is None or project_path is None:
        target = open_window()
    target.show()
    target.raise_()
    target.activateWindow()
    if project_path:
        target.files.open_project(project_path)
    return target


def _frozen_qt_plugins() -> None:
    """A bundle's Qt plugins, given to Qt directly: the launcher removes QT_PLUGIN_PATH from the
    environment so that it doesn't leak into the programs the app starts (packaging/launcher.py)."""
    meipass = getattr(sys, "_MEIPASS", None)
    if not getattr(sys, "frozen", False) or not meipass:
        return
    import os

    from PySide6.QtCore import QCoreApplication

    for parts in (("PySide6", "Qt", "plugins"), ("PySide6", "plugins")):
        folder = os.path.join(meipass, *parts)
        if os.path.isdir(folder):
            QCoreApplication.addLibraryPath(folder)


def run_app(project_path: str | None = None) -> int:
    from dagster_designer_qt.services.logging_setup import setup_logging

    setup_logging()
    import os

    _frozen_qt_plugins()
    app = _application()
    path = os.path.abspath(project_path) if project_path else None
    from dagster_designer_qt.ui.instance import FileOpenFilter, InstanceServer, hand_over, has_file_open_events

    if os.environ.get("DAGSTER_DESIGNER_NEW_INSTANCE") != "1" and hand_over(path):
        return 0  # the app that already runs opened it
    server = InstanceServer(open_in_app, parent=app)
    server.listen()
    start_gui(path)
    # After the first window exists: a file macOS opens at launch then goes into that (still empty) window.
    if has_file_open_events():
        app.installEventFilter(FileOpenFilter(open_in_app, parent=app))
    try:
        return app.exec()
    finally:
        shutdown()


def shutdown(timeout: float = 30.0) -> bool:
    """End the app's work before Python exits (after the event loop returns; tests call it directly).

    Windows still open (a quit that did not close them, so nobody was asked about saving) are released
    with their unsaved work autosaved for the next start. Helper processes (a registry rebuild, a Dagster
    check) are stopped; worker threads are joined (an export in flight finishes writing); closed windows
    are deleted while Qt still runs. Returns True when nothing is left running."""
    from PySide6.QtCore import QCoreApplication, QEvent

    from dagster_designer_qt.services import helper_process, helper_server
    from dagster_designer_qt.ui import workers

    for window in list(_WINDOWS):
        window.release(keep_recovery=True)
    helpers_gone = helper_process.stop_all()
    helper_server.stop_all()  # the validation helpers of project interpreters
    context = _SHARED.get("context")
    registry_done = context.registry.shutdown() if context is not None else True
    threads_done = workers.join_all(timeout)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return helpers_gone and registry_done and threads_done
