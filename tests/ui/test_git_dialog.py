"""The Git dialog driven with qtbot against real repositories: clone, export, change list + diff, commit,
push to a local bare remote; a token push to the basic-auth HTTP server with a scan for the token."""

from __future__ import annotations

import threading

import pytest
from gitutil import *  # noqa: F401,F403 - fixtures
from gitutil import assert_no_secret, make_bare, run_git
from PySide6.QtCore import QSettings, Qt

from dagster_designer_qt.services.git_errors import GitCancelledError
from dagster_designer_qt.services.project_store import new_project, save_project
from dagster_designer_qt.ui.dialogs.git_dialog import GitDialog, GitSession

pytestmark = pytest.mark.usefixtures("isolated_git_config")


@pytest.fixture
def project():
    return new_project("Analytics Pipeline")


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def dialog(qtbot, project, settings):
    dlg = GitDialog(lambda: project, settings=settings)
    qtbot.addWidget(dlg)
    yield dlg
    dlg.runner.cancel()
    dlg.runner.wait(10_000)


def wait_idle(qtbot, dlg, timeout=20_000):
    qtbot.waitUntil(lambda: not dlg.runner.is_busy(), timeout=timeout)


def click(qtbot, dlg, name):
    from PySide6.QtWidgets import QPushButton

    button = dlg.findChild(QPushButton, name)
    assert button is not None and button.isEnabled(), f"{name} is not clickable"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, dlg)
    assert dlg.last_error is None, dlg.last_error


def changes(dlg):
    return [dlg.change_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(dlg.change_list.count())]


def test_clone_export_review_commit_push(qtbot, dialog, tmp_path):
    bare = make_bare(tmp_path / "remote.git", files={"README.md": "hello\n"})
    qtbot.keyClicks(dialog.clone_url_edit, str(bare))
    qtbot.keyClicks(dialog.repo_edit, str(tmp_path / "wc"))
    qtbot.keyClicks(dialog.subdir_edit, "dagster")
    click(qtbot, dialog, "gitCloneButton")
    assert (tmp_path / "wc" / "README.md").exists()
    assert dialog.branch_combo.currentText() == "main"
    assert not dialog.commit_button.isEnabled()

    click(qtbot, dialog, "gitExportButton")
    listed = changes(dialog)
    assert "dagster/pyproject.toml" in listed and "dagster/.dagster-designer.json" in listed

    row = listed.index("dagster/pyproject.toml")
    dialog.change_list.setCurrentRow(row)
    diff = dialog.diff_view.toPlainText()
    assert "+++ b/dagster/pyproject.toml" in diff and "+[project]" in diff

    qtbot.keyClicks(dialog.author_name_edit, "Dialog Person")
    qtbot.keyClicks(dialog.author_email_edit, "dialog@example.com")
    qtbot.keyClicks(dialog.message_edit, "Export analytics from the designer")
    click(qtbot, dialog, "gitCommitButton")
    assert changes(dialog) == []
    assert dialog.message_edit.toPlainText() == ""

    click(qtbot, dialog, "gitPushButton")
    assert run_git("log", "-1", "--format=%an|%s", "main", cwd=bare) == (
        "Dialog Person|Export analytics from the designer"
    )
    files = run_git("ls-tree", "-r", "--name-only", "main", cwd=bare).splitlines()
    assert "dagster/pyproject.toml" in files
    assert "pushed main" in dialog.status_label.text()


def test_open_existing_working_copy_and_show_errors(qtbot, dialog, tmp_path):
    bare = make_bare(tmp_path / "remote.git", files={"README.md": "hello\n"})
    wc = tmp_path / "wc"
    run_git("clone", "-q", str(bare), str(wc))
    (wc / "README.md").write_text("dirty\n")
    qtbot.keyClicks(dialog.repo_edit, str(wc))
    click(qtbot, dialog, "gitOpenButton")
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, dialog)
    assert dialog.last_error and "uncommitted changes" in dialog.last_error and "README.md" in dialog.last_error
    assert dialog.status_label.text() == dialog.last_error
    assert not (wc / "analytics_pipeline").exists() and not (wc / "dagster").exists()


def test_open_a_plain_folder_is_an_error(qtbot, dialog, tmp_path):
    qtbot.keyClicks(dialog.repo_edit, str(tmp_path))
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, dialog)
    assert "not a git working copy" in (dialog.last_error or "")
    assert not dialog.export_button.isEnabled()


