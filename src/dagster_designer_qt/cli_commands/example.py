"""`dagster-designer example --out FILE [NAME] [--force]`: write a copy of an example project shipped with
the app, to open in the app (`dagster-designer FILE`) or try headless (`validate`, `export`).
`dagster-designer example --list` names the examples."""

from __future__ import annotations

import argparse
from pathlib import Path

from dagster_designer_qt.core.errors import DesignerError
from dagster_designer_qt.services.project_store import load_project, save_project

SUFFIX = ".ddp.json"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("example", help="write a copy of an example project (try: example --out analytics.ddp.json)",
                       description="Write a copy of an example project that ships with Dagster Designer. "
                                   "Open it with `dagster-designer FILE`, or check and export it headless with "
                                   "`dagster-designer validate FILE` and `dagster-designer export FILE --out DIR`.")
    p.add_argument("name", nargs="?", default=None, help="which example (default: the first; see --list)")
    p.add_argument("--out", help="the project file to write (e.g. analytics.ddp.json)")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.add_argument("--list", action="store_true", help="list the examples and exit")


def examples() -> dict[str, Path]:
    from dagster_designer_qt.ui.resources import examples_dir  # Qt-free

    folder = examples_dir()
    paths = sorted(folder.glob(f"*{SUFFIX}")) if folder.is_dir() else []
    return {p.name.removesuffix(SUFFIX): p for p in paths}


def run(args: argparse.Namespace) -> int:
    found = examples()
    if not found:
        raise DesignerError("this installation has no example projects (its resources folder is missing)")
    if args.list:
        for name, path in found.items():
            print(f"{name}  {load_project(path).name}")
        return 0
    if not args.out:
        raise DesignerError("say where to write the copy: dagster-designer example --out analytics.ddp.json")
    name = args.name or next(iter(found))
    if name.removesuffix(SUFFIX) not in found:
        raise DesignerError(f"no example named {name!r}; examples: {', '.join(found)}")
    out = Path(args.out)
    if out.exists() and not args.force:
        raise DesignerError(f"{out} already exists (use --force to overwrite)")
    if not out.parent.is_dir():
        raise DesignerError(f"folder {out.parent} does not exist")
    save_project(load_project(found[name.removesuffix(SUFFIX)]), out)
    print(out)
    return 0
