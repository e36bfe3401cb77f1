"""User text reaches the terminal escaped: labels and file names with ANSI escapes or newlines cannot
recolour the terminal or forge extra output lines."""

import contextlib
import io

from dagster_designer_qt import cli
from dagster_designer_qt.core.model import Node, Project
from dagster_designer_qt.core.terminal import printable, printable_lines
from dagster_designer_qt.services.project_store import save_project

EVIL = "Evil\x1b[2J\x1b[31m\nforged: no problems\r\u202e"


def _run(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue(), err.getvalue()


def test_printable_escapes_control_characters():
    assert printable("a\x1b[31mb\nc\x7f\x9b\ud800\u202e") == "a\\x1b[31mb\\x0ac\\x7f\\x9b\\ud800\\u202e"
    assert printable_lines("one\ntwo\x1b") == "one\ntwo\\x1b"
    assert printable("plain é 中文") == "plain é 中文"


def test_validate_and_preview_escape_labels_and_file_names(tmp_path):
    project = Project(EVIL)
    project.graph.add_node(Node("a", "no.such.Component", EVIL, 0, 0, attributes={},
                                files={"evil\x1b[1m.sql": "select 1"}))
    path = tmp_path / "p.ddp.json"
    save_project(project, path)
    for argv in (["validate", str(path)], ["preview", str(path)]):
        code, out, err = _run(argv)
        for stream in (out, err):
            assert "\x1b" not in stream and "\r" not in stream and "\u202e" not in stream, (argv, stream)
            assert not any(line.startswith("forged") for line in stream.splitlines()), (argv, stream)
    code, out, err = _run(["validate", str(path)])
    assert code == 1 and "Evil\\x1b[2J\\x1b[31m\\x0aforged" in out
