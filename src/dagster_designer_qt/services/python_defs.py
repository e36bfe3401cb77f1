"""What a plain Python definitions module declares, read with ``ast`` only (its code never runs here).

Found: ``@asset`` (key from ``key=``, ``key_prefix=`` + ``name=``, or the function name; deps from
``deps=[...]`` literals and from parameters, which name upstream assets), ``@multi_asset`` (``outs={...}``
keys, ``specs=[AssetSpec("k"), ...]``), ``AssetSpec("k")`` anywhere, ``@asset_check``, ``@job``/
``define_asset_job``, ``@schedule``/``ScheduleDefinition``, ``@sensor`` and ``@definitions``/
``Definitions(...)``. Keys only known when the module runs (computed names) are not found; the node then
shows what was found and says so.

Once the user trusts the project, ``ask_module_keys`` asks Dagster itself (helper ``module-keys``, in the
project's interpreter) and ``plan_key_refresh`` / ``apply_key_refresh`` put its keys, and the edges they
imply, on the nodes without changing what saving in place writes (docs/TRUST.md).
"""

from __future__ import annotations

import ast
import copy
import subprocess
from dataclasses import dataclass, field, replace
from typing import Any

_DECORATORS = {
    "asset": "asset", "multi_asset": "asset", "graph_asset": "asset", "graph_multi_asset": "asset",
    "observable_source_asset": "asset", "asset_check": "check", "multi_asset_check": "check",
    "job": "job", "graph": "job", "schedule": "schedule", "sensor": "sensor", "asset_sensor": "sensor",
    "multi_asset_sensor": "sensor", "definitions": "definitions", "op": "op",
}
_CALLS = {"define_asset_job": "job", "ScheduleDefinition": "schedule", "build_schedule_from_partitioned_job":
          "schedule", "Definitions": "definitions", "SensorDefinition": "sensor",
          "build_last_update_freshness_checks": "check", "build_column_schema_change_checks": "check"}


@dataclass
class ModuleScan:
    keys: list[str] = field(default_factory=list)
    deps: list[str] = field(default_factory=list)
    defines: list[str] = field(default_factory=list)

    def add(self, kind: str) -> None:
        if kind not in self.defines:
            self.defines.append(kind)


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _kwargs(node: ast.AST) -> dict[str, ast.AST]:
    return {k.arg: k.value for k in node.keywords if k.arg} if isinstance(node, ast.Call) else {}


def _key(node: ast.AST | None) -> str | None:
    """A literal asset key: "a/b" string, ["a", "b"] list, AssetKey([...]) / AssetKey("a")."""
    if node is None:
        return None
    if isinstance(node, ast.Call) and _name(node) == "AssetKey" and node.args:
        node = node.args[0]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple)) and node.elts and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
        return "/".join(e.value for e in node.elts)  # type: ignore[attr-defined]
    return None


def _prefix(node: ast.AST | None) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.List, ast.Tuple)) and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
        return [e.value for e in node.elts]  # type: ignore[attr-defined]
    return []


def _spec_key(call: ast.Call) -> str | None:
    kw = _kwargs(call)
    return _key(call.args[0] if call.args else kw.get("key"))


def _deps(node: ast.AST | None) -> list[str]:
    out = []
    if isinstance(node, (ast.List, ast.Tuple)):
        for e in node.elts:
            key = _key(e)
            if key is None and isinstance(e, ast.Name):
                continue  # a Python reference to another asset: its key is its own name, unknown here
            if key:
                out.append(key)
    return out


