"""The app on a project whose folder has its own .venv (Dagster + warehouse_components, which the
designer's environment lacks): the status bar names that interpreter, the palette lists the type, its form
is built from its schema, live validation runs its real model in the venv, and Project properties sets and
checks the interpreter."""

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from dagster_designer_qt.core.model import Node, Project
from dagster_designer_qt.services import helper_server
from dagster_designer_qt.services.project_python import resolve
from dagster_designer_qt.services.project_store import save_project
from dagster_designer_qt.services.registry import ComponentRegistry

pytestmark = pytest.mark.slow  # real venvs/helper processes: start early under xdist

WAREHOUSE = "warehouse_components.WarehouseTableComponent"


@pytest.fixture(scope="module")
def project_folder(project_venv, tmp_path_factory):
    """A project folder with a .venv (the project venv) and a warm component cache for it."""
    folder = tmp_path_factory.mktemp("venv_project")
    os.symlink(project_venv.parent.parent, folder / ".venv")
    cache = tmp_path_factory.mktemp("ui_cache")
    ComponentRegistry(cache_dir=cache, python=resolve(None, folder)).load()
    ComponentRegistry(cache_dir=cache).load()
    project = Project("warehouse")
    project.graph.add_node(Node("n1", WAREHOUSE, "Orders", attributes={"table": "orders"}))
    save_project(project, folder / "warehouse.ddp.json")
    return folder, cache


