"""Problems panel: every validation problem of the document as a row (node, field, message). Activating a
row (double-click or Enter) emits ``problem_activated(node_id, path)``, selects the node, and the main
window sends the property panel there (``PropertyPanel.focus_field``).

A table view over a table model (``ProblemsModel``) whose rows are plain tuples: the view asks only for the
rows it shows. One ``QTreeWidgetItem`` per problem (five calls into Qt each, and a Python wrapper that lives as
long as the row) made a project's open with thousands of problems spend more in this panel than in the
canvas's own work (docs/CANVAS.md, "Opening")."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from dagster_designer_qt.core.attrs import format_path

NODE_ROLE = Qt.ItemDataRole.UserRole
PATH_ROLE = Qt.ItemDataRole.UserRole + 1
DISPLAY = Qt.ItemDataRole.DisplayRole
DECORATION = Qt.ItemDataRole.DecorationRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
HEADERS = ("Node", "Field", "Problem")
ROW_SIZE = 6
# What the model answers. A view asks for about ten roles per cell at each paint (font, alignment, colours,
# check state...); the others are refused before the row is looked up.
ROLES = frozenset((DISPLAY, DECORATION, TOOLTIP, NODE_ROLE, PATH_ROLE))


class ProblemsModel(QAbstractTableModel):
    """Rows of (node label, field, message, severity, node id, path), made when the view reads them: the
    panel hands over (node id, problem) pairs and a function that makes a row of one. A big project's
    open brings thousands of problems; the view shows a few dozen rows (making every row up front was most
    of what the window added to such an open)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.icons: dict = {}  # severity -> icon, set with the first rows (a start shows none)
        self._items: list[tuple] = []  # (node id, problem), or a row already made
        self._made: dict[int, tuple] = {}
        self._make: Callable[[str, Any], tuple] | None = None

    def set_items(self, items: list[tuple], make: Callable[[str, Any], tuple]) -> None:
        self.beginResetModel()
        self._items, self._make, self._made = items, make, {}
        self.endResetModel()

    def remake(self) -> None:
        """What the rows show changed (a node renamed): make them again as they are read."""
        self.beginResetModel()
        self._made = {}
        self.endResetModel()

    def row(self, i: int) -> tuple:
        made = self._made.get(i)
        if made is None:
            item = self._items[i]
            made = self._made[i] = item if len(item) == ROW_SIZE else self._make(*item)
        return made

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index, role=DISPLAY):
        if role not in ROLES:
            return None
        row = self.row(index.row())
        column = index.column()
        if role == DISPLAY:
            return row[column]
        if role == DECORATION:
            return self.icons.get(row[3], self.icons.get("error")) if column == 0 else None
        if role == TOOLTIP:
            return row[2] if column == 2 else None
        if role == NODE_ROLE:
            return row[4]
        if role == PATH_ROLE:
            return list(row[5])
        return None

    def headerData(self, section, orientation, role=DISPLAY):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == DISPLAY:
            return HEADERS[section]
        return None


def summary_text(errors: int, warnings: int) -> str:
    """"2 errors, 1 warning" / "No problems": the one wording for the tab, the status bar and the panel."""
    if not errors and not warnings:
        return "No problems"
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return ", ".join(parts)


