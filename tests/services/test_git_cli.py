"""`dagster-designer git ...` through cli.main, against real repositories (and the basic-auth server)."""

from __future__ import annotations

import pytest
from gitutil import *  # noqa: F401,F403 - fixtures
from gitutil import assert_no_secret, make_bare, run_git

from dagster_designer_qt import cli
from dagster_designer_qt.services import git_service as g
from dagster_designer_qt.services.git_errors import TOKEN_ENV, USERNAME_ENV
from dagster_designer_qt.services.project_store import new_project, save_project

pytestmark = pytest.mark.usefixtures("isolated_git_config", "warm_registry")

AUTHOR = ["--author-name", "CLI Person", "--author-email", "cli@example.com"]


@pytest.fixture
def project_file(tmp_path):
    path = tmp_path / "analytics.ddp.json"
    save_project(new_project("Analytics Pipeline"), path)
    return path


def test_commit_exports_with_real_codegen_and_pushes(tmp_path, project_file, capsys):
    bare = make_bare(tmp_path / "remote.git", files={"README.md": "hi\n"})
    wc = g.clone(str(bare), tmp_path / "wc")
    code = cli.main(["git", "commit", str(project_file), "--repo", str(wc.path), "--subdir", "dagster",
                     "-m", "Export analytics", "--push", *AUTHOR])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "committed" in out.out and "pushed main to origin" in out.out
    files = set(run_git("ls-tree", "-r", "--name-only", "main", cwd=bare).splitlines())
    assert "dagster/pyproject.toml" in files and "dagster/.dagster-designer.json" in files
    assert run_git("log", "-1", "--format=%an|%s", "main", cwd=bare) == "CLI Person|Export analytics"


def test_commit_twice_is_nothing_to_commit(tmp_path, project_file, capsys):
    bare = make_bare(tmp_path / "remote.git", files={"README.md": "hi\n"})
    wc = g.clone(str(bare), tmp_path / "wc")
    args = ["git", "commit", str(project_file), "--repo", str(wc.path), "-m", "x", *AUTHOR]
    assert cli.main(args) == 0
    capsys.readouterr()
    assert cli.main(args) == 0
    assert "nothing to commit" in capsys.readouterr().out


def test_default_subdir_is_the_package_name(tmp_path, project_file):
    bare = make_bare(tmp_path / "remote.git", files={"README.md": "hi\n"})
    wc = g.clone(str(bare), tmp_path / "wc")
    assert cli.main(["git", "commit", str(project_file), "--repo", str(wc.path), "-m", "x", *AUTHOR]) == 0
    assert (wc.path / "analytics_pipeline" / "pyproject.toml").is_file()


def test_commit_on_a_new_branch(tmp_path, project_file):
    bare = make_bare(tmp_path / "remote.git", files={"README.md": "hi\n"})
    wc = g.clone(str(bare), tmp_path / "wc")
    code = cli.main(["git", "commit", str(project_file), "--repo", str(wc.path), "-m", "x",
                     "--branch", "designer", "--push", *AUTHOR])
    assert code == 0
    assert "designer" in run_git("branch", "--list", cwd=bare)
    assert run_git("rev-parse", "main", cwd=bare) != run_git("rev-parse", "designer", cwd=bare)


def test_user_errors_print_one_line_and_exit_1(tmp_path, project_file, capsys):
    bare = make_bare(tmp_path / "remote.git", files={"README.md": "hi\n"})
    wc = g.clone(str(bare), tmp_path / "wc")
    (wc.path / "README.md").write_text("dirty")
    code = cli.main(["git", "commit", str(project_file), "--repo", str(wc.path), "-m", "x", *AUTHOR])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("dagster-designer: error: export refused") and "README.md" in err
    assert "Traceback" not in err


def test_missing_author_is_reported(tmp_path, project_file, capsys):
    bare = make_bare(tmp_path / "remote.git", files={"README.md": "hi\n"})
    wc = g.clone(str(bare), tmp_path / "wc")
    assert cli.main(["git", "commit", str(project_file), "--repo", str(wc.path), "-m", "x"]) == 1
    assert "no commit author" in capsys.readouterr().err


def test_token_comes_from_the_environment(tmp_path, project_file, http_git, monkeypatch, capsys):
    bare = make_bare(http_git.root / "proj.git", files={"README.md": "hi\n"})
    monkeypatch.setenv(TOKEN_ENV, http_git.token)
    monkeypatch.setenv(USERNAME_ENV, http_git.username)
    assert cli.main(["git", "clone", http_git.url("proj.git"), str(tmp_path / "wc")]) == 0
    code = cli.main(["git", "commit", str(project_file), "--repo", str(tmp_path / "wc"), "-m", "x",
                     "--push", *AUTHOR])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert run_git("log", "-1", "--format=%s", "main", cwd=bare) == "x"
    assert http_git.token not in out.out + out.err
    assert_no_secret(http_git.token, tmp_path)


def test_wrong_token_from_environment_fails_cleanly(tmp_path, project_file, http_git, monkeypatch, capsys):
    make_bare(http_git.root / "proj.git", files={"README.md": "hi\n"})
    monkeypatch.setenv(TOKEN_ENV, "wrongtoken12345")
    code = cli.main(["git", "clone", http_git.url("proj.git"), str(tmp_path / "wc")])
    err = capsys.readouterr().err
    assert code == 1 and "authentication failed" in err and "wrongtoken12345" not in err
    assert not (tmp_path / "wc").exists()


def test_status_lists_changes(tmp_path, capsys):
    bare = make_bare(tmp_path / "remote.git", files={"README.md": "hi\n"})
    wc = g.clone(str(bare), tmp_path / "wc")
    (wc.path / "README.md").write_text("changed")
    assert cli.main(["git", "status", "--repo", str(wc.path)]) == 0
    assert capsys.readouterr().out.split() == ["modified", "README.md"]
