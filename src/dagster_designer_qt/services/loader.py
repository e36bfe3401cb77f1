"""Load an exported project with Dagster itself and report what it produced.

``load_project(project)`` exports to a temporary folder and loads it in a helper process (a fresh
interpreter per load: no module-name collisions between projects, no Dagster import in the caller, and a
timeout). The helper runs ``ComponentTree.for_project(root).build_defs()`` plus
``Definitions.validate_loadable`` with ``DAGSTER_IS_DEV_CLI=1`` (so dbt components prepare their manifest as
under ``dg``) and the project's ``.env`` applied, then prints JSON. Each asset is mapped back to the node that
produced it through the ``defs.yaml`` code reference Dagster attaches.

Run directly: ``python -m dagster_designer_qt.services.loader PROJECT_ROOT`` prints that JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from dagster_designer_qt.core.errors import DesignerError
from dagster_designer_qt.services import helper_process
from dagster_designer_qt.services.codegen import generate
from dagster_designer_qt.services.export import write_files

_MARK = "@@DESIGNER-LOAD@@"


class LoadError(DesignerError):
    """Dagster could not load the exported project; the message is Dagster's, shortened."""


@dataclass
class LoadedAsset:
    key: str
    deps: list[str]
    node_id: str | None  # the node whose defs.yaml produced it (None: nobody, a dangling dependency)
    node_label: str | None
    executable: bool
    group: str | None = None
    kinds: list[str] = field(default_factory=list)


@dataclass
class LoadReport:
    assets: list[LoadedAsset]
    warnings: list[str]
    package: str
    seconds: float = 0.0

    def deps_by_key(self) -> dict[str, list[str]]:
        return {a.key: a.deps for a in self.assets}

    def keys_of(self, node_id: str) -> list[str]:
        return [a.key for a in self.assets if a.node_id == node_id]


def load_project(project: Any, components: Mapping[str, Any] | None = None, *,
                 env: Mapping[str, str] | None = None, timeout: float = 600.0,
                 python: str | None = None) -> LoadReport:
    """Export ``project`` to a temp folder, load it with Dagster and report assets, deps, producing nodes
    and warnings (dangling dependencies, factories or declared nodes that produced no assets, generation
    warnings). Raises LoadError when Dagster refuses the project."""
    gen = generate(project, components)
    with tempfile.TemporaryDirectory(prefix="designer-load-") as tmp:
        root = Path(tmp) / "project"
        root.mkdir()
        write_files(gen.files, root)
        raw = load_folder(root, env=env, timeout=timeout, python=python)
    slug_to_node = {slug: node_id for node_id, slug in gen.folders.items()}
    labels = {n.id: n.label for n in project.graph.iter_nodes()}
    assets: list[LoadedAsset] = []
    for item in raw["assets"]:
        node_id = slug_to_node.get(item.get("folder") or "")
        assets.append(LoadedAsset(
            key=item["key"], deps=item["deps"], node_id=node_id,
            node_label=labels.get(node_id) if node_id else None, executable=item["executable"],
            group=item.get("group"), kinds=item.get("kinds", []),
        ))
    warnings = list(gen.warnings)
    for a in assets:
        if a.node_id is None and not a.executable:
            users = sorted(b.key for b in assets if a.key in b.deps)
            makers = sorted({b.node_label or b.node_id for b in assets if a.key in b.deps and b.node_id})
            made_by = f", made by {', '.join(makers)}" if makers else ""
            warnings.append(f"asset {a.key} is only a dependency (of {', '.join(users) or 'nothing'}{made_by}); "
                            "no component produces it: it stays an external asset, which is right for a "
                            "source outside this project (such as a Sling stream's source table); otherwise "
                            "connect the component that makes it")
    produced = {a.node_id for a in assets if a.node_id}
    for node in project.graph.iter_nodes():
        if node.id not in produced:
            warnings.append(f"{node.label or node.id} ({node.component_type}) produced no assets"
                            + (" (a Fivetran/state-backed component needs saved state, or credentials)"
                               if "fivetran" in node.component_type.lower() else ""))
    return LoadReport(assets=assets, warnings=warnings, package=gen.package, seconds=raw.get("seconds", 0.0))


