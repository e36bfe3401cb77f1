"""Canvas: the scene follows model events, gestures (select, rubber band, move, pan), zoom and the
overview drawing for big graphs, painting at every level of detail."""

from __future__ import annotations

import copy

import pytest
from canvas_setup import shown_canvas
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QPainter

from dagster_designer_qt.core import fileformat
from dagster_designer_qt.core.fileformat import project_to_dict
from dagster_designer_qt.core.model import Edge, Node, Project
from dagster_designer_qt.ui.canvas import style as S
from dagster_designer_qt.ui.canvas.scene import GraphScene
from dagster_designer_qt.ui.canvas.view import GraphView
from dagster_designer_qt.ui.document import ProjectDocument

FUNCTION = "dagster.FunctionComponent"


class Info:
    def __init__(self, type_, category):
        self.type, self.name, self.module = type_, type_.rsplit(".", 1)[-1], type_.split(".")[0]
        self.category, self.icon, self.summary, self.description = category, category, "", "desc"


class Registry:
    def __init__(self, loaded=True):
        self.loaded = loaded
        self.infos = {FUNCTION: Info(FUNCTION, "dagster")}

    def get(self, t):
        return self.infos.get(t)

    def is_loaded(self):
        return self.loaded


@pytest.fixture
def canvas(qtbot):
    return shown_canvas(qtbot, registry=Registry())


def grid_project(n: int, cols: int = 50) -> Project:
    project = Project("big")
    nodes = [Node(f"n{i}", FUNCTION, f"N{i}", x=(i % cols) * 300, y=(i // cols) * 100) for i in range(n)]
    edges = [Edge(f"e{i}", f"n{i}", f"n{i + 1}") for i in range(n - 1) if (i + 1) % cols]
    project.graph.load(nodes, edges)
    return project


def render(scene: GraphScene, view: GraphView) -> QImage:
    image = QImage(view.viewport().size(), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    view.render(painter)
    painter.end()
    return image


def colours(image: QImage, step: int = 7) -> set[int]:
    """The distinct pixel values on a sparse grid (enough to tell a blank image from a drawing)."""
    return {image.pixel(x, y) for x in range(0, image.width(), step) for y in range(0, image.height(), step)}


def test_scene_follows_model_events(canvas):
    document, scene, _view = canvas
    a = document.add_node(FUNCTION, 10, 20)
    b = document.add_node(FUNCTION, 400, 20)
    assert set(scene.nodes) == {a, b}
    assert scene.nodes[a].pos() == QPointF(10, 20)
    edge_id = document.connect(a, b)
    edge = scene.edges[edge_id]
    assert edge.source is scene.nodes[a] and edge in scene.nodes[b].edges
    document.move_nodes({a: (50, 60)})
    assert scene.nodes[a].pos() == QPointF(50, 60)
    assert edge.boundingRect().contains(QPointF(50, 60) + S.OUT_PORT)
    document.rename(a, "Orders")
    assert scene.nodes[a].label == "Orders"
    document.delete([a])
    assert a not in scene.nodes and edge_id not in scene.edges and not scene.nodes[b].edges
    document.undo_stack.undo()
    assert a in scene.nodes and edge_id in scene.edges


def test_replacing_the_project_rebuilds_the_scene(canvas):
    document, scene, _view = canvas
    document.add_node(FUNCTION)
    document.replace_project(grid_project(10), None)
    assert len(scene.nodes) == 10 and len(scene.edges) == 9
    document.add_node(FUNCTION)
    assert len(scene.nodes) == 11


def test_selection_syncs_both_ways(canvas):
    document, scene, _view = canvas
    a = document.add_node(FUNCTION)
    b = document.add_node(FUNCTION, 300)
    document.set_selection([a, b])
    assert set(scene.selected_node_ids()) == {a, b}
    scene.nodes[a].setSelected(False)
    assert document.selection() == [b]


def test_click_ctrl_click_and_rubber_band(canvas, qtbot):
    document, scene, view = canvas
    ids = [document.add_node(FUNCTION, 300 * i, 0) for i in range(3)]
    view.centerOn(QPointF(400, 36))
    vp = view.viewport()
    at = lambda i: view.mapFromScene(QPointF(300 * i + 110, 30))  # noqa: E731
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=at(0))
    assert document.selection() == [ids[0]]
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier, at(2))
    assert document.selection() == [ids[0], ids[2]]
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier, at(0))
    assert document.selection() == [ids[2]]
    # rubber band over the first two from empty space above them
    start = view.mapFromScene(QPointF(-30, -60))
    end = view.mapFromScene(QPointF(400, 50))
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(vp, start + QPoint(20, 20))
    qtbot.mouseMove(vp, end)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=end)
    assert document.selection() == ids[:2]
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=view.mapFromScene(QPointF(200, 400)))
    assert document.selection() == []


