"""What a run did to each node, from the run helper's events (plain Python: the canvas badge, the run panel
and tests all read the same state).

A node's state: ``queued`` (its assets are selected, not started), ``running``, ``succeeded`` (every selected
asset materialized), ``failed`` (none did), ``partial`` (some did, some failed), ``skipped`` (an upstream
failure kept it from running) or ``cancelled``. Counts are of the node's selected assets.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

FINAL_STATES = ("succeeded", "failed", "partial", "skipped", "cancelled")


@dataclass
class NodeRunState:
    state: str = "queued"
    total: int = 0
    materialized: int = 0
    failed: int = 0
    error: str = ""  # one line: the reason
    traceback: str = ""  # the script's traceback (or Dagster's stack)

    def summary(self) -> str:
        if self.state == "running":
            return f"running ({self.materialized}/{self.total})"
        if self.state in ("succeeded", "partial"):
            return f"{self.materialized}/{self.total} materialized" + (f", {self.failed} failed" if self.failed else "")
        if self.state == "failed":
            return f"failed: {self.error}" if self.error else "failed"
        return self.state


@dataclass
class RunRecord:
    """One run: what was asked, every event, the node states and the outcome."""

    number: int
    selection: str  # "all" or the labels run
    started: float = field(default_factory=time.time)
    seconds: float = 0.0
    outcome: str = "running"  # running | succeeded | failed | partly failed | cancelled | error
    error: str = ""
    events: list[dict] = field(default_factory=list)
    nodes: dict[str, NodeRunState] = field(default_factory=dict)
    assets: list[dict] = field(default_factory=list)  # the result's per-asset outcomes

    def materializations(self) -> list[dict]:
        return [e for e in self.events if e.get("event") == "materialization"]


class RunTracker:
    """Feeds events into a RunRecord; ``feed`` returns the ids of nodes whose state changed."""

    def __init__(self, record: RunRecord):
        self.record = record
        self._keys_of: dict[str, set[str]] = {}  # node id -> selected keys
        self._start = time.monotonic()

    def _node(self, node_id: str) -> NodeRunState:
        return self.record.nodes.setdefault(node_id, NodeRunState())

    def feed(self, event: dict) -> set[str]:
        rec = self.record
        rec.events.append(event)
        kind = event.get("event")
        node_id = event.get("node_id")
        changed: set[str] = set()
        if kind == "plan":
            selected = set(event.get("selected", []))
            for asset in event.get("assets", []):
                if asset["key"] in selected and asset.get("node_id"):
                    self._keys_of.setdefault(asset["node_id"], set()).add(asset["key"])
            for nid, keys in self._keys_of.items():
                rec.nodes[nid] = NodeRunState(state="queued", total=len(keys))
                changed.add(nid)
        elif kind == "step_start" and node_id:
            self._node(node_id).state = "running"
            changed.add(node_id)
        elif kind == "materialization" and node_id:
            st = self._node(node_id)
            st.materialized = min(st.total or st.materialized + 1, st.materialized + 1)
            changed.add(node_id)
        elif kind == "step_success" and node_id:
            st = self._node(node_id)
            st.state = "succeeded" if st.materialized >= st.total else "partial"
            changed.add(node_id)
        elif kind == "step_failure" and node_id:
            st = self._node(node_id)
            st.state = "partial" if st.materialized else "failed"
            st.error = event.get("error", "")
            st.traceback = event.get("detail", "")
            changed.add(node_id)
        elif kind == "result":
            rec.assets = list(event.get("assets", []))
            changed |= self._apply_result(rec.assets)
        elif kind == "error":
            rec.error = event.get("message", "") or "the run failed"
            self._finish("error")
        elif kind == "cancelled":
            for nid, st in rec.nodes.items():
                if st.state in ("queued", "running"):
                    st.state = "cancelled"
                    changed.add(nid)
            self._finish("cancelled")
        return changed

    def _apply_result(self, assets: list[dict]) -> set[str]:
        by_node: dict[str, list[dict]] = {}
        for asset in assets:
            if asset.get("node_id"):
                by_node.setdefault(asset["node_id"], []).append(asset)
        for nid, items in by_node.items():
            st = self._node(nid)
            st.total = len(items)
            st.materialized = sum(1 for a in items if a["status"] == "materialized")
            st.failed = sum(1 for a in items if a["status"] == "failed")
            first_failed = next((a for a in items if a["status"] == "failed"), None)
            if first_failed is not None:
                st.error, st.traceback = first_failed.get("reason", ""), first_failed.get("traceback", "")
            if st.materialized == st.total:
                st.state = "succeeded"
            elif st.failed and st.materialized:
                st.state = "partial"
            elif st.failed:
                st.state = "failed"
            else:
                st.state = "skipped"
                st.error = next((a.get("reason", "") for a in items if a.get("reason")), "")
        if any(a["status"] != "materialized" for a in assets) or not assets:
            materialized = any(a["status"] == "materialized" for a in assets)
            self._finish("partly failed" if materialized else "failed")
        else:
            self._finish("succeeded")
        return set(by_node)

    def _finish(self, outcome: str) -> None:
        if self.record.outcome in ("running",) or outcome in ("error", "cancelled"):
            self.record.outcome = outcome
        self.record.seconds = time.monotonic() - self._start

    def close(self) -> None:
        """The helper exited: a run that never reported a result failed."""
        if self.record.outcome == "running":
            self.record.outcome = "error"
            self.record.error = self.record.error or "the run ended without a result"
        self.record.seconds = time.monotonic() - self._start
