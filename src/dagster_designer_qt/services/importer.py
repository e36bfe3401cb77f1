"""Import an existing Dagster project (or a bare ``defs`` folder) as a designer project. Reads files only.

What is read:

- ``DIR/pyproject.toml`` with ``[tool.dg.project] root_module`` (and optional ``defs_module``) names the defs
  folder (``src/<module path>/defs`` or ``<module path>/defs``); without a pyproject, ``DIR`` itself is the
  defs folder.
- Every ``defs.yaml`` below it is a component folder; each YAML document in it (``---`` separated) becomes
  one node: label = folder name (``"name 2"``, ``"name 3"``... for the further documents), ``type`` ->
  component type, ``attributes`` as written, ``post_processing`` top-level. ``requirements`` is dropped
  (export regenerates it from the templates); other top-level keys are kept in the project file only.
- The folder's other text files (:data:`TEXT_SUFFIXES`, at most :data:`MAX_FILE_BYTES` each) become the
  node's ``files``, with sub-folders, except nested component folders, ``__pycache__``, hidden folders and
  build output (:data:`SKIPPED_DIRS`). Binary or non-UTF-8 files are skipped with a warning.

Edges are the inverse of what ``codegen`` writes for an edge, found per target node:
declared asset ``deps`` naming all of another node's declared keys, the ``{{ ... + (context.build_defs
('folder')...) }}`` and ``translation.deps`` templates, the ``post_processing`` rule codegen appends, and dbt
sources whose keys are another node's keys. The deps that became edges are removed from the attributes. Each
node's result is checked by generating it again: when the re-generated ``defs.yaml`` would differ from
generating the node as written (deps order aside), that node keeps its attributes as written and gets no
incoming edges, with a warning. So export -> import -> export reproduces the ``defs.yaml`` files.

Safety: YAML through ``yaml.safe_load_all`` with a bound on the expanded size (alias bombs), TOML through
``tomllib``; no project code is imported or run; symlinked folders are not entered and symlinked files are
read only when they point inside ``DIR``; only regular files are read.

Errors: a defs.yaml that is not valid YAML, a document that is not a mapping or has no ``type``, or values
JSON can't hold raise :class:`ImportProjectError` naming the file (and document). The import is all or
nothing: a project missing a component would export to a different project without anyone noticing.
"""

from __future__ import annotations

import ast
import copy
import datetime
import os
import re
import stat
import tomllib
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from dagster_designer_qt.core.assets import normalize_key
from dagster_designer_qt.core.errors import DesignerError, GraphError
from dagster_designer_qt.core.layout import layered_layout
from dagster_designer_qt.core.model import Edge, Node, Project
from dagster_designer_qt.services.codegen import (
    dbt_source_keys,
    embeddable_keys,
    env_vars_in,
    folder_slugs,
    generate,
    node_file_problem,
)
from dagster_designer_qt.services.codegen_traits import TypeTraits, traits_for

TEXT_SUFFIXES = (".py", ".sql", ".yaml", ".yml", ".txt", ".md")
SKIPPED_DIRS = frozenset({"__pycache__", "target", "dbt_packages", "logs", "node_modules"})
MAX_FILE_BYTES = 1024 * 1024
MAX_DEFS_YAML_BYTES = 4 * 1024 * 1024
MAX_TOTAL_BYTES = 64 * 1024 * 1024
MAX_YAML_ITEMS = 200_000  # values in one defs.yaml once aliases are expanded
DEFS_FILE = "defs.yaml"
_ID_NAMESPACE = uuid.UUID("8f0c1d2e-3b4a-5c6d-7e8f-9a0b1c2d3e4f")

_TEMPLATE = re.compile(r"^\s*\{\{(.*)\}\}\s*$", re.S)
_BUILD_DEFS = re.compile(
    r"^\(context\.build_defs\('([^'{}]*)'\)\.resolve_asset_graph\(\)\.executable_asset_keys \| list\)$")
_FOLDER_REF = re.compile(r"(context\.(?:build_defs|load_component)\(')([^'{}]*)('\))")
_SPEC_KEY = "spec.key.from_user_string"
_ASSET_KEY = "asset.key.from_user_string"
_TR_OWN = re.compile(
    r"^\{\{ spec\.deps \+ \(\((?P<added>.*)\) \| unique \| reject\('in', "
    r"\(spec\.deps \| map\(attribute='asset_key'\) \| list\)\) \| list\) \}\}$", re.S)
