"""Logging goes to a rotating file in the app's data folder; unexpected worker errors keep their
traceback there; Help names the file."""

import logging
import sys
import threading

import pytest

from dagster_designer_qt.services import logging_setup


@pytest.fixture
def logged(_isolated_dirs):
    hooks = sys.excepthook, threading.excepthook
    path = logging_setup.setup_logging()
    yield path
    sys.excepthook, threading.excepthook = hooks
    logging_setup._installed.pop("hooks", None)
    handler = logging_setup._installed.pop("handler", None)
    logging_setup._installed.pop("path", None)
    if handler is not None:
        logging.getLogger(logging_setup.LOGGER_NAME).removeHandler(handler)
        handler.close()


def test_log_file_is_in_the_data_folder_and_rotates(logged, _isolated_dirs):
    assert logged == _isolated_dirs / "data" / "dagster-designer" / "logs" / "dagster-designer.log"
    logger = logging.getLogger("dagster_designer_qt.test")
    for i in range(7000):
        logger.warning("line %d %s", i, "x" * 600)
    files = sorted(p.name for p in logged.parent.iterdir())
    assert files == ["dagster-designer.log", "dagster-designer.log.1", "dagster-designer.log.2",
                     "dagster-designer.log.3"]
    assert all(p.stat().st_size <= logging_setup.MAX_BYTES + 1000 for p in logged.parent.iterdir())


def test_uncaught_thread_errors_are_logged_with_their_traceback(logged):
    def boom():
        raise RuntimeError("kaboom in a thread")

    t = threading.Thread(target=boom, name="boom-thread")
    t.start()
    t.join()
    for h in logging.getLogger(logging_setup.LOGGER_NAME).handlers:
        h.flush()
    text = logged.read_text()
    assert "uncaught exception in thread boom-thread" in text and "RuntimeError: kaboom in a thread" in text
    assert "Traceback" in text


def test_unexpected_background_task_errors_are_logged(logged, qtbot):
    from dagster_designer_qt.core.errors import DesignerError
    from dagster_designer_qt.ui.workers import run_in_background

    def bug():
        return {}["missing"]

    def user_error():
        raise DesignerError("a message for the user")

    results = []
    for fn in (bug, user_error):
        task = run_in_background(fn, on_done=lambda r, e: results.append(e), name=fn.__name__)
        qtbot.waitUntil(lambda: not task.is_running() and len(results) >= 1)
    qtbot.waitUntil(lambda: len(results) == 2)
    for h in logging.getLogger(logging_setup.LOGGER_NAME).handlers:
        h.flush()
    text = logged.read_text()
    assert "unexpected error in bug" in text and "KeyError: 'missing'" in text
    assert "a message for the user" not in text  # user errors are shown, not logged as bugs


def test_help_menu_names_the_log_file(logged, qtbot):
    from dagster_designer_qt.ui.actions import about_text
    from tests.ui.test_main_window import make_context
    from dagster_designer_qt.app import create_main_window

    win = create_main_window(context=make_context())
    qtbot.addWidget(win)
    help_menu = win.menuBar().findChild(type(win.menuBar().actions()[0].menu()), "menuHelp")
    assert win.actions.show_log in help_menu.actions()
    assert str(logged) in win.actions.show_log.statusTip()
    assert str(logged) in about_text()
