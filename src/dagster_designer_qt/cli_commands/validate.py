"""`dagster-designer validate PROJECT [--json] [--project-dir DIR --trust]`: static checks of a project file.

Each problem prints as ``node-label: attributes.path: message``; the exit code is 1 when there are errors
(warnings alone exit 0). ``static_problems`` is the whole static check, so other checks (e.g. loading the
exported project with Dagster) can be added next to it in ``run``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from dagster_designer_qt.cli_commands.components import (
    add_python_arg,
    load_components,
    project_dir_arg,
    python_arg,
    require_folder_trust,
)
from dagster_designer_qt.core.model import Project
from dagster_designer_qt.core.terminal import printable, printable_lines
from dagster_designer_qt.services.project_store import load_project
from dagster_designer_qt.services.registry import ComponentRegistry
from dagster_designer_qt.core.attrs import format_path
from dagster_designer_qt.services.validation import Problem, has_errors, validate_project


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check a project file (attributes, types, duplicates, deps)",
                       description="Validate every node's attributes with its component's own model and "
                                   "check the graph (unknown types, duplicate asset keys and op names, "
                                   "dependencies on assets no node produces).")
    p.add_argument("project", help="the project file (.ddp.json)")
    p.add_argument("--json", action="store_true", help="print the problems as JSON")
    p.add_argument("--project-dir", default=None,
                   help="a Dagster project folder whose own component types to include")
    p.add_argument("--load", action="store_true",
                   help="also export to a temporary folder and load it with Dagster; print the assets, "
                        "their dependencies and the node that produced each")
    add_python_arg(p)
    p.add_argument("--trust", action="store_true",
                   help="with --load or --project-dir: allow templates and Python that run code when Dagster "
                        "loads the project or its component types are listed (without it such a project is "
                        "refused, listing what would run)")


def _project_types(project: Project) -> dict[str, str]:
    """For a project opened from a folder: its own types (``.component.X``) as Dagster resolves them."""
    from dagster_designer_qt.services.project_types import project_local_types

    return project_local_types(project)


def static_problems(project: Project, registry: ComponentRegistry) -> list[Problem]:
    """Component types, attributes and graph checks; no Dagster load of the project."""
    load_components(registry)
    return validate_project(project, registry)


def _label(project: Project, node_id: str | None) -> str:
    if node_id is None:
        return "project"
    if project.graph.has_node(node_id):
        node = project.graph.node(node_id)
        return node.label or node.id
    return node_id


def format_problem(project: Project, problem: Problem) -> str:
    parts = [_label(project, problem.node_id)]
    if problem.path:
        parts.append("attributes." + format_path(problem.path))
    text = ": ".join(parts) + ": " + problem.message
    return text if problem.severity == "error" else text + " (warning)"


def problem_dict(project: Project, problem: Problem) -> dict[str, Any]:
    out = problem.to_dict()
    out["node_label"] = _label(project, problem.node_id)
    out["attribute_path"] = format_path(problem.path)
    return out


def report(project: Project, problems: list[Problem], *, as_json: bool) -> int:
    errors = sum(1 for p in problems if p.severity == "error")
    if as_json:
        json.dump({"problems": [problem_dict(project, p) for p in problems], "errors": errors,
                   "warnings": len(problems) - errors}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for p in problems:
            print(printable(format_problem(project, p)))
        if not problems:
            print(printable(f"{project.name}: no problems in {project.graph.node_count()} components"))
    return 1 if has_errors(problems) else 0


def run(args: argparse.Namespace) -> int:
    project = load_project(args.project)
    project_dir = project_dir_arg(args.project_dir)
    here = Path(args.project).absolute().parent
    python = python_arg(getattr(args, "python", None), setting=project.python, setting_base=here,
                        folder=project_dir or (Path(project.source.folder) if project.source is not None else here))
    if project_dir is not None:
        require_folder_trust(project_dir, trusted=args.trust)
    registry = ComponentRegistry(project_dir=project_dir, python=python, project_types=_project_types(project))
    problems = static_problems(project, registry)
    if not args.load:
        return report(project, problems, as_json=args.json)
    if has_errors(problems):
        status = report(project, problems, as_json=args.json)
        print("not loading with Dagster: fix the errors above first", file=sys.stderr)
        return status
    from dagster_designer_qt.services.loader import format_report, load_project as load_with_dagster

    components = {c.type: c for c in registry.components}
    from dagster_designer_qt.services.trust import require_trust, scan_project

    if not args.json:
        for p in problems:
            print(printable(format_problem(project, p)))
    require_trust(scan_project(project, components), args.project, trusted=args.trust)
    loaded = load_with_dagster(project, components, python=python)
    if args.json:
        json.dump({"problems": [problem_dict(project, p) for p in problems],
                   "errors": 0, "warnings": len(problems),
                   "assets": [asset.__dict__ for asset in loaded.assets],
                   "load_warnings": loaded.warnings}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    print(printable_lines(format_report(loaded)))
    return 0
