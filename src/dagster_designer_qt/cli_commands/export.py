"""`dagster-designer export PROJECT [--out DIR [--force] | --zip FILE] [--remove-orphans]`: write a loadable
Dagster project; without --out/--zip, save an opened project back into its own folder."""

from __future__ import annotations

import argparse
import sys

from dagster_designer_qt.core.errors import DesignerError
from dagster_designer_qt.core.terminal import printable


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help="export a project as a Dagster project folder or ZIP, or save it into the folder it came from",
        description="Export PROJECT as a Dagster project. With --out, DIR becomes the project root "
                    "(DIR/pyproject.toml, DIR/src/<package>/...); with --zip, the same files go into a ZIP. "
                    "A project opened from a Dagster project folder (`dagster-designer import`) is copied "
                    "whole (every file the designer doesn't model comes through byte-identical). Without "
                    "--out or --zip, such a project is saved back into its folder: only what changed is "
                    "written (comments, key order and quoting stay), and PROJECT is updated.",
    )
    p.add_argument("project", help="the project file (.ddp.json)")
    target = p.add_mutually_exclusive_group(required=False)
    target.add_argument("--out", metavar="DIR", help="folder to write (must be empty or missing)")
    target.add_argument("--zip", metavar="FILE", help="ZIP file to write")
    p.add_argument("--force", action="store_true", help="update a non-empty --out folder: generated files are replaced, files you added are kept")
    p.add_argument("--remove-orphans", action="store_true",
                   help="saving in place: also remove the files left beside a removed component's defs file")
    from dagster_designer_qt.cli_commands.components import add_python_arg

    add_python_arg(p)


def run(args: argparse.Namespace) -> int:
    from dagster_designer_qt.services.codegen import generate
    from dagster_designer_qt.services.export import export_folder, export_zip
    from dagster_designer_qt.services.project_store import load_project

    project = load_project(args.project)
    if args.force and not args.out:
        raise DesignerError("--force only applies to --out")
    from pathlib import Path

    from dagster_designer_qt.cli_commands.components import component_map, python_arg

    here = Path(args.project).absolute().parent
    folder = Path(project.source.folder) if project.source is not None else here  # where a .venv would be
    python = python_arg(getattr(args, "python", None), setting=project.python, setting_base=here, folder=folder)
    components = component_map(python=python)  # the same component knowledge the app exports with
    if project.source is not None:
        return _run_opened(args, project, components)
    if not args.out and not args.zip:
        raise DesignerError(f"{args.project} was not opened from a Dagster project folder: give --out DIR "
                            "or --zip FILE")
    for warning in generate(project, components).warnings:
        print(f"warning: {printable(warning)}", file=sys.stderr)
    if args.out:
        path = export_folder(project, args.out, force=args.force, components=components)
    else:
        path = export_zip(project, args.zip, components=components)
    print(printable(path))
    return 0


def _run_opened(args: argparse.Namespace, project, components) -> int:
    """A project opened from a folder: save in place, or copy it whole elsewhere."""
    from dagster_designer_qt.services.project_copy import copy_to_folder, copy_to_zip
    from dagster_designer_qt.services.project_store import save_project
    from dagster_designer_qt.services.save_in_place import remove_orphans, save_in_place

    if args.force:
        raise DesignerError("--force doesn't apply to a project opened from a folder: export it to a new "
                            "folder, or save it in place without --out")
    if args.out or args.zip:
        result = copy_to_folder(project, args.out, components) if args.out else \
            copy_to_zip(project, args.zip, components)
        for warning in result.warnings:
            print(f"warning: {printable(warning)}", file=sys.stderr)
        print(result.path)
        return 0
    plan = save_in_place(project, components)
    save_project(project, args.project)  # it records what the folder holds now
    for warning in plan.warnings:
        print(f"warning: {printable(warning)}", file=sys.stderr)
    if plan.orphans:
        if args.remove_orphans:
            remove_orphans(project.source.folder, plan.orphans)
        else:
            for rel in plan.orphans:
                print(f"kept: {printable(rel)} (beside a removed component; --remove-orphans removes it)",
                      file=sys.stderr)
    for rel in plan.write:
        print(f"wrote {printable(rel)}")
    for rel in plan.delete:
        print(f"removed {printable(rel)}")
    if not plan.changed:
        print(f"{printable(project.source.folder)}: no changes")
    return 0
