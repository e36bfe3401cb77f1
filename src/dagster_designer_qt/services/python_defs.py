"""What a plain Python definitions module declares, read with ``ast`` only (its code never runs here).

Found: ``@asset`` (key from ``key=``, ``key_prefix=`` + ``name=``, or the function name; deps from
``deps=[...]`` literals and from parameters, which name upstream assets), ``@multi_asset`` (``outs={...}``
keys, ``specs=[AssetSpec("k"), ...]``), ``AssetSpec("k")`` anywhere, ``@asset_check``, ``@job``/
``define_asset_job``, ``@schedule``/``ScheduleDefinition``, ``@sensor`` and ``@definitions``/
``Definitions(...)``. Keys only known when the module runs (computed names) are not found; the node then
shows what was found and says so.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

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
_LOAD_KEYS = """
import json, sys, warnings
from pathlib import Path
warnings.filterwarnings("ignore")
root = Path(sys.argv[1]).resolve()
sys.path.insert(0, str(root / "src"))
sys.path.insert(0, str(root))
out = {}
try:
    from dagster.components.core.component_tree import ComponentTree
    tree = ComponentTree.for_project(root)
    for rel in json.loads(sys.argv[2]):
        try:
            graph = tree.build_defs(root / rel).resolve_asset_graph()
            out[rel] = sorted(k.to_user_string() for k in graph.executable_asset_keys)
        except Exception as exc:
            out[rel] = {"error": (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]}
except Exception as exc:
    out = {"error": (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]}
print("@@KEYS@@" + json.dumps(out))
"""


def load_module_keys(project: object, *, timeout: float = 300.0) -> dict[str, list[str] | str]:
    """Ask Dagster, in a helper process, which asset keys each plain Python module node of an opened
    project defines: module file -> keys, or an error message for a module that does not load.

    This imports and runs the project's code: call it only when the user asked for it (and trusts the
    project). The node keys are updated (``source.keys`` and the ``asset_keys`` attribute shown)."""
    import json
    import os
    import subprocess
    import sys

    source = getattr(project, "source", None)
    nodes = [n for n in project.graph.iter_nodes()  # type: ignore[attr-defined]
             if n.source is not None and n.source.kind == "python"]
    if source is None or not nodes:
        return {}
    env = dict(os.environ, DAGSTER_DG_UPDATE_CHECK_ENABLED="0", DAGSTER_TELEMETRY_DISABLED="1")
    try:
        proc = subprocess.run([sys.executable, "-c", _LOAD_KEYS, source.folder,
                               json.dumps([n.source.file for n in nodes])],
                              capture_output=True, text=True, timeout=timeout, env=env, cwd=source.folder)
    except subprocess.TimeoutExpired:
        return {n.source.file: f"Dagster took longer than {timeout:.0f} s to load it" for n in nodes}
    found: dict = {}
    for line in proc.stdout.splitlines():
        if line.startswith("@@KEYS@@"):
            found = json.loads(line[len("@@KEYS@@"):])
    if not found or "error" in found and not isinstance(found.get("error"), (list, dict)):
        message = found.get("error") if found else (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {n.source.file: f"Dagster could not load the project: {message}" for n in nodes}
    result: dict[str, list[str] | str] = {}
    for node in nodes:
        keys = found.get(node.source.file)
        if isinstance(keys, list):
            node.source.keys = list(keys)
            node.attributes = {**node.attributes, "asset_keys": list(keys)}
            result[node.source.file] = keys
        else:
            result[node.source.file] = (keys or {}).get("error", "not loaded") if isinstance(keys, dict) \
                else "not loaded"
    return result
