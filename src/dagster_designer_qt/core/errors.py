"""Typed errors with messages a user can act on. Every layer raises these; the CLI prints them as one line
and the UI shows them in a dialog or the status bar."""

from __future__ import annotations


class DesignerError(Exception):
    """Base class for every error whose message is meant for the user."""


class GraphError(DesignerError):
    """A graph edit that would break an invariant."""


class UnknownNodeError(GraphError):
    def __init__(self, node_id: str):
        super().__init__(f"no node with id {node_id!r}")
        self.node_id = node_id


class UnknownEdgeError(GraphError):
    def __init__(self, edge_id: str):
        super().__init__(f"no edge with id {edge_id!r}")
        self.edge_id = edge_id


class DuplicateIdError(GraphError):
    def __init__(self, kind: str, item_id: str):
        super().__init__(f"a {kind} with id {item_id!r} already exists")
        self.kind = kind
        self.item_id = item_id


class SelfLoopError(GraphError):
    def __init__(self, node_id: str, label: str = ""):
        super().__init__(f"a component cannot depend on itself ({label or node_id})")
        self.node_id = node_id


class DuplicateEdgeError(GraphError):
    def __init__(self, source: str, target: str, source_label: str = "", target_label: str = ""):
        super().__init__(
            f"{target_label or target} already depends on {source_label or source}"
        )
        self.source = source
        self.target = target


class CycleError(GraphError):
    """Raised when an edge would close a cycle. ``cycle`` lists the node ids in order, first == last."""

    def __init__(self, cycle: list[str], labels: list[str] | None = None):
        names = labels or cycle
        super().__init__("this connection would create a cycle: " + " -> ".join(names))
        self.cycle = cycle


class ProjectFileError(DesignerError):
    """A project file that cannot be read. ``json_path`` says where (e.g. ``$.graph.nodes[2].id``)."""

    def __init__(self, message: str, *, path: str | None = None, json_path: str | None = None):
        where = ""
        if path:
            where += f"{path}: "
        if json_path:
            where += f"{json_path}: "
        super().__init__(where + message)
        self.file_path = path
        self.json_path = json_path
        self.detail = message


class FutureVersionError(ProjectFileError):
    def __init__(self, found: int, supported: int, *, path: str | None = None):
        super().__init__(
            f"this project file has schema_version {found}, but this version of Dagster Designer "
            f"reads schema_version {supported} at most; open it with a newer Dagster Designer",
            path=path,
        )
        self.found = found
        self.supported = supported