def test_dragging_a_selection_moves_all_of_it_in_one_step(canvas, qtbot):
    document, scene, view = canvas
    ids = [document.add_node(FUNCTION, 300 * i, 0) for i in range(3)]
    document.connect(ids[0], ids[1])
    document.set_selection(ids[:2])
    view.centerOn(QPointF(400, 36))
    depth = document.undo_stack.count()
    vp = view.viewport()
    start = view.mapFromScene(QPointF(110, 30))
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=start)
    for step in (10, 30, 50):
        qtbot.mouseMove(vp, start + QPoint(step, step))
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=start + QPoint(50, 50))
    assert document.undo_stack.count() == depth + 1
    g = document.graph
    dx = g.node(ids[0]).x - 0
    assert dx > 0 and g.node(ids[1]).x == 300 + dx and g.node(ids[2]).x == 600
    dy = g.node(ids[0]).y
    assert dy > 0 and g.node(ids[1]).y == dy and g.node(ids[2]).y == 0  # both selected, by the same amount


def test_escape_cancels_a_drag(canvas, qtbot):
    document, scene, view = canvas
    a = document.add_node(FUNCTION, 0, 0)
    view.centerOn(QPointF(110, 36))
    vp = view.viewport()
    start = view.mapFromScene(QPointF(110, 30))
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(vp, start + QPoint(40, 40))
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=start + QPoint(40, 40))
    assert scene.nodes[a].pos() == QPointF(0, 0)
    assert (document.graph.node(a).x, document.graph.node(a).y) == (0, 0)


def test_middle_drag_and_space_drag_pan(canvas, qtbot):
    document, scene, view = canvas
    document.replace_project(grid_project(200), None)
    view.reset_zoom()
    view.centerOn(QPointF(3000, 200))
    vp = view.viewport()
    h = view.horizontalScrollBar()
    before = h.value()
    qtbot.mousePress(vp, Qt.MouseButton.MiddleButton, pos=QPoint(400, 300))
    qtbot.mouseMove(vp, QPoint(300, 300))
    qtbot.mouseRelease(vp, Qt.MouseButton.MiddleButton, pos=QPoint(300, 300))
    assert h.value() == before + 100
    view.setFocus()
    qtbot.keyPress(view, Qt.Key.Key_Space)
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=QPoint(300, 300))
    qtbot.mouseMove(vp, QPoint(350, 300))
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=QPoint(350, 300))
    qtbot.keyRelease(view, Qt.Key.Key_Space)
    assert h.value() == before + 50
    assert document.selection() == []  # panning never selects


def test_wheel_zooms_and_fit_shows_everything(canvas, qtbot):
    document, scene, view = canvas
    document.replace_project(grid_project(300), None)
    view.fit_to_window()
    rect = view.mapFromScene(scene.nodes_rect()).boundingRect()
    assert view.viewport().rect().contains(rect)
    z = view.zoom()
    view.zoom_in()
    assert view.zoom() == pytest.approx(z * 1.2)
    view.set_zoom(100)
    assert view.zoom() == pytest.approx(3.0)


