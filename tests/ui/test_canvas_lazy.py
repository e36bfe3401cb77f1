"""A big graph's canvas items are made after its first frame (issue 19): none before the first frame at
overview zoom, all of them in the background after it, and on demand before that for everything that
needs one: a paint at detail zoom, selection, find, drag, rubber band, hit tests, delete and undo."""

from __future__ import annotations

import pytest
from canvas_setup import shown_canvas
from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt

from dagster_designer_qt.core.model import Edge, Node, Project
from dagster_designer_qt.ui.canvas import style as S
from dagster_designer_qt.ui.canvas.edge_item import EdgeItem
from dagster_designer_qt.ui.canvas.node_item import NodeItem

FUNCTION = "dagster.FunctionComponent"
COLS = 30
N = 600  # >= LAZY_MIN_NODES (300); fitted in a 900 x 600 view it is the overview (zoom < 0.2)


def big_project(long_edge: bool = True) -> Project:
    """A 30-wide grid (300 x 110 apart) with edges between row neighbours, and one long edge from the
    first node to the last (it crosses the middle of the graph far from both its ends)."""
    project = Project("big")
    nodes = [Node(f"n{i}", FUNCTION, f"Node {i}", x=(i % COLS) * 300, y=(i // COLS) * 110) for i in range(N)]
    edges = [Edge(f"e{i}", f"n{i}", f"n{i + 1}") for i in range(N - 1) if (i + 1) % COLS]
    if long_edge:
        edges.append(Edge("long", "n0", f"n{N - 1}"))
    project.graph.load(nodes, edges)
    return project


@pytest.fixture
def canvas(qtbot):
    return shown_canvas(qtbot)


def open_big(document, scene, view, **kwargs):
    """Open the big project as the window does: replace, fit, first frame (synchronous paint)."""
    document.replace_project(big_project(**kwargs), None)
    view.fit_to_window()
    view.viewport().repaint()
    assert scene.overview()


def node_items(scene) -> list:
    return [i for i in scene.items() if isinstance(i, NodeItem)]


def wait_all_made(qtbot, scene, document):
    qtbot.waitUntil(lambda: not scene.items_pending(), timeout=10000)
    graph = document.graph
    assert len(scene.nodes) == graph.node_count() == len(node_items(scene))
    assert len(scene.edges) == graph.edge_count() == len([i for i in scene.items() if isinstance(i, EdgeItem)])


def test_no_item_before_the_first_frame_all_of_them_after_it(canvas, qtbot):
    document, scene, view = canvas
    open_big(document, scene, view)
    assert scene.items_pending()
    assert scene.nodes == {} and scene.edges == {} and node_items(scene) == []
    data = scene.overview_data()  # the first frame drew every node and edge from data
    assert sum(len(r) for r in data.by_colour.values()) == N and len(data.lines) == document.graph.edge_count()
    wait_all_made(qtbot, scene, document)  # then the background made them all, once each
    item = scene.nodes["n7"]
    assert item.flags() & item.GraphicsItemFlag.ItemHasNoContents  # made at overview zoom
    assert sorted(e.edge_id for e in item.edges) == ["e6", "e7"]


def test_zooming_into_detail_makes_what_is_on_screen_first(canvas, qtbot):
    document, scene, view = canvas
    open_big(document, scene, view)
    graph = document.graph
    a, b = graph.node("n0"), graph.node(f"n{N - 1}")
    middle = QPointF((a.x + S.W + b.x) / 2, (a.y + b.y + S.H) / 2)  # the long edge's curve passes here
    view.set_zoom(1.0)
    view.centerOn(middle)
    view.viewport().repaint()
    assert not scene.overview() and scene.items_pending()
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    on_screen = {n.id for n in graph.iter_nodes() if QRectF(n.x, n.y, S.W, S.H).intersects(visible)}
    assert on_screen and on_screen <= set(scene.nodes)
    assert len(scene.nodes) < N  # the rest waits for the background
    assert "long" in scene.edges  # an edge crossing the view from two nodes off-screen is drawn too
    long_item = scene.edges["long"]
    assert long_item.source is scene.nodes["n0"] and long_item.target is scene.nodes[f"n{N - 1}"]
    assert not scene.nodes[next(iter(on_screen))].flags() & NodeItem.GraphicsItemFlag.ItemHasNoContents
    wait_all_made(qtbot, scene, document)


def test_selection_from_the_document_and_find_make_the_item_and_its_edges(canvas, qtbot):
    document, scene, view = canvas
    open_big(document, scene, view)
    document.set_selection(["n45"])
    assert scene.nodes["n45"].isSelected() and scene.selected_node_ids() == ["n45"]
    assert {e.edge_id for e in scene.nodes["n45"].edges} == {"e44", "e45"}  # a drag would move them
    view.find_bar.field.setText("Node 512")
    assert view.find_bar.next_match() == "n512"
    assert document.selection() == ["n512"] and scene.nodes["n512"].isSelected()
    node = document.graph.node("n512")
    assert view.mapToScene(view.viewport().rect()).boundingRect().contains(QRectF(node.x, node.y, S.W, S.H))
    assert view.zoom() == 1.0 and scene.items_pending()


def test_a_click_at_overview_zoom_selects_a_node_whose_item_was_pending(canvas, qtbot):
    document, scene, view = canvas
    open_big(document, scene, view)
    node = document.graph.node("n95")
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.mapFromScene(QPointF(node.x + S.W / 2, node.y + S.H / 2)))
    assert document.selection() == ["n95"]
    assert scene.node_item_at(QPointF(node.x + 5, node.y + 5)) is scene.nodes["n95"]
    assert len(scene.nodes) < N  # only what the hit tests needed


def test_dragging_a_node_whose_neighbours_are_pending_moves_its_edges(canvas, qtbot):
    document, scene, view = canvas
    open_big(document, scene, view)
    node = document.graph.node("n62")
    view.set_zoom(1.0)
    view.centerOn(QPointF(node.x + S.W / 2, node.y + S.H / 2))
    view.viewport().repaint()
    assert scene.items_pending() and "n62" in scene.nodes
    vp = view.viewport()
    start = view.mapFromScene(QPointF(node.x + S.W / 2, node.y + S.H / 2))
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=start)
    for step in (10, 30, 40):
        qtbot.mouseMove(vp, start + QPoint(step, 0))
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=start + QPoint(40, 0))
    moved = document.graph.node("n62")
    assert moved.x > (62 % COLS) * 300
    for edge_id, (end, port) in {"e61": ("target", S.IN_PORT), "e62": ("source", S.OUT_PORT)}.items():
        x1, y1, x2, y2, _dx = scene.edge_item(edge_id).ends
        x, y = (x2, y2) if end == "target" else (x1, y1)
        assert (x, y) == (moved.x + port.x(), moved.y + port.y())
    wait_all_made(qtbot, scene, document)


