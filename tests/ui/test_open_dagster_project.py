"""File > Open Dagster Project… and Save back into the folder, in the real window (issue 12)."""

from __future__ import annotations

import pytest
from dg_window import commit_all, git, node, window_fixture, write
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QApplication

from dagster_designer_qt.services.project_store import load_project

DEFS = "src/shop/defs"


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "shop"
    write(root / "pyproject.toml", """
        [project]
        name = "shop"

        [tool.dg.project]
        root_module = "shop"
        """)
    write(root / DEFS / "team/defs.yaml", """
        type: dagster.DefsFolderComponent
        post_processing:
          assets:
            - {target: "*", attributes: {group_name: team}}
        """)
    write(root / DEFS / "team/orders/defs.yaml", """
        # orders
        type: dagster.PythonScriptComponent
        attributes:
          execution: {path: run.py}
          assets:
            - key: orders   # the raw orders
              kinds: [python]
        """)
    write(root / DEFS / "team/orders/run.py", "print(1)\n")
    write(root / DEFS / "report/defs.yaml", """
        type: dagster.PythonScriptComponent
        attributes:
          execution: {path: run.py}
          assets: [{key: report, deps: [orders]}]
        """)
    write(root / DEFS / "report/run.py", "print(2)\n")
    commit_all(root)
    return root


@pytest.fixture
def window(qtbot):
    yield from window_fixture(qtbot)


def test_open_edit_save_writes_only_the_change_into_the_folder(window, folder, tmp_path):
    assert window.actions.open_dagster.text() == "Open &Dagster Project…"
    window.prompts.ask_project_folder = lambda start: str(folder)
    window.actions.open_dagster.trigger()
    graph = window.document.project.graph
    assert sorted(n.label for n in graph.iter_nodes()) == ["orders", "report", "team"]
    assert [(graph.node(e.source).label, graph.node(e.target).label) for e in graph.iter_edges()] == [
        ("orders", "report")]
    orders = node(window, "orders")
    attrs = {**orders.attributes, "assets": [{"key": "orders", "kinds": ["python", "csv"]}]}
    window.document.set_attributes(orders.id, attrs)
    assert window.document.is_modified()
    suggested = []
    design = tmp_path / "shop.ddp.json"
    window.prompts.ask_save_path = lambda s: suggested.append(s) or str(design)
    window.actions.save.trigger()
    assert suggested == [str(tmp_path / "shop.ddp.json")]  # beside the folder, not in it
    assert not window.document.is_modified()
    diff = [line for line in git(folder, "diff", "-U0").splitlines()
            if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert diff == ["-      kinds: [python]", "+      kinds: [python, csv]"]
    reopened = load_project(design)
    assert reopened.source.folder == str(folder)
    # undo, save: the folder is as it was
    window.document.undo_stack.undo()
    window.actions.save.trigger()
    assert git(folder, "status", "--porcelain") == ""


def test_removing_a_component_asks_before_removing_its_files(window, folder, tmp_path):
    window.files.open_dagster_project(folder)
    window.document.delete([node(window, "report").id])
    asked = []
    window.prompts.ask_remove_files = lambda files: asked.append(files) or False
    window.prompts.ask_save_path = lambda s: str(tmp_path / "shop.ddp.json")
    window.actions.save.trigger()
    assert asked == [[f"{DEFS}/report/run.py"]]
    assert not (folder / DEFS / "report/defs.yaml").exists()
    assert (folder / DEFS / "report/run.py").read_text() == "print(2)\n"  # kept: the user said no


def test_a_folder_with_a_bad_file_opens_with_the_problem_shown(window, folder):
    (folder / DEFS / "report/defs.yaml").write_text("type: x\nattributes: {a: [\n")
    notes = []
    window.prompts.show_info = lambda title, message: notes.append(message)
    assert window.files.open_dagster_project(folder)
    QApplication.processEvents()
    assert sorted(n.label for n in window.document.project.graph.iter_nodes()) == ["orders", "team"]
    assert len(notes) == 1 and f"{DEFS}/report/defs.yaml:3:1: invalid YAML" in notes[0]


def test_a_defs_folder_components_children_get_a_frame(window, folder, qtbot):
    window.files.open_dagster_project(folder)
    frames = window.scene.group_frames
    qtbot.waitUntil(lambda: len(frames.items) == 1)
    team = node(window, "team")
    [item] = frames.items.values()
    assert frames.items.keys() == {team.id} and item.title == "team" and item.scene() is window.scene
    orders = node(window, "orders")
    assert item.frame_rect().contains(QRectF(orders.x, orders.y, 1, 1))
    assert item.zValue() < 0  # behind the nodes
    window.document.move_nodes({orders.id: (orders.x + 500, orders.y + 300)})  # a drag, as one undo step
    qtbot.waitUntil(lambda: item.frame_rect().contains(QRectF(orders.x, orders.y, 10, 10)))
    window.document.delete([orders.id])
    qtbot.waitUntil(lambda: not frames.items)  # no children left: no frame


def test_preview_shows_what_save_would_change_in_the_folder(window, folder, qtbot, tmp_path):
    from dagster_designer_qt.services.save_preview import preview_save

    window.files.open_dagster_project(folder)
    window.preview_dock.show()
    window.preview_dock.raise_()
    panel = window.preview_panel
    qtbot.waitUntil(lambda: panel.summary().startswith("No changes to save"), timeout=30_000)
    assert panel.file_names() == []  # not the files an export from scratch would make
    orders = node(window, "orders")
    window.document.set_attributes(orders.id, {**orders.attributes,
                                               "assets": [{"key": "orders", "kinds": ["python", "csv"]}]})
    window.document.delete([node(window, "report").id])
    changed = f"{DEFS}/team/orders/defs.yaml"
    qtbot.waitUntil(lambda: panel.file_names() == sorted([changed, f"{DEFS}/report/defs.yaml"]), timeout=30_000)
    expected = preview_save(window.document.project)
    assert panel._files[changed] == expected.files[changed].shown
    assert "-      kinds: [python]\n+      kinds: [python, csv]\n" in panel._files[changed]
    assert panel.summary().startswith(f"Save writes into {folder}: 1 changed, 1 removed file(s).")
    window.document.set_selection([orders.id])
    assert panel.current_file() == changed and panel.text.toPlainText() == expected.files[changed].shown
    window.prompts.ask_remove_files = lambda files: False
    window.prompts.ask_save_path = lambda s: str(tmp_path / "shop.ddp.json")
    window.actions.save.trigger()
    qtbot.waitUntil(lambda: panel.summary().startswith("No changes to save"), timeout=30_000)
    assert panel.file_names() == []