def _asset(fn: ast.FunctionDef | ast.AsyncFunctionDef, deco: ast.AST, scan: ModuleScan) -> None:
    kw = _kwargs(deco)
    kind = _name(deco)
    if kind in ("multi_asset", "graph_multi_asset"):
        outs = kw.get("outs")
        if isinstance(outs, ast.Dict):
            for k, v in zip(outs.keys, outs.values):
                explicit = _key(_kwargs(v).get("key")) if isinstance(v, ast.Call) else None
                if explicit or (isinstance(k, ast.Constant) and isinstance(k.value, str)):
                    scan.keys.append(explicit or k.value)  # type: ignore[union-attr]
        specs = kw.get("specs")
        if isinstance(specs, (ast.List, ast.Tuple)):
            for s in specs.elts:
                if isinstance(s, ast.Call) and _name(s) == "AssetSpec":
                    key = _spec_key(s)
                    if key:
                        scan.keys.append(key)
                    scan.deps.extend(_deps(_kwargs(s).get("deps")))
    else:
        key = _key(kw.get("key"))
        name, prefix = kw.get("name"), kw.get("key_prefix")
        computed = "key" in kw and key is None or (
            name is not None and not (isinstance(name, ast.Constant) and isinstance(name.value, str))) or (
            prefix is not None and not _prefix(prefix))
        if key is None and not computed:
            base = name.value if isinstance(name, ast.Constant) else fn.name  # type: ignore[union-attr]
            key = "/".join([*_prefix(prefix), base])
        if key is not None:
            scan.keys.append(key)  # a computed key is only known when the module runs
    scan.deps.extend(_deps(kw.get("deps")))
    ins = kw.get("ins")
    named_ins = set()
    if isinstance(ins, ast.Dict):
        for k, v in zip(ins.keys, ins.values):
            if isinstance(k, ast.Constant) and isinstance(k.value, str):
                named_ins.add(k.value)
                key = _key(_kwargs(v).get("key")) if isinstance(v, ast.Call) else None
                scan.deps.append(key or k.value)
    for arg in fn.args.args + fn.args.kwonlyargs:
        if arg.arg not in ("context", "config", "self") and arg.arg not in named_ins and \
                not (arg.annotation is not None and _name(arg.annotation) in ("AssetExecutionContext",
                                                                               "OpExecutionContext")):
            scan.deps.append(arg.arg)


def scan_module(tree: ast.Module) -> ModuleScan:
    scan = ModuleScan()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for deco in node.decorator_list:
                kind = _DECORATORS.get(_name(deco) or "")
                if kind is None:
                    continue
                scan.add(kind)
                if kind == "asset":
                    _asset(node, deco, scan)
        elif isinstance(node, ast.Call):
            name = _name(node)
            if name in _CALLS:
                scan.add(_CALLS[name])
            elif name == "AssetSpec":
                key = _spec_key(node)
                if key and key not in scan.keys:
                    scan.keys.append(key)
                    scan.add("asset")
    scan.keys = list(dict.fromkeys(scan.keys))
    scan.deps = [d for d in dict.fromkeys(scan.deps) if d not in scan.keys]
    return scan


# ------------------------------------------------------------------ asking Dagster (runs project code)
def ask_module_keys(folder: str, files: list[str], *, python: Any = None, timeout: float = 300.0,
                    cancel: Any = None) -> dict[str, list[str] | str]:
    """Ask Dagster, in a helper process in the project's interpreter (``python``: a ResolvedPython, None:
    the designer's own), which asset keys each plain Python module ``files`` defines: file -> keys, or an
    error message for a module that does not load. Changes nothing.

    This imports and runs the project's code: call it only once the user trusts the project."""
    import json

    from dagster_designer_qt.services import helper_process
    from dagster_designer_qt.services.project_python import helper_command, helper_env

    if not files:
        return {}
    own = python is None or getattr(python, "own", True)
    try:
        proc = helper_process.run(helper_command(python, "module-keys", str(folder), json.dumps(list(files))),
                                  env=helper_env(own), cwd=str(folder), timeout=timeout, cancel=cancel)
    except subprocess.TimeoutExpired:
        return {f: f"Dagster took longer than {timeout:.0f} s to load it" for f in files}
    except OSError as exc:
        return {f: f"cannot start the project's Python: {exc}" for f in files}
    found: Any = None
    for line in (proc.stdout or "").splitlines():
        if line.startswith(_MARK):
            try:
                found = json.loads(line[len(_MARK):])
            except ValueError:
                found = None
    if not isinstance(found, dict) or isinstance(found.get("error"), str):
        message = found.get("error") if isinstance(found, dict) else \
            ((proc.stderr or "").strip().splitlines() or ["no output"])[-1]
        return {f: f"Dagster could not load the project: {message}" for f in files}
    result: dict[str, list[str] | str] = {}
    for f in files:
        keys = found.get(f)
        if isinstance(keys, list) and all(isinstance(k, str) for k in keys):
            result[f] = list(keys)
        elif isinstance(keys, dict):
            result[f] = str(keys.get("error") or "not loaded")
        else:
            result[f] = "not loaded"
    return result