def test_big_graph_switches_to_overview_when_zoomed_out_and_stays_clickable(canvas, qtbot):
    document, scene, view = canvas
    document.replace_project(grid_project(2000), None)
    view.fit_to_window()
    assert scene.overview()
    render(scene, view)
    item = scene.node_item("n0")  # a big graph's items are made after its first frame, or when needed
    assert item.flags() & item.GraphicsItemFlag.ItemHasNoContents
    at = view.mapFromScene(QPointF(110, 36))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=at)
    assert document.selection() == ["n0"]
    view.reset_zoom()
    assert not scene.overview()
    assert not item.flags() & item.GraphicsItemFlag.ItemHasNoContents


def test_small_graphs_never_use_the_overview(canvas):
    document, scene, view = canvas
    document.replace_project(grid_project(20), None)
    view.set_zoom(0.05)
    assert not scene.overview()


@pytest.mark.parametrize("zoom", [2.0, 1.0, 0.45, 0.2, 0.05])
def test_painting_at_every_level_of_detail(canvas, zoom):
    document, scene, view = canvas
    project = grid_project(400)
    document.replace_project(project, None)
    scene.set_problems({"n0": [type("P", (), {"severity": "error", "message": "m"})()]})
    document.set_selection(["n1"])
    view.set_zoom(zoom)
    view.centerOn(QPointF(300, 50))
    before = copy.deepcopy(project_to_dict(document.project))
    image = render(scene, view)
    assert len(colours(image)) >= 3  # background, grid or overview and nodes were drawn, not a blank
    assert project_to_dict(document.project) == before  # painting never writes the model


def test_unknown_component_is_marked_only_once_the_registry_has_loaded(qtbot):
    document = ProjectDocument()
    registry = Registry(loaded=False)
    scene = GraphScene(document, registry)
    a = document.add_node("dagster_foo.BarComponent")
    assert not scene.nodes[a].missing
    registry.loaded = True
    scene.refresh_components()
    assert scene.nodes[a].missing
    assert document.graph.node(a).component_type == "dagster_foo.BarComponent"


def test_refreshing_components_touches_only_the_nodes_of_a_type_that_changed(qtbot, monkeypatch):
    """The registry loads right after an open: nodes of types whose look is unchanged are left alone
    (at 20k nodes touching every item cost ~0.1-0.25 s of the open)."""
    from dagster_designer_qt.ui.canvas.node_item import NodeItem

    document = ProjectDocument()
    registry = Registry(loaded=False)
    scene = GraphScene(document, registry)
    unknown = document.add_node("dagster_foo.BarComponent")
    known = document.add_node(FUNCTION)
    touched = []
    real = NodeItem.set_component
    monkeypatch.setattr(NodeItem, "set_component", lambda item, *a: (touched.append(item.node_id), real(item, *a)))
    scene.refresh_components()
    assert touched == []  # nothing changed
    registry.loaded = True  # now the unknown type is known to be missing
    scene.refresh_components()
    assert touched == [unknown] and scene.nodes[unknown].missing and not scene.nodes[known].missing


def test_edge_click_selects_the_edge(canvas, qtbot):
    document, scene, view = canvas
    a = document.add_node(FUNCTION, 0, 0)
    b = document.add_node(FUNCTION, 500, 0)
    edge_id = document.connect(a, b)
    view.centerOn(QPointF(360, 36))
    mid = scene.edges[edge_id].path().pointAtPercent(0.5)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(mid))
    assert scene.selected_edge_ids() == [edge_id]
    assert document.selection() == []


def test_theme_colours_apply_to_the_scene(canvas):
    from dagster_designer_qt.ui.theme import DARK_CANVAS

    document, scene, view = canvas
    document.add_node(FUNCTION)
    scene.set_colors(DARK_CANVAS)
    view.apply_style()
    render(scene, view)
    assert scene.style.colors.name == "dark"


def test_project_dict_unchanged_by_viewing(canvas):
    document, scene, view = canvas
    project = grid_project(50)
    document.replace_project(project, None)
    before = fileformat.project_to_dict(project)
    view.fit_to_window()
    view.zoom_in()
    render(scene, view)
    assert fileformat.project_to_dict(project) == before
    assert not document.is_modified()
