"""UI settings (ui/settings.py) on a real QSettings INI file."""

from __future__ import annotations

import os

from dagster_designer_qt.ui import settings as ui_settings


def _stamp(path) -> tuple:
    st = os.stat(path)
    return st.st_ino, st.st_mtime_ns, st.st_size  # QSettings writes a new file and renames it over the old


def test_reopening_the_most_recent_project_does_not_rewrite_the_settings_file(tmp_path):
    """Every open remembers its file; opening the first of the recent files again changes nothing, so the
    settings file is not written again (QSettings rewrites the whole file at each change)."""
    ini = tmp_path / "settings.ini"
    settings = ui_settings.open_settings(ini)
    a, b = tmp_path / "a.ddp.json", tmp_path / "b.ddp.json"
    ui_settings.add_recent_file(settings, b)
    ui_settings.add_recent_file(settings, a)
    ui_settings.set_last_dir(settings, tmp_path)
    settings.sync()
    before = _stamp(ini)

    assert ui_settings.add_recent_file(settings, a) == [str(a.resolve()), str(b.resolve())]
    ui_settings.set_last_dir(settings, tmp_path)
    settings.sync()
    assert _stamp(ini) == before

    assert ui_settings.add_recent_file(settings, b) == [str(b.resolve()), str(a.resolve())]
    settings.sync()
    assert _stamp(ini) != before
    again = ui_settings.open_settings(ini)
    assert ui_settings.recent_files(again) == [str(b.resolve()), str(a.resolve())]
    assert ui_settings.last_dir(again) == str(tmp_path)
    assert ui_settings.remove_recent_file(again, str(a.resolve())) == [str(b.resolve())]
