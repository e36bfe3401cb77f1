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


@functools.lru_cache(maxsize=None)
def _icon(name: str, color: str):
    from PySide6.QtCore import QByteArray, QRectF, Qt
    from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
    from PySide6.QtSvg import QSvgRenderer

    data = _svg_bytes(name)
    icon = QIcon()
    if data is None:
        return icon
    if color:
        data = data.replace(b"currentColor", color.encode("ascii"))
    renderer = QSvgRenderer(QByteArray(data))
    for size in (16, 20, 24, 32, 48, 64, 96):
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        icon.addPixmap(QPixmap.fromImage(image))
    return icon


def icon(name: str, color: str = ""):
    """A QIcon from resources/icons/NAME.svg, pre-rendered at common sizes (crisp on high DPI).
    ``color`` replaces ``currentColor`` in the SVG (monochrome UI icons follow the theme)."""
    return _icon(name, color)


def clear_icon_cache() -> None:
    _icon.cache_clear()
