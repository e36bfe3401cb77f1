"""Readable at every zoom (issue 14, points 1-2) and opening does its work once (issue 19): far labels at
25 %, the overview keeps category colours and problem severity, the minimap, Find Node, docks on small
windows, one scene build per open, copy-on-write validation snapshots."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage, QKeySequence, QPainter
from PySide6.QtWidgets import QApplication

from dagster_designer_qt.core.model import Edge, Node, Project
from dagster_designer_qt.services import project_store
from dagster_designer_qt.services.registry import ComponentInfo
from dagster_designer_qt.ui import settings as ui_settings
from dagster_designer_qt.ui.canvas import style as S
from dagster_designer_qt.ui.canvas.find_bar import find_nodes
from dagster_designer_qt.ui.canvas.scene import GraphScene
from dagster_designer_qt.ui.canvas.view import GraphView
from dagster_designer_qt.ui.document import ProjectDocument
from dagster_designer_qt.ui.theme import category_color
from dagster_designer_qt.ui.validation_runner import snapshot, take_snapshot

FUNCTION = "dagster.FunctionComponent"
DBT = "dagster_dbt.DbtProjectComponent"


@dataclass
class Problem:
    severity: str
    message: str
    path: tuple = ()


class FakeRegistry:
    """The component list (a stand-in for discovery, which other tests cover); validation stays real."""

    def load_cached(self):
        return [
            ComponentInfo(type=FUNCTION, name="FunctionComponent", module="dagster", category="dagster",
                          icon="dagster", description="Runs a Python function as assets."),
            ComponentInfo(type=DBT, name="DbtProjectComponent", module="dagster_dbt", category="dbt",
                          icon="dbt", description="Exposes a dbt project as assets."),
        ]

    def load(self, refresh=False):
        return self.load_cached()


def make_context():
    from dagster_designer_qt.ui.context import AppContext
    from dagster_designer_qt.ui.registry_model import RegistryModel

    return AppContext(registry=RegistryModel(FakeRegistry()), settings=ui_settings.open_settings())


def grid_project(n: int, cols: int = 30) -> Project:
    project = Project("grid")
    nodes = [Node(f"n{i}", DBT if i % 2 else FUNCTION, f"Node {i}", x=(i % cols) * 300, y=(i // cols) * 110)
             for i in range(n)]
    edges = [Edge(f"e{i}", f"n{i}", f"n{i + 1}") for i in range(n - 1) if (i + 1) % cols]
    project.graph.load(nodes, edges)
    return project


@pytest.fixture
def canvas(qtbot):
    from dagster_designer_qt.ui.registry_model import RegistryModel

    registry = RegistryModel(FakeRegistry())
    registry.start()
    document = ProjectDocument()
    scene = GraphScene(document, registry)
    view = GraphView(document, scene)
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    qtbot.waitExposed(view)
    return document, scene, view


@pytest.fixture
def window(qtbot):
    from dagster_designer_qt.app import create_main_window

    made = []

    def make(project_path=None):
        win = create_main_window(project_path, context=make_context())
        win.prompts.ask_save_changes = lambda name: "discard"
        win.prompts.show_error = lambda title, message: pytest.fail(f"unexpected error: {message}")
        win.prompts.ask_restore = lambda entry: False
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        QApplication.processEvents()
        made.append(win)
        return win

    yield make


def grab(view: GraphView) -> QImage:
    image = QImage(view.viewport().size(), QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    view.render(painter)
    painter.end()
    return image


def count_colour(image: QImage, colour: QColor, tolerance: int = 0) -> int:
    target = colour.rgb() & 0xFFFFFF
    hits = 0
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            pixel = image.pixel(x, y) & 0xFFFFFF
            if tolerance == 0:
                hits += pixel == target
            else:
                hits += all(abs(((pixel >> s) & 255) - ((target >> s) & 255)) <= tolerance for s in (0, 8, 16))
    return hits


# ------------------------------------------------------------------ labels at 25 %
@pytest.mark.parametrize("zoom", [0.45, 0.25])
def test_labels_are_drawn_when_zoomed_out_to_a_quarter(canvas, zoom):
    """The same node with and without a label must look different at 45 % and 25 % (before, nodes were
    blank boxes below 50 %)."""
    document, scene, view = canvas
    node_id = document.add_node(FUNCTION, 0, 0, label="Orders")
    view.set_zoom(zoom)
    view.centerOn(QPointF(S.W / 2, S.H / 2))
    with_label = grab(view)
    scene.nodes[node_id].set_texts("", scene.nodes[node_id].type_text)
    without_label = grab(view)
    assert with_label != without_label
    assert not scene.overview()


def test_far_label_is_elided_to_the_node_width(canvas):
    document, scene, view = canvas
    node_id = document.add_node(FUNCTION, 0, 0, label="A very long label that cannot fit in one node " * 3)
    item = scene.nodes[node_id]
    for tier in range(len(S.FAR_LABEL_PX)):
        assert item._far_text(tier).size().width() <= S.FAR_TEXT_W + 1


# ------------------------------------------------------------------ overview
def test_overview_keeps_category_colours_and_problem_severity(canvas):
    document, scene, view = canvas
    document.replace_project(grid_project(400), None)
    view.fit_to_window()
    assert scene.overview()
    scene.set_problems({"n3": [Problem("error", "broken")], "n5": [Problem("warning", "hmm")]})
    image = grab(view)
    st = scene.style
    assert count_colour(image, category_color("dbt")) > 20
    assert count_colour(image, category_color("dagster")) > 20
    assert count_colour(image, st.error_brush.color()) > 0
    assert count_colour(image, st.warning_brush.color()) > 0
    scene.set_problems({})
    assert count_colour(grab(view), st.error_brush.color()) == 0


def test_overview_data_is_built_once_and_follows_moves_incrementally(canvas):
    document, scene, view = canvas
    document.replace_project(grid_project(400), None)
    first = scene.overview_data()
    assert scene.overview_data() is first  # cached between paints
    before = dict(scene._ov_rects)
    document.move_nodes({"n7": (5000.0, 7000.0)})
    data = scene.overview_data()
    assert data is not first
    assert scene._ov_rects["n7"].topLeft() == QPointF(5000, 7000)
    changed = [k for k in before if before[k] != scene._ov_rects[k]]
    assert changed == ["n7"]
    assert sum(len(r) for r in data.by_colour.values()) + len(data.selected) == 400


def test_overview_regroups_without_remaking_edge_lines_and_follows_edges(canvas):
    """Problems or selection changing regroup the rects only; a move remakes the moved node's edge lines
    (port to port), an added edge gets a line, a removed one loses it."""
    document, scene, view = canvas
    document.replace_project(grid_project(400), None)
    first = scene.overview_data()
    assert len(first.lines) == document.graph.edge_count()
    scene.set_problems({"n3": [Problem("error", "broken")]})
    regrouped = scene.overview_data()
    assert regrouped is not first and len(regrouped.errors) == 1
    assert all(a is b for a, b in zip(regrouped.lines, first.lines))  # not made again
    document.move_nodes({"n7": (5000.0, 7000.0)})
    lines = {line.p1().toTuple() + line.p2().toTuple() for line in scene.overview_data().lines}
    mid = S.H / 2
    assert (S.W + 6 * 300, mid, 5000.0, 7000 + mid) in lines  # e6: n6's out port -> n7's in port
    assert (5000.0 + S.W, 7000 + mid, 8 * 300, mid) in lines  # e7: n7 -> n8
    assert (S.W + 6 * 300, mid, 7 * 300, mid) not in lines
    document.connect("n0", "n100")
    assert len(scene.overview_data().lines) == document.graph.edge_count()
    document.undo_stack.undo()
    assert len(scene.overview_data().lines) == document.graph.edge_count()


# ------------------------------------------------------------------ minimap
def test_minimap_toggles_from_the_view_menu_and_click_moves_the_view(window, qtbot, tmp_path):
    path = tmp_path / "grid.ddp.json"
    project_store.save_project(grid_project(120), path)
    win = window(str(path))
    minimap = win.findChild(type(win.view.minimap), "minimap")
    assert minimap is win.view.minimap and minimap.isVisible()
    action = win.actions.show_minimap
    view_menu = win.menuBar().findChild(type(win.menuBar().actions()[0].menu()), "menuView")
    assert action in view_menu.actions()
    action.trigger()
    assert not minimap.isVisible()
    action.trigger()
    assert minimap.isVisible()
    win.view.set_zoom(1.0)
    target = win.scene.nodes["n119"].pos() + QPointF(S.W / 2, S.H / 2)
    at = minimap.to_minimap(S.BODY.translated(win.scene.nodes["n119"].pos())).center()
    qtbot.mouseClick(minimap, Qt.MouseButton.LeftButton, pos=at.toPoint())
    centre = win.view.visible_center()
    assert abs(centre.x() - target.x()) < 150 and abs(centre.y() - target.y()) < 150


# ------------------------------------------------------------------ find node
def test_find_nodes_ranks_exact_then_prefix_then_contains():
    project = Project("p")
    project.graph.load([Node("a", FUNCTION, "Clean orders"), Node("b", FUNCTION, "Orders"),
                        Node("c", FUNCTION, "orders raw"), Node("d", FUNCTION, "Revenue")], [])
    assert find_nodes(project.graph, "orders") == ["b", "c", "a"]
    assert find_nodes(project.graph, "  ") == []
    assert find_nodes(project.graph, "nothing") == []


def test_find_node_ctrl_f_enter_selects_and_centres(window, qtbot, tmp_path):
    path = tmp_path / "grid.ddp.json"
    project_store.save_project(grid_project(120), path)
    win = window(str(path))
    action = win.findChild(type(win.actions.find_node), "actionFindNode")
    assert action.shortcut() == QKeySequence("Ctrl+F")
    action.trigger()
    bar = win.view.find_bar
    assert bar.isVisible()
    qtbot.keyClicks(bar.field, "node 117")
    assert bar.count.text() == "1 match"
    qtbot.keyClick(bar.field, Qt.Key.Key_Return)
    assert win.document.selection() == ["n117"]
    assert win.scene.nodes["n117"].isSelected()
    target = win.scene.nodes["n117"].pos() + QPointF(S.W / 2, S.H / 2)
    centre = win.view.visible_center()
    assert abs(centre.x() - target.x()) < 2 and abs(centre.y() - target.y()) < 2
    assert win.view.zoom() >= S.LOD_TEXT
    qtbot.keyClick(bar.field, Qt.Key.Key_Escape)
    assert not bar.isVisible()


def test_find_node_says_when_nothing_matches(window, qtbot):
    win = window()
    win.document.add_node(FUNCTION, 0, 0, label="Orders")
    win.actions.find_node.trigger()
    qtbot.keyClicks(win.view.find_bar.field, "zzz")
    qtbot.keyClick(win.view.find_bar.field, Qt.Key.Key_Return)
    assert win.view.find_bar.count.text() == "No match"
    assert win.document.selection() == []


# ------------------------------------------------------------------ small windows
def test_docks_give_the_canvas_room_on_a_small_window(window):
    win = window()
    win.resize(1440, 900)
    QApplication.processEvents()
    win.resize(1024, 700)
    QApplication.processEvents()
    assert win.view.width() >= 0.45 * win.width()
    assert win.property_dock.width() >= 280


# ------------------------------------------------------------------ open does its work once
def test_opening_a_project_builds_the_scene_once(window, tmp_path):
    path = tmp_path / "grid.ddp.json"
    project_store.save_project(grid_project(200), path)
    win = window()
    added = []
    original = win.scene._make_node_item
    win.scene._make_node_item = lambda node: added.append(node.id) or original(node)
    assert win.open_path(str(path))
    QApplication.processEvents()
    assert win.scene.builds == 1
    assert len(added) == 200 and len(set(added)) == 200
    assert len(win.scene.nodes) == 200


def test_opening_validates_only_after_the_event_loop_is_back(tmp_path, qtbot):
    """The first pass of an opened project starts its debounce when the window can paint, not during the
    open (where a big project's open outlasted the interval, and the snapshot and the worker's pass
    delayed the first frame). Changes during the open (the registry loading) don't start it earlier."""
    from types import SimpleNamespace

    from dagster_designer_qt.ui.validation_runner import ValidationRunner

    path = tmp_path / "grid.ddp.json"
    project_store.save_project(grid_project(50), path)
    document = ProjectDocument()
    runner = ValidationRunner(document, SimpleNamespace(registry=None), validator=lambda project, reg: [])
    started = []
    runner.started.connect(lambda: started.append(runner.generation()))
    try:
        document.open(path)
        runner.schedule()  # what the registry's components_loaded does during an open
        assert not runner._timer.isActive() and not runner.is_idle() and started == []
        qtbot.waitUntil(lambda: started == [runner.generation()], timeout=10000)
    finally:
        runner.close(wait=5.0)


