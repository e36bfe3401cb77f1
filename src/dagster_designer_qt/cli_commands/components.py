"""`dagster-designer components [--json] [--refresh] [--project-dir DIR] [--python PATH]`: list every
component type.

Uses the registry's disk cache: a warm call reads it and never imports dagster; a cold call builds it in a
helper process (a few seconds). The types are those of the project's Python interpreter: ``--python``, else
a ``.venv`` in ``--project-dir``, else the designer's own (``python_arg`` is the rule every command uses).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from dagster_designer_qt.core.errors import DesignerError
from dagster_designer_qt.services.project_python import ResolvedPython, resolve
from dagster_designer_qt.services.registry import ComponentInfo, ComponentRegistry, RegistryError
from dagster_designer_qt.core.terminal import printable

PYTHON_HELP = ("the project's Python interpreter (its environment's component types, models and Dagster are "
               "used); default: the project file's setting, else a .venv in the project folder, else the "
               "designer's own")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("components", help="list every installed Dagster component type",
                       description="List every Dagster component type installed in this environment "
                                   "(and a project's own, with --project-dir).")
    p.add_argument("--json", action="store_true", help="print a JSON list with the schemas")
    p.add_argument("--refresh", action="store_true", help="ignore the cache and list again")
    p.add_argument("--project-dir", default=None,
                   help="a Dagster project folder whose [tool.dg.project].registry_modules to include")
    add_python_arg(p)
    p.add_argument("--trust", action="store_true",
                   help="with --project-dir: allow importing the folder's own Python code to list its types "
                        "(without it a folder with code is refused, listing what would run)")


def add_python_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--python", metavar="PATH", default=None, help=PYTHON_HELP)


def python_arg(value: str | None, *, setting: str | None = None, setting_base: Path | None = None,
               folder: Path | None = None) -> ResolvedPython:
    """The interpreter a command uses: ``--python``, else the project file's ``python`` setting (relative
    to ``setting_base``, the project file's folder), else ``folder/.venv``, else the designer's own. A bad
    one is reported on stderr and the designer's own is used."""
    if value is not None:
        resolved = resolve(str(Path(value).absolute()), None)
    elif setting and setting_base is not None:
        resolved = resolve(str(setting_base / Path(setting).expanduser()), folder)
    else:
        resolved = resolve(setting, folder)
    if resolved.problem:
        print(f"warning: {resolved.problem}", file=sys.stderr)
    return resolved


def project_dir_arg(value: str | None) -> Path | None:
    if value is None:
        return None
    path = Path(value)
    if not path.is_dir():
        raise DesignerError(f"project folder {value} does not exist")
    return path


def load_components(registry: ComponentRegistry, *, refresh: bool = False) -> list[ComponentInfo]:
    if not refresh:
        cached = registry.load_cached()
        if cached is not None:
            return cached
    if sys.stderr.isatty():
        print("listing component types (imports Dagster, a few seconds)...", file=sys.stderr)
    return registry.load(refresh=refresh)


def component_map(project_dir: Path | None = None,
                  python: ResolvedPython | None = None) -> dict[str, ComponentInfo] | None:
    """type -> ComponentInfo for export/preview, as the GUI passes it (warm cache: no Dagster import).
    If the list can't be built at all, codegen falls back to its built-in knowledge of core types."""
    registry = ComponentRegistry(project_dir=project_dir, python=python)
    try:
        components = load_components(registry)
    except RegistryError as exc:
        print(f"warning: {printable(exc)}; exporting with built-in component knowledge", file=sys.stderr)
        return None
    mapping = {c.type: c for c in components}
    for c in components:
        for alias in c.aliases:
            mapping.setdefault(alias, c)
    return mapping


def require_folder_trust(project_dir: Path, *, trusted: bool) -> None:
    """``--project-dir`` imports the folder's own code (its registry modules, component.py files) to list
    its component types: only with ``--trust`` when the folder has code beyond the designer's own
    boilerplate (docs/TRUST.md), as ``validate --load`` and ``run`` require."""
    from dagster_designer_qt.services.trust import UntrustedProjectError, scan_folder

    if trusted:
        return
    report = scan_folder(project_dir)
    if report.needs_trust:
        raise UntrustedProjectError(f"not importing the code of an untrusted project folder (--project-dir): "
                                    f"{report.summary()} (check them, then pass --trust)")


def run(args: argparse.Namespace) -> int:
    project_dir = project_dir_arg(args.project_dir)
    if project_dir is not None:
        require_folder_trust(project_dir, trusted=getattr(args, "trust", False))
    python = python_arg(args.python, folder=project_dir)
    registry = ComponentRegistry(project_dir=project_dir, python=python)
    components = load_components(registry, refresh=args.refresh)
    if args.json:
        json.dump([c.to_dict() for c in components], sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    rows = [(c.type, c.category, f"{c.distribution or '-'} {c.version or ''}".strip(),
             f"ERROR: {c.error}" if c.error else c.summary.replace("\n", " ")) for c in components]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(("TYPE", "CATEGORY", "PACKAGE"))]
    print(f"{'TYPE':<{widths[0]}}  {'CATEGORY':<{widths[1]}}  {'PACKAGE':<{widths[2]}}  SUMMARY")
    for r in rows:
        print(printable(f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}"))
    return 0
