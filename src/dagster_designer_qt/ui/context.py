"""AppContext: what the GUI's pieces share, injected instead of module-level singletons."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from PySide6.QtCore import QSettings

from dagster_designer_qt.ui.registry_model import RegistryModel


@dataclass
class AppContext:
    registry: RegistryModel
    settings: QSettings
    # Long-lived helpers the panels may add (e.g. a git session holding an in-memory token).
    extras: dict = field(default_factory=dict)


def window_context(context: AppContext, window) -> AppContext:
    """The context one window uses: the shared settings and extras, and its own registry model (which
    follows the shared list until the window's project needs its own interpreter or code), so one
    window's project never changes another window's palette or validation."""
    fork = getattr(context.registry, "for_window", None)
    if fork is None:
        return context
    return replace(context, registry=fork(window))
