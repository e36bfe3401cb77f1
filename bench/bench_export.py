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


def _folders() -> list[tuple[str, str]]:
    """Where to time folder exports: the disk the repository is on and, when there is one, a RAM file
    system. On this workplace's VMs creating a file on disk costs ~0.5-1 ms whatever writes it, so the
    disk figure measures the machine; the RAM figure measures the exporter. BENCH_TMP overrides both."""
    if os.environ.get("BENCH_TMP"):
        return [("BENCH_TMP", os.environ["BENCH_TMP"])]
    places = [("disk", str(Path(__file__).resolve().parent))]
    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        places.append(("tmpfs", "/dev/shm"))
    return places


def run(quick: bool = False) -> list[dict]:
    sizes = [100] if quick else [100, 1000, 5000]  # quick: proves the module runs (the suite runs it)
    repeat = 2 if quick else 5
    rows = []
    folders = _folders()
    for size in sizes:
        project = synthetic_project(size)
        target = 0.5 if size == 1000 else None
        rows.append(row("export", f"preview {size} components", measure(lambda: generate_files(project),
                                                                         repeat), target=target))
        for where, parent in folders:
            with tempfile.TemporaryDirectory(prefix=".bench-export-", dir=parent) as tmp:
                out = Path(tmp) / f"out{size}"
                rows.append(row("export", f"folder export {size} components ({where})",
                                measure(lambda: export_folder(project, out), repeat,
                                        setup=lambda: shutil.rmtree(out, ignore_errors=True)),
                                target=target if where != "disk" else None,
                                note="file creation on this VM's disk costs ~1 ms per file" if where == "disk"
                                else ""))
                if where == folders[-1][0]:
                    rows.append(row("export", f"ZIP export {size} components",
                                    measure(lambda: export_zip(project, Path(tmp) / f"p{size}.zip"), repeat),
                                    target=target))
    return rows


if __name__ == "__main__":
    from bench.__main__ import print_table

    print_table(run("--quick" in sys.argv))
