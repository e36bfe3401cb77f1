"""AppContext: what the GUI's pieces share, injected instead of module-level singletons."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QSettings

from dagster_designer_qt.ui.registry_model import RegistryModel


@dataclass
class AppContext:
    registry: RegistryModel
    settings: QSettings
    # Long-lived helpers the panels may add (e.g. a git session holding an in-memory token).
    extras: dict = field(default_factory=dict)
