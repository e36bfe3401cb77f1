"""Run panel (objectName ``runPanel``): the run's events as they happen (steps, materializations with their
metadata, logs, script output, the per-asset result), filterable by node; the last few runs with their
duration and outcome; the text of the selected event (a traceback, all metadata) below. It only shows
what the RunController announces; activating a row with a node emits ``node_activated``."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QSplitter,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

NODE_ROLE = Qt.ItemDataRole.UserRole
DETAIL_ROLE = Qt.ItemDataRole.UserRole + 1
KIND_ROLE = Qt.ItemDataRole.UserRole + 2
COLUMNS = ["Time", "Node", "Event", "Detail"]
OUTCOME_GLYPH = {"succeeded": "✓", "failed": "✗", "partly failed": "◐", "cancelled": "■", "error": "✗",
                 "running": "▶"}
RED, GREEN, ORANGE = QColor("#D93025"), QColor("#1E8E3E"), QColor("#E37400")


def describe(event: dict) -> tuple[str, str, str]:
    """(event column, detail column, full text for the detail pane) of one event."""
    kind = event.get("event")
    if kind == "plan":
        n = len(event.get("selected", []))
        return "Plan", f"{n} asset{'s' if n != 1 else ''} to materialize", "\n".join(event.get("selected", []))
    if kind == "step_start":
        return "Step started", event.get("step") or "", ""
    if kind == "step_success":
        return "Step succeeded", f"{event.get('step')} in {event.get('seconds', 0):.1f} s", ""
    if kind == "step_failure":
        return "Step failed", event.get("error", ""), event.get("detail", "") or event.get("error", "")
    if kind == "step_skipped":
        return "Step skipped", event.get("step") or "", ""
    if kind == "materialization":
        meta = event.get("metadata", {})
        short = "  ".join(f"{k}={v}" for k, v in meta.items() if "\n" not in v and len(v) < 40)
        full = "\n".join(f"{k}: {v}" for k, v in meta.items())
        return "Materialized", f"{event.get('key')}  {short}".strip(), f"{event.get('key')}\n\n{full}"
    if kind == "log":
        return f"Log {event.get('level', '').lower()}".strip(), event.get("message", ""), event.get("message", "")
    if kind == "output":
        return "Output", event.get("text", ""), event.get("text", "")
    if kind == "result":
        assets = event.get("assets", [])
        counts = {s: sum(1 for a in assets if a["status"] == s) for s in ("materialized", "failed", "skipped")}
        return "Result", ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "nothing ran", ""
    if kind == "error":
        return "Error", event.get("message", ""), (event.get("message", "") + "\n\n" + event.get("traceback", "")).strip()
    if kind == "cancelled":
        return "Cancelled", "the run was cancelled", ""
    return str(kind), "", ""


class RunPanel(QWidget):
    node_activated = Signal(str)

    def __init__(self, controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("runPanel")
        self.setAccessibleName("Run")
        self.controller = controller
        self._shown = None  # the RunRecord whose events are listed
        self._labels: dict[str, str] = {}

        self.run_button = self._tool("runAllButton")
        self.run_selected_button = self._tool("runSelectedButton")
        self.cancel_button = self._tool("runCancelButton")
        self.upstream = QCheckBox("With upstream", self)
        self.upstream.setObjectName("runUpstream")
        self.upstream.setToolTip("Run selected also runs everything the selected nodes depend on")
        self.node_filter = QComboBox(self)
        self.node_filter.setObjectName("runNodeFilter")
        self.node_filter.setAccessibleName("Show events of")
        self.node_filter.setMinimumContentsLength(14)
        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumSize(100, 12)
        self.busy.hide()
        self.dev_label = QLabel(self)
        self.dev_label.setObjectName("runDagsterUi")
        self.dev_label.setOpenExternalLinks(True)
        self.dev_button = self._tool("runDagsterUiButton")
        self.dev_stop_button = self._tool("runDagsterUiStopButton")
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        for w in (self.run_button, self.run_selected_button, self.upstream, self.cancel_button, self.busy):
            bar.addWidget(w)
        bar.addSpacing(12)
        bar.addWidget(QLabel("Node:", self))
        bar.addWidget(self.node_filter)
        bar.addStretch(1)
        for w in (self.dev_label, self.dev_button, self.dev_stop_button):
            bar.addWidget(w)

        self.runs = QListWidget(self)
        self.runs.setObjectName("runHistory")
        self.runs.setAccessibleName("Last runs")
        self.events = QTreeWidget(self)
        self.events.setObjectName("runEvents")
        self.events.setAccessibleName("Run events")
        self.events.setHeaderLabels(COLUMNS)
        self.events.setRootIsDecorated(True)
        self.events.setUniformRowHeights(True)
        self.events.setAlternatingRowColors(True)
        header = self.events.header()
        header.setStretchLastSection(True)
        for col in range(3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.detail = QPlainTextEdit(self)
        self.detail.setObjectName("runDetail")
        self.detail.setAccessibleName("Event detail")
        self.detail.setReadOnly(True)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.detail.setFont(mono)
        right = QSplitter(Qt.Orientation.Vertical, self)
        right.addWidget(self.events)
        right.addWidget(self.detail)
        right.setSizes([200, 90])
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.runs)
        split.addWidget(right)
        split.setSizes([190, 700])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(split, 1)

        self.node_filter.currentIndexChanged.connect(lambda _i: self._apply_filter())
        self.events.currentItemChanged.connect(self._on_current)
        self.events.itemActivated.connect(self._on_activated)
        self.runs.currentRowChanged.connect(self._on_run_chosen)
        controller.run_started.connect(self._on_run_started)
        controller.event.connect(self._on_event)
        controller.run_finished.connect(self._on_run_finished)
        controller.running_changed.connect(self._on_running)
        controller.dev_changed.connect(self._on_dev)
        self._on_dev(False, "")
        self._refresh_nodes()

    def _tool(self, name: str) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName(name)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setAutoRaise(True)
        return button

    def set_actions(self, run, run_selected, cancel, open_ui, stop_ui) -> None:
        for button, action in ((self.run_button, run), (self.run_selected_button, run_selected),
                               (self.cancel_button, cancel), (self.dev_button, open_ui),
                               (self.dev_stop_button, stop_ui)):
            button.setDefaultAction(action)

    # ---------------------------------------------------------------- filter
    def _refresh_nodes(self) -> None:
        graph = self.controller.document.graph
        self._labels = {n.id: n.label or n.id for n in graph.iter_nodes()}
        current = self.node_filter.currentData()
        self.node_filter.blockSignals(True)
        self.node_filter.clear()
        self.node_filter.addItem("All nodes", None)
        for node_id, label in sorted(self._labels.items(), key=lambda kv: kv[1].lower()):
            self.node_filter.addItem(label, node_id)
        index = self.node_filter.findData(current)
        self.node_filter.setCurrentIndex(max(0, index))
        self.node_filter.blockSignals(False)

    def set_node_filter(self, node_id: str | None) -> None:
        self._refresh_nodes()
        self.node_filter.setCurrentIndex(max(0, self.node_filter.findData(node_id)))

    def _visible(self, item: QTreeWidgetItem) -> bool:
        wanted = self.node_filter.currentData()
        return wanted is None or item.data(0, NODE_ROLE) == wanted or item.childCount() > 0 and any(
            self._visible(item.child(i)) for i in range(item.childCount()))

    def _apply_filter(self) -> None:
        for i in range(self.events.topLevelItemCount()):
            item = self.events.topLevelItem(i)
            for j in range(item.childCount()):
                item.child(j).setHidden(not self._visible(item.child(j)))
            item.setHidden(not self._visible(item))

    def visible_rows(self) -> list[tuple[str, str, str]]:
        """(node, event, detail) of the rows shown, top level and children (tests, accessibility)."""
        rows = []
        for i in range(self.events.topLevelItemCount()):
            item = self.events.topLevelItem(i)
            if not item.isHidden():
                rows.append((item.text(1), item.text(2), item.text(3)))
                rows += [(c.text(1), c.text(2), c.text(3)) for c in
                         (item.child(j) for j in range(item.childCount())) if not c.isHidden()]
        return rows

    # ---------------------------------------------------------------- events
    def _row(self, event: dict, when: float | None = None) -> QTreeWidgetItem:
        kind_text, short, full = describe(event)
        node_id = event.get("node_id")
        stamp = time.strftime("%H:%M:%S", time.localtime(when or time.time()))
        item = QTreeWidgetItem([stamp, self._labels.get(node_id, "") if node_id else "", kind_text,
                                short.splitlines()[0] if short else ""])
        item.setData(0, NODE_ROLE, node_id)
        item.setData(0, DETAIL_ROLE, full or short)
        item.setData(0, KIND_ROLE, event.get("event"))
        kind = event.get("event")
        if kind in ("step_failure", "error") or (kind == "log" and event.get("level") in ("ERROR", "CRITICAL")):
            item.setForeground(2, QBrush(RED))
        elif kind == "materialization":
            item.setForeground(2, QBrush(GREEN))
        if kind == "result":
            for asset in event.get("assets", []):
                child = QTreeWidgetItem(["", self._labels.get(asset.get("node_id") or "", ""),
                                         f"Asset {asset['status']}",
                                         f"{asset['key']}  {asset.get('reason', '')}".strip()])
                child.setData(0, NODE_ROLE, asset.get("node_id"))
                child.setData(0, DETAIL_ROLE, asset.get("traceback") or asset.get("reason") or asset["key"])
                child.setData(0, KIND_ROLE, f"asset_{asset['status']}")
                color = {"materialized": GREEN, "failed": RED}.get(asset["status"], ORANGE)
                child.setForeground(2, QBrush(color))
                item.addChild(child)
            item.setExpanded(True)
        return item

    def _on_run_started(self, record) -> None:
        self._refresh_nodes()
        self._add_history(record)
        self.runs.blockSignals(True)
        self.runs.setCurrentRow(0)
        self.runs.blockSignals(False)
        self._show(record)

    def _on_event(self, event: dict) -> None:
        if self._shown is not self.controller.current:
            return
        bar = self.events.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 2
        item = self._row(event)
        self.events.addTopLevelItem(item)
        for j in range(item.childCount()):
            item.child(j).setHidden(not self._visible(item.child(j)))
        item.setHidden(not self._visible(item))
        if at_end:
            self.events.scrollToBottom()

    def _on_run_finished(self, record) -> None:
        self._update_history_row(record)
        if self._shown is record:
            failed = self._first_failure(self.node_filter.currentData())
            if failed is not None:
                self.events.setCurrentItem(failed)

    def _on_running(self, running: bool) -> None:
        self.busy.setVisible(running)

    # ---------------------------------------------------------------- history
    def _history_text(self, record) -> str:
        glyph = OUTCOME_GLYPH.get(record.outcome, "")
        when = time.strftime("%H:%M", time.localtime(record.started))
        took = "" if record.outcome == "running" else f" · {record.seconds:.1f} s"
        return f"{glyph} Run {record.number} · {when} · {record.outcome}{took}\n   {record.selection}"

    def _add_history(self, record) -> None:
        item = QListWidgetItem(self._history_text(record))
        item.setData(NODE_ROLE, record.number)
        self.runs.insertItem(0, item)
        while self.runs.count() > self.controller.history.maxlen:
            self.runs.takeItem(self.runs.count() - 1)

    def _update_history_row(self, record) -> None:
        for i in range(self.runs.count()):
            item = self.runs.item(i)
            if item.data(NODE_ROLE) == record.number:
                item.setText(self._history_text(record))
                color = {"succeeded": GREEN, "cancelled": None}.get(record.outcome, RED)
                if color is not None:
                    item.setForeground(QBrush(color))

    def history_texts(self) -> list[str]:
        return [self.runs.item(i).text() for i in range(self.runs.count())]

    def _on_run_chosen(self, row: int) -> None:
        if row < 0:
            return
        number = self.runs.item(row).data(NODE_ROLE)
        records = list(self.controller.history) + ([self.controller.current] if self.controller.current else [])
        for record in records:
            if record.number == number:
                self._show(record)
                return

    def _show(self, record) -> None:
        self._shown = record
        self.events.clear()
        self.detail.clear()
        self.events.addTopLevelItems([self._row(e) for e in record.events])
        self._apply_filter()

    # ---------------------------------------------------------------- detail
    def _on_current(self, current, _previous) -> None:
        self.detail.setPlainText(current.data(0, DETAIL_ROLE) or "" if current is not None else "")

    def _on_activated(self, item, _column) -> None:
        node_id = item.data(0, NODE_ROLE)
        if node_id:
            self.node_activated.emit(node_id)

    def _first_failure(self, node_id: str | None):
        """The failed asset row of the node (or of any node), else its step failure row."""
        fallback = None
        for i in range(self.events.topLevelItemCount()):
            item = self.events.topLevelItem(i)
            for j in range(item.childCount()):
                child = item.child(j)
                if child.data(0, KIND_ROLE) == "asset_failed" and node_id in (None, child.data(0, NODE_ROLE)):
                    return child
            if item.data(0, KIND_ROLE) in ("step_failure", "error") and node_id in (None, item.data(0, NODE_ROLE)):
                fallback = fallback or item
        return fallback

    def show_node_result(self, node_id: str) -> None:
        """The node's events of the last run, its error selected with the traceback shown."""
        record = self.controller.last()
        if record is not None and self._shown is not record:
            self._show(record)
        self.set_node_filter(node_id)
        failed = self._first_failure(node_id)
        if failed is not None:
            self.events.setCurrentItem(failed)
            self.events.scrollToItem(failed)

    # ---------------------------------------------------------------- dagster dev
    def _on_dev(self, running: bool, text: str) -> None:
        if running:
            self.dev_label.setText(f'Dagster UI: <a href="{text}">{text}</a>')
        elif text == "starting":
            self.dev_label.setText("Dagster UI: starting…")
        else:
            self.dev_label.setText("")
        self.dev_stop_button.setVisible(running)
