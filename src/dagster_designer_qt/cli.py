"""Command-line entry point. Headless commands call services and never import Qt; only the GUI does.

Each subcommand lives in ``cli_commands/<name>.py`` with ``add_parser(subparsers)`` and ``run(args) -> int``.
User errors (DesignerError) print one line to stderr and exit 1; usage errors exit 2 (argparse).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from dagster_designer_qt import __version__
from dagster_designer_qt.core.errors import DesignerError

SUBCOMMANDS = ("gui", "new", "components", "validate", "export", "preview", "import", "git",
               "run", "example", "install-desktop")

EPILOG = """\
Try the example project that ships with the app:
  dagster-designer example --out analytics.ddp.json     write a copy of it
  dagster-designer analytics.ddp.json                   open it in the app
  dagster-designer validate analytics.ddp.json --load   check it with Dagster
  dagster-designer export analytics.ddp.json --out analytics   write the Dagster project
Linux desktop menu entry and *.ddp.json file type: dagster-designer install-desktop
Help on one command: dagster-designer COMMAND --help"""


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; with ``only`` (a command's name), that command's parser alone: a start of
    the app then imports and builds one subcommand, not all of them (issue 13). Parsing that command's
    arguments, its --help and its usage errors read the same either way."""
    parser = argparse.ArgumentParser(
        prog="dagster-designer",
        description="Design Dagster projects visually. With no command (or a project file) the app opens.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS if only not in SUBCOMMANDS else (only,):
        module = importlib.import_module(f"dagster_designer_qt.cli_commands.{_module_name(name)}")
        module.add_parser(sub)
    return parser


def _module_name(command: str) -> str:
    if command == "install-desktop":
        return "install_desktop"
    return "import_project" if command == "import" else command


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    # `dagster-designer` and `dagster-designer FILE` open the GUI.
    if not args_list or (args_list[0] not in SUBCOMMANDS and not args_list[0].startswith("-")):
        args_list = ["gui", *args_list]
    parser = build_parser(only=args_list[0] if args_list else None)
    args = parser.parse_args(args_list)
    if args.command is None:
        parser.print_help()
        return 2
    module = importlib.import_module(f"dagster_designer_qt.cli_commands.{_module_name(args.command)}")
    try:
        return int(module.run(args) or 0)
    except DesignerError as exc:
        from dagster_designer_qt.core.terminal import printable

        print(f"dagster-designer: error: {printable(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("dagster-designer: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1


def gui_main() -> int:
    """Entry point for platforms that tell GUI scripts apart (no console window)."""
    return main(["gui", *sys.argv[1:]])
