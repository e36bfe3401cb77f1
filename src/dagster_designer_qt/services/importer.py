"""Open an existing Dagster project folder (or a bare ``defs`` folder) as a designer project. Reads files
only: no project code is imported or run (Python is parsed with ``ast``).

What is read is what Dagster 1.13 loads (see ``project_reader``): every document of every ``defs.yaml``,
``defs.yml`` or ``component.yaml`` becomes a node (label: its folder's name, ``"name 2"``... for the
further documents of a file), nested folders at any depth, ``DefsFolderComponent`` folders with their
children; plain Python definitions modules become read-only nodes with the asset keys they declare.
Each node remembers its file and document (``Node.source``) and the project its folder
(``Project.source``): saving in place (``save_in_place``) writes back only what changed.

Node attributes are the document's, except the dependencies codegen writes for an edge, which become
edges (the inverse of codegen, see ``_Linker``): declared asset ``deps`` naming all of another node's
keys, the ``{{ ... }}`` deps templates and the ``post_processing`` rule codegen appends. Each node's
result is checked by generating its document again; where that would differ from the document as
written, the node keeps its deps as written and gets no incoming edges. Deps on keys of plain Python
modules become edges too (they stay in the file as written).

Problems (a YAML error with line and column, a document that is not a component, an unknown component
type, an unreadable, too large or badly named file) are reported per file; the rest of the project opens.
"""

from __future__ import annotations

import ast
import os
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from dagster_designer_qt.core.assets import normalize_key
from dagster_designer_qt.core.errors import DesignerError, GraphError
from dagster_designer_qt.core.json_copy import json_copy
from dagster_designer_qt.core.layout import NODE_HEIGHT, layered_layout, layers_of
from dagster_designer_qt.core.model import Edge, Node, NodeSource, Project, ProjectSource
from dagster_designer_qt.services.codegen import dbt_source_keys, embeddable_keys
from dagster_designer_qt.services.codegen_traits import TypeTraits, traits_for
from dagster_designer_qt.services.node_docs import READ_INPUTS, DocGenerator, folder_source_keys
from dagster_designer_qt.services.project_reader import (
    DEFS_FOLDER_TYPES,
    Document,
    Problem,
    ProjectReadError,
    PythonModule,
    is_project_local,
    printable,
    read_project,
)

DEFS_FILE = "defs.yaml"
PYTHON_TYPE = "python"  # component_type of a read-only plain definitions module node
MAX_FILE_BYTES = 1024 * 1024
_ID_NAMESPACE = uuid.UUID("8f0c1d2e-3b4a-5c6d-7e8f-9a0b1c2d3e4f")

_TEMPLATE = re.compile(r"^\s*\{\{(.*)\}\}\s*$", re.S)
_BUILD_DEFS = re.compile(
    r"^\(context\.build_defs\('([^'{}]*)'\)\.resolve_asset_graph\(\)\.executable_asset_keys \| list\)$")
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
    """The folder can't be opened (not a Dagster project, a symlink loop, bad settings...)."""


@dataclass
class ImportResult:
    project: Project
    warnings: list[str] = field(default_factory=list)
    defs_root: Path | None = None
    problems: list[Problem] = field(default_factory=list)


@dataclass
class _Doc:
    node: Node
    folder: str  # the component folder below the defs root
    raw: dict[str, Any]  # the YAML document as written
    source_keys: set[str] = field(default_factory=set)  # dbt sources in the folder (edges they imply)




