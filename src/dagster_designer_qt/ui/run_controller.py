"""Run and Open in Dagster UI, for one window.

``start()`` snapshots the project, then on a worker thread exports it to its run folder and runs the helper
(services.run_service); each event comes back on the UI thread, feeds a RunTracker and is announced. The
controller keeps the last few runs, paints each node's state through ``NodeItem.run_state`` and turns a
click on a node's run badge into ``node_result_requested``. ``open_dagster_ui()`` starts ``dagster dev``
for the export (services.run_dev) and opens the browser once its port answers. ``shutdown()`` (window
close) cancels a run and stops the server, so nothing is left running.
"""

from __future__ import annotations

import threading
from collections import deque

from PySide6.QtCore import QEvent, QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices

from dagster_designer_qt.core import fileformat
from dagster_designer_qt.services.run_state import RunRecord, RunTracker

HISTORY = 5


def may_run_project_code(window, project) -> bool:
    """The one place a check goes before the designer runs project code (a run or ``dagster dev``): a
    project whose templates or Python would run code at load needs the user's trust, the same trust as
    Check with Dagster (asked there, remembered per project file and content)."""
    check = getattr(window, "dagster_check", None)
    if check is not None and not check.ensure_trusted():
        window.statusBar().showMessage("Not run: the project was not trusted", 10000)
        return False
    return True


def project_python_path(window) -> str | None:
    """The project's own interpreter for runs (None: the designer's own)."""
    python = getattr(window.context.registry, "python", lambda: None)()
    return None if python is None or getattr(python, "own", True) else python.path