def test_token_push_over_http_leaves_no_token_anywhere(qtbot, tmp_path, project, settings, http_git):
    bare = make_bare(http_git.root / "proj.git", files={"README.md": "hello\n"})
    project_file = tmp_path / "analytics.ddp.json"
    save_project(project, project_file)
    session = GitSession()
    dlg = GitDialog(lambda: project, settings=settings, session=session)
    qtbot.addWidget(dlg)
    qtbot.keyClicks(dlg.clone_url_edit, http_git.url("proj.git"))
    qtbot.keyClicks(dlg.repo_edit, str(tmp_path / "wc"))
    qtbot.keyClicks(dlg.username_edit, http_git.username)
    qtbot.keyClicks(dlg.token_edit, http_git.token)
    qtbot.keyClicks(dlg.subdir_edit, "dagster")
    click(qtbot, dlg, "gitCloneButton")
    click(qtbot, dlg, "gitExportButton")
    qtbot.keyClicks(dlg.author_name_edit, "Dialog Person")
    qtbot.keyClicks(dlg.author_email_edit, "dialog@example.com")
    qtbot.keyClicks(dlg.message_edit, "over http")
    click(qtbot, dlg, "gitCommitButton")
    click(qtbot, dlg, "gitPushButton")
    assert run_git("log", "-1", "--format=%s", "main", cwd=bare) == "over http"
    assert session.credentials is not None and session.credentials.token == http_git.token

    # a second dialog in the same session gets the token back from memory, not from settings
    dlg.close()
    again = GitDialog(lambda: project, settings=settings, session=session)
    qtbot.addWidget(again)
    assert again.token_edit.text() == http_git.token
    again.close()

    settings.sync()
    save_project(project, project_file)
    assert (tmp_path / "settings.ini").exists()
    assert_no_secret(http_git.token, tmp_path)  # working copy + .git, settings.ini, project file, server


def test_wrong_token_shows_authentication_error(qtbot, dialog, tmp_path, http_git):
    make_bare(http_git.root / "proj.git", files={"README.md": "hello\n"})
    qtbot.keyClicks(dialog.clone_url_edit, http_git.url("proj.git"))
    qtbot.keyClicks(dialog.repo_edit, str(tmp_path / "wc"))
    qtbot.keyClicks(dialog.token_edit, "wrongtoken98765")
    qtbot.mouseClick(dialog.clone_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, dialog)
    assert "authentication failed" in (dialog.last_error or "")
    assert "wrongtoken98765" not in dialog.last_error
    assert not (tmp_path / "wc").exists()
    assert_no_secret("wrongtoken98765", tmp_path)


def test_cancel_button_stops_a_network_job(qtbot, dialog):
    started = threading.Event()

    def slow_job(progress, cancel):
        started.set()
        for _ in range(1000):
            progress(1, 10, "pushing objects")
            if cancel():
                raise GitCancelledError()
            threading.Event().wait(0.01)
        return "finished"

    dialog._run("Pushing", slow_job, network=True)
    assert started.wait(5)
    qtbot.waitUntil(dialog.cancel_button.isEnabled, timeout=5000)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, dialog)
    assert dialog.last_error == "cancelled"
    assert not dialog.cancel_button.isEnabled()


def test_widgets_have_stable_object_names(dialog):
    from PySide6.QtWidgets import QWidget

    names = {w.objectName() for w in dialog.findChildren(QWidget)}
    for name in ("gitRepoPathEdit", "gitCloneUrlEdit", "gitCloneButton", "gitOpenButton", "gitSubdirEdit",
                 "gitExportButton", "gitChangeList", "gitDiffView", "gitCommitMessageEdit", "gitCommitButton",
                 "gitPushButton", "gitPullButton", "gitProgressBar", "gitCancelButton", "gitTokenEdit",
                 "gitUsernameEdit", "gitBranchCombo", "gitStatusLabel"):
        assert name in names, name


def test_headings_labels_and_the_projects_repository_and_branch_prefill_the_dialog(qtbot, tmp_path, settings):
    from PySide6.QtWidgets import QLabel

    bare = make_bare(tmp_path / "remote.git", files={"README.md": "hello\n"})
    project = new_project("Analytics Pipeline")
    project.git_repo, project.git_branch = f"file://{bare}", "feature"
    dlg = GitDialog(lambda: project, settings=settings)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.clone_url_edit.text() == f"file://{bare}"  # the project's own repository
    for name, text in (("gitChangesHeading", "Changed files"), ("gitDiffHeading", "Diff of the selected file"),
                       ("gitRemoteHeading", "Remote:")):
        assert dlg.findChild(QLabel, name).text() == text
    assert dlg.diff_view.placeholderText()
    assert not dlg.progress_bar.isVisible()  # no empty, unlabelled bar next to Push while idle
    buddies = {label.buddy() for label in dlg.findChildren(QLabel)}
    assert dlg.new_branch_edit in buddies  # the field beside Switch says what it is

    qtbot.keyClicks(dlg.repo_edit, str(tmp_path / "wc"))
    click(qtbot, dlg, "gitCloneButton")
    # the clone has no "feature" branch: Create is offered with the project's branch name
    assert dlg.new_branch_edit.text() == "feature"
    run_git("-C", str(tmp_path / "wc"), "branch", "release")

    other = new_project("Other")
    other.git_repo, other.git_branch = str(tmp_path / "wc"), "release"
    fresh = QSettings(str(tmp_path / "fresh.ini"), QSettings.Format.IniFormat)  # no remembered folder
    again = GitDialog(lambda: other, settings=fresh)
    qtbot.addWidget(again)
    assert again.repo_edit.text() == str(tmp_path / "wc")  # a local working copy fills Folder
    click(qtbot, again, "gitOpenButton")
    assert again.branch_combo.currentText() == "release"  # Switch goes to the project's branch
    for d in (dlg, again):
        d.runner.cancel()
        d.runner.wait(10_000)