def load_folder(root: str | os.PathLike[str], *, env: Mapping[str, str] | None = None,
                timeout: float = 600.0, python: str | None = None) -> dict[str, Any]:
    """Load an exported project folder in a helper process; returns the raw JSON report."""
    child_env = dict(os.environ)
    child_env.setdefault("DAGSTER_DG_UPDATE_CHECK_ENABLED", "0")
    child_env.setdefault("DAGSTER_TELEMETRY_DISABLED", "1")
    child_env["DAGSTER_IS_DEV_CLI"] = "1"
    exe = python or sys.executable
    bin_dir = str(Path(exe).parent)  # dbt's executable lives beside the interpreter
    child_env["PATH"] = bin_dir + os.pathsep + child_env.get("PATH", "")
    if env:
        child_env.update(env)
    try:
        proc = helper_process.run(  # stopped with its window or when the app quits
            [exe, "-m", "dagster_designer_qt.services.loader", str(Path(root).resolve())],
            timeout=timeout, env=child_env, cwd=str(root),
        )
    except subprocess.TimeoutExpired:
        raise LoadError(f"loading the project took longer than {timeout:.0f} s") from None
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(_MARK):
            data = json.loads(line[len(_MARK):])
            if data.get("error"):
                raise LoadError(data["error"])
            return data
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-15:]
    raise LoadError("the Dagster loader failed:\n" + "\n".join(tail))


def format_report(report: LoadReport) -> str:
    """Text for the CLI: one block per asset (key, producing node, deps), then warnings."""
    lines = [f"{len(report.assets)} assets loaded by Dagster:"]
    for a in sorted(report.assets, key=lambda a: a.key):
        origin = a.node_label or a.node_id or ("(dependency only)" if not a.executable else "(unknown)")
        lines.append(f"  {a.key}  <- {origin}")
        for dep in a.deps:
            lines.append(f"      depends on {dep}")
    for w in report.warnings:
        lines.append(f"warning: {w}")
    return "\n".join(lines)


# ------------------------------------------------------------------ helper process
def _read_dotenv(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    if not path.is_file():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        key = key.strip().removeprefix("export ").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        out[key] = value
    return out


def _worker(root: Path) -> dict[str, Any]:
    import time
    import warnings

    warnings.filterwarnings("ignore")
    start = time.perf_counter()
    for key, value in _read_dotenv(root / ".env").items():
        os.environ.setdefault(key, value)
    sys.path.insert(0, str(root / "src"))
    import dagster as dg
    from dagster.components.core.component_tree import ComponentTree

    tree = ComponentTree.for_project(root)
    defs = tree.build_defs()
    dg.Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    defs_root = Path(tree.defs_module_path).resolve()
    # Which component folder produced each asset: build each folder's defs (cached by the tree).
    folder_of: dict[Any, str] = {}
    for sub in sorted(p for p in defs_root.iterdir() if p.is_dir() and (p / "defs.yaml").is_file()):
        sub_graph = tree.build_defs(sub).resolve_asset_graph()
        for key in sub_graph.executable_asset_keys:
            folder_of.setdefault(key, sub.name)
    assets = []
    for node in graph.asset_nodes:
        spec = node.to_asset_spec()
        folder = folder_of.get(spec.key)
        assets.append({
            "key": spec.key.to_user_string(),
            "deps": sorted(d.asset_key.to_user_string() for d in spec.deps),
            "folder": folder,
            "executable": bool(node.is_executable),
            "group": spec.group_name,
            "kinds": sorted(spec.kinds or []),
        })
    assets.sort(key=lambda a: a["key"])
    return {"assets": assets, "seconds": round(time.perf_counter() - start, 3)}


def _short_message(exc: BaseException) -> str:
    """First line of the outer error (which component) plus the innermost cause (what went wrong).
    Dagster's component errors embed a whole traceback and a tree drawing in their text."""
    head = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    inner, seen = exc, set()
    while id(inner) not in seen:
        seen.add(id(inner))
        nxt = inner.__cause__ or inner.__context__
        if nxt is None:
            break
        inner = nxt
    if inner is exc:
        return str(exc).strip()[:4000] or type(exc).__name__
    detail = (str(inner).strip().splitlines() or [""])[0]
    return f"{head} {type(inner).__name__}: {detail}"[:4000]


def _main(argv: list[str]) -> int:
    root = Path(argv[0]).resolve()
    try:
        data = _worker(root)
    except Exception as exc:  # report Dagster's message, not a traceback
        data = {"error": _short_message(exc)}
    print(_MARK + json.dumps(data), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
