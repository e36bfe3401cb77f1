"""Undo commands. Each edit is a list of small model operations, each calling one core mutator; none
touches scene items or widgets (the scene follows model events).

Composite edits (delete a selection, paste) are one QUndoCommand holding several operations, built
before pushing. We deliberately don't use QUndoCommand children: PySide6 doesn't keep a Python child's
wrapper alive reliably once its C++ parent owns it, and a collected child crashes the process in redo()
or at garbage collection.
"""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtGui import QUndoCommand

from dagster_designer_qt.core.json_copy import same_json
from dagster_designer_qt.core.model import Edge, Graph, Node, Project

# ids for mergeable commands
MERGE_MOVE = 1001
MERGE_FIELD = 1002
MERGE_META = 1003


# ------------------------------------------------------------- operations
class AddNodeOp:
    def __init__(self, graph: Graph, node: Node):
        self.graph, self.node = graph, node

    def redo(self) -> None:
        self.graph.add_node(self.node)

    def undo(self) -> None:
        self.graph.remove_node(self.node.id)


class RemoveNodeOp:
    """Removes a node with its edges; undo restores both at their original positions in the order."""

    def __init__(self, graph: Graph, node_id: str):
        self.graph, self.node_id = graph, node_id
        self._removed: tuple[Node, int, list[tuple[Edge, int]]] | None = None

    def redo(self) -> None:
        self._removed = self.graph.remove_node(self.node_id)

    def undo(self) -> None:
        assert self._removed is not None
        self.graph.restore_node(*self._removed)


class AddEdgeOp:
    def __init__(self, graph: Graph, edge: Edge):
        self.graph, self.edge = graph, edge

    def redo(self) -> None:
        self.graph.add_edge(self.edge)

    def undo(self) -> None:
        self.graph.remove_edge(self.edge.id)


class RemoveEdgeOp:
    def __init__(self, graph: Graph, edge_id: str):
        self.graph, self.edge_id = graph, edge_id
        self._removed: tuple[Edge, int] | None = None

    def redo(self) -> None:
        self._removed = self.graph.remove_edge(self.edge_id)

    def undo(self) -> None:
        assert self._removed is not None
        edge, index = self._removed
        self.graph.add_edge(edge, index)


class MoveNodesOp:
    """``moves`` maps node id -> ((old_x, old_y), (new_x, new_y))."""

    def __init__(self, graph: Graph, moves: dict[str, tuple[tuple[float, float], tuple[float, float]]]):
        self.graph, self.moves = graph, dict(moves)

    def redo(self) -> None:
        for node_id, (_old, (x, y)) in self.moves.items():
            self.graph.move_node(node_id, x, y)

    def undo(self) -> None:
        for node_id, ((x, y), _new) in self.moves.items():
            self.graph.move_node(node_id, x, y)


class SetNodeFieldOp:
    def __init__(self, graph: Graph, node_id: str, name: str, value: Any):
        self.graph, self.node_id, self.name = graph, node_id, name
        self.old = copy.deepcopy(getattr(graph.node(node_id), name))
        self.new = copy.deepcopy(value)

    def redo(self) -> None:
        self.graph.set_node_field(self.node_id, self.name, self.new)

    def undo(self) -> None:
        self.graph.set_node_field(self.node_id, self.name, self.old)


class SetProjectMetaOp:
    def __init__(self, project: Project, name: str, value: Any):
        self.project, self.name = project, name
        self.old, self.new = getattr(project, name), value

    def redo(self) -> None:
        self.project.set_meta(self.name, self.new)

    def undo(self) -> None:
        self.project.set_meta(self.name, self.old)


# --------------------------------------------------------------- commands
class EditCommand(QUndoCommand):
    """One undo step made of operations run in order (and undone in reverse)."""

    def __init__(self, text: str, ops: list):
        super().__init__(text)
        self.ops = list(ops)

    def redo(self) -> None:
        for op in self.ops:
            op.redo()

    def undo(self) -> None:
        for op in reversed(self.ops):
            op.undo()


def add_node_command(graph: Graph, node: Node) -> EditCommand:
    return EditCommand(f"Add {node.label}", [AddNodeOp(graph, node)])


def add_edge_command(graph: Graph, edge: Edge) -> EditCommand:
    return EditCommand("Connect", [AddEdgeOp(graph, edge)])


class MoveNodesCommand(EditCommand):
    """Moves several nodes as one step. With ``merge=True`` consecutive moves of the same nodes merge
    (arrow-key nudges)."""

    def __init__(self, graph: Graph, moves, text: str = "Move", merge: bool = False):
        self.op = MoveNodesOp(graph, moves)
        super().__init__(text, [self.op])
        self.merge = merge

    def id(self) -> int:  # noqa: A003 - Qt's name
        return MERGE_MOVE if self.merge else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        if not isinstance(other, MoveNodesCommand) or not other.merge:
            return False
        if set(other.op.moves) != set(self.op.moves):
            return False
        for node_id, (_old, new) in other.op.moves.items():
            self.op.moves[node_id] = (self.op.moves[node_id][0], new)
        return True


class SetNodeFieldCommand(EditCommand):
    """Sets one node field (label, attributes, translation, post_processing, files, component_type).
    Commands with the same non-empty ``merge_key`` on the same node and field merge into one undo step
    (typing in one form field)."""

    def __init__(self, graph: Graph, node_id: str, name: str, value: Any, text: str | None = None,
                 merge_key: str | None = None):
        self.op = SetNodeFieldOp(graph, node_id, name, value)
        label = graph.node(node_id).label
        super().__init__(text or f"Edit {name.replace('_', ' ')} of {label}", [self.op])
        self.merge_key = merge_key

    def id(self) -> int:  # noqa: A003
        return MERGE_FIELD if self.merge_key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802
        if (
            isinstance(other, SetNodeFieldCommand)
            and other.merge_key == self.merge_key
            and other.op.node_id == self.op.node_id
            and other.op.name == self.op.name
        ):
            self.op.new = copy.deepcopy(other.op.new)
            if same_json(self.op.new, self.op.old):
                self.setObsolete(True)
            return True
        return False


class SetProjectMetaCommand(EditCommand):
    def __init__(self, project: Project, name: str, value: Any, merge_key: str | None = None):
        self.op = SetProjectMetaOp(project, name, value)
        super().__init__(f"Edit project {name.replace('_', ' ')}", [self.op])
        self.merge_key = merge_key

    def id(self) -> int:  # noqa: A003
        return MERGE_META if self.merge_key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802
        if isinstance(other, SetProjectMetaCommand) and other.merge_key == self.merge_key \
                and other.op.name == self.op.name:
            self.op.new = other.op.new
            if same_json(self.op.new, self.op.old):
                self.setObsolete(True)
            return True
        return False
