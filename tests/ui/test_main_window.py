"""The real main window driven with pytest-qt: palette (drag-and-drop and keyboard), connecting, undo of
every kind of edit, clipboard between windows, auto layout, files, prompts, recovery, bad files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QWidget, QApplication

from dagster_designer_qt.core import fileformat
from dagster_designer_qt.services.registry import ComponentInfo
from dagster_designer_qt.ui import settings as ui_settings
from dagster_designer_qt.ui.canvas import style as S

FUNCTION = "dagster.FunctionComponent"
DBT = "dagster_dbt.DbtProjectComponent"
SLING = "dagster_sling.SlingReplicationCollectionComponent"


def fake_components():
    return [
        ComponentInfo(type=FUNCTION, name="FunctionComponent", module="dagster", category="dagster",
                      icon="dagster", description="Runs a Python function as assets."),
        ComponentInfo(type="dagster.PythonScriptComponent", name="PythonScriptComponent", module="dagster",
                      category="dagster", icon="dagster", description="Runs a Python script."),
        ComponentInfo(type=DBT, name="DbtProjectComponent", module="dagster_dbt", category="dbt",
                      icon="dbt", description="Exposes a dbt project as assets."),
        ComponentInfo(type=SLING, name="SlingReplicationCollectionComponent", module="dagster_sling",
                      category="sling", icon="sling", description="Replicates data with Sling."),
    ]


class FakeRegistry:
    def __init__(self, components=None):
        self._components = fake_components() if components is None else components

    def load_cached(self):
        return list(self._components)

    def load(self, refresh=False):
        return list(self._components)


def make_context():
    from dagster_designer_qt.ui.context import AppContext
    from dagster_designer_qt.ui.registry_model import RegistryModel

    return AppContext(registry=RegistryModel(FakeRegistry()), settings=ui_settings.open_settings())


@pytest.fixture
def make_window(qtbot):
    from dagster_designer_qt.app import create_main_window

    made = []

    def make(project_path=None, context=None, ask_restore=None):
        window = create_main_window(project_path, context=context or make_context())
        window.prompts.ask_save_changes = lambda name: "discard"
        window.prompts.show_error = lambda title, message: pytest.fail(f"unexpected error: {message}")
        window.prompts.ask_restore = ask_restore or (lambda entry: False)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.resize(1280, 800)
        QApplication.processEvents()
        made.append(window)
        return window

    yield make
    for window in made:
        window.prompts.ask_save_changes = lambda name: "discard"


@pytest.fixture
def window(make_window):
    return make_window()


def snapshot(window):
    return fileformat.project_to_dict(window.document.project)


def view_pos(window, scene_point: QPointF) -> QPoint:
    return window.view.mapFromScene(scene_point)


def add_nodes(window, n=3, ctype=FUNCTION):
    ids = [window.document.add_node(ctype, 300 * i, 0) for i in range(n)]
    window.view.resetTransform()
    window.view.centerOn(QPointF(300, 36))
    return ids


def drag(qtbot, widget, start: QPoint, end: QPoint, button=Qt.MouseButton.LeftButton, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.mousePress(widget, button, modifier, start)
    for i in range(1, 6):
        qtbot.mouseMove(widget, start + (end - start) * (i / 5))
    qtbot.mouseRelease(widget, button, modifier, end)


@dataclass
class Problem:
    severity: str
    message: str
    path: tuple = ()


# ------------------------------------------------------------------ structure
def test_window_has_stable_object_and_accessible_names(window):
    assert window.objectName() == "mainWindow"
    window.preview_panel  # noqa: B018 - built on first use (tests/ui/test_lazy_docks.py)
    for name in ("componentPalette", "paletteSearch", "graphView", "propertyPanel", "problemsPanel",
                 "previewPanel"):
        widget = window.findChild(QWidget, name)
        assert widget is not None, name
        assert widget.accessibleName(), name
    names = {a.objectName() for a in window.findChildren(QAction)}
    for name in ("actionNew", "actionOpen", "actionSave", "actionSaveAs", "actionExport", "actionExportZip",
                 "actionUndo", "actionRedo", "actionCut", "actionCopy", "actionPaste", "actionDuplicate",
                 "actionDelete", "actionSelectAll", "actionFitView", "actionAutoLayout", "actionZoomIn",
                 "actionZoomOut", "actionQuit", "actionGit"):
        assert name in names, name


def test_create_main_window_does_not_run_the_loop_and_title_tracks_modified(window):
    assert "Untitled Project" in window.windowTitle()
    assert not window.isWindowModified()
    window.document.add_node(FUNCTION, 0, 0)
    assert window.isWindowModified()
    window.document.undo_stack.undo()
    assert not window.isWindowModified()


def test_standard_shortcuts_are_set(window):
    from PySide6.QtGui import QKeySequence

    assert window.actions.save.shortcut() == QKeySequence(QKeySequence.StandardKey.Save)
    assert window.actions.undo.shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    assert window.actions.copy.shortcut() == QKeySequence(QKeySequence.StandardKey.Copy)


# ------------------------------------------------------------------ palette
def test_drop_from_palette_adds_a_node_where_dropped(window):
    view = window.view
    mime = window.palette.mime_data_for(DBT)
    at = QPoint(300, 200)
    enter = QDragEnterEvent(at, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view.viewport(), enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(at), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view.viewport(), drop)
    nodes = window.document.graph.nodes
    assert [n.component_type for n in nodes] == [DBT]
    centre = view.mapToScene(at)
    assert abs(nodes[0].x + S.W / 2 - centre.x()) <= 1 and abs(nodes[0].y + S.H / 2 - centre.y()) <= 1
    assert window.document.selection() == [nodes[0].id]
    window.actions.undo.trigger()
    assert window.document.graph.node_count() == 0


def test_drop_of_foreign_data_is_refused(window):
    from PySide6.QtCore import QMimeData

    mime = QMimeData()
    mime.setText("hello")
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window.view.viewport(), enter)
    assert not enter.isAccepted()


def test_keyboard_search_and_enter_adds_at_view_centre(window, qtbot):
    search = window.palette.search
    search.setFocus()
    qtbot.keyClicks(search, "sling")
    qtbot.keyClick(search, Qt.Key.Key_Return)
    nodes = window.document.graph.nodes
    assert [n.component_type for n in nodes] == [SLING]
    centre = window.view.visible_center()
    assert abs(nodes[0].x + S.W / 2 - centre.x()) <= 1


def test_enter_in_the_palette_list_adds_the_current_component(window, qtbot):
    tree = window.palette.tree
    tree.setFocus()
    index = window.palette.proxy.index(0, 0, window.palette.proxy.index(0, 0))
    tree.setCurrentIndex(index)
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert window.document.graph.node_count() == 1


def test_adding_twice_at_the_centre_does_not_stack_nodes(window):
    window.edit.add_component(FUNCTION)
    window.edit.add_component(FUNCTION)
    a, b = window.document.graph.nodes
    assert (a.x, a.y) != (b.x, b.y)
    assert a.label != b.label


# ------------------------------------------------------------------ connecting
def test_drag_from_output_port_to_input_port_connects(window, qtbot):
    a, b, _c = add_nodes(window)
    g = window.document.graph
    start = view_pos(window, QPointF(g.node(a).x, g.node(a).y) + S.OUT_PORT)
    end = view_pos(window, QPointF(g.node(b).x, g.node(b).y) + S.IN_PORT)
    drag(qtbot, window.view.viewport(), start, end)
    assert [(e.source, e.target) for e in g.edges] == [(a, b)]
    assert window.scene.edges  # the scene followed
    window.actions.undo.trigger()
    assert g.edge_count() == 0 and not window.scene.edges


def test_drag_from_input_port_connects_upstream(window, qtbot):
    a, b, _c = add_nodes(window)
    g = window.document.graph
    start = view_pos(window, QPointF(g.node(b).x, g.node(b).y) + S.IN_PORT)
    end = view_pos(window, QPointF(g.node(a).x + 100, g.node(a).y + 30))  # anywhere on the node
    drag(qtbot, window.view.viewport(), start, end)
    assert [(e.source, e.target) for e in g.edges] == [(a, b)]


def test_cycle_is_refused_with_a_visible_reason(window, qtbot):
    a, b, c = add_nodes(window)
    window.document.connect(a, b)
    window.document.connect(b, c)
    g = window.document.graph
    start = view_pos(window, QPointF(g.node(c).x, g.node(c).y) + S.OUT_PORT)
    end = view_pos(window, QPointF(g.node(a).x, g.node(a).y) + S.IN_PORT)
    depth = window.document.undo_stack.count()
    drag(qtbot, window.view.viewport(), start, end)
    assert g.edge_count() == 2
    assert window.document.undo_stack.count() == depth
    assert window.view.message_visible()
    assert "cycle" in window.view.last_message()
    assert "cycle" in window.statusBar().currentMessage()


def test_self_loop_and_duplicate_are_refused_with_reasons(window, qtbot):
    a, b, _c = add_nodes(window)
    window.document.connect(a, b)
    messages = []
    window.view.connection_rejected.connect(messages.append)
    g = window.document.graph
    start = view_pos(window, QPointF(g.node(a).x, g.node(a).y) + S.OUT_PORT)
    drag(qtbot, window.view.viewport(), start, view_pos(window, QPointF(g.node(b).x, g.node(b).y) + S.IN_PORT))
    drag(qtbot, window.view.viewport(), start, view_pos(window, QPointF(g.node(a).x + 40, g.node(a).y + 30)))
    assert g.edge_count() == 1
    assert len(messages) == 2
    assert "already depends" in messages[0] and "itself" in messages[1]
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=start)  # a click says nothing
    assert len(messages) == 2


# ------------------------------------------------------------------ undo of every edit
def _undo_redo_roundtrip(window, edit):
    before = snapshot(window)
    edit()
    after = snapshot(window)
    assert after != before
    window.actions.undo.trigger()
    assert snapshot(window) == before
    window.actions.redo.trigger()
    assert snapshot(window) == after


def test_undo_redo_add(window):
    _undo_redo_roundtrip(window, lambda: window.edit.add_component(DBT))


def test_undo_redo_delete_with_edges(window):
    a, b, c = add_nodes(window)
    window.document.connect(a, b)
    window.document.connect(b, c)
    window.document.set_selection([b])
    _undo_redo_roundtrip(window, window.actions.delete.trigger)
    assert window.document.graph.edge_count() == 0
    window.actions.undo.trigger()
    assert window.document.graph.edge_count() == 2


def test_undo_redo_move_by_mouse_is_one_step(window, qtbot):
    a, b, _c = add_nodes(window)
    g = window.document.graph
    depth = window.document.undo_stack.count()

    def move():
        start = view_pos(window, QPointF(g.node(a).x + 110, g.node(a).y + 30))
        drag(qtbot, window.view.viewport(), start, start + QPoint(60, 45))

    _undo_redo_roundtrip(window, move)
    assert window.document.undo_stack.count() == depth + 1
    assert window.scene.nodes[a].pos() == QPointF(g.node(a).x, g.node(a).y)


def test_undo_redo_connect_and_disconnect(window):
    a, b, _c = add_nodes(window)
    _undo_redo_roundtrip(window, lambda: window.document.connect(a, b))
    edge = window.document.graph.edges[0]
    window.scene.edges[edge.id].setSelected(True)
    _undo_redo_roundtrip(window, window.actions.delete.trigger)
    assert window.document.graph.edge_count() == 0


def test_undo_redo_rename_and_attributes(window):
    a, _b, _c = add_nodes(window)
    window.document.set_selection([a])
    window.prompts.ask_text = lambda title, label, value: "Orders"
    _undo_redo_roundtrip(window, window.actions.rename.trigger)
    assert window.scene.nodes[a].label == "Orders"
    _undo_redo_roundtrip(window, lambda: window.document.set_attributes(a, {"execution": {"fn": ".m.f"}}))


def test_undo_redo_paste_duplicate_cut(window):
    a, b, _c = add_nodes(window)
    window.document.connect(a, b)
    window.document.set_selection([a, b])
    window.actions.copy.trigger()
    _undo_redo_roundtrip(window, window.actions.paste.trigger)
    window.document.set_selection([a, b])
    _undo_redo_roundtrip(window, window.actions.duplicate.trigger)
    window.document.set_selection([a, b])
    _undo_redo_roundtrip(window, window.actions.cut.trigger)


def test_undo_redo_auto_layout(window):
    ids = add_nodes(window, 4)
    window.document.connect(ids[3], ids[0])
    _undo_redo_roundtrip(window, window.actions.auto_layout.trigger)
    g = window.document.graph
    assert g.node(ids[3]).x < g.node(ids[0]).x


def test_arrow_keys_nudge_selection_as_one_merged_step(window, qtbot):
    a, _b, _c = add_nodes(window)
    window.document.set_selection([a])
    window.view.setFocus()
    x0 = window.document.graph.node(a).x
    depth = window.document.undo_stack.count()
    for _ in range(3):
        qtbot.keyClick(window.view, Qt.Key.Key_Right)
    assert window.document.graph.node(a).x == x0 + 30
    assert window.document.undo_stack.count() == depth + 1
    window.actions.undo.trigger()
    assert window.document.graph.node(a).x == x0


def test_delete_key_deletes_the_selection(window, qtbot):
    a, _b, _c = add_nodes(window)
    window.document.set_selection([a])
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert not window.document.graph.has_node(a)


# ------------------------------------------------------------------ clipboard
def test_copy_paste_between_two_windows_keeps_edges_and_attributes(make_window):
    one, two = make_window(), make_window()
    a, b, c = add_nodes(one)
    one.document.connect(a, b)
    one.document.connect(b, c)
    one.document.set_attributes(a, {"execution": {"fn": ".mod.fn"}})
    one.document.set_selection([a, b])
    one.actions.copy.trigger()
    assert two.actions.paste.isEnabled()
    two.actions.paste.trigger()
    g1, g2 = one.document.graph, two.document.graph
    assert g2.node_count() == 2 and g2.edge_count() == 1
    assert not ({n.id for n in g2.nodes} & {a, b, c})
    pasted = {n.label: n for n in g2.nodes}
    orig = g1.node(a)
    twin = pasted[orig.label]
    assert twin.attributes == {"execution": {"fn": ".mod.fn"}}
    assert (twin.x, twin.y) == (orig.x + 40, orig.y + 40)
    edge = g2.edges[0]
    assert (g2.node(edge.source).label, g2.node(edge.target).label) == (orig.label, g1.node(b).label)
    assert set(two.document.selection()) == {n.id for n in g2.nodes}
    two.actions.paste.trigger()  # a second paste lands further along
    xs = sorted(n.x for n in g2.nodes if n.attributes == orig.attributes)
    assert xs == [orig.x + 40, orig.x + 80]


def test_paste_from_plain_text_json_payload(window):
    from dagster_designer_qt.core.clipboard import copy_payload

    a, _b, _c = add_nodes(window)
    QApplication.clipboard().setText(json.dumps(copy_payload(window.document.graph, [a])))
    window.actions.paste.trigger()
    assert window.document.graph.node_count() == 4


def test_copy_needs_a_selection(window):
    add_nodes(window)
    window.document.set_selection([])
    assert not window.actions.copy.isEnabled()
    assert not window.actions.delete.isEnabled()


# ------------------------------------------------------------------ files
def test_save_and_reopen_gives_the_same_project(window, make_window, tmp_path):
    a, b, _c = add_nodes(window)
    window.document.connect(a, b)
    target = tmp_path / "demo"
    window.prompts.ask_save_path = lambda suggested: str(target)
    window.actions.save.trigger()  # no path yet: Save As
    saved = tmp_path / "demo.ddp.json"
    assert saved.exists() and window.document.path == saved
    assert not window.isWindowModified()
    assert ui_settings.recent_files(window.settings)[0] == str(saved.resolve())
    other = make_window()
    other.actions.update_recent(ui_settings.recent_files(other.settings))
    other.files.open_project(str(saved))
    assert snapshot(other) == snapshot(window)
    assert other.document.path == saved
    assert other.windowTitle() == window.windowTitle()  # the same project and file: the same title
    assert not other.isWindowModified()


def test_reopening_the_first_recent_file_keeps_the_recent_menu_and_the_modified_flag_quiet(window, tmp_path):
    """Opening the most recent project again leaves the Open Recent menu as it is (same actions) and sends
    no ModifiedChange: an unmodified window stays unmodified, and Qt re-titles the window at each call."""
    from PySide6.QtCore import QEvent, QObject

    add_nodes(window)
    first, second = tmp_path / "first.ddp.json", tmp_path / "second.ddp.json"
    window.prompts.ask_save_path = lambda suggested: str(second)
    window.actions.save.trigger()
    window.prompts.ask_save_path = lambda suggested: str(first)
    window.actions.save_as.trigger()
    menu = window.actions.recent_menu
    shown = list(menu.actions())
    assert [a.text() for a in shown[:2]] == [f"&1  {first.resolve()}", f"&2  {second.resolve()}"]

    class Count(QObject):
        modified = 0

        def eventFilter(self, obj, event):  # noqa: N802 - Qt's name
            if obj is window and event.type() == QEvent.Type.ModifiedChange:
                Count.modified += 1
            return False

    counter = Count()
    window.installEventFilter(counter)
    assert window.files.open_project(str(first))
    assert menu.actions() == shown and Count.modified == 0 and not window.isWindowModified()

    window.edit.add_component(FUNCTION)  # the flag still follows the document
    assert window.isWindowModified() and Count.modified == 1
    window.prompts.ask_save_changes = lambda name: "discard"
    assert window.files.open_project(str(second))
    assert [a.text() for a in menu.actions()[:2]] == [f"&1  {second.resolve()}", f"&2  {first.resolve()}"]
    assert not window.isWindowModified() and Count.modified == 2
    window.removeEventFilter(counter)


def test_unsaved_changes_prompt_on_close_new_and_open(window, tmp_path):
    window.edit.add_component(FUNCTION)
    asked = []
    window.prompts.ask_save_changes = lambda name: asked.append(name) or "cancel"
    assert not window.close()
    assert window.isVisible() and asked == ["Untitled Project"]
    window.actions.new.trigger()
    assert window.document.graph.node_count() == 1 and len(asked) == 2
    window.prompts.ask_open_path = lambda start: pytest.fail("must not ask for a file after Cancel")
    window.actions.open.trigger()
    assert len(asked) == 3
    # "save" saves first, then goes on
    target = tmp_path / "kept.ddp.json"
    window.prompts.ask_save_changes = lambda name: "save"
    window.prompts.ask_save_path = lambda suggested: str(target)
    window.actions.new.trigger()
    assert target.exists() and window.document.graph.node_count() == 0
    assert fileformat.loads(target.read_text()).graph.node_count() == 1
    # "discard" drops the changes
    window.edit.add_component(FUNCTION)
    window.prompts.ask_save_changes = lambda name: "discard"
    assert window.close()


def test_opening_a_bad_file_shows_the_error_and_changes_nothing(window, tmp_path):
    add_nodes(window)
    before = snapshot(window)
    errors = []
    window.prompts.show_error = lambda title, message: errors.append(message)
    window.prompts.ask_save_changes = lambda name: "discard"
    bad = tmp_path / "bad.ddp.json"
    bad.write_text("{not json")
    assert not window.files.open_project(str(bad))
    future = tmp_path / "future.ddp.json"
    future.write_text(json.dumps({"schema_version": 99, "name": "x", "graph": {"nodes": [], "edges": []}}))
    assert not window.files.open_project(str(future))
    dangling = tmp_path / "dangling.ddp.json"
    dangling.write_text(json.dumps({"name": "x", "graph": {"nodes": [], "edges": [
        {"id": "e", "source": "a", "target": "b"}]}}))
    assert not window.files.open_project(str(dangling))
    assert "not valid JSON" in errors[0]
    assert "schema_version 99" in errors[1]
    assert "$.graph.edges[0].source" in errors[2]
    assert snapshot(window) == before and window.document.path is None


def test_unsupported_component_is_shown_marked_and_kept(make_window, tmp_path):
    data = {"name": "p", "graph": {"nodes": [
        {"id": "n1", "type": "component", "data": {"label": "Mystery", "component_type": "dagster_foo.BarComponent",
                                                    "attributes": {"secret": {"nested": [1, 2]}},
                                                    "future_key": 7},
         "position": {"x": 5, "y": 6}}], "edges": []}}
    path = tmp_path / "p.ddp.json"
    path.write_text(json.dumps(data))
    window = make_window(str(path))
    item = window.scene.nodes["n1"]
    assert item.missing
    assert "Not installed" in item.type_text
    assert "not installed" in window.scene.node_tooltip("n1")
    window.files.save()
    saved = json.loads(path.read_text())
    node = saved["graph"]["nodes"][0]
    assert node["data"]["attributes"] == {"secret": {"nested": [1, 2]}} and node["data"]["future_key"] == 7


def test_recovery_after_a_simulated_crash(make_window, qtbot):
    crashed = make_window()
    a, b, _c = add_nodes(crashed)
    crashed.document.connect(a, b)
    assert crashed.recovery.autosave()
    expected = snapshot(crashed)
    crashed.recovery.simulate_crash()
    crashed.document.undo_stack.setClean()  # so the fixture can close it without prompting

    offered = []
    window = make_window(ask_restore=lambda entry: offered.append(entry) or True)
    qtbot.waitUntil(lambda: len(offered) == 1)  # offered at startup
    assert snapshot(window) == expected
    assert window.isWindowModified()  # restored work is unsaved
    assert window.files.offer_recovery() == 0  # offered once


def test_restored_work_is_removed_from_recovery_after_save(make_window, qtbot, tmp_path):
    crashed = make_window()
    crashed.edit.add_component(DBT)
    crashed.recovery.autosave()
    crashed.recovery.simulate_crash()
    crashed.document.undo_stack.setClean()

    offered = []
    window = make_window(ask_restore=lambda entry: offered.append(entry) or True)
    qtbot.waitUntil(lambda: len(offered) == 1)
    assert window.document.graph.node_count() == 1
    window.prompts.ask_save_path = lambda suggested: str(tmp_path / "saved.ddp.json")
    window.actions.save.trigger()
    assert not window.recovery.data_path.exists()
    assert not list(window.recovery.folder.glob("*.ddp.json"))


def test_clean_close_leaves_no_recovery_file(window):
    window.edit.add_component(DBT)
    window.recovery.autosave()
    assert window.recovery.data_path.exists()
    window.prompts.ask_save_changes = lambda name: "discard"
    assert window.close()
    assert not window.recovery.data_path.exists()


# ------------------------------------------------------------------ problems, settings, misc
def test_problem_badges_and_activation(window, qtbot):
    a, b, _c = add_nodes(window)
    window.validation.problems_changed.emit({a: [Problem("error", "project is required", ("project",))],
                                            b: [Problem("warning", "dep on unknown key")]})
    assert window.scene.nodes[a].severity == "error"
    assert window.scene.nodes[b].severity == "warning"
    assert "project is required" in window.scene.node_tooltip(a)
    focused = []
    window.property_panel.focus_field = lambda node_id, path: focused.append((node_id, path))
    window.problems_panel.problem_activated.emit(a, ("project",))
    assert window.document.selection() == [a]
    assert focused == [(a, ("project",))]
    window.validation.problems_changed.emit({})
    assert window.scene.nodes[a].severity is None


def test_theme_menu_switches_and_persists(window):
    window.actions.themes["dark"].trigger()
    assert window.scene.style.colors.name == "dark"
    assert ui_settings.theme(window.settings) == "dark"
    window.actions.themes["light"].trigger()
    assert window.scene.style.colors.name == "light"
    assert ui_settings.theme(window.settings) == "light"


def test_settings_live_under_the_isolated_config_dir(window, tmp_path_factory):
    import os

    path = Path(window.settings.fileName())
    assert path.is_relative_to(Path(os.environ["XDG_CONFIG_HOME"]))


def test_layout_persists_across_windows(make_window):
    one = make_window()
    one.property_dock.hide()
    one.save_layout()
    two = make_window()
    assert not two.property_dock.isVisible()


def test_tab_moves_focus_from_palette_to_canvas(window, qtbot):
    window.palette.search.setFocus()
    qtbot.keyClick(window.palette.search, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is window.palette.tree
    qtbot.keyClick(window.palette.tree, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is window.view


def test_focus_shortcut_actions(window):
    window.actions.focus_canvas.trigger()
    assert QApplication.focusWidget() is window.view
    window.actions.focus_palette.trigger()
    assert QApplication.focusWidget() is window.palette.search


def test_zoom_and_fit_actions(window):
    add_nodes(window, 5)
    z = window.view.zoom()
    window.actions.zoom_in.trigger()
    assert window.view.zoom() > z
    window.actions.zoom_out.trigger()
    window.actions.zoom_out.trigger()
    assert window.view.zoom() < z
    window.actions.fit_view.trigger()
    rect = window.view.mapFromScene(window.scene.nodes_rect()).boundingRect()
    assert window.view.viewport().rect().contains(rect)


def test_about_text_lists_versions():
    from dagster_designer_qt.ui.actions import about_text

    text = about_text()
    assert "PySide6" in text and "dagster" in text


def test_export_folder_and_zip_run_in_background(window, qtbot, tmp_path):
    window.document.add_node(FUNCTION, 0, 0)
    out = tmp_path / "out"
    window.prompts.ask_export_target = lambda start, name: str(out)
    window.prompts.offer_open_folder = lambda target, open_folder: None
    done = []
    window.files.export_finished.connect(lambda target, err: done.append((target, err)))
    window.actions.export.trigger()
    qtbot.waitUntil(lambda: bool(done), timeout=20000)
    assert done[0][1] is None
    assert any(out.rglob("defs.yaml"))
    zip_path = tmp_path / "p.zip"
    window.prompts.ask_zip_path = lambda suggested: str(zip_path)
    window.actions.export_zip.trigger()
    qtbot.waitUntil(lambda: len(done) == 2, timeout=20000)
    assert zip_path.exists()


def test_export_into_a_non_empty_folder_asks_and_reports(window, qtbot, tmp_path):
    window.document.add_node(FUNCTION, 0, 0)
    out = tmp_path / "busy"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    asked = []
    window.prompts.ask_overwrite = lambda message: asked.append(message) or False
    assert not window.files.export_folder(str(out))  # "No" is Cancel: no error, nothing written
    assert asked and "already contains files" in asked[0] and "--force" not in asked[0]
    assert not window.files.is_exporting()
    QApplication.processEvents()
    assert window.statusBar().currentMessage() == "Export cancelled"
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


def test_preview_panel_lists_generated_files(window, qtbot, monkeypatch):
    """Also: behind the Problems tab (which Qt keeps "visible", off-screen) the preview generates nothing
    until its tab is picked: it regenerated the whole export after every edit there, and its worker's
    Python slowed the canvas's frames (issue 19)."""
    from dagster_designer_qt.ui.panels.preview_panel import PreviewPanel

    panel = window.preview_panel
    window.problems_dock.raise_()
    QApplication.processEvents()
    qtbot.waitUntil(lambda: panel._running is None, timeout=20000)
    calls = []
    real_refresh = PreviewPanel.refresh
    monkeypatch.setattr(PreviewPanel, "refresh", lambda self: (calls.append(1), real_refresh(self)))
    panel.timer.setInterval(0)
    window.document.add_node(FUNCTION, 0, 0)
    QApplication.processEvents()  # the debounce (now 0 ms) fires
    QApplication.processEvents()
    assert panel.isVisible() and not panel.is_shown()
    assert calls == []
    window.preview_dock.show()
    window.preview_dock.raise_()  # the user picks the Preview tab
    qtbot.waitUntil(lambda: any(n.endswith("defs.yaml") for n in panel.file_names()), timeout=20000)
    assert calls
    assert panel.text.isReadOnly()
    name = next(n for n in panel.file_names() if n.endswith("defs.yaml"))
    from PySide6.QtWidgets import QTreeWidgetItemIterator

    from dagster_designer_qt.ui.panels.preview_panel import PATH_ROLE

    it = QTreeWidgetItemIterator(panel.files)
    while it.value() is not None and it.value().data(0, PATH_ROLE) != name:
        it += 1
    panel.files.setCurrentItem(it.value())  # the user picks the component's file in the tree
    assert panel.text.documentTitle() == name
    assert f"type: {FUNCTION}" in panel.text.toPlainText()


