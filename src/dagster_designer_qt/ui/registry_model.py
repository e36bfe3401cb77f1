"""The component registry as the GUI sees it: loads off the UI thread and announces when ready.

A warm start reads the disk cache synchronously (no dagster import, tens of ms); a cold start or a
refresh runs ComponentRegistry.load() on a worker thread (which itself builds the cache in a helper
process), so the window never freezes. When the app quits, ``shutdown()`` stops that helper (see
docs/LIFETIME.md).
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from dagster_designer_qt.services import helper_process
from dagster_designer_qt.services.registry import ComponentInfo, ComponentRegistry
from dagster_designer_qt.ui.workers import start_thread


class RegistryModel(QObject):
    loading_started = Signal()
    components_loaded = Signal(list)  # list[ComponentInfo]
    loading_failed = Signal(str)
    python_changed = Signal(object)  # the ResolvedPython whose environment is listed now
    _finished = Signal(object, object, object)  # (registry, components | None, error | None), cross-thread

    def __init__(self, registry: ComponentRegistry | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.registry = registry or ComponentRegistry()
        self._components: list[ComponentInfo] = []
        self._by_type: dict[str, ComponentInfo] = {}
        self._loading = False
        self._thread: threading.Thread | None = None
        self._shut_down = False
        self._finished.connect(self._on_finished)

    # ---------------------------------------------------------------- queries
    def components(self) -> list[ComponentInfo]:
        return list(self._components)

    def get(self, component_type: str) -> ComponentInfo | None:
        return self._by_type.get(component_type)

    def post_processing_schema(self) -> dict | None:
        """The schema of a defs.yaml ``post_processing:`` block as the installed Dagster defines it."""
        return getattr(self.registry, "post_processing_schema", None)

    def is_loading(self) -> bool:
        return self._loading

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
            self.start()
            return
        if error is not None:
            self.loading_failed.emit(error)
            return
        self._set(components or [])

    def _set(self, components: list[ComponentInfo]) -> None:
        self._components = sorted(components, key=lambda c: (c.category, c.name))
        self._by_type = {}
        for c in self._components:  # other names Dagster resolves to the same class find it too
            for alias in getattr(c, "aliases", ()) or ():
                self._by_type.setdefault(alias, c)
        self._by_type.update({c.type: c for c in self._components})
        self.components_loaded.emit(self.components())

    def set_project_dir(self, project_dir: Path | None) -> None:
        self.registry = ComponentRegistry(project_dir=project_dir, python=self.python())

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
        self.registry = ComponentRegistry(cache_dir=self.registry.cache_dir, project_dir=self.registry.project_dir,
                                          python=python)
        self.python_changed.emit(python)
        self.start()
