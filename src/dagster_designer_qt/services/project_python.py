"""Which Python interpreter a project uses, and whether it can serve the designer.

Order (as in editors with an interpreter per project, and as ``dg`` uses a project's venv):

1. the interpreter set for the project (the project file's ``python`` field; a relative path is relative to
   the project file's folder);
2. else the project folder's ``.venv`` (what ``uv`` and ``create-dagster`` make);
3. else the designer's own.

A set or found interpreter is checked with one short helper-process call (``dagster_helper.py probe``, for
its ``sys.path``; cached on disk) and a listing of those folders (Dagster's version): it must exist, be Python, have Dagster,
and a Dagster at least ``MIN_DAGSTER``. If it fails, ``resolve`` falls back to the designer's own
interpreter and ``ResolvedPython.problem`` says which check failed and what to do.

``helper_command`` is how every Dagster-side job (discovery, validation, loads, and later runs) starts the
helper in the resolved interpreter. Imports no dagster and no Qt.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dagster_designer_qt.core.errors import DesignerError

MIN_DAGSTER = (1, 13)
HELPER_MODULE = "dagster_designer_qt.helper.dagster_helper"
HELPER_SCRIPT = Path(__file__).resolve().parent.parent / "helper" / "dagster_helper.py"
PROBE_TIMEOUT_S = 60.0
SOURCES = {"project": "set for the project", "venv": "the project folder's .venv", "designer": "the designer's own"}


class InterpreterError(DesignerError):
    """A project interpreter that can't serve the designer. ``kind``: missing, not-python, no-dagster,
    old-dagster."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class ResolvedPython:
    path: str  # the interpreter to run (the bundle itself when frozen and the designer's own)
    source: str  # "project" | "venv" | "designer"
    dagster: str | None  # Dagster's version in that environment
    python_version: str = ""
    sys_path: tuple[str, ...] = ()
    own: bool = True  # the designer's own interpreter (helpers run as ``-m``; the designer's sys.path)
    problem: str | None = None  # why the wanted interpreter was not used (we fell back to our own)
    wanted: str | None = field(default=None, compare=False)

    def describe(self) -> str:
        """``Python: .venv (Dagster 1.13.1)``-style text for a status bar."""
        if self.own:
            who = "designer's own"
        elif self.source == "venv":
            who = "project .venv"
        else:  # a venv is named by its folder, any other interpreter by its path
            exe = Path(self.path)
            who = exe.parent.parent.name if (exe.parent.parent / "pyvenv.cfg").is_file() else self.path
        dagster = f"Dagster {self.dagster}" if self.dagster else "no Dagster"
        return f"Python: {who} ({dagster})"

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "source": self.source, "dagster": self.dagster,
                "python_version": self.python_version, "own": self.own, "problem": self.problem}


# ------------------------------------------------------------------ checking
def _version_tuple(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split("."):
        digits = "".join(ch for ch in piece if ch.isdigit()) if piece[:1].isdigit() else ""
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)


def dagster_supported(version: str) -> bool:
    return _version_tuple(version)[:2] >= MIN_DAGSTER


def _min_text() -> str:
    return ".".join(str(p) for p in MIN_DAGSTER)


_probe_cache: dict[str, tuple[list, dict[str, Any]]] = {}
_probe_lock = threading.Lock()
PROBE_CACHE_FILE = "interpreters.json"


def _cache_file() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("dagster-designer", appauthor=False)) / PROBE_CACHE_FILE


def _stamp(p: Path) -> list:
    """What changes when the interpreter or its venv is replaced (the probe's answer is otherwise stable:
    installing packages changes Dagster's version, which is read from the folders, not from the probe)."""
    out: list = []
    for f in (p, p.parent.parent / "pyvenv.cfg"):
        try:
            st = f.stat()
            out.append([str(f), st.st_mtime_ns, st.st_size, st.st_ino])
        except OSError:
            out.append([str(f), None])
    return out


def _cached_probe(path: str, stamp: list) -> dict[str, Any] | None:
    with _probe_lock:
        hit = _probe_cache.get(path)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    try:
        data = json.loads(_cache_file().read_bytes()).get(path)
        if isinstance(data, dict) and data.get("stamp") == stamp and isinstance(data.get("probe"), dict):
            with _probe_lock:
                _probe_cache[path] = (stamp, data["probe"])
            return data["probe"]
    except (OSError, ValueError, AttributeError):
        pass
    return None