def test_git_action_opens_the_git_dialog(window, monkeypatch):
    assert window.actions.git.isEnabled()
    window.actions.git.trigger()
    dialog = window._git_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.close()


def test_new_window_shares_settings_and_the_designers_component_list(window):
    other = window.new_window()
    try:
        assert other is not window and other.context.settings is window.context.settings
        assert other.context.extras is window.context.extras
        # each window has its own registry model (issue 13: its own project's interpreter), which shows
        # the app's shared list while it uses the designer's own environment
        assert other.context.registry is not window.context.registry
        assert other.context.registry.registry is window.context.registry.registry
        assert other.context.registry.is_following() and window.context.registry.is_following()
        assert other.context.registry.components() == window.context.registry.components()
    finally:
        other.prompts.ask_save_changes = lambda name: "discard"
        other.close()


def test_open_example_is_an_untitled_copy(window, tmp_path):
    from PySide6.QtGui import QAction

    action = window.findChild(QAction, "actionExample_analytics")
    assert action is not None and window.actions.examples_menu.isEnabled()
    action.trigger()
    doc = window.document
    assert doc.project.name == "Analytics" and doc.graph.node_count() == 3
    assert doc.path is None  # Save must ask where: never into the installed package
    asked = []
    window.prompts.ask_save_path = lambda suggested: asked.append(suggested) or str(tmp_path / "mine.ddp.json")
    assert window.files.save()
    assert asked and (tmp_path / "mine.ddp.json").exists()


