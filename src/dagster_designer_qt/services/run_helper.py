"""Materialize an exported Dagster project and stream what happens as JSON lines.

A standalone script: it imports only the standard library and ``dagster`` (never ``dagster_designer_qt``),
so it runs in any interpreter that has the project's dependencies::

    python run_helper.py PROJECT_ROOT [--folder SLUG ...] [--upstream]

PROJECT_ROOT is an exported project (``src/<pkg>/defs/<folder>/defs.yaml``). With ``--folder`` only the
assets of those component folders run (plus everything upstream of them with ``--upstream``); without it,
every materializable asset. The instance is ``DagsterInstance.get()``: the caller sets ``DAGSTER_HOME``.

Every line on stdout is one JSON object with an ``event`` field:

- ``plan``: ``assets`` (key, folder, step, deps) and ``selected`` (the keys that will run), ``run_id``;
- ``step_start`` / ``step_success`` / ``step_failure`` (``error``: message and stack) / ``step_skipped``;
- ``materialization``: ``key``, ``step``, ``metadata`` (label -> text);
- ``log``: ``level``, ``message`` (Dagster's and the script's logs), ``step``;
- ``output``: a line a script (or anything in this process) wrote to stdout/stderr, with the ``step``
  running at the time;
- ``result``: ``assets`` (key, folder, status materialized|failed|skipped, reason), ``success``;
- ``error``: the project could not be loaded or run at all (``message``, ``traceback``).

File descriptors 1 and 2 are redirected into a pipe that this script reads, so nothing a script prints can
break the JSON stream, and every printed line is attributed to the step that printed it.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import traceback
from pathlib import Path

_lock = threading.Lock()
_events_fd = 1
_current_step: list[str | None] = [None]
_output_of: dict[str | None, list[str]] = {}  # step -> the lines it printed (for its traceback)


def emit(event: str, **data) -> None:
    data["event"] = event
    line = (json.dumps(data, default=str) + "\n").encode("utf-8", "replace")
    with _lock:
        view = memoryview(line)
        while view:
            written = os.write(_events_fd, view)
            view = view[written:]


def _capture_output() -> threading.Thread:
    """Point fds 1 and 2 at a pipe; a thread turns each line into an ``output`` event."""
    global _events_fd
    sys.stdout.flush()
    sys.stderr.flush()
    _events_fd = os.dup(1)
    read_fd, write_fd = os.pipe()
    os.dup2(write_fd, 1)
    os.dup2(write_fd, 2)
    os.close(write_fd)

    def pump() -> None:
        with os.fdopen(read_fd, "rb") as stream:
            for raw in stream:
                text = raw.decode("utf-8", "replace").rstrip("\r\n")
                step = _current_step[0]
                _output_of.setdefault(step, []).append(text)
                emit("output", step=step, text=text)

    thread = threading.Thread(target=pump, name="output-pump", daemon=True)
    thread.start()
    return thread


def _release_output(thread: threading.Thread) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)
    thread.join(5)


def _read_dotenv(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    if not path.is_file():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        key = key.strip().removeprefix("export ").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        out[key] = value
    return out


def _metadata_text(metadata) -> dict[str, str]:
    out = {}
    for label, value in (metadata or {}).items():
        raw = getattr(value, "value", value)
        if hasattr(raw, "to_user_string"):
            raw = raw.to_user_string()
        text = raw if isinstance(raw, str) else json.dumps(raw, default=str)
        out[str(label)] = text[:2000]
    return out


def _error_text(error) -> str:
    """Message and stack of a SerializableErrorInfo, its causes included."""
    if error is None:
        return ""
    try:
        return error.to_string()
    except Exception:  # older dagster
        return str(error)


def _error_summary(error) -> str:
    """The innermost cause in one line: what went wrong, without Dagster's wrapping."""
    inner = error
    while getattr(inner, "cause", None) is not None:
        inner = inner.cause
    lines = [line.strip() for line in (getattr(inner, "message", "") or str(inner)).splitlines() if line.strip()]
    return lines[0] if lines else "the step failed"


def _script_traceback(step: str | None) -> str:
    """The last Python traceback the step's processes printed (a pipes script that raised), or ''."""
    lines = _output_of.get(step, [])
    starts = [i for i, line in enumerate(lines) if line.startswith("Traceback (most recent call last):")]
    if not starts:
        return ""
    block = [lines[starts[-1]]]
    for line in lines[starts[-1] + 1:]:
        block.append(line)
        if line and not line.startswith((" ", "\t")) and not line.startswith("Traceback"):
            break  # the exception line ends the traceback
    return "\n".join(block)


def _on_event(entry, steps_failed: dict, materialized: dict) -> None:
    de = entry.dagster_event
    step = entry.step_key
    if de is None:
        if entry.user_message:
            level = entry.level if isinstance(entry.level, str) else logging.getLevelName(entry.level)
            emit("log", step=step, level=level, message=entry.user_message)
        return
    kind = de.event_type_value
    if kind == "STEP_START":
        _current_step[0] = step
        emit("step_start", step=step)
    elif kind == "STEP_SUCCESS":
        emit("step_success", step=step, seconds=getattr(de.event_specific_data, "duration_ms", 0) / 1000.0)
        _current_step[0] = None
    elif kind == "STEP_FAILURE":
        error = getattr(de.event_specific_data, "error", None)
        steps_failed[step] = error
        emit("step_failure", step=step, error=_error_summary(error), detail=_error_text(error))
        _current_step[0] = None
    elif kind == "STEP_SKIPPED":
        emit("step_skipped", step=step)
    elif kind == "ASSET_MATERIALIZATION":
        mat = de.event_specific_data.materialization
        key = mat.asset_key.to_user_string()
        materialized[key] = True
        emit("materialization", step=step, key=key, metadata=_metadata_text(mat.metadata))
    elif kind == "RUN_FAILURE" and entry.user_message:
        emit("log", step=step, level="ERROR", message=entry.user_message)


