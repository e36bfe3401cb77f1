"""Every save error reaches the user: a document holding what a project file cannot store (NaN with a
>64-bit integer, a lone surrogate) is refused with a message naming where, stays modified, and its file on
disk is unchanged; a failing autosave says why instead of failing silently."""

import math

import pytest

from tests.ui.test_main_window import make_window  # noqa: F401 - the fixture

SCRIPT = "dagster.PythonScriptComponent"


@pytest.mark.parametrize("bad,expected", [
    ({"n": math.nan, "big": 2 ** 70}, "nan is not a number JSON can store"),
    ({"label": "a\ud800b"}, "lone surrogate"),
    ({"x": math.inf}, "inf is not a number"),
])
def test_save_refuses_unstorable_values_and_says_where(make_window, tmp_path, bad, expected):
    window = make_window()
    errors = []
    window.prompts.show_error = lambda title, message: errors.append((title, message))
    path = tmp_path / "p.ddp.json"
    node = window.document.add_node(SCRIPT, 0, 0, label="Step")
    assert window.files._save_to(path)
    before = path.read_bytes()
    window.document.set_attributes(node, dict(window.document.graph.node(node).attributes, **bad))
    assert not window.files.save()
    assert len(errors) == 1 and errors[0][0] == "Cannot save project"
    assert expected in errors[0][1] and "$.graph.nodes[0].data.attributes" in errors[0][1]
    assert window.document.is_modified()
    assert path.read_bytes() == before

    shown = []
    window.recovery.failed.connect(shown.append)
    assert not window.recovery.autosave()
    assert not window.recovery.autosave()  # the same reason is announced once
    assert len(shown) == 1 and shown[0].startswith("Autosave failed:") and expected in shown[0]
    assert window.statusBar().currentMessage() == shown[0]
