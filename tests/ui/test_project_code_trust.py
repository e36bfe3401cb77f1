"""An opened Dagster project's own code runs only after the user trusts the project (issues 12/13 on #16's
trust gate): before, its own component types say "defined by this project" and nothing of it is
imported; after, the palette lists them, their nodes get the schema form and live validation, its Python
modules show the asset keys Dagster reports, and save in place still writes only the change."""

from __future__ import annotations

from pathlib import Path

import pytest
from dg_window import commit_all, git, node, window_fixture, write

pytestmark = pytest.mark.slow  # real venvs/helper processes: start early under xdist

DEFS = "src/shop/defs"
RELATIVE = ".component.OrdersComponent"
ABSOLUTE = "shop.defs.orders.component.OrdersComponent"


@pytest.fixture
def folder(tmp_path):
    """A dg project: a component type defined in component.py beside its defs file (importing it writes a
    marker file), a Python module whose keys only Dagster knows, and a component depending on one."""
    root = tmp_path / "shop"
    write(root / "pyproject.toml", """
        [project]
        name = "shop"

        [tool.dg.project]
        root_module = "shop"
        """)
    for package in ("src/shop", DEFS, f"{DEFS}/orders"):
        write(root / package / "__init__.py", "")
    write(root / DEFS / "orders/component.py", """
        from pathlib import Path

        import dagster as dg

        Path(__file__).resolve().parents[4].joinpath("imported.marker").write_text("ran")


        class OrdersComponent(dg.Component, dg.Model, dg.Resolvable):
            \"\"\"Orders from the shop's own warehouse.\"\"\"

            table: str
            rows: int = 10

            def build_defs(self, context):
                @dg.asset(name=self.table)
                def _orders():
                    return self.rows

                return dg.Definitions(assets=[_orders])
        """)
    write(root / DEFS / "orders/defs.yaml", f"""
        # the shop's orders
        type: {RELATIVE}
        attributes:
          table: orders
          rows: 3
        """)
    write(root / DEFS / "computed.py", """
        import dagster as dg

        def make(name):
            @dg.asset(name=name)
            def _a():
                return None
            return _a

        ASSETS = [make(f"computed_{i}") for i in range(2)]
        """)
    write(root / DEFS / "report/defs.yaml", """
        type: dagster.PythonScriptComponent
        attributes:
          execution: {path: run.py}
          assets: [{key: report, deps: [computed_0, computed_1]}]
        """)
    write(root / DEFS / "report/run.py", "print(2)\n")
    commit_all(root)
    return root


@pytest.fixture
def window(qtbot):
    yield from window_fixture(qtbot, validation_ms=10)


