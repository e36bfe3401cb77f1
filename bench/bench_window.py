"""The real main window at 1k / 5k / 20k nodes, next to the raw-QGraphicsScene baseline of bench_canvas.

The window is opened the way a user's double-click opens it: ``create_main_window(project_path=…)``
(warm component cache, real registry, live validation, every dock), shown, and its first frame painted.
Then, with validation settled (as a user would meet it after a moment): pan at 100 % (the app's Actual
Size), fit to window, drag one node, drag 500 nodes, and memory per node. The baseline is bench_canvas's
``Baseline``: a raw QGraphicsScene with default view settings, one plain painted item per node and one
cubic ``QGraphicsPathItem`` per edge whose path follows its nodes when they move (issue #19's raw scene).

Every repetition runs in a fresh process, window and baseline alternating, so imports, caches and the
allocator start from the same state; the ratio is window ÷ baseline from the same run. Session-wide fixed
costs happen before the clock starts in the window's process: imports, and Dagster's model classes for the
project's component types (what the first validation of a session loads, 2-3 s and tens of MB).

    python bench/bench_window.py [--quick]        # prints a table
    python -m bench --only window                  # through the suite
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))

from bench.common import row, summary  # noqa: E402

# Goals from issue #19, as ratios to the baseline measured in the same run.
RATIO_GOALS = {"open": 1.3, "pan": 1.5, "drag1": 1.5, "mem": 1.2}
OPEN_20K_ABSOLUTE = 1.5  # seconds


def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# ------------------------------------------------------------------ child process
class WindowCanvas:
    """The real main window, shaped like bench_canvas's canvases for the shared measurements."""

    def __init__(self, app):
        self.app = app

    def open(self, path: Path) -> None:
        from dagster_designer_qt.app import create_main_window

        self.window = create_main_window(project_path=str(path))
        self.window.prompts.ask_save_changes = lambda _name: "discard"
        self.window.show()
        self.app.processEvents()  # expose, run the queued fit, as the event loop would
        self.view = self.window.view
        self.scene = self.window.scene
        self.document = self.window.document
        self.view.viewport().repaint()

    def settle(self, timeout: float = 120.0) -> None:
        """Wait until live validation has applied its pass (its results are part of what a user sees)."""
        runner = self.window.validation
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.app.processEvents()
            if runner.is_idle() and runner.generation() > 0:
                break
            time.sleep(0.01)
        self.app.processEvents()


def _warm_validation(path: Path) -> None:
    """Import Dagster and build the model classes of the project's component types, as the app does once
    per session: a fixed cost of tens of MB that is not memory *per node*, nor part of opening a project."""
    from dagster_designer_qt.core.model import Node, Project
    from dagster_designer_qt.services.project_store import load_project
    from dagster_designer_qt.services.validation import validate_project
    from dagster_designer_qt.ui.registry_model import RegistryModel

    registry = RegistryModel()
    registry.start()
    types = sorted({n.component_type for n in load_project(path).graph.iter_nodes()})
    tiny = Project("warm-up")
    tiny.graph.load([Node(f"w{i}", t, f"w{i}") for i, t in enumerate(types)], [])
    validate_project(tiny, registry)