class RunController(QObject):
    event = Signal(object)  # each event dict of the current run, on the UI thread
    run_started = Signal(object)  # RunRecord
    run_finished = Signal(object)  # RunRecord
    node_states_changed = Signal(object)  # set of node ids
    running_changed = Signal(bool)
    status = Signal(str)
    node_result_requested = Signal(str)  # a run badge was clicked: show this node's result
    dev_changed = Signal(bool, str)  # dagster dev running?, its URL or the reason it stopped
    _worker_event = Signal(int, object)  # (run number, event) from the worker thread
    _dev_event = Signal(object, bool, str)  # (server, ready, message) from the worker thread

    def __init__(self, window, parent: QObject | None = None):
        super().__init__(parent)
        self.window = window
        self.document = window.document
        self.history: deque[RunRecord] = deque(maxlen=HISTORY)
        self.current: RunRecord | None = None
        self._tracker: RunTracker | None = None
        self._process = None
        self._thread: threading.Thread | None = None
        self._cancel_requested = False
        self._python: str | None = None  # the project's interpreter for the current run / dagster dev
        self._count = 0
        self.dev_server = None
        self._dev_starting = False
        self._dev_stop = threading.Event()
        self._dev_thread: threading.Thread | None = None
        self.open_url = lambda url: QDesktopServices.openUrl(QUrl(url))  # tests replace it
        self._worker_event.connect(self._on_worker_event, Qt.ConnectionType.QueuedConnection)
        self._dev_event.connect(self._on_dev_event, Qt.ConnectionType.QueuedConnection)
        window.view.viewport().installEventFilter(self)
        self.document.project_replaced.connect(lambda _p: self.clear_badges())

    # ---------------------------------------------------------------- state
    def is_running(self) -> bool:
        return self._thread is not None

    def can_run(self) -> bool:
        return not self.is_running() and self.document.graph.node_count() > 0

    def last(self) -> RunRecord | None:
        return self.current or (self.history[-1] if self.history else None)

    # ---------------------------------------------------------------- run
    def run_all(self) -> bool:
        return self.start(None)

    def run_selected(self, upstream: bool = False) -> bool:
        ids = [i for i in self.document.selection() if self.document.graph.has_node(i)]
        if not ids:
            self.status.emit("Select the nodes to run first")
            return False
        return self.start(ids, upstream=upstream)

    def start(self, node_ids: list[str] | None, *, upstream: bool = False) -> bool:
        if self.is_running():
            self.status.emit("A run is already in progress")
            return False
        if self.document.graph.node_count() == 0:
            self.status.emit("Nothing to run: the project has no components")
            return False
        if not may_run_project_code(self.window, self.document.project):
            return False
        self._python = project_python_path(self.window)
        data = fileformat.project_to_dict(self.document.project)  # snapshot: edits may go on meanwhile
        labels = {n.id: n.label for n in self.document.graph.iter_nodes()}
        self._count += 1
        selection = "all" if not node_ids else ", ".join(labels.get(i, i) for i in node_ids) + (
            " and upstream" if upstream else "")
        record = RunRecord(number=self._count, selection=selection)
        self.current = record
        self._tracker = RunTracker(record)
        self._cancel_requested = False
        self.clear_badges()
        self._thread = threading.Thread(target=self._work, args=(record.number, data, self._components(),
                                                                 node_ids, upstream),
                                        name="designer-run", daemon=True)
        self._thread.start()
        self.status.emit(f"Run {record.number}: exporting and starting Dagster…")
        self.run_started.emit(record)
        self.running_changed.emit(True)
        return True

    def _components(self):
        registry = self.window.context.registry
        if registry is None or not registry.is_loaded():
            return None
        return {c.type: c for c in registry.components()}

    def _work(self, number: int, data: dict, components, node_ids, upstream: bool) -> None:
        """Worker thread: plain data in, events out through a queued signal."""
        from dagster_designer_qt.services.run_service import RunProcess, prepare_run

        try:
            project = fileformat.project_from_dict(data)
            python = self._python
            prepared = prepare_run(project, components, python=python)
            if self._cancel_requested:
                self._worker_event.emit(number, {"event": "cancelled", "node_id": None})
                return
            process = RunProcess(prepared, node_ids, upstream=upstream, python=python)
            self._process = process.start()
            if self._cancel_requested:
                process.cancel()
            for event in process.events():
                self._worker_event.emit(number, event)
        except Exception as exc:  # RunError / ExportError: a message the user can act on
            self._worker_event.emit(number, {"event": "error", "node_id": None, "message": str(exc)})
        finally:
            self._worker_event.emit(number, {"event": "finished", "node_id": None})

    def _on_worker_event(self, number: int, event: dict) -> None:
        record = self.current
        if record is None or record.number != number:
            return
        if event.get("event") == "finished":
            self._finish()
            return
        changed = self._tracker.feed(event)
        if changed:
            self._paint_states(changed)
            self.node_states_changed.emit(changed)
        self.event.emit(event)

    def _finish(self) -> None:
        record, tracker = self.current, self._tracker
        tracker.close()
        if self._thread is not None:
            self._thread.join(5)
        self._thread = None
        self._process = None
        self.current = None
        self.history.append(record)
        self._paint_states(set(record.nodes))
        error = " ".join(line.strip() for line in record.error.splitlines() if line.strip())
        text = {"succeeded": "succeeded", "cancelled": "was cancelled", "error": f"failed: {error}",
                "failed": "failed", "partly failed": "partly failed"}.get(record.outcome, record.outcome)
        self.status.emit(f"Run {record.number} {text} ({record.seconds:.1f} s)")
        self.running_changed.emit(False)
        self.run_finished.emit(record)

    def cancel(self) -> None:
        if not self.is_running():
            return
        self._cancel_requested = True
        process = self._process
        if process is not None:  # terminating waits a little: not on the UI thread
            threading.Thread(target=process.cancel, name="designer-run-cancel", daemon=True).start()
        self.status.emit("Cancelling the run…")

    def wait(self, timeout: float | None = None) -> bool:
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    # ---------------------------------------------------------------- canvas
    def _paint_states(self, node_ids) -> None:
        record = self.last()
        scene = self.window.scene
        for node_id in node_ids:
            item = scene.node_item(node_id)  # made now if still pending
            if item is not None and record is not None:
                item.run_state = record.nodes.get(node_id)
                item.update()

    def clear_badges(self) -> None:
        for item in self.window.scene.nodes.values():
            if item.run_state is not None:
                item.run_state = None
                item.update()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        """A left click on a node's run badge asks for that node's result (the click still selects)."""
        if event.type() == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            from dagster_designer_qt.ui.canvas import run_badge

            view = self.window.view
            scene_pos = view.mapToScene(event.position().toPoint())
            item = self.window.scene.node_item_at(scene_pos)
            if item is not None and item.run_state is not None and run_badge.hit(scene_pos - item.pos()):
                self.node_result_requested.emit(item.node_id)
        return False

    # ---------------------------------------------------------------- dagster dev
    def dev_running(self) -> bool:
        return self.dev_server is not None and self.dev_server.is_running()

    def open_dagster_ui(self) -> bool:
        """Start ``dagster dev`` for the export (or show the one running) and open the browser."""
        if self.dev_running():
            self.open_url(self.dev_server.url)
            return True
        if self._dev_starting:
            self.status.emit("Dagster UI is starting…")
            return False
        if self.document.graph.node_count() == 0:
            self.status.emit("Nothing to show: the project has no components")
            return False
        if not may_run_project_code(self.window, self.document.project):
            return False
        self._python = project_python_path(self.window)
        data = fileformat.project_to_dict(self.document.project)
        self._dev_starting = True
        self._dev_stop.clear()
        self._dev_thread = threading.Thread(target=self._dev_work, args=(data, self._components()),
                                            name="dagster-dev", daemon=True)
        self._dev_thread.start()
        self.status.emit("Starting the Dagster UI (dagster dev)…")
        self.dev_changed.emit(False, "starting")
        return True

    def _dev_work(self, data: dict, components) -> None:
        from dagster_designer_qt.services.run_dev import DevServer
        from dagster_designer_qt.services.run_service import prepare_run

        server = None
        try:
            prepared = prepare_run(fileformat.project_from_dict(data), components, python=self._python)
            server = DevServer(prepared, python=self._python).start()
            ready = server.wait_ready(240, self._dev_stop)
            if not ready or self._dev_stop.is_set():  # stopped here, so it can't outlive a closed window
                server.stop()
                ready = False
            message = server.url if ready else "dagster dev stopped: " + " / ".join(server.output()[-3:])
            self._dev_event.emit(server, ready, message)
        except Exception as exc:
            if server is not None:
                server.stop()
            self._dev_event.emit(server, False, str(exc))

    def _on_dev_event(self, server, ready: bool, message: str) -> None:
        self._dev_starting = False
        if ready and not self._dev_stop.is_set():
            self.dev_server = server
            self.status.emit(f"Dagster UI runs at {server.url}")
            self.dev_changed.emit(True, server.url)
            self.open_url(server.url)
            return
        if not self._dev_stop.is_set():
            self.status.emit(f"Could not start the Dagster UI: {message}")
        self.dev_changed.emit(False, message)

    def stop_dagster_ui(self, wait: bool = False) -> None:
        self._dev_stop.set()
        server, self.dev_server = self.dev_server, None
        if server is not None:
            if wait:
                server.stop()
            else:
                threading.Thread(target=server.stop, name="dagster-dev-stop", daemon=True).start()
            self.status.emit("Dagster UI stopped")
            self.dev_changed.emit(False, "stopped")

    # ---------------------------------------------------------------- window close
    def shutdown(self) -> None:
        """Cancel a run and stop ``dagster dev``, and wait for both: nothing outlives the window."""
        process = self._process
        if self.is_running():
            self._cancel_requested = True
            if process is not None:
                process.cancel()
            self.wait(30)
        self.stop_dagster_ui(wait=True)
        if self._dev_thread is not None:
            self._dev_thread.join(30)