# ------------------------------------------------------------------ entry point
def import_project(source: str | os.PathLike[str], *,
                   components: Mapping[str, Any] | None = None) -> ImportResult:
    """Read the Dagster project (or defs folder) at ``source`` into a new designer Project.

    ``components`` is the registry mapping codegen takes; with it, component types neither installed nor
    defined in the project are problems."""
    try:
        root = Path(source).resolve(strict=True)
    except RuntimeError:
        raise ImportProjectError(f"{printable(str(source))}: a symlink loop") from None
    except OSError as exc:
        raise ImportProjectError(f"{printable(str(source))}: {exc.strerror or exc}") from None
    if not root.is_dir():
        raise ImportProjectError(f"{printable(str(root))}: not a folder")
    try:
        read = read_project(root)
    except ProjectReadError as exc:
        raise ImportProjectError(str(exc)) from None
    settings = read.settings
    problems = list(read.problems)
    warnings: list[str] = []
    docs = [_doc_node(d) for d in read.documents]
    if components is not None:
        for d, doc in zip(read.documents, docs):
            ctype = doc.node.component_type
            if ctype not in components and ctype not in _BUILTIN_TYPES and not is_project_local(ctype, settings):
                problems.append(Problem(d.file, f"unknown component type {printable(ctype)!r} (not installed "
                                                "and not defined in this project)", d.line))
    for d, doc in zip(read.documents, docs):
        if traits_for(doc.node.component_type, components).translation:
            doc.source_keys = folder_source_keys(settings.defs_root / d.folder)
    modules = [_module_node(m) for m in read.modules]
    if not docs and not modules:
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise ImportProjectError(f"{problems[0]}{more}")
        raise ImportProjectError(f"{printable(str(settings.defs_root))}: no components (no defs.yaml, "
                                 "defs.yml or component.yaml) and no Python definitions found")
    name = settings.name
    project = Project(name, project_id=_stable_id("project", name), description=settings.description)
    defs_rel = settings.rel(settings.defs_root) if settings.defs_root != settings.root else ""
    project.source = ProjectSource(folder=str(root), defs="" if defs_rel == "." else defs_rel,
                                   documents={d.node.source.doc: (d.node.source.file, d.node.source.document)
                                              for d in docs})
    try:
        linker = _Linker(project, docs, modules, components, warnings)
        linker.run()
    except RecursionError:
        raise ImportProjectError(f"{printable(str(root))}: values nested too deeply to read") from None
    gen = DocGenerator(project, project.graph.nodes,
                       {n.id: project.graph.upstream(n.id) for n in project.graph.iter_nodes()}, components)
    for node in project.graph.iter_nodes():
        if node.node_type != PYTHON_TYPE:
            made = linker.verified.get(node.id)  # the document _verify made, if its edges are the same now
            same = made is not None and made[0] == project.graph.upstream(node.id)
            node.source.read = made[1] if same else gen.document(node)
            setattr(node.source, READ_INPUTS, gen.inputs(node))
    for node_id, (x, y) in _layout(project).items():
        project.graph.move_node(node_id, x, y)
    return ImportResult(project=project, warnings=warnings, defs_root=settings.defs_root, problems=problems)


_BUILTIN_TYPES = frozenset({"dagster.DefsFolderComponent", "dagster.components.DefsFolderComponent"})


GROUP_GAP = 110.0  # between a DefsFolderComponent's band and what is above it (room for the frame)


def _layout(project: Project) -> dict[str, tuple[float, float]]:
    """Left-to-right layers; the children of each outermost DefsFolderComponent laid out together in a band
    of their own below, so the frame the canvas draws around them holds nothing else. Every part uses the
    whole graph's columns: a node downstream of a band's node sits to its right."""
    graph = project.graph
    groups = [n.source.file.rpartition("/")[0] + "/" for n in graph.iter_nodes()
              if n.component_type in DEFS_FOLDER_TYPES and n.source is not None]
    outer = [g for g in groups if not any(o != g and g.startswith(o) for o in groups)]
    bands: dict[str, list[str]] = {g: [] for g in outer}
    loose: list[str] = []
    for node in graph.iter_nodes():
        file = node.source.file if node.source is not None else ""
        group = next((g for g in outer if file.startswith(g) and not (
            node.component_type in DEFS_FOLDER_TYPES and file == g + file.rpartition("/")[2])), None)
        (bands[group] if group else loose).append(node.id)
    # Columns come from the whole graph, so an edge between a band and the rest still points right.
    columns = layers_of(graph)
    positions = layered_layout(graph, loose, fixed_layers=columns)
    bottom = max((y for _x, y in positions.values()), default=-NODE_HEIGHT - GROUP_GAP)
    for ids in bands.values():
        band = layered_layout(graph, ids, fixed_layers=columns)
        if not band:
            continue
        top = bottom + NODE_HEIGHT + GROUP_GAP
        positions.update({i: (x, y + top) for i, (x, y) in band.items()})
        bottom = max(y for _x, y in positions.values())
    return positions