def test_rubber_band_at_overview_zoom_selects_nodes_whose_items_were_pending(canvas, qtbot):
    document, scene, view = canvas
    open_big(document, scene, view, long_edge=False)
    vp = view.viewport()
    start, end = view.mapFromScene(QPointF(1160, 200)), view.mapFromScene(QPointF(2500, 700))  # press in a gap
    band = view.mapToScene(QRect(start, end).normalized()).boundingRect()
    expected = {n.id for n in document.graph.iter_nodes()
                if S.BOUNDS.translated(n.x, n.y).intersects(band)}
    assert expected and scene.nodes == {}
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(vp, start + QPoint(20, 20))
    qtbot.mouseMove(vp, end)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=end)
    assert set(document.selection()) == expected
    assert len(scene.nodes) < N


def test_deleting_a_pending_node_and_undoing_it(canvas, qtbot):
    document, scene, view = canvas
    open_big(document, scene, view)
    document.delete(["n200"], [])  # never selected, never painted: its item is still pending
    assert not document.graph.has_node("n200") and "n200" not in scene.nodes
    document.undo_stack.undo()
    assert document.graph.has_node("n200") and "n200" in scene.nodes
    assert {e.edge_id for e in scene.nodes["n200"].edges} == {"e199", "e200"}
    document.set_selection(["n300"])  # selected (item made), deleted and undone through the same verbs
    document.delete(document.selection(), scene.selected_edge_ids())
    assert "n300" not in scene.nodes and not document.graph.has_node("n300")
    document.undo_stack.undo()
    assert "n300" in scene.nodes
    wait_all_made(qtbot, scene, document)  # nothing made twice, nothing missing


