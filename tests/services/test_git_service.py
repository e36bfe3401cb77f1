"""git_service against real repositories on disk (local bare remotes; no network)."""

from __future__ import annotations

import json

import pytest
from gitutil import *  # noqa: F401,F403 - fixtures
from gitutil import make_bare, run_git

from dagster_designer_qt.services import git_service as g
from dagster_designer_qt.services.git_errors import (
    GitConflictError,
    GitDetachedHeadError,
    GitDirtyError,
    GitDivergedError,
    GitError,
    GitNoAuthorError,
    GitNonFastForwardError,
    GitNotARepositoryError,
    GitNothingToCommitError,
    GitOverwriteError,
)
from dagster_designer_qt.services.git_export import MANIFEST_NAME

pytestmark = pytest.mark.usefixtures("isolated_git_config")

FILES = {
    "pyproject.toml": "[project]\nname = 'analytics'\n",
    "src/analytics/__init__.py": "",
    "src/analytics/defs.py": "x = 1\n",
}


@pytest.fixture
def remote(tmp_path):
    return make_bare(tmp_path / "remote.git", files={"README.md": "hello\n"})


@pytest.fixture
def wc(tmp_path, remote):
    return g.clone(str(remote), tmp_path / "wc")


def head_files(bare, branch="main"):
    return set(run_git("ls-tree", "-r", "--name-only", branch, cwd=bare).splitlines())


