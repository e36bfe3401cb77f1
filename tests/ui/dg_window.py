"""Shared by the window tests on opened Dagster project folders: writing a project, committing it, and the
real main window that opens it (prompts answered, unexpected messages fail the test)."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"))


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.email=t@t", "-c", "user.name=t", *args], cwd=root, check=True,
                          capture_output=True, text=True).stdout


def commit_all(root: Path) -> None:
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")


def window_fixture(qtbot, *, validation_ms: int | None = None):
    """Yields a shown main window with no project; a fixture body (``yield from window_fixture(qtbot)``).
    At teardown the window waits for its project-code job and discards its changes."""
    from shiboken6 import isValid

    from dagster_designer_qt.app import create_main_window
    from dagster_designer_qt.services import helper_server
    from test_main_window import make_context

    window = create_main_window(None, context=make_context())
    window.prompts.ask_save_changes = lambda name: "discard"
    window.prompts.show_error = lambda title, message: pytest.fail(f"unexpected error: {message}")
    window.prompts.show_info = lambda title, message: pytest.fail(f"unexpected note: {message}")
    qtbot.addWidget(window)
    if validation_ms is not None:
        window.validation._timer.setInterval(validation_ms)
    window.show()
    qtbot.waitExposed(window)
    yield window
    if isValid(window):
        window.prompts.ask_save_changes = lambda name: "discard"
        window.project_code.wait(60)
        window.document.undo_stack.setClean()
    helper_server.stop_all()


def node(window, label):
    return next(n for n in window.document.project.graph.iter_nodes() if n.label == label)
