"""CLI exit codes: 0 success, 1 user error (one clear line, no traceback), 2 usage error."""

import json
import subprocess
import sys

import pytest

from dagster_designer_qt import __version__
from dagster_designer_qt.cli import main


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "dagster_designer_qt", *args],
                          capture_output=True, text=True, timeout=120)


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0
    assert __version__ in result.stdout


def test_new_writes_an_empty_project(tmp_path, capsys):
    out = tmp_path / "analytics.ddp.json"
    assert main(["new", "Analytics Pipeline", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["name"] == "Analytics Pipeline"
    assert data["schema_version"] == 1
    assert data["graph"] == {"nodes": [], "edges": []}


def test_new_refuses_to_overwrite(tmp_path, capsys):
    out = tmp_path / "p.ddp.json"
    out.write_text("keep me")
    assert main(["new", "P", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "already exists" in err and "Traceback" not in err
    assert out.read_text() == "keep me"


def test_new_into_missing_folder_is_a_user_error(tmp_path, capsys):
    assert main(["new", "P", "--out", str(tmp_path / "no" / "p.json")]) == 1
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_usage_error_exits_2():
    result = run_cli("new")
    assert result.returncode == 2
    assert "usage" in result.stderr


def test_unknown_option_exits_2():
    result = run_cli("new", "P", "--out", "x.json", "--bogus")
    assert result.returncode == 2


@pytest.mark.parametrize("command", ["validate", "export", "preview"])
def test_bad_project_file_is_one_line_error(tmp_path, command):
    bad = tmp_path / "bad.ddp.json"
    bad.write_text("{oops")
    args = [command, str(bad)]
    if command == "export":
        args += ["--out", str(tmp_path / "out")]
    result = run_cli(*args)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "not valid JSON" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
