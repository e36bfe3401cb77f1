"""`dagster-designer git`: placeholder until its issue lands."""

from __future__ import annotations

import argparse

from dagster_designer_qt.core.errors import DesignerError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("git", help="(not available yet)")
    p.add_argument("rest", nargs=argparse.REMAINDER)


def run(args: argparse.Namespace) -> int:
    raise DesignerError("'git' is not available in this build yet")
