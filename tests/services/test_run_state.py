"""RunTracker: node states from the run helper's events (no Dagster needed)."""

from dagster_designer_qt.services.run_state import RunRecord, RunTracker


def _plan():
    return {"event": "plan", "node_id": None, "selected": ["a", "b1", "b2", "c"], "assets": [
        {"key": "a", "node_id": "A"}, {"key": "b1", "node_id": "B"}, {"key": "b2", "node_id": "B"},
        {"key": "c", "node_id": "C"}, {"key": "unselected", "node_id": "D"}]}


def test_plan_queues_the_nodes_of_selected_assets_with_their_counts():
    tracker = RunTracker(RunRecord(1, "all"))
    assert tracker.feed(_plan()) == {"A", "B", "C"}
    nodes = tracker.record.nodes
    assert (nodes["A"].state, nodes["B"].total) == ("queued", 2)
    assert "D" not in nodes


def test_result_sets_succeeded_partial_failed_and_skipped_with_the_reason():
    tracker = RunTracker(RunRecord(1, "all"))
    tracker.feed(_plan())
    tracker.feed({"event": "step_start", "node_id": "A", "step": "a"})
    assert tracker.record.nodes["A"].state == "running"
    tracker.feed({"event": "result", "node_id": None, "success": False, "assets": [
        {"key": "a", "node_id": "A", "status": "materialized"},
        {"key": "b1", "node_id": "B", "status": "materialized"},
        {"key": "b2", "node_id": "B", "status": "failed", "reason": "ValueError: x", "traceback": "Traceback…"},
        {"key": "c", "node_id": "C", "status": "skipped", "reason": "upstream failed: b2"}]})
    nodes, record = tracker.record.nodes, tracker.record
    assert nodes["A"].state == "succeeded" and nodes["A"].summary() == "1/1 materialized"
    assert (nodes["B"].state, nodes["B"].materialized, nodes["B"].failed) == ("partial", 1, 1)
    assert nodes["B"].error == "ValueError: x" and nodes["B"].traceback == "Traceback…"
    assert (nodes["C"].state, nodes["C"].error) == ("skipped", "upstream failed: b2")
    assert record.outcome == "partly failed"


def test_cancel_marks_unfinished_nodes_cancelled_and_keeps_finished_ones():
    tracker = RunTracker(RunRecord(1, "all"))
    tracker.feed(_plan())
    tracker.feed({"event": "step_start", "node_id": "A", "step": "a"})
    tracker.feed({"event": "materialization", "node_id": "A", "key": "a"})
    tracker.feed({"event": "step_success", "node_id": "A", "step": "a"})
    tracker.feed({"event": "step_start", "node_id": "B", "step": "b"})
    tracker.feed({"event": "cancelled", "node_id": None})
    nodes = tracker.record.nodes
    assert [nodes[n].state for n in "ABC"] == ["succeeded", "cancelled", "cancelled"]
    assert tracker.record.outcome == "cancelled"


def test_a_load_error_fails_the_run_with_its_message():
    tracker = RunTracker(RunRecord(1, "all"))
    tracker.feed({"event": "error", "node_id": None, "message": "cannot run:\nX: environment variable Y is not set"})
    tracker.close()
    assert tracker.record.outcome == "error" and "Y is not set" in tracker.record.error
