"""Check with Dagster: export a snapshot of the project to a temporary folder and load it with Dagster
itself (services.loader, in a helper process), off the UI thread. The controller owns the last result and
whether the project changed since; the Dagster panel only shows what it announces."""

from __future__ import annotations

import re
import threading
import time

from PySide6.QtCore import QObject, QTimer, Signal

from dagster_designer_qt.core import fileformat
from dagster_designer_qt.core.errors import DesignerError
from dagster_designer_qt.ui.workers import run_in_background

# Model events that change what Dagster would load (moving a node does not).
_GRAPH_EVENTS = ("node_added", "node_removed", "edge_added", "edge_removed", "node_changed")


class CheckFailure(DesignerError):
    """Dagster refused the project: ``message`` in the user's terms, ``node_id`` the node it is about."""

    def __init__(self, message: str, node_id: str | None):
        super().__init__(message)
        self.node_id = node_id


def _check_work(project_data: dict, components, python=None, cancel=None):
    """Runs on a worker thread: plain data in, a LoadReport out (CheckFailure or LoadCancelled raised).
    ``python``: the project's interpreter (a ResolvedPython; None: the designer's own)."""
    from dagster_designer_qt.services.codegen import generate
    from dagster_designer_qt.services.loader import LoadCancelled, LoadError, load_project

    project = fileformat.project_from_dict(project_data)
    try:
        return load_project(project, components, python=python, cancel=cancel)
    except LoadCancelled:
        raise
    except LoadError as exc:
        try:
            folders = generate(project, components).folders
        except Exception:  # noqa: BLE001 - the mapping is a nicety; the message still goes out
            folders = {}
        labels = {n.id: n.label for n in project.graph.iter_nodes()}
        text, node_id = describe_failure(str(exc), folders, labels)
        raise CheckFailure(text, node_id) from exc


# Internal names in Dagster's messages and what the user calls them.
_USER_TERMS = {"project_dir": "the dbt project folder", "defs.yaml": "component settings",
               "replication_path": "replication file", "sql_template": "SQL template"}
_TEMP_PATH = re.compile(r"""(?:[A-Za-z]:)?[/\\][^\s'"]*?designer-load-[^/\\\s]+[/\\]project"""
                        r"""(?:[/\\]src[/\\][^/\\\s]+[/\\]defs[/\\]([^/\\\s'":]+))?([/\\][^\s'",;:]*)?""")
_CLASS_PREFIX = re.compile(r"\b(?:[A-Z][A-Za-z0-9]*\.)*[A-Z][A-Za-z0-9]*(?:Error|Exception|Warning):\s*")


