"""Read a Dagster project folder the way Dagster 1.13 walks it, without running any of its code.

What Dagster loads (``dagster/components/core/decl.py``, checked against the installed 1.13):

- the project settings: ``dg.toml`` (top level) wins over ``pyproject.toml`` ``[tool.dg]``;
  ``[project] root_module``, ``defs_module`` (default ``<root_module>.defs``), ``registry_modules``,
  ``code_location_target_module``; the module folder is under ``src/`` or at the top (flat layout);
- in each folder below the defs folder, the first of ``defs.yaml``, ``defs.yml``, ``component.yaml`` is a
  component file: every ``---`` document in it is a component. A folder with a component file is not
  walked further, unless its component is a ``DefsFolderComponent`` (its children load, and its
  ``post_processing`` applies to them). A folder without one is walked (an implicit folder component);
- ``.py`` modules in walked folders are plain definitions modules (read with ``ast`` only);
- ``__pycache__`` and hidden entries are ignored.

Each problem (a YAML error with line and column, a document that is not a component, an unreadable, too
large or badly named file, a folder nested too deeply) is reported for its file and the rest is read.
One pass over the tree: linear in the number of folders.
"""

from __future__ import annotations

import ast
import datetime
import fnmatch
import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dagster_designer_qt.core.terminal import printable  # noqa: F401 - importers print names with it
from dagster_designer_qt.core.errors import DesignerError

from dagster_designer_qt.services.fast_yaml import Loader as _Loader

DEFS_FILES = ("defs.yaml", "defs.yml", "component.yaml")  # Dagster's precedence
IGNORED_DIRS = frozenset({"__pycache__"})
MAX_DEFS_BYTES = 4 * 1024 * 1024
MAX_PY_BYTES = 1024 * 1024
MAX_YAML_ITEMS = 200_000  # values in one document once aliases are expanded
MAX_DEPTH = 64  # folders below the defs folder
DEFS_FOLDER_TYPES = frozenset({"dagster.DefsFolderComponent", "dagster.components.DefsFolderComponent",
                               "dagster.components.core.defs_module.DefsFolderComponent"})
_DOC_START = re.compile(r"^---(?=[ \t\r\n]|$)", re.M)


class ProjectReadError(DesignerError):
    """The folder is not a Dagster project that can be read (no defs folder, bad settings...)."""


@dataclass
class Problem:
    file: str  # relative POSIX path (in the project folder)
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        at = f":{self.line}" if self.line is not None else ""
        at += f":{self.column}" if self.line is not None and self.column is not None else ""
        return f"{self.file}{at}: {self.message}"


@dataclass
class Settings:
    root: Path
    defs_root: Path
    name: str
    description: str | None = None
    root_module: str | None = None
    registry_modules: list[str] = field(default_factory=list)

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


@dataclass
class Document:
    file: str  # the defs file, relative to the project folder
    index: int  # among the file's `---` documents (empty ones counted)
    folder: str  # the component folder relative to the defs folder
    data: dict[str, Any]
    line: int = 1
    group: str | None = None  # the folder of the DefsFolderComponent whose children this is in


@dataclass
class PythonModule:
    file: str
    folder: str
    keys: list[str]
    deps: list[str]
    defines: list[str]  # what it defines, for the label: "asset", "job", "schedule"...
    group: str | None = None


@dataclass
class ProjectRead:
    settings: Settings
    documents: list[Document] = field(default_factory=list)
    modules: list[PythonModule] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


# ------------------------------------------------------------------ settings
def read_settings(root: Path) -> Settings:
    dg_toml, pyproject = root / "dg.toml", root / "pyproject.toml"
    if _regular(dg_toml):
        table, where = _toml(dg_toml), "dg.toml"
    elif _regular(pyproject):
        data = _toml(pyproject)
        table, where = _table(_table(data, "tool", "pyproject.toml"), "dg", "pyproject.toml [tool]"), \
            "pyproject.toml [tool.dg]"
    else:
        table = None
    if table is None:
        name = root.parent.name if root.name == "defs" else root.name
        return Settings(root=root, defs_root=root, name=name or "Imported project")
    project = _table(table, "project", where)
    root_module = project.get("root_module")
    if not isinstance(root_module, str) or not root_module.strip():
        raise ProjectReadError(f"{root / where.split()[0]}: no [project] root_module; pass the defs folder "
                               "itself to import a folder that is not a dg project")
    root_module = root_module.strip()
    defs_module = project.get("defs_module")
    if not isinstance(defs_module, str) or not defs_module.strip():
        defs_module = f"{root_module}.defs"
    registry = project.get("registry_modules")
    registry = [m for m in registry if isinstance(m, str)] if isinstance(registry, list) else []
    rel = Path(*defs_module.strip().split("."))
    meta: dict[str, Any] = {}
    if _regular(pyproject):
        meta = _table(_toml(pyproject), "project", "pyproject.toml") if where == "dg.toml" else \
            _table(data, "project", "pyproject.toml")
    for candidate in (root / "src" / rel, root / rel):
        if candidate.is_dir() and not candidate.is_symlink():
            name = meta.get("name") if isinstance(meta.get("name"), str) and meta["name"].strip() \
                else root_module
            description = meta.get("description") if isinstance(meta.get("description"), str) else None
            return Settings(root=root, defs_root=candidate, name=name.strip(), description=description,
                            root_module=root_module, registry_modules=registry)
    raise ProjectReadError(f"{root / where.split()[0]}: the defs module {defs_module!r} has no folder "
                           f"(looked for src/{rel.as_posix()} and {rel.as_posix()})")


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except (OSError, ValueError):
        return False