_TR_BASE = re.compile(
    r"^\{\{ (?P<base>.+) \+ \(\((?P<added>.*)\) \| unique \| reject\('in', (?P=base)\) \| list\) \}\}$", re.S)
_POST_RULE = re.compile(
    r"^\{\{ asset\.deps \+ \((?P<keys>\[.*\]) \| reject\('in', asset\.deps \| map\(attribute='asset_key'\) "
    r"\| list\) \| list\) \}\}$", re.S)


class ImportProjectError(DesignerError):
    """The folder can't be imported (not a Dagster project, an unreadable or malformed defs.yaml...)."""


@dataclass
class ImportResult:
    project: Project
    warnings: list[str] = field(default_factory=list)
    defs_root: Path | None = None


@dataclass
class _Doc:
    node: Node
    folder: str  # relative POSIX path of the component folder below the defs root
    raw: dict[str, Any]  # the YAML document as written


# ------------------------------------------------------------------ entry point
def import_project(source: str | os.PathLike[str], *,
                   components: Mapping[str, Any] | None = None) -> ImportResult:
    """Read the Dagster project (or defs folder) at ``source`` into a new designer Project.

    ``components`` is the registry mapping codegen takes (None: the built-in traits, like ``export``)."""
    root = Path(source)
    if not root.is_dir():
        raise ImportProjectError(f"{root}: not a folder")
    root = root.resolve()
    warnings: list[str] = []
    defs_root, name, description = _locate(root)
    reader = _Reader(root, defs_root, warnings)
    docs = reader.read()
    project = Project(name, project_id=_stable_id("project", name), description=description)
    _Linker(project, docs, components, warnings).run()
    positions = layered_layout(project.graph, None)
    for node_id, (x, y) in positions.items():
        project.graph.move_node(node_id, x, y)
    return ImportResult(project=project, warnings=warnings, defs_root=defs_root)


def _stable_id(*parts: str) -> str:
    """Importing the same folder twice gives the same ids (and so the same project file)."""
    return uuid.uuid5(_ID_NAMESPACE, "\x00".join(parts)).hex


