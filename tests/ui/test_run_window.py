"""Run from the real window: the shipped example materializes end to end (badges, Run panel, history); a
script that raises fails its node only and its badge leads to the traceback; Cancel; Open in Dagster UI
starts `dagster dev` on loopback and the window's close stops it."""

from __future__ import annotations

import os
import socket
import time
import urllib.request
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt

from dagster_designer_qt.core.model import Edge, Node, Project
from dagster_designer_qt.services.project_store import save_project
from dagster_designer_qt.ui.canvas import run_badge

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "examples" / "orders_report.ddp.json"

pytestmark = pytest.mark.slow


def _states(win) -> dict[str, str]:
    return {win.document.graph.node(i).label: (item.run_state.state if item.run_state else None)
            for i, item in win.scene.nodes.items()}


def _run_and_wait(qtbot, win, action) -> None:
    runs = win.run_controller
    assert action.isEnabled()
    action.trigger()
    assert runs.is_running()
    qtbot.waitUntil(lambda: not runs.is_running(), timeout=400_000)


def test_run_the_example_in_the_window_every_node_succeeds_and_the_panel_lists_materializations(
        qtbot, real_window):
    win = real_window
    assert win.files.open_example(EXAMPLE)
    _run_and_wait(qtbot, win, win.actions.run)
    record = win.run_controller.history[-1]
    assert record.outcome == "succeeded", record.error or record.events[-3:]
    assert _states(win) == {"Load orders": "succeeded", "Clean orders": "succeeded", "Revenue report": "succeeded"}
    assert all(item.run_state.materialized == item.run_state.total == 1 for item in win.scene.nodes.values())
    panel = win.findChild(type(win.run_panel), "runPanel")
    assert panel is win.run_panel and win.run_dock.isVisible()
    materialized = [row for row in panel.visible_rows() if row[1] == "Materialized"]
    assert [row[0] for row in materialized] == ["Load orders", "Clean orders", "Revenue report"]
    assert any("rows=56" in row[2] for row in materialized)
    assert panel.history_texts()[0].startswith("✓ Run 1") and "succeeded" in panel.history_texts()[0]
    # filtered by a node, only that node's events remain
    panel.set_node_filter(next(i for i, n in win.scene.nodes.items() if n.label == "Clean orders"))
    rows = panel.visible_rows()
    assert {row[0] for row in rows if row[1] != "Result"} == {"Clean orders"}  # Result: the row holding assets
    assert [row[1] for row in rows if row[1].startswith("Asset")] == ["Asset materialized"]


def _failing_project(path: Path) -> Path:
    def script(node_id, label, key, body):
        code = ("from dagster_pipes import open_dagster_pipes\n\nwith open_dagster_pipes() as pipes:\n"
                f"    {body}\n    pipes.report_asset_materialization(metadata={{'rows': 3}})\n")
        return Node(id=node_id, component_type="dagster.PythonScriptComponent", label=label, x=len(label) * 40,
                    attributes={"execution": {"path": "job.py"}, "assets": [{"key": key}]},
                    files={"job.py": code})

    project = Project("Failing", project_id="f" * 32)
    project.graph.load([script("a" * 32, "Good", "good", "pass"),
                        script("b" * 32, "Bad", "bad", "raise RuntimeError('the vendor file is empty')")],
                       [])
    save_project(project, path)
    return path


def test_a_raising_script_fails_its_node_only_and_its_badge_opens_the_traceback(qtbot, real_window, tmp_path):
    win = real_window
    assert win.files.open_project(_failing_project(tmp_path / "failing.ddp.json"))
    _run_and_wait(qtbot, win, win.actions.run)
    assert _states(win) == {"Good": "succeeded", "Bad": "failed"}
    record = win.run_controller.history[-1]
    assert record.outcome == "partly failed"
    bad_id = "b" * 32
    assert "RuntimeError: the vendor file is empty" in record.nodes[bad_id].error
    # a click on the failed node's badge shows its events and the script's traceback
    win.run_panel.set_node_filter(None)
    win.view.fit_to_window()
    item = win.scene.nodes[bad_id]
    pos = win.view.mapFromScene(item.pos() + run_badge.RECT.center())
    qtbot.mouseClick(win.view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.waitUntil(lambda: "Traceback (most recent call last)" in win.run_panel.detail.toPlainText())
    assert "RuntimeError: the vendor file is empty" in win.run_panel.detail.toPlainText()
    assert win.run_panel.node_filter.currentData() == bad_id
    assert {row[0] for row in win.run_panel.visible_rows() if row[1] != "Result"} == {"Bad"}


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        return "\nState:\tZ" in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True


@pytest.mark.skipif(os.name != "posix", reason="checks pids through POSIX signals")
def test_cancel_in_the_window_stops_the_run_and_its_helper(qtbot, real_window, tmp_path):
    win = real_window
    node = Node(id="c" * 32, component_type="dagster.PythonScriptComponent", label="Slow",
                attributes={"execution": {"path": "slow.py"}, "assets": [{"key": "slow"}]},
                files={"slow.py": "import time\nfrom dagster_pipes import open_dagster_pipes\n\n"
                                  "with open_dagster_pipes() as pipes:\n    time.sleep(600)\n"})
    project = Project("Slow", project_id="5" * 32)
    project.graph.load([node], [])
    save_project(project, tmp_path / "slow.ddp.json")
    assert win.files.open_project(tmp_path / "slow.ddp.json")
    runs = win.run_controller
    win.actions.run.trigger()
    qtbot.waitUntil(lambda: _states(win).get("Slow") == "running", timeout=300_000)
    pid = runs._process.pid
    assert win.actions.cancel_run.isEnabled()
    win.actions.cancel_run.trigger()
    qtbot.waitUntil(lambda: not runs.is_running(), timeout=60_000)
    assert runs.history[-1].outcome == "cancelled"
    assert _states(win) == {"Slow": "cancelled"}
    qtbot.waitUntil(lambda: _gone(pid), timeout=10_000)


def test_open_in_dagster_ui_serves_on_loopback_and_closing_the_window_stops_it(qtbot, real_window):
    win = real_window
    assert win.files.open_example(EXAMPLE)
    opened = []
    runs = win.run_controller
    runs.open_url = opened.append
    win.actions.open_dagster_ui.trigger()
    qtbot.waitUntil(lambda: bool(opened), timeout=300_000)
    assert opened[0].startswith("http://127.0.0.1:") and runs.dev_running()
    assert win.actions.stop_dagster_ui.isEnabled()
    assert opened[0] in win.run_panel.dev_label.text()
    with urllib.request.urlopen(opened[0] + "/server_info", timeout=10) as response:
        assert response.status == 200
    pid, port = runs.dev_server.proc.pid, runs.dev_server.port
    win.document.undo_stack.setClean()
    assert win.close()
    assert _gone(pid)
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0  # nothing listens any more