def module_files(project: Any) -> list[str]:
    """The plain Python module nodes' files of an opened project (relative POSIX paths)."""
    return [n.source.file for n in project.graph.iter_nodes()
            if n.source is not None and n.source.kind == "python"]


def load_module_keys(project: Any, *, python: Any = None, timeout: float = 300.0) -> dict[str, list[str] | str]:
    """``ask_module_keys`` for an opened project's module nodes, and their keys set to Dagster's (the
    ``asset_keys`` attribute shown and ``source.keys``). For headless use; the app applies the answer
    through ``Graph.refresh_module_keys`` on its UI thread. Runs the project's code (needs trust)."""
    source = getattr(project, "source", None)
    files = module_files(project) if source is not None else []
    if not files:
        return {}
    found = ask_module_keys(source.folder, files, python=python, timeout=timeout)
    apply_key_refresh(project, plan_key_refresh(project, found))
    return found


def apply_key_refresh(project: Any, plan: tuple[dict[str, list[str]], list[tuple[str, str]], list[str]]) -> None:
    """Apply ``plan_key_refresh``'s answer through the model's own mutators (events, no undo command):
    keys are derived data read from the project, not the user's edits."""
    from dagster_designer_qt.core.errors import GraphError
    from dagster_designer_qt.core.model import Edge, new_id

    keys, edges, _notes = plan
    graph = project.graph
    for node_id, new in keys.items():
        if graph.has_node(node_id):
            graph.refresh_module_keys(node_id, new)
    for up, down in edges:
        if graph.has_node(up) and graph.has_node(down) and graph.find_edge(up, down) is None:
            try:
                graph.add_edge(Edge(id=new_id(), source=up, target=down))
            except GraphError:
                pass  # a cycle: the graph as the user has it wins


def module_edges(project: Any) -> list[tuple[str, str]]:
    """(upstream, downstream) node pairs that the asset keys of the project's Python module nodes imply:
    a component's literal ``deps`` naming a module's key, a module's declared deps naming another node's
    key. Only keys with one owner count (as when the project was opened)."""
    from dagster_designer_qt.core.assets import declared_asset_keys, normalize_key
    from dagster_designer_qt.services.importer import _literal_deps

    owners: dict[str, set[str]] = {}
    nodes = list(project.graph.iter_nodes())
    for node in nodes:
        if getattr(node, "node_type", "component") == "python":
            keys = node.source.keys if node.source is not None else []
        else:
            keys = declared_asset_keys(node) or []
        for key in keys:
            owners.setdefault(normalize_key(key), set()).add(node.id)
    owner = {k: next(iter(ids)) for k, ids in owners.items() if len(ids) == 1}
    pairs: list[tuple[str, str]] = []
    for node in nodes:
        if getattr(node, "node_type", "component") == "python":
            deps = [normalize_key(d) for d in node.data_extra.get("declared_deps", []) if isinstance(d, str)]
        else:
            deps = _literal_deps(node.attributes)
        for key in deps:
            up = owner.get(key)
            if up is None or up == node.id:
                continue
            if getattr(node, "node_type", "component") != "python" and \
                    project.graph.node(up).node_type != "python":
                continue  # component -> component edges are the user's (and written in the files)
            if (up, node.id) not in pairs:
                pairs.append((up, node.id))
    return pairs


