"""The Problems panel as a view over a table model: rows in graph order with errors first and
project-level problems last, each with the severity's icon and the message as tooltip; Enter on a row
selects its node and asks for its field; thousands of problems make as many rows and no widget items."""

from __future__ import annotations

from PySide6.QtCore import Qt
from dagster_designer_qt.services.validation import Problem
from dagster_designer_qt.ui.document import ProjectDocument
from dagster_designer_qt.ui.panels.problems_panel import NODE_ROLE, PATH_ROLE, ProblemsPanel

FUNCTION = "dagster.FunctionComponent"


def _panel(qtbot):
    document = ProjectDocument()
    panel = ProblemsPanel(document, None)
    qtbot.addWidget(panel)
    return document, panel


def test_rows_follow_graph_order_errors_first_project_last(qtbot):
    document, panel = _panel(qtbot)
    a = document.add_node(FUNCTION, 0, 0, label="First")
    b = document.add_node(FUNCTION, 300, 0, label="Second")
    panel.set_problems({
        None: [Problem(None, (), "Duplicate asset key", "error", "duplicate-asset-key")],
        b: [Problem(b, ("assets", 0, "key"), "Not a key", "error", "invalid")],
        a: [Problem(a, ("execution",), "Looks like a secret", "warning", "literal-secret"),
            Problem(a, ("execution", "fn"), "Field required", "error", "missing")],
    })
    assert panel.problem_count() == 4
    assert [panel.row_texts(i)[0] for i in range(4)] == ["First", "First", "Second", "(project)"]
    assert panel.row_texts(0)[2] == "Field required" and panel.row_texts(1)[2] == "Looks like a secret"
    model = panel.model()
    first = model.index(0, 0)
    assert model.data(first, NODE_ROLE) == a and model.data(first, PATH_ROLE) == ["execution", "fn"]
    assert not model.data(first, Qt.ItemDataRole.DecorationRole).isNull()
    assert model.data(model.index(1, 2), Qt.ItemDataRole.ToolTipRole) == "Looks like a secret"
    assert panel.summary() == "3 errors, 1 warning"
    panel.set_problems({})
    assert panel.problem_count() == 0 and panel.summary() == "No problems"


def test_enter_on_a_row_selects_its_node_and_names_the_field(qtbot):
    document, panel = _panel(qtbot)
    a = document.add_node(FUNCTION, 0, 0, label="Only")
    panel.set_problems({a: [Problem(a, ("assets", 0), "Bad asset", "error", "invalid")]})
    activated = []
    panel.problem_activated.connect(lambda node_id, path: activated.append((node_id, path)))
    panel.show()
    qtbot.waitExposed(panel)
    panel.setCurrentIndex(panel.model().index(0, 2))
    qtbot.keyClick(panel, Qt.Key.Key_Return)
    assert activated == [(a, ("assets", 0))]
    assert document.selection() == [a]


def test_thousands_of_problems_are_rows_of_the_model_not_widget_items(qtbot):
    from PySide6.QtWidgets import QTreeWidget

    from dagster_designer_qt.core.model import Node, Project

    project = Project("many")
    project.graph.load([Node(f"n{i}", FUNCTION, f"N{i}") for i in range(3000)], [])
    panel = ProblemsPanel(ProjectDocument(project), None)
    qtbot.addWidget(panel)
    panel.set_problems({f"n{i}": [Problem(f"n{i}", ("x",), "Field required", "error", "missing")]
                        for i in range(3000)})
    assert panel.problem_count() == 3000 and panel.model().rowCount() == 3000
    assert panel.row_texts(2999) == ("N2999", "x", "Field required")
    assert not isinstance(panel, QTreeWidget)  # no QTreeWidgetItem (and Python wrapper) per problem


def test_rows_are_made_when_the_view_shows_them_and_follow_a_rename(qtbot):
    """A big project's open brings thousands of problems; making every row's texts up front was most of
    what the window added to that open. Only the rows the view paints (or asks for) are made."""
    from dagster_designer_qt.core.model import Node, Project

    project = Project("many")
    project.graph.load([Node(f"n{i}", FUNCTION, f"N{i}") for i in range(3000)], [])
    document = ProjectDocument(project)
    panel = ProblemsPanel(document, None)
    qtbot.addWidget(panel)
    panel.resize(600, 300)
    problems = {f"n{i}": [Problem(f"n{i}", ("x",), "Field required", "error", "missing")] for i in range(3000)}
    panel.set_problems(problems)
    panel.show()
    qtbot.waitExposed(panel)
    made = panel.model()._made
    qtbot.waitUntil(lambda: len(made) > 0)
    assert len(made) < 100  # a screenful, not 3,000
    panel.scrollToBottom()
    qtbot.waitUntil(lambda: 2999 in panel.model()._made)
    document.rename("n0", "Renamed")  # the panel lists the problems again on a rename
    assert panel.row_texts(0) == ("Renamed", "x", "Field required")


def test_the_summary_is_announced_when_it_changes_not_at_every_pass(qtbot):
    """The status bar label and the dock's title follow ``summary_changed``; each change relayouts the
    window, so a pass that finds the same problems says nothing new."""
    document, panel = _panel(qtbot)
    a = document.add_node(FUNCTION, 0, 0, label="Only")
    said = []
    panel.summary_changed.connect(lambda state, text: said.append((state, text)))
    problems = {a: [Problem(a, ("assets",), "Bad asset", "error", "invalid")]}
    panel.set_problems(problems)
    panel.set_problems(dict(problems))
    assert said == [("problems", "1 error")]
    panel.set_problems({a: problems[a] + [Problem(a, ("execution",), "Looks like a secret", "warning", "x")]})
    panel.set_problems({})
    assert said == [("problems", "1 error"), ("problems", "1 error, 1 warning"), ("ok", "No problems")]