def test_validation_snapshot_shares_values_but_keeps_the_state_it_was_taken_in():
    project = grid_project(3)
    project.graph.set_node_field("n0", "attributes", {"assets": [{"key": "a"}]})
    taken = take_snapshot(project)
    shared = taken[1]
    live = project.graph.node("n0")
    assert shared.nodes["n0"] is live  # nothing copied while nothing changes
    project.graph.set_node_field("n0", "attributes", {"assets": [{"key": "changed"}]})
    project.graph.move_node("n0", 999.0, 999.0)
    copy_node = shared.nodes["n0"]
    assert copy_node is not live  # copied once, before its first change
    assert copy_node.attributes == {"assets": [{"key": "a"}]}
    assert (copy_node.x, copy_node.y) == (0.0, 0.0)
    assert shared.nodes["n1"] is project.graph.node("n1")  # unchanged nodes stay shared
    detached = snapshot(project)
    assert [n.id for n in detached.graph.iter_nodes()] == ["n0", "n1", "n2"]
    assert detached.graph.edge_count() == project.graph.edge_count()
    assert detached.graph.node("n0").attributes == {"assets": [{"key": "changed"}]}


def test_a_worker_graph_keeps_its_snapshot_while_the_project_changes():
    """The detached project a worker builds reads the snapshot's nodes: later edits don't reach it, and a
    worker that writes to its nodes gets its own copies."""
    from dagster_designer_qt.ui.validation_runner import build_snapshot

    project = grid_project(3)
    detached = build_snapshot(take_snapshot(project))
    project.graph.set_node_field("n1", "label", "Renamed")
    project.graph.remove_node("n2")
    assert detached.graph.node("n1").label == "Node 1"
    assert detached.graph.has_node("n2") and detached.graph.downstream("n1") == ["n2"]
    own = build_snapshot(take_snapshot(project), own_nodes=True)
    own.graph.node("n0").label = "written by the worker"
    assert project.graph.node("n0").label == "Node 0"
