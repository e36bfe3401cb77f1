"""Dagster panel: what Dagster itself loaded from the export (Check with Dagster). A summary line (counts
and time, or Dagster's one-line error in red), the assets (key, producing node or "external", group, kinds,
dependencies) and the loader's warnings. Activating an asset (double-click or Enter) emits
``asset_activated(node_id)``; the main window selects and centres that node. When the project changes
after a check the results stay visible, greyed, until the next check."""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QBrush, QFont, QKeySequence, QPalette, QTextDocumentFragment
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QSplitter,
    QStyle,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

NODE_ROLE = Qt.ItemDataRole.UserRole
COLUMNS = ["Asset", "Produced by", "Group", "Kinds", "Depends on"]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_text(report, seconds: float) -> str:
    external = sum(1 for a in report.assets if a.node_id is None and not a.executable)
    deps = sum(len(a.deps) for a in report.assets)
    text = _plural(len(report.assets), "asset")
    if external:
        text += f" ({external} external)"
    text += f", {_plural(deps, 'dependency').replace('dependencys', 'dependencies')}, loaded in {seconds:.1f} s"
    if report.warnings:
        text += f" · {_plural(len(report.warnings), 'warning')}"
    return text


class DagsterPanel(QWidget):
    asset_activated = Signal(str)  # node_id of the node that produced the activated asset

    def __init__(self, check, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("dagsterPanel")
        self.setAccessibleName("Dagster")
        self.check = check
        self._state = "empty"  # empty | running | report | error
        self._stale = False
        self._summary = ""

        self.summary = QLabel(self)
        self.summary.setObjectName("dagsterSummary")
        self.summary.setAccessibleName("Dagster check result")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.busy = QProgressBar(self)
        self.busy.setObjectName("dagsterBusy")
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumWidth(120)
        self.busy.setMaximumHeight(12)
        self.busy.hide()
        self.run_button = QToolButton(self)
        self.run_button.setObjectName("dagsterRunButton")
        self.run_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.run_button.setAutoRaise(True)
        self.run_button.hide()  # until set_action gives it the window's action
        self.cancel_button = QToolButton(self)
        self.cancel_button.setObjectName("dagsterCancel")
        self.cancel_button.setText("Cancel")
        self.cancel_button.setToolTip("Stop the check with Dagster")
        self.cancel_button.setAccessibleName("Cancel the check")
        self.cancel_button.clicked.connect(check.cancel)
        self.cancel_button.hide()

        self.assets = QTreeWidget(self)
        self.assets.setObjectName("dagsterAssets")
        self.assets.setAccessibleName("Assets Dagster loaded")
        self.assets.setHeaderLabels(COLUMNS)
        self.assets.setRootIsDecorated(False)
        self.assets.setUniformRowHeights(True)
        self.assets.setAlternatingRowColors(True)
        self.assets.setSortingEnabled(True)
        self.assets.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        header = self.assets.header()
        header.setStretchLastSection(True)
        for column, width in enumerate((220, 170, 100, 110)):
            self.assets.setColumnWidth(column, width)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.assets.itemActivated.connect(self._activated)
        self.assets.installEventFilter(self)

        self.warnings = QTreeWidget(self)
        self.warnings.setObjectName("dagsterWarnings")
        self.warnings.setAccessibleName("Warnings from the Dagster check")
        self.warnings.setHeaderLabels(["Warning"])
        self.warnings.setHeaderHidden(True)
        self.warnings.setRootIsDecorated(False)
        self.warnings.setMinimumHeight(24)  # the splitter may give it just the rows it has
        self.warnings.hide()

        top = QHBoxLayout()
        top.setContentsMargins(6, 4, 4, 2)
        top.addWidget(self.summary, 1)
        top.addWidget(self.busy)
        top.addWidget(self.cancel_button)
        top.addWidget(self.run_button)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.assets)
        self.splitter.addWidget(self.warnings)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)

        check.started.connect(self.show_running)
        check.finished.connect(self.show_result)
        check.stale.connect(self.mark_stale)
        check.reset.connect(self.show_empty)
        check.elapsed.connect(self._show_elapsed)
        check.cancelled.connect(self.show_cancelled)
        self.show_empty()
        if check.is_running():  # built while a check runs (the window builds this panel when first needed)
            self.show_running()
            if check.seconds():
                self._show_elapsed(check.seconds())

    def set_action(self, action) -> None:
        """Put the window's Check with Dagster action on the panel (its icon, text and enabled state)."""
        self.run_button.setDefaultAction(action)
        self.run_button.show()
        self._update_hint()

    # ---------------------------------------------------------------- states
    def _keys(self) -> str:
        action = self.run_button.defaultAction()
        if action is None or action.shortcut().isEmpty():
            return ""
        return action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)

    def _update_hint(self) -> None:
        if self._state == "empty":
            self.show_empty()

    def show_empty(self) -> None:
        self._state, self._stale = "empty", False
        self.assets.clear()
        self.warnings.clear()
        self.warnings.hide()
        self.busy.hide()
        keys = f" ({self._keys()})" if self._keys() else ""
        self._set_summary(f"Not checked yet. Check with Dagster{keys} exports the project to a temporary folder "
                          "and loads it with Dagster, as dg would.")

    def show_running(self) -> None:
        self._state = "running"
        self.busy.show()
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        self._set_summary("Checking with Dagster…")

    def _show_elapsed(self, seconds: int) -> None:
        if self._state == "running":
            self._set_summary(f"Checking with Dagster… {seconds} s")

    def show_cancelled(self) -> None:
        self._state, self._stale = "cancelled", False
        self.busy.hide()
        self.cancel_button.hide()
        self.assets.clear()
        self.warnings.clear()
        self.warnings.hide()
        self._set_summary("Check cancelled.")

    def show_result(self, report, error, stale: bool, seconds: float) -> None:
        self.busy.hide()
        self.cancel_button.hide()
        self._stale = False
        self.assets.clear()
        self.warnings.clear()
        if error is not None:
            self._state = "error"
            self._set_summary(f"Dagster could not load the project after {seconds:.1f} s. {error}")
            self.summary.setToolTip(error)
            self.warnings.hide()
        else:
            self._state = "report"
            self._fill(report)
            self.summary.setToolTip("")
            self._set_summary(summary_text(report, seconds))
        if stale:
            self.mark_stale()

    def mark_stale(self) -> None:
        if self._state not in ("report", "error") or self._stale:
            return
        self._stale = True
        grey = QBrush(self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
        for tree in (self.assets, self.warnings):
            for i in range(tree.topLevelItemCount()):
                item = tree.topLevelItem(i)
                for column in range(tree.columnCount()):
                    item.setForeground(column, grey)
        self._render_summary()

    def is_stale(self) -> bool:
        return self._stale

    def state(self) -> str:
        return self._state

    # ---------------------------------------------------------------- content
    def _fill(self, report) -> None:
        italic = QFont(self.assets.font())
        italic.setItalic(True)
        self.assets.setSortingEnabled(False)
        items = []
        for asset in report.assets:
            external = asset.node_id is None and not asset.executable
            if asset.node_id:
                origin = asset.node_label or asset.node_id
            else:
                origin = "external" if external else "(no node)"
            item = QTreeWidgetItem([asset.key, origin, asset.group or "", ", ".join(asset.kinds),
                                    ", ".join(asset.deps)])
            item.setData(0, NODE_ROLE, asset.node_id or "")
            item.setToolTip(0, asset.key)
            item.setToolTip(4, "\n".join(asset.deps))
            if external:
                item.setFont(1, italic)
                item.setToolTip(1, "Only a dependency: no component in this project produces it")
            elif asset.node_id:
                item.setToolTip(1, f"Produced by {origin}: double-click to show it on the canvas")
            items.append(item)
        self.assets.addTopLevelItems(items)
        self.assets.setSortingEnabled(True)
        icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        for text in report.warnings:
            item = QTreeWidgetItem([text])
            item.setIcon(0, icon)
            item.setToolTip(0, text)
            self.warnings.addTopLevelItem(item)
        self.warnings.setVisible(bool(report.warnings))
        if report.warnings:  # the assets keep most of the room; the warnings a few rows (they scroll)
            rows = min(len(report.warnings), 3)
            wanted = rows * max(self.warnings.sizeHintForRow(0), 16) + 2 * self.warnings.frameWidth() + 2
            total = sum(self.splitter.sizes()) or self.splitter.height()
            wanted = min(wanted, max(total // 3, 40))
            self.splitter.setSizes([max(total - wanted, 1), wanted])

    def _set_summary(self, text: str) -> None:
        self._summary = text
        self._render_summary()

    def _render_summary(self) -> None:
        from dagster_designer_qt.ui.theme import message_color

        error_color = message_color("error", self.palette())
        if self._stale:  # the notice in the normal colour, the old result greyed
            again = f"; check again ({self._keys()})" if self._keys() else ""
            grey = self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text).name()
            self.summary.setTextFormat(Qt.TextFormat.RichText)
            self.summary.setText(f"<b>Project changed since the check</b>{html.escape(again)}. "
                                 f"<span style='color:{grey}'>Last result: {html.escape(self._summary)}</span>")
            self.summary.setStyleSheet("")
            return
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setText(self._summary)
        self.summary.setStyleSheet(f"color: {error_color};" if self._state == "error" else "")

    def summary_plain_text(self) -> str:
        """The summary line as the user reads it (without markup)."""
        if self.summary.textFormat() == Qt.TextFormat.RichText:
            return QTextDocumentFragment.fromHtml(self.summary.text()).toPlainText()
        return self.summary.text()

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._render_summary()

    # ---------------------------------------------------------------- activation
    def asset_rows(self) -> list[dict]:
        """The table as data (tests, scripts)."""
        rows = []
        for i in range(self.assets.topLevelItemCount()):
            item = self.assets.topLevelItem(i)
            rows.append({name: item.text(c) for c, name in enumerate(COLUMNS)} | {"node_id": item.data(0, NODE_ROLE)})
        return rows

    def warning_texts(self) -> list[str]:
        return [self.warnings.topLevelItem(i).text(0) for i in range(self.warnings.topLevelItemCount())]

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if (watched is self.assets and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.assets.currentItem() is not None):
            self._activated(self.assets.currentItem())
            return True
        return super().eventFilter(watched, event)

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        node_id = item.data(0, NODE_ROLE) or ""
        if node_id:
            self.asset_activated.emit(node_id)
