"""Project trust: what in a project would run as code when Dagster loads it, and whether the user agreed.

Like VS Code's Workspace Trust. Loading a Dagster project runs (1) every ``{{ … }}`` template in its
``defs.yaml`` files (Jinja, unsandboxed; ``core.templates`` is the allow-list of harmless ones), (2)
``template_vars_module`` targets, (3) Python files: ``component.py`` and plain definitions modules in
``defs/``, a changed ``definitions.py``, project-local component code. ``scan_files`` / ``scan_folder``
list those; the designer's own boilerplate (empty ``__init__.py``, its ``definitions.py``) and allow-listed
templates are not listed, so a project made in the designer needs no trust.

Trust is remembered per project path and content: ``TrustStore`` keeps, per resolved path, the digest of
what would run (template texts, Python file contents) in ``<app data>/trust.json``. Change a template or a
Python file and the project must be trusted again. Imports no Qt.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Iterable, Mapping

from dagster_designer_qt.core.errors import DesignerError
from dagster_designer_qt.core.templates import find_templates
from dagster_designer_qt.core.terminal import printable

_SKIP_DIRS = {".git", ".venv", "venv", "__pycache__", "node_modules", "target", "dbt_packages", ".tox",
              ".mypy_cache", ".pytest_cache", "logs", "storage", ".dagster", "tests"}
_MAX_FILE = 2 * 1024 * 1024
_MAX_FILES = 20_000
_YAML_NAMES = {"defs.yaml", "defs.yml"}


class UntrustedProjectError(DesignerError):
    """The project would run code at load and the user has not trusted it."""


@dataclass(frozen=True)
class RunsAtLoad:
    path: str  # relative POSIX path of the file
    what: str  # e.g. "template at attributes.description", "Python module", "template_vars_module .vars"
    detail: str  # the template text or the file's contents: what the user agrees to run

    def line(self) -> str:
        if self.what.startswith("template"):
            snippet = self.detail if len(self.detail) <= 80 else self.detail[:77] + "..."
            return printable(f"{self.path}: {self.what}: {snippet}")
        return printable(f"{self.path}: {self.what}")


@dataclass
class TrustReport:
    items: list[RunsAtLoad] = field(default_factory=list)

    @property
    def needs_trust(self) -> bool:
        return bool(self.items)

    def digest(self) -> str:
        h = hashlib.sha256()
        for item in sorted(self.items, key=lambda i: (i.path, i.what, i.detail)):
            for part in (item.path, item.what, item.detail):
                data = part.encode("utf-8", "surrogatepass")
                h.update(len(data).to_bytes(8, "big") + data)
        return h.hexdigest()

    def summary(self, limit: int = 3) -> str:
        """One line: how many things would run and the first few of them."""
        shown = "; ".join(i.line() for i in self.items[:limit])
        more = f"; and {len(self.items) - limit} more" if len(self.items) > limit else ""
        noun = "thing" if len(self.items) == 1 else "things"
        return f"{len(self.items)} {noun} would run as code at load: {shown}{more}"


# ------------------------------------------------------------------ scanning
def scan_files(files: Mapping[str, str | bytes]) -> TrustReport:
    """What in these project files (relative POSIX path -> text) runs when Dagster loads them."""
    from dagster_designer_qt.services.codegen import DEFINITIONS_PY

    report = TrustReport()
    component_dirs = {PurePosixPath(rel).parent for rel in files if PurePosixPath(rel).name in _YAML_NAMES}
    for rel in sorted(files):
        raw = files[rel]
        path = PurePosixPath(rel)
        name = path.name
        if name in _YAML_NAMES:
            report.items.extend(_scan_defs_yaml(rel, raw))
        elif name.endswith(".py"):
            text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
            if name == "__init__.py" and not text.strip():
                continue
            if name == "definitions.py" and text == DEFINITIONS_PY:
                continue
            if name == "component.py":
                report.items.append(RunsAtLoad(rel, "component.py (a Python component)", text))
            elif not any(parent in component_dirs for parent in path.parents):
                # A file beside a defs.yaml (e.g. a script a component runs on materialization) is not
                # imported at load; any other module in the package may be (plain definitions modules
                # in defs/, project-local component code).
                report.items.append(RunsAtLoad(rel, "Python module", text))
    return report


def scan_folder(root: str | os.PathLike[str]) -> TrustReport:
    """``scan_files`` over a project folder on disk (symlinks not followed, caches and venvs skipped).
    A file that cannot be read or is too big to check is listed too: it cannot be shown to be harmless."""
    root = Path(root)
    files: dict[str, str | bytes] = {}
    extra: list[RunsAtLoad] = []
    count = 0
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS and not d.endswith(".egg-info"))
        for fname in sorted(filenames):
            if not (fname in _YAML_NAMES or fname.endswith(".py")):
                continue
            path = Path(dirpath) / fname
            rel = path.relative_to(root).as_posix()
            rel_shown = rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            count += 1
            if count > _MAX_FILES:
                extra.append(RunsAtLoad(".", f"more than {_MAX_FILES} files: not all checked", ""))
                return TrustReport(scan_files(files).items + extra)
            try:
                if path.is_symlink() or path.stat().st_size > _MAX_FILE:
                    extra.append(RunsAtLoad(rel_shown, "not checked (a link, or too big)", str(path)))
                    continue
                files[rel_shown] = path.read_bytes()
            except OSError as exc:
                extra.append(RunsAtLoad(rel_shown, f"not checked ({exc.strerror or type(exc).__name__})", ""))
    return TrustReport(scan_files(files).items + extra)


def scan_project(project: Any, components: Mapping[str, Any] | None = None) -> TrustReport:
    """What loading the project would run: its generated files, or, for a project opened from a Dagster
    project folder, the copy that Check with Dagster and runs load (the folder's files with the edits)."""
    if getattr(project, "source", None) is not None:
        from dagster_designer_qt.services.project_copy import copied_files

        return scan_files(copied_files(project, components)[0])
    from dagster_designer_qt.services.codegen import generate

    return scan_files(generate(project, components).files)


def _scan_defs_yaml(rel: str, raw: str | bytes) -> Iterable[RunsAtLoad]:
    import yaml

    from dagster_designer_qt.services.fast_yaml import Loader

    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        docs = list(yaml.load_all(text, Loader=Loader))
    except (UnicodeDecodeError, yaml.YAMLError, RecursionError, ValueError) as exc:
        yield RunsAtLoad(rel, f"not checked (cannot be read: {type(exc).__name__})",
                         raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw)
        return
    for doc in docs:
        if isinstance(doc, dict) and doc.get("template_vars_module") is not None:
            yield RunsAtLoad(rel, f"template_vars_module {doc['template_vars_module']} (Python)",
                             str(doc["template_vars_module"]))
        for found in find_templates(_acyclic(doc)):
            if found.runs_code:
                where = ".".join(str(p) for p in found.path) or "(top)"
                yield RunsAtLoad(rel, f"template at {where}", found.text)


def _acyclic(value: Any) -> Any:
    """A copy without reference cycles (YAML aliases such as ``&a [*a]``), built without recursion."""
    out_root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any, frozenset[int]]] = [(value, out_root, 0, frozenset())]
    while stack:
        item, parent, key, seen = stack.pop()
        if isinstance(item, (dict, list)):
            if id(item) in seen:
                parent[key] = "<recursive alias>"
                continue
            inner = seen | {id(item)}
            if isinstance(item, dict):
                copy_: Any = {}
                for k, v in item.items():
                    copy_[k] = None
                    stack.append((v, copy_, k, inner))
            else:
                copy_ = [None] * len(item)
                for i, v in enumerate(item):
                    stack.append((v, copy_, i, inner))
            parent[key] = copy_
        else:
            parent[key] = item
    return out_root[0]


