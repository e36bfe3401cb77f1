"""The component registry as the GUI sees it: loads off the UI thread and announces when ready.

A warm start reads the disk cache synchronously (no dagster import, tens of ms); a cold start or a
refresh runs ComponentRegistry.load() on a worker thread (which itself builds the cache in a helper
process), so the window never freezes. When the app quits, ``shutdown()`` stops that helper (see
docs/LIFETIME.md).

Each window lists its own project's environment: ``for_window`` gives a window its own model that follows
the app's shared list while the window uses the designer's own interpreter and no project code, and lists
its own interpreter / project folder otherwise (so one window's project never changes another window's
palette or validation). ``set_pending_trust`` names the project-local types that are only listed once the
user trusts the project (see docs/TRUST.md).
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from shiboken6 import isValid

from dagster_designer_qt.services import helper_process
from dagster_designer_qt.services.registry import ComponentInfo, ComponentRegistry
from dagster_designer_qt.ui.workers import start_thread


class RegistryModel(QObject):
    loading_started = Signal()
    components_loaded = Signal(list)  # list[ComponentInfo]
    loading_failed = Signal(str)
    python_changed = Signal(object)  # the ResolvedPython whose environment is listed now
    _finished = Signal(object, object, object)  # (registry, components | None, error | None), cross-thread

    pending_changed = Signal()  # the set of types awaiting the user's trust changed

    def __init__(self, registry: ComponentRegistry | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.registry = registry or ComponentRegistry()
        self._components: list[ComponentInfo] = []
        self._by_type: dict[str, ComponentInfo] = {}
        self._loading = False
        self._thread: threading.Thread | None = None
        self._shut_down = False
        self._base: RegistryModel | None = None  # a window's model: the app's shared one it may follow
        self._following = False
        self._pending: frozenset[str] = frozenset()
        self._finished.connect(self._on_finished)

    # ---------------------------------------------------------------- one model per window
    def for_window(self, parent: QObject) -> "RegistryModel":
        """A model for one window: it shows this (shared) model's list until the window's project needs
        another interpreter or its own code, then lists that on its own."""
        if self._base is not None and isValid(self._base):  # a window's model: fork the app's shared one
            return self._base.for_window(parent)
        child = RegistryModel(self.registry, parent)
        child._base = self
        child._following = True
        if self.is_loaded():
            child._set(self.components(), emit=False)
        self.components_loaded.connect(child._base_loaded)
        self.loading_started.connect(child._base_loading)
        self.loading_failed.connect(child._base_failed)
        self.python_changed.connect(child._base_python)
        return child

    def _base_ok(self) -> bool:
        return self._following and self._base is not None and isValid(self._base)

    def _base_loaded(self, components: list) -> None:
        if self._base_ok():
            self.registry = self._base.registry
            self._set(components)

    def _base_loading(self) -> None:
        if self._base_ok():
            self.loading_started.emit()

    def _base_failed(self, message: str) -> None:
        if self._base_ok():
            self.loading_failed.emit(message)

    def _base_python(self, python) -> None:
        if self._base_ok():
            self.registry = self._base.registry
            self.python_changed.emit(python)

    def is_following(self) -> bool:
        """True while this window's model shows the app's shared list (the designer's own environment)."""
        return self._base_ok()

    # ---------------------------------------------------------------- trust
    def set_pending_trust(self, types) -> None:
        """Component types the open project defines itself, not listed because listing them imports the
        project's code and the user has not trusted it yet (empty: none waiting)."""
        pending = frozenset(types or ())
        if pending != self._pending:
            self._pending = pending
            self.pending_changed.emit()
            self.components_loaded.emit(self.components())  # nodes, forms and validation look again

    def pending_trust(self) -> frozenset[str]:
        return self._pending

    def awaiting_trust(self, component_type: str) -> bool:
        """The type is defined by the open project and is listed once the user trusts the project."""
        return component_type in self._pending and component_type not in self._by_type

    # ---------------------------------------------------------------- queries
    def components(self) -> list[ComponentInfo]:
        return list(self._components)

    def get(self, component_type: str) -> ComponentInfo | None:
        return self._by_type.get(component_type)

    def post_processing_schema(self) -> dict | None:
        """The schema of a defs.yaml ``post_processing:`` block as the installed Dagster defines it."""
        return getattr(self.registry, "post_processing_schema", None)

    def is_loading(self) -> bool:
        return self._loading or (self._base_ok() and self._base.is_loading())

    def is_loaded(self) -> bool:
        return bool(self._components)

    # ---------------------------------------------------------------- loading
    def start(self, *, refresh: bool = False) -> None:
        """Use the warm cache at once if it matches; otherwise (or on refresh) load in the background."""
        if not refresh:
            try:
                cached = self.registry.load_cached()
            except Exception:  # a broken cache is never fatal
                cached = None
            if cached:
                self._set(cached)
                return
        self._load_in_background(refresh)

    def _load_in_background(self, refresh: bool) -> None:
        if self._loading or self._shut_down:
            return
        self._loading = True
        self.loading_started.emit()

        registry = self.registry

        def work() -> None:
            try:
                result, error = registry.load(refresh=refresh), None
            except Exception as exc:  # reported to the UI, never raised on the worker
                result, error = None, str(exc) or type(exc).__name__
            if self._shut_down:
                return  # the app quits: nobody waits for the list
            try:
                self._finished.emit(registry, result, error)
            except RuntimeError:  # this model was deleted meanwhile
                pass

        self._thread = start_thread(work, "registry-load")

    def shutdown(self, timeout: float = 5.0) -> bool:
        """The app quits. A cold load is stopped, not awaited: its helper process is ended at once (the
        cache, written atomically, is simply not there and the next start rebuilds it), so quitting never
        waits for Dagster's imports and never leaves a helper running. Returns True when the load ended."""
        self._shut_down = True
        thread = self._thread
        if thread is None or not thread.is_alive():
            return True
        if thread.ident is not None:
            helper_process.stop(thread.ident)
        thread.join(timeout)
        return not thread.is_alive()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until a background load ends (tests and scripts). Returns False on timeout."""
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    def _on_finished(self, registry: ComponentRegistry, components: list[ComponentInfo] | None,
                     error: str | None) -> None:
        self._loading = False
        if registry is not self.registry:  # the interpreter changed while the old one was listed
            if not self._base_ok():
                self.start()
            return
        if error is not None:
            self.loading_failed.emit(error)
            return
        self._set(components or [])

    def _set(self, components: list[ComponentInfo], *, emit: bool = True) -> None:
        self._components = sorted(components, key=lambda c: (c.category, c.name))
        self._by_type = {}
        for c in self._components:  # other names Dagster resolves to the same class find it too
            for alias in getattr(c, "aliases", ()) or ():
                self._by_type.setdefault(alias, c)
        self._by_type.update({c.type: c for c in self._components})
        if emit:
            self.components_loaded.emit(self.components())

    def set_project_dir(self, project_dir: Path | None) -> None:
        self.set_project(project_dir, {})

    def project_dir(self) -> Path | None:
        return getattr(self.registry, "project_dir", None)

    def set_project(self, project_dir: Path | None, types: dict[str, str] | None = None) -> None:
        """List the project folder's own component types too (its ``registry_modules`` and ``types``:
        written type -> absolute ``module.Class``): this imports the project's code, so only after the
        user trusts it. None: the environment's types only."""
        project_dir = Path(project_dir).resolve() if project_dir is not None else None
        types = dict(types or {})
        if project_dir == self.project_dir() and types == dict(getattr(self.registry, "project_types", {}) or {}):
            return
        self._switch(self.python(), project_dir, types)

    def _switch(self, python, project_dir: Path | None, types: dict[str, str]) -> None:
        """Use the registry for (interpreter, project folder, project types): the app's shared list when
        that is the designer's own environment with no project code, else a list of this model's own
        (its warm cache at once if it matches, else loaded in the background; the old list stays until
        then)."""
        base = self._base if self._base is not None and isValid(self._base) else None
        own = python is None or python.own
        if base is not None and own and project_dir is None and (base.python() is None or base.python().own):
            self._following = True
            self.registry = base.registry
            if python is not None:
                self.registry.python = python  # the same environment, only described
            self.python_changed.emit(python)
            if base.is_loaded():
                self._set(base.components())
            elif not base.is_loading():
                base.start()
            return
        self._following = False
        self.registry = ComponentRegistry(cache_dir=getattr(self.registry, "cache_dir", None),
                                          project_dir=project_dir, python=python, project_types=types)
        self.python_changed.emit(python)
        self.start()

    def python(self):
        """The interpreter whose environment is listed (None: the designer's own, not resolved yet)."""
        return getattr(self.registry, "python", None)

    def set_python(self, python) -> None:
        """List another interpreter's environment (a ResolvedPython): its warm cache at once if it matches,
        else in the background. The old list stays until the new one is there."""
        current = self.python()
        if python == current:
            return
        if (current is None or current.own) and python.own:  # the same environment: nothing to list again
            self.registry.python = python
            self.python_changed.emit(python)
            return
        self._switch(python, self.project_dir(), dict(getattr(self.registry, "project_types", {}) or {}))
