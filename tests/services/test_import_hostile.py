"""Hostile folders to import (issue 16, section 2): each is one clear line on stderr, exit 1, no traceback,
no project file written, nothing written anywhere else."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dagster_designer_qt.cli import main
from dagster_designer_qt.services.importer import import_project


def component(defs: Path, text: str, folder: str = "comp") -> None:
    (defs / folder).mkdir(parents=True, exist_ok=True)
    (defs / folder / "defs.yaml").write_text(text)


def symlink_loop_root(base: Path) -> Path:
    os.symlink(base / "b", base / "a")
    os.symlink(base / "a", base / "b")
    return base / "a"


def symlink_loop_inside(base: Path) -> Path:
    defs = base / "defs"
    component(defs, "type: dagster.PythonScriptComponent\n")
    os.symlink(defs / "loop", defs / "loop")
    return defs


def recursive_alias(base: Path) -> Path:
    component(base / "defs", "type: x\nattributes:\n  a: &a [*a]\n")
    return base / "defs"


def deep_yaml(base: Path) -> Path:
    component(base / "defs", "type: x\nattributes:\n  a: " + "[" * 950 + "]" * 950 + "\n")
    return base / "defs"


def deep_folders(base: Path) -> Path:
    defs = base / "defs"
    path = str(defs)
    os.mkdir(path)
    for _ in range(1500):  # os.makedirs and os.walk recurse; this doesn't
        path = os.path.join(path, "d")
        os.mkdir(path)
    Path(path, "defs.yaml").write_text("type: x\n")
    return defs


def bad_file_name(base: Path) -> Path:
    defs = base / "defs"
    (defs / "comp").mkdir(parents=True)
    with open(os.path.join(os.fsencode(defs / "comp"), b"bad\xff.py"), "wb") as handle:
        handle.write(b"x = 1\n")
    component(defs, "type: x\n", folder="ok")
    with open(os.path.join(os.fsencode(defs), b"\xfe\xfe"), "wb") as handle:
        handle.write(b"")
    return defs


def unreadable(base: Path) -> Path:
    component(base / "defs", "type: x\n")
    (base / "defs" / "comp" / "defs.yaml").chmod(0)
    return base / "defs"


def not_a_regular_file(base: Path) -> Path:
    (base / "defs" / "comp").mkdir(parents=True)
    os.mkfifo(base / "defs" / "comp" / "defs.yaml")  # reading it would block forever
    return base / "defs"


def tool_dg_not_a_table(base: Path) -> Path:
    (base / "p").mkdir()
    (base / "p" / "pyproject.toml").write_text("[tool]\ndg = 5\n")
    return base / "p"


CASES = [
    (symlink_loop_root, "symlink loop"),
    (symlink_loop_inside, "loop: symlink not followed"),
    (recursive_alias, "refers to itself"),
    (deep_yaml, "nested too deeply"),
    (deep_folders, "nested more than 64 deep"),
    (bad_file_name, "not valid UTF-8"),
    pytest.param(unreadable, "Permission denied", marks=pytest.mark.skipif(
        os.geteuid() == 0, reason="root reads files whatever their mode")),
    (not_a_regular_file, "not a regular file"),
    (tool_dg_not_a_table, "'dg' must be a table"),
]


def listing(base: Path) -> list[str]:
    out, stack = [], [str(base)]
    while stack:
        folder = stack.pop()
        for entry in os.scandir(folder):
            out.append(entry.path)
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
    return sorted(out)


def remove_deep(base: Path) -> None:
    """Remove a folder tree deeper than shutil.rmtree's recursion allows (deepest first)."""
    for path in sorted(listing(base), key=len, reverse=True):
        if os.path.isdir(path) and not os.path.islink(path):
            os.rmdir(path)
        else:
            os.unlink(path)


@pytest.mark.parametrize("make, fragment", CASES)
def test_hostile_folder_is_one_clean_line(tmp_path, capsys, make, fragment):
    source = make(tmp_path)
    try:
        before = listing(tmp_path)
        out = tmp_path / "out.ddp.json"
        assert main(["import", str(source), "--out", str(out)]) == 1
        err = capsys.readouterr().err
        lines = err.strip().splitlines()
        assert len(lines) == 1 and fragment in lines[0] and "Traceback" not in err, err
        assert all(ch.isprintable() for ch in lines[0])
        assert not out.exists() and listing(tmp_path) == before
    finally:
        if make is deep_folders:
            remove_deep(tmp_path / "defs")


def test_bad_file_name_is_a_problem_and_the_rest_opens(tmp_path):
    result = import_project(bad_file_name(tmp_path))
    assert [n.label for n in result.project.graph.iter_nodes()] == ["ok"]
    assert sorted(str(p) for p in result.problems) == [
        "\\udcfe\\udcfe: file name is not valid UTF-8; skipped",
        "comp/bad\\udcff.py: file name is not valid UTF-8; skipped"]
