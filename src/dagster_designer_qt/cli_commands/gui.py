"""`dagster-designer [gui] [PROJECT_FILE]`: open the desktop app."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gui", help="open the desktop app (the default command)")
    p.add_argument("project", nargs="?", help="a project file to open")


def run(args: argparse.Namespace) -> int:
    from dagster_designer_qt.app import run_app  # Qt is imported only here

    return run_app(args.project)