# ------------------------------------------------------------------ remembering trust
def default_store_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("dagster-designer", appauthor=False)) / "trust.json"


class TrustStore:
    """Trusted (project path, content digest) pairs, in a small JSON file written atomically."""

    def __init__(self, path: str | os.PathLike[str] | None = None):
        self.path = Path(path) if path is not None else default_store_path()

    def _read(self) -> dict[str, list[str]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {k: [d for d in v if isinstance(d, str)] for k, v in data.items()
                if isinstance(k, str) and isinstance(v, list)}

    @staticmethod
    def key(project_path: str | os.PathLike[str]) -> str:
        return os.path.abspath(os.fspath(project_path))

    def remembers(self, project_path: str | os.PathLike[str]) -> bool:
        """Some content of this project file was trusted and remembered (no need to scan it otherwise)."""
        return bool(self._read().get(self.key(project_path)))

    def is_trusted(self, project_path: str | os.PathLike[str], report: TrustReport) -> bool:
        if not report.needs_trust:
            return True
        return report.digest() in self._read().get(self.key(project_path), [])

    def trust(self, project_path: str | os.PathLike[str], report: TrustReport) -> None:
        from dagster_designer_qt.services.atomic import atomic_write_text

        data = self._read()
        digests = [d for d in data.get(self.key(project_path), []) if d != report.digest()]
        data[self.key(project_path)] = (digests + [report.digest()])[-5:]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.path, json.dumps(data, indent=1, sort_keys=True))


def require_trust(report: TrustReport, project_path: str | os.PathLike[str] | None, *, trusted: bool,
                  store: TrustStore | None = None) -> None:
    """Raise UntrustedProjectError (one line listing what would run) unless the project needs no trust,
    ``trusted`` is set (e.g. ``--trust``) or the user trusted this path with this content before."""
    if not report.needs_trust or trusted:
        return
    if project_path is not None and (store or TrustStore()).is_trusted(project_path, report):
        return
    raise UntrustedProjectError(f"not loading an untrusted project: {report.summary()} "
                                "(check them, then pass --trust)")
