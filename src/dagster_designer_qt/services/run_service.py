"""Run a project: export it to its run folder and materialize it in a helper process.

Where things live (``platformdirs.user_data_dir("dagster-designer")/runs/<project id>/``):

- ``project/``: the export the run uses. Each run updates it in place (``export_folder(force=True)``), so
  what the scripts write there (a DuckDB file, reports) and a ``.env`` the user adds are kept.
- ``dagster_home/``: the Dagster instance of this project (run history, event logs), unless the user's
  environment sets ``DAGSTER_HOME``: then that instance is used. Never ``~/.dagster`` otherwise.

The helper is ``run_helper.py`` (a standalone script: stdlib + dagster), started as
``PYTHON run_helper.py ROOT [--folder SLUG ...] [--upstream]`` with the project folder as working directory,
in its own process group, so Cancel ends it and every process it started. Its JSON lines come back as
dicts with ``node_id`` added. ``RunProcess`` is the streaming API (UI); ``run_project`` the blocking one
(CLI).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from dagster_designer_qt.core.errors import DesignerError
from dagster_designer_qt.services.codegen import env_vars_in, generate
from dagster_designer_qt.services.export import export_folder

RUN_HELPER = Path(__file__).with_name("run_helper.py")
DAGSTER_YAML = "telemetry:\n  enabled: false\n"


class RunError(DesignerError):
    """The run could not start (missing tool or variable, export failed); the message says what to do."""


# ------------------------------------------------------------------ places
def runs_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("dagster-designer", appauthor=False)) / "runs"


def run_folder(project: Any) -> Path:
    """The project's own run folder (its id is a uuid hex, never user text)."""
    pid = "".join(ch for ch in str(project.id) if ch.isalnum()) or "untitled"
    return runs_dir() / pid


def dagster_home(project: Any, environ: Mapping[str, str] | None = None) -> Path:
    """``$DAGSTER_HOME`` when the user set it, else the designer's instance folder for this project."""
    environ = os.environ if environ is None else environ
    if environ.get("DAGSTER_HOME"):
        return Path(environ["DAGSTER_HOME"])
    home = run_folder(project) / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        (home / "dagster.yaml").write_text(DAGSTER_YAML, encoding="utf-8")
    return home


# ------------------------------------------------------------------ preflight
def _read_dotenv_names(path: Path) -> set[str]:
    if not path.is_file():
        return set()
    names = set()
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            names.add(line.split("=", 1)[0].strip().removeprefix("export ").strip())
    return names


def _find_executable(name: str, python: str, environ: Mapping[str, str]) -> str | None:
    bin_dir = str(Path(python).parent)  # tools installed with the interpreter's packages live beside it
    return shutil.which(name, path=bin_dir + os.pathsep + environ.get("PATH", ""))


def _sling_binary(environ: Mapping[str, str]) -> str | None:
    """Where the ``sling`` package would find its binary without downloading it."""
    if environ.get("SLING_BINARY"):
        return environ["SLING_BINARY"] if Path(environ["SLING_BINARY"]).is_file() else None
    try:
        from importlib import metadata

        version = metadata.version("sling")
    except Exception:
        return None
    home = Path(environ["SLING_HOME_DIR"]) if environ.get("SLING_HOME_DIR") else Path.home() / ".sling"
    for name in ("sling", "sling.exe"):
        for folder in (home / "bin" / "sling" / version, home / "bin" / "sling" / f"v{version}"):
            if (folder / name).is_file():
                return str(folder / name)
    return None


