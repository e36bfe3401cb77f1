"""The Git dialog: clone/open a working copy, export the project into a subfolder, review the changes with
a diff, commit, push/pull with progress and cancel.

How the main window opens it (Git menu -> "Commit and Push..."):

    from dagster_designer_qt.ui.dialogs.git_dialog import GitDialog, GitSession

    session = context.extras.setdefault("git_session", GitSession())   # token lives here, in memory only
    dialog = GitDialog(lambda: document.project, parent=window, settings=context.settings, session=session)
    dialog.exec()      # or .show() for a non-modal window

``project_provider`` is called on the UI thread when the user exports; the project is snapshotted to text
there and generated into files on a worker thread, so later edits on the canvas cannot race the export.
``settings`` (a QSettings, optional) remembers the last working copy, subfolder, author and username -
never the token. ``session.credentials`` keeps the token for the rest of the app session.
All git work runs on a GitRunner worker thread; the worker functions get plain data only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from dagster_designer_qt.services.git_errors import Credentials

KEY_REPO = "git/repo_path"
KEY_SUBDIR = "git/subdir"
KEY_AUTHOR_NAME = "git/author_name"
KEY_AUTHOR_EMAIL = "git/author_email"
KEY_USERNAME = "git/username"
KEY_CLONE_URL = "git/clone_url"


@dataclass
class GitSession:
    """What outlives one dialog for the rest of the app session (memory only)."""

    credentials: Credentials | None = None


def _services():
    from dagster_designer_qt.services import git_service

    return git_service


class GitDialog(QDialog):
    def __init__(
        self,
        project_provider: Callable[[], Any],
        parent: QWidget | None = None,
        *,
        settings=None,
        session: GitSession | None = None,
        components_provider: Callable[[], Mapping[str, Any] | None] | None = None,
    ):
        super().__init__(parent)
        from dagster_designer_qt.ui.dialogs.git_worker import GitRunner

        self.setObjectName("gitDialog")
        self.setWindowTitle("Git: export, commit and push")
        self._project_provider = project_provider
        self._components_provider = components_provider
        self._settings = settings
        self.session = session or GitSession()
        self._repo_path: str | None = None
        self.last_error: str | None = None
        self.runner = GitRunner(self)
        self.runner.busy_changed.connect(self._on_busy)
        self.runner.progress.connect(self._on_progress)
        self._build()
        self._load_settings()
        self._prefill_from_project()
        self._update_enabled()

    # ------------------------------------------------------------------ building
    def _edit(self, name: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        return edit

    def _pane(self, parent: QWidget, title: str, name: str) -> tuple[QWidget, QVBoxLayout]:
        pane = QWidget(parent)
        layout = QVBoxLayout(pane)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        heading = QLabel(title, pane)
        heading.setObjectName(name)
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        layout.addWidget(heading)
        return pane, layout

    def _button(self, name: str, text: str, slot) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    def _build(self) -> None:
        root = QVBoxLayout(self)

        wc_box = QGroupBox("Working copy", self)
        wc_form = QFormLayout(wc_box)
        self.repo_edit = self._edit("gitRepoPathEdit", "folder of a git working copy")
        self.browse_button = self._button("gitBrowseButton", "Browse...", self._browse)
        self.open_button = self._button("gitOpenButton", "Open", self.open_working_copy)
        row = QHBoxLayout()
        row.addWidget(self.repo_edit, 1)
        row.addWidget(self.browse_button)
        row.addWidget(self.open_button)
        wc_form.addRow("Folder:", row)
        self.clone_url_edit = self._edit("gitCloneUrlEdit", "https://..., git@host:org/repo.git or a path")
        self.clone_button = self._button("gitCloneButton", "Clone", self.clone)
        row = QHBoxLayout()
        row.addWidget(self.clone_url_edit, 1)
        row.addWidget(self.clone_button)
        wc_form.addRow("Clone from:", row)
        self.branch_combo = QComboBox(self)
        self.branch_combo.setObjectName("gitBranchCombo")
        self.switch_button = self._button("gitSwitchBranchButton", "Switch", self.switch_branch)
        self.new_branch_edit = self._edit("gitNewBranchEdit", "new branch name")
        self.new_branch_edit.setAccessibleName("New branch name")
        self.new_branch_button = self._button("gitNewBranchButton", "Create", self.create_branch)
        row = QHBoxLayout()
        row.addWidget(self.branch_combo, 1)
        row.addWidget(self.switch_button)
        new_label = QLabel("or new:", self)
        new_label.setBuddy(self.new_branch_edit)
        row.addWidget(new_label)
        row.addWidget(self.new_branch_edit, 1)
        row.addWidget(self.new_branch_button)
        wc_form.addRow("Branch:", row)
        root.addWidget(wc_box)

        cred_box = QGroupBox("Credentials for https remotes (kept in memory for this session only)", self)
        cred_form = QFormLayout(cred_box)
        self.username_edit = self._edit("gitUsernameEdit", "username (optional for tokens)")
        self.token_edit = self._edit("gitTokenEdit", "personal access token or password")
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        cred_form.addRow("Username:", self.username_edit)
        cred_form.addRow("Token:", self.token_edit)
        root.addWidget(cred_box)

        export_row = QHBoxLayout()
        export_row.addWidget(QLabel("Export into subfolder:", self))
        self.subdir_edit = self._edit("gitSubdirEdit", "e.g. dagster/analytics ('.' = the root)")
        export_row.addWidget(self.subdir_edit, 1)
        self.export_button = self._button("gitExportButton", "Export", self.export)
        self.refresh_button = self._button("gitRefreshButton", "Refresh", self.refresh)
        export_row.addWidget(self.export_button)
        export_row.addWidget(self.refresh_button)
        root.addLayout(export_row)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        changes_pane, changes_layout = self._pane(splitter, "Changed files", "gitChangesHeading")
        self.change_list = QListWidget(changes_pane)
        self.change_list.setObjectName("gitChangeList")
        self.change_list.setAccessibleName("Changed files")
        self.change_list.currentItemChanged.connect(self._show_diff)
        changes_layout.addWidget(self.change_list, 1)
        diff_pane, diff_layout = self._pane(splitter, "Diff of the selected file", "gitDiffHeading")
        self.diff_view = QPlainTextEdit(diff_pane)
        self.diff_view.setAccessibleName("Diff")
        self.diff_view.setPlaceholderText("Open a working copy and Export: the changed files are listed on the "
                                          "left; choose one to see its diff here.")
        diff_layout.addWidget(self.diff_view, 1)
        self.diff_view.setObjectName("gitDiffView")
        self.diff_view.setReadOnly(True)
        self.diff_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.diff_view.setFont(QFont("monospace"))
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([380, 620])  # paths like src/<pkg>/defs/<component>/defs.yaml need the room
        self.change_list.setMinimumWidth(260)
        root.addWidget(splitter, 1)

        commit_box = QGroupBox("Commit", self)
        commit_form = QFormLayout(commit_box)
        self.author_name_edit = self._edit("gitAuthorNameEdit", "from git config if empty")
        self.author_email_edit = self._edit("gitAuthorEmailEdit", "from git config if empty")
        row = QHBoxLayout()
        row.addWidget(self.author_name_edit, 1)
        row.addWidget(self.author_email_edit, 1)
        commit_form.addRow("Author:", row)
        self.message_edit = QPlainTextEdit(self)
        self.message_edit.setObjectName("gitCommitMessageEdit")
        self.message_edit.setPlaceholderText("commit message")
        self.message_edit.setFixedHeight(70)
        self.message_edit.textChanged.connect(self._update_enabled)
        commit_form.addRow("Message:", self.message_edit)
        self.commit_button = self._button("gitCommitButton", "Commit", self.commit)
        commit_form.addRow("", self.commit_button)
        root.addWidget(commit_box)

        remote_row = QHBoxLayout()
        remote_label = QLabel("Remote:", self)
        remote_label.setObjectName("gitRemoteHeading")
        remote_row.addWidget(remote_label)
        self.pull_button = self._button("gitPullButton", "Pull", self.pull)
        self.push_button = self._button("gitPushButton", "Push", self.push)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setObjectName("gitProgressBar")
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setAccessibleName("Transfer progress")
        self.progress_bar.setToolTip("Progress of a pull or push")
        self.progress_bar.hide()  # an empty bar reads as a field without a label: shown while working
        self.cancel_button = self._button("gitCancelButton", "Cancel", self.cancel)
        remote_row.addWidget(self.pull_button)
        remote_row.addWidget(self.push_button)
        remote_row.addWidget(self.progress_bar, 1)
        remote_row.addWidget(self.cancel_button)
        root.addLayout(remote_row)

        self.status_label = QLabel(self)
        self.status_label.setObjectName("gitStatusLabel")
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        root.addWidget(self.status_label)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.setObjectName("gitButtonBox")
        buttons.rejected.connect(self.reject)
        root.addWidget(buttons)
        self.resize(900, 720)

    # ------------------------------------------------------------------ settings & plain data
    def _load_settings(self) -> None:
        s = self._settings
        if s is None:
            return
        self.repo_edit.setText(str(s.value(KEY_REPO, "") or ""))
        self.subdir_edit.setText(str(s.value(KEY_SUBDIR, "") or ""))
        self.author_name_edit.setText(str(s.value(KEY_AUTHOR_NAME, "") or ""))
        self.author_email_edit.setText(str(s.value(KEY_AUTHOR_EMAIL, "") or ""))
        self.username_edit.setText(str(s.value(KEY_USERNAME, "") or ""))
        self.clone_url_edit.setText(str(s.value(KEY_CLONE_URL, "") or ""))
        creds = self.session.credentials
        if creds is not None and creds.has_token:
            self.token_edit.setText(creds.token or "")
            if creds.username and not self.username_edit.text():
                self.username_edit.setText(creds.username)

    def project_git_settings(self) -> tuple[str, str]:
        """The project's own repository and branch (Project settings in the property panel)."""
        try:
            project = self._project_provider()
        except Exception:  # noqa: BLE001 - a dialog without a project still works
            return "", ""
        return (getattr(project, "git_repo", "") or "").strip(), (getattr(project, "git_branch", "") or "").strip()

    def _prefill_from_project(self) -> None:
        """The project's repository and branch come first: a local working copy fills Folder, a URL fills
        Clone from; the branch is chosen (or suggested as a new one) once the working copy is open."""
        from pathlib import Path

        repo, branch = self.project_git_settings()
        if repo:
            local = Path(repo).expanduser()
            if "://" not in repo and not repo.startswith("git@") and (local / ".git").exists():
                self.repo_edit.setText(str(local))
            else:
                self.clone_url_edit.setText(repo)
        self._wanted_branch = branch

    def _offer_project_branch(self) -> None:
        branch = getattr(self, "_wanted_branch", "")
        if not branch or self.branch_combo.currentText() == branch:
            return
        index = self.branch_combo.findText(branch)
        if index >= 0:
            self.branch_combo.setCurrentIndex(index)  # "Switch" goes to the project's branch
        elif not self.new_branch_edit.text():
            self.new_branch_edit.setText(branch)  # "Create" makes it

    def _save_settings(self) -> None:
        s = self._settings
        if s is None:
            return
        s.setValue(KEY_REPO, self.repo_edit.text().strip())
        s.setValue(KEY_SUBDIR, self.subdir_edit.text().strip())
        s.setValue(KEY_AUTHOR_NAME, self.author_name_edit.text().strip())
        s.setValue(KEY_AUTHOR_EMAIL, self.author_email_edit.text().strip())
        s.setValue(KEY_USERNAME, self.username_edit.text().strip())
        s.setValue(KEY_CLONE_URL, self.clone_url_edit.text().strip())
        s.sync()

    def credentials(self) -> Credentials | None:
        username = self.username_edit.text().strip() or None
        token = self.token_edit.text() or None
        if username is None and token is None:
            self.session.credentials = None
            return None
        creds = Credentials(username, token)
        self.session.credentials = creds
        return creds

    def _author(self):
        name = self.author_name_edit.text().strip()
        email = self.author_email_edit.text().strip()
        if not name and not email:
            return None
        return _services().Author(name, email)

    def subdir(self) -> str:
        return self.subdir_edit.text().strip()

    # ------------------------------------------------------------------ running jobs
    def _run(self, text: str, job, on_success: Callable[[Any], None] | None = None, network: bool = False,
             abandon: Callable[[], None] | None = None) -> None:
        self._network = network
        self.last_error = None
        self._set_status(text + "...")
        self.progress_bar.setRange(0, 0 if network else 1)
        self.progress_bar.setVisible(network)
        self._save_settings()

        def done(result, error):
            self.progress_bar.setRange(0, 1)
            self.progress_bar.setValue(0)
            self.progress_bar.hide()
            if error is not None:
                self._show_error(str(error))
                return
            if on_success is not None:
                on_success(result)

        if not self.runner.start(job, done, network=network, abandon=abandon):
            self._show_error("another git operation is still running")

    def _on_busy(self, busy: bool) -> None:
        self._update_enabled()

    def _on_progress(self, done: int, total: int, text: str) -> None:
        if total > 0:
            self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(min(done, total))
            self._set_status(f"{text}: {done}/{total}")

    def _set_status(self, text: str) -> None:
        self.status_label.setProperty("error", False)
        self.status_label.setStyleSheet("")
        self.status_label.setText(text)

    def _show_error(self, text: str) -> None:
        self.last_error = text
        self.status_label.setProperty("error", True)
        from dagster_designer_qt.ui.theme import message_color

        self.status_label.setStyleSheet(f"color: {message_color('error')};")
        self.status_label.setText(text)

    def _update_enabled(self) -> None:
        busy = self.runner.is_busy()
        has_repo = self._repo_path is not None
        for w in (self.open_button, self.clone_button, self.browse_button):
            w.setEnabled(not busy)
        for w in (self.export_button, self.refresh_button, self.push_button, self.pull_button,
                  self.switch_button, self.new_branch_button, self.branch_combo):
            w.setEnabled(not busy and has_repo)
        self.commit_button.setEnabled(
            not busy and has_repo and self.change_list.count() > 0 and bool(self.message_edit.toPlainText().strip())
        )
        self.cancel_button.setEnabled(busy and getattr(self, "_network", False))

    # ------------------------------------------------------------------ actions
    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Working copy", self.repo_edit.text())
        if folder:
            self.repo_edit.setText(folder)
            self.open_working_copy()

    def open_working_copy(self) -> None:
        path = self.repo_edit.text().strip()
        if not path:
            self._show_error("enter the folder of a git working copy (or clone one)")
            return
        subdir = self.subdir()

        def job(progress, cancel):
            git = _services()
            repo = git.open_repo(path)
            return str(repo.path), git.repo_info(repo), git.status(repo, subdir or None)

        self._run("Opening", job, self._opened)

    def clone(self) -> None:
        url = self.clone_url_edit.text().strip()
        dest = self.repo_edit.text().strip()
        creds = self.credentials()
        subdir = self.subdir()
        if not url:
            self._show_error("enter the URL or path of the repository to clone")
            return

        git = _services()
        target = dest or str(git.default_clone_dir(url))
        staging = git.clone_staging_path(target)  # the clone's own folder until it is complete

        def job(progress, cancel):
            repo = git.clone(url, target, credentials=creds, progress=progress, cancel=cancel, staging=staging)
            return str(repo.path), git.repo_info(repo), git.status(repo, subdir or None)

        def abandon():  # the clone was left stuck in a network read: nothing half-cloned stays behind
            git.discard_partial_clone(staging)  # never the target, which may be cloned again meanwhile

        self._run("Cloning", job, self._opened, network=True, abandon=abandon)

    def _opened(self, result) -> None:
        path, info, changes = result
        self._repo_path = path
        self.repo_edit.setText(path)
        self._save_settings()
        self._apply(info, changes)
        self._set_status(f"{path} on {self._branch_text(info)}")

    def _branch_text(self, info) -> str:
        return "a detached HEAD" if info.detached else f"branch {info.branch}"

    def _apply(self, info, changes) -> None:
        self.branch_combo.clear()
        self.branch_combo.addItems(list(info.branches))
        if info.branch:
            index = self.branch_combo.findText(info.branch)
            if index < 0:
                self.branch_combo.addItem(info.branch)
                index = self.branch_combo.count() - 1
            self.branch_combo.setCurrentIndex(index)
        self._offer_project_branch()
        self.change_list.clear()
        self.diff_view.clear()
        for change in changes:
            item = QListWidgetItem(f"{change.kind:<10} {change.path}")
            item.setData(Qt.ItemDataRole.UserRole, change.path)
            self.change_list.addItem(item)
        self._update_enabled()

    def _status_job(self):
        path, subdir = self._repo_path, self.subdir()

        def job(progress, cancel):
            git = _services()
            repo = git.open_repo(path)
            return git.repo_info(repo), git.status(repo, subdir or None)

        return job

    def refresh(self, message: str | None = None) -> None:
        if self._repo_path is None:
            return

        def shown(result):
            info, changes = result
            self._apply(info, changes)
            self._set_status(message or f"{len(changes)} change(s) in {self.subdir() or 'the working copy'}")

        self._run("Reading the status", self._status_job(), shown)

    def export(self) -> None:
        if self._repo_path is None:
            return
        from dagster_designer_qt.core import fileformat

        project_text = fileformat.dumps(self._project_provider())  # snapshot on the UI thread
        components = self._components_provider() if self._components_provider else None
        path, subdir = self._repo_path, self.subdir()

        def job(progress, cancel):
            git = _services()
            repo = git.open_repo(path)
            project = fileformat.loads(project_text)
            result = git.export_project(repo, project, subdir, components)
            return result, git.repo_info(repo), git.status(repo, subdir or None)

        def exported(res):
            result, info, changes = res
            self._apply(info, changes)
            self._set_status(
                f"exported into {result.subdir or 'the root'}: {len(result.written)} written, "
                f"{len(result.deleted)} removed, {len(result.unchanged)} unchanged; {len(changes)} change(s) to commit"
            )

        self._run("Exporting", job, exported)

    def _show_diff(self, current, previous=None) -> None:
        if current is None or self._repo_path is None:
            self.diff_view.clear()
            return
        path = current.data(Qt.ItemDataRole.UserRole)
        try:  # local and small: read on the UI thread
            text = _services().diff_file(self._repo_path, path)
        except Exception as exc:  # DesignerError, or a file that vanished
            text = f"cannot show the diff: {exc}"
        self.diff_view.setPlainText(text or "(no content change)")

    def commit(self) -> None:
        if self._repo_path is None:
            return
        message = self.message_edit.toPlainText()
        try:
            author = self._author()
        except Exception as exc:
            self._show_error(str(exc))
            return
        path, subdir = self._repo_path, self.subdir()

        def job(progress, cancel):
            git = _services()
            repo = git.open_repo(path)
            oid = git.commit(repo, message, author, paths=[subdir] if subdir else None)
            return oid, git.repo_info(repo), git.status(repo, subdir or None)

        def committed(res):
            oid, info, changes = res
            self.message_edit.clear()
            self._apply(info, changes)
            self._set_status(f"committed {oid[:10]} on {self._branch_text(info)}")

        self._run("Committing", job, committed)

    def push(self) -> None:
        if self._repo_path is None:
            return
        path, creds = self._repo_path, self.credentials()

        def job(progress, cancel):
            git = _services()
            repo = git.open_repo(path)
            git.push(repo, credentials=creds, progress=progress, cancel=cancel)
            return git.repo_info(repo).branch

        self._run("Pushing", job, lambda branch: self._set_status(f"pushed {branch} to origin"), network=True)

    def pull(self) -> None:
        if self._repo_path is None:
            return
        path, creds = self._repo_path, self.credentials()
        status_job = self._status_job()

        def job(progress, cancel):
            git = _services()
            result = git.pull(path, credentials=creds, progress=progress, cancel=cancel)
            return result, *status_job(progress, cancel)

        def pulled(res):
            result, info, changes = res
            self._apply(info, changes)
            self._set_status(f"pull: {result.status}")

        self._run("Pulling", job, pulled, network=True)

    def switch_branch(self) -> None:
        name = self.branch_combo.currentText().strip()
        if self._repo_path is None or not name:
            return
        self._branch_job("Switching branch", lambda git, repo: git.switch_branch(repo, name))

    def create_branch(self) -> None:
        name = self.new_branch_edit.text().strip()
        if self._repo_path is None:
            return
        self._branch_job("Creating branch", lambda git, repo: git.create_branch(repo, name, switch=True))
        self.new_branch_edit.clear()

    def _branch_job(self, text: str, action) -> None:
        path = self._repo_path
        status_job = self._status_job()

        def job(progress, cancel):
            git = _services()
            action(git, git.open_repo(path))
            return status_job(progress, cancel)

        def switched(res):
            info, changes = res
            self._apply(info, changes)
            self._set_status(f"on {self._branch_text(info)}")

        self._run(text, job, switched)

    def cancel(self) -> None:
        self.runner.cancel()
        self._set_status("cancelling...")

    def done(self, result: int) -> None:  # close/reject/accept: stop and wait for the worker
        if self.runner.is_busy():
            self.runner.shutdown(drop_result=False)  # a stuck network job is left behind after a grace
        self._save_settings()
        super().done(result)


__all__ = ["GitDialog", "GitSession"]
