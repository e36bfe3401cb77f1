"""Import benchmark: open a Dagster project folder of N component folders (nested groups, chains of literal
deps) and save it back in place with one attribute changed. Target: 3,000 component folders open in
under 10 s (issue 12); import must grow linearly. Run: python -m bench.bench_import [--quick]"""

from __future__ import annotations

import copy
import shutil
import sys
import tempfile
from pathlib import Path

from bench.common import measure, row
from dagster_designer_qt.services.importer import import_project
from dagster_designer_qt.services.save_in_place import save_in_place


def make_project(root: Path, size: int) -> Path:
    """A dg project: groups of 50 folders under DefsFolderComponent folders, each a PythonScript
    component whose asset depends on the previous one's."""
    (root / "src/bench/defs").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "bench"\n\n[tool.dg]\ndirectory_type = "project"\n\n'
                                         '[tool.dg.project]\nroot_module = "bench"\n')
    defs = root / "src/bench/defs"
    for i in range(size):
        group = defs / f"group_{i // 50}"
        if i % 50 == 0:
            group.mkdir()
            (group / "defs.yaml").write_text("type: dagster.DefsFolderComponent\nattributes: {}\n"
                                             f"post_processing:\n  assets:\n    - target: '*'\n"
                                             f"      attributes: {{group_name: g{i // 50}}}\n")
        folder = group / f"step_{i}"
        folder.mkdir()
        deps = f"\n      deps: [k/{i - 1}]" if i % 50 else ""
        (folder / "defs.yaml").write_text(
            "# a step\ntype: dagster.PythonScriptComponent\nattributes:\n  execution:\n    path: run.py\n"
            f"  assets:\n    - key: k/{i}\n      kinds: [python]{deps}\n")
        (folder / "run.py").write_text("print('hi')\n")
    return root


def run(quick: bool = False) -> list[dict]:
    sizes = [300] if quick else [300, 1000, 3000]
    rows = []
    for size in sizes:
        tmp = Path(tempfile.mkdtemp(prefix="bench-import-"))
        try:
            root = make_project(tmp / "p", size)
            stats = measure(lambda: import_project(root), repeat=1 if size >= 3000 else 3)
            target = 10.0 if size == 3000 else None
            rows.append(row("import", f"open {size} component folders", stats, target=target,
                            note="per folder: %.2f ms" % (stats["median"] / size * 1000)))
            project = import_project(root).project
            node = next(n for n in project.graph.iter_nodes() if n.label == "step_1")

            def edit_and_save():
                attrs = copy.deepcopy(node.attributes)
                attrs["assets"][0]["kinds"] = ["python", f"v{len(attrs['assets'][0]['kinds'])}"]
                project.graph.set_node_field(node.id, "attributes", attrs)
                save_in_place(project)

            rows.append(row("import", f"save in place, one change, {size} folders",
                            measure(edit_and_save, repeat=1 if size >= 3000 else 3),
                            target=5.0 if size == 3000 else None))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return rows


if __name__ == "__main__":
    from bench.__main__ import print_table

    print_table(run(quick="--quick" in sys.argv))
