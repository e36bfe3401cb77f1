"""`dagster-designer run PROJECT [--select LABEL ...] [--upstream] [--json] [--trust] [--python PATH]`:
materialize a project.

Exports to the project's run folder, materializes in a helper process against the designer's Dagster
instance for the project (``$DAGSTER_HOME`` when set), and prints one line per asset::

    materialized  raw/orders  (Load orders)  rows=62
    failed        staging/clean_orders  (Clean orders)  ValueError: no such column
    skipped       reports/revenue  (Revenue report)  upstream failed: staging/clean_orders

Exit code 0 only when every selected asset materialized; 1 otherwise (the failures are named).
"""

from __future__ import annotations

import argparse
import json
import sys

from dagster_designer_qt.core.errors import DesignerError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="materialize a project's assets (exports it to its run folder first)",
                       description="Export PROJECT to its run folder and materialize its assets with Dagster. "
                                   "Prints one line per asset: materialized, failed (with the reason) or "
                                   "skipped. Exits 0 only when every selected asset materialized.")
    p.add_argument("project", help="the project file (.ddp.json)")
    p.add_argument("--select", metavar="LABEL", action="append", default=[],
                   help="run only this node's assets (its label; repeat for more)")
    p.add_argument("--upstream", action="store_true", help="with --select: also run everything upstream")
    p.add_argument("--json", action="store_true", help="print the outcome as JSON")
    p.add_argument("--verbose", "-v", action="store_true", help="also print the run's logs and script output")
    p.add_argument("--trust", action="store_true",
                   help="allow templates and Python that run code when Dagster loads the project (without "
                        "it such a project is refused, listing what would run)")
    from dagster_designer_qt.cli_commands.components import add_python_arg

    add_python_arg(p)


def _select(project, labels: list[str]) -> list[str]:
    by_label: dict[str, list[str]] = {}
    for node in project.graph.iter_nodes():
        by_label.setdefault(node.label, []).append(node.id)
    ids: list[str] = []
    for label in labels:
        found = by_label.get(label) or ([label] if project.graph.has_node(label) else [])
        if not found:
            known = ", ".join(sorted(by_label)) or "none"
            raise DesignerError(f"no node labelled {label!r} (nodes: {known})")
        ids += found
    return ids


def _progress(event: dict) -> None:
    kind = event.get("event")
    if kind == "log":
        print(f"  [{event.get('step') or 'run'}] {event.get('level', '')}: {event.get('message', '')}",
              file=sys.stderr)
    elif kind == "output":
        print(f"  [{event.get('step') or 'run'}] {event.get('text', '')}", file=sys.stderr)
    elif kind in ("step_start", "step_success", "step_failure"):
        print(f"{kind.replace('_', ' ')}: {event.get('step')}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from dagster_designer_qt.cli_commands.components import component_map, python_arg
    from dagster_designer_qt.services.project_store import load_project
    from dagster_designer_qt.services.run_service import run_project
    from dagster_designer_qt.services.trust import require_trust, scan_project

    project = load_project(args.project)
    node_ids = _select(project, args.select) if args.select else None
    here = Path(args.project).absolute().parent
    folder = Path(project.source.folder) if project.source is not None else here
    python = python_arg(getattr(args, "python", None), setting=project.python, setting_base=here, folder=folder)
    components = component_map(python=python)
    require_trust(scan_project(project, components), args.project, trusted=args.trust)
    metadata: dict[str, dict] = {}

    def on_event(event: dict) -> None:
        if event.get("event") == "materialization":
            metadata[event["key"]] = event.get("metadata", {})
        if args.verbose:
            _progress(event)

    result = run_project(project, components, node_ids=node_ids, upstream=args.upstream,
                         python=None if python.own else python.path, on_event=on_event)
    if args.json:
        json.dump({"success": result.success, "run_id": result.run_id, "seconds": round(result.seconds, 2),
                   "error": result.error, "assets": [dict(a.to_dict(), metadata=metadata.get(a.key, {}))
                                                      for a in result.assets]}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for a in result.assets:
            origin = f"  ({a.node_label})" if a.node_label else ""
            if a.status == "materialized":
                detail = "  " + " ".join(f"{k}={v}" for k, v in metadata.get(a.key, {}).items()
                                         if "\n" not in v and len(v) < 60)
            else:
                detail = f"  {a.reason}" if a.reason else ""
            print(f"{a.status:<13} {a.key}{origin}{detail.rstrip()}")
        if result.error:
            print(f"dagster-designer: error: the run failed: {result.error}", file=sys.stderr)
        for a in result.assets:
            if a.status == "failed" and a.traceback:
                print(f"\n{a.node_label or a.key} failed:\n{a.traceback}", file=sys.stderr)
    return 0 if result.success else 1
