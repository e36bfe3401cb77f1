"""What File > Save would change in a project opened from a folder: the Preview panel's content.

Made from the plan the save itself makes (``save_in_place.plan_save``), so the preview is exactly what
Save writes: each changed file (its new text and a unified diff against the file on disk), each new file
(new components' folders), each file removed (a defs file left with no document), and the files a removed
component leaves behind (kept unless the user confirms). Nothing is written.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from dagster_designer_qt.services.save_in_place import DiskFiles, plan_save

CHANGED, NEW, REMOVED = "changed", "new", "removed"


@dataclass
class PreviewFile:
    path: str  # relative to the project folder
    status: str  # CHANGED, NEW or REMOVED
    new: str | None  # the text Save writes (None: removed)
    old: str | None  # the text on disk now (None: new)

    @property
    def diff(self) -> str:
        """A unified diff of the file (old -> new)."""
        return "".join(difflib.unified_diff((self.old or "").splitlines(True), (self.new or "").splitlines(True),
                                            f"a/{self.path}" if self.old is not None else "/dev/null",
                                            f"b/{self.path}" if self.new is not None else "/dev/null"))

    @property
    def shown(self) -> str:
        """What the preview shows: a changed file's diff, a new file's text, a removed file's last text."""
        if self.status == CHANGED:
            return self.diff
        return self.new if self.status == NEW else (self.old or "")


@dataclass
class SavePreview:
    folder: str
    files: dict[str, PreviewFile] = field(default_factory=dict)
    orphans: list[str] = field(default_factory=list)  # kept unless the user confirms their removal
    warnings: list[str] = field(default_factory=list)
    node_folders: dict[str, str] = field(default_factory=dict)  # node id -> "folder/" of its changed files

    def counts(self) -> dict[str, int]:
        out = {CHANGED: 0, NEW: 0, REMOVED: 0}
        for f in self.files.values():
            out[f.status] += 1
        return out

    def summary(self) -> str:
        if not self.files:
            return f"No changes to save: {self.folder} stays as it is."
        counts = self.counts()
        parts = [f"{n} {status}" for status, n in counts.items() if n]
        text = f"Save writes into {self.folder}: {', '.join(parts)} file(s)."
        if self.orphans:
            text += f" {len(self.orphans)} file(s) beside removed components are kept unless you confirm."
        return text


def _text(data: bytes | None) -> str | None:
    return None if data is None else data.decode("utf-8", errors="replace")


def preview_save(project: Any, components: Mapping[str, Any] | None = None, files: Any = None) -> SavePreview:
    """What saving ``project`` into its folder would write (raises SaveInPlaceError like the save)."""
    plan = plan_save(project, components, files)
    source = files if files is not None else DiskFiles(Path(project.source.folder))
    preview = SavePreview(folder=project.source.folder, orphans=list(plan.orphans),
                          warnings=list(plan.warnings))
    for rel, data in sorted(plan.write.items()):
        old = _text(source.read(rel))
        preview.files[rel] = PreviewFile(rel, NEW if old is None else CHANGED, _text(data), old)
    for rel in plan.delete:
        preview.files[rel] = PreviewFile(rel, REMOVED, None, _text(source.read(rel)))
    for node in project.graph.iter_nodes():
        src = plan.new_sources.get(node.id) or node.source
        if src is None or src.kind != "component":
            continue
        folder = src.file.rpartition("/")[0] + "/"
        if any(p.startswith(folder) for p in preview.files):
            preview.node_folders[node.id] = folder
    return preview
