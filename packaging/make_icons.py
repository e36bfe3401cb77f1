"""Render the app icon SVG into PNGs (16..512 px) and a multi-size Windows ICO.

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/make_icons.py

Reads  resources/icons/app/dagster-designer.svg
Writes resources/icons/app/dagster-designer-<N>.png (N in SIZES), dagster-designer.ico (Windows) and
dagster-designer.icns (macOS; PNG entries 16..1024 px, the 1024 px one rendered only for it).
`--icns-only` writes the .icns from the committed PNGs without Qt.
The outputs are committed, so building the app never needs this script; run it after editing the SVG.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)  # ICO entries are at most 256 px
ROOT = Path(__file__).resolve().parent.parent
ICON_DIR = ROOT / "resources" / "icons" / "app"
SVG = ICON_DIR / "dagster-designer.svg"


def render_png(svg: Path, size: int) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    buf.close()
    return bytes(data)


def build_ico(pngs: dict[int, bytes]) -> bytes:
    """An ICO whose entries are PNG images (valid since Windows Vista)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = 6 + 16 * len(sizes)
    entries, blobs = b"", b""
    for size in sizes:
        blob = pngs[size]
        dim = 0 if size >= 256 else size  # 0 means 256
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(blob), offset)
        blobs += blob
        offset += len(blob)
    return header + entries + blobs


# ICNS element types holding PNG data, by pixel size (the @2x types reuse the bigger renderings).
ICNS_TYPES = ((b"icp4", 16), (b"icp5", 32), (b"icp6", 64), (b"ic07", 128), (b"ic08", 256), (b"ic09", 512),
              (b"ic10", 1024), (b"ic11", 32), (b"ic12", 64), (b"ic13", 256), (b"ic14", 512))


def build_icns(pngs: dict[int, bytes]) -> bytes:
    """An Apple icon file: 'icns', total length, then (type, length incl. 8-byte header, PNG) elements."""
    body = b""
    for kind, size in ICNS_TYPES:
        if size in pngs:
            body += kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size]
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def icns_from_committed_pngs() -> Path:
    pngs = {n: (ICON_DIR / f"dagster-designer-{n}.png").read_bytes() for n in SIZES}
    out = ICON_DIR / "dagster-designer.icns"
    out.write_bytes(build_icns(pngs))
    return out


def main() -> int:
    if sys.argv[1:] == ["--icns-only"]:
        print(icns_from_committed_pngs().relative_to(ROOT))
        return 0
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 - QPainter needs it
    pngs = {}
    for size in SIZES:
        pngs[size] = render_png(SVG, size)
        out = ICON_DIR / f"dagster-designer-{size}.png"
        out.write_bytes(pngs[size])
        print(out.relative_to(ROOT))
    ico = ICON_DIR / "dagster-designer.ico"
    ico.write_bytes(build_ico({s: pngs[s] for s in ICO_SIZES}))
    print(ico.relative_to(ROOT))
    icns = ICON_DIR / "dagster-designer.icns"
    icns.write_bytes(build_icns({**{s: pngs[s] for s in SIZES}, 1024: render_png(SVG, 1024)}))
    print(icns.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
