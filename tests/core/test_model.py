import pytest

from dagster_designer_qt.core.errors import (
    CycleError,
    DuplicateEdgeError,
    DuplicateIdError,
    SelfLoopError,
    UnknownEdgeError,
    UnknownNodeError,
)
from dagster_designer_qt.core.model import Edge, Graph, Node, Project


def make_graph(*ids):
    g = Graph()
    for i in ids:
        g.add_node(Node(i, "dagster.PythonScriptComponent", i.upper()))
    return g


class Recorder:
    def __init__(self, graph):
        self.events = []
        for name in ("node_added", "node_removed", "edge_added", "edge_removed", "node_moved", "node_changed"):
            getattr(graph, name).connect(lambda *a, _n=name: self.events.append((_n, *a)))


def test_add_node_emits_once():
    g = Graph()
    rec = Recorder(g)
    node = Node("a", "x.Y", "A")
    g.add_node(node)
    assert rec.events == [("node_added", node)]
    assert g.node("a") is node


def test_duplicate_node_id_is_refused_and_graph_unchanged():
    g = make_graph("a")
    with pytest.raises(DuplicateIdError):
        g.add_node(Node("a", "x.Y", "again"))
    assert [n.label for n in g.nodes] == ["A"]


def test_edge_between_missing_nodes_is_refused():
    g = make_graph("a")
    with pytest.raises(UnknownNodeError) as info:
        g.add_edge(Edge("e", "a", "ghost"))
    assert info.value.node_id == "ghost"
    assert g.edge_count() == 0


def test_self_loop_is_refused():
    g = make_graph("a")
    with pytest.raises(SelfLoopError):
        g.add_edge(Edge("e", "a", "a"))


def test_duplicate_edge_is_refused_even_with_new_id():
    g = make_graph("a", "b")
    g.add_edge(Edge("e1", "a", "b"))
    with pytest.raises(DuplicateEdgeError) as info:
        g.add_edge(Edge("e2", "a", "b"))
    assert "B already depends on A" in str(info.value)


def test_duplicate_edge_id_is_refused():
    g = make_graph("a", "b", "c")
    g.add_edge(Edge("e1", "a", "b"))
    with pytest.raises(DuplicateIdError):
        g.add_edge(Edge("e1", "b", "c"))


def test_cycle_names_the_nodes_in_order():
    g = make_graph("a", "b", "c")
    g.add_edge(Edge("e1", "a", "b"))
    g.add_edge(Edge("e2", "b", "c"))
    with pytest.raises(CycleError) as info:
        g.add_edge(Edge("e3", "c", "a"))
    assert info.value.cycle == ["a", "b", "c", "a"]
    assert "A -> B -> C -> A" in str(info.value)
    assert g.edge_count() == 2


def test_reverse_edge_is_a_cycle():
    g = make_graph("a", "b")
    g.add_edge(Edge("e1", "a", "b"))
    with pytest.raises(CycleError):
        g.add_edge(Edge("e2", "b", "a"))


def test_diamond_is_not_a_cycle():
    g = make_graph("a", "b", "c", "d")
    for eid, s, t in [("1", "a", "b"), ("2", "a", "c"), ("3", "b", "d"), ("4", "c", "d")]:
        g.add_edge(Edge(eid, s, t))
    assert g.topological_order() == ["a", "b", "c", "d"]


def test_remove_node_removes_its_edges_and_reports_indices():
    g = make_graph("a", "b", "c")
    g.add_edge(Edge("e1", "a", "b"))
    g.add_edge(Edge("e2", "b", "c"))
    g.add_edge(Edge("e3", "a", "c"))
    rec = Recorder(g)
    node, index, edges = g.remove_node("b")
    assert index == 1
    assert [(e.id, i) for e, i in edges] == [("e1", 0), ("e2", 1)]
    assert [e.id for e in g.edges] == ["e3"]
    assert [ev[0] for ev in rec.events] == ["edge_removed", "edge_removed", "node_removed"]
    g.restore_node(node, index, edges)
    assert [n.id for n in g.nodes] == ["a", "b", "c"]
    assert [e.id for e in g.edges] == ["e1", "e2", "e3"]


def test_remove_unknown_edge():
    g = make_graph("a")
    with pytest.raises(UnknownEdgeError):
        g.remove_edge("nope")


def test_move_emits_only_on_real_change():
    g = make_graph("a")
    rec = Recorder(g)
    g.move_node("a", 0, 0)
    assert rec.events == []
    g.move_node("a", 10, 5)
    assert rec.events == [("node_moved", "a", 10, 5)]


def test_set_node_field_copies_and_emits_only_on_change():
    g = make_graph("a")
    rec = Recorder(g)
    attrs = {"k": [1]}
    g.set_node_field("a", "attributes", attrs)
    attrs["k"].append(2)
    assert g.node("a").attributes == {"k": [1]}
    g.set_node_field("a", "attributes", {"k": [1]})
    assert rec.events == [("node_changed", "a", "attributes")]
    with pytest.raises(ValueError):
        g.set_node_field("a", "id", "b")


def test_insert_node_at_index():
    g = make_graph("a", "c")
    g.add_node(Node("b", "x.Y", "B"), index=1)
    assert [n.id for n in g.nodes] == ["a", "b", "c"]


def test_load_refuses_cycle():
    g = Graph()
    nodes = [Node("a", "t", "A"), Node("b", "t", "B")]
    with pytest.raises(CycleError):
        g.load(nodes, [Edge("1", "a", "b"), Edge("2", "b", "a")])


def test_project_meta_events():
    p = Project("P")
    seen = []
    p.meta_changed.connect(seen.append)
    p.set_meta("name", "P")
    p.set_meta("name", "Q")
    assert seen == ["name"] and p.name == "Q"
    with pytest.raises(ValueError):
        p.set_meta("graph", None)


def test_check_edge_does_not_mutate():
    g = make_graph("a", "b")
    g.check_edge("a", "b")
    assert g.edge_count() == 0
