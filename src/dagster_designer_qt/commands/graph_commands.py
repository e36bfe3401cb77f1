"""Undo commands. Each calls one core mutator; none touches scene items or widgets (the scene follows
model events). Composite edits are a parent QUndoCommand with children, built before pushing."""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtGui import QUndoCommand

from dagster_designer_qt.core.model import Edge, Graph, Node, Project

# ids for mergeable commands
MERGE_MOVE = 1001
MERGE_FIELD = 1002
MERGE_META = 1003


class AddNodeCommand(QUndoCommand):
    def __init__(self, graph: Graph, node: Node, parent: QUndoCommand | None = None):
        super().__init__(f"Add {node.label}", parent)
        self.graph = graph
        self.node = node

    def redo(self) -> None:
        self.graph.add_node(self.node)

    def undo(self) -> None:
        self.graph.remove_node(self.node.id)


class RemoveNodeCommand(QUndoCommand):
    """Removes a node with its edges; undo restores both at their original positions in the order."""

    def __init__(self, graph: Graph, node_id: str, parent: QUndoCommand | None = None):
        super().__init__(f"Delete {graph.node(node_id).label}", parent)
        self.graph = graph
        self.node_id = node_id
        self._removed: tuple[Node, int, list[tuple[Edge, int]]] | None = None

    def redo(self) -> None:
        self._removed = self.graph.remove_node(self.node_id)

    def undo(self) -> None:
        assert self._removed is not None
        node, index, edges = self._removed
        self.graph.restore_node(node, index, edges)


class AddEdgeCommand(QUndoCommand):
    def __init__(self, graph: Graph, edge: Edge, parent: QUndoCommand | None = None):
        super().__init__("Connect", parent)
        self.graph = graph
        self.edge = edge

    def redo(self) -> None:
        self.graph.add_edge(self.edge)

    def undo(self) -> None:
        self.graph.remove_edge(self.edge.id)


class RemoveEdgeCommand(QUndoCommand):
    def __init__(self, graph: Graph, edge_id: str, parent: QUndoCommand | None = None):
        super().__init__("Disconnect", parent)
        self.graph = graph
        self.edge_id = edge_id
        self._removed: tuple[Edge, int] | None = None

    def redo(self) -> None:
        self._removed = self.graph.remove_edge(self.edge_id)

    def undo(self) -> None:
        assert self._removed is not None
        edge, index = self._removed
        self.graph.add_edge(edge, index)


class MoveNodesCommand(QUndoCommand):
    """Moves several nodes as one step. ``moves`` maps node id -> ((old_x, old_y), (new_x, new_y)).
    With ``merge=True`` consecutive moves of the same nodes merge (arrow-key nudges)."""

    def __init__(self, graph: Graph, moves: dict[str, tuple[tuple[float, float], tuple[float, float]]],
                 text: str = "Move", merge: bool = False, parent: QUndoCommand | None = None):
        super().__init__(text, parent)
        self.graph = graph
        self.moves = dict(moves)
        self.merge = merge

    def id(self) -> int:  # noqa: A003 - Qt's name
        return MERGE_MOVE if self.merge else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        if not isinstance(other, MoveNodesCommand) or not other.merge:
            return False
        if set(other.moves) != set(self.moves):
            return False
        for node_id, (_old, new) in other.moves.items():
            self.moves[node_id] = (self.moves[node_id][0], new)
        return True

    def redo(self) -> None:
        for node_id, (_old, (x, y)) in self.moves.items():
            self.graph.move_node(node_id, x, y)

    def undo(self) -> None:
        for node_id, ((x, y), _new) in self.moves.items():
            self.graph.move_node(node_id, x, y)


class SetNodeFieldCommand(QUndoCommand):
    """Sets one node field (label, attributes, translation, post_processing, files, component_type).
    Commands with the same non-empty ``merge_key`` on the same node and field merge into one undo step
    (typing in one form field)."""

    def __init__(self, graph: Graph, node_id: str, name: str, value: Any, text: str | None = None,
                 merge_key: str | None = None, parent: QUndoCommand | None = None):
        node = graph.node(node_id)
        super().__init__(text or f"Edit {name.replace('_', ' ')} of {node.label}", parent)
        self.graph = graph
        self.node_id = node_id
        self.name = name
        self.old = copy.deepcopy(getattr(node, name))
        self.new = copy.deepcopy(value)
        self.merge_key = merge_key

    def id(self) -> int:  # noqa: A003
        return MERGE_FIELD if self.merge_key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802
        if (
            isinstance(other, SetNodeFieldCommand)
            and other.merge_key == self.merge_key
            and other.node_id == self.node_id
            and other.name == self.name
        ):
            self.new = copy.deepcopy(other.new)
            if self.new == self.old:
                self.setObsolete(True)
            return True
        return False

    def redo(self) -> None:
        self.graph.set_node_field(self.node_id, self.name, self.new)

    def undo(self) -> None:
        self.graph.set_node_field(self.node_id, self.name, self.old)


class SetProjectMetaCommand(QUndoCommand):
    def __init__(self, project: Project, name: str, value: Any, merge_key: str | None = None,
                 parent: QUndoCommand | None = None):
        super().__init__(f"Edit project {name.replace('_', ' ')}", parent)
        self.project = project
        self.name = name
        self.old = getattr(project, name)
        self.new = value
        self.merge_key = merge_key

    def id(self) -> int:  # noqa: A003
        return MERGE_META if self.merge_key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802
        if isinstance(other, SetProjectMetaCommand) and other.merge_key == self.merge_key \
                and other.name == self.name:
            self.new = other.new
            if self.new == self.old:
                self.setObsolete(True)
            return True
        return False

    def redo(self) -> None:
        self.project.set_meta(self.name, self.new)

    def undo(self) -> None:
        self.project.set_meta(self.name, self.old)
