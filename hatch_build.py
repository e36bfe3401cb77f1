"""Hatchling metadata hook: the package index's long description is README.md with its relative links
(``docs/screenshot.png``, ``docs/PACKAGING.md``) made absolute, so the images show on an index page.

The base is ``[project.urls] Source`` + ``/raw/HEAD/`` for images and ``/blob/HEAD/`` for other links.
"""

from __future__ import annotations

import re
from pathlib import Path

from hatchling.metadata.plugin.interface import MetadataHookInterface

_LINK = re.compile(r"(!?)\[([^\]]*)\]\((?!https?://|#|mailto:)([^)\s]+)\)")


def absolute_links(text: str, source_url: str) -> str:
    base = source_url.rstrip("/")

    def fix(match: re.Match) -> str:
        bang, label, target = match.groups()
        kind = "raw" if bang else "blob"
        return f"{bang}[{label}]({base}/{kind}/HEAD/{target.lstrip('./')})"

    return _LINK.sub(fix, text)


class ReadmeHook(MetadataHookInterface):
    PLUGIN_NAME = "custom"

    def update(self, metadata: dict) -> None:
        text = (Path(self.root) / "README.md").read_text(encoding="utf-8")
        metadata["readme"] = {"content-type": "text/markdown",
                              "text": absolute_links(text, metadata["urls"]["Source"])}