def child(kind: str, path: Path, n: int, frames: int) -> dict:
    from PySide6.QtWidgets import QApplication

    from bench import bench_canvas as bc
    from dagster_designer_qt.app import _application

    app = _application() if kind == "window" else (QApplication.instance() or QApplication([]))
    if kind == "window":
        import dagster_designer_qt.ui.main_window  # noqa: F401 - imports are start-up, not open
        _warm_validation(path)
        canvas = WindowCanvas(app)
    else:
        canvas = bc.Baseline(app)
    app.processEvents()
    before = _rss()
    start = time.perf_counter()
    canvas.open(path)
    opened = time.perf_counter() - start
    if kind == "window":
        canvas.settle()
    mem = (_rss() - before) / n
    out = {"open": opened, "mem": mem}
    out["pan"] = bc._pan(canvas, frames)["median"]
    out["fit"] = bc._fit(canvas, max(5, frames // 4))["median"]
    out["drag1"] = bc._drag(canvas, 1, frames)["median"]
    if kind == "window":
        canvas.settle()
        canvas.document.set_selection([])
    out["drag500"] = bc._drag(canvas, min(500, n), max(10, frames // 2))["median"]
    return out


# ------------------------------------------------------------------ parent
def _run_child(kind: str, path: Path, n: int, frames: int, home: Path) -> dict:
    env = dict(os.environ)
    env.update(QT_QPA_PLATFORM="offscreen", HOME=str(home), XDG_CONFIG_HOME=str(home / "config"),
               XDG_CACHE_HOME=str(home / "cache"), XDG_DATA_HOME=str(home / "data"),
               DAGSTER_HOME=str(home / "dagster_home"), DAGSTER_TELEMETRY_DISABLED="1")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    proc = subprocess.run([sys.executable, "-m", "bench.bench_window", "--child", kind, str(path), str(n),
                           str(frames)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    marker = proc.stdout.rfind("@@CHILD@@")
    if proc.returncode != 0 or marker < 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise RuntimeError(f"{kind} child failed: {' | '.join(tail)}")
    return json.loads(proc.stdout[marker + len("@@CHILD@@"):])


def _warm_cache(home: Path) -> None:
    """Fill the component cache once (the warm start a user has after the first run)."""
    env = dict(os.environ)
    env.update(QT_QPA_PLATFORM="offscreen", HOME=str(home), XDG_CONFIG_HOME=str(home / "config"),
               XDG_CACHE_HOME=str(home / "cache"), XDG_DATA_HOME=str(home / "data"))
    code = ("from dagster_designer_qt.ui.registry_model import RegistryModel\n"
            "m = RegistryModel(); m.start(); m.wait(600)\n"
            "import sys; sys.exit(0 if m.registry.load_cached() else 1)\n")
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=600, capture_output=True)


def _stats(values: list[float]) -> dict:
    return summary(values) if values else {"median": 0.0, "min": 0.0, "max": 0.0, "runs": 0}


def run(quick: bool = False, sizes: list[int] | None = None, repeat: int | None = None) -> list[dict]:
    from bench.bench_canvas import make_project_file

    sizes = sizes or ([1000] if quick else [1000, 5000, 20000])  # quick: proves the path runs, ~1 min
    repeat = repeat or (1 if quick else 3)
    frames = 10 if quick else 40
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        (home / "dagster_home").mkdir(parents=True)
        (home / "dagster_home" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
        _warm_cache(home)
        for n in sizes:
            path = make_project_file(n, Path(tmp))
            tag = f"{n // 1000}k"
            runs: dict[str, list[dict]] = {"window": [], "baseline": []}
            for _ in range(repeat):
                runs["window"].append(_run_child("window", path, n, frames, home))
                runs["baseline"].append(_run_child("baseline", path, n, frames, home))
            w = {k: _stats([r[k] for r in runs["window"]]) for k in runs["window"][0]}
            b = {k: _stats([r[k] for r in runs["baseline"]]) for k in runs["baseline"][0]}

            def add(key: str, name: str, unit: str = "s") -> None:
                base = b[key]["median"]
                r = row("window", name, w[key], unit, None, base or None)
                goal = RATIO_GOALS.get(key)
                if goal is not None and n >= 5000 and r.get("ratio") is not None:
                    r["met"] = r["ratio"] <= goal
                    r["note"] = f"goal ≤ {goal}× baseline"
                if key == "open" and n == 20000:
                    r["met"] = bool(r.get("met", True)) and w[key]["median"] < OPEN_20K_ABSOLUTE
                    r["note"] = f"goal ≤ {RATIO_GOALS['open']}× baseline and < {OPEN_20K_ABSOLUTE} s"
                rows.append(r)

            add("open", f"real window: open {tag} to first frame")
            add("pan", f"real window: pan frame {tag} (100%)")
            add("fit", f"real window: fit-to-window frame {tag}")
            add("drag1", f"real window: drag 1 node {tag} per move")
            add("drag500", f"real window: drag 500 nodes {tag} per move")
            add("mem", f"real window: memory per node {tag} (RSS)", "bytes")
    return rows


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        kind, path, n, frames = sys.argv[2], Path(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
        result = child(kind, path, n, frames)
        sys.stdout.write("\n@@CHILD@@" + json.dumps(result) + "\n")
        sys.stdout.flush()
        os._exit(0)  # skip teardown of 20k items: not part of any figure
    from bench.__main__ import print_table

    print_table(run("--quick" in sys.argv))
