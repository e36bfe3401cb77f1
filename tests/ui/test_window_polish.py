"""Issue 14, tried as a new user would, in the real window on the real registry: forms fit a narrow panel,
labels read like words, one mode control per row, secrets are masked, big integers edit safely."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLineEdit, QToolButton, QWidget

DBT_CLOUD = "dagster_dbt.DbtCloudComponent"
FIVETRAN = "dagster_fivetran.FivetranAccountComponent"


def _select_new(window, qtbot, component_type: str) -> str:
    node_id = window.edit.add_component(component_type)
    qtbot.waitUntil(lambda: window.property_panel.node_id == node_id)
    return node_id


def _narrow(window, qtbot, width: int = 346) -> None:
    window.resize(1024, 700)
    window.resizeDocks([window.property_dock], [width], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: abs(window.property_panel.width() - width) < 40)


def _overflowing(panel) -> list[str]:
    """Editors and buttons of the visible form whose right edge is outside the scroll viewport."""
    width = panel.scroll.viewport().width()
    out = []
    for w in panel.content.findChildren(QWidget):
        if isinstance(w, (QToolButton, QLineEdit, QAbstractSpinBox, QComboBox)) and w.isVisibleTo(panel.content):
            right = w.mapTo(panel.content, QPoint(w.width(), 0)).x()
            if right > width + 1:
                out.append(f"{w.objectName() or type(w).__name__}:{right}>{width}")
    return out


def test_the_dbt_cloud_form_fits_a_narrow_panel_without_clipping(real_window, qtbot):
    window = real_window
    _narrow(window, qtbot)
    _select_new(window, qtbot, DBT_CLOUD)
    panel = window.property_panel
    workspace = panel.row("workspace")
    workspace.set_expanded(True)
    qtbot.waitUntil(lambda: panel.content.width() <= panel.scroll.viewport().width())
    qtbot.waitUntil(lambda: not _overflowing(panel))
    mode = workspace.editor().rows["account_id"].mode_button
    assert mode.isVisible() and mode.width() >= mode.sizeHint().width() - 2  # the control is not squeezed


def test_a_long_template_reads_from_its_start(real_window, qtbot):
    window = real_window
    node = _select_new(window, qtbot, DBT_CLOUD)
    template = "{{ env('DBT_CLOUD_ACCOUNT_IDENTIFIER_FOR_THE_PRODUCTION_WORKSPACE') }}"
    window.document.set_attributes(node, {"workspace": {"account_id": template}})
    row = window.property_panel.row("workspace", "account_id")
    edit = row.template_edit()
    assert edit.text() == template and edit.cursorPosition() == 0
    assert edit.toolTip() == template


def test_labels_use_proper_casing_for_acronyms_and_friendly_node_names(real_window, qtbot):
    window = real_window
    node = _select_new(window, qtbot, DBT_CLOUD)
    assert window.document.graph.node(node).label == "dbt Cloud"
    panel = window.property_panel
    workspace = panel.row("workspace")
    workspace.set_expanded(True)
    rows = workspace.editor().rows
    assert rows["account_id"].title.text() == "Account ID *"
    assert rows["access_url"].title.text() == "Access URL"
    script = _select_new(window, qtbot, "dagster.TemplatedSqlComponent")
    assert window.document.graph.node(script).label == "Templated SQL"
    assert panel.row("sql_template").title.text().startswith("SQL Template")
    names = []
    model = window.palette.model
    for r in range(model.rowCount()):
        group = model.item(r)
        names += [group.child(i).text() for i in range(group.rowCount())]
    assert {"dbt Cloud", "dbt Project", "Templated SQL", "uv Run"} <= set(names)


def test_one_mode_control_per_row_with_tooltips(real_window, qtbot):
    window = real_window
    node = _select_new(window, qtbot, DBT_CLOUD)
    row = window.property_panel.row("workspace", "account_id")
    button = row.mode_button
    assert button.objectName() == "modeButton" and button.text() == "Value"
    assert [a.text() for a in button.menu().actions()] == ["Value", "Template", "Env var", "YAML"]
    assert all(a.toolTip() for a in button.menu().actions())
    assert "Value" in button.toolTip()
    assert not window.property_panel.content.findChildren(QToolButton, "templateToggle")

    row.mode_actions["env"].trigger()
    attrs = window.document.graph.node(node).attributes
    assert attrs["workspace"]["account_id"] == "{{ env('DBT_ACCOUNT_ID') }}"
    row = window.property_panel.row("workspace", "account_id")
    assert row.mode_button.text() == "Env var"
    row.mode_actions["value"].trigger()
    assert "account_id" not in window.document.graph.node(node).attributes.get("workspace", {})
    row = window.property_panel.row("workspace", "account_id")
    assert row.mode_button.text() == "Value" and row.mode() == "value"
    window.document.undo_stack.undo()  # one undo step per mode switch
    assert window.document.graph.node(node).attributes["workspace"]["account_id"].startswith("{{ env(")


def test_a_literal_secret_is_masked_with_a_reveal_toggle(real_window, qtbot):
    window = real_window
    node = _select_new(window, qtbot, FIVETRAN)
    row = window.property_panel.row("workspace", "api_key")
    if row.mode() != "value":
        row.set_mode("value")
    editor = row.editor()
    editor.edit.clear()
    qtbot.keyClicks(editor.edit, "hunter2")
    assert window.document.graph.node(node).attributes["workspace"]["api_key"] == "hunter2"
    editor = window.property_panel.row("workspace", "api_key").editor()
    assert editor.edit.echoMode() == QLineEdit.EchoMode.Password
    qtbot.mouseClick(editor.reveal, Qt.MouseButton.LeftButton)
    assert editor.edit.echoMode() == QLineEdit.EchoMode.Normal
    qtbot.mouseClick(editor.reveal, Qt.MouseButton.LeftButton)
    assert editor.edit.echoMode() == QLineEdit.EchoMode.Password
    window.property_panel.row("workspace", "api_key").set_mode("env")  # a template is not a secret
    editor = window.property_panel.row("workspace", "api_key").editor()
    assert editor.edit.echoMode() == QLineEdit.EchoMode.Normal and "env(" in editor.edit.text()


def test_an_integer_beyond_32_bits_edits_safely(real_window, qtbot):
    window = real_window
    doc = window.document
    node = doc.add_node(DBT_CLOUD, 0, 0, label="Cloud")
    big = 2**40
    doc.set_attributes(node, {"workspace": {"account_id": big, "project_id": 1, "environment_id": 2}})
    doc.set_selection([node])  # building the form must not raise OverflowError
    panel = window.property_panel
    assert panel.node_id == node and panel.heading.text()
    row = panel.row("workspace", "account_id")
    assert row.mode() == "yaml" and row.yaml_editor().text() == str(big)
    assert row.mode_button.text() == "YAML"
    edit = row.yaml_editor().edit
    edit.selectAll()
    qtbot.keyClicks(edit, str(2**41))
    assert doc.graph.node(node).attributes["workspace"]["account_id"] == 2**41
    doc.set_selection([])
    doc.set_selection([node])
    assert panel.row("workspace", "account_id").yaml_editor().text() == str(2**41)


def _idle(window, qtbot) -> None:
    qtbot.waitUntil(lambda: window.validation.is_idle() and window.problems_panel.state() != "validating",
                    timeout=60_000)


def test_problems_count_on_the_tab_and_status_bar_with_a_validating_state(real_window, qtbot):
    window = real_window
    panel, label = window.problems_panel, window.problems_label
    _idle(window, qtbot)
    assert panel.summary() == "No problems" and label.text() == "No problems"
    assert window.problems_dock.windowTitle() == "Problems"

    node = window.document.add_node(DBT_CLOUD, 0, 0, label="Cloud")  # workspace is required: an error
    window.validation.validate_now()
    assert panel.state() == "validating" and "Validating" in label.text()
    _idle(window, qtbot)
    count = panel.problem_count()
    assert count >= 1 and window.problems_dock.windowTitle() == f"Problems ({count})"
    assert "error" in label.text() and label.text() == panel.summary()

    window.document.delete([node])
    _idle(window, qtbot)
    assert label.text() == "No problems" and window.problems_dock.windowTitle() == "Problems"


def test_an_opened_project_is_validating_from_its_first_frame_and_then_shows_its_count_in_one_step(
        real_window, qtbot, tmp_path):
    """A project just opened is validated once the window has painted it; until then the status bar must not
    say "No problems" (the empty project's state), and the pass's result replaces "Validating…" at once
    (each change of the label relayouts the window)."""
    window = real_window
    window.document.add_node(DBT_CLOUD, 0, 0, label="Cloud")  # workspace is required: one error
    saved = tmp_path / "cloud.ddp.json"
    window.document.save(saved)
    window.files.new_project()
    _idle(window, qtbot)
    assert window.problems_label.text() == "No problems"
    said = []
    window.problems_panel.summary_changed.connect(lambda state, text: said.append((state, text)))

    assert window.files.open_project(str(saved))
    assert window.problems_label.text() == "Validating…"  # before the event loop has run once
    _idle(window, qtbot)
    assert said == [("validating", "Validating…"), ("problems", "1 error")]
    assert window.problems_label.text() == "1 error" and window.problems_dock.windowTitle() == "Problems (1)"


def test_a_validation_that_fails_is_shown(real_window, qtbot):
    window = real_window
    _idle(window, qtbot)

    def broken(project, registry):
        raise RuntimeError("schema cache is unreadable")

    window.validation.validator = broken
    window.document.add_node(DBT_CLOUD, 0, 0, label="Cloud")
    window.validation.validate_now()
    qtbot.waitUntil(lambda: window.problems_panel.state() == "failed", timeout=30_000)
    first = window.problems_panel.row_texts(0)
    assert "Validation could not run" in first[2] and "schema cache is unreadable" in first[2]
    assert window.problems_label.text() == "Validation failed"


def test_export_asks_for_parent_and_name_and_offers_to_open_the_folder(real_window, qtbot, tmp_path,
                                                                       monkeypatch):
    from PySide6.QtGui import QDesktopServices

    from dagster_designer_qt.ui.dialogs.export_dialog import ExportDialog

    window = real_window
    window.document.set_project_meta("name", "Shop analytics")
    window.document.add_node("dagster.FunctionComponent", 0, 0)
    shown = {}

    def ask(start_dir, name):  # drive the real dialog, as a user would
        dialog = ExportDialog(start_dir, name, window)
        shown["name"] = dialog.name_edit.text()
        dialog.parent_edit.setText(str(tmp_path / "missing"))
        shown["missing"] = (dialog.export_button.isEnabled(), dialog.target_label.text())
        dialog.parent_edit.setText(str(tmp_path))
        dialog.name_edit.setText("../escape")
        shown["bad"] = dialog.export_button.isEnabled()
        dialog.name_edit.setText("shop")
        shown["target"] = dialog.target_label.text()
        assert dialog.export_button.isEnabled()
        return dialog.target()

    offered, opened = [], []
    window.prompts.ask_export_target = ask
    window.prompts.offer_open_folder = lambda target, open_folder: (offered.append(target), open_folder())
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    done = []
    window.files.export_finished.connect(lambda target, err: done.append((target, err)))
    window.actions.export.trigger()
    qtbot.waitUntil(lambda: bool(done), timeout=60_000)
    assert shown["name"] == "shop-analytics"
    assert shown["missing"] == (False, "The parent folder does not exist.")
    assert shown["bad"] is False
    assert shown["target"] == f"Creates {tmp_path / 'shop'}"
    assert done == [(str(tmp_path / "shop"), None)]
    assert (tmp_path / "shop" / "pyproject.toml").is_file()
    assert offered == [str(tmp_path / "shop")] and opened == [str(tmp_path / "shop")]


def test_export_messages_use_the_apps_words(real_window, qtbot, tmp_path):
    from dagster_designer_qt.ui.file_controller import _app_wording

    window = real_window
    window.document.add_node("dagster.FunctionComponent", 0, 0)
    errors = []
    window.prompts.show_error = lambda title, message: errors.append(message)
    window.files.export_folder(str(tmp_path / "no" / "such" / "parent"))
    qtbot.waitUntil(lambda: bool(errors), timeout=60_000)
    assert "--force" not in errors[0] and "does not exist" in errors[0]
    assert "--force" not in _app_wording("/x is not empty (use --force to update it: generated files are "
                                         "replaced, files you added are kept)")


def test_palette_search_is_ranked_says_when_nothing_matches_and_shows_docs_as_text(real_window, qtbot):
    window = real_window
    palette = window.palette
    added = []
    palette.component_activated.connect(added.append)
    palette.search.setFocus()
    qtbot.keyClicks(palette.search, "python")
    qtbot.keyClick(palette.search, Qt.Key.Key_Return)
    assert added == ["dagster.PythonScriptComponent"]  # not Defs Folder, whose docs mention Python
    palette.search.clear()
    qtbot.keyClicks(palette.search, "sql")
    qtbot.keyClick(palette.search, Qt.Key.Key_Return)
    assert added[-1] == "dagster.TemplatedSqlComponent"
    palette.search.clear()
    qtbot.keyClicks(palette.search, "zzzq")
    assert palette.component_types() == []
    assert palette.status.isVisible() and palette.status.text() == "No component matches “zzzq”."
    palette.search.clear()
    assert not palette.status.isVisible()
    model = palette.model
    tips = [model.item(r).child(i).toolTip() for r in range(model.rowCount())
            for i in range(model.item(r).rowCount())]
    raw = [t for t in tips if "``" in t or ":py:" in t or ".. code-block" in t or "`_" in t]
    assert tips and not raw


SCRIPT = "dagster.PythonScriptComponent"


def _vp(window, scene_point):
    return window.view.mapFromScene(scene_point)


def _three_nodes(window, qtbot):
    doc = window.document
    a = doc.add_node(SCRIPT, 0, 0, label="A")
    b = doc.add_node(SCRIPT, 400, 0, label="B")
    c = doc.add_node(SCRIPT, 800, 0, label="C")
    window.view.resetTransform()
    window.view.centerOn(500, 40)
    qtbot.waitUntil(lambda: all(i in window.scene.nodes for i in (a, b, c)))
    return a, b, c


def test_connect_selected_uses_selection_order_refuses_like_a_drag_and_success_clears_the_refusal(
        real_window, qtbot):
    from PySide6.QtWidgets import QApplication

    window = real_window
    doc = window.document
    a, b, c = _three_nodes(window, qtbot)
    action = window.actions.connect_selected
    doc.set_selection([b])
    assert not action.isEnabled()
    doc.set_selection([a, b])  # the scene reports graph order; B was selected first
    assert action.isEnabled()
    action.trigger()
    assert doc.graph.find_edge(b, a) is not None and doc.graph.find_edge(a, b) is None

    doc.set_selection([a])
    doc.set_selection([a, b])  # now A first: A -> B would close a cycle
    action.trigger()
    assert doc.graph.find_edge(a, b) is None
    assert window.view.message_visible() and window.view.last_message().startswith("Cannot connect")
    QApplication.processEvents()
    assert window.statusBar().currentMessage().startswith("Cannot connect")

    doc.set_selection([b])
    doc.set_selection([b, c])
    action.trigger()
    assert doc.graph.find_edge(b, c) is not None
    assert not window.view.message_visible()
    assert not window.statusBar().currentMessage().startswith("Cannot connect")


def test_dragging_shows_an_invalid_target_as_invalid_and_a_drop_on_empty_canvas_adds_a_connected_node(
        real_window, qtbot):
    window = real_window
    doc, view, scene = window.document, window.view, window.scene
    a, b, c = _three_nodes(window, qtbot)
    doc.connect(b, a)
    viewport = view.viewport()

    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=_vp(window, scene.nodes[a].out_anchor()))
    interaction = view.interaction()
    qtbot.mouseMove(viewport, _vp(window, scene.nodes[b].in_anchor()))
    assert interaction.target_valid is False and interaction.bad_port.isVisible()
    assert "cycle" in interaction.refusal.lower() or "loop" in interaction.refusal.lower()
    assert scene.nodes[b].hot_port is None  # not highlighted as a valid target
    qtbot.mouseMove(viewport, _vp(window, scene.nodes[c].in_anchor()))
    assert interaction.target_valid is True and not interaction.bad_port.isVisible()
    assert scene.nodes[c].hot_port == "in"
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=_vp(window, scene.nodes[c].in_anchor()))
    assert doc.graph.find_edge(a, c) is not None

    # from C's output into empty canvas: the quick-add picker, then a connected node
    before = doc.undo_stack.index()
    start = scene.nodes[c].out_anchor()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=_vp(window, start))
    drop = start + QPoint(160, 120).toPointF()
    qtbot.mouseMove(viewport, _vp(window, drop))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=_vp(window, drop))
    picker = window.edit.quick_add
    assert picker is not None and picker.isVisible() and picker.heading.text() == "Add downstream of C"
    qtbot.keyClicks(picker.search, "templated")
    assert picker.types()[0] == "dagster.TemplatedSqlComponent"
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    new = doc.selection()[0]
    assert doc.graph.node(new).component_type == "dagster.TemplatedSqlComponent"
    assert doc.graph.find_edge(c, new) is not None
    assert abs(doc.graph.node(new).x - drop.x()) < 5
    doc.undo_stack.undo()  # one step: the node and its connection
    assert not doc.graph.has_node(new) and doc.undo_stack.index() == before


def test_double_click_on_a_node_focuses_its_first_property(real_window, qtbot):
    from PySide6.QtWidgets import QApplication

    window = real_window
    a, _b, _c = _three_nodes(window, qtbot)
    window.activateWindow()
    item = window.scene.nodes[a]
    centre = _vp(window, item.sceneBoundingRect().center())
    qtbot.mouseDClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    panel = window.property_panel
    assert window.document.selection() == [a] and panel.node_id == a
    first = next(iter(panel.form.rows.values()))
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None
                    and first.isAncestorOf(QApplication.focusWidget()))


def test_keyboard_added_nodes_do_not_overlap(real_window, qtbot):
    from dagster_designer_qt.ui.canvas import style as S

    window = real_window
    palette = window.palette
    for _ in range(6):
        palette.search.setFocus()
        palette.search.clear()
        qtbot.keyClicks(palette.search, "python script")
        qtbot.keyClick(palette.search, Qt.Key.Key_Return)
    nodes = list(window.document.graph.iter_nodes())
    assert len(nodes) == 6
    for i, n in enumerate(nodes):
        for m in nodes[i + 1:]:
            assert abs(n.x - m.x) >= S.W or abs(n.y - m.y) >= S.H, (n.label, m.label)


def test_first_use_shows_an_empty_state_hint_and_help_has_getting_started_and_shortcuts(real_window, qtbot):
    window = real_window
    hint = window.empty_hint
    assert hint.isVisible() and "Drag a component" in hint.text.text()
    window.document.add_node(SCRIPT, 0, 0)
    assert not hint.isVisible()
    window.document.undo_stack.undo()
    assert hint.isVisible()
    qtbot.mouseClick(hint.example_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.document.graph.node_count() > 0)
    assert not hint.isVisible()

    help_menu = window.menuBar().findChild(type(window.actions.recent_menu), "menuHelp")
    names = [a.objectName() for a in help_menu.actions()]
    assert names[:2] == ["actionGettingStarted", "actionShortcuts"]
    window.actions.getting_started.trigger()
    dialog = window._help_dialog
    assert dialog.isVisible() and "Connect" in dialog.text.toPlainText()
    dialog.close()
    window.actions.shortcuts.trigger()
    dialog = window._help_dialog
    rows = dict(dialog.rows())
    assert rows["Connect Selected"] == "Ctrl+K" and rows["Save"] == "Ctrl+S" and rows["Undo"] == "Ctrl+Z"
    dialog.close()


def test_preview_follows_the_selection_with_the_nodes_files_first_as_a_tree(real_window, qtbot):
    from dagster_designer_qt.ui.resources import examples_dir

    window = real_window
    assert window.files.open_example(examples_dir() / "analytics.ddp.json")
    window.preview_dock.show()
    window.preview_dock.raise_()
    panel = window.preview_panel
    nodes = list(window.document.graph.iter_nodes())
    qtbot.waitUntil(lambda: len(panel.node_folders()) == len(nodes), timeout=60_000)
    for node in nodes:
        window.document.set_selection([node.id])
        folder = panel.selected_folder()
        assert folder.endswith("/")
        assert panel.current_file() == folder + "defs.yaml"
        assert panel.text.toPlainText() == panel._files[folder + "defs.yaml"]
        first = panel.files.topLevelItem(0)
        assert first.text(0).startswith(node.label) and first.isExpanded()
        own = sorted({p for p in panel.file_names() if p.startswith(folder)})
        assert first.childCount() == len(own) >= 1
        assert panel.visible_paths()[:len(own)] == own  # the node's files come first
    window.document.set_selection([])
    names = [panel.files.topLevelItem(i).text(0) for i in range(panel.files.topLevelItemCount())]
    assert "src/" in names and panel.current_file()  # the project as a folder tree


def test_tab_goes_from_the_canvas_to_the_properties(real_window, qtbot):
    from PySide6.QtWidgets import QApplication

    window = real_window
    node = window.document.add_node(SCRIPT, 0, 0, label="A")
    window.document.set_selection([node])
    window.activateWindow()
    window.view.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.view)
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not window.view)
    focused = QApplication.focusWidget()
    assert window.property_panel.isAncestorOf(focused), focused.objectName() or type(focused).__name__