def test_overview_data_of_pending_nodes_follows_moves_and_problems(canvas, qtbot):
    from types import SimpleNamespace

    document, scene, view = canvas
    open_big(document, scene, view)
    document.move_nodes({"n3": (905, 20)})  # pending node: its rect and its edges' lines follow
    scene.set_problems({"n4": [SimpleNamespace(severity="error", message="bad")]})
    data = scene.overview_data()
    assert "n3" not in scene.nodes and scene.items_pending()
    rects = [r for group in data.by_colour.values() for r in group]
    assert QRectF(905, 20, S.W, S.H) in rects
    assert data.errors == [QRectF(4 * 300, 0, S.W, S.H).topRight()]
    line = scene._ov_lines["e3"]
    assert (line.x1(), line.y1()) == (905 + S.OUT_PORT.x(), 20 + S.OUT_PORT.y())
    wait_all_made(qtbot, scene, document)
    assert scene.nodes["n3"].pos() == QPointF(905, 20) and scene.nodes["n4"].severity == "error"


def test_items_keep_their_fields_in_slots():
    """A field added to NodeItem or EdgeItem without a slot would bring back a dict per item (~400 bytes
    per node at 20k nodes)."""
    from dagster_designer_qt.ui.theme import LIGHT_CANVAS

    NodeItem.style = EdgeItem.style = S.CanvasStyle(LIGHT_CANVAS, 2.0)
    a, b = NodeItem("a"), NodeItem("b")
    a.set_component("dbt", "cat-dbt", True)
    a.set_texts("A", "dbt Project")
    a.set_problems("error", 3)
    a.set_hot_port("in")
    a._make_texts()
    a._far_text(0)
    edge = EdgeItem("e", a, b)
    edge.shape()
    assert a.__dict__ == {} and edge.__dict__ == {}


def test_the_pending_grid_finds_exactly_the_boxes_meeting_a_rect():
    """Against a brute-force scan: tall and wide edges (boxes on many grid levels), nodes on cell
    borders and at negative positions, rects of every size."""
    import random

    from dagster_designer_qt.ui.canvas.pending import PendingItems, edge_box

    rng = random.Random(7)
    project = Project("grid")
    xs = [rng.choice([rng.uniform(-5000, 60000), 1024.0 * rng.randrange(-3, 50)]) for _ in range(400)]
    nodes = [Node(f"n{i}", FUNCTION, "n", x=x, y=rng.uniform(-3000, 400000)) for i, x in enumerate(xs)]
    edges = [Edge(f"e{i}", f"n{i}", f"n{rng.randrange(i + 1, 400)}") for i in range(399) if i % 7]  # acyclic
    project.graph.load(nodes, edges)
    graph = project.graph
    (ox, oy), (ix, iy) = (S.OUT_PORT.x(), S.OUT_PORT.y()), (S.IN_PORT.x(), S.IN_PORT.y())
    pending = PendingItems(graph, [n.id for n in graph.iter_nodes()], [e.id for e in graph.iter_edges()],
                           ((ox, oy), (ix, iy)), (S.W, S.H))
    for _ in range(40):
        left, top = rng.uniform(-6000, 60000), rng.uniform(-4000, 400000)
        right, bottom = left + rng.choice([1.0, 900.0, 5000.0, 70000.0]), top + rng.choice([1.0, 600.0, 90000.0])
        node_ids, edge_ids = pending.in_rect(left, top, right, bottom, lambda _i: True, lambda _i: True)
        want_nodes = {n.id for n in graph.iter_nodes()
                      if n.x <= right and n.x + S.W >= left and n.y <= bottom and n.y + S.H >= top}
        want_edges = set()
        for e in graph.iter_edges():
            s, t = graph.node(e.source), graph.node(e.target)
            el, et, er, eb = edge_box(s.x + ox, s.y + oy, t.x + ix, t.y + iy)
            if el <= right and er >= left and et <= bottom and eb >= top:
                want_edges.add(e.id)
        assert set(node_ids) == want_nodes and len(node_ids) == len(want_nodes)
        assert set(edge_ids) == want_edges and len(edge_ids) == len(want_edges)


