"""`dagster-designer import DIR --out FILE [--force]`: read a Dagster project into a designer project."""

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
        description="Read DIR (a Dagster project with [tool.dg.project] in pyproject.toml, or a bare defs "
                    "folder): every defs.yaml becomes a node, the component folder's text files its files, "
                    "and dependencies between components become connections. Files are only read; no "
                    "project code runs.",
    )
    p.add_argument("dir", metavar="DIR", help="the project folder (or its defs folder)")
    p.add_argument("--out", metavar="FILE", required=True, help="the project file to write (.ddp.json)")
    p.add_argument("--force", action="store_true", help="overwrite an existing FILE")


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
    for warning in result.warnings:
        print(f"warning: {printable(warning)}", file=sys.stderr)
    save_project(result.project, out)
    print(printable(out))
    return 0
