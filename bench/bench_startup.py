"""Start-up: process start to main window shown with a full palette, warm and cold registry cache.

Each run is a fresh process (what a user waits for) started through the app's own entry point
(``dagster-designer [FILE]``), timed from spawning it to the child saying the window is shown and its
palette lists every component type. Settings and caches live in a temp folder.
Target: <= 0.6 s with a warm cache, also for a project that uses its own .venv (issue 13).

Bytecode: a user's install has compiled .pyc files (pip compiles a wheel's modules at install; the
PyInstaller bundle ships bytecode), so each start here runs from bytecode too, whatever the caller's
``PYTHONDONTWRITEBYTECODE`` says: the children write and read it under a temporary ``PYTHONPYCACHEPREFIX``,
filled by one untimed start (which also runs the registry's helper process) before anything is timed. With
``PYTHONDONTWRITEBYTECODE=1`` and no .pyc files, every start would compile all the designer's sources
again (~0.3 s), a cost no user pays.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import row, summary  # noqa: E402

# The child starts the app the way the `dagster-designer [FILE]` command does (cli.main: argument parsing,
# logging, the single-instance server, the first window, the event loop) and says READY once the window is
# shown and its palette is full; with a project (argv[1]), once that palette is the project interpreter's.
CHILD = r"""
import sys, time
from dagster_designer_qt import app as app_module
project = sys.argv[1] if len(sys.argv) > 1 else None
deadline = time.monotonic() + 300
started = app_module.start_gui


def ready(window):
    registry = window.context.registry
    if project and not (registry.python() is not None and not registry.python().own
                        and registry.is_loaded() and registry.registry.last_source):
        return False
    return window.isVisible() and bool(window.palette.component_types(visible_only=False))


def start_gui(*args, **kwargs):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    window = started(*args, **kwargs)
    timer = QTimer(window)

    def poll():
        if ready(window):
            timer.stop()
            print("READY", len(window.palette.component_types(visible_only=False)), time.process_time(), flush=True)
            QApplication.instance().quit()
        elif time.monotonic() > deadline:
            sys.exit("palette never filled")

    timer.timeout.connect(poll)
    timer.start(1)
    return window


app_module.start_gui = start_gui
from dagster_designer_qt.cli import main
sys.exit(main(["gui", *sys.argv[1:]]))
"""


def _project_with_venv(folder: Path) -> Path:
    """A project file in a folder with a .venv: a real venv whose site-packages reaches this environment's
    (through a .pth line), so it has Dagster; only the interpreter differs, which is what is measured."""
    import site

    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder / ".venv")], check=True)
    target = next((folder / ".venv" / "lib").glob("python3*/site-packages"))
    (target / "designer-env.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    project = folder / "p.ddp.json"
    project.write_text('{"schema_version": 1, "name": "bench", "graph": {"nodes": [], "edges": []}}\n')
    return project


_PYCACHE: dict[str, str] = {}  # "prefix": the bytecode folder of this run (set by run())


_CPU: list[float] = []  # the process CPU time of each start at READY (seconds), in the order of the starts


def _start_once(home: Path, project: Path | None = None) -> float:
    env = dict(os.environ)
    env.update(QT_QPA_PLATFORM="offscreen", HOME=str(home), XDG_CONFIG_HOME=str(home / "config"),
               XDG_CACHE_HOME=str(home / "cache"), XDG_DATA_HOME=str(home / "data"))
    if "prefix" in _PYCACHE:  # run from bytecode, as an installed app does (see the module docstring)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = _PYCACHE["prefix"]
    env["DAGSTER_DESIGNER_NEW_INSTANCE"] = "1"  # never hand over to an app the user has running
    start = time.perf_counter()
    args = [sys.executable, "-c", CHILD, *([str(project)] if project else [])]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    proc.stdout.close()
    proc.wait(timeout=120)
    if not line.startswith("READY"):
        raise RuntimeError(f"start-up failed: {proc.stderr.read()[-500:]}")
    _CPU.append(float(line.split()[2]))
    return elapsed


def run(quick: bool = False) -> list[dict]:
    repeat_warm = 1 if quick else 7  # quick: proves each path runs (the suite runs it)
    repeat_cold = 1 if quick else 3
    with tempfile.TemporaryDirectory() as tmp:
        _PYCACHE["prefix"] = str(Path(tmp) / "pycache")
        (Path(tmp) / "bytecode-warmup").mkdir()
        _start_once(Path(tmp) / "bytecode-warmup")  # untimed: compiles what a start imports (and the helper)
        cold = []
        for i in range(repeat_cold):
            home = Path(tmp) / f"cold{i}"
            home.mkdir()
            cold.append(_start_once(home))
        warm_home = Path(tmp) / "cold0"  # its cache was filled by the first cold run
        loads = [os.getloadavg()[0]]
        _CPU.clear()
        warm = [_start_once(warm_home) for _ in range(repeat_warm)]
        warm_cpu = list(_CPU)
        project = _project_with_venv(Path(tmp) / "project")
        _start_once(warm_home, project)  # fills the venv's component cache
        _CPU.clear()
        warm_venv = [_start_once(warm_home, project) for _ in range(repeat_warm)]
        warm_venv_cpu = list(_CPU)
        loads.append(os.getloadavg()[0])
    _PYCACHE.clear()
    load = f"load average {min(loads):.1f}-{max(loads):.1f} on {os.cpu_count()} CPUs"
    return [
        row("start-up", "to full palette, warm cache", summary(warm), target=0.6),
        row("start-up", "project .venv palette, warm cache", summary(warm_venv), target=0.6,
            note="warm start with a project interpreter: a project whose folder has a .venv (its list)"),
        row("start-up", "to full palette, cold cache", summary(cold),
            note="includes rebuilding the component cache in a helper process"),
        # The process's own CPU time at READY: on a shared, loaded machine the fairer number (wall time
        # then includes waiting for a core); an idle machine's wall time is close to it.
        row("start-up", "  warm cache, process CPU at READY", summary(warm_cpu), note=load),
        row("start-up", "  project .venv, process CPU at READY", summary(warm_venv_cpu), note=load),
    ]


if __name__ == "__main__":
    from bench.__main__ import print_table

    print_table(run("--quick" in sys.argv))
