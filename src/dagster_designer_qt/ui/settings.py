"""Persistent UI settings (window layout, recent files, theme).

Settings are an INI file at ``platformdirs.user_config_dir("dagster-designer")/settings.ini``, created with
``QSettings(path, IniFormat)``, never the platform's default store (registry, plist). Because the path
comes from platformdirs, which honours ``XDG_CONFIG_HOME`` on Linux, the tests' conftest (which points
XDG_CONFIG_HOME at a temporary folder) keeps every test away from the real user's settings. The
``DAGSTER_DESIGNER_SETTINGS`` environment variable, when set, names the INI file directly.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings

MAX_RECENT = 10
KEY_RECENT = "files/recent"
KEY_THEME = "view/theme"  # "system" | "light" | "dark"
KEY_GEOMETRY = "window/geometry"
KEY_STATE = "window/state"
KEY_LAST_DIR = "files/last_dir"
STATE_VERSION = 2  # 2: the Dagster check dock


def settings_path() -> Path:
    explicit = os.environ.get("DAGSTER_DESIGNER_SETTINGS")
    if explicit:
        return Path(explicit)
    import platformdirs

    return Path(platformdirs.user_config_dir("dagster-designer", appauthor=False)) / "settings.ini"


def open_settings(path: str | Path | None = None) -> QSettings:
    target = Path(path) if path else settings_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    return QSettings(str(target), QSettings.Format.IniFormat)


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value]


def _store(settings: QSettings, key: str, value, current) -> None:
    """Write ``value`` unless the settings hold it already (``current``, as read back): every write makes
    QSettings rewrite its file, and opening the most recent project again changes nothing."""
    if value != current:
        settings.setValue(key, value)


def recent_files(settings: QSettings) -> list[str]:
    return _as_list(settings.value(KEY_RECENT, []))


def add_recent_file(settings: QSettings, path: str | Path) -> list[str]:
    path = str(Path(path).resolve())
    current = recent_files(settings)
    files = ([path] + [f for f in current if f != path])[:MAX_RECENT]
    _store(settings, KEY_RECENT, files, current)
    return files


def remove_recent_file(settings: QSettings, path: str) -> list[str]:
    current = recent_files(settings)
    files = [f for f in current if f != path]
    _store(settings, KEY_RECENT, files, current)
    return files


def clear_recent_files(settings: QSettings) -> None:
    settings.setValue(KEY_RECENT, [])


def theme(settings: QSettings) -> str:
    value = str(settings.value(KEY_THEME, "system") or "system")
    return value if value in ("system", "light", "dark") else "system"


def set_theme(settings: QSettings, value: str) -> None:
    settings.setValue(KEY_THEME, value)


def last_dir(settings: QSettings) -> str:
    return str(settings.value(KEY_LAST_DIR, "") or "")


def set_last_dir(settings: QSettings, folder: str | Path) -> None:
    _store(settings, KEY_LAST_DIR, str(folder), last_dir(settings))
