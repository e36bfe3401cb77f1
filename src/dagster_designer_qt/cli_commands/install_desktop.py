"""`dagster-designer install-desktop [--uninstall]`: the menu entry, icons, the *.ddp.json file type and
the AppStream metainfo for the current user on Linux (see services/desktop_install.py)."""

from __future__ import annotations

import argparse
import sys

from dagster_designer_qt.core.errors import DesignerError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "install-desktop",
        help="Linux: add Dagster Designer to the desktop menu and make it open *.ddp.json files",
        description="Write the desktop entry (Exec= this installation), the icons, the MIME type of "
                    "*.ddp.json project files and the AppStream metainfo under the user's data folder "
                    "($XDG_DATA_HOME, default ~/.local/share). Nothing is written outside it; no root needed.",
    )
    p.add_argument("--uninstall", action="store_true", help="remove what install-desktop wrote")


def run(args: argparse.Namespace) -> int:
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        raise DesignerError("install-desktop is for Linux desktops (freedesktop.org); on macOS use the .app, "
                            "on Windows a shortcut to dagster-designer-gui")
    from dagster_designer_qt.services import desktop_install
    from dagster_designer_qt.ui.resources import resources_root  # Qt-free

    data = desktop_install.data_home()
    if args.uninstall:
        report = desktop_install.uninstall(resources_root(), data)
        print(f"removed {len(report.removed)} files from {data}" if report.removed
              else f"nothing to remove under {data}")
    else:
        report = desktop_install.install(resources_root(), data)
        desktop = report.written[-1]
        print(f"installed the menu entry {desktop}")
        print(f"  starts: {next(l for l in desktop.read_text().splitlines() if l.startswith('Exec='))[5:]}")
        print(f"  *.ddp.json files open with Dagster Designer ({desktop_install.MIME_TYPE}); "
              f"{len(report.written) - 1} icon, MIME and metainfo files under {data}")
    if report.not_refreshed:
        print(f"note: not run: {', '.join(report.not_refreshed)} (the desktop picks the changes up at the "
              "next login)", file=sys.stderr)
    return 0
