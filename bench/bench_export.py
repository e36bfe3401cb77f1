"""Export benchmark: preview (generate_files), folder export and ZIP export for 100/1000/5000 components.
Target: 1000 components exported in under 0.5 s. Run: python -m bench.bench_export [--quick]"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from bench.common import measure, row
from dagster_designer_qt.core.model import Edge, Node, Project
from dagster_designer_qt.services.codegen import generate_files
from dagster_designer_qt.services.export import export_folder, export_zip


def synthetic_project(size: int) -> Project:
    """PythonScript components in chains of 10, every 25th a dbt factory fed by the previous node."""
    project = Project("Bench export", project_id="b" * 32)
    nodes, edges = [], []
    for i in range(size):
        if i % 25 == 24:
            nodes.append(Node(id=f"n{i}", component_type="dagster_dbt.DbtProjectComponent", label=f"dbt {i}",
                              attributes={"project": "{{ context.project_root }}/dbt"}))
        else:
            nodes.append(Node(id=f"n{i}", component_type="dagster.PythonScriptComponent", label=f"Step {i}",
                              attributes={"execution": {"path": "run.py"}, "assets": [{"key": f"k/{i}"}]},
                              files={"run.py": "print('hi')\n"}))
        if i % 10:
            edges.append(Edge(id=f"e{i}", source=f"n{i - 1}", target=f"n{i}"))
    project.graph.load(nodes, edges)
    return project


def run(quick: bool = False) -> list[dict]:
    sizes = [100, 1000] if quick else [100, 1000, 5000]
    repeat = 3 if quick else 5
    rows = []
    # Write next to the repository (BENCH_TMP overrides): on some machines /tmp is a much slower file
    # system, which would measure the disk rather than the exporter.
    tmp_parent = os.environ.get("BENCH_TMP") or str(Path(__file__).resolve().parent)
    with tempfile.TemporaryDirectory(prefix=".bench-export-", dir=tmp_parent) as tmp:
        for size in sizes:
            project = synthetic_project(size)
            target = 0.5 if size == 1000 else None
            out = Path(tmp) / f"out{size}"
            rows.append(row("export", f"preview {size} components", measure(lambda: generate_files(project),
                                                                             repeat), target=target))
            rows.append(row("export", f"folder export {size} components",
                            measure(lambda: export_folder(project, out, force=True), repeat,
                                    setup=lambda: shutil.rmtree(out, ignore_errors=True)), target=target))
            rows.append(row("export", f"ZIP export {size} components",
                            measure(lambda: export_zip(project, Path(tmp) / f"p{size}.zip"), repeat),
                            target=target))
    return rows


if __name__ == "__main__":
    from bench.__main__ import print_table

    print_table(run("--quick" in sys.argv))