def _store_probe(path: str, stamp: list, data: dict[str, Any]) -> None:
    from dagster_designer_qt.services.atomic import atomic_write_bytes

    with _probe_lock:
        _probe_cache[path] = (stamp, data)
        target = _cache_file()
        try:
            current = json.loads(target.read_bytes())
            if not isinstance(current, dict):
                current = {}
        except (OSError, ValueError):
            current = {}
        current[path] = {"stamp": stamp, "probe": data}
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(target, json.dumps(current).encode("utf-8"))
        except OSError:
            pass  # a read-only cache only costs a probe next time


def dagster_version_in(sys_path: Any) -> str | None:
    """Dagster's version from the ``dagster-X.dist-info`` folder on ``sys_path`` (a folder listing, no
    import, no metadata parsing: a few ms)."""
    for entry in sys_path:
        try:
            names = os.listdir(entry)
        except OSError:
            continue
        for name in names:
            if name.startswith("dagster-") and name.endswith((".dist-info", ".egg-info")):
                version = name[len("dagster-"):].rsplit(".", 1)[0]
                if version[:1].isdigit():
                    return version
    return None


def helper_env(own: bool) -> dict[str, str]:
    """The environment for a helper process. A project interpreter gets nothing of the designer's
    Python setup (no PYTHONPATH/PYTHONHOME pointing into the designer)."""
    env = dict(os.environ)
    env.setdefault("DAGSTER_DG_UPDATE_CHECK_ENABLED", "0")
    env.setdefault("DAGSTER_TELEMETRY_DISABLED", "1")
    env.setdefault("PYTHONIOENCODING", "utf-8")
    if not own:
        for key in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONSAFEPATH", "DAGSTER_DESIGNER_SYS_PATH",
                    "__PYVENV_LAUNCHER__"):
            env.pop(key, None)
    return env


class NotProbedYet(LookupError):
    """``cached_only``: this interpreter was never probed (answering needs a process)."""


def probe(path: str, *, cached_only: bool = False) -> dict[str, Any]:
    """Run ``dagster_helper.py probe`` with ``path``; raises InterpreterError (missing / not-python).
    Cached (in memory and in the user's cache folder) per interpreter file and venv config."""
    p = Path(path)
    try:
        st = p.stat()
    except OSError:
        raise InterpreterError("missing", f"the project's Python interpreter {path} does not exist; "
                                          "choose another in Project properties (or pass --python)") from None
    if p.is_dir():
        raise InterpreterError("not-python", f"{path} is a folder, not a Python interpreter; choose the "
                                             "python executable inside it (e.g. .venv/bin/python)")
    stamp = _stamp(p)
    cached = _cached_probe(str(p), stamp)
    if cached is not None:
        return cached
    if cached_only:
        raise NotProbedYet(path)
    not_python = InterpreterError("not-python", f"{path} is not a Python 3 interpreter the designer can run; "
                                                "choose a python executable (e.g. .venv/bin/python)")
    try:
        proc = subprocess.run([str(p), str(HELPER_SCRIPT), "probe"], capture_output=True, text=True,
                              timeout=PROBE_TIMEOUT_S, stdin=subprocess.DEVNULL, env=helper_env(False))
    except (OSError, ValueError):
        raise not_python from None
    except subprocess.TimeoutExpired:
        raise InterpreterError("not-python", f"{path} did not answer within {PROBE_TIMEOUT_S:.0f} s") from None
    for line in reversed(proc.stdout.splitlines()):
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if isinstance(data, dict) and "sys_path" in data and data.get("protocol"):
            _store_probe(str(p), stamp, data)
            return data
    if proc.returncode != 0 and "SyntaxError" in proc.stderr:
        raise InterpreterError("not-python", f"{path} is a Python older than 3.11; the designer's helper "
                                             "needs Python 3.11 or newer (Dagster does too)")
    raise not_python


def check_interpreter(path: str, *, cached_only: bool = False) -> ResolvedPython:
    """A working project interpreter (source "project"), or InterpreterError naming the failed check.
    ``cached_only``: raise NotProbedYet rather than start a process."""
    data = probe(path, cached_only=cached_only)
    sys_path = tuple(str(s) for s in data.get("sys_path") or ())
    version = dagster_version_in(sys_path)
    if not version:
        raise InterpreterError("no-dagster", f"the Python at {path} has no Dagster installed; install it there "
                                             f"(e.g. `{path} -m pip install dagster`) or choose another")
    if not dagster_supported(version):
        raise InterpreterError("old-dagster", f"the Python at {path} has Dagster {version}, older than the "
                                              f"{_min_text()} the designer supports; upgrade it there "
                                              f"(`{path} -m pip install -U dagster`) or choose another")
    return ResolvedPython(path=str(path), source="project", dagster=version,
                          python_version=str(data.get("python") or ""),
                          sys_path=sys_path, own=False)


