"""A real app process killed with SIGKILL after autosave is restored at the next start; killed again right
after restoring (before any edit or save), the work is still offered the time after."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

DRIVER = Path(__file__).with_name("recovery_driver.py")


def _start(args, env):
    return subprocess.Popen([sys.executable, str(DRIVER), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, start_new_session=True)


def _wait_for(proc, word, timeout=120):
    import selectors

    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    import time

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if sel.select(timeout=1):
            line = proc.stdout.readline()
            if not line:
                break
            if line.startswith(word):
                return line.split()
            if line.startswith("ERROR"):
                pytest.fail(line)
    _kill(proc)
    pytest.fail(f"{word} not printed; stderr: {proc.stderr.read()[-2000:]}")


def _kill(proc):
    os.killpg(proc.pid, signal.SIGKILL)  # the app and any helper it started, as a crash would
    proc.wait(30)


@pytest.mark.slow
def test_sigkill_after_autosave_then_again_after_restore_still_recovers(_isolated_dirs):
    env = dict(os.environ)
    proc = _start(["edit", "3"], env)
    _wait_for(proc, "AUTOSAVED")
    _kill(proc)

    proc = _start(["restore"], env)
    assert _wait_for(proc, "RESTORED") == ["RESTORED", "3"]
    _kill(proc)  # a second crash before the restored work was edited or saved

    proc = _start(["restore"], env)
    assert _wait_for(proc, "RESTORED") == ["RESTORED", "3"]
    _kill(proc)
    recovery = Path(env["XDG_DATA_HOME"]) / "dagster-designer" / "recovery"
    assert len(list(recovery.glob("*.ddp.json"))) == 1  # one copy of the work, not one per crash
