"""`dagster-designer new NAME --out FILE`: write an empty project file."""

from __future__ import annotations

import argparse
from pathlib import Path

from dagster_designer_qt.core.errors import DesignerError
from dagster_designer_qt.services.project_store import new_project, save_project
from dagster_designer_qt.core.terminal import printable


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("new", help="write an empty project file")
    p.add_argument("name", help="project name, e.g. 'Analytics Pipeline'")
    p.add_argument("--out", required=True, help="the project file to write (e.g. analytics.ddp.json)")
    p.add_argument("--description", default=None)
    p.add_argument("--force", action="store_true", help="overwrite an existing file")


def run(args: argparse.Namespace) -> int:
    name = args.name.strip()
    if not name:
        raise DesignerError("the project name must not be empty")
    out = Path(args.out)
    if out.exists() and not args.force:
        raise DesignerError(f"{out} already exists (use --force to overwrite)")
    if not out.parent.is_dir():
        raise DesignerError(f"folder {out.parent} does not exist")
    save_project(new_project(name, args.description), out)
    print(printable(out))
    return 0