def _stable_id(*parts: str) -> str:
    """Importing the same folder twice gives the same ids (and so the same project file)."""
    return uuid.uuid5(_ID_NAMESPACE, "\x00".join(parts)).hex


def _doc_node(d: Document) -> _Doc:
    leaf = d.folder.rsplit("/", 1)[-1]
    label = leaf if d.index == 0 else f"{leaf} {d.index + 1}"
    data = d.data
    node = Node(
        id=_stable_id("node", d.file, str(d.index)),
        component_type=data["type"],
        label=printable(label),
        attributes=json_copy(data.get("attributes") or {}),
        post_processing=json_copy(data.get("post_processing")) or None,
        source=NodeSource(doc=_stable_id("doc", d.file, str(d.index)), file=d.file, document=d.index),
    )
    return _Doc(node=node, folder=d.folder, raw=data)


def _module_node(m: PythonModule) -> Node:
    stem = m.file.rsplit("/", 1)[-1].removesuffix(".py")
    return Node(
        id=_stable_id("module", m.file),
        component_type=PYTHON_TYPE,
        label=printable(stem),
        attributes={"module": m.file, "defines": list(m.defines), "asset_keys": list(m.keys)},
        node_type=PYTHON_TYPE,
        source=NodeSource(doc=_stable_id("module", m.file), file=m.file, document=0, kind="python",
                          keys=list(m.keys)),
        data_extra={"declared_deps": list(m.deps)} if m.deps else {},
    )


# ------------------------------------------------------------------ edges
@dataclass
class _Plan:
    ups: list[str]
    attributes: dict[str, Any]
    post_processing: dict[str, Any] | None


