"""In-process access to the component listing (tests, benchmarks) and the old helper entry point.

The listing itself lives in ``helper/dagster_helper.py`` (a standalone script that also runs in a project
interpreter where only Dagster is installed). ``build_components()`` runs it in this process and adds the
designer's derived facts (category, icon, asset factory); the registry normally runs it in a helper
process instead (``ComponentRegistry.load``).

    python -m dagster_designer_qt.services.registry_worker --out FILE [--project-dir DIR]

still works (the same as ``dagster_helper.py components``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from dagster_designer_qt.helper import dagster_helper
from dagster_designer_qt.services.registry import ComponentInfo, info_from_row


def build_components(project_dir: Path | None = None) -> list[ComponentInfo]:
    """Every component type registered in this environment (and the project's registry modules)."""
    return [info_from_row(row) for row in dagster_helper.build_component_rows(project_dir)]


def post_processing_schema() -> dict | None:
    """The JSON schema of a defs.yaml ``post_processing:`` block, from the installed Dagster."""
    return dagster_helper.post_processing_schema()


def main(argv: list[str] | None = None) -> int:
    return dagster_helper.main(["components", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
