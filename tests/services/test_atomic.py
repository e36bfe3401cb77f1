"""services.atomic: saves replace the file a symlink points to, refuse read-only files, follow the umask
and clean up temp files a killed save left behind."""

import os
import time

import pytest

from dagster_designer_qt.core.model import Project
from dagster_designer_qt.services.atomic import ReadOnlyFileError, atomic_write_text
from dagster_designer_qt.services.project_store import save_project
from dagster_designer_qt.core.errors import ProjectFileError


def test_a_symlinked_file_is_written_through_and_stays_a_link(tmp_path):
    real = tmp_path / "real" / "p.ddp.json"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "link.ddp.json"
    link.symlink_to(real)
    save_project(Project("new"), link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert '"name": "new"' in real.read_text()


def test_without_follow_symlinks_a_link_is_replaced_not_followed(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    link = tmp_path / "export" / "defs.yaml"
    link.parent.mkdir()
    link.symlink_to(outside)
    atomic_write_text(link, "generated")
    assert not link.is_symlink() and link.read_text() == "generated" and outside.read_text() == "secret"


def test_a_symlink_loop_is_an_error_not_a_hang(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.symlink_to(b)
    b.symlink_to(a)
    with pytest.raises(OSError):
        atomic_write_text(a, "x", follow_symlinks=True)


def test_a_read_only_file_is_refused_unless_asked(tmp_path):
    path = tmp_path / "p.ddp.json"
    path.write_text("keep")
    path.chmod(0o444)
    with pytest.raises(ReadOnlyFileError):
        atomic_write_text(path, "new")
    assert path.read_text() == "keep"
    with pytest.raises(ProjectFileError, match="read-only"):
        save_project(Project("x"), path)
    atomic_write_text(path, "new", overwrite_readonly=True)
    assert path.read_text() == "new" and (path.stat().st_mode & 0o777) == 0o444


@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_follows_the_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        atomic_write_text(tmp_path / "n.txt", "x")
    finally:
        os.umask(old)
    assert (tmp_path / "n.txt").stat().st_mode & 0o777 == mode


def test_an_existing_file_keeps_its_mode(tmp_path):
    path = tmp_path / "p"
    path.write_text("a")
    path.chmod(0o640)
    atomic_write_text(path, "b")
    assert path.stat().st_mode & 0o777 == 0o640


def test_stale_temp_files_of_a_killed_save_go_with_the_next_save(tmp_path):
    path = tmp_path / "p.ddp.json"
    stale = tmp_path / ".p.ddp.json.abc123.tmp"
    stale.write_text("half")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    fresh = tmp_path / ".p.ddp.json.inprogress.tmp"  # maybe another save right now: kept
    fresh.write_text("x")
    other = tmp_path / ".other.json.abc.tmp"
    other.write_text("x")
    os.utime(other, (old, old))
    atomic_write_text(path, "done")
    assert not stale.exists() and fresh.exists() and other.exists()
    assert path.read_text() == "done"
