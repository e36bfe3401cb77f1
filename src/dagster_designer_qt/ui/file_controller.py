"""File handling for one window: New/Open/Save/Save As with unsaved-changes prompts, recent files,
Export/Export as ZIP (off the UI thread), and the crash-recovery offer.

Every question to the user goes through ``Prompts``, whose methods tests replace
(``window.prompts.ask_save_changes = lambda name: "discard"``), so no test ever blocks on a modal dialog.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from dagster_designer_qt.core import fileformat
from dagster_designer_qt.core.errors import DesignerError, ProjectFileError
from dagster_designer_qt.services import project_store
from dagster_designer_qt.ui import settings as ui_settings
from dagster_designer_qt.ui.recovery import RecoveryEntry, find_orphans
from dagster_designer_qt.ui.workers import run_in_background

PROJECT_FILTER = "Dagster Designer projects (*.ddp.json *.json);;All files (*)"
ZIP_FILTER = "ZIP archives (*.zip)"


def slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name.strip()).strip("_").lower() or "project"


class Prompts:
    """The window's dialogs. Each method can be replaced by a plain function in tests."""

    def __init__(self, parent: QWidget):
        self.parent = parent

    def ask_save_changes(self, name: str) -> str:
        """"save", "discard" or "cancel"."""
        box = QMessageBox(QMessageBox.Icon.Warning, "Unsaved changes",
                          f"Do you want to save the changes to “{name}”?",
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self.parent)
        box.setInformativeText("Your changes will be lost if you don't save them.")
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        return {QMessageBox.StandardButton.Save: "save",
                QMessageBox.StandardButton.Discard: "discard"}.get(QMessageBox.StandardButton(answer), "cancel")

    def ask_open_path(self, start_dir: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self.parent, "Open Project", start_dir, PROJECT_FILTER)
        return path or None

    def ask_save_path(self, suggested: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self.parent, "Save Project As", suggested, PROJECT_FILTER)
        return path or None

    def ask_export_dir(self, start_dir: str) -> str | None:
        path = QFileDialog.getExistingDirectory(self.parent, "Export Dagster Project To Folder", start_dir)
        return path or None

    def ask_export_target(self, start_dir: str, name: str) -> str | None:
        """The export folder, chosen as a parent folder plus a project folder name."""
        from dagster_designer_qt.ui.dialogs.export_dialog import ExportDialog

        dialog = ExportDialog(start_dir, name, self.parent)
        return dialog.target() if dialog.exec() == ExportDialog.DialogCode.Accepted else None

    def offer_open_folder(self, target: str, open_folder) -> None:
        """The export succeeded: say where, with an "Open Folder" button (calls ``open_folder``). Not
        blocking: the window stays usable while the message is up."""
        box = QMessageBox(QMessageBox.Icon.Information, "Export finished",
                          f"The Dagster project was exported to\n{target}", QMessageBox.StandardButton.Close,
                          self.parent)
        box.setObjectName("exportFinished")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        open_button = box.addButton("Open Folder", QMessageBox.ButtonRole.AcceptRole)
        open_button.clicked.connect(open_folder)
        box.setDefaultButton(open_button)
        box.open()

    def ask_zip_path(self, suggested: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self.parent, "Export as ZIP", suggested, ZIP_FILTER)
        return path or None

    def ask_overwrite(self, message: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, "Update the folder?",
                          f"{message}\n\nUpdate it? Files Dagster Designer generates are replaced "
                          "and ones it no longer generates are removed; everything else "
                          "(.git, .env, files you added) is kept.", QMessageBox.StandardButton.Cancel,
                          self.parent)
        update = box.addButton("Update Folder", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is update

    def ask_restore(self, entry: RecoveryEntry) -> bool:
        where = entry.original_path or "an unsaved project"
        answer = QMessageBox.question(
            self.parent, "Restore unsaved work?",
            f"Dagster Designer did not close normally. Unsaved changes to “{entry.name}” ({where}) were "
            f"recovered from {entry.saved_at}.\n\nRestore them?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Discard,
            QMessageBox.StandardButton.Yes)
        return answer == QMessageBox.StandardButton.Yes

    def ask_text(self, title: str, label: str, value: str) -> str | None:
        from PySide6.QtWidgets import QInputDialog

        text, ok = QInputDialog.getText(self.parent, title, label, text=value)
        return text if ok else None

    def ask_project_folder(self, start_dir: str) -> str | None:
        path = QFileDialog.getExistingDirectory(self.parent, "Open Dagster Project", start_dir)
        return path or None

    def ask_remove_files(self, files: list[str]) -> bool:
        shown = "\n".join(files[:15]) + (f"\n… and {len(files) - 15} more" if len(files) > 15 else "")
        answer = QMessageBox.question(
            self.parent, "Remove the files beside removed components?",
            f"These files were beside components you removed:\n\n{shown}\n\nRemove them too? "
            "(No keeps them in the project folder.)",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def show_error(self, title: str, message: str) -> None:
        QMessageBox.critical(self.parent, title, message)

    def show_info(self, title: str, message: str) -> None:
        QMessageBox.information(self.parent, title, message)


class FileController(QObject):
    recent_changed = Signal(list)
    status = Signal(str)
    export_finished = Signal(str, object)  # (target, error message or None)

    def __init__(self, document, settings, prompts: Prompts, registry=None, parent: QObject | None = None):
        super().__init__(parent)
        self.document = document
        self.settings = settings
        self.prompts = prompts
        self.registry = registry
        self._export_task = None

    # --------------------------------------------------------------- prompts
    def maybe_save(self) -> bool:
        """True when it's fine to drop the current project (saved, discarded or unmodified)."""
        if not self.document.is_modified():
            return True
        answer = self.prompts.ask_save_changes(self.document.display_name())
        if answer == "save":
            return self.save()
        return answer == "discard"

    def _start_dir(self) -> str:
        if self.document.path is not None:
            return str(self.document.path.parent)
        return ui_settings.last_dir(self.settings) or str(Path.home())

    # --------------------------------------------------------------- verbs
    def new_project(self) -> bool:
        if not self.maybe_save():
            return False
        self.document.new()
        self.status.emit("New project")
        return True

    def open_project(self, path: str | Path | None = None) -> bool:
        if not self.maybe_save():
            return False
        if path is None:
            path = self.prompts.ask_open_path(self._start_dir())
            if not path:
                return False
        try:
            self.document.open(path)
        except ProjectFileError as exc:
            self.prompts.show_error("Cannot open project", str(exc))
            if not Path(path).exists():
                self.recent_changed.emit(ui_settings.remove_recent_file(self.settings, str(Path(path).resolve())))
            return False
        self._remember(Path(path))
        self.status.emit(f"Opened {path}")
        return True

    def open_example(self, path: str | Path) -> bool:
        """Open a bundled example as an untitled copy: Save asks where, so nothing is ever written into
        the installed package or the app bundle."""
        if not self.maybe_save():
            return False
        try:
            project = project_store.load_project(path)
        except ProjectFileError as exc:
            self.prompts.show_error("Cannot open example", str(exc))
            return False
        self.document.replace_project(project, None)
        self.status.emit(f"Opened example {project.name} (an untitled copy: Save asks where to keep it)")
        return True

    def open_dagster_project(self, folder: str | Path | None = None) -> bool:
        """Open a Dagster project folder: its components become nodes; Save writes back into it."""
        if not self.maybe_save():
            return False
        if folder is None:
            folder = self.prompts.ask_project_folder(self._start_dir())
            if not folder:
                return False
        from dagster_designer_qt.services.importer import import_project
        from dagster_designer_qt.core.terminal import printable

        try:
            result = import_project(folder, components=self._components())
        except DesignerError as exc:
            self.prompts.show_error("Cannot open Dagster project", str(exc))
            return False
        self.document.replace_project(result.project, None)
        ui_settings.set_last_dir(self.settings, Path(folder).resolve().parent)
        notes = [f"• {p}" for p in result.problems] + [f"• {printable(w)}" for w in result.warnings]
        if notes:
            shown = "\n".join(notes[:20]) + (f"\n… and {len(notes) - 20} more" if len(notes) > 20 else "")
            self.prompts.show_info("Opened with problems",
                                   f"{len(result.problems)} file(s) could not be read and are left as they "
                                   f"are:\n\n{shown}")
        self.status.emit(f"Opened Dagster project {folder} (Save writes your changes back into it)")
        return True

    def _save_into_folder(self) -> bool:
        """A project opened from a folder: write the changes back into it first (only what changed)."""
        project = self.document.project
        if getattr(project, "source", None) is None:
            return True
        from dagster_designer_qt.services.save_in_place import remove_orphans, save_in_place

        try:
            plan = save_in_place(project, self._components())
            if plan.orphans and self.prompts.ask_remove_files(plan.orphans):
                remove_orphans(project.source.folder, plan.orphans)
        except (DesignerError, OSError) as exc:
            self.prompts.show_error("Cannot save into the project folder", str(exc))
            return False
        if plan.warnings:
            self.prompts.show_info("Saved with warnings", "\n".join(plan.warnings[:20]))
        return True

    def save(self) -> bool:
        if self.document.path is None:
            return self.save_as()
        return self._save_to(self.document.path)

    def save_as(self) -> bool:
        current = self.document.path
        suggested = str(current) if current else str(Path(self._start_dir()) / (
            slug(self.document.display_name()) + fileformat.FILE_SUFFIX))
        source = getattr(self.document.project, "source", None)
        if current is None and source is not None:  # beside the project folder, not in it (git stays clean)
            folder = Path(source.folder)
            suggested = str(folder.parent / (folder.name + fileformat.FILE_SUFFIX))
        path = self.prompts.ask_save_path(suggested)
        if not path:
            return False
        target = Path(path)
        if not target.name.endswith(".json"):
            target = target.with_name(target.name + fileformat.FILE_SUFFIX)
        return self._save_to(target)

    def _save_to(self, target: Path) -> bool:
        if not self._save_into_folder():
            return False
        try:
            self.document.save(target)
        except (DesignerError, OSError) as exc:
            self.prompts.show_error("Cannot save project", str(exc))
            return False
        self._remember(target)
        self.status.emit(f"Saved {target}")
        return True

    def _remember(self, path: Path) -> None:
        self.recent_changed.emit(ui_settings.add_recent_file(self.settings, path))
        ui_settings.set_last_dir(self.settings, path.resolve().parent)

    def recent_files(self) -> list[str]:
        return ui_settings.recent_files(self.settings)

    def clear_recent(self) -> None:
        ui_settings.clear_recent_files(self.settings)
        self.recent_changed.emit([])

    # --------------------------------------------------------------- export
    def _components(self):
        registry = self.registry
        if registry is None or not registry.is_loaded():
            return None
        return {c.type: c for c in registry.components()}

    def is_exporting(self) -> bool:
        return self._export_task is not None and self._export_task.is_running()

    def export_folder(self, out_dir: str | None = None, *, force: bool = False) -> bool:
        if out_dir is None:
            from dagster_designer_qt.ui.dialogs.export_dialog import suggested_folder_name

            out_dir = self.prompts.ask_export_target(self._start_dir(),
                                                     suggested_folder_name(self.document.project.name))
            if not out_dir:
                return False
        if not force and _non_empty_dir(out_dir):  # ask first; "No" cancels and nothing is written
            if not self.prompts.ask_overwrite(_not_empty_message(out_dir)):
                self.status.emit("Export cancelled")
                return False
            force = True
        return self._export("folder", out_dir, force)

    def open_folder(self, target: str) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))

    def export_zip(self, zip_path: str | None = None) -> bool:
        if zip_path is None:
            suggested = str(Path(self._start_dir()) / (slug(self.document.display_name()) + ".zip"))
            zip_path = self.prompts.ask_zip_path(suggested)
            if not zip_path:
                return False
        return self._export("zip", zip_path, False)

    def _export(self, kind: str, target: str, force: bool) -> bool:
        if self.is_exporting():
            self.status.emit("An export is already running")
            return False
        data = fileformat.project_to_dict(self.document.project)  # snapshot: edits may go on meanwhile
        components = self._components()
        self.status.emit(f"Exporting to {target}…")
        self._export_job = (kind, target)
        # A bound method, not a lambda: Qt drops the result if this controller is deleted meanwhile
        # (the window was closed during the export).
        self._export_task = run_in_background(
            _export_work, kind, data, target, force, components, on_done=self._on_export_done, name="export")
        return True

    def _on_export_done(self, _result, error) -> None:
        kind, target = self._export_job
        self._export_done(kind, target, error)

    def _export_done(self, kind: str, target: str, error) -> None:
        self._export_task = None
        if error is None:
            self.status.emit(f"Exported to {target}")
            self.export_finished.emit(target, None)
            if kind == "folder":
                self.prompts.offer_open_folder(target, lambda: self.open_folder(target))
            return
        message = str(error) if isinstance(error, DesignerError) else f"{type(error).__name__}: {error}"
        if kind == "folder" and "not empty" in message:  # filled meanwhile: ask, and "No" cancels
            if self.prompts.ask_overwrite(_not_empty_message(target)):
                self._export(kind, target, True)
            else:
                self.status.emit("Export cancelled")
                self.export_finished.emit(target, "cancelled")
            return
        message = _app_wording(message)
        self.status.emit("Export failed")
        self.prompts.show_error("Export failed", message)
        self.export_finished.emit(target, message)

    def wait_for_export(self, timeout: float = 30.0) -> None:
        if self._export_task is not None:
            self._export_task.wait(timeout)

    # --------------------------------------------------------------- recovery
    def offer_recovery(self, open_elsewhere=None) -> int:
        """Offer every orphaned recovery file; the first accepted one goes into this window (when it is
        empty and unmodified), others to ``open_elsewhere(project, original_path)``. Returns how many
        were restored."""
        restored = 0
        for entry in find_orphans():
            if not self.prompts.ask_restore(entry):
                entry.discard()
                continue
            try:
                project = entry.load()
            except (DesignerError, OSError) as exc:
                self.prompts.show_error("Cannot restore", str(exc))
                entry.discard()
                continue
            original = Path(entry.original_path) if entry.original_path else None
            here = (not self.document.is_modified() and self.document.graph.node_count() == 0
                    and restored == 0)
            if here or open_elsewhere is None:
                if not here and not self.maybe_save():
                    continue
                self.restore_into_document(project, original)
            else:
                open_elsewhere(project, original)
            entry.discard()
            restored += 1
        if restored:
            self.status.emit("Restored unsaved work")
        return restored

    def restore_into_document(self, project, original: Path | None) -> None:
        self.document.replace_project(project, original)
        self.document.undo_stack.resetClean()  # differs from the file on disk: modified


def _non_empty_dir(path: str) -> bool:
    try:
        return Path(path).is_dir() and any(Path(path).iterdir())
    except OSError:
        return False  # the export reports why it can't write there


def _not_empty_message(target: str) -> str:
    return f"The folder “{target}” already contains files."


def _app_wording(message: str) -> str:
    """Service messages speak to the command line ("use --force"); the window has its own buttons."""
    return re.sub(r"\s*\(use --force[^)]*\)", "", message).replace("--force", "updating the folder")


def _export_work(kind: str, data: dict, target: str, force: bool, components):
    from dagster_designer_qt.services import export

    project = fileformat.project_from_dict(data)
    if project.source is not None:  # opened from a folder: the whole project, with the designer's edits
        from dagster_designer_qt.services import project_copy

        if kind == "zip":
            return project_copy.copy_to_zip(project, target, components).path
        return project_copy.copy_to_folder(project, target, components).path
    if kind == "zip":
        return export.export_zip(project, target, components=components)
    return export.export_folder(project, target, force=force, components=components)
