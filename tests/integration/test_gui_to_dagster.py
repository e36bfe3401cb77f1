"""The product's promise end to end, as a user does it in the real window: add components from the
palette by keyboard, connect them by dragging between ports, rename one and type an asset key into its
form, export through the File menu's code path, then load the export with Dagster itself and find the
assets and the dependency that were drawn."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, Qt

from dagster_designer_qt.services.loader import load_folder
from dagster_designer_qt.ui.canvas import style as S

SCRIPT = "dagster.PythonScriptComponent"


@pytest.fixture
def window(real_window):
    return real_window


def _add_from_palette(window, qtbot, query: str) -> str:
    search = window.palette.search
    search.setFocus()
    search.clear()
    qtbot.keyClicks(search, query)
    before = {n.id for n in window.document.graph.nodes}
    qtbot.keyClick(search, Qt.Key.Key_Return)
    (new_id,) = {n.id for n in window.document.graph.nodes} - before
    return new_id


def _drag(qtbot, widget, start, end):
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for i in range(1, 6):
        qtbot.mouseMove(widget, start + (end - start) * (i / 5))
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)


@pytest.mark.slow
def test_design_in_the_window_export_and_load_with_dagster(window, qtbot, tmp_path):
    doc = window.document
    first = _add_from_palette(window, qtbot, "python script")
    second = _add_from_palette(window, qtbot, "python script")
    assert [n.component_type for n in doc.graph.nodes] == [SCRIPT, SCRIPT]
    doc.move_nodes({second: (doc.graph.node(first).x + 320, doc.graph.node(first).y)})
    window.view.resetTransform()
    window.view.centerOn(QPointF(doc.graph.node(first).x + 250, doc.graph.node(first).y + 36))

    # Connect by dragging from the first node's output port to the second's input port.
    a, b = doc.graph.node(first), doc.graph.node(second)
    start = window.view.mapFromScene(QPointF(a.x, a.y) + S.OUT_PORT)
    end = window.view.mapFromScene(QPointF(b.x, b.y) + S.IN_PORT)
    _drag(qtbot, window.view.viewport(), start, end)
    assert [(e.source, e.target) for e in doc.graph.edges] == [(first, second)]

    # Rename the downstream node and type its asset key in the generated form.
    doc.set_selection([second])
    panel = window.property_panel
    panel.label_edit.selectAll()
    qtbot.keyClicks(panel.label_edit, "Daily report")
    assert doc.graph.node(second).label == "Daily report"
    key_row = panel.row("assets", 0, "key")
    assert key_row is not None
    line = key_row.editor().edit
    line.selectAll()
    qtbot.keyClicks(line, "reports/daily")
    assert doc.graph.node(second).attributes["assets"] == [{"key": "reports/daily"}]
    upstream_key = doc.graph.node(first).attributes["assets"][0]["key"]

    # File > Export... (the dialog answered), off the UI thread like a user's export.
    out = tmp_path / "exported"
    assert window.files.export_folder(str(out))
    window.files.wait_for_export(120)
    qtbot.waitUntil(lambda: (out / "pyproject.toml").exists(), timeout=60_000)

    loaded = load_folder(out)
    assets = {a["key"]: a for a in loaded["assets"]}
    assert set(assets) == {upstream_key, "reports/daily"}
    assert assets["reports/daily"]["deps"] == [upstream_key]
    assert assets["reports/daily"]["folder"] == "daily_report"