def plan_key_refresh(project: Any, found: dict[str, Any],
                     components: Any = None) -> tuple[dict[str, list[str]], list[tuple[str, str]], list[str]]:
    """What taking Dagster's keys (``found``: module file -> keys or an error) does to an opened project
    without changing what saving in place writes: (module node id -> new keys, edges to add, notes).

    An edge from a module to a component becomes that component's ``deps`` when saved (all the module's
    keys), so a module takes Dagster's keys only if no component downstream of it would be written
    differently, and an implied edge is added only if its component's document stays the same (as the
    importer does when it opens a folder). Edges between modules are only shown: always added."""
    from dagster_designer_qt.services.node_docs import DocGenerator

    graph = project.graph
    nodes = list(graph.iter_nodes())
    by_file = {n.source.file: n for n in nodes if n.source is not None and n.source.kind == "python"}
    edges = [(e.source, e.target) for e in graph.iter_edges()]
    is_module = {n.id: n.source is not None and n.source.kind == "python" for n in nodes}

    def documents(node_list: list[Any], pairs: list[tuple[str, str]], ids: set[str]) -> dict[str, Any]:
        ups: dict[str, list[str]] = {}
        for up, down in pairs:
            ups.setdefault(down, []).append(up)
        gen = DocGenerator(project, node_list, ups, components)
        by_id = {n.id: n for n in node_list}
        out: dict[str, Any] = {}
        for node_id in ids:
            try:
                out[node_id] = gen.document(by_id[node_id])
            except Exception as exc:  # noqa: BLE001 - a node codegen refuses: compare the refusal
                out[node_id] = ("error", str(exc))
        return out

    def downstream_components(module_ids: set[str], pairs: list[tuple[str, str]]) -> set[str]:
        return {down for up, down in pairs if up in module_ids and not is_module.get(down, True)}

    current = list(nodes)
    keys: dict[str, list[str]] = {}
    notes: list[str] = []
    for file, new in found.items():
        node = by_file.get(file)
        if node is None or not isinstance(new, list) or list(new) == list(node.source.keys):
            continue
        twin = copy.copy(node)
        twin.source = replace(node.source, keys=list(new))
        twin.attributes = {**node.attributes, "asset_keys": list(new)}
        trial = [twin if n.id == node.id else n for n in current]
        affected = downstream_components({node.id}, edges)
        if documents(current, edges, affected) != documents(trial, edges, affected):
            notes.append(f"{file}: kept the keys read from the file (Dagster's would change what saving "
                         "writes for a component connected to it)")
            continue
        current, keys[node.id] = trial, list(new)
    shadow = copy.copy(project)
    shadow.graph = _NodesView(current, graph)
    added: list[tuple[str, str]] = []
    for up, down in module_edges(shadow):
        if (up, down) in edges or (up, down) in added:
            continue
        if not is_module.get(down, True):
            pairs = edges + added
            if documents(current, pairs, {down}) != documents(current, pairs + [(up, down)], {down}):
                continue  # the connection would rewrite the component's deps: not shown as an edge
        added.append((up, down))
    return keys, added, notes


class _NodesView:
    """A graph's nodes with some replaced (for ``module_edges`` on a trial), read-only."""

    def __init__(self, nodes: list[Any], graph: Any):
        self._nodes = {n.id: n for n in nodes}
        self._graph = graph

    def iter_nodes(self):
        return iter(self._nodes.values())

    def node(self, node_id: str) -> Any:
        return self._nodes[node_id]


_MARK = "@@DESIGNER-LOAD@@"
