"""`dagster-designer [gui] [PROJECT_FILE]`: open the desktop app.

A later launch hands its file to the app already running for this user, which opens it in a new window
(set DAGSTER_DESIGNER_NEW_INSTANCE=1 to start a separate app instead)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Callable, Mapping

from dagster_designer_qt.core.errors import DesignerError

XCB_CURSOR = "libxcb-cursor.so.0"
XCB_CURSOR_HELP = (
    "Dagster Designer cannot start: Qt's X11 (xcb) platform needs the library libxcb-cursor.so.0, which "
    "is not installed. Install it with your package manager:\n"
    "  Debian/Ubuntu:  sudo apt install libxcb-cursor0\n"
    "  Fedora/RHEL:    sudo dnf install xcb-util-cursor\n"
    "  Arch:           sudo pacman -S xcb-util-cursor\n"
    "  openSUSE:       sudo zypper install libxcb-cursor0\n"
    "or run it in a Wayland session (QT_QPA_PLATFORM=wayland)."
)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gui", help="open the desktop app (the default command)")
    p.add_argument("project", nargs="?", help="a project file to open")


def _can_load(library: str) -> bool:
    import ctypes  # only where Qt would use xcb: not on every start

    try:
        ctypes.CDLL(library)
    except OSError:
        bundled = getattr(sys, "_MEIPASS", None)
        return bool(bundled) and os.path.exists(os.path.join(bundled, library))
    return True


def uses_xcb(environ: Mapping[str, str], platform: str = sys.platform) -> bool:
    """Whether Qt will pick its xcb (X11) platform plugin in this environment."""
    if not platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return False
    chosen = environ.get("QT_QPA_PLATFORM", "").strip()
    if chosen:
        return chosen.split(";")[0].split(":")[0] == "xcb"
    # Qt 6 prefers Wayland in a Wayland session, xcb otherwise.
    wayland = environ.get("WAYLAND_DISPLAY") or environ.get("XDG_SESSION_TYPE") == "wayland"
    return not wayland


def xcb_cursor_problem(environ: Mapping[str, str] = os.environ, platform: str = sys.platform,
                       can_load: Callable[[str], bool] = _can_load) -> str | None:
    """The message to print when Qt would abort for lack of libxcb-cursor (Qt >= 6.5 needs it for xcb)."""
    if uses_xcb(environ, platform) and not can_load(XCB_CURSOR):
        return XCB_CURSOR_HELP
    return None


def run(args: argparse.Namespace) -> int:
    problem = xcb_cursor_problem()
    if problem:
        raise DesignerError(problem)
    from dagster_designer_qt.app import run_app  # Qt is imported only here

    return run_app(args.project)
