"""Autosave to a recovery file, and after a crash offer to restore it.

Each open document has a session id. While it has unsaved changes its project is written every
``interval_ms`` (only when it changed since the last autosave) to ``<recovery dir>/<session>.ddp.json``
with a ``<session>.meta.json`` beside it (original path, time, name). A ``<session>.lock`` QLockFile is held
while the window lives; a clean close, a save, New or Open removes the recovery files. Restored work is
written to this session's own recovery file at once (before the orphan it came from is removed), so it
stays recoverable until it is saved. An autosave that fails says why (``failed``), once per reason. At the next start, a
recovery file whose lock can be taken (its process is gone) is an orphan from a crash.
The recovery dir is ``platformdirs.user_data_dir("dagster-designer")/recovery`` (tests: XDG_DATA_HOME).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QTimer, Signal

from dagster_designer_qt.core import fileformat
from dagster_designer_qt.core.errors import DesignerError
from dagster_designer_qt.core.model import Project, new_id, utc_now_iso
from dagster_designer_qt.services.atomic import atomic_write_text

AUTOSAVE_MS = 30_000
_log = logging.getLogger(__name__)


def default_folder() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("dagster-designer", appauthor=False)) / "recovery"


@dataclass
class RecoveryEntry:
    session: str
    data_path: Path
    meta_path: Path
    original_path: str | None
    saved_at: str
    name: str

    def load(self) -> Project:
        return fileformat.loads(self.data_path.read_bytes(), str(self.data_path))

    def discard(self) -> None:
        for path in (self.data_path, self.meta_path, self.data_path.with_name(f"{self.session}.lock")):
            try:
                path.unlink()
            except OSError:
                pass


def find_orphans(folder: Path | None = None) -> list[RecoveryEntry]:
    """Recovery files left by sessions that are no longer running (newest first)."""
    folder = folder or default_folder()
    if not folder.is_dir():
        return []
    out = []
    for meta_path in folder.glob("*.meta.json"):
        session = meta_path.name[: -len(".meta.json")]
        lock = QLockFile(str(folder / f"{session}.lock"))
        lock.setStaleLockTime(0)
        if not lock.tryLock(0):
            continue  # a running window owns it
        lock.unlock()
        data_path = folder / f"{session}.ddp.json"
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
        if not data_path.is_file():
            RecoveryEntry(session, data_path, meta_path, None, "", "").discard()
            continue
        out.append(RecoveryEntry(session, data_path, meta_path, meta.get("original_path"),
                                 str(meta.get("saved_at", "")), str(meta.get("name", ""))))
    out.sort(key=lambda e: e.saved_at, reverse=True)
    return out


class RecoveryManager(QObject):
    autosaved = Signal(str)  # path of the recovery file
    failed = Signal(str)  # why an autosave failed (shown once until an autosave succeeds again)

    def __init__(self, document, folder: Path | None = None, interval_ms: int = AUTOSAVE_MS,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.document = document
        self.folder = Path(folder) if folder else default_folder()
        self.session = new_id()
        self.data_path = self.folder / f"{self.session}.ddp.json"
        self.meta_path = self.folder / f"{self.session}.meta.json"
        self._lock: QLockFile | None = None
        self._changed = False
        self._dead = False
        self._last_failure: str | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.autosave)
        self.timer.start()
        document.undo_stack.indexChanged.connect(self._on_changed)
        document.undo_stack.cleanChanged.connect(self._on_clean_changed)
        document.project_replaced.connect(lambda _p: self.discard())

    def _on_changed(self, _index: int) -> None:
        self._changed = True

    def _on_clean_changed(self, clean: bool) -> None:
        if clean:
            self.discard(modified=False)
        elif self.document.undo_stack.count() == 0:
            # Modified without an edit: restored work (or another copy not on disk). Write its recovery
            # file now, before the orphan it came from is discarded, so a second crash loses nothing.
            self._changed = True
            self.autosave()

    def _ensure_lock(self) -> None:
        if self._lock is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._lock = QLockFile(str(self.folder / f"{self.session}.lock"))
            self._lock.setStaleLockTime(0)
            self._lock.tryLock(0)

    def autosave(self) -> bool:
        """Write the recovery file now if there are unsaved changes not yet autosaved."""
        if self._dead or not self.document.is_modified() or not self._changed:
            return False
        try:
            self._ensure_lock()
            atomic_write_text(self.data_path, fileformat.dumps(self.document.project))
            path = self.document.path
            meta = {"original_path": str(path) if path else None, "saved_at": utc_now_iso(),
                    "name": self.document.display_name(), "pid": os.getpid()}
            atomic_write_text(self.meta_path, json.dumps(meta))
        except (OSError, DesignerError) as exc:  # never in the way, never silent
            message = f"Autosave failed: {exc}"
            if message != self._last_failure:
                self._last_failure = message
                _log.warning("%s", message)
                self.failed.emit(message)
            return False
        self._last_failure = None
        self._changed = False
        self.autosaved.emit(str(self.data_path))
        return True

    def discard(self, modified: bool | None = None) -> None:
        if self._dead:
            return
        self._changed = self.document.is_modified() if modified is None else modified
        for path in (self.data_path, self.meta_path):
            try:
                path.unlink()
            except OSError:
                pass

    def close(self) -> None:
        """A normal end: no recovery files stay behind."""
        self.timer.stop()
        self.discard()
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None

    def suspend(self) -> None:
        """The app quits while this window is still open (it was never asked to close, so nobody was asked
        about saving): write the latest unsaved changes and leave the recovery files for the next start."""
        self.autosave()
        self.timer.stop()
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None
        self._dead = True

    def simulate_crash(self) -> None:
        """Tests: stop like a crashed process would (files stay, lock released)."""
        self.timer.stop()
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None
        self._dead = True