@pytest.mark.parametrize("zoom", [None, 1.0])  # fitted (the overview), and 100 % over the long edge
def test_the_picture_is_the_same_before_and_after_the_items_are_made(canvas, qtbot, zoom):
    def grab():  # through the view's paint event, as on screen (QGraphicsView.render() paints the scene
        return view.viewport().grab().toImage()  # directly: only the items that exist)

    document, scene, view = canvas
    open_big(document, scene, view)
    view.minimap.hide()  # drawn from a pixmap made on a timer: not part of what is compared
    if zoom is not None:
        graph = document.graph
        a, b = graph.node("n0"), graph.node(f"n{N - 1}")
        view.set_zoom(zoom)
        view.centerOn(QPointF((a.x + S.W + b.x) / 2 - 300, (a.y + b.y + S.H) / 2))
    before = grab()
    assert scene.items_pending()
    wait_all_made(qtbot, scene, document)
    assert grab() == before


def test_a_problem_badge_shows_the_current_count_when_painted(canvas, qtbot):
    """The badge's text is made on the first detailed paint (not for each of thousands of problem nodes
    when problems arrive) and remade when the count changes."""
    from types import SimpleNamespace

    document, scene, view = canvas
    node_id = document.add_node(FUNCTION, 0, 0)
    view.set_zoom(1.0)
    view.centerOn(QPointF(S.W / 2, S.H / 2))
    for count, text in ((3, "3"), (12, "9+"), (1, "1")):
        scene.set_problems({node_id: [SimpleNamespace(severity="error", message="bad")] * count})
        assert scene.nodes[node_id]._badge is None
        view.viewport().grab()
        assert scene.nodes[node_id]._badge.text() == text


def test_a_pending_node_moved_by_the_model_is_made_where_it_now_is(canvas, qtbot):
    document, scene, view = canvas
    open_big(document, scene, view)
    view.set_zoom(1.0)
    view.centerOn(QPointF(0, 0))
    view.viewport().grab()  # a detail paint: the grid of pending places is built
    assert "n500" not in scene.nodes and "e500" not in scene.edges
    document.move_nodes({"n500": (-3000, -3000)})  # an undoable move of a node nobody has seen
    view.centerOn(QPointF(-3000 + S.W / 2, -3000 + S.H / 2))
    view.viewport().grab()
    assert scene.nodes["n500"].pos() == QPointF(-3000, -3000)
    assert "e500" in scene.edges and "e499" in scene.edges  # its edges start and end there


def test_select_all_while_items_are_pending_selects_every_node(canvas, qtbot):
    document, scene, view = canvas
    open_big(document, scene, view)
    document.set_selection([n.id for n in document.graph.iter_nodes()])  # what Edit > Select All does
    assert len(scene.selected_node_ids()) == N and len(scene.nodes) == N
    data = scene.overview_data()
    assert len(data.selected) == N and not data.by_colour
    wait_all_made(qtbot, scene, document)
    assert len(scene.selected_node_ids()) == N


def test_hovering_the_overview_while_items_are_pending_makes_none(canvas, qtbot):
    document, scene, view = canvas
    scene.start_background = lambda: None  # only what the hover would make
    open_big(document, scene, view)
    node = document.graph.node("n95")
    qtbot.mouseMove(view.viewport(), view.mapFromScene(QPointF(node.x + S.W / 2, node.y + S.H / 2)))
    assert scene.nodes == {} and scene._pending._grid is None
