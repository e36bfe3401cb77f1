"""core.layout: layered left-to-right layout."""

import random

from dagster_designer_qt.core.layout import NODE_HEIGHT, NODE_WIDTH, layered_layout
from dagster_designer_qt.core.model import Edge, Graph, Node


def make_graph(n_nodes: int, n_edges: int, seed: int = 1) -> Graph:
    rng = random.Random(seed)
    graph = Graph()
    nodes = [Node(f"n{i}", "dagster.FunctionComponent", f"N{i}", x=rng.random() * 1000, y=rng.random() * 1000)
             for i in range(n_nodes)]
    edges, pairs = [], set()
    while len(edges) < n_edges:
        a, b = sorted(rng.sample(range(n_nodes), 2))
        if (a, b) not in pairs:
            pairs.add((a, b))
            edges.append(Edge(f"e{len(edges)}", f"n{a}", f"n{b}"))
    graph.load(nodes, edges)
    return graph


def overlapping(positions):
    boxes = sorted(positions.values())
    for (x1, y1), (x2, y2) in zip(boxes, boxes[1:]):
        if x1 == x2 and abs(y1 - y2) < NODE_HEIGHT:
            return True
    return False


def test_empty_graph_gives_nothing():
    assert layered_layout(Graph(), None) == {}


def test_chain_goes_left_to_right_on_one_row():
    graph = Graph()
    graph.load([Node(i, "t", i) for i in "abc"], [Edge("1", "a", "b"), Edge("2", "b", "c")])
    pos = layered_layout(graph, None)
    assert pos["a"][0] < pos["b"][0] < pos["c"][0]
    assert pos["a"][1] == pos["b"][1] == pos["c"][1]


def test_every_edge_points_right_and_nodes_do_not_overlap():
    graph = make_graph(300, 360)
    pos = layered_layout(graph, None)
    assert set(pos) == {n.id for n in graph.iter_nodes()}
    for e in graph.iter_edges():
        assert pos[e.source][0] + NODE_WIDTH < pos[e.target][0]
    assert not overlapping(pos)


def test_layout_is_deterministic():
    graph = make_graph(200, 240)
    assert layered_layout(graph, None) == layered_layout(graph, None)


def test_crossing_reduction_untangles_a_swapped_pair():
    # a1 -> b2, a2 -> b1 with file order b1, b2: sweeps should put b2 first (no crossing)
    graph = Graph()
    graph.load([Node(i, "t", i) for i in ("a1", "a2", "b1", "b2")],
               [Edge("1", "a1", "b2"), Edge("2", "a2", "b1")])
    pos = layered_layout(graph, None)
    assert (pos["a1"][1] < pos["a2"][1]) == (pos["b2"][1] < pos["b1"][1])


def test_selection_only_moves_the_selection_and_keeps_its_corner():
    graph = make_graph(50, 60)
    chosen = [f"n{i}" for i in range(10)]
    pos = layered_layout(graph, chosen)
    assert set(pos) == set(chosen)
    assert min(x for x, _ in pos.values()) == min(graph.node(i).x for i in chosen)
    assert min(y for _, y in pos.values()) == round(min(graph.node(i).y for i in chosen))


def test_unknown_ids_are_ignored():
    graph = make_graph(5, 3)
    assert set(layered_layout(graph, ["n1", "nope"])) == {"n1"}


def test_twenty_thousand_nodes_lay_out():
    graph = make_graph(20000, 24000)
    pos = layered_layout(graph, None)
    assert len(pos) == 20000
