"""The only place that resolves resource paths (icons, themes, example projects).

Resources live in the top-level ``resources/`` folder of a source checkout; a wheel packages them as
``dagster_designer_qt/resources/`` (pyproject's force-include); a PyInstaller bundle unpacks them under
``sys._MEIPASS`` (as ``dagster_designer_qt/resources`` or ``resources``). ``resources_root()`` tries those
places in that order of specificity and returns the first that exists.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # .../dagster_designer_qt


def _candidates() -> list[Path]:
    out: list[Path] = []
    meipass = getattr(sys, "_MEIPASS", None)
    if meipass:  # frozen by PyInstaller
        out += [Path(meipass) / "dagster_designer_qt" / "resources", Path(meipass) / "resources"]
    out.append(_PACKAGE_DIR / "resources")  # installed from a wheel
    out.append(_PACKAGE_DIR.parent.parent / "resources")  # source checkout: src/dagster_designer_qt -> repo
    return out


@functools.lru_cache(maxsize=1)
def resources_root() -> Path:
    for candidate in _candidates():
        if (candidate / "icons").is_dir():
            return candidate
    return _candidates()[-1]


def resource_path(*parts: str) -> Path:
    return resources_root().joinpath(*parts)


def examples_dir() -> Path:
    return resource_path("examples")


def theme_stylesheet(name: str) -> str:
    path = resource_path("themes", f"{name}.qss")
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


def icon_names() -> list[str]:
    folder = resource_path("icons")
    return sorted(p.stem for p in folder.glob("*.svg")) if folder.is_dir() else []


@functools.lru_cache(maxsize=None)
def _svg_bytes(name: str) -> bytes | None:
    path = resource_path("icons", f"{name}.svg")
    try:
        return path.read_bytes()
    except OSError:
        return None


def has_icon(name: str) -> bool:
    return bool(name) and _svg_bytes(name) is not None


ICON_SIZES = (16, 20, 24, 32, 48, 64, 96)  # rendered up front only when Qt's SVG icon engine is missing


def _icon_cache_dir() -> Path:
    import os

    # The user's cache folder follows the environment (tests and XDG users point it elsewhere).
    return _cache_dir_for(*(os.environ.get(k) for k in ("XDG_CACHE_HOME", "HOME", "LOCALAPPDATA")))


@functools.lru_cache(maxsize=8)
def _cache_dir_for(*_environment: str | None) -> Path:
    from dagster_designer_qt.services.registry import default_cache_dir

    return default_cache_dir() / "icons"


def _svg_file(name: str, color: str, data: bytes) -> Path | None:
    """An SVG file with NAME's drawing in COLOR, for Qt's SVG icon engine (which reads files only): the
    resource itself when it is not recoloured, else a copy in the user's cache folder, written once
    and named by its content, so a changed icon or colour never reads a stale copy.
    None when that copy cannot be written (a read-only cache folder)."""
    if not color:
        return resource_path("icons", f"{name}.svg")
    import zlib

    stem = "".join(c if c.isalnum() or c in "-_" else "-" for c in name)
    tint = "".join(c for c in color if c.isalnum()).lower()
    path = _icon_cache_dir() / f"{stem}-{tint}-{zlib.crc32(data):08x}.svg"
    try:
        if path.stat().st_size == len(data):
            return path
    except OSError:
        pass
    import os

    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:  # a rename, so a reader never sees half a file; no fsync: a copy lost in a crash is written again
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError:
        try:
            temporary.unlink(missing_ok=True)
        except OSError:
            pass
        return None
    return path


def _rendered_icon(data: bytes):
    """Every size rendered now: the fallback when Qt's SVG icon engine plugin is not there."""
    from PySide6.QtCore import QByteArray, QRectF, Qt
    from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
    from PySide6.QtSvg import QSvgRenderer

    icon = QIcon()
    renderer = QSvgRenderer(QByteArray(data))
    for size in ICON_SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        icon.addPixmap(QPixmap.fromImage(image))
    return icon


@functools.lru_cache(maxsize=None)
def _icon(name: str, color: str):
    from PySide6.QtGui import QIcon

    data = _svg_bytes(name)
    if data is None:
        return QIcon()
    if color:
        data = data.replace(b"currentColor", color.encode("ascii"))
    path = _svg_file(name, color, data)
    if path is not None:
        # Qt's SVG icon engine draws each size (and device pixel ratio) when it is first shown and keeps
        # it: a start pays for the few icons on screen, not for every icon at every size (issue 13).
        icon = QIcon(str(path))
        if not icon.isNull():
            return icon if not color else _in_memory(icon)
    return _rendered_icon(data)


def _in_memory(icon):
    """The same SVG icon holding its drawing in memory, not its file's name (Qt's engine reads the file
    again for each new size): a cached copy removed while the app runs (a cleaned cache folder) cannot
    blank the icons. Through Qt's own serialisation of the icon, which embeds the file's content."""
    from PySide6.QtCore import QByteArray, QDataStream, QIODevice
    from PySide6.QtGui import QIcon

    data = QByteArray()
    QDataStream(data, QIODevice.OpenModeFlag.WriteOnly) << icon
    copy = QIcon()
    QDataStream(data, QIODevice.OpenModeFlag.ReadOnly) >> copy
    return icon if copy.isNull() else copy


def icon(name: str, color: str = ""):
    """A QIcon from resources/icons/NAME.svg, drawn at the size it is shown in (crisp on high DPI).
    ``color`` replaces ``currentColor`` in the SVG (monochrome UI icons follow the theme)."""
    return _icon(name, color)


def clear_icon_cache() -> None:
    _icon.cache_clear()