class ProblemsPanel(QTableView):
    # (node_id, path into attributes) when the user activates a row
    problem_activated = Signal(str, tuple)
    # the summary changed: (state, text) with state "validating" | "ok" | "problems" | "failed"
    summary_changed = Signal(str, str)

    def __init__(self, document, validation, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("problemsPanel")
        self.setAccessibleName("Problems")
        self.document = document
        self.validation = validation
        self._model = ProblemsModel(self)
        self.setModel(self._model)
        # A table, not a tree: a tree view lays out every row at each reset, asking the (Python) model
        # for each row's children: two calls into Python per problem.
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setAlternatingRowColors(True)
        self.setSortingEnabled(False)
        self.setTabKeyNavigation(False)
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # uniform rows: none is measured
        rows.setDefaultSectionSize(self.fontMetrics().height() + 6)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setStretchLastSection(True)
        self.setColumnWidth(0, 160)
        self.setColumnWidth(1, 180)
        self.activated.connect(self._activated)
        self._graph = None
        self._watch(document.project)
        document.project_replaced.connect(self._on_project_replaced)
        self._counts = (0, 0)
        self._said: tuple | None = None  # the last (state, summary, rows) announced
        self._failure = ""
        if validation is not None:
            validation.problems_changed.connect(self.set_problems)
            if hasattr(validation, "started"):
                validation.started.connect(self._on_validation_started)
                validation.finished.connect(self._on_validation_finished)
            self.set_problems(validation.problems())

    # ------------------------------------------------------------ state
    def _on_validation_started(self) -> None:
        self._announce()

    def _on_validation_finished(self, _generation: int) -> None:
        failure = getattr(self.validation, "last_error", None) or ""
        if failure != self._failure:
            self._failure = failure
            self.set_problems(self.validation.problems())
        else:
            self._announce()

    def state(self) -> str:
        if self._failure:
            return "failed"
        # Asked of the runner at each announcement: a project just opened is "validating" from its first
        # frame (its pass is held until the window has painted it), and a pass's problems arrive with the
        # runner already idle, so the summary goes from "Validating…" to the count in one step.
        if self.validation is not None and not self.validation.is_idle():
            return "validating"
        return "problems" if any(self._counts) else "ok"

    def summary(self) -> str:
        """What the tab, the status bar and the empty list say."""
        state = self.state()
        if state == "failed":
            return "Validation failed"
        text = summary_text(*self._counts)
        if state == "validating":
            return "Validating…" if not any(self._counts) else f"{text} (validating…)"
        return text

    def _announce(self) -> None:
        state, text = self.state(), self.summary()
        rows = self._model.rowCount()
        said = (state, text, rows)
        if said != self._said:  # the status bar and the dock's title relayout the window when they change
            self._said = said
            if not rows:  # the empty list shows the summary (rows repaint with their model's reset)
                self.viewport().update()
            self.summary_changed.emit(state, text)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().paintEvent(event)
        if self._model.rowCount():
            return
        painter = QPainter(self.viewport())
        painter.setPen(self.palette().placeholderText().color())
        painter.drawText(self.viewport().rect().adjusted(8, 8, -8, -8),
                         Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap,
                         self.summary())
        painter.end()

    def _watch(self, project) -> None:
        if self._graph is not None:
            self._graph.node_changed.disconnect(self._on_node_changed)
        self._graph = project.graph
        self._graph.node_changed.connect(self._on_node_changed)

    def _on_project_replaced(self, project) -> None:
        self._watch(project)
        self.set_problems(self.validation.problems() if self.validation is not None else {})

    def _on_node_changed(self, _node_id: str, name: str) -> None:
        if name == "label":
            self._model.remake()

    def _severity_icons(self) -> dict:
        from PySide6.QtWidgets import QStyle  # here: importing it makes its Python types (~10 ms of a start)

        style = self.style()
        return {"error": style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical),
                "warning": style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning),
                "info": style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)}

    def set_problems(self, problems: dict) -> None:
        """Rows in graph order, errors before warnings within a node; project-level problems last."""
        if (problems or self._failure) and not self._model.icons:  # a start has none: no QStyle types
            self._model.icons = self._severity_icons()
        graph = self.document.graph
        items: list[tuple] = []
        errors = 0
        if problems:
            in_graph = [n.id for n in graph.iter_nodes() if n.id in problems]
            placed = set(in_graph)
            for node_id in in_graph + [n for n in problems if n not in placed]:  # the project's ones last
                found = problems[node_id]
                if len(found) == 1:
                    problem = found[0]
                    items.append((node_id, problem))
                    errors += getattr(problem, "severity", "") == "error"
                    continue
                severities = [getattr(p, "severity", "") == "error" for p in found]
                errors += sum(severities)
                # errors first, each group in the order found
                items += [(node_id, p) for p, error in zip(found, severities) if error]
                items += [(node_id, p) for p, error in zip(found, severities) if not error]
        if self._failure:  # validation itself failed: say so where the user looks for problems
            items.insert(0, ("(validation)", "", f"Validation could not run: {self._failure}", "error", "", ()))
        fields: dict[tuple, str] = {}  # path -> its text (thousands of problems share a few paths)

        def make(node_id: str, problem: Any) -> tuple:
            label = "(project)" if not node_id else graph.node(node_id).label if graph.has_node(node_id) else node_id
            path = tuple(getattr(problem, "path", ()) or ())
            field = fields.get(path)
            if field is None:
                field = fields[path] = format_path(path)
            message = getattr(problem, "message", None)
            return (label, field, str(problem) if message is None else message,
                    getattr(problem, "severity", "error"), node_id or "", path)

        self._model.set_items(items, make)
        self._counts = (errors, sum(len(v) for v in problems.values()) - errors)
        self.setToolTip(summary_text(*self._counts))
        self._announce()

    def problem_count(self) -> int:
        """Rows shown (the problems, and a row saying validation failed when it did)."""
        return self._model.rowCount()

    def row_texts(self, i: int) -> tuple[str, str, str]:
        """Row ``i`` as shown: (node, field, problem)."""
        return self._model.row(i)[:3]

    def _activated(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        row = self._model.row(index.row())
        node_id, path = row[4], tuple(row[5])
        if node_id and self.document.graph.has_node(node_id):
            self.document.set_selection([node_id])
        self.problem_activated.emit(node_id, path)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._activated(self.currentIndex())
            return
        super().keyPressEvent(event)
