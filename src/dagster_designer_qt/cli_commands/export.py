"""`dagster-designer export PROJECT (--out DIR [--force] | --zip FILE)`: write a loadable Dagster project."""

from __future__ import annotations

import argparse
import sys

from dagster_designer_qt.core.errors import DesignerError
from dagster_designer_qt.core.terminal import printable


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help="export a project as a Dagster project folder or ZIP",
        description="Export PROJECT as a Dagster project. With --out, DIR becomes the project root "
                    "(DIR/pyproject.toml, DIR/src/<package>/...); with --zip, the same files go into a ZIP.",
    )
    p.add_argument("project", help="the project file (.ddp.json)")
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", metavar="DIR", help="folder to write (must be empty or missing)")
    target.add_argument("--zip", metavar="FILE", help="ZIP file to write")
    p.add_argument("--force", action="store_true", help="update a non-empty --out folder: generated files are replaced, files you added are kept")


def run(args: argparse.Namespace) -> int:
    from dagster_designer_qt.services.codegen import generate
    from dagster_designer_qt.services.export import export_folder, export_zip
    from dagster_designer_qt.services.project_store import load_project

    project = load_project(args.project)
    if args.force and not args.out:
        raise DesignerError("--force only applies to --out")
    from dagster_designer_qt.cli_commands.components import component_map

    components = component_map()  # the same component knowledge the app exports with
    for warning in generate(project, components).warnings:
        print(f"warning: {printable(warning)}", file=sys.stderr)
    if args.out:
        path = export_folder(project, args.out, force=args.force, components=components)
    else:
        path = export_zip(project, args.zip, components=components)
    print(printable(path))
    return 0
