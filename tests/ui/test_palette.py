"""Component palette: grouping, search, tooltips, loading state, drag data, activation."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt

from dagster_designer_qt.services.registry import ComponentInfo
from dagster_designer_qt.ui.canvas.view import COMPONENT_MIME
from dagster_designer_qt.ui.panels.palette import ComponentPalette, display_name
from dagster_designer_qt.ui.registry_model import RegistryModel


def infos():
    return [
        ComponentInfo(type="dagster.FunctionComponent", name="FunctionComponent", module="dagster",
                      category="dagster", icon="dagster", description="Runs a Python function."),
        ComponentInfo(type="dagster_dbt.DbtProjectComponent", name="DbtProjectComponent", module="dagster_dbt",
                      category="dbt", icon="dbt", description="Exposes a dbt project as assets."),
        ComponentInfo(type="dagster_sling.SlingReplicationCollectionComponent",
                      name="SlingReplicationCollectionComponent", module="dagster_sling", category="sling",
                      icon="sling", description="Replicates tables between databases."),
    ]


class Warm:
    def load_cached(self):
        return infos()

    def load(self, refresh=False):
        return infos()


class Cold:
    def __init__(self):
        self.release = threading.Event()

    def load_cached(self):
        return None

    def load(self, refresh=False):
        self.release.wait(10)
        return infos()


@pytest.fixture
def palette(qtbot):
    registry = RegistryModel(Warm())
    registry.start()
    widget = ComponentPalette(registry)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_grouped_by_category_with_icons_and_tooltips(palette):
    model = palette.model
    groups = [model.item(r).text() for r in range(model.rowCount())]
    assert groups == ["Dagster", "dbt", "Sling"]
    dbt = model.item(1).child(0)
    assert dbt.text() == "dbt Project"
    assert not dbt.icon().isNull()
    assert "dbt project" in dbt.toolTip()


def test_search_filters_by_name_type_and_description(palette, qtbot):
    qtbot.keyClicks(palette.search, "dbt")
    assert palette.component_types() == ["dagster_dbt.DbtProjectComponent"]
    palette.search.clear()
    qtbot.keyClicks(palette.search, "dagster_sling")
    assert palette.component_types() == ["dagster_sling.SlingReplicationCollectionComponent"]
    palette.search.clear()
    qtbot.keyClicks(palette.search, "python function")
    assert palette.component_types() == ["dagster.FunctionComponent"]
    palette.search.clear()
    qtbot.keyClicks(palette.search, "nothing-matches")
    assert palette.component_types() == []
    palette.search.clear()
    assert len(palette.component_types()) == 3


def test_enter_and_double_click_activate(palette, qtbot):
    got = []
    palette.component_activated.connect(got.append)
    qtbot.keyClicks(palette.search, "sling")
    qtbot.keyClick(palette.search, Qt.Key.Key_Return)
    assert got == ["dagster_sling.SlingReplicationCollectionComponent"]
    palette.search.clear()
    index = palette.proxy.index(0, 0, palette.proxy.index(0, 0))
    palette.tree.doubleClicked.emit(index)
    assert got[-1] == "dagster.FunctionComponent"


def test_down_arrow_moves_from_search_to_list(palette, qtbot):
    palette.search.setFocus()
    qtbot.keyClick(palette.search, Qt.Key.Key_Down)
    assert palette.tree.hasFocus()


def test_drag_data_names_the_component(palette):
    group = palette.model.index(1, 0)
    data = palette.model.mimeData([palette.model.index(0, 0, group)])
    assert bytes(data.data(COMPONENT_MIME)).decode() == "dagster_dbt.DbtProjectComponent"


def test_cold_start_shows_loading_then_the_list(qtbot):
    cold = Cold()
    registry = RegistryModel(cold)
    widget = ComponentPalette(registry)
    qtbot.addWidget(widget)
    widget.show()
    registry.start()
    assert widget.is_loading_shown()
    assert "Loading" in widget.status.text()
    cold.release.set()
    qtbot.waitUntil(lambda: not widget.is_loading_shown(), timeout=5000)
    assert len(widget.component_types()) == 3


def test_display_names():
    assert display_name("SlingReplicationCollectionComponent") == "Sling Replication Collection"
    assert display_name("Component") == "Component"


def test_real_registry_lists_installed_integrations(qtbot):
    """Against the real registry (helper process on a cold cache)."""
    registry = RegistryModel()
    widget = ComponentPalette(registry)
    qtbot.addWidget(widget)
    registry.start()
    qtbot.waitUntil(registry.is_loaded, timeout=240_000)
    types = widget.component_types()
    assert "dagster_dbt.DbtProjectComponent" in types
    assert "dagster.FunctionComponent" in types


def test_registry_model_finds_components_by_alias(qtbot):
    info = ComponentInfo(type="dagster_dbt.DbtProjectComponent", name="DbtProjectComponent", module="dagster_dbt",
                         category="dbt", aliases=("dagster_dbt.components.dbt_project.component.DbtProjectComponent",))

    class One:
        def load_cached(self):
            return [info]

        def load(self, refresh=False):
            return [info]

    registry = RegistryModel(One())
    registry.start()
    assert registry.get("dagster_dbt.components.dbt_project.component.DbtProjectComponent") is info
    assert registry.get("dagster_dbt.DbtProjectComponent") is info


def test_a_windows_model_follows_the_shared_list_until_its_project_needs_its_own(qtbot, monkeypatch, tmp_path):
    """RegistryModel.for_window: the app's list while on the designer's own environment; its own list
    (with the project folder and types, kept across an interpreter change) otherwise; the shared list
    again when the window goes back."""
    from PySide6.QtCore import QObject

    from dagster_designer_qt.services.project_python import ResolvedPython
    from dagster_designer_qt.ui import registry_model

    made = []

    class Listing:  # stands for the helper's listing of a project folder (tested for real elsewhere)
        def __init__(self, cache_dir=None, project_dir=None, python=None, project_types=None):
            self.cache_dir, self.project_dir, self.python = cache_dir, project_dir, python
            self.project_types = dict(project_types or {})
            made.append(self)

        def load_cached(self):
            return infos() + [ComponentInfo(type="shop.defs.a.component.A", name="A", module="shop.defs.a.component",
                                            category="shop", project_local=True, aliases=(".component.A",))]

    monkeypatch.setattr(registry_model, "ComponentRegistry", Listing)
    base = RegistryModel(Warm())
    base.start()
    owner = QObject()
    window_a, window_b = base.for_window(owner), base.for_window(owner).for_window(owner)
    assert window_b._base is base  # a window's model is always forked from the shared one
    assert window_a.is_following() and window_a.components() == base.components()
    window_a.set_pending_trust([".component.A"])
    assert window_a.awaiting_trust(".component.A") and not window_b.awaiting_trust(".component.A")

    window_a.set_project(tmp_path, {".component.A": "shop.defs.a.component.A"})
    assert not window_a.is_following() and made[-1].project_dir == tmp_path.resolve()
    assert window_a.get(".component.A").type == "shop.defs.a.component.A"
    assert not window_a.awaiting_trust(".component.A")  # listed now
    assert window_b.get(".component.A") is None and window_b.is_following()

    venv = ResolvedPython(path="/p/bin/python", source="venv", dagster="1.13.0", own=False)
    window_a.set_python(venv)
    assert made[-1].python == venv and made[-1].project_dir == tmp_path.resolve()
    assert made[-1].project_types == {".component.A": "shop.defs.a.component.A"}
    base._set(infos()[:1])  # the shared list changes: only the following window shows it
    assert len(window_b.components()) == 1 and window_a.get(".component.A") is not None

    window_a.set_project(None, {})
    window_a.set_python(ResolvedPython(path="/own", source="designer", dagster="1.13.0", own=True))
    assert window_a.is_following() and window_a.components() == base.components()
