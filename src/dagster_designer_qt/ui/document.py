"""ProjectDocument: owns the project, its undo stack, its file path and the selection.

Panels, canvas and dialogs call the verbs here; every edit becomes an undo command pushed on the stack
(the only way the UI changes a project). Modified state is ``not undo_stack.isClean()``.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Iterable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack
from shiboken6 import isValid

from dagster_designer_qt.commands.graph_commands import (
    AddEdgeOp,
    AddNodeOp,
    EditCommand,
    MoveNodesCommand,
    RemoveEdgeOp,
    RemoveNodeOp,
    SetNodeFieldCommand,
    SetProjectMetaCommand,
    add_edge_command,
    add_node_command,
)
from dagster_designer_qt.core import clipboard
from dagster_designer_qt.core.json_copy import same_json
from dagster_designer_qt.core.model import Edge, Node, Project, new_id
from dagster_designer_qt.services import project_store


class ProjectDocument(QObject):
    project_replaced = Signal(object)  # the new Project (after New/Open)
    path_changed = Signal(object)  # Path | None
    modified_changed = Signal(bool)
    selection_changed = Signal(list)  # list[str] of node ids

    def __init__(self, project: Project | None = None, path: Path | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self._project = project or project_store.new_project("Untitled Project")
        self._path = Path(path) if path else None
        self._selection: list[str] = []
        self._project.graph.node_removed.connect(self._forget_removed)

    def __del__(self) -> None:
        """Empty the undo stack while the document is whole, before the garbage collector clears anything.

        A document is always in a reference cycle (its graph's signals hold its bound methods), so one
        without a parent window is freed by the collector. PySide6 keeps a pushed command's wrapper as a
        child of the stack's; clearing that wrapper (``tp_clear``, in whatever order the collector picks)
        gives the C++ command back to Python, which deletes it while the stack still lists it, and the
        stack's destructor then deletes it again: a segfault in ``gc.collect()``. ``QUndoStack.clear()``
        deletes the commands from the stack's side, which tells each wrapper. The collector runs every
        ``__del__`` of the garbage before it clears anything (PEP 442). A window's document has the window
        as its parent: Qt has already deleted it with its stack (nothing to do here)."""
        stack = self.__dict__.get("undo_stack")
        if stack is not None and isValid(stack):
            stack.blockSignals(True)  # no signal into objects that are being collected
            stack.clear()

    def _on_clean_changed(self, clean: bool) -> None:
        self.modified_changed.emit(not clean)

    # ---------------------------------------------------------------- state
    @property
    def project(self) -> Project:
        return self._project

    @property
    def graph(self):
        return self._project.graph

    @property
    def path(self) -> Path | None:
        return self._path

    def is_modified(self) -> bool:
        return not self.undo_stack.isClean()

    def display_name(self) -> str:
        return self._project.name or (self._path.name if self._path else "Untitled")

    # ---------------------------------------------------------------- files
    def replace_project(self, project: Project, path: Path | None) -> None:
        self.set_selection([])
        self._project.graph.node_removed.disconnect(self._forget_removed)
        self._project = project
        self._project.graph.node_removed.connect(self._forget_removed)
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self._path = Path(path) if path else None
        self.project_replaced.emit(project)
        self.path_changed.emit(self._path)
        self.modified_changed.emit(False)

    def new(self, name: str = "Untitled Project") -> None:
        self.replace_project(project_store.new_project(name), None)

    def open(self, path: str | Path) -> None:
        """Load a file; on error (ProjectFileError) nothing changes."""
        project = project_store.load_project(path)
        self.replace_project(project, Path(path))

    def save(self, path: str | Path | None = None) -> Path:
        target = Path(path) if path else self._path
        if target is None:
            raise ValueError("save() needs a path for an unsaved project")
        project_store.save_project(self._project, target)
        self.undo_stack.setClean()
        if target != self._path:
            self._path = target
            self.path_changed.emit(target)
        return target

    # ------------------------------------------------------------ selection
    def selection(self) -> list[str]:
        return list(self._selection)

    def set_selection(self, node_ids: Iterable[str]) -> None:
        ids = [i for i in node_ids if self.graph.has_node(i)]
        if ids != self._selection:
            self._selection = ids
            self.selection_changed.emit(list(ids))

    def _forget_removed(self, node: Node) -> None:
        if node.id in self._selection:
            self._selection = [i for i in self._selection if i != node.id]
            self.selection_changed.emit(list(self._selection))

    # ---------------------------------------------------------------- verbs
    def _push(self, command: QUndoCommand) -> None:
        self.undo_stack.push(command)

    def unique_label(self, wanted: str, exclude: str | None = None) -> str:
        taken = (n.label for n in self.graph.iter_nodes() if n.id != exclude)
        return clipboard.unique_label(wanted, taken)

    def add_node(self, component_type: str, x: float = 0.0, y: float = 0.0, *, label: str | None = None,
                 attributes: dict[str, Any] | None = None, files: dict[str, str] | None = None,
                 template: bool = True) -> str:
        """Add a node. With neither attributes nor files given (and ``template``), it starts from the
        component's scaffold template (core.scaffold_templates), with asset keys named after its label."""
        from dagster_designer_qt.core.naming import component_display_name

        default = component_display_name(component_type)
        final_label = self.unique_label(label or default)
        if template and attributes is None and files is None:
            attributes, files = self._template(component_type, final_label)
        node = Node(
            id=new_id(),
            component_type=component_type,
            label=final_label,
            x=float(x),
            y=float(y),
            attributes=copy.deepcopy(attributes or {}),
            files=copy.deepcopy(files) if files else None,
        )
        self._push(add_node_command(self.graph, node))
        return node.id

    def _template(self, component_type: str, label: str) -> tuple[dict[str, Any], dict[str, str]]:
        from dagster_designer_qt.core.naming import slug
        from dagster_designer_qt.core.scaffold_templates import templates_for

        template = templates_for(component_type)
        attributes = template.attributes
        assets = attributes.get("assets")
        if isinstance(assets, list):  # a distinct key per node, so new nodes don't collide
            for spec in assets:
                if isinstance(spec, dict) and spec.get("key") == "my_asset":
                    spec["key"] = slug(label, "asset")
        return attributes, template.files

    def connect(self, source: str, target: str) -> str:
        """Add an edge; raises the model's GraphError (self-loop, duplicate, cycle) without pushing."""
        self.graph.check_edge(source, target)
        edge = Edge(new_id(), source, target)
        self._push(add_edge_command(self.graph, edge))
        return edge.id

    def disconnect(self, edge_ids: Iterable[str]) -> None:
        self.delete([], edge_ids)

    def delete(self, node_ids: Iterable[str], edge_ids: Iterable[str] = ()) -> None:
        node_ids = [i for i in dict.fromkeys(node_ids) if self.graph.has_node(i)]
        doomed_nodes = set(node_ids)
        edge_ids = [
            i for i in dict.fromkeys(edge_ids)
            if self.graph.has_edge(i)
            and self.graph.edge(i).source not in doomed_nodes
            and self.graph.edge(i).target not in doomed_nodes
        ]
        if not node_ids and not edge_ids:
            return
        ops = [RemoveEdgeOp(self.graph, i) for i in edge_ids]
        ops += [RemoveNodeOp(self.graph, i) for i in node_ids]
        if len(ops) == 1:
            text = f"Delete {self.graph.node(node_ids[0]).label}" if node_ids else "Disconnect"
        else:
            text = f"Delete {len(ops)} items"
        self._push(EditCommand(text, ops))

    def move_nodes(self, positions: dict[str, tuple[float, float]], *, nudge: bool = False) -> None:
        """Move nodes to new positions as one undo step (a drag, on mouse release)."""
        moves = {}
        for node_id, (x, y) in positions.items():
            node = self.graph.node(node_id)
            if (node.x, node.y) != (x, y):
                moves[node_id] = ((node.x, node.y), (float(x), float(y)))
        if moves:
            text = "Nudge" if nudge else ("Move" if len(moves) == 1 else f"Move {len(moves)} nodes")
            self._push(MoveNodesCommand(self.graph, moves, text=text, merge=nudge))

    def rename(self, node_id: str, label: str, merge_key: str | None = None) -> None:
        self.set_node_field(node_id, "label", label, merge_key=merge_key, text=f"Rename to {label}")

    def set_node_field(self, node_id: str, name: str, value: Any, *, merge_key: str | None = None,
                       text: str | None = None) -> None:
        if same_json(getattr(self.graph.node(node_id), name), value):
            return
        self._push(SetNodeFieldCommand(self.graph, node_id, name, value, text=text, merge_key=merge_key))

    def set_attributes(self, node_id: str, attributes: dict[str, Any], *, merge_key: str | None = None) -> None:
        self.set_node_field(node_id, "attributes", attributes, merge_key=merge_key)

    def set_project_meta(self, name: str, value: Any, *, merge_key: str | None = None) -> None:
        if same_json(getattr(self._project, name), value):
            return
        self._push(SetProjectMetaCommand(self._project, name, value, merge_key=merge_key))

    # ----------------------------------------------------------- clipboard
    def copy_payload(self, node_ids: Iterable[str]) -> dict[str, Any]:
        return clipboard.copy_payload(self.graph, node_ids)

    def paste(self, payload: Any, offset: tuple[float, float] = (40.0, 40.0), text: str = "Paste") -> list[str]:
        """Add copies of the payload's nodes and internal edges; returns the new node ids.
        Raises ProjectFileError if the payload isn't ours."""
        nodes, edges = clipboard.payload_items(payload, offset)
        if not nodes:
            return []
        taken = [n.label for n in self.graph.iter_nodes()]
        ops: list = []
        for node in nodes:
            node.label = clipboard.unique_label(node.label, taken)
            taken.append(node.label)
            ops.append(AddNodeOp(self.graph, node))
        ops += [AddEdgeOp(self.graph, edge) for edge in edges]
        self._push(EditCommand(f"{text} {len(nodes)} node{'s' if len(nodes) != 1 else ''}", ops))
        return [n.id for n in nodes]

    def duplicate(self, node_ids: Iterable[str]) -> list[str]:
        return self.paste(self.copy_payload(node_ids), text="Duplicate")

    def cut(self, node_ids: Iterable[str]) -> dict[str, Any]:
        ids = list(node_ids)
        payload = self.copy_payload(ids)
        self.delete(ids)
        return payload

    # -------------------------------------------------------------- layout
    def auto_layout(self, node_ids: Iterable[str] | None = None) -> None:
        from dagster_designer_qt.core.layout import layered_layout

        positions = layered_layout(self.graph, list(node_ids) if node_ids is not None else None)
        moves = {}
        for node_id, (x, y) in positions.items():
            node = self.graph.node(node_id)
            if (node.x, node.y) != (x, y):
                moves[node_id] = ((node.x, node.y), (x, y))
        if moves:
            self._push(MoveNodesCommand(self.graph, moves, text="Auto Layout"))
