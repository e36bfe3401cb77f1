"""Check with Dagster in the real window with the real registry: the action loads the project with Dagster
off the UI thread, the Dagster panel lists what it produced, activating an asset shows its node, edits
mark the result stale, and a project Dagster refuses shows its one-line message."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

SCRIPT = "dagster.PythonScriptComponent"
CHECK_TIMEOUT_MS = 120_000


@pytest.fixture
def window(real_window):
    return real_window


def _two_connected_scripts(window) -> tuple[str, str]:
    doc = window.document
    up = doc.add_node(SCRIPT, 0, 0, label="Raw orders")
    down = doc.add_node(SCRIPT, 320, 0, label="Daily report")
    doc.connect(up, down)
    return up, down


def _check(window, qtbot) -> None:
    action = window.actions.check_dagster
    assert action.isEnabled()
    with qtbot.waitSignal(window.dagster_check.finished, timeout=CHECK_TIMEOUT_MS):
        action.trigger()
        assert window.dagster_check.is_running()
        assert not action.isEnabled()  # can't start twice
        assert window.statusBar().currentMessage() == "Checking with Dagster…"
        assert window.dagster_panel.state() == "running"
        assert not window.dagster_check.start()  # the verb refuses too, whatever calls it
    assert action.isEnabled()


@pytest.mark.slow
def test_check_lists_assets_shows_producing_node_and_goes_stale(window, qtbot):
    doc, panel = window.document, window.dagster_panel
    assert not window.actions.check_dagster.isEnabled()  # nothing to check yet
    up, down = _two_connected_scripts(window)
    up_key = doc.graph.node(up).attributes["assets"][0]["key"]
    down_key = doc.graph.node(down).attributes["assets"][0]["key"]

    _check(window, qtbot)

    assert window.dagster_dock.isVisible()
    assert panel.state() == "report"
    rows = {r["Asset"]: r for r in panel.asset_rows()}
    assert set(rows) == {up_key, down_key}
    assert rows[down_key]["Depends on"] == up_key
    assert rows[up_key]["Depends on"] == ""
    assert (rows[up_key]["Produced by"], rows[up_key]["node_id"]) == ("Raw orders", up)
    assert (rows[down_key]["Produced by"], rows[down_key]["node_id"]) == ("Daily report", down)
    assert panel.summary.text().startswith("2 assets, 1 dependency, loaded in ")
    assert panel.warning_texts() == []

    # Enter on the downstream asset selects its node and centres the canvas on it.
    doc.set_selection([])
    window.view.centerOn(5000, 5000)
    tree = panel.assets
    item = next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                if tree.topLevelItem(i).text(0) == down_key)
    tree.setFocus()
    tree.setCurrentItem(item)
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert doc.selection() == [down]
    centre = window.view.mapToScene(window.view.viewport().rect().center())
    node = doc.graph.node(down)
    assert abs(centre.x() - node.x) < 300 and abs(centre.y() - node.y) < 200

    # Moving a node changes nothing Dagster sees; renaming one makes the result stale.
    doc.move_nodes({down: (node.x + 40, node.y)})
    assert not panel.is_stale()
    doc.rename(down, "Weekly report")
    assert panel.is_stale() and window.dagster_check.is_stale()
    assert panel.summary_plain_text().startswith("Project changed since the check")
    assert "Last result: 2 assets" in panel.summary_plain_text()  # the last result stays readable
    assert len(panel.asset_rows()) == 2


@pytest.mark.slow
def test_a_project_dagster_refuses_shows_its_one_line_message(window, qtbot):
    doc, panel = window.document, window.dagster_panel
    _up, down = _two_connected_scripts(window)
    attrs = dict(doc.graph.node(down).attributes)
    attrs["assets"] = [dict(attrs["assets"][0], description="{{ env('DESIGNER_UNSET_X') }}")]
    doc.set_attributes(down, attrs)

    _check(window, qtbot)

    assert panel.state() == "error"
    text = panel.summary.text()
    assert "DESIGNER_UNSET_X" in text
    assert "\n" not in text and "Traceback" not in text
    assert panel.summary.styleSheet().startswith("color: #")  # shown in the error colour
    assert panel.asset_rows() == []
    QApplication.processEvents()
    assert "could not load" in window.statusBar().currentMessage()


class _FixedRegistry:
    def __init__(self, components):
        self._components = components

    def load_cached(self):
        return list(self._components)

    def load(self, refresh=False):
        return list(self._components)


def test_opening_a_project_enables_the_check_and_clears_an_old_result(qtbot):
    from dagster_designer_qt.app import create_main_window
    from dagster_designer_qt.services.loader import LoadReport
    from dagster_designer_qt.services.registry import ComponentInfo
    from dagster_designer_qt.ui import settings as ui_settings
    from dagster_designer_qt.ui.context import AppContext
    from dagster_designer_qt.ui.registry_model import RegistryModel
    from dagster_designer_qt.ui.resources import examples_dir

    info = ComponentInfo(type=SCRIPT, name="PythonScriptComponent", module="dagster", category="dagster")
    context = AppContext(registry=RegistryModel(_FixedRegistry([info])), settings=ui_settings.open_settings())
    win = create_main_window(context=context)
    win.prompts.ask_save_changes = lambda name: "discard"
    qtbot.addWidget(win)
    assert not win.actions.check_dagster.isEnabled()
    win._show_dagster_dock()  # what a check's start does (its panel is built then)
    win.dagster_check._done(LoadReport(assets=[], warnings=[], package="p"), None)  # an earlier result
    assert win.dagster_panel.state() == "report"
    assert win.files.open_example(examples_dir() / "analytics.ddp.json")
    assert win.actions.check_dagster.isEnabled()
    assert win.dagster_panel.state() == "empty"  # the old result was about another project
    assert win.actions.select_all.isEnabled()


DBT = "dagster_dbt.DbtProjectComponent"


@pytest.mark.slow
def test_a_load_error_is_mapped_to_its_node_in_the_users_terms(window, qtbot):
    doc = window.document
    node = doc.add_node(DBT, 0, 0, label="Transform orders", attributes={"project": "dbt_missing"})
    _check(window, qtbot)

    panel = window.dagster_panel
    assert panel.state() == "error"
    text = panel.summary.text()
    assert "Transform orders" in text and "dbt project folder 'dbt_missing' does not exist" in text
    assert "designer-load" not in text and "/tmp" not in text and "Error:" not in text
    assert "project_dir" not in text and "transform_orders[0]" not in text
    assert "after" in text and " s." in text  # how long the check took
    # the node carries the error: a badge on the canvas and a row in Problems
    qtbot.waitUntil(lambda: window.scene.nodes[node].severity == "error")
    rows = [window.problems_panel.row_texts(i) for i in range(window.problems_panel.problem_count())]
    dagster_rows = [r for r in rows if r[2].startswith("Dagster:")]
    assert len(dagster_rows) == 1 and dagster_rows[0][0] == "Transform orders"
    assert "dbt project folder" in dagster_rows[0][2]
    # fixing the node (any change) takes the stale error off
    doc.rename(node, "Transform")
    qtbot.waitUntil(lambda: not any(p.code == "dagster-load" for p in window.validation.problems_for(node)))


@pytest.mark.slow
def test_a_running_check_shows_elapsed_time_and_can_be_cancelled(window, qtbot):
    _two_connected_scripts(window)
    check, panel = window.dagster_check, window.dagster_panel
    with qtbot.waitSignal(check.elapsed, timeout=30_000):
        window.actions.check_dagster.trigger()
        assert panel.cancel_button.isVisible()
    qtbot.waitUntil(lambda: "s" in panel.summary.text() and panel.summary.text()[-1] == "s", timeout=5_000)
    assert panel.summary.text().startswith("Checking with Dagster… ")
    with qtbot.waitSignal(check.cancelled, timeout=30_000):
        qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    assert not check.is_running() and panel.state() == "cancelled"
    assert panel.summary.text() == "Check cancelled." and not panel.cancel_button.isVisible()
    assert window.actions.check_dagster.isEnabled()
    QApplication.processEvents()
    assert window.statusBar().currentMessage() == "Check with Dagster cancelled"
