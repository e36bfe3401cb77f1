"""Load an exported project with Dagster itself and report what it produced.

``load_project(project)`` exports to a temporary folder and loads it in a helper process in the project's
Python interpreter (``helper/dagster_helper.py load``; a fresh process per load: no module-name collisions
between projects, no Dagster import in the caller, and a timeout). The helper runs ``ComponentTree.for_project(root).build_defs()`` plus
``Definitions.validate_loadable`` with ``DAGSTER_IS_DEV_CLI=1`` (so dbt components prepare their manifest as
under ``dg``) and the project's ``.env`` applied, then prints JSON. Each asset is mapped back to the node that
produced it through the ``defs.yaml`` code reference Dagster attaches.

Run directly: ``python -m dagster_designer_qt.services.loader PROJECT_ROOT`` (or
``python dagster_helper.py load PROJECT_ROOT`` in any interpreter with Dagster) prints that JSON.
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
from dagster_designer_qt.helper.dagster_helper import LOAD_MARK as _MARK
from dagster_designer_qt.services import helper_process
from dagster_designer_qt.services.codegen import generate
from dagster_designer_qt.services.export import write_files
from dagster_designer_qt.services.project_copy import write_copy
from dagster_designer_qt.services.project_python import (
    ResolvedPython,
    is_own_interpreter,
    check_interpreter,
    helper_command,
    helper_env,
    own_interpreter,
)


class LoadError(DesignerError):
    """Dagster could not load the exported project; the message is Dagster's, shortened.

    ``folder`` is the exported component folder (a node's slug) whose load failed, when Dagster said."""

    def __init__(self, message: str, folder: str | None = None):
        super().__init__(message)
        self.folder = folder


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
                 python: ResolvedPython | str | None = None, cancel: Any = None) -> LoadReport:
    """Export ``project`` to a temp folder, load it with Dagster and report assets, deps, producing nodes
    and warnings (dangling dependencies, factories or declared nodes that produced no assets, generation
    warnings). Raises LoadError when Dagster refuses the project."""
    gen = generate(project, components)
    with tempfile.TemporaryDirectory(prefix="designer-load-") as tmp:
        root = Path(tmp) / "project"
        root.mkdir()
        if getattr(project, "source", None) is not None:
            gen.folders = write_copy(project, components, root)  # the whole project, with the edits
        else:
            write_files(gen.files, root)
        try:
            raw = load_folder(root, env=env, timeout=timeout, python=python, cancel=cancel)
        except LoadCancelled:
            raise
        except LoadError as exc:
            raise LoadError(explain_load_error(exc, project, gen.folders), exc.folder) from None
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


def _interpreter(python: ResolvedPython | str | None) -> ResolvedPython:
    if python is None:
        return own_interpreter()
    if isinstance(python, ResolvedPython):
        return python
    return own_interpreter() if is_own_interpreter(str(python)) else check_interpreter(str(python))


class LoadCancelled(LoadError):
    """The user cancelled the load (``cancel`` was set); the helper process was ended."""


def load_folder(root: str | os.PathLike[str], *, env: Mapping[str, str] | None = None,
                timeout: float = 600.0, python: ResolvedPython | str | None = None,
                cancel: Any = None) -> dict[str, Any]:
    """Load an exported project folder in a helper process; returns the raw JSON report. ``cancel`` (a
    threading.Event), when set, ends the helper and raises LoadCancelled."""
    interpreter = _interpreter(python)
    child_env = helper_env(interpreter.own)
    child_env["DAGSTER_IS_DEV_CLI"] = "1"
    bin_dir = str(Path(interpreter.path).parent)  # dbt's executable lives beside the interpreter
    child_env["PATH"] = bin_dir + os.pathsep + child_env.get("PATH", "")
    if env:
        child_env.update(env)
    try:
        proc = helper_process.run(  # stopped by cancel, with its window or when the app quits
            helper_command(interpreter, "load", str(Path(root).resolve())),
            timeout=timeout, env=child_env, cwd=str(root), cancel=cancel)
    except helper_process.HelperStopped:
        raise LoadCancelled("the check was cancelled") from None
    except subprocess.TimeoutExpired:
        raise LoadError(f"loading the project took longer than {timeout:.0f} s") from None
    except OSError as exc:
        raise LoadError(f"cannot start {interpreter.path} to load the project: {exc}") from None
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(_MARK):
            data = json.loads(line[len(_MARK):])
            if data.get("error"):
                raise LoadError(data["error"], data.get("folder"))
            return data
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-15:]
    raise LoadError("the Dagster loader failed:\n" + "\n".join(tail))


DBT_INSTALL_HINT = ('install dbt where Dagster Designer runs: pip install "dagster-designer-qt[dbt]" '
                    "(dbt-core with the DuckDB adapter; add your warehouse's adapter, e.g. dbt-snowflake), "
                    "or put a `dbt` executable on PATH")
_DBT_MISSING = ("dbt executable", "No module named 'dbt", "No module named 'msgpack'")


def explain_load_error(error: LoadError, project: Any, folders: Mapping[str, str]) -> str:
    """The user's words for a failed load: the node (its label) whose component failed instead of the
    exported folder Dagster names, and for a dbt node whose dbt is missing, what to install.

    ``folders`` maps node id -> exported folder (``GenerationResult.folders``)."""
    message = str(error)
    node_id = next((nid for nid, slug in folders.items() if slug == error.folder), None)
    if node_id is None or not project.graph.has_node(node_id):
        return message
    node = project.graph.node(node_id)
    name = f"{node.label or node.id} ({node.component_type})"
    if "dbt" in node.component_type.lower() and any(mark in message for mark in _DBT_MISSING):
        return f"{name}: dbt is not installed: {DBT_INSTALL_HINT}. Dagster said: {message}"
    return f"{name}: {message}"


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
def _main(argv: list[str]) -> int:
    from dagster_designer_qt.helper import dagster_helper

    return dagster_helper.main(["load", *argv])


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
