import os

# Before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("DAGSTER_DG_UPDATE_CHECK_ENABLED", "0")
os.environ.setdefault("DAGSTER_TELEMETRY_DISABLED", "1")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory, monkeypatch):
    """Keep every test away from the real user's home, settings and caches."""
    base = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(base))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(base / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(base / "data"))
    monkeypatch.setenv("DAGSTER_HOME", str(base / "dagster_home"))
    (base / "dagster_home").mkdir()
    (base / "dagster_home" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    yield base


@pytest.fixture
def real_window(qtbot):
    """The real main window on the real component registry (built into this test's own cache dir).
    Prompts that would block are answered; an unexpected error dialog fails the test. Background work
    (an export, a Dagster check) is waited for before the window closes."""
    from dagster_designer_qt.app import create_main_window

    win = create_main_window()
    win.prompts.ask_save_changes = lambda name: "discard"
    win.prompts.show_error = lambda title, message: pytest.fail(f"unexpected error: {message}")
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: win.context.registry.is_loaded(), timeout=120_000)
    yield win
    win.dagster_check.wait(120)
    win.files.wait_for_export(120)
    from shiboken6 import isValid

    if isValid(win):  # a closed window is deleted (pytest-qt closes its widgets before this teardown)
        win.document.undo_stack.setClean()
        win.close()
