"""How the app starts and receives files: the command-line file opens after the main window shows (its
error appears over that window), macOS file-open events open files, a second launch hands its file to the
running app (a real second process against the real QLocalServer), and a missing libxcb-cursor is
reported before Qt starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QApplication

from dagster_designer_qt import app as app_module
from dagster_designer_qt.cli_commands import gui
from dagster_designer_qt.core.model import Project
from dagster_designer_qt.services.project_store import save_project
from dagster_designer_qt.ui import file_controller
from dagster_designer_qt.ui import settings as ui_settings


class NoComponents:
    def load_cached(self):
        return []

    def load(self, refresh=False):
        return []


@pytest.fixture
def context(qtbot):
    from dagster_designer_qt.ui.context import AppContext
    from dagster_designer_qt.ui.registry_model import RegistryModel

    return AppContext(registry=RegistryModel(NoComponents()), settings=ui_settings.open_settings())


@pytest.fixture
def errors(monkeypatch):
    """Error boxes are recorded (title, message, was the main window on screen) instead of blocking."""
    shown = []

    def show_error(self, title, message):
        shown.append((title, message, self.parent.isVisible()))

    monkeypatch.setattr(file_controller.Prompts, "show_error", show_error)
    return shown


@pytest.fixture
def cleanup(qtbot, monkeypatch):
    """Every window the app opens during the test is handed to pytest-qt, which closes and deletes it
    after the test like the other UI tests' windows (unsaved changes discarded)."""
    real_open_window = app_module.open_window

    def discard(window):
        window.prompts.ask_save_changes = lambda name: "discard"

    def open_window(*args, **kwargs):
        window = real_open_window(*args, **kwargs)
        qtbot.addWidget(window, before_close_func=discard)
        return window

    monkeypatch.setattr(app_module, "open_window", open_window)


def _project_file(folder: Path, name: str) -> Path:
    path = folder / f"{name.lower()}.ddp.json"
    save_project(Project(name), path)
    return path


@pytest.mark.parametrize("kind", ["missing", "corrupt"])
def test_bad_file_argument_opens_the_main_window_and_shows_the_error_there(tmp_path, context, errors, cleanup,
                                                                           kind, qtbot):
    path = tmp_path / "broken.ddp.json"
    if kind == "corrupt":
        path.write_text("{ not json")
    window = app_module.start_gui(str(path), context=context)
    assert window.isVisible()
    assert window.document.path is None  # an empty untitled project: nothing half-loaded
    ((title, message, window_visible),) = errors
    assert window_visible, "the error box came before the main window"
    assert title == "Cannot open project" and "broken.ddp.json" in message


def test_a_good_file_argument_opens_in_the_first_window(tmp_path, context, errors, cleanup):
    path = _project_file(tmp_path, "Sales")
    window = app_module.start_gui(str(path), context=context)
    assert window.document.path == path and not errors


def test_file_open_event_opens_the_file(tmp_path, context, errors, cleanup, qtbot):
    from dagster_designer_qt.ui.instance import FileOpenFilter

    first = app_module.start_gui(None, context=context)
    qt_app = QApplication.instance()
    event_filter = FileOpenFilter(app_module.open_in_app)
    qt_app.installEventFilter(event_filter)
    try:
        sales = _project_file(tmp_path, "Sales")
        QApplication.sendEvent(qt_app, QFileOpenEvent(str(sales)))
        # The first window was empty, untitled and unchanged: it takes the file.
        assert first.document.path == sales
        costs = _project_file(tmp_path, "Costs")
        QApplication.sendEvent(qt_app, QFileOpenEvent(str(costs)))
        (second,) = [w for w in app_module.windows() if w is not first]
        assert second.isVisible() and second.document.path == costs
        assert first.document.path == sales and not errors
    finally:
        qt_app.removeEventFilter(event_filter)


def test_second_launch_hands_its_file_to_the_running_app(tmp_path, context, errors, cleanup, qtbot):
    from dagster_designer_qt.ui.instance import InstanceServer

    first = app_module.start_gui(None, context=context)
    sales = _project_file(tmp_path, "Sales")
    # The first window holds a file, so the handed-over one must get a window of its own.
    assert app_module.open_in_app(str(_project_file(tmp_path, "Costs"))) is first
    server = InstanceServer(app_module.open_in_app, parent=QApplication.instance())
    assert server.listen()
    try:
        # A real second launch of the CLI, same user and settings folder (the environment conftest set).
        second = subprocess.Popen([sys.executable, "-m", "dagster_designer_qt", "sales.ddp.json"],
                                  cwd=tmp_path, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        qtbot.waitUntil(lambda: any(w.document.path == sales for w in app_module.windows()), timeout=120_000)
        out, err = second.communicate(timeout=120)
        assert second.returncode == 0, err  # it handed over and quit instead of running a second app
        (window,) = [w for w in app_module.windows() if w.document.path == sales]
        assert window is not first and window.isVisible()
        assert not errors
    finally:
        server.close()
        server.deleteLater()


def test_hand_over_without_a_running_app_returns_false(qtbot):
    from dagster_designer_qt.ui.instance import hand_over

    assert hand_over("/nowhere.ddp.json", name="dagster-designer-test-nobody", timeout_ms=500) is False


@pytest.mark.parametrize("environ, expected", [
    ({"DISPLAY": ":0"}, True),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}, True),
    ({"QT_QPA_PLATFORM": "offscreen"}, False),
    ({"WAYLAND_DISPLAY": "wayland-0"}, False),
    ({"WAYLAND_DISPLAY": "wayland-0", "QT_QPA_PLATFORM": "xcb"}, True),
    ({"XDG_SESSION_TYPE": "wayland"}, False),
])
def test_xcb_is_detected_the_way_qt_picks_its_platform(environ, expected):
    assert gui.uses_xcb(environ, "linux") is expected
    assert gui.uses_xcb(environ, "darwin") is False


def test_missing_xcb_cursor_prints_what_to_install_before_qt_starts():
    asked = []
    message = gui.xcb_cursor_problem({"DISPLAY": ":0"}, "linux", lambda lib: asked.append(lib) or False)
    assert asked == ["libxcb-cursor.so.0"]
    assert "sudo apt install libxcb-cursor0" in message and "xcb-util-cursor" in message
    assert gui.xcb_cursor_problem({"DISPLAY": ":0"}, "linux", lambda lib: True) is None
    assert gui.xcb_cursor_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux", lambda lib: False) is None


def test_the_file_open_filter_is_wanted_only_where_qt_sends_file_open_events():
    """An application-wide event filter is a Python call for every event of every widget: installed only
    on macOS, the one system whose Qt sends QFileOpenEvent (issue 13)."""
    from dagster_designer_qt.ui.instance import has_file_open_events

    assert has_file_open_events("darwin")
    assert not any(has_file_open_events(p) for p in ("linux", "win32", "freebsd14"))
