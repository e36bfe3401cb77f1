"""`dagster-designer import DIR --out FILE [--force] [--allow-problems]`: open a Dagster project folder as a
designer project (the project file remembers DIR: `export FILE` saves back into it)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dagster_designer_qt.core.errors import DesignerError
from dagster_designer_qt.core.terminal import printable


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import",
        help="import a Dagster project folder as a designer project",
        description="Read DIR (a Dagster project with [tool.dg] in pyproject.toml or a dg.toml, or a bare defs "
                    "folder): every document of every defs.yaml, defs.yml or component.yaml becomes a node, "
                    "plain Python definitions modules become read-only nodes, and dependencies between "
                    "them become connections. Files are only read; no project code runs. The project file "
                    "remembers DIR: `dagster-designer export FILE` (without --out) saves your changes back "
                    "into DIR, changing only what you changed.",
    )
    p.add_argument("dir", metavar="DIR", help="the project folder (or its defs folder)")
    p.add_argument("--out", metavar="FILE", required=True, help="the project file to write (.ddp.json)")
    p.add_argument("--force", action="store_true", help="overwrite an existing FILE")
    p.add_argument("--allow-problems", action="store_true",
                   help="write FILE even when some files could not be read (they are listed and left alone)")


def run(args: argparse.Namespace) -> int:
    from dagster_designer_qt.services.importer import import_project
    from dagster_designer_qt.services.project_store import save_project

    out = Path(args.out)
    if out.exists() and not args.force:
        raise DesignerError(f"{out} already exists (use --force to overwrite)")
    if out.is_dir():
        raise DesignerError(f"{out} is a folder")
    if not out.parent.is_dir():
        raise DesignerError(f"folder {out.parent} does not exist")
    result = import_project(args.dir)
    if result.problems and not getattr(args, "allow_problems", False):
        more = f" (and {len(result.problems) - 1} more)" if len(result.problems) > 1 else ""
        raise DesignerError(f"{result.problems[0]}{more}; fix it, or use --allow-problems to import the rest")
    for problem in result.problems:
        print(f"problem: {problem}", file=sys.stderr)
    for warning in result.warnings:
        print(f"warning: {printable(warning)}", file=sys.stderr)
    save_project(result.project, out)
    print(printable(out))
    return 0