def preflight(project: Any, root: Path | None = None, *, python: str | None = None,
              environ: Mapping[str, str] | None = None) -> list[str]:
    """What would make the run fail before Dagster even starts, as messages naming the node and the fix:
    an ``env('X')`` variable that is unset, a tool (dbt, sling) that is not installed."""
    environ = os.environ if environ is None else environ
    python = python or sys.executable
    known = set(environ) | (_read_dotenv_names(root / ".env") if root else set())
    problems: list[str] = []
    where = f" or in {root / '.env'}" if root else ""
    tools_checked: dict[str, str | None] = {}
    for node in project.graph.iter_nodes():
        label = node.label or node.id
        for var in sorted(env_vars_in([node.attributes, node.translation, node.post_processing]) - known):
            problems.append(f"{label}: environment variable {var} is not set (set it in the environment{where})")
        ctype = node.component_type
        if ctype.startswith("dagster_dbt.") and "Cloud" not in ctype:
            if "dbt" not in tools_checked:
                tools_checked["dbt"] = _find_executable("dbt", python, environ)
            if tools_checked["dbt"] is None:
                problems.append(f"{label}: the dbt executable is not installed: pip install dbt-core and your "
                                f"adapter (e.g. dbt-duckdb) into the environment of {python}")
        elif ctype.startswith("dagster_sling."):
            if "sling" not in tools_checked:
                tools_checked["sling"] = _sling_binary(environ)
            if tools_checked["sling"] is None:
                problems.append(f"{label}: the sling binary is not installed: pip install the binary package "
                                "for this platform (e.g. sling-linux-amd64) and set SLING_BINARY to its "
                                "sling executable")
    return problems


# ------------------------------------------------------------------ preparing
@dataclass
class PreparedRun:
    root: Path
    home: Path
    folders: dict[str, str]  # node id -> folder slug
    labels: dict[str, str]  # node id -> label

    def node_of_folder(self, folder: str | None) -> str | None:
        for node_id, slug in self.folders.items():
            if slug == folder:
                return node_id
        return None


def prepare_run(project: Any, components: Mapping[str, Any] | None = None, *,
                python: str | None = None) -> PreparedRun:
    """Export into the run folder and check what the run needs. Raises RunError with every problem."""
    if project.graph.node_count() == 0:
        raise RunError("nothing to run: the project has no components")
    base = run_folder(project)
    base.mkdir(parents=True, exist_ok=True)
    root = base / "project"
    problems = preflight(project, root, python=python)
    if problems:
        raise RunError("cannot run:\n" + "\n".join(problems))
    if getattr(project, "source", None) is not None:  # opened from a Dagster project folder: run its copy
        from dagster_designer_qt.services.project_copy import write_copy

        folders = write_copy(project, components, root)
    else:
        folders = dict(generate(project, components).folders)
        export_folder(project, root, force=True, components=components)
    return PreparedRun(root=root, home=dagster_home(project), folders=folders,
                       labels={n.id: n.label or n.id for n in project.graph.iter_nodes()})


# ------------------------------------------------------------------ the process
class RunProcess:
    """One helper process. ``events()`` yields its events (with ``node_id``) until it exits; ``cancel()``
    may be called from any thread."""

    def __init__(self, prepared: PreparedRun, node_ids: list[str] | None = None, *, upstream: bool = False,
                 python: str | None = None):
        self.prepared = prepared
        self.python = python or sys.executable
        self.args = [self.python, str(RUN_HELPER), str(prepared.root)]
        for node_id in node_ids or []:
            if node_id in prepared.folders:
                self.args += ["--folder", prepared.folders[node_id]]
        if node_ids and upstream:
            self.args.append("--upstream")
        self.proc: subprocess.Popen | None = None
        self.cancelled = False
        self._steps: dict[str, str | None] = {}  # step -> node id
        self._stderr: list[str] = []

    def start(self) -> "RunProcess":
        env = dict(os.environ)
        env["DAGSTER_HOME"] = str(self.prepared.home)
        env.setdefault("DAGSTER_TELEMETRY_DISABLED", "1")
        env["PYTHONUNBUFFERED"] = "1"
        kwargs: dict[str, Any] = {}
        if os.name == "posix":
            kwargs["start_new_session"] = True  # its own process group: cancel ends the scripts too
        else:
            kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP
        self.proc = subprocess.Popen(self.args, cwd=str(self.prepared.root), env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)
        threading.Thread(target=self._drain_stderr, name="run-stderr", daemon=True).start()
        return self

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def _drain_stderr(self) -> None:  # the helper sends everything through stdout; this is a crash's last words
        assert self.proc is not None and self.proc.stderr is not None
        for raw in self.proc.stderr:
            self._stderr.append(raw.decode("utf-8", "replace").rstrip())
            del self._stderr[:-50]

    def events(self) -> Iterator[dict]:
        assert self.proc is not None and self.proc.stdout is not None
        for raw in self.proc.stdout:
            try:
                event = json.loads(raw)
            except ValueError:
                continue
            if self.cancelled and event.get("event") in ("step_failure", "result", "error"):
                continue  # Dagster reports the interrupted step as failed: it was cancelled
            yield self._attribute(event)
        code = self.proc.wait()
        if self.cancelled:
            yield {"event": "cancelled", "node_id": None}
        elif code not in (0, 1):
            tail = "\n".join(self._stderr[-15:])
            yield {"event": "error", "node_id": None,
                   "message": f"the run helper stopped unexpectedly (exit code {code})",
                   "traceback": tail}

    def _attribute(self, event: dict) -> dict:
        kind = event.get("event")
        if kind == "plan":
            for asset in event.get("assets", []):
                asset["node_id"] = self.prepared.node_of_folder(asset.get("folder"))
                if asset.get("step"):
                    self._steps.setdefault(asset["step"], asset["node_id"])
        elif kind == "result":
            for asset in event.get("assets", []):
                asset["node_id"] = self.prepared.node_of_folder(asset.get("folder"))
        event["node_id"] = self._steps.get(event.get("step") or "")
        return event

    def cancel(self, grace: float = 3.0) -> None:
        """Terminate the helper's process group; kill it if it is still there after ``grace`` seconds."""
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        self.cancelled = True
        _terminate_group(proc, grace)

    def wait(self, timeout: float | None = None) -> int | None:
        if self.proc is None:
            return None
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None


