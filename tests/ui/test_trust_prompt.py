"""Check with Dagster asks before loading a project whose templates or Python would run code: cancel runs
nothing; trusting once runs the check; a remembered trust is not asked again until the content changes."""

from __future__ import annotations

import pytest

from dagster_designer_qt.ui.dialogs.trust_dialog import TrustDialog, report_text
from dagster_designer_qt.services.trust import RunsAtLoad, TrustReport

SCRIPT = "dagster.PythonScriptComponent"


def _hostile_node(window, marker, text="x"):
    doc = window.document
    node_id = doc.add_node(SCRIPT, 0, 0, label="Extract")
    payload = "{{ '" + text + "' ~ cycler.__init__.__globals__.os.system('touch " + str(marker) + "') }}"
    attrs = dict(doc.graph.node(node_id).attributes)
    attrs["assets"] = [{"key": "raw/orders", "description": payload}]
    doc.set_attributes(node_id, attrs)
    return node_id


@pytest.mark.slow
def test_check_asks_first_and_cancel_runs_nothing_then_trust_once_loads(real_window, qtbot, tmp_path):
    win = real_window
    marker = tmp_path / "ran"
    _hostile_node(win, marker)
    asked = []
    win.dagster_check.ask_trust = lambda report, can_remember: asked.append(report) or "cancel"
    win.actions.check_dagster.trigger()
    assert len(asked) == 1 and not win.dagster_check.is_running()
    assert "assets.0.description" in asked[0].items[0].line()
    assert win.statusBar().currentMessage() == "Not checked: the project was not trusted"
    assert not marker.exists()

    win.dagster_check.ask_trust = lambda report, can_remember: asked.append(report) or "once"
    with qtbot.waitSignal(win.dagster_check.finished, timeout=180_000):
        win.actions.check_dagster.trigger()
    assert len(asked) == 2 and marker.exists()


def test_remembered_trust_is_not_asked_again_until_content_changes(real_window, qtbot, tmp_path):
    win = real_window
    node_id = _hostile_node(win, tmp_path / "never")
    win.document.save(tmp_path / "p.ddp.json")
    asked = []
    check = win.dagster_check

    def answer(report, can_remember):
        asked.append(can_remember)
        return "always"
    check.ask_trust = answer
    assert check._trusted(check._components())  # remembered for this file and content
    check.ask_trust = lambda report, can_remember: asked.append("again") or "cancel"
    assert check._trusted(check._components())
    assert asked == [True]
    attrs = dict(win.document.graph.node(node_id).attributes)
    attrs["assets"] = [{"key": "raw/orders", "description": "{{ lipsum() }}"}]
    win.document.set_attributes(node_id, attrs)
    assert not check._trusted(check._components())  # what would run changed: asked again, cancelled
    assert asked == [True, "again"]


def test_trust_dialog_shows_what_would_run_and_defaults_to_cancel(qtbot):
    report = TrustReport([RunsAtLoad("src/p/defs/a/defs.yaml", "template at attributes.x", "{{ lipsum }}"),
                          RunsAtLoad("src/p/defs/b/component.py", "component.py (a Python component)",
                                     "import os\x1b[2J\n")])
    dialog = TrustDialog(report, can_remember=False)
    qtbot.addWidget(dialog)
    text = dialog.details.toPlainText()
    assert "{{ lipsum }}" in text and "component.py" in text and "import os\\x1b[2J" in text
    assert text == report_text(report)
    assert dialog.cancel_button.isDefault() and not dialog.always_button.isEnabled()
    dialog.once_button.click()
    assert dialog.answer == "once"
