"""Desktop integration for Linux (freedesktop.org): the menu entry, the icons, the MIME type of
``*.ddp.json`` files and the AppStream metainfo, written under the user's data folder
(``$XDG_DATA_HOME``, default ``~/.local/share``), and removed again.

Files (DATA = the data folder):
  DATA/applications/<APP_ID>.desktop        Exec= the absolute command that starts this installation
  DATA/mime/packages/dagster-designer.xml   application/x-dagster-designer-project for *.ddp.json
  DATA/metainfo/<APP_ID>.metainfo.xml       AppStream (software centres)
  DATA/icons/hicolor/<N>x<N>/apps/dagster-designer.png, .../scalable/apps/dagster-designer.svg

Afterwards the caches are refreshed with update-mime-database, update-desktop-database and
gtk-update-icon-cache when those programs exist (missing ones are reported, not fatal).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from dagster_designer_qt.core.errors import DesignerError
from dagster_designer_qt.services.atomic import atomic_write_bytes, atomic_write_text

APP_ID = "io.github.dagster_designer.DagsterDesigner"
ICON_NAME = "dagster-designer"
MIME_TYPE = "application/x-dagster-designer-project"
MIME_FILE = "dagster-designer.xml"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
_EXEC_RESERVED = re.compile(r'[\s"\'\\><~|&;$*?#()`]')


class DesktopInstallError(DesignerError):
    """The desktop integration could not be written or removed."""


@dataclass
class InstallReport:
    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    refreshed: list[str] = field(default_factory=list)  # cache tools that ran
    not_refreshed: list[str] = field(default_factory=list)  # missing or failed: caches refresh at next login


def data_home() -> Path:
    value = os.environ.get("XDG_DATA_HOME", "").strip()
    return Path(value) if value and os.path.isabs(value) else Path.home() / ".local" / "share"


def launch_command() -> list[str]:
    """The absolute command that starts this installation of the app: the bundle's executable, the
    ``dagster-designer`` script beside this interpreter (pip), or ``python -m dagster_designer_qt``."""
    if getattr(sys, "frozen", False):
        return [os.path.abspath(sys.executable)]
    script = Path(sys.executable).parent / "dagster-designer"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script.absolute())]
    return [os.path.abspath(sys.executable), "-m", "dagster_designer_qt"]


def exec_quote(arg: str) -> str:
    """One Exec= argument as the Desktop Entry Specification wants it: quoted when it holds a reserved
    character (backslash, quote, backtick, dollar escaped inside), then escaped as a string value; a literal
    ``%`` is doubled."""
    arg = arg.replace("%", "%%")
    if _EXEC_RESERVED.search(arg):
        arg = '"' + re.sub(r'(["`$\\])', r"\\\1", arg) + '"'
    return arg.replace("\\", "\\\\")


def desktop_entry(template: str, command: list[str]) -> str:
    """The packaged desktop entry with Exec= and TryExec= pointing at ``command``."""
    exec_line = " ".join(exec_quote(a) for a in command) + " %f"
    lines = []
    for line in template.splitlines():
        if line.startswith("Exec="):
            line = "Exec=" + exec_line
        elif line.startswith("TryExec="):
            line = "TryExec=" + command[0].replace("\\", "\\\\")
        lines.append(line)
    return "\n".join(lines) + "\n"


def _targets(data: Path, resources: Path) -> list[tuple[Path, Path]]:
    """(source in resources/, destination under the data folder), except the desktop entry."""
    app_icons = resources / "icons" / "app"
    pairs = [
        (resources / "desktop" / "dagster-designer-mime.xml", data / "mime" / "packages" / MIME_FILE),
        (resources / "desktop" / f"{APP_ID}.metainfo.xml", data / "metainfo" / f"{APP_ID}.metainfo.xml"),
        (app_icons / "dagster-designer.svg", data / "icons" / "hicolor" / "scalable" / "apps" / f"{ICON_NAME}.svg"),
    ]
    pairs += [(app_icons / f"dagster-designer-{n}.png", data / "icons" / "hicolor" / f"{n}x{n}" / "apps" /
               f"{ICON_NAME}.png") for n in ICON_SIZES]
    return pairs


def _desktop_path(data: Path) -> Path:
    return data / "applications" / f"{APP_ID}.desktop"


def install(resources: Path, data: Path | None = None, command: list[str] | None = None) -> InstallReport:
    """Write the desktop entry, icons, MIME type and metainfo under ``data`` (default: ``data_home()``)."""
    data = data or data_home()
    command = command or launch_command()
    report = InstallReport()
    template = resources / "desktop" / f"{APP_ID}.desktop"
    pairs = _targets(data, resources)
    missing = [str(src) for src in [template, *(s for s, _ in pairs)] if not src.is_file()]
    if missing:
        raise DesktopInstallError(f"this installation lacks its desktop files: {', '.join(missing)}")
    try:
        for src, dest in pairs:
            dest.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(dest, src.read_bytes())
            report.written.append(dest)
        desktop = _desktop_path(data)
        desktop.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(desktop, desktop_entry(template.read_text(encoding="utf-8"), command))
        report.written.append(desktop)
    except OSError as exc:
        raise DesktopInstallError(f"cannot write under {data}: {exc.strerror or exc}") from None
    _refresh_caches(data, report)
    return report


def uninstall(resources: Path, data: Path | None = None) -> InstallReport:
    """Remove what ``install`` wrote (files only; folders other programs share stay)."""
    data = data or data_home()
    report = InstallReport()
    for path in [_desktop_path(data), *(dest for _, dest in _targets(data, resources))]:
        try:
            path.unlink()
            report.removed.append(path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise DesktopInstallError(f"cannot remove {path}: {exc.strerror or exc}") from None
    _refresh_caches(data, report)
    return report


def _refresh_caches(data: Path, report: InstallReport) -> None:
    tools = [
        ("update-mime-database", [str(data / "mime")], data / "mime"),
        ("update-desktop-database", ["-q", str(data / "applications")], data / "applications"),
        ("gtk-update-icon-cache", ["-q", "-t", "-f", str(data / "icons" / "hicolor")], data / "icons" / "hicolor"),
    ]
    for tool, args, folder in tools:
        if not folder.is_dir():
            continue
        exe = shutil.which(tool)
        if exe is None:
            report.not_refreshed.append(tool)
            continue
        try:
            proc = subprocess.run([exe, *args], capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            report.not_refreshed.append(tool)
            continue
        if proc.returncode == 0:
            report.refreshed.append(tool)
        else:
            report.not_refreshed.append(tool)
