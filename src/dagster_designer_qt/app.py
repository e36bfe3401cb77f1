"""Builds the QApplication, the AppContext and main windows. Nothing happens at import time.

No dagster import happens here: the registry reads its disk cache (warm start) or loads in the
background; heavy modules (codegen, export, git) are imported when first used.
"""

from __future__ import annotations

import sys

_WINDOWS: list = []
_SHARED: dict = {}


def _application():
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(sys.argv[:1])
        app.setApplicationName("Dagster Designer")
        app.setApplicationDisplayName("Dagster Designer")
        app.setOrganizationName("DagsterDesigner")
        app.setDesktopFileName("dagster-designer")
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
        if not context.registry.is_loaded() and not context.registry.is_loading():
            context.registry.start()
    return _SHARED["context"], _SHARED["theme"]


def windows() -> list:
    return list(_WINDOWS)


def forget_window(window) -> None:
    if window in _WINDOWS:
        _WINDOWS.remove(window)


def open_window(context=None, theme=None, project_path: str | None = None, *, show: bool = True):
    from dagster_designer_qt.ui.main_window import MainWindow

    if context is None or theme is None:
        context, theme = _shared(context)
    window = MainWindow(context, theme)
    _WINDOWS.append(window)
    if project_path:
        window.files.open_project(project_path)
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


def run_app(project_path: str | None = None) -> int:
    app = _application()
    window = create_main_window(project_path)
    window.show()
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

    from dagster_designer_qt.services import helper_process
    from dagster_designer_qt.ui import workers

    for window in list(_WINDOWS):
        window.release(keep_recovery=True)
    helpers_gone = helper_process.stop_all()
    context = _SHARED.get("context")
    registry_done = context.registry.shutdown() if context is not None else True
    threads_done = workers.join_all(timeout)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return helpers_gone and registry_done and threads_done