class _Linker:
    """Turns the deps codegen writes for edges back into edges (see the module docstring)."""

    def __init__(self, project: Project, docs: list[_Doc], modules: list[Node],
                 components: Mapping[str, Any] | None, warnings: list[str]):
        self.project = project
        self.docs = docs
        self.modules = modules
        self.components = components
        self.warnings = warnings
        self.nodes = [d.node for d in docs]
        self.verified: dict[str, tuple[list[str], dict]] = {}  # node id -> (its ups, its document) as checked
        self.traits: dict[str, TypeTraits] = {n.id: traits_for(n.component_type, components)
                                              for n in self.nodes}
        self.slugs = {d.node.id: d.folder for d in docs}  # folder references name the real folders
        by_folder: dict[str, list[str]] = {}
        for d in docs:
            by_folder.setdefault(d.folder, []).append(d.node.id)
        self.slug_node = {f: ids[0] for f, ids in by_folder.items() if len(ids) == 1}
        self.keys: dict[str, list[str]] = {}
        owners: dict[str, set[str]] = {}
        for n in self.nodes:
            keys = embeddable_keys(n, self.traits[n.id])
            if keys:
                self.keys[n.id] = keys
        for m in modules:
            if m.source.keys:
                self.keys[m.id] = list(m.source.keys)
        for node_id, keys in self.keys.items():
            for k in keys:
                owners.setdefault(k, set()).add(node_id)
        self.owner = {k: next(iter(ids)) for k, ids in owners.items() if len(ids) == 1}

    def warn(self, doc: _Doc, message: str) -> None:
        self.warnings.append(f"{doc.folder}: {message}")

    def run(self) -> None:
        self.project.graph.load(self.nodes + self.modules, [])
        as_written = {n.id: (json_copy(n.attributes), json_copy(n.post_processing)) for n in self.nodes}
        for doc in self.docs:
            plan = self._plan(doc)
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
        self._module_edges()

    def _module_edges(self) -> None:
        """Deps on (or of) a plain Python module's declared keys are edges; they stay in the files."""
        for doc in self.docs:
            for key in _literal_deps(doc.node.attributes):
                up = self.owner.get(key)
                if up is not None and self.project.graph.node(up).node_type == PYTHON_TYPE:
                    self._edge(up, doc.node.id)
        for m in self.modules:
            for key in m.data_extra.get("declared_deps", []):
                up = self.owner.get(normalize_key(key))
                if up is not None and up != m.id:
                    self._edge(up, m.id)

    def _edge(self, up: str, down: str) -> None:
        graph = self.project.graph
        if graph.find_edge(up, down) is not None:
            return
        try:
            graph.add_edge(Edge(id=_stable_id("edge", up, down), source=up, target=down))
        except GraphError as exc:
            self.warnings.append(f"{graph.node(down).label}: connection not made: {exc}")

    # ----------------------------------------------------------- verification
    def _verify(self, as_written: dict[str, tuple[Any, Any]]) -> None:
        """Keep a node's edges only if generating it gives what generating it as written gives."""
        plain = [Node(id=n.id, component_type=n.component_type, label=n.label, attributes=as_written[n.id][0],
                      post_processing=as_written[n.id][1], source=n.source) for n in self.nodes]
        before = DocGenerator(self.project, plain + self.modules, {}, self.components)
        ups = {n.id: self.project.graph.upstream(n.id) for n in self.nodes}
        after = DocGenerator(self.project, self.nodes + self.modules, ups, self.components)
        for doc, plain_node in zip(self.docs, plain):
            node = doc.node
            if not ups[node.id]:
                continue
            made = after.document(node)
            if _canonical(before.document(plain_node)) == _canonical(made):
                self.verified[node.id] = (list(ups[node.id]), made)
                continue
            for up in ups[node.id]:
                edge = self.project.graph.find_edge(up, node.id)
                if edge is not None:
                    self.project.graph.remove_edge(edge.id)
            node.attributes, node.post_processing = json_copy(as_written[node.id][0]), json_copy(as_written[node.id][1])
            node.translation = None
            self.warn(doc, "its dependencies are kept as written (they don't match what a connection "
                           "writes)")

    # ----------------------------------------------------------- one target node
    def _plan(self, doc: _Doc) -> _Plan | None:
        node = doc.node
        t = self.traits[node.id]
        attrs = json_copy(node.attributes)
        post = json_copy(node.post_processing)
        implied = self._implied(node, doc) if (t.translation or t.item_translation) else []
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

    def _implied(self, node: Node, doc: _Doc) -> list[str]:
        sources = doc.source_keys
        if not sources:
            return []
        return [u for u, keys in self.keys.items()
                if u != node.id and sources and set(keys) <= sources and all(self.owner.get(k) == u for k in keys)]

    @staticmethod
    def _same_for_all(items: list[dict], parse: Any) -> list[str] | None:
        """Run ``parse`` (which strips what it recognises) on every item; the ups must agree."""
        if not items:
            return None
        trial = json_copy(items)
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



def _literal_deps(value: Any) -> list[str]:
    """Literal ``deps`` keys anywhere in the attributes (asset specs, translations)."""
    found: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            deps = item.get("deps")
            if isinstance(deps, list):
                found.extend(normalize_key(d) for d in deps if isinstance(d, str) and "{{" not in d)
            stack.extend(v for k, v in item.items() if k != "deps")
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _canonical(data: Any) -> Any:
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

    return walk(data)
