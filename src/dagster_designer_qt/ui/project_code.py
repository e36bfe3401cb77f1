"""What only an opened project's own code can tell, loaded once the user trusts the project.

For a project opened from a Dagster project folder: the component types the project defines itself
(``component.py``, ``.module.Class``, ``registry_modules``: listed by the window's registry with the
project folder, in the project's interpreter) and the asset keys Dagster reports for its plain Python
definitions modules. Both import the project's code, so before trust the window lists neither: the
registry model names the waiting types (``set_pending_trust``: their nodes say "defined by this project")
and the modules keep the keys read with ``ast``. ``request_trust`` asks through the one trust gate
(``DagsterCheck.ensure_trusted``: the trust dialog, or a trust remembered for this project file and
content) and then loads. A project trusted and remembered before (TrustStore) loads without asking, once
a background check has found the same content (``_check_remembered_trust``).

The module keys Dagster reports are derived data read from the user's project, not edits: they go in
through ``Graph.refresh_module_keys`` (no undo step, the file is not marked modified), and the edges they
imply are added the same way (never removed: an edge the user may have undone or redone stays theirs).
See docs/TRUST.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, Signal

from dagster_designer_qt.ui.workers import run_in_background


class ProjectCodeController(QObject):
    state_changed = Signal(str)  # "none" | "pending" | "loaded"
    status = Signal(str)
    keys_refreshed = Signal(dict)  # module file -> keys or error message (tests, status)

    def __init__(self, document, registry, ensure_trusted: Callable[[], bool], parent: QObject | None = None):
        super().__init__(parent)
        self.document = document
        self.registry = registry
        self.ensure_trusted = ensure_trusted
        self.state = "none"
        self._trusted_project = None  # the project object the user trusted in this window
        self._keys_task = None
        self._trust_task = None  # checks a remembered trust in the background
        self._keys_python = None  # the interpreter the module keys were asked in
        document.project_replaced.connect(self._on_project_replaced)
        registry.components_loaded.connect(self._on_components)
        registry.python_changed.connect(self._on_python_changed)
        self._on_project_replaced(document.project)

    def _on_components(self, *_args) -> None:
        """The trusted project's own list has arrived: nothing waits for trust any more."""
        if self.state == "loaded" and self.registry.pending_trust() and self.registry.project_dir() is not None \
                and not self.registry.is_loading():
            self.registry.set_pending_trust(())

    def _on_python_changed(self, python) -> None:
        """Another interpreter for a trusted project: its Dagster may report other keys; ask it."""
        if self.state == "loaded" and self._trusted_project is self.document.project \
                and python != self._keys_python:
            self._start_keys()

    # ---------------------------------------------------------------- state
    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)

    def _on_project_replaced(self, project) -> None:
        self._trusted_project = None
        self._cancel_keys()
        self._cancel_trust_check()
        opened = getattr(project, "source", None) is not None
        if opened:  # (a designed project never does: no import of the project readers on a warm start)
            from dagster_designer_qt.services.project_types import needs_project_code, project_local_types
        if not opened or not needs_project_code(project):
            self.registry.set_pending_trust(())
            self.registry.set_project(None, {})
            self._set_state("none")
            return
        self.registry.set_project(None, {})  # the previous project's code is not this one's
        self._set_state("none")
        self.registry.set_pending_trust(project_local_types(project).keys())
        self._set_state("pending")
        self._check_remembered_trust(project)

    def _check_remembered_trust(self, project) -> None:
        """Load at once if the user trusted this project file with this content before ("Trust and
        Remember"). Telling needs the trust scan of the whole folder (seconds for thousands of folders), so
        it runs on a worker, on a snapshot; only for a file the trust store remembers at all."""
        from dagster_designer_qt.services.trust import TrustStore

        path = self.document.path
        if path is None or not TrustStore().remembers(path):
            return
        from dagster_designer_qt.ui.validation_runner import take_snapshot, take_sources

        self.status.emit("Checking the project against the trust you remembered for it…")
        self._trust_task = run_in_background(
            _remembered_trust, str(path), take_snapshot(project), dict(project.extra), take_sources(project),
            self._components(), on_done=lambda ok, error, p=project: self._trust_checked(p, ok, error),
            name="trust-check")

    def _trust_checked(self, project, trusted, error) -> None:
        self._trust_task = None
        if project is not self.document.project or self.state != "pending":
            return  # another project, or the user answered the trust dialog meanwhile
        if trusted and error is None:
            self._load()
        else:  # changed since it was trusted (or unreadable now): the trust button asks
            self.status.emit("The project changed since you trusted it: its own code stays unloaded until "
                             "you trust it again")

    def _cancel_trust_check(self) -> None:
        task, self._trust_task = self._trust_task, None
        if task is not None:
            task.cancel()

    def _components(self):
        if not self.registry.is_loaded():
            return None
        return {c.type: c for c in self.registry.components()}

    # ---------------------------------------------------------------- verbs
    def request_trust(self) -> bool:
        """Ask for trust (the trust dialog, unless remembered) and load the project's code. True when
        loaded (or already loaded)."""
        if self.state == "none":
            return False
        if self.state == "loaded" and self._trusted_project is self.document.project:
            return True
        if not self.ensure_trusted():
            self.status.emit("The project's own components stay unloaded: the project was not trusted")
            return False
        self._load()
        return True

    def _load(self) -> None:
        from dagster_designer_qt.services.project_types import project_local_types

        project = self.document.project
        self._trusted_project = project
        self._keys_python = self.registry.python()  # set_project below re-announces it: not a change
        self._set_state("loaded")
        # The waiting types keep saying so until the project's list is there (never "not installed").
        self.registry.set_project(Path(project.source.folder), project_local_types(project))
        self._on_components()
        self.status.emit("Loading the project's own components and its Python modules' assets…")
        self._start_keys()

    # ---------------------------------------------------------------- module keys
    def _start_keys(self) -> None:
        from dagster_designer_qt.services.python_defs import ask_module_keys, module_files

        project = self.document.project
        files = module_files(project)
        if not files:
            return
        self._cancel_keys()
        python = self._keys_python = self.registry.python()
        self._keys_task = run_in_background(ask_module_keys, project.source.folder, files, python=python,
                                            on_done=lambda result, error, p=project: self._keys_done(p, result, error),
                                            name="module-keys")

    def _cancel_keys(self) -> None:
        task, self._keys_task = self._keys_task, None
        if task is not None:
            task.cancel()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for a background trust check and the module keys it may start (tests, teardown)."""
        for attr in ("_trust_task", "_keys_task"):
            task = getattr(self, attr)
            if task is not None and not task.wait(timeout):
                return False
        return True

    def _keys_done(self, project, result, error) -> None:
        self._keys_task = None
        if project is not self.document.project:
            return  # another project was opened meanwhile
        if error is not None:
            self.status.emit(f"Could not ask Dagster for the Python modules' assets: {error}")
            return
        self.apply_keys(result)
        self.keys_refreshed.emit(dict(result))

    def apply_keys(self, found: dict) -> None:
        """Dagster's keys onto the module nodes, then the edges they imply (undo-free: derived data), as far
        as neither changes what saving in place writes (``plan_key_refresh``)."""
        from dagster_designer_qt.services.python_defs import apply_key_refresh, plan_key_refresh

        project = self.document.project
        plan = plan_key_refresh(project, found, self._components())
        apply_key_refresh(project, plan)
        failed = [f"{file}: {keys}" for file, keys in found.items() if not isinstance(keys, list)] + plan[2]
        if failed:
            self.status.emit("Python modules: " + "; ".join(failed[:3]))
        else:
            self.status.emit("The Python modules show the assets Dagster reports")

    def shutdown(self) -> None:
        self._cancel_trust_check()
        self._cancel_keys()


def _remembered_trust(path: str, taken: tuple, extra: dict, sources, components) -> bool:
    """On a worker: whether the trust store holds this project file's current trust report."""
    from dagster_designer_qt.services.trust import TrustStore, scan_project
    from dagster_designer_qt.ui.validation_runner import build_with_sources

    return TrustStore().is_trusted(path, scan_project(build_with_sources(taken, extra, sources), components))