def describe_failure(message: str, folders: dict[str, str], labels: dict[str, str]) -> tuple[str, str | None]:
    """Dagster's load error in the user's terms: which node (by the component folder the message names),
    no temporary paths, no exception class names. Returns (text, node_id or None)."""
    node_of = {slug: node_id for node_id, slug in folders.items()}
    node_id = None
    found = None
    for slug in sorted(node_of, key=len, reverse=True):
        if re.search(rf"(?<![A-Za-z0-9_]){re.escape(slug)}(?![A-Za-z0-9_])", message):
            node_id, found = node_of[slug], slug
            break

    def path(match: re.Match) -> str:
        folder, rest = match.group(1), (match.group(2) or "").strip("/\\")
        if folder and rest:
            return f"'{rest}'"  # relative to the component's own folder, as the user typed it
        if folder:
            return f"the folder of {labels.get(node_of.get(folder, ''), folder)}"
        return f"'{rest}'" if rest else "the exported project"

    # a path to a component's own folder becomes its slug, so the prefix below goes with it
    text = _TEMP_PATH.sub(lambda m: m.group(1) if m.group(1) and not (m.group(2) or "").strip("/\\")
                          else m.group(0), message)
    if found:
        text = re.sub(rf"(?:Error while [a-z ]+? (?:for|at path) |Error loading )?{re.escape(found)}(?:\[\d+\])?:?\s*",
                      "", text, count=1)
    text = _TEMP_PATH.sub(path, text)
    text = _CLASS_PREFIX.sub("", text).strip()
    for internal, user in _USER_TERMS.items():
        text = re.sub(rf"(?<![A-Za-z0-9_]){re.escape(internal)}(?![A-Za-z0-9_])", user, text)
    text = " ".join(text.split()) or message
    if not text.startswith(("dbt", "uv")):
        text = text[:1].upper() + text[1:]
    if node_id is not None:
        text = f"{labels.get(node_id) or node_id}: {text}"
    return text, node_id


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
    elapsed = Signal(int)  # whole seconds since the running check started (every second)
    cancelled = Signal()
    # node id -> list of Problems from the last check (Dagster's load error mapped to its node); {} clears
    node_problems_changed = Signal(dict)

    def __init__(self, document, registry=None, parent: QObject | None = None):
        super().__init__(parent)
        self.document = document
        self.registry = registry
        self._task = None
        self._changed = False  # since the snapshot the last (or running) check loaded
        self._has_result = False
        self._project = None
        self._started_at = 0.0
        self._cancel: threading.Event | None = None
        self._node_problems: dict = {}
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._tick)
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
        components = self._components()
        if not self._trusted(components):
            self.status.emit("Not checked: the project was not trusted")
            return False
        data = fileformat.project_to_dict(self.document.project)  # snapshot: edits may go on meanwhile
        self._changed = False
        self._started_at = time.monotonic()
        self._cancel = threading.Event()
        self._set_node_problems({})
        self._task = run_in_background(_check_work, data, self._components(),
                                       getattr(self.registry, "python", lambda: None)(), self._cancel,
                                       on_done=self._done, name="dagster-check")
        self._ticker.start()
        self.status.emit("Checking with Dagster…")
        self.started.emit()
        self.running_changed.emit(True)
        return True

    def cancel(self) -> bool:
        """Stop the running check (its helper process ends); the panel says it was cancelled."""
        if self._task is None or self._cancel is None or self._cancel.is_set():
            return False
        self._cancel.set()
        self.status.emit("Cancelling the check…")
        return True

    def seconds(self) -> int:
        return int(time.monotonic() - self._started_at) if self.is_running() else 0

    def _tick(self) -> None:
        if not self.is_running():
            self._ticker.stop()
            return
        seconds = self.seconds()
        self.elapsed.emit(seconds)
        if self._cancel is not None and not self._cancel.is_set():
            self.status.emit(f"Checking with Dagster… {seconds} s")

    def node_problems(self) -> dict:
        return {k: list(v) for k, v in self._node_problems.items()}

    def _set_node_problems(self, problems: dict) -> None:
        if problems or self._node_problems:
            self._node_problems = problems
            self.node_problems_changed.emit(self.node_problems())

    def ensure_trusted(self) -> bool:
        """The one trust gate before the designer lets Dagster load the project (a check, a run, dagster
        dev): True when nothing beyond the allow-list would run or the user trusts it (asked if needed)."""
        return self._trusted(self._components())

    def _trusted(self, components) -> bool:
        """Whether Dagster may load the project: it runs no code beyond the allow-list, the user trusted
        this file with this content before, or the user trusts it now (``ask_trust``, default: a dialog)."""
        from dagster_designer_qt.services.codegen import CodegenError
        from dagster_designer_qt.services.trust import TrustStore, scan_project

        try:
            report = scan_project(self.document.project, components)
        except CodegenError:
            return True  # the export itself fails: the check reports that error, nothing is loaded
        if not report.needs_trust:
            return True
        path = self.document.path
        store = TrustStore()
        if path is not None and store.is_trusted(path, report):
            return True
        answer = self.ask_trust(report, path is not None)
        if answer == "always" and path is not None:
            try:
                store.trust(path, report)
            except OSError as exc:
                self.status.emit(f"Could not remember the trust: {exc}")
        return answer in ("once", "always")

    def ask_trust(self, report, can_remember: bool) -> str:
        """"once", "always" or "cancel" (replaceable, e.g. by tests)."""
        from dagster_designer_qt.ui.dialogs.trust_dialog import ask_trust

        parent = self.parent()
        return ask_trust(report, can_remember=can_remember, parent=parent if hasattr(parent, "window") else None)

    def shutdown(self) -> None:
        """The window closes: a running check is abandoned and its Dagster helper process stopped now
        (loading a project can take minutes; nobody will see the result)."""
        if self._cancel is not None:
            self._cancel.set()
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
        from dagster_designer_qt.services.loader import LoadCancelled

        self._task = None
        self._ticker.stop()
        if isinstance(error, LoadCancelled):
            self.status.emit("Check with Dagster cancelled")
            self.running_changed.emit(False)
            self.cancelled.emit()
            return
        self._has_result = True
        message = None if error is None else error_message(error)
        if isinstance(error, CheckFailure) and error.node_id is not None:
            from dagster_designer_qt.services.validation import Problem

            self._set_node_problems({error.node_id: [Problem(error.node_id, (), f"Dagster: {message}", "error",
                                                              "dagster-load")]})
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
        self._set_node_problems({})
        self._watch(project)
        self._changed = True  # a running check reports on the old project
        if self._has_result and not self.is_running():
            self._has_result = False
            self.reset.emit()

    def _on_changed(self, *_args) -> None:
        if self._changed:
            return
        self._changed = True
        self._set_node_problems({})  # the node may be fixed: the next check says
        if self._has_result and not self.is_running():
            self.stale.emit()