def _terminate_group(proc: subprocess.Popen, grace: float) -> None:
    if os.name == "posix":
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # whatever is left of the group (a script ignoring TERM)
        except ProcessLookupError:
            pass
        proc.wait()
    else:  # Windows: end the whole tree
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True)
        proc.wait()


# ------------------------------------------------------------------ blocking run (CLI)
@dataclass
class AssetOutcome:
    key: str
    node_id: str | None
    node_label: str | None
    status: str  # materialized | failed | skipped
    reason: str = ""
    traceback: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class RunResult:
    assets: list[AssetOutcome] = field(default_factory=list)
    error: str | None = None  # the project did not load or the helper crashed
    error_detail: str = ""
    cancelled: bool = False
    seconds: float = 0.0
    run_id: str | None = None

    @property
    def success(self) -> bool:
        return (not self.error and not self.cancelled and bool(self.assets)
                and all(a.status == "materialized" for a in self.assets))


def outcomes(event: dict, labels: Mapping[str, str]) -> list[AssetOutcome]:
    """The per-asset outcomes of a ``result`` event."""
    return [AssetOutcome(key=a["key"], node_id=a.get("node_id"), node_label=labels.get(a.get("node_id") or ""),
                         status=a["status"], reason=a.get("reason", ""), traceback=a.get("traceback", ""))
            for a in event.get("assets", [])]


def run_project(project: Any, components: Mapping[str, Any] | None = None, *,
                node_ids: list[str] | None = None, upstream: bool = False, python: str | None = None,
                on_event: Callable[[dict], None] | None = None) -> RunResult:
    """Export, materialize, wait. ``on_event`` sees every event as it arrives."""
    start = time.monotonic()
    prepared = prepare_run(project, components, python=python)
    process = RunProcess(prepared, node_ids, upstream=upstream, python=python).start()
    result = RunResult()
    try:
        for event in process.events():
            if on_event is not None:
                on_event(event)
            kind = event["event"]
            if kind == "plan":
                result.run_id = event.get("run_id")
            elif kind == "result":
                result.assets = outcomes(event, prepared.labels)
            elif kind == "error":
                result.error = event.get("message") or "the run failed"
                result.error_detail = event.get("traceback", "")
            elif kind == "cancelled":
                result.cancelled = True
    finally:
        if process.proc is not None and process.proc.poll() is None:
            process.cancel()
    result.seconds = time.monotonic() - start
    return result