def run(root: Path, folders: list[str], upstream: bool, pump: threading.Thread) -> bool:
    import warnings

    warnings.filterwarnings("ignore")
    for key, value in _read_dotenv(root / ".env").items():
        os.environ.setdefault(key, value)
    bin_dir = os.path.dirname(sys.executable)  # PythonScriptComponent runs `python` from PATH
    os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    os.environ.setdefault("DAGSTER_IS_DEV_CLI", "1")  # dbt components prepare their manifest as under dg
    sys.path.insert(0, str(root / "src"))

    import dagster as dg
    from dagster._core.utils import make_new_run_id
    from dagster.components.core.component_tree import ComponentTree

    tree = ComponentTree.for_project(root)
    defs = tree.build_defs()
    graph = defs.resolve_asset_graph()
    defs_root = Path(tree.defs_module_path).resolve()
    folder_of: dict = {}
    for sub in sorted(p for p in defs_root.iterdir() if p.is_dir() and (p / "defs.yaml").is_file()):
        for key in tree.build_defs(sub).resolve_asset_graph().executable_asset_keys:
            folder_of.setdefault(key, sub.name)

    runnable = set(graph.materializable_asset_keys)
    if folders:
        wanted = {k for k, f in folder_of.items() if f in folders and k in runnable}
        if upstream:
            wanted = set(dg.AssetSelection.assets(*wanted).upstream().resolve(graph)) & runnable
    else:
        wanted = set(runnable)
    step_of = {}
    for key in runnable:
        node = graph.get(key)
        step_of[key] = node.assets_def.node_def.name
    run_id = make_new_run_id()
    emit("plan", run_id=run_id, selected=sorted(k.to_user_string() for k in wanted), assets=[
        {"key": k.to_user_string(), "folder": folder_of.get(k), "step": step_of.get(k),
         "deps": sorted(d.to_user_string() for d in graph.get(k).parent_keys)}
        for k in sorted(runnable, key=lambda k: k.to_user_string())])
    if not wanted:
        emit("result", run_id=run_id, success=False, assets=[])
        return False

    instance = dg.DagsterInstance.get()
    steps_failed: dict[str, str] = {}
    materialized: dict[str, bool] = {}
    instance.add_event_listener(run_id, lambda entry: _on_event(entry, steps_failed, materialized))
    job = defs.resolve_implicit_global_asset_job_def()
    quiet = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
    job.execute_in_process(instance=instance, asset_selection=sorted(wanted, key=lambda k: k.to_user_string()),
                           run_id=run_id, raise_on_error=False, run_config=quiet,
                           tags={"dagster/from_ui": "dagster-designer"})
    _release_output(pump)  # every line the scripts printed is read before the results are made
    results = []
    failed_keys = set()
    for key in sorted(wanted, key=lambda k: k.to_user_string()):
        name = key.to_user_string()
        step = step_of.get(key)
        reason = trace = ""
        if materialized.get(name):
            status = "materialized"
        elif step in steps_failed:
            status = "failed"
            script_trace = _script_traceback(step)
            # A script that raised: its own exception line says more than Dagster's wrapper.
            reason = script_trace.splitlines()[-1].strip() if script_trace else _error_summary(steps_failed[step])
            trace = script_trace or _error_text(steps_failed[step])
            failed_keys.add(key)
        else:
            status = "skipped"
        results.append({"key": name, "folder": folder_of.get(key), "step": step, "status": status,
                        "reason": reason, "traceback": trace})
    for item in results:  # name the upstream failure that kept an asset from running
        if item["status"] == "skipped":
            ups = set(dg.AssetSelection.assets(item["key"].split("/")).upstream().resolve(graph)) & failed_keys
            ups = [k.to_user_string() for k in sorted(ups, key=lambda k: k.to_user_string())]
            item["reason"] = f"upstream failed: {', '.join(ups)}" if ups else "not run"
    success = all(item["status"] == "materialized" for item in results)
    emit("result", run_id=run_id, success=success, assets=results)
    return success


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="run_helper")
    parser.add_argument("root")
    parser.add_argument("--folder", action="append", default=[])
    parser.add_argument("--upstream", action="store_true")
    args = parser.parse_args(argv)
    pump = _capture_output()
    try:
        ok = run(Path(args.root).resolve(), args.folder, args.upstream, pump)
    except Exception as exc:  # the project did not load, or Dagster refused the run
        _release_output(pump)
        emit("error", message=f"{type(exc).__name__}: {exc}".strip()[:4000], traceback=traceback.format_exc())
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    # Run as a file, this script's folder is sys.path[0]: drop it so its sibling modules can't shadow others.
    if sys.path and os.path.abspath(sys.path[0] or ".") == os.path.dirname(os.path.abspath(__file__)):
        sys.path.pop(0)
    raise SystemExit(main(sys.argv[1:]))
