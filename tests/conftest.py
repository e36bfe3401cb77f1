import os

# Before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("DAGSTER_DG_UPDATE_CHECK_ENABLED", "0")
os.environ.setdefault("DAGSTER_TELEMETRY_DISABLED", "1")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory, monkeypatch):
    """Keep every test away from the real user's home, settings and caches."""
    base = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(base))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(base / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(base / "data"))
    monkeypatch.setenv("DAGSTER_HOME", str(base / "dagster_home"))
    (base / "dagster_home").mkdir()
    (base / "dagster_home" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    yield base


@pytest.fixture(scope="session")
def registry_cache_seed(tmp_path_factory):
    """The real component cache of this environment, built once per test process (a cold build runs a
    discovery helper for seconds). Tests copy it into their own cache folder: they start warm, as a user
    does after the first start, and still cannot see each other's caches."""
    from dagster_designer_qt.services.registry import ComponentRegistry

    seed = tmp_path_factory.mktemp("registry-seed")
    registry = ComponentRegistry(cache_dir=seed)
    registry.load()
    assert registry.components, "the real registry lists no component types"
    return seed


def seed_registry_cache(seed) -> None:
    """Copy the seeded cache into this test's own (isolated) cache folder."""
    import shutil

    from dagster_designer_qt.services.registry import default_cache_dir

    shutil.copytree(seed, default_cache_dir(), dirs_exist_ok=True)


@pytest.fixture
def warm_registry(registry_cache_seed):
    """This test's own cache folder starts with the real component cache (for CLI commands that list or
    validate components: without it each runs a cold discovery helper for seconds)."""
    seed_registry_cache(registry_cache_seed)


@pytest.fixture
def real_window(qtbot, registry_cache_seed):
    """The real main window on the real component registry (this test's own cache dir, seeded warm).
    Prompts that would block are answered; an unexpected error dialog fails the test. Background work
    (an export, a Dagster check) is waited for before the window closes."""
    from dagster_designer_qt.app import create_main_window

    seed_registry_cache(registry_cache_seed)
    from dagster_designer_qt.ui import settings as ui_settings
    from dagster_designer_qt.ui.context import AppContext
    from dagster_designer_qt.ui.registry_model import RegistryModel

    # its own context: an earlier test in this process may have left a window context on a fake registry
    win = create_main_window(context=AppContext(registry=RegistryModel(), settings=ui_settings.open_settings()))
    win.prompts.ask_save_changes = lambda name: "discard"
    win.prompts.show_error = lambda title, message: pytest.fail(f"unexpected error: {message}")
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: win.context.registry.is_loaded(), timeout=120_000)
    yield win
    win.dagster_check.wait(120)
    win.files.wait_for_export(120)
    from shiboken6 import isValid

    if isValid(win):  # a closed window is deleted (pytest-qt closes its widgets before this teardown)
        win.document.undo_stack.setClean()
        win.close()


@pytest.fixture(scope="session")
def project_venv(tmp_path_factory):
    """A second venv with Dagster only (not the designer) plus the warehouse-components package the
    designer's environment lacks; see tests/project_venv.py. Returns its python (a Path)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    import project_venv as pv

    venv = tmp_path_factory.mktemp("project_venv") / ".venv"
    python = pv.make_dagster_venv(venv)
    pv.install_fixture_package(venv)
    pv.assert_designer_absent(python)
    return python


def pytest_collection_modifyitems(config, items):
    """Slow tests (wheel builds, benchmarks, Dagster loads in subprocesses) first: with `-n 2`, xdist hands
    tests out alternately from the front, so the long ones start at once on both workers side by side
    instead of leaving one worker running a three-minute test at the end."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