def snapshot(folder):
    """Every file under folder (including .git) -> bytes, to prove 'left as it was'."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "index"  # libgit2 may refresh the index stat cache
    }


# ------------------------------------------------------------------- open / clone
def test_clone_local_path_checks_out_files(wc):
    assert (wc.path / "README.md").read_text() == "hello\n"
    info = g.repo_info(wc)
    assert info.branch == "main" and not info.detached and info.remotes == ("origin",)


def test_clone_file_url(tmp_path, remote):
    repo = g.clone(f"file://{remote}", tmp_path / "viafile")
    assert (repo.path / "README.md").exists()


def test_clone_into_non_empty_folder_is_refused(tmp_path, remote):
    dest = tmp_path / "busy"
    dest.mkdir()
    (dest / "keep.txt").write_text("mine")
    with pytest.raises(GitError, match="not empty"):
        g.clone(str(remote), dest)
    assert [p.name for p in dest.iterdir()] == ["keep.txt"]


def test_clone_missing_source_leaves_no_folder(tmp_path):
    with pytest.raises(GitError):
        g.clone(str(tmp_path / "nope.git"), tmp_path / "dest")
    assert not (tmp_path / "dest").exists()


def test_cancelled_clone_leaves_no_folder(tmp_path, remote):
    calls = []

    def cancel():
        calls.append(1)
        return len(calls) > 1  # let the start pass, stop at the first progress report

    from dagster_designer_qt.services.git_errors import GitCancelledError

    with pytest.raises(GitCancelledError):
        g.clone(f"file://{remote}", tmp_path / "dest", cancel=cancel)
    assert not (tmp_path / "dest").exists()
    assert not any(p.name.startswith(".dest.") for p in tmp_path.iterdir())  # nor its staging folder


def test_clone_into_an_empty_folder_fills_it_and_a_failed_one_leaves_it_empty(tmp_path, remote):
    dest = tmp_path / "empty"
    dest.mkdir()
    with pytest.raises(GitError):
        g.clone(str(tmp_path / "nope.git"), dest)
    assert dest.is_dir() and list(dest.iterdir()) == []
    repo = g.clone(str(remote), dest)
    assert repo.path == dest.resolve() and (dest / "README.md").read_text() == "hello\n"
    assert g.repo_info(g.open_repo(dest)).branch == "main"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging folder left


def test_a_clone_whose_folder_was_filled_meanwhile_leaves_the_new_content(tmp_path, remote):
    """The clone is written beside its folder and moved in only once complete: a folder the user filled
    (cloned again) in the meantime is neither overwritten nor removed by this clone's failure."""
    dest = tmp_path / "dest"

    def progress(*_args):
        if not dest.exists():
            dest.mkdir()
            (dest / "mine.txt").write_text("the user's")

    with pytest.raises(GitError, match="not empty"):
        g.clone(f"file://{remote}", dest, progress=progress)
    assert [p.name for p in dest.iterdir()] == ["mine.txt"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_open_repo_refuses_plain_folder_and_bare(tmp_path, remote):
    with pytest.raises(GitNotARepositoryError, match="not a git working copy"):
        g.open_repo(tmp_path)
    with pytest.raises(GitNotARepositoryError, match="bare"):
        g.open_repo(remote)


def test_default_clone_dir_uses_repo_name(tmp_path):
    assert g.default_clone_dir("https://example.com/org/my-proj.git", tmp_path) == tmp_path / "my-proj"
    assert g.default_clone_dir("git@example.com:org/x.git", tmp_path) == tmp_path / "x"


# ------------------------------------------------------------------- export
def test_export_writes_files_and_manifest(wc):
    result = g.export_files(wc, "dagster/analytics", FILES)
    root = wc.path / "dagster" / "analytics"
    assert sorted(result.written) == sorted(FILES)
    for rel, text in FILES.items():
        assert (root / rel).read_text() == text
    manifest = json.loads((root / MANIFEST_NAME).read_text())
    assert sorted(manifest["files"]) == sorted(FILES)


def test_reexport_removes_files_no_longer_generated(wc, author):
    g.export_files(wc, "proj", FILES)
    g.commit(wc, "first", author)
    smaller = {k: v for k, v in FILES.items() if k != "src/analytics/defs.py"}
    result = g.export_files(wc, "proj", smaller)
    assert result.deleted == ["src/analytics/defs.py"]
    assert not (wc.path / "proj/src/analytics/defs.py").exists()
    kinds = {c.path: c.kind for c in g.status(wc)}
    assert kinds["proj/src/analytics/defs.py"] == "deleted"


def test_reexport_over_uncommitted_export_is_fine(wc):
    g.export_files(wc, "proj", FILES)
    g.export_files(wc, "proj", {**FILES, "src/analytics/defs.py": "x = 2\n"})
    assert (wc.path / "proj/src/analytics/defs.py").read_text() == "x = 2\n"


def test_export_refuses_to_overwrite_foreign_file(wc):
    (wc.path / "proj").mkdir()
    (wc.path / "proj" / "pyproject.toml").write_text("mine\n")
    before = snapshot(wc.path)
    with pytest.raises(GitOverwriteError) as info:
        g.export_files(wc, "proj", FILES)
    assert info.value.paths == ["proj/pyproject.toml"]
    assert "proj/pyproject.toml" in str(info.value) and "did not generate" in str(info.value)
    assert snapshot(wc.path) == before


def test_export_refuses_to_overwrite_hand_edited_file(wc, author):
    g.export_files(wc, "proj", FILES)
    g.commit(wc, "first", author)
    (wc.path / "proj/src/analytics/defs.py").write_text("hand edit\n")
    run_git("commit", "-qam", "hand edit", cwd=wc.path)
    before = snapshot(wc.path)
    with pytest.raises(GitOverwriteError) as info:
        g.export_files(wc, "proj", {**FILES, "src/analytics/defs.py": "x = 3\n"})
    assert info.value.paths == ["proj/src/analytics/defs.py"]
    assert snapshot(wc.path) == before


def test_export_refuses_to_delete_hand_edited_file(wc, author):
    g.export_files(wc, "proj", FILES)
    g.commit(wc, "first", author)
    (wc.path / "proj/src/analytics/defs.py").write_text("hand edit\n")
    run_git("commit", "-qam", "hand edit", cwd=wc.path)
    smaller = {k: v for k, v in FILES.items() if k != "src/analytics/defs.py"}
    with pytest.raises(GitOverwriteError, match="defs.py"):
        g.export_files(wc, "proj", smaller)
    assert (wc.path / "proj/src/analytics/defs.py").read_text() == "hand edit\n"


def test_export_adopts_identical_existing_file(wc):
    (wc.path / "proj").mkdir()
    (wc.path / "proj" / "pyproject.toml").write_text(FILES["pyproject.toml"])
    result = g.export_files(wc, "proj", FILES)
    assert "pyproject.toml" in result.unchanged


def test_export_refuses_dirty_working_copy(wc):
    (wc.path / "README.md").write_text("local edit\n")
    before = snapshot(wc.path)
    with pytest.raises(GitDirtyError) as info:
        g.export_files(wc, "proj", FILES)
    assert info.value.paths == ["README.md"]
    assert "uncommitted changes" in str(info.value) and "README.md" in str(info.value)
    assert snapshot(wc.path) == before


def test_export_ignores_untracked_files_elsewhere(wc):
    (wc.path / "notes.txt").write_text("scratch")
    g.export_files(wc, "proj", FILES)


@pytest.mark.parametrize("subdir", ["../outside", "/abs", ".git", "a/../../b"])
def test_export_refuses_subdir_outside_working_copy(wc, subdir):
    with pytest.raises(GitError, match="subfolder"):
        g.export_files(wc, subdir, FILES)


def test_export_project_writes_exactly_what_codegen_generates(wc):
    from dagster_designer_qt.core.model import Node, Project
    from dagster_designer_qt.services.codegen import generate_files

    project = Project("Shop")
    project.graph.add_node(Node("a", "dagster.PythonScriptComponent", "Extract", 0, 0,
                                attributes={"execution": {"path": "run.py"}, "assets": [{"key": "raw"}]},
                                files={"run.py": "print(1)\n"}))
    g.export_project(wc, project, "proj")
    expected = generate_files(project)
    written = {p.relative_to(wc.path / "proj").as_posix(): p.read_text()
               for p in (wc.path / "proj").rglob("*") if p.is_file() and p.name != ".dagster-designer.json"}
    assert written == expected


# ------------------------------------------------------------------- status / diff
def test_status_and_diff_of_an_export(wc, author):
    g.export_files(wc, "proj", FILES)
    g.commit(wc, "first", author)
    g.export_files(wc, "proj", {**FILES, "src/analytics/defs.py": "x = 2\n", "new.py": "n\n"})
    changes = {c.path: c.kind for c in g.status(wc, "proj")}
    assert changes == {
        "proj/.dagster-designer.json": "modified",
        "proj/src/analytics/defs.py": "modified",
        "proj/new.py": "untracked",
    }
    diff = g.diff_file(wc, "proj/src/analytics/defs.py")
    assert "-x = 1\n" in diff and "+x = 2\n" in diff and "a/proj/src/analytics/defs.py" in diff
    assert "+n\n" in g.diff_file(wc, "proj/new.py")
    assert g.diff_file(wc, "README.md") == ""


def test_diff_of_binary_file(wc):
    (wc.path / "blob.bin").write_bytes(b"\0\1\2")
    assert "Binary" in g.diff_file(wc, "blob.bin")


# ------------------------------------------------------------------- commit
def test_commit_only_stages_the_given_folder(wc, author):
    g.export_files(wc, "proj", FILES)
    (wc.path / "scratch.txt").write_text("not mine")
    oid = g.commit(wc, "Export analytics", author, paths=["proj"])
    tree = run_git("show", "--name-only", "--format=%an <%ae>%n%s", oid, cwd=wc.path).splitlines()
    assert tree[0] == "Designer Test <designer@example.com>"
    assert tree[1] == "Export analytics"
    assert "scratch.txt" not in tree
    assert [c.path for c in g.status(wc)] == ["scratch.txt"]


def test_commit_records_deletions(wc, author):
    g.export_files(wc, "proj", FILES)
    g.commit(wc, "first", author)
    g.export_files(wc, "proj", {"pyproject.toml": FILES["pyproject.toml"]})
    oid = g.commit(wc, "second", author, paths=["proj"])
    files = set(run_git("ls-tree", "-r", "--name-only", oid, cwd=wc.path).splitlines())
    assert "proj/src/analytics/defs.py" not in files
    assert g.status(wc) == []


def test_commit_author_from_git_config(wc):
    run_git("config", "user.name", "Config Person", cwd=wc.path)
    run_git("config", "user.email", "config@example.com", cwd=wc.path)
    (wc.path / "x.txt").write_text("x")
    oid = g.commit(wc, "msg")
    assert run_git("log", "-1", "--format=%an %ae", oid, cwd=wc.path) == "Config Person config@example.com"


def test_commit_without_author_is_a_clear_error(wc):
    (wc.path / "x.txt").write_text("x")
    head = g.repo_info(wc).head
    with pytest.raises(GitNoAuthorError, match="user.name"):
        g.commit(wc, "msg")
    assert g.repo_info(wc).head == head


def test_commit_with_nothing_to_commit(wc, author):
    with pytest.raises(GitNothingToCommitError):
        g.commit(wc, "msg", author)


def test_commit_with_empty_message(wc, author):
    (wc.path / "x.txt").write_text("x")
    with pytest.raises(GitError, match="message is empty"):
        g.commit(wc, "  ", author)


def test_first_commit_in_empty_repository(tmp_path, author):
    bare = make_bare(tmp_path / "empty.git")
    repo = g.clone(str(bare), tmp_path / "wc")
    g.export_files(repo, "", FILES)
    g.commit(repo, "initial", author)
    branch = g.repo_info(repo).branch
    g.push(repo)
    assert "pyproject.toml" in head_files(bare, branch)


def test_detached_head_refuses_commit_and_push(wc, author):
    head = g.repo_info(wc).head
    run_git("checkout", "-q", "--detach", cwd=wc.path)
    (wc.path / "x.txt").write_text("x")
    with pytest.raises(GitDetachedHeadError, match="detached"):
        g.commit(wc, "msg", author)
    with pytest.raises(GitDetachedHeadError):
        g.push(wc)
    with pytest.raises(GitDetachedHeadError):
        g.pull(wc)
    assert g.repo_info(wc).head == head


# ------------------------------------------------------------------- push / pull with a local bare remote
def test_push_to_local_bare(wc, remote, author):
    g.export_files(wc, "proj", FILES)
    oid = g.commit(wc, "export", author, paths=["proj"])
    events = []
    g.push(wc, progress=lambda *a: events.append(a))
    assert run_git("rev-parse", "main", cwd=remote) == oid
    assert "proj/src/analytics/defs.py" in head_files(remote)


def test_non_fast_forward_push_is_refused(tmp_path, wc, remote, author):
    other = g.clone(str(remote), tmp_path / "other")
    (other.path / "theirs.txt").write_text("t")
    g.commit(other, "theirs", author)
    g.push(other)
    remote_head = run_git("rev-parse", "main", cwd=remote)
    (wc.path / "mine.txt").write_text("m")
    g.commit(wc, "mine", author)
    with pytest.raises(GitNonFastForwardError, match="pull first"):
        g.push(wc)
    assert run_git("rev-parse", "main", cwd=remote) == remote_head


def test_pull_fast_forwards(tmp_path, wc, remote, author):
    other = g.clone(str(remote), tmp_path / "other")
    (other.path / "theirs.txt").write_text("t")
    oid = g.commit(other, "theirs", author)
    g.push(other)
    result = g.pull(wc)
    assert result.status == "fast-forward" and result.head == oid
    assert (wc.path / "theirs.txt").read_text() == "t"
    assert g.pull(wc).status == "up-to-date"


def test_pull_refuses_dirty_working_copy(tmp_path, wc, remote, author):
    (wc.path / "README.md").write_text("edit")
    with pytest.raises(GitDirtyError, match="README.md"):
        g.pull(wc)


def test_pull_refuses_diverged_branch(tmp_path, wc, remote, author):
    other = g.clone(str(remote), tmp_path / "other")
    (other.path / "theirs.txt").write_text("t")
    g.commit(other, "theirs", author)
    g.push(other)
    (wc.path / "mine.txt").write_text("m")
    mine = g.commit(wc, "mine", author)
    with pytest.raises(GitDivergedError, match="diverged"):
        g.pull(wc)
    assert g.repo_info(wc).head == mine


def test_pull_refuses_to_overwrite_untracked_file(tmp_path, wc, remote, author):
    other = g.clone(str(remote), tmp_path / "other")
    (other.path / "theirs.txt").write_text("t")
    g.commit(other, "theirs", author)
    g.push(other)
    (wc.path / "theirs.txt").write_text("local, untracked")
    head = g.repo_info(wc).head
    with pytest.raises(GitConflictError, match="overwrite"):
        g.pull(wc)
    assert (wc.path / "theirs.txt").read_text() == "local, untracked"
    assert g.repo_info(wc).head == head


# ------------------------------------------------------------------- branches
def test_create_switch_and_push_branch(wc, remote, author):
    g.create_branch(wc, "designer/export")
    assert g.repo_info(wc).branch == "designer/export"
    (wc.path / "b.txt").write_text("b")
    oid = g.commit(wc, "on branch", author)
    g.push(wc)
    assert run_git("rev-parse", "designer/export", cwd=remote) == oid
    g.switch_branch(wc, "main")
    assert not (wc.path / "b.txt").exists()
    assert set(g.list_branches(wc)) == {"main", "designer/export"}


def test_switch_to_remote_only_branch_creates_tracking_branch(tmp_path, wc, remote, author):
    other = g.clone(str(remote), tmp_path / "other")
    g.create_branch(other, "feature")
    (other.path / "f.txt").write_text("f")
    g.commit(other, "feature", author)
    g.push(other)
    g.fetch(wc)
    g.switch_branch(wc, "feature")
    assert (wc.path / "f.txt").exists()
    assert g.repo_info(wc).branch == "feature"


@pytest.mark.parametrize("name", ["", "a..b", "-x", "has space", "end/", "x.lock"])
def test_invalid_branch_names(wc, name):
    with pytest.raises(GitError, match="not a valid branch name"):
        g.create_branch(wc, name)


def test_existing_branch_cannot_be_created_again(wc):
    with pytest.raises(GitError, match="already exists"):
        g.create_branch(wc, "main")


def test_export_refuses_a_subfolder_that_is_a_symlink_out_of_the_repo(tmp_path, wc):
    outside = tmp_path / "outside"
    outside.mkdir()
    (wc.path / "link").symlink_to(outside, target_is_directory=True)
    with pytest.raises(GitError, match="symlink"):
        g.export_files(wc, "link", FILES)
    assert list(outside.iterdir()) == []


def test_export_refuses_to_write_through_a_symlinked_folder(tmp_path, wc):
    outside = tmp_path / "outside"
    outside.mkdir()
    (wc.path / "proj").mkdir()
    (wc.path / "proj" / "src").symlink_to(outside, target_is_directory=True)
    with pytest.raises(GitOverwriteError, match="proj/src/analytics/defs.py"):
        g.export_files(wc, "proj", FILES)
    assert list(outside.iterdir()) == []