def test_preview_builds_nothing_while_it_is_hidden(make_window, tmp_path, monkeypatch, qtbot):
    """Opening a project must not generate a preview nobody looks at (issue 19: ~0.5 s at 5k), neither
    when its dock is closed nor when it is a tab behind Problems (the default layout)."""
    from dagster_designer_qt.core.model import Node, Project
    from dagster_designer_qt.services.project_store import save_project
    from dagster_designer_qt.ui.panels.preview_panel import PreviewPanel

    project = Project("lazy preview")
    project.graph.load([Node(f"n{i}", FUNCTION, f"asset_{i}") for i in range(3)], [])
    path = tmp_path / "lazy.ddp.json"
    save_project(project, path)
    calls = []
    real_refresh = PreviewPanel.refresh
    monkeypatch.setattr(PreviewPanel, "refresh", lambda self: (calls.append(1), real_refresh(self)))
    window = make_window()
    window.preview_dock.hide()  # the user closed the Preview dock
    QApplication.processEvents()
    calls.clear()
    window.files.open_project(str(path))
    assert window.document.graph.has_node("n0")
    qtbot.waitUntil(lambda: window.validation.is_idle() and window.validation.generation() > 0, timeout=20000)
    QApplication.processEvents()
    panel = window.preview_panel
    assert calls == [] and not any("asset_0" in name for name in panel.file_names())
    window.preview_dock.show()  # shown again, behind the Problems tab: still nothing to build
    QApplication.processEvents()
    assert window.preview_dock.isVisible()  # what Qt says of a tab behind another one
    panel._refresh_if_visible()  # its debounce timer's slot
    assert calls == []
    window.preview_dock.raise_()  # its tab brought to the front: it builds from the project now open
    qtbot.waitUntil(lambda: any("asset_0" in name for name in panel.file_names()), timeout=20000)
    assert calls
