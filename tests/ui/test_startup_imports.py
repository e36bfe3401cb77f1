"""A warm start imports only what the first window needs: Dagster, Pydantic, git, the code generator and
the YAML/TOML libraries are imported when first used (issue 13: warm start within its 600 ms target).

The start runs in a fresh process, like a user's: the registry's warm cache is written first, then
``start_gui()`` builds and shows the main window, which fills its palette from that cache; the modules
loaded at that moment are compared with the ones that must wait. A regression (a module-level import
of one of them on the start path) fails here, not only in the benchmark."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys

# Imported on first use, never by a warm start (the palette comes from the registry's cache).
NOT_AT_START = (
    "dagster",
    "dagster_shared",
    "pydantic",
    "pygit2",
    "ruamel",
    "tomlkit",
    "yaml",
    "importlib.metadata",  # the own interpreter's Dagster version and the cache key read files instead
    "dagster_designer_qt.services.codegen",
    "dagster_designer_qt.services.export",
    "dagster_designer_qt.services.git_service",
    "logging.handlers",  # the log file's handler is made at the first record
    "tomllib",  # only for a project with a dg.toml / pyproject.toml
    "ctypes",  # only to check for libxcb-cursor where Qt would use xcb
    "dagster_designer_qt.ui.forms.containers",  # the property form's editors: at the first node's form
    "dagster_designer_qt.ui.forms.leaves",
    "dagster_designer_qt.ui.forms.row",
    "dagster_designer_qt.ui.panels.files_editor",
    "dagster_designer_qt.ui.panels.preview_panel",  # the Preview and Dagster tabs: when first shown or used
    "dagster_designer_qt.ui.panels.dagster_panel",
    # the command line builds only the parser of the command it runs (here: gui)
    *(f"dagster_designer_qt.cli_commands.{name}" for name in (
        "components", "example", "export", "git", "import_project", "install_desktop", "new", "preview", "run",
        "validate")),
)

START = r"""
import json, sys
from dagster_designer_qt.services.registry import ComponentInfo, ComponentRegistry

registry = ComponentRegistry()  # the default cache folder, in this test's own XDG_CACHE_HOME
rows = [ComponentInfo(type="dagster.FunctionComponent", name="FunctionComponent", module="dagster",
                      category="dagster", icon="dagster", description="Runs a *Python* function.")]
registry._write_cache(registry.cache_key(), rows, None)
for name in [m for m in sys.modules if m.startswith("dagster_designer_qt")]:
    del sys.modules[name]  # the start below imports the designer afresh, as a new process does

# Through the app's entry point (`dagster-designer`: cli.main, logging, the single-instance server, the
# first window), reporting once the event loop runs.
from dagster_designer_qt import app as app_module

started = app_module.start_gui


def start_gui(*args, **kwargs):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    window = started(*args, **kwargs)

    def report():
        import PySide6.QtWidgets

        print(json.dumps({"palette": window.palette.component_types(visible_only=False),
                          "visible": window.isVisible(), "modules": sorted(sys.modules),
                          "widget_types": sorted(vars(PySide6.QtWidgets))}), flush=True)
        QApplication.instance().quit()

    QTimer.singleShot(0, window, report)
    return window


app_module.start_gui = start_gui
from dagster_designer_qt.cli import main

sys.exit(main([]))
"""


@functools.lru_cache(maxsize=1)  # one start for the tests that look at it
def _start_modules() -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", DAGSTER_DESIGNER_NEW_INSTANCE="1")
    proc = subprocess.run([sys.executable, "-c", START], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_warm_start_shows_the_palette_without_importing_heavy_modules():
    result = _start_modules()
    assert result["visible"] and result["palette"] == ["dagster.FunctionComponent"]  # really the warm path
    loaded = set(result["modules"])
    early = sorted(m for m in loaded if m in NOT_AT_START or m.split(".")[0] in NOT_AT_START[:6])
    assert early == [], f"imported by a warm start: {early}"


def test_warm_start_makes_no_python_types_for_qstyle():
    """PySide 6.11 makes a Qt class's Python type (with all its enums) when a name is first imported or a
    value of it first reaches Python; QStyle's take ~10 ms. A start does not need them: Fusion is set from
    the command line, the form's spin boxes get their framing style when a form is built, and the Problems
    icons are made for the first problem."""
    result = _start_modules()
    assert result["visible"]
    assert "QWidget" in result["widget_types"]  # (the probe sees the types a start made)
    assert not {"QStyle", "QProxyStyle", "QCommonStyle"} & set(result["widget_types"])


def test_the_cheaper_pyside_feature_check_answers_like_pysides_own():
    """PySide6 scans each imported module's source for "PySide6"; the start reads the .py file as bytes
    instead of going through inspect.getsource. Same answers, PySide's own check for everything else."""
    import importlib

    from dagster_designer_qt import app as app_module

    app_module._cheap_pyside_feature_check()
    feature = sys.modules["shibokensupport.feature"]
    cheap = feature._mod_uses_pyside
    original = cheap.pyside_check  # installed once: a second call keeps it
    app_module._cheap_pyside_feature_check()
    assert feature._mod_uses_pyside is cheap
    names = ["dagster_designer_qt.ui.theme", "dagster_designer_qt.app", "dagster_designer_qt.core.model",
             "json", "sys", "_io", "PySide6.QtCore"]
    answers = {name: cheap(importlib.import_module(name)) for name in names}
    assert answers == {name: original(importlib.import_module(name)) for name in names}
    assert answers["dagster_designer_qt.ui.theme"] and not answers["dagster_designer_qt.core.model"]
