"""Start-up: process start to main window shown with a full palette, warm and cold registry cache.

Each run is a fresh process (what a user waits for), timed from spawning it to the child saying the
window is shown and its palette lists every component type. Settings and caches live in a temp folder.
Target: <= 0.6 s with a warm cache, also for a project that uses its own .venv (issue 13).
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

CHILD = r"""
import sys, time
from PySide6.QtWidgets import QApplication
from dagster_designer_qt.app import create_main_window
window = create_main_window()
window.show()
app = QApplication.instance()
deadline = time.monotonic() + 300
while not window.palette.component_types(visible_only=False):
    app.processEvents()
    if time.monotonic() > deadline:
        sys.exit("palette never filled")
    time.sleep(0.001)
app.processEvents()
print("READY", len(window.palette.component_types(visible_only=False)), flush=True)
"""


# The same, for a project whose folder has its own .venv: the window must show that interpreter's palette.
CHILD_PROJECT = r"""
import sys, time
from PySide6.QtWidgets import QApplication
from dagster_designer_qt.app import create_main_window
window = create_main_window(sys.argv[1])
window.show()
app = QApplication.instance()
deadline = time.monotonic() + 300
registry = window.context.registry
while not (registry.python() is not None and not registry.python().own and registry.is_loaded()
           and registry.registry.last_source and window.palette.component_types(visible_only=False)):
    app.processEvents()
    if time.monotonic() > deadline:
        sys.exit("palette never filled")
    time.sleep(0.001)
app.processEvents()
print("READY", len(window.palette.component_types(visible_only=False)), flush=True)
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


def _start_once(home: Path, project: Path | None = None) -> float:
    env = dict(os.environ)
    env.update(QT_QPA_PLATFORM="offscreen", HOME=str(home), XDG_CONFIG_HOME=str(home / "config"),
               XDG_CACHE_HOME=str(home / "cache"), XDG_DATA_HOME=str(home / "data"))
    start = time.perf_counter()
    args = [sys.executable, "-c", CHILD_PROJECT, str(project)] if project else [sys.executable, "-c", CHILD]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    proc.stdout.close()
    proc.wait(timeout=120)
    if not line.startswith("READY"):
        raise RuntimeError(f"start-up failed: {proc.stderr.read()[-500:]}")
    return elapsed


def run(quick: bool = False) -> list[dict]:
    repeat_warm = 3 if quick else 7
    repeat_cold = 1 if quick else 3
    with tempfile.TemporaryDirectory() as tmp:
        cold = []
        for i in range(repeat_cold):
            home = Path(tmp) / f"cold{i}"
            home.mkdir()
            cold.append(_start_once(home))
        warm_home = Path(tmp) / "cold0"  # its cache was filled by the first cold run
        warm = [_start_once(warm_home) for _ in range(repeat_warm)]
        project = _project_with_venv(Path(tmp) / "project")
        _start_once(warm_home, project)  # fills the venv's component cache
        warm_venv = [_start_once(warm_home, project) for _ in range(repeat_warm)]
    return [
        row("start-up", "to full palette, warm cache", summary(warm), target=0.6),
        row("start-up", "project .venv palette, warm cache", summary(warm_venv), target=0.6,
            note="opens a project whose folder has a .venv; its interpreter's list"),
        row("start-up", "to full palette, cold cache", summary(cold),
            note="includes rebuilding the component cache in a helper process"),
    ]


if __name__ == "__main__":
    from bench.__main__ import print_table

    print_table(run("--quick" in sys.argv))