def _toml(path: Path) -> dict[str, Any]:
    try:
        data = read_limited(path, MAX_PY_BYTES)
        return tomllib.loads(data.decode("utf-8"))
    except OSError as exc:
        raise ProjectReadError(f"{path}: can't be read ({exc.strerror or exc})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise ProjectReadError(f"{path}: not valid TOML ({exc})") from None


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ProjectReadError(f"{where}: '{key}' must be a table, found {type(value).__name__}")
    return value


def read_limited(path: Path, limit: int) -> bytes:
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ProjectReadError(f"larger than {limit // 1024} KiB")
    return data


# ------------------------------------------------------------------ documents
def split_documents(text: str) -> list[tuple[int, str]]:
    """(first line number, text) of each ``---`` separated chunk; the save writes back the same chunks."""
    starts = [m.start() for m in _DOC_START.finditer(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    chunks = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        chunks.append((text.count("\n", 0, start) + 1, text[start:end]))
    return chunks


def load_chunk(text: str) -> Any:
    """One document as plain JSON-ready data. Raises ValueError with a message (and line/column)."""
    try:
        value = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise _YamlProblem(f"invalid YAML: {problem}", mark.line if mark else None,
                           mark.column + 1 if mark else None) from None
    except RecursionError:
        raise _YamlProblem("invalid YAML: nested too deeply") from None
    return jsonable(value)


class _YamlProblem(ValueError):
    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.line, self.column = line, column


def jsonable(value: Any) -> Any:
    """Dates become ISO strings; other YAML-only values are refused; recursive aliases and documents
    that expand past MAX_YAML_ITEMS are refused."""
    budget = [MAX_YAML_ITEMS]
    on_path: set[int] = set()

    def walk(item: Any, depth: int) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise _YamlProblem("too large once YAML aliases are expanded")
        if item is None or isinstance(item, (str, bool, int, float)):
            return item
        if isinstance(item, (datetime.date, datetime.datetime)):
            return item.isoformat()
        if not isinstance(item, (list, dict)):
            raise _YamlProblem(f"{type(item).__name__} values are not supported")
        if id(item) in on_path:
            raise _YamlProblem("a YAML alias refers to itself (a recursive value)")
        if depth > 200:
            raise _YamlProblem("nested too deeply (more than 200 levels)")
        on_path.add(id(item))
        try:
            if isinstance(item, list):
                return [walk(v, depth + 1) for v in item]
            out = {}
            for key, val in item.items():
                if not isinstance(key, str):
                    raise _YamlProblem(f"mapping key {key!r} is not a string")
                out[key] = walk(val, depth + 1)
            return out
        finally:
            on_path.discard(id(item))

    return walk(value, 0)


# ------------------------------------------------------------------ the walk
class _Walker:
    def __init__(self, settings: Settings):
        self.s = settings
        self.out = ProjectRead(settings=settings)

    def problem(self, path: Path | str, message: str, line: int | None = None, column: int | None = None) -> None:
        rel = self.s.rel(path) if isinstance(path, Path) else path
        self.out.problems.append(Problem(printable(rel), message, line, column))

    def run(self) -> ProjectRead:
        stack: list[tuple[Path, int, str | None]] = [(self.s.defs_root, 0, None)]
        while stack:
            folder, depth, group = stack.pop()
            children = self._folder(folder, depth, group)
            stack.extend(reversed(children))
        return self.out

    def _entries(self, folder: Path) -> list[os.DirEntry]:
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            self.problem(folder, f"folder can't be read ({exc.strerror or exc})")
            return []
        good = []
        for entry in entries:
            if entry.name in IGNORED_DIRS or entry.name.startswith("."):
                continue
            try:
                entry.name.encode("utf-8")
            except UnicodeEncodeError:
                self.problem(folder / entry.name, "file name is not valid UTF-8; skipped")
                continue
            good.append(entry)
        return good

    def _folder(self, folder: Path, depth: int, group: str | None) -> list[tuple[Path, int, str | None]]:
        entries = self._entries(folder)
        names = {e.name: e for e in entries}
        rel_folder = folder.relative_to(self.s.defs_root).as_posix()
        defs_file = next((names[n] for n in DEFS_FILES if n in names), None)
        walk_children = True
        child_group = group
        if defs_file is not None:
            docs = self._defs_file(Path(defs_file.path), rel_folder, group)
            if rel_folder == ".":
                self.problem(Path(defs_file.path), "the defs folder itself is a component; open its "
                                                   "parent project instead")
            walk_children = bool(docs) and any(d.data.get("type") in DEFS_FOLDER_TYPES for d in docs)
            if walk_children:
                child_group = rel_folder
        if not walk_children:
            return []
        children = []
        for entry in entries:
            path = Path(entry.path)
            if entry.is_symlink():
                if entry.name.endswith(".py") or not _is_file(entry):
                    self.problem(path, "symlink not followed")
                continue
            if entry.is_dir(follow_symlinks=False):
                if depth + 1 > MAX_DEPTH:
                    self.problem(path, f"folders nested more than {MAX_DEPTH} deep are not read")
                    continue
                children.append((path, depth + 1, child_group))
            elif entry.name.endswith(".py") and entry.name != "__init__.py":  # walked: Dagster loads it
                self._module(path, rel_folder, group)
        return children

    def _defs_file(self, path: Path, rel_folder: str, group: str | None) -> list[Document]:
        try:
            if not stat.S_ISREG(path.stat(follow_symlinks=False).st_mode):
                self.problem(path, "not a regular file; not read")
                return []
            text = read_limited(path, MAX_DEFS_BYTES).decode("utf-8")
        except ProjectReadError as exc:
            self.problem(path, str(exc))
            return []
        except OSError as exc:
            self.problem(path, f"can't be read ({exc.strerror or exc})")
            return []
        except UnicodeDecodeError:
            self.problem(path, "not UTF-8 text")
            return []
        rel = self.s.rel(path)
        docs: list[Document] = []
        for index, (first_line, chunk) in enumerate(split_documents(text)):
            try:
                data = load_chunk(chunk)
            except _YamlProblem as exc:
                line = first_line + exc.line if exc.line is not None else first_line
                self.problem(rel, str(exc), line, exc.column)
                continue
            if data is None:
                continue
            message = document_problem(data)
            if message:
                self.problem(rel, message, first_line)
                continue
            docs.append(Document(file=rel, index=index, folder=rel_folder, data=data, line=first_line,
                                 group=group))
        self.out.documents.extend(docs)
        return docs

    def _module(self, path: Path, rel_folder: str, group: str | None) -> None:
        try:
            data = read_limited(path, MAX_PY_BYTES)
            tree = ast.parse(data, filename=path.name)
        except ProjectReadError as exc:
            self.problem(path, str(exc))
            return
        except OSError as exc:
            self.problem(path, f"can't be read ({exc.strerror or exc})")
            return
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            line = getattr(exc, "lineno", None)
            self.problem(path, f"not valid Python ({getattr(exc, 'msg', None) or exc})", line)
            return
        from dagster_designer_qt.services.python_defs import scan_module

        found = scan_module(tree)
        if found.defines:
            self.out.modules.append(PythonModule(file=self.s.rel(path), folder=rel_folder, keys=found.keys,
                                                 deps=found.deps, defines=found.defines, group=group))


def _is_file(entry: os.DirEntry) -> bool:
    """A symlink to a regular file (data files linked into a component folder are fine to leave)."""
    try:
        return entry.is_file()
    except OSError:
        return False


def document_problem(data: Any) -> str | None:
    if not isinstance(data, dict):
        return "a component document must be a mapping with 'type'"
    if not isinstance(data.get("type"), str) or not data["type"].strip():
        return "no component 'type'"
    for key in ("attributes", "post_processing"):
        if data.get(key) is not None and not isinstance(data[key], dict):
            return f"'{key}' must be a mapping"
    return None


def is_project_local(ctype: str, settings: Settings) -> bool:
    """A component type defined in the project itself (component.py, ``.module.Class``, a module under
    root_module or matching registry_modules): no installed package knows it."""
    if ctype.startswith("."):
        return True
    module = ctype.rpartition(".")[0]
    if settings.root_module and (module == settings.root_module or
                                 module.startswith(settings.root_module + ".")):
        return True
    return any(fnmatch.fnmatchcase(module, pattern) or module == pattern.rstrip(".*")
               for pattern in settings.registry_modules)


def read_project(root: Path) -> ProjectRead:
    settings = read_settings(root)
    return _Walker(settings).run()
