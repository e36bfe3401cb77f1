"""Check with Dagster: export a snapshot of the project to a temporary folder and load it with Dagster
itself (services.loader, in a helper process), off the UI thread. The controller owns the last result and
whether the project changed since; the Dagster panel only shows what it announces."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Signal

from dagster_designer_qt.core import fileformat
from dagster_designer_qt.core.errors import DesignerError
from dagster_designer_qt.ui.workers import run_in_background

# Model events that change what Dagster would load (moving a node does not).
_GRAPH_EVENTS = ("node_added", "node_removed", "edge_added", "edge_removed", "node_changed")


def _check_work(project_data: dict, components):
    """Runs on a worker thread: plain data in, a LoadReport out (or LoadError raised)."""
    from dagster_designer_qt.services.loader import load_project

    return load_project(fileformat.project_from_dict(project_data), components)


def error_message(error: BaseException) -> str:
    """One line for the user: the service's message, never a traceback."""
    if isinstance(error, DesignerError):
        text = str(error).strip()
    else:
        text = f"{type(error).__name__}: {error}".strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return type(error).__name__
    # The loader's fallback is "the Dagster loader failed:" + the helper's stderr tail: keep its last line.
    return lines[0] if len(lines) == 1 else f"{lines[0].rstrip(':')}: {lines[-1]}"


class DagsterCheck(QObject):
    started = Signal()
    # (LoadReport or None, one-line error or None, stale: the project changed while Dagster loaded it,
    #  seconds the check took)
    finished = Signal(object, object, bool, float)
    stale = Signal()  # the project changed after the last result
    reset = Signal()  # another project was opened: the last result is about something else
    running_changed = Signal(bool)
    status = Signal(str)

    def __init__(self, document, registry=None, parent: QObject | None = None):
        super().__init__(parent)
        self.document = document
        self.registry = registry
        self._task = None
        self._changed = False  # since the snapshot the last (or running) check loaded
        self._has_result = False
        self._project = None
        self._started_at = 0.0
        self._watch(document.project)
        document.project_replaced.connect(self._on_project_replaced)

    # ---------------------------------------------------------------- state
    def is_running(self) -> bool:
        return self._task is not None

    def can_run(self) -> bool:
        return not self.is_running() and self.document.graph.node_count() > 0

    def is_stale(self) -> bool:
        return self._has_result and self._changed

    # ---------------------------------------------------------------- verbs
    def start(self) -> bool:
        if self.is_running():
            self.status.emit("A check with Dagster is already running")
            return False
        if self.document.graph.node_count() == 0:
            self.status.emit("Nothing to check: the project has no components")
            return False
        data = fileformat.project_to_dict(self.document.project)  # snapshot: edits may go on meanwhile
        self._changed = False
        self._started_at = time.monotonic()
        self._task = run_in_background(_check_work, data, self._components(), on_done=self._done,
                                       name="dagster-check")
        self.status.emit("Checking with Dagster…")
        self.started.emit()
        self.running_changed.emit(True)
        return True

    def shutdown(self) -> None:
        """The window closes: a running check is abandoned and its Dagster helper process stopped now
        (loading a project can take minutes; nobody will see the result)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the worker ends (scripts); its result still arrives through the event loop."""
        return self._task.wait(timeout) if self._task is not None else True

    def _components(self):
        registry = self.registry
        if registry is None or not registry.is_loaded():
            return None
        return {c.type: c for c in registry.components()}

    def _done(self, report, error) -> None:
        self._task = None
        self._has_result = True
        message = None if error is None else error_message(error)
        if message is None:
            self.status.emit(f"Dagster loaded {len(report.assets)} asset{'s' if len(report.assets) != 1 else ''}")
        else:
            self.status.emit("Dagster could not load the project (see the Dagster panel)")
        self.running_changed.emit(False)
        self.finished.emit(report, message, self._changed, time.monotonic() - self._started_at)

    # ---------------------------------------------------------------- staleness
    def _watch(self, project) -> None:
        if self._project is not None:
            for name in _GRAPH_EVENTS:
                getattr(self._project.graph, name).disconnect(self._on_changed)
            self._project.meta_changed.disconnect(self._on_changed)
        self._project = project
        for name in _GRAPH_EVENTS:
            getattr(project.graph, name).connect(self._on_changed)
        project.meta_changed.connect(self._on_changed)

    def _on_project_replaced(self, project) -> None:
        self._watch(project)
        self._changed = True  # a running check reports on the old project
        if self._has_result and not self.is_running():
            self._has_result = False
            self.reset.emit()

    def _on_changed(self, *_args) -> None:
        if self._changed:
            return
        self._changed = True
        if self._has_result and not self.is_running():
            self.stale.emit()
