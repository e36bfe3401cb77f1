"""Helper processes are stopped with what they started, from another thread, and never outlive run()."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from dagster_designer_qt.services import helper_process

# A helper that starts a grandchild (as the Dagster loader starts dbt), prints both pids, then waits.
SLEEPER = (
    "import pathlib, subprocess, sys, time\n"
    "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
    "pathlib.Path(sys.argv[1]).write_text(str(child.pid))\n"
    "time.sleep(60)\n"
)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _wait(condition, timeout=20.0):
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "condition not met in time"
        time.sleep(0.02)


def _start_sleeper(pid_file):
    outcome: dict = {}

    def work():
        outcome["ident"] = threading.get_ident()
        try:
            outcome["result"] = helper_process.run([sys.executable, "-c", SLEEPER, str(pid_file)], timeout=120)
        except BaseException as exc:  # noqa: BLE001 - recorded for the assertions
            outcome["error"] = exc

    thread = threading.Thread(target=work)
    thread.start()
    _wait(lambda: helper_process.running() and pid_file.exists() and pid_file.read_text())
    return thread, outcome, int(pid_file.read_text())


@pytest.fixture(autouse=True)
def _reopen():
    yield
    helper_process.reopen()


def test_run_returns_output_and_exit_code():
    done = helper_process.run([sys.executable, "-c", "import sys; print('hi'); sys.exit(3)"])
    assert (done.returncode, done.stdout.strip()) == (3, "hi")
    assert helper_process.running() == []


def test_stopping_a_threads_helper_ends_it_and_its_grandchild(tmp_path):
    thread, outcome, grandchild = _start_sleeper(tmp_path / "pid")
    pid = helper_process.running()[0]
    assert helper_process.stop(outcome["ident"]) == 1
    thread.join(15)
    assert not thread.is_alive()
    assert isinstance(outcome.get("error"), helper_process.HelperStopped)
    assert not _alive(pid)
    _wait(lambda: not _alive(grandchild))  # a grandchild is reaped by init once it is gone
    assert helper_process.running() == []


def test_stop_all_ends_every_helper_and_refuses_new_ones(tmp_path):
    thread, outcome, grandchild = _start_sleeper(tmp_path / "pid")
    pid = helper_process.running()[0]
    assert helper_process.stop_all()
    thread.join(15)
    assert isinstance(outcome.get("error"), helper_process.HelperStopped)
    assert not _alive(pid)
    _wait(lambda: not _alive(grandchild))
    with pytest.raises(helper_process.HelperStopped):
        helper_process.run([sys.executable, "-c", "pass"])


def test_a_timeout_leaves_no_process():
    with pytest.raises(subprocess.TimeoutExpired):
        helper_process.run([sys.executable, "-c", "import time; time.sleep(60)"], timeout=0.5)
    assert helper_process.running() == []
