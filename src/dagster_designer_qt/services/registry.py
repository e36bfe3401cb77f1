"""The component registry: every installed component type with its schema, cached on disk.

Discovery is Dagster's own (entry points ``dagster_dg_cli.registry_modules`` and the legacy groups, plus a
project's ``[tool.dg.project].registry_modules``) and runs in a helper process in the project's Python
interpreter (``helper/dagster_helper.py components``; see ``services.project_python``), because importing
dagster and the integrations takes seconds and because the project's environment, not the designer's,
decides which component types exist. The result is stored as JSON in the user's cache dir under a key computed
cheaply from the environment (installed distributions' names and versions, the entry-point list, the
mtimes of sys.path folders, the project's registry configuration and source files). ``load_cached`` reads
it without importing dagster; ``load`` rebuilds it on a miss. Nothing here imports dagster or Qt.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Iterable

from dagster_designer_qt import __version__
from dagster_designer_qt.core.errors import DesignerError
from dagster_designer_qt.core.schema import parse_schema
from dagster_designer_qt.services import helper_process
from dagster_designer_qt.services.atomic import atomic_write_bytes
from dagster_designer_qt.services.project_python import ResolvedPython, helper_command, helper_env
from dagster_designer_qt.services.registry_env import (
    ENTRY_POINT_GROUPS,
    environment_fingerprint,
    project_fingerprint,
    read_project_registry_modules,
)

__all__ = [
    "ComponentInfo",
    "ComponentRegistry",
    "RegistryError",
    "default_cache_dir",
    "category_for_module",
    "ENTRY_POINT_GROUPS",
]

CACHE_FORMAT = 2  # 2: adds post_processing_schema
WORKER_TIMEOUT_S = 600.0
SYS_PATH_ENV = "DAGSTER_DESIGNER_SYS_PATH"


class RegistryError(DesignerError):
    """The component list could not be built at all (the helper process failed)."""


@dataclass(frozen=True)
class ComponentInfo:
    type: str  # the key written to defs.yaml `type:`, e.g. "dagster_dbt.DbtProjectComponent"
    name: str  # "DbtProjectComponent"
    module: str  # "dagster_dbt" (the registry module that exposes it)
    description: str = ""
    summary: str = ""
    schema: dict = field(default_factory=dict)
    category: str = ""
    icon: str = ""
    distribution: str | None = None
    version: str | None = None
    scaffolder_schema: dict | None = None
    asset_factory: bool = True
    error: str | None = None
    # Other names Dagster resolves to the same class (the defining module's dotted path).
    aliases: tuple[str, ...] = ()
    # True for components found through a project's registry_modules rather than an installed package.
    project_local: bool = False

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["aliases"] = list(self.aliases)
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "ComponentInfo":
        known = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in d.items() if k in known}
        kwargs["aliases"] = tuple(kwargs.get("aliases") or ())
        if kwargs.get("schema") is None:
            kwargs["schema"] = {}
        return cls(**kwargs)


def category_for_module(module: str) -> str:
    """``dagster`` -> ``dagster``; ``dagster_dbt`` -> ``dbt``; ``acme_tools.components`` -> ``acme_tools``."""
    top = module.split(".", 1)[0]
    if top == "dagster":
        return "dagster"
    for prefix in ("dagster_", "dagster-"):
        if top.startswith(prefix) and len(top) > len(prefix):
            return top[len(prefix):]
    return top


def info_from_row(row: dict[str, Any]) -> ComponentInfo:
    """A helper process's raw row (type, name, module, schema, ...) with the designer's own derived facts
    added: category, icon and whether the component is an asset factory."""
    info = ComponentInfo.from_dict(row)
    category = category_for_module(info.module)
    factory = not schema_declares_assets(info.schema) if not info.error else True
    return ComponentInfo.from_dict({**info.to_dict(), "category": category, "icon": category,
                                    "asset_factory": factory})


def schema_declares_assets(schema: dict | None) -> bool:
    """A component declares its asset keys in its attributes when its schema has an ``assets`` property
    (Function, PythonScript, TemplatedSql, UvRun); otherwise the keys are only known after loading."""
    return bool(schema) and parse_schema(schema).property("assets") is not None


def default_cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("dagster-designer", appauthor=False))


class ComponentRegistry:
    """Component types of a Python environment (and of ``project_dir`` when given).

    ``python`` is the interpreter whose environment is listed (``services.project_python.resolve``); None
    or the designer's own means this process's environment. ``load_cached()`` is the warm path (no dagster import); ``load()`` returns the cache or rebuilds it in
    a helper process. Both are synchronous: the UI calls ``load`` on a worker thread.
    """

    def __init__(self, cache_dir: Path | None = None, project_dir: Path | None = None,
                 python: ResolvedPython | None = None, project_types: dict[str, str] | None = None):
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.project_dir = Path(project_dir).resolve() if project_dir is not None else None
        self.python = python
        # Component types the project's defs files name and the project itself defines (``component.py``
        # beside a defs file, ``.module.Class``): written type -> absolute ``module.Class``. Listed (with
        # the written spelling as an alias) when ``project_dir`` is set; see services.project_types.
        self.project_types: dict[str, str] = dict(project_types or {}) if self.project_dir else {}
        self._components: list[ComponentInfo] = []
        self._by_type: dict[str, ComponentInfo] = {}
        # JSON schema of a defs.yaml post_processing block, from the installed Dagster (None: unknown).
        self.post_processing_schema: dict | None = None
        # "cache" or "rebuilt" after a successful load, None before; for status bars and tests.
        self.last_source: str | None = None
        self.last_load_seconds: float | None = None

    @classmethod
    def from_components(cls, components: Iterable[ComponentInfo], *, cache_dir: Path | None = None,
                        project_dir: Path | None = None,
                        python: ResolvedPython | None = None) -> "ComponentRegistry":
        """A registry holding a given list (tests, benchmarks, a list built elsewhere); nothing is read."""
        registry = cls(cache_dir=cache_dir, project_dir=project_dir, python=python)
        registry._set(components)
        return registry

    # ----------------------------------------------------------------- queries
    @property
    def components(self) -> list[ComponentInfo]:
        return list(self._components)

    def get(self, component_type: str) -> ComponentInfo | None:
        return self._by_type.get(component_type)

    @property
    def foreign(self) -> bool:
        """True when the listed environment is a project interpreter, not the designer's own."""
        return self.python is not None and not self.python.own

    @property
    def executable(self) -> str:
        return self.python.path if self.foreign else sys.executable

    @property
    def cache_path(self) -> Path:
        scope = str(self.project_dir) if self.project_dir else "environment"
        digest = hashlib.sha256(f"{self.executable}\0{scope}".encode()).hexdigest()[:16]
        return self.cache_dir / f"components-{digest}.json"

    # ------------------------------------------------------------------ keying
    def _sys_path(self) -> list[str]:
        if self.foreign:
            return [p for p in self.python.sys_path if p]
        return [p for p in sys.path if p]

    def cache_key(self) -> str:
        """A digest of everything that changes the component list. Cheap (~10-30 ms), imports nothing."""
        parts = {
            "format": CACHE_FORMAT,
            "designer": __version__,
            "python": self.python.python_version if self.foreign else sys.version,
            "executable": self.executable,
            "environment": environment_fingerprint(self._sys_path(), exclude=self.project_dir),
            "project": project_fingerprint(self.project_dir) if self.project_dir else None,
            "project_types": sorted(self.project_types.items()),
            "type_files": _types_fingerprint(self.project_dir, self.project_types) if self.project_types else None,
        }
        blob = json.dumps(parts, sort_keys=True, default=str).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()

    # ------------------------------------------------------------------ loading
    def load_cached(self) -> list[ComponentInfo] | None:
        """The cached list if the cache exists, is readable and matches the current environment; else None.
        Never imports dagster and never raises for a bad cache file."""
        start = time.perf_counter()
        cached = self._read_cache(self.cache_key())
        if cached is None:
            return None
        self._set(*cached)
        self.last_source = "cache"
        self.last_load_seconds = time.perf_counter() - start
        return self.components

    def load(self, *, refresh: bool = False) -> list[ComponentInfo]:
        """The cached list, or a fresh one built in a helper process (and cached). Raises RegistryError
        only when the helper process itself fails; a broken component becomes an entry with ``error``."""
        start = time.perf_counter()
        key = self.cache_key()
        if not refresh:
            cached = self._read_cache(key)
            if cached is not None:
                self._set(*cached)
                self.last_source = "cache"
                self.last_load_seconds = time.perf_counter() - start
                return self.components
        rows, pp_schema = self._build_in_subprocess()
        self._write_cache(key, rows, pp_schema)
        self._set(rows, pp_schema)
        self.last_source = "rebuilt"
        self.last_load_seconds = time.perf_counter() - start
        return self.components

    def _set(self, rows: Iterable[ComponentInfo], post_processing_schema: dict | None = None) -> None:
        self.post_processing_schema = post_processing_schema
        ordered = sorted(rows, key=lambda c: (c.error is not None, c.category != "dagster", c.category, c.name))
        self._components = ordered
        by_type: dict[str, ComponentInfo] = {}
        for info in ordered:
            for alias in info.aliases:
                by_type.setdefault(alias, info)
        for info in ordered:
            by_type[info.type] = info
        self._by_type = by_type

    # --------------------------------------------------------------- the cache
    def _read_cache(self, key: str) -> tuple[list[ComponentInfo], dict | None] | None:
        try:
            data = json.loads(self.cache_path.read_bytes())
            if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT or data.get("key") != key:
                return None
            rows = data["components"]
            if not isinstance(rows, list):
                return None
            return [ComponentInfo.from_dict(r) for r in rows], _schema_or_none(data.get("post_processing_schema"))
        except (OSError, ValueError, KeyError, TypeError):
            return None  # missing, unreadable, corrupt or from another version: rebuild

    def _write_cache(self, key: str, rows: list[ComponentInfo], post_processing_schema: dict | None) -> None:
        payload = {
            "format": CACHE_FORMAT,
            "key": key,
            "created": time.time(),
            "python": self.executable,
            "project_dir": str(self.project_dir) if self.project_dir else None,
            "components": [r.to_dict() for r in rows],
            "post_processing_schema": post_processing_schema,
        }
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(self.cache_path, json.dumps(payload).encode("utf-8"))
        except OSError:
            pass  # a read-only cache dir only costs speed next time

    # ------------------------------------------------------------ the helper
    def worker_command(self, out_path: Path) -> list[str]:
        args = ["components", "--out", str(out_path)]
        if self.project_dir:
            args += ["--project-dir", str(self.project_dir)]
            if self.project_types:
                args += ["--types", json.dumps(sorted(self.project_types.items()))]
        return helper_command(self.python, *args)

    def _build_in_subprocess(self) -> tuple[list[ComponentInfo], dict | None]:
        env = helper_env(own=not self.foreign)
        if not self.foreign:  # the helper sees what the designer sees (tests add folders at run time)
            sys_path = self._sys_path()
            env[SYS_PATH_ENV] = json.dumps(sys_path)
            env["PYTHONPATH"] = os.pathsep.join(sys_path)
        with tempfile.TemporaryDirectory(prefix="dd-registry-") as tmp:
            out_path = Path(tmp) / "components.json"
            try:
                # helper_process: stopped with its window or when the app quits, never left running.
                proc = helper_process.run(
                    self.worker_command(out_path),
                    env=env,
                    timeout=WORKER_TIMEOUT_S,
                    cwd=str(self.project_dir) if self.project_dir else None,
                )
            except subprocess.TimeoutExpired:
                raise RegistryError(
                    f"listing component types took longer than {WORKER_TIMEOUT_S:.0f} s and was stopped"
                ) from None
            except OSError as exc:
                raise RegistryError(f"cannot start {self.executable} to list component types: {exc}") from None
            if proc.returncode != 0 or not out_path.exists():
                tail = (proc.stderr or proc.stdout or "").strip().splitlines()[-1:] or ["no output"]
                raise RegistryError(
                    f"listing component types with {self.executable} failed (exit {proc.returncode}): {tail[0]}"
                )
            try:
                data = json.loads(out_path.read_bytes())
                rows = [info_from_row(r) for r in data["components"]]
                return rows, _schema_or_none(data.get("post_processing_schema"))
            except (ValueError, KeyError, TypeError) as exc:
                raise RegistryError(f"the component list helper wrote an unreadable result: {exc}") from None


def _types_fingerprint(project_dir: Path, types: dict[str, str]) -> list:
    from dagster_designer_qt.services.project_types import types_fingerprint

    return types_fingerprint(project_dir, types)


def _schema_or_none(value: Any) -> dict | None:
    return value if isinstance(value, dict) else None


def project_registry_modules(project_dir: Path) -> list[str]:
    """The raw ``registry_modules`` patterns of a Dagster project folder (``[tool.dg.project]`` in
    pyproject.toml, or ``[project]`` in dg.toml). Empty when there are none."""
    return read_project_registry_modules(Path(project_dir))