def own_interpreter(problem: str | None = None, wanted: str | None = None) -> ResolvedPython:
    """The designer's own interpreter; no subprocess. Dagster's version from the folder listing as for a
    project interpreter (this runs on every start: importing ``importlib.metadata`` costs ~40 ms), from
    the package metadata when no ``dagster-X.dist-info`` folder is on sys.path."""
    version = dagster_version_in(p for p in sys.path if p) or _installed_version("dagster")
    return ResolvedPython(path=sys.executable, source="designer", dagster=version,
                          python_version=".".join(str(p) for p in sys.version_info[:3]),
                          sys_path=tuple(p for p in sys.path if p), own=True, problem=problem, wanted=wanted)


def _installed_version(name: str) -> str | None:
    import importlib.metadata

    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def is_own_interpreter(path: str) -> bool:
    """The same interpreter as ours: the same file, or the same venv (a venv's python is a symlink, so
    compare the prefix folders rather than resolving the link)."""
    mine = Path(sys.executable)
    other = Path(path)
    if os.path.abspath(other) == os.path.abspath(mine):
        return True
    try:
        cfg_other = other.parent.parent / "pyvenv.cfg"
        return cfg_other.is_file() and other.parent.parent.resolve() == Path(sys.prefix).resolve()
    except OSError:
        return False


# ----------------------------------------------------------------- resolving
def venv_python(folder: Path) -> Path | None:
    """``folder/.venv``'s interpreter if there is one (POSIX and Windows layouts)."""
    for rel in (("bin", "python"), ("bin", "python3"), ("Scripts", "python.exe")):
        candidate = folder / ".venv" / Path(*rel)
        if candidate.exists():
            return candidate
    return None


def resolve(setting: str | None = None, project_dir: str | os.PathLike[str] | None = None, *,
            cached_only: bool = False) -> ResolvedPython:
    """The interpreter a project uses: ``setting`` (a path; relative to ``project_dir``), else
    ``project_dir/.venv``, else the designer's own. A set or found interpreter that fails a check gives the
    designer's own with ``problem`` set; nothing here raises for a bad interpreter. ``cached_only``: answer
    only from the probe cache (a few ms, for the UI thread); raises NotProbedYet otherwise."""
    folder = Path(project_dir) if project_dir else None
    wanted: str | None = None
    source = "project"
    if setting and str(setting).strip():
        raw = Path(os.path.expanduser(str(setting).strip()))
        if not raw.is_absolute() and folder is not None:
            raw = folder / raw
        wanted = os.path.abspath(raw)
    elif folder is not None:
        found = venv_python(folder)
        if found is not None:
            wanted, source = os.path.abspath(found), "venv"
    if wanted is None:
        return own_interpreter()
    if is_own_interpreter(wanted):
        own = own_interpreter(wanted=wanted)
        return ResolvedPython(**{**own.__dict__, "source": source})
    try:
        checked = check_interpreter(wanted, cached_only=cached_only)
    except InterpreterError as exc:
        return own_interpreter(problem=f"{exc}. Using the designer's own Python instead.", wanted=wanted)
    return ResolvedPython(**{**checked.__dict__, "source": source, "wanted": wanted})


def project_python(project: Any, project_path: str | os.PathLike[str] | None = None,
                   project_dir: str | os.PathLike[str] | None = None) -> ResolvedPython:
    """The resolved interpreter of an open project (for runs and other Dagster-side jobs): its ``python``
    setting, else ``.venv`` in ``project_dir`` or the project file's folder, else the designer's own."""
    folder = project_dir if project_dir is not None else (Path(project_path).parent if project_path else None)
    return resolve(getattr(project, "python", None), folder)


# ------------------------------------------------------------------- helpers
def helper_command(python: ResolvedPython | None, *args: str) -> list[str]:
    """The command line of a helper job in ``python``: the standalone script in a project interpreter,
    ``-m`` in the designer's own (which the PyInstaller bundle's launcher also accepts)."""
    if python is None or python.own:
        return [sys.executable, "-m", HELPER_MODULE, *args]
    return [python.path, str(HELPER_SCRIPT), *args]