def test_project_code_runs_only_after_trust_then_types_forms_validation_and_keys_follow(window, folder, qtbot,
                                                                                          tmp_path):
    win = window
    marker = folder / "imported.marker"
    asked = []
    win.dagster_check.ask_trust = lambda report, can_remember: asked.append(report) or "once"
    assert win.files.open_dagster_project(folder)
    registry = win.context.registry
    orders = node(win, "orders")
    computed = node(win, "computed")
    assert orders.component_type == RELATIVE and computed.source.keys == []  # ast can't know computed keys

    # Before trust: no project code ran; the node says what it is, and one action asks for trust.
    qtbot.waitUntil(lambda: win.validation.is_idle() and bool(win.validation.problems_for(orders.id)),
                    timeout=60_000)
    assert not marker.exists()
    assert registry.awaiting_trust(RELATIVE) and registry.get(RELATIVE) is None
    item = win.scene.nodes[orders.id]
    assert not item.missing and item.type_text == "Needs project trust"
    assert "Defined by this project" in win.scene.node_tooltip(orders.id)
    [problem] = win.validation.problems_for(orders.id)
    assert problem.severity == "warning" and problem.code == "needs-trust"
    assert win.trust_button.isVisibleTo(win) and win.project_code.state == "pending"
    win.document.set_selection([orders.id])
    from PySide6.QtWidgets import QPushButton

    button = win.property_panel.findChild(QPushButton, "trustProjectButton")
    assert button is not None and win.property_panel.row("rows") is None
    assert not marker.exists() and asked == []

    # Trust (the trust dialog answers "once"): the project's type is listed in its interpreter.
    button.click()
    assert len(asked) == 1 and any("component.py" in i.what for i in asked[0].items)
    assert not win.scene.nodes[orders.id].missing  # while the list loads: never "not installed"
    qtbot.waitUntil(lambda: registry.get(RELATIVE) is not None, timeout=120_000)
    assert marker.exists()  # the project's code ran: only now
    info = registry.get(RELATIVE)
    assert info.type == ABSOLUTE and info.project_local and not info.error
    assert ABSOLUTE in win.palette.component_types(visible_only=False)
    assert not win.trust_button.isVisibleTo(win)
    assert win.scene.nodes[orders.id].type_text != "Needs project trust"
    win.document.set_selection([])
    win.document.set_selection([orders.id])
    assert win.property_panel.row("rows") is not None and win.property_panel.row("table") is not None

    # Live validation runs the project's own model (in a helper process with the project folder).
    qtbot.waitUntil(lambda: win.validation.is_idle() and win.validation.problems_for(orders.id) == [],
                    timeout=120_000)
    win.document.set_attributes(orders.id, {"table": ["not", "a", "name"], "rows": 3})
    qtbot.waitUntil(lambda: any(p.path == ("table",) for p in win.validation.problems_for(orders.id)),
                    timeout=120_000)
    assert win.validation.last_error is None

    # The Python module shows the keys Dagster reports, and the edge they imply; no undo step, no edit.
    qtbot.waitUntil(lambda: node(win, "computed").source.keys == ["computed_0", "computed_1"], timeout=120_000)
    computed = node(win, "computed")
    assert computed.attributes["asset_keys"] == ["computed_0", "computed_1"]
    graph = win.document.graph
    assert graph.find_edge(computed.id, node(win, "report").id) is not None
    qtbot.waitUntil(lambda: win.count_label.text() == "3 nodes, 1 connection")
    assert win.document.undo_stack.count() == 1  # only the user's attribute edit

    # Save in place writes only the change, and the relative type as written.
    win.document.set_attributes(orders.id, {"table": "orders", "rows": 5})
    win.prompts.ask_save_path = lambda s: str(tmp_path / "shop.ddp.json")
    win.actions.save.trigger()
    diff = [line for line in git(folder, "diff", "-U0").splitlines()
            if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert diff == ["-  rows: 3", "+  rows: 5"]
    assert git(folder, "status", "--porcelain", "--untracked-files=no") == " M src/shop/defs/orders/defs.yaml\n"


def test_cancelling_trust_keeps_the_project_code_unloaded(window, folder, qtbot):
    win = window
    win.dagster_check.ask_trust = lambda report, can_remember: "cancel"
    win.files.open_dagster_project(folder)
    assert not win.project_code.request_trust()
    assert win.project_code.state == "pending" and win.context.registry.awaiting_trust(RELATIVE)
    assert win.context.registry.is_following()  # still the designer's own list: nothing of the project
    assert not (folder / "imported.marker").exists()
    assert node(win, "computed").source.keys == []


def test_a_project_trusted_and_remembered_loads_its_code_without_asking(window, folder, tmp_path, qtbot):
    """The remembered trust is checked on a worker (the scan reads the whole folder: seconds for thousands of
    folders, and it ran on the UI thread at every open), then the code loads without a dialog."""
    from dagster_designer_qt.services.trust import TrustStore, scan_project

    win = window
    asked = []
    win.dagster_check.ask_trust = lambda report, can_remember: asked.append(report) or "cancel"
    win.files.open_dagster_project(folder)
    design = tmp_path / "shop.ddp.json"
    win.document.save(design)
    TrustStore().trust(design, scan_project(win.document.project, None))  # "Trust and Remember" earlier
    assert win.files.open_project(str(design))
    assert win.project_code.state == "pending"  # open returned before the scan: it runs in the background
    qtbot.waitUntil(lambda: win.project_code.state == "loaded", timeout=60_000)
    registry = win.context.registry
    assert asked == []
    assert not registry.is_following() and registry.project_dir() == folder.resolve()
    assert registry.registry.project_types == {RELATIVE: ABSOLUTE}
    assert not win.trust_button.isVisibleTo(win)

    # Changed on disk since it was trusted: the code stays unloaded, and the user is told why.
    assert win.files.new_project()
    write(folder / DEFS / "computed.py", "import os\n")
    messages = []
    win.project_code.status.connect(messages.append)
    assert win.files.open_project(str(design))
    qtbot.waitUntil(lambda: any("changed since you trusted it" in m for m in messages), timeout=60_000)
    assert win.project_code.state == "pending" and win.trust_button.isVisibleTo(win) and asked == []


def test_the_module_keys_are_asked_again_when_a_trusted_projects_interpreter_changes(window, folder, qtbot,
                                                                                    project_venv):
    """Dagster in another interpreter may report other keys for the same module (here the module names its
    asset after the environment it runs in): they used to stay those of the interpreter in use when the
    project was trusted."""
    import sys

    write(folder / DEFS / "computed.py", """
        import sys
        from pathlib import Path

        import dagster as dg

        @dg.asset(name="computed_in_" + Path(sys.prefix).parent.name.replace("-", "_"))
        def _a():
            return None
        """)
    commit_all(folder)
    win = window
    win.dagster_check.ask_trust = lambda report, can_remember: "once"
    win.files.open_dagster_project(folder)
    assert win.project_code.request_trust()
    own = "computed_in_" + Path(sys.prefix).parent.name.replace("-", "_")
    qtbot.waitUntil(lambda: node(win, "computed").source.keys == [own], timeout=120_000)

    win.property_panel.set_python_path(str(project_venv))
    other = "computed_in_" + project_venv.parent.parent.parent.name.replace("-", "_")
    assert other != own
    qtbot.waitUntil(lambda: node(win, "computed").source.keys == [other], timeout=120_000)
    assert node(win, "computed").attributes["asset_keys"] == [other]
    assert win.document.undo_stack.count() == 1  # the interpreter: the user's edit; the keys are not
