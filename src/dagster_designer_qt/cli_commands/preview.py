"""`dagster-designer preview PROJECT [--file PATH | --all]`: show the files export would write."""

from __future__ import annotations

import argparse
import sys

from dagster_designer_qt.core.errors import DesignerError
from dagster_designer_qt.core.terminal import printable


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "preview",
        help="show the files export would write, without writing",
        description="Without options, list the files export would write (size in bytes, then the path "
                    "relative to the project root). --file prints one file exactly as it would be written; "
                    "--all prints every file, each after a '==> PATH <==' header.",
    )
    p.add_argument("project", help="the project file (.ddp.json)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--file", metavar="RELATIVE_PATH", help="print this file, e.g. pyproject.toml")
    mode.add_argument("--all", action="store_true", help="print every file with a header")


def run(args: argparse.Namespace) -> int:
    from dagster_designer_qt.services.codegen import generate
    from dagster_designer_qt.services.project_store import load_project

    from dagster_designer_qt.cli_commands.components import component_map

    result = generate(load_project(args.project), component_map())
    files = result.files
    out = sys.stdout
    if args.file is not None:
        wanted = args.file.replace("\\", "/")
        if wanted.startswith("./"):
            wanted = wanted[2:]
        if wanted not in files:
            raise DesignerError(f"no file {args.file!r} in the export; run 'preview' without --file to list them")
        out.write(files[wanted])
        return 0
    if args.all:
        for path, text in files.items():
            out.write(f"==> {printable(path)} <==\n{text}")
            if text and not text.endswith("\n"):
                out.write("\n")
            out.write("\n")
    else:
        for path, text in files.items():
            out.write(f"{len(text.encode('utf-8')):>8}  {printable(path)}\n")
    for warning in result.warnings:
        print(f"warning: {printable(warning)}", file=sys.stderr)
    return 0
