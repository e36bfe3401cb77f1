"""The Preview and Dagster docks are tabs behind Problems: a start builds their docks (tab, View menu entry,
place in a saved layout) but not their widgets (issue 13: warm start). Each widget is built the first time
it is needed, and then works as if it had been there from the start."""

from __future__ import annotations

from PySide6.QtCore import QByteArray

from dagster_designer_qt.ui.lazy_dock import LazyDockWidget
from dagster_designer_qt.ui.panels.preview_panel import DEBOUNCE_MS

SCRIPT = "dagster.PythonScriptComponent"


def _shown(real_window, qtbot):
    real_window.show()
    qtbot.waitExposed(real_window)
    return real_window


def test_a_start_builds_the_docks_but_not_the_widgets_behind_problems(real_window, qtbot):
    win = _shown(real_window, qtbot)
    assert [d.windowTitle() for d in win.docks()][2:] == ["Problems", "Preview", "Dagster", "Run"]
    assert win.problems_panel.isVisible()
    assert not win._lazy_panels["preview"].is_built() and not win._lazy_panels["dagster"].is_built()
    assert win.preview_dock.widget() is None and win.dagster_dock.widget() is None
    assert win.findChild(type(win.problems_panel), "previewPanel") is None


def test_picking_the_preview_tab_builds_the_panel_before_it_is_seen(real_window, qtbot):
    win = _shown(real_window, qtbot)
    seen = []
    win.preview_dock.visibilityChanged.connect(lambda visible: seen.append((visible, win.preview_dock.widget())))
    win.preview_dock.raise_()  # the user clicks the Preview tab
    qtbot.waitUntil(lambda: win.preview_dock.widget() is not None and win.preview_dock.widget().isVisible())
    panel = win.preview_dock.widget()
    assert panel.objectName() == "previewPanel" and panel is win.preview_panel
    assert seen and seen[0][0] and seen[0][1] is panel  # built in the same step the tab came on screen
    assert not win._lazy_panels["dagster"].is_built()  # the other tab still waits
    assert panel.timer.interval() == 0  # it generates at once: the start's debounce is for the first frame
    win.document.add_node(SCRIPT, 0, 0, label="Report")
    qtbot.waitUntil(lambda: any(name.endswith(".py") or name.endswith(".yaml") for name in panel.file_names()),
                    timeout=30_000)  # it follows the project like a panel made at the start


def test_the_view_menu_entry_of_a_closed_dock_shows_it_with_its_widget(real_window, qtbot):
    win = _shown(real_window, qtbot)
    toggle = win.dagster_dock.toggleViewAction()
    toggle.trigger()  # closed (hidden) by the user, never built
    assert not win.dagster_dock.isVisible() and not win._lazy_panels["dagster"].is_built()
    toggle.trigger()  # View > Dagster
    qtbot.waitUntil(lambda: win.dagster_dock.isVisible())
    win.dagster_dock.raise_()
    qtbot.waitUntil(lambda: win.dagster_dock.widget() is not None and win.dagster_dock.widget().isVisible())
    panel = win.dagster_panel
    assert panel.objectName() == "dagsterPanel" and panel.state() == "empty"
    assert panel.run_button.defaultAction() is win.actions.check_dagster  # its button is the window's action


def test_a_check_started_before_the_panel_exists_shows_in_it(real_window, qtbot):
    """The check's start builds the Dagster panel, which shows the check running (it was built during the
    very signal it would have heard), then its result."""
    win = real_window
    win.document.add_node(SCRIPT, 0, 0, label="Report")
    assert not win._lazy_panels["dagster"].is_built()
    win.actions.check_dagster.trigger()
    assert win._lazy_panels["dagster"].is_built() and win.dagster_dock.widget() is win.dagster_panel
    assert win.dagster_panel.state() == "running"
    assert win.dagster_panel.cancel_button.isVisibleTo(win.dagster_panel)
    assert win.dagster_check.cancel()  # the panel hears the end of the check it was built during
    qtbot.waitUntil(lambda: not win.dagster_check.is_running(), timeout=60_000)
    assert win.dagster_panel.state() == "cancelled"


def test_a_saved_layout_with_the_preview_tab_in_front_builds_it_at_the_start(real_window, qtbot):
    win = _shown(real_window, qtbot)
    win.preview_dock.raise_()
    qtbot.waitUntil(lambda: win.preview_dock.widget() is not None)
    state = win.saveState(1)
    other = win.new_window()
    qtbot.addWidget(other)
    assert not other._lazy_panels["preview"].is_built()
    assert other.restoreState(QByteArray(state), 1)
    other.show()
    qtbot.waitExposed(other)
    qtbot.waitUntil(lambda: other.preview_dock.widget() is not None and other.preview_dock.widget().isVisible())
    assert other.preview_panel.timer.interval() == DEBOUNCE_MS  # at a start the first frame comes first
    other.release()


def test_a_widget_asked_for_while_it_is_built_is_an_error_not_a_loop(qtbot):
    from PySide6.QtWidgets import QDockWidget, QLabel

    dock = QDockWidget("X")
    qtbot.addWidget(dock)
    lazy = None

    def build():
        return lazy.widget()

    lazy = LazyDockWidget(dock, build)
    try:
        lazy.widget()
    except RuntimeError as exc:
        assert "being built" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("no error")
    other = QDockWidget("Y")
    qtbot.addWidget(other)
    ok = LazyDockWidget(other, lambda: QLabel("y"))
    assert ok.widget() is ok.widget() is other.widget()