def _locate(root: Path) -> tuple[Path, str, str | None]:
    """(defs folder, project name, description)."""
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file() or not pyproject.resolve().is_relative_to(root):
        name = root.parent.name if root.name == "defs" else root.name
        return root, name or "Imported project", None
    try:
        data = tomllib.loads(_read_limited(pyproject, MAX_FILE_BYTES).decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ImportProjectError(f"{pyproject}: not valid TOML ({exc})") from None
    dg = ((data.get("tool") or {}).get("dg") or {}).get("project") or {}
    root_module = dg.get("root_module") if isinstance(dg, dict) else None
    if not isinstance(root_module, str) or not root_module.strip():
        raise ImportProjectError(f"{pyproject}: no [tool.dg.project] root_module; pass the defs folder "
                                 "itself to import a folder that is not a dg project")
    defs_module = dg.get("defs_module") if isinstance(dg.get("defs_module"), str) else f"{root_module}.defs"
    rel = Path(*defs_module.strip().split("."))
    for candidate in (root / "src" / rel, root / rel):
        if candidate.is_dir() and not candidate.is_symlink() and candidate.resolve().is_relative_to(root):
            meta = data.get("project") if isinstance(data.get("project"), dict) else {}
            name = meta.get("name") if isinstance(meta.get("name"), str) and meta["name"].strip() else root_module
            description = meta.get("description") if isinstance(meta.get("description"), str) else None
            return candidate, name.strip(), description
    raise ImportProjectError(f"{pyproject}: the defs module {defs_module!r} has no folder "
                             f"(looked for src/{rel.as_posix()} and {rel.as_posix()})")


def _read_limited(path: Path, limit: int) -> bytes:
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ImportProjectError(f"{path}: larger than {limit // 1024} KiB")
    return data


# ------------------------------------------------------------------ reading the folders
class _Reader:
    def __init__(self, root: Path, defs_root: Path, warnings: list[str]):
        self.root = root
        self.defs_root = defs_root
        self.warnings = warnings
        self.total = 0

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix() or "."

    def read(self) -> list[_Doc]:
        component_dirs, loose = self._walk()
        for path in loose:
            self.warn(f"{self.rel(path)}: Python definitions outside a component folder are not imported")
        docs: list[_Doc] = []
        for folder in component_dirs:
            files = self._files(folder, component_dirs)
            docs.extend(self._docs(folder, files))
        if not docs:
            raise ImportProjectError(f"{self.defs_root}: no component folders (no {DEFS_FILE} found)")
        return docs

    def _walk(self) -> tuple[list[Path], list[Path]]:
        """Component folders (sorted) and loose Python files outside them."""
        components: list[Path] = []
        loose: list[Path] = []
        for dirpath, dirnames, filenames in os.walk(self.defs_root, followlinks=False):
            here = Path(dirpath)
            dirnames[:] = sorted(d for d in dirnames if self._enter(here / d))
            if DEFS_FILE in filenames:
                components.append(here)
            elif not any(here.is_relative_to(c) for c in components):
                loose.extend(here / f for f in sorted(filenames) if f.endswith(".py") and f != "__init__.py")
        return components, loose

    def _enter(self, path: Path) -> bool:
        if path.name in SKIPPED_DIRS or path.name.startswith("."):
            return False
        if path.is_symlink():
            self.warn(f"{self.rel(path)}: symlinked folder not followed")
            return False
        return True

    def _safe_file(self, path: Path) -> bool:
        """A regular file, inside the imported folder even through a symlink."""
        try:
            if path.is_symlink() and not path.resolve().is_relative_to(self.root):
                self.warn(f"{self.rel(path)}: symlink leaves the folder; not followed")
                return False
            return stat.S_ISREG(path.stat().st_mode)
        except OSError:
            return False

    def _files(self, folder: Path, component_dirs: list[Path]) -> dict[str, str]:
        nested = [c for c in component_dirs if c != folder and c.is_relative_to(folder)]
        out: dict[str, str] = {}
        for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
            here = Path(dirpath)
            dirnames[:] = sorted(d for d in dirnames if (here / d) not in nested and self._enter(here / d))
            for fname in sorted(filenames):
                path = here / fname
                name = path.relative_to(folder).as_posix()
                if name == DEFS_FILE or not fname.endswith(TEXT_SUFFIXES):
                    continue
                text = self._text(path)
                if text is None:
                    continue
                problem = node_file_problem(name)
                if problem:
                    if text.strip():
                        self.warn(f"{self.rel(path)}: not imported ({problem})")
                    continue
                out[name] = text
        return out

    def _text(self, path: Path) -> str | None:
        if not self._safe_file(path):
            return None
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            self.warn(f"{self.rel(path)}: skipped, larger than {MAX_FILE_BYTES // 1024} KiB")
            return None
        self.total += size
        if self.total > MAX_TOTAL_BYTES:
            raise ImportProjectError(f"{self.root}: more than {MAX_TOTAL_BYTES // (1024 * 1024)} MiB of "
                                     "component files; import a smaller folder")
        data = path.read_bytes()
        try:
            if b"\x00" in data:
                raise UnicodeDecodeError("utf-8", data, 0, 1, "NUL byte")
            return data.decode("utf-8")
        except UnicodeDecodeError:
            self.warn(f"{self.rel(path)}: skipped, not a UTF-8 text file")
            return None

    def _docs(self, folder: Path, files: dict[str, str]) -> list[_Doc]:
        path = folder / DEFS_FILE
        where = self.rel(path)
        if not self._safe_file(path):
            raise ImportProjectError(f"{where}: not a regular file inside the imported folder")
        try:
            text = _read_limited(path, MAX_DEFS_YAML_BYTES).decode("utf-8")
            raw_docs = list(yaml.safe_load_all(text))
        except UnicodeDecodeError:
            raise ImportProjectError(f"{where}: not UTF-8 text") from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise ImportProjectError(f"{where}: invalid YAML{at}: {problem}") from None
        rel_folder = folder.relative_to(self.defs_root).as_posix()
        if rel_folder == ".":
            raise ImportProjectError(f"{where}: the defs folder itself is a component; import its parent "
                                     "project instead")
        docs: list[_Doc] = []
        present = [d for d in raw_docs if d is not None]  # a trailing '---' gives an empty document
        for index, raw in enumerate(present):
            label_where = f"{where} (document {index + 1})" if len(present) > 1 else where
            raw = _jsonable(raw, label_where)
            node = self._node(raw, label_where, rel_folder, index, files)
            docs.append(_Doc(node=node, folder=rel_folder, raw=raw))
        if len(present) > 1:
            self.warn(f"{where}: {len(present)} components in one file become {len(present)} nodes, each "
                      "with a copy of the folder's files; export writes one folder per node")
        return docs

    def _node(self, raw: Any, where: str, rel_folder: str, index: int, files: dict[str, str]) -> Node:
        if not isinstance(raw, dict):
            raise ImportProjectError(f"{where}: expected a mapping with 'type', found {_kind(raw)}")
        ctype = raw.get("type")
        if not isinstance(ctype, str) or not ctype.strip():
            raise ImportProjectError(f"{where}: no component 'type'")
        attributes = raw.get("attributes")
        if attributes is None:
            attributes = {}
        if not isinstance(attributes, dict):
            raise ImportProjectError(f"{where}: 'attributes' must be a mapping, found {_kind(attributes)}")
        post = raw.get("post_processing")
        if post is not None and not isinstance(post, dict):
            raise ImportProjectError(f"{where}: 'post_processing' must be a mapping, found {_kind(post)}")
        extra = {k: v for k, v in raw.items() if k not in ("type", "attributes", "post_processing",
                                                          "requirements")}
        if extra:
            self.warn(f"{where}: {', '.join(sorted(extra))} kept in the project file but not exported")
        requirements = raw.get("requirements")
        if requirements:
            expected = sorted(env_vars_in([attributes, post]))
            if requirements != {"env": expected}:
                self.warn(f"{where}: 'requirements' is not imported; export lists the env vars the "
                          f"templates use ({', '.join(expected) or 'none'})")
        leaf = rel_folder.rsplit("/", 1)[-1]
        return Node(
            id=_stable_id("node", rel_folder, str(index)),
            component_type=ctype.strip(),
            label=leaf if index == 0 else f"{leaf} {index + 1}",
            attributes=attributes,
            post_processing=post or None,
            files=dict(files) if files else None,
            data_extra={"imported_" + k: v for k, v in extra.items()},
        )


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def _jsonable(value: Any, where: str) -> Any:
    """The document as JSON-ready data: dates become ISO strings; other YAML-only values (binary, sets,
    non-string keys) are refused. Bounded, so a few aliases can't expand into gigabytes."""
    budget = [MAX_YAML_ITEMS]

    def walk(item: Any) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise ImportProjectError(f"{where}: too large once YAML aliases are expanded")
        if item is None or isinstance(item, (str, bool, int, float)):
            return item
        if isinstance(item, (datetime.date, datetime.datetime)):
            return item.isoformat()
        if isinstance(item, list):
            return [walk(v) for v in item]
        if isinstance(item, dict):
            out = {}
            for key, val in item.items():
                if not isinstance(key, str):
                    raise ImportProjectError(f"{where}: mapping key {key!r} is not a string")
                out[key] = walk(val)
            return out
        raise ImportProjectError(f"{where}: {type(item).__name__} values can't be imported")

    return walk(value)


# ------------------------------------------------------------------ edges
@dataclass
class _Plan:
    ups: list[str]
    attributes: dict[str, Any]
    post_processing: dict[str, Any] | None


class _Linker:
    """Turns the deps codegen writes for edges back into edges (see the module docstring)."""

    def __init__(self, project: Project, docs: list[_Doc], components: Mapping[str, Any] | None,
                 warnings: list[str]):
        self.project = project
        self.docs = docs
        self.components = components
        self.warnings = warnings
        self.nodes = [d.node for d in docs]
        self.traits: dict[str, TypeTraits] = {n.id: traits_for(n.component_type, components)
                                              for n in self.nodes}
        self.slugs = folder_slugs(self.nodes)
        by_folder: dict[str, list[str]] = {}
        for d in docs:
            by_folder.setdefault(d.folder, []).append(d.node.id)
        self.folder_node = {f: ids[0] for f, ids in by_folder.items() if len(ids) == 1}
        self.slug_node = {s: i for i, s in self.slugs.items()}
        self.keys: dict[str, list[str]] = {}
        owners: dict[str, set[str]] = {}
        for n in self.nodes:
            keys = embeddable_keys(n, self.traits[n.id])
            if keys:
                self.keys[n.id] = keys
                for k in keys:
                    owners.setdefault(k, set()).add(n.id)
        self.owner = {k: next(iter(ids)) for k, ids in owners.items() if len(ids) == 1}

    def warn(self, doc: _Doc, message: str) -> None:
        self.warnings.append(f"{doc.folder}: {message}")

    def run(self) -> None:
        self._rename_folder_refs()
        self.project.graph.load(self.nodes, [])
        as_written = {n.id: (copy.deepcopy(n.attributes), copy.deepcopy(n.post_processing)) for n in self.nodes}
        for doc in self.docs:
            plan = self._plan(doc.node)
            if plan is None or not plan.ups:
                continue
            node = doc.node
            node.attributes, node.post_processing = plan.attributes, plan.post_processing
            for up in plan.ups:
                try:
                    self.project.graph.add_edge(Edge(id=_stable_id("edge", up, node.id), source=up,
                                                     target=node.id))
                except GraphError as exc:
                    self.warn(doc, f"connection not made: {exc}")
        for doc in self.docs:
            node = doc.node
            traits = self.traits[node.id]
            tr = node.attributes.get("translation")
            if traits.translation and isinstance(tr, dict) and tr:
                node.translation = node.attributes.pop("translation")
        self._verify(as_written)

    def _rename_folder_refs(self) -> None:
        """Export puts every node in its own folder named after its label; templates naming a component
        folder (``context.build_defs('x')``, ``load_component``) follow it there."""
        renames = {f: self.slugs[i] for f, i in self.folder_node.items() if self.slugs[i] != f}
        for doc in self.docs:
            if self.slugs[doc.node.id] != doc.folder:
                self.warn(doc, f"exported as folder {self.slugs[doc.node.id]!r}")
        if not renames:
            return

        def fix(text: str) -> str:
            return _FOLDER_REF.sub(lambda m: m.group(1) + renames.get(m.group(2), m.group(2)) + m.group(3),
                                   text)

        for n in self.nodes:
            n.attributes = _map_strings(n.attributes, fix)
            n.post_processing = _map_strings(n.post_processing, fix)

    # ----------------------------------------------------------- verification
    def _verify(self, as_written: dict[str, tuple[Any, Any]]) -> None:
        """Keep a node's edges only if generating it gives what generating it as written gives."""
        plain = Project(self.project.name)
        plain.graph.load([Node(id=n.id, component_type=n.component_type, label=n.label,
                               attributes=as_written[n.id][0], post_processing=as_written[n.id][1],
                               files=n.files) for n in self.nodes], [])
        before = generate(plain, self.components)
        after = generate(self.project, self.components)
        for doc in self.docs:
            node = doc.node
            incoming = [e for e in self.project.graph.edges_of(node.id) if e.target == node.id]
            path = f"src/{before.package}/defs/{before.folders[node.id]}/{DEFS_FILE}"
            if _canonical(before.files[path]) == _canonical(after.files[path]):
                continue
            for edge in incoming:
                self.project.graph.remove_edge(edge.id)
            node.attributes, node.post_processing = copy.deepcopy(as_written[node.id])
            node.translation = None
            if incoming:
                self.warn(doc, "its dependencies are kept as written (they don't match what a connection "
                               "exports)")

    # ----------------------------------------------------------- one target node
    def _plan(self, node: Node) -> _Plan | None:
        t = self.traits[node.id]
        attrs = copy.deepcopy(node.attributes)
        post = copy.deepcopy(node.post_processing)
        implied = self._implied(node) if (t.translation or t.item_translation) else []
        assets = attrs.get("assets")
        if t.declares_assets and isinstance(assets, list) and assets:
            ups = self._asset_spec_ups(node.id, [s for s in assets if isinstance(s, dict)])
        elif t.declares_assets and (assets is None or isinstance(assets, list)):
            return None
        elif t.translation:
            ups = self._translation_ups(node.id, attrs, "translation")
        elif t.item_translation and isinstance(attrs.get(t.item_translation), list):
            items = [i for i in attrs[t.item_translation] if isinstance(i, dict)]
            ups = self._same_for_all(items, lambda item: self._translation_ups(node.id, item, "translation"))
        else:
            ups, post = self._post_rule_ups(node.id, post)
        ups = [u for u in implied if u not in (ups or [])] + (ups or [])
        return _Plan(ups=ups, attributes=attrs, post_processing=post)

    def _implied(self, node: Node) -> list[str]:
        sources = dbt_source_keys(node.files)
        return [u for u, keys in self.keys.items()
                if u != node.id and sources and set(keys) <= sources and all(self.owner.get(k) == u for k in keys)]

    @staticmethod
    def _same_for_all(items: list[dict], parse: Any) -> list[str] | None:
        """Run ``parse`` (which strips what it recognises) on every item; the ups must agree."""
        if not items:
            return None
        trial = copy.deepcopy(items)
        results = [parse(item) for item in trial]
        if any(r is None for r in results) or any(r != results[0] for r in results):
            return None
        for item, stripped in zip(items, trial):
            item.clear()
            item.update(stripped)
        return results[0]

    def _asset_spec_ups(self, node_id: str, specs: list[dict]) -> list[str] | None:
        deps = [s.get("deps") for s in specs]
        if all(d is None or (isinstance(d, list) and all(isinstance(k, str) and "{{" not in k for k in d))
               for d in deps):
            return self._literal_spec_ups(node_id, specs)
        return self._same_for_all(specs, self._template_spec_ups)

    def _literal_spec_ups(self, node_id: str, specs: list[dict]) -> list[str] | None:
        """Literal ``deps`` lists: an upstream node whose keys are all in every spec's deps."""
        sets = [{normalize_key(k) for k in (s.get("deps") or [])} for s in specs]
        first = [normalize_key(k) for k in (specs[0].get("deps") or [])]
        ups = []
        for key in first:
            up = self.owner.get(key)
            if up and up != node_id and up not in ups and all(set(self.keys[up]) <= s for s in sets) \
                    and all(self.owner.get(k) == up for k in self.keys[up]):
                ups.append(up)
        if not ups:
            return None
        taken = {k for u in ups for k in self.keys[u]}
        for spec in specs:
            kept = [k for k in spec.get("deps") or [] if normalize_key(k) not in taken]
            if kept:
                spec["deps"] = kept
            else:
                spec.pop("deps", None)
        return ups

    def _template_spec_ups(self, spec: dict) -> list[str] | None:
        """``{{ BASE + UP + UP ... }}`` written for a spec when some upstream keys are only known at load."""
        m = _TEMPLATE.match(spec.get("deps") or "") if isinstance(spec.get("deps"), str) else None
        if not m:
            return None
        parts = _split_top(m.group(1).strip(), " + ")
        if len(parts) < 2:
            return None
        ups = self._parts_ups(parts[1:], None)
        base = _base_value(parts[0], None)
        if ups is None or base is _NO_BASE:
            return None
        if base is None:
            spec.pop("deps", None)
        else:
            spec["deps"] = base
        return ups

    def _translation_ups(self, node_id: str, holder: dict, attr: str) -> list[str] | None:
        tr = holder.get(attr)
        if not isinstance(tr, dict) or not isinstance(tr.get("deps"), str):
            return None
        text = tr["deps"]
        own = _TR_OWN.match(text)
        m = own or _TR_BASE.match(text)
        if not m:
            return None
        ups = self._parts_ups(_split_top(m.group("added"), " + "), _SPEC_KEY)
        if ups is None or node_id in ups:
            return None
        tr = dict(tr)
        if own:
            del tr["deps"]
        else:
            base = _base_value(m.group("base"), _SPEC_KEY)
            if base is _NO_BASE or base is None:
                return None
            tr["deps"] = base
        if tr:
            holder[attr] = tr
        else:
            del holder[attr]
        return ups

    def _post_rule_ups(self, node_id: str, post: dict | None) -> tuple[list[str] | None, dict | None]:
        rules = post.get("assets") if isinstance(post, dict) else None
        if not isinstance(rules, list) or not rules:
            return None, post
        rule = rules[-1]
        deps = rule.get("attributes", {}).get("deps") if isinstance(rule, dict) and \
            isinstance(rule.get("attributes"), dict) else None
        if not isinstance(deps, str) or set(rule) != {"target", "attributes"} or rule["target"] != "*" \
                or set(rule["attributes"]) != {"deps"}:
            return None, post
        m = _POST_RULE.match(deps)
        keys = _ctor_keys(m.group("keys"), _ASSET_KEY) if m else None
        if not keys:
            return None, post
        ups: list[str] = []
        for key in keys:
            up = self.owner.get(key)
            if up is None or up == node_id:
                return None, post
            if up not in ups:
                ups.append(up)
        if not all(set(self.keys[u]) <= set(keys) for u in ups):
            return None, post
        post = dict(post)  # type: ignore[arg-type]
        post["assets"] = rules[:-1]
        if not post["assets"]:
            del post["assets"]
        return ups, post or None

    def _parts_ups(self, parts: list[str], ctor: str | None) -> list[str] | None:
        """Upstream nodes named by the parts codegen adds: a build_defs expression or a node's keys."""
        ups: list[str] = []
        for part in parts:
            m = _BUILD_DEFS.match(part.strip())
            if m:
                up = self.slug_node.get(m.group(1))  # folder references were renamed to the slugs
            else:
                keys = _ctor_keys(part, ctor) if ctor else _segment_keys(part)
                up = self.owner.get(keys[0]) if keys else None
                if up is not None and self.keys.get(up) != keys:
                    up = None
            if up is None or up in ups:
                return None
            ups.append(up)
        return ups


# ------------------------------------------------------------------ template pieces
_NO_BASE = object()


def _split_top(text: str, sep: str) -> list[str]:
    """Split on ``sep`` outside brackets and quotes."""
    parts, depth, quote, start, i = [], 0, "", 0, 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 and text.startswith(sep, i):
            parts.append(text[start:i])
            i += len(sep)
            start = i
            continue
        i += 1
    parts.append(text[start:])
    return parts


def _segment_keys(text: str) -> list[str] | None:
    """``[['raw', 'orders'], ['b']]`` -> ``["raw/orders", "b"]`` (a literal: ast.literal_eval, no code)."""
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    if not isinstance(value, list) or not all(
            isinstance(k, list) and k and all(isinstance(p, str) for p in k) for k in value):
        return None
    return ["/".join(k) for k in value]


def _ctor_keys(text: str, ctor: str) -> list[str] | None:
    """``[ctor('a/b'), ctor('c')]`` -> ``["a/b", "c"]``."""
    text = text.strip()
    if not (text.startswith("[") and text.endswith("]")):
        return None
    inner = text[1:-1].strip()
    if not inner:
        return []
    keys = []
    for item in _split_top(inner, ", "):
        m = re.fullmatch(re.escape(ctor) + r"\('([^'{}]*)'\)", item.strip())
        if not m:
            return None
        keys.append(m.group(1))
    return keys


def _base_value(text: str, ctor: str | None) -> Any:
    """The user's own deps codegen put first: ``[]`` -> None (none), a key list -> the list, ``(T)`` ->
    the template ``{{ T }}``; ``_NO_BASE`` when it is none of these."""
    text = text.strip()
    if text == "[]":
        return None
    keys = _ctor_keys(text, ctor) if ctor else _segment_keys(text)
    if keys is not None:
        return keys or None
    if text.startswith("(") and text.endswith(")") and len(_split_top(text, " + ")) == 1:
        return "{{ " + text[1:-1].strip() + " }}"
    return _NO_BASE


def _map_strings(value: Any, fn: Any) -> Any:
    if isinstance(value, str):
        return fn(value) if "{{" in value else value
    if isinstance(value, list):
        return [_map_strings(v, fn) for v in value]
    if isinstance(value, dict):
        return {k: _map_strings(v, fn) for k, v in value.items()}
    return value


def _canonical(text: str) -> Any:
    """A defs.yaml document compared modulo the order of literal deps lists."""
    def walk(value: Any, key: str | None = None) -> Any:
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            items = [walk(v) for v in value]
            if key == "deps" and all(isinstance(v, str) for v in items):
                return sorted(normalize_key(v) for v in items)
            return items
        return value

    return walk(yaml.safe_load(text))