@pytest.fixture
def window(qtbot, project_folder, tmp_path):
    from dagster_designer_qt.app import create_main_window
    from dagster_designer_qt.ui.context import AppContext
    from dagster_designer_qt.ui.registry_model import RegistryModel

    folder, cache = project_folder
    context = AppContext(registry=RegistryModel(ComponentRegistry(cache_dir=cache)),
                         settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    win = create_main_window(str(folder / "warehouse.ddp.json"), context=context)
    win.prompts.ask_save_changes = lambda name: "discard"
    qtbot.addWidget(win)
    win.validation._timer.setInterval(10)
    yield win
    from shiboken6 import isValid

    if isValid(win):  # pytest-qt closes (and so deletes) its widgets before this teardown
        win.document.undo_stack.setClean()
        win.close()
    helper_server.stop_all()


def _python_label(win):
    return win.python_label.text()


def test_the_projects_venv_drives_palette_form_and_live_validation(qtbot, window):
    win = window
    qtbot.waitUntil(lambda: _python_label(win).startswith("Python: project .venv (Dagster 1.13"), timeout=60_000)
    qtbot.waitUntil(lambda: win.context.registry.get(WAREHOUSE) is not None, timeout=60_000)
    assert WAREHOUSE in win.palette.component_types(visible_only=False)
    assert "dagster_dbt.DbtProjectComponent" not in win.palette.component_types(visible_only=False)

    win.document.set_selection(["n1"])
    row = win.property_panel.row("table")
    assert row is not None and win.property_panel.row("rows") is not None  # the form, from the venv's schema
    qtbot.waitUntil(lambda: win.validation.is_idle() and win.validation.last_error is None, timeout=120_000)
    assert win.validation.problems_for("n1") == []

    win.document.set_attributes("n1", {"table": "Orders Table"})  # breaks a rule only the real model knows
    qtbot.waitUntil(lambda: bool(win.validation.problems_for("n1")), timeout=120_000)
    [problem] = win.validation.problems_for("n1")
    assert problem.path == ("table",) and "should match pattern" in problem.message
    assert win.validation.last_error is None


def test_project_properties_set_and_check_the_interpreter(qtbot, window, tmp_path):
    win = window
    qtbot.waitUntil(lambda: _python_label(win).startswith("Python: project .venv"), timeout=60_000)
    panel = win.property_panel
    win.document.set_selection([])
    edit = panel.meta_edits["python"]
    assert edit.text() == "" and "default" in edit.placeholderText()

    missing = tmp_path / "gone" / "python"
    qtbot.keyClicks(edit, str(missing))
    assert win.document.project.python == str(missing)  # stored in the project (undoable)
    panel.check_python()
    qtbot.waitUntil(lambda: panel.python_checked is not None, timeout=60_000)
    assert "does not exist" in panel.python_status.text()
    # The app falls back to its own interpreter and says so in the status bar.
    qtbot.waitUntil(lambda: _python_label(win).startswith("⚠ Python: designer's own"), timeout=60_000)
    assert "does not exist" in win.python_label.toolTip()

    panel.python_checked = None
    panel.set_python_path(str(Path(win.document.path).parent / ".venv" / "bin" / "python"))
    assert win.document.project.python == ".venv/bin/python"  # inside the project folder: relative
    qtbot.waitUntil(lambda: panel.python_checked is not None, timeout=60_000)
    assert panel.python_status.text().startswith("✓ Python: ")
    assert "Dagster 1.13" in panel.python_status.text()
    qtbot.waitUntil(lambda: not _python_label(win).startswith("⚠"), timeout=60_000)

    win.document.undo_stack.undo()
    win.document.undo_stack.undo()
    assert win.document.project.python is None


def test_a_project_opened_from_a_folder_uses_that_folders_venv(qtbot, project_folder, tmp_path):
    """The designer file of an opened Dagster project may live anywhere; the interpreter is still the
    project folder's .venv (not one beside the designer file, and not the designer's own)."""
    from dagster_designer_qt.app import create_main_window
    from dagster_designer_qt.core.model import ProjectSource
    from dagster_designer_qt.ui.context import AppContext
    from dagster_designer_qt.ui.registry_model import RegistryModel

    folder, cache = project_folder
    project = Project("opened")
    project.source = ProjectSource(folder=str(folder))
    elsewhere = tmp_path / "designs"
    elsewhere.mkdir()
    save_project(project, elsewhere / "opened.ddp.json")
    context = AppContext(registry=RegistryModel(ComponentRegistry(cache_dir=cache)),
                         settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    win = create_main_window(str(elsewhere / "opened.ddp.json"), context=context)
    qtbot.addWidget(win)
    assert win.project_python.inputs() == (None, folder)
    qtbot.waitUntil(lambda: win.project_python.current is not None, timeout=60000)
    assert not win.project_python.current.own
    assert win.project_python.current.source == "venv"
    helper_server.stop_all()


def test_two_windows_keep_their_own_interpreters_component_lists(qtbot, window):
    """Issue 13: the component list used to be shared by all windows and follow the last one's
    interpreter. A window on the project's .venv and one on the designer's own each keep their own."""
    venv_win = window
    qtbot.waitUntil(lambda: venv_win.context.registry.get(WAREHOUSE) is not None, timeout=60_000)
    own_win = venv_win.new_window()  # File > New Window: an untitled project, the designer's own Python
    qtbot.addWidget(own_win)
    try:
        qtbot.waitUntil(lambda: own_win.project_python.current is not None, timeout=60_000)
        assert own_win.project_python.current.own and not venv_win.project_python.current.own
        own = own_win.context.registry
        qtbot.waitUntil(lambda: own.get("dagster_dbt.DbtProjectComponent") is not None, timeout=60_000)
        assert own.get(WAREHOUSE) is None and own.python().own and own.is_following()
        # the first window still lists its own environment, and validates there
        venv = venv_win.context.registry
        assert venv.get(WAREHOUSE) is not None and venv.get("dagster_dbt.DbtProjectComponent") is None
        assert not venv.python().own and not venv.is_following()
        assert WAREHOUSE in venv_win.palette.component_types(visible_only=False)
        assert WAREHOUSE not in own_win.palette.component_types(visible_only=False)
        venv_win.document.set_attributes("n1", {"table": "Orders Table"})
        qtbot.waitUntil(lambda: any(p.path == ("table",) for p in venv_win.validation.problems_for("n1")),
                        timeout=120_000)
        # a component type only the venv has is "not installed" in the other window, as it should be
        own_win.document.graph.add_node(Node("x1", WAREHOUSE, "Elsewhere"))
        assert own_win.scene.nodes["x1"].missing and not venv_win.scene.nodes["n1"].missing
    finally:
        own_win.document.undo_stack.setClean()
        own_win.close()
