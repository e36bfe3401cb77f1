"""Project save and load at 1k / 5k / 20k nodes (1.2 edges per node). Target: 5k in <= 100 ms each."""

from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import measure, row  # noqa: E402
from dagster_designer_qt.core.model import Edge, Node, Project  # noqa: E402
from dagster_designer_qt.services.project_store import load_project, save_project  # noqa: E402

TYPES = ["dagster.PythonScriptComponent", "dagster_dbt.DbtProjectComponent",
         "dagster_sling.SlingReplicationCollectionComponent", "dagster.FunctionComponent"]


def synthetic_project(nodes: int, edges_per_node: float = 1.2, seed: int = 7) -> Project:
    """A DAG with realistic attributes: edges only go from lower to higher index, so no cycles."""
    rng = random.Random(seed)
    project = Project(f"Synthetic {nodes}")
    graph_nodes = []
    for i in range(nodes):
        component = TYPES[i % len(TYPES)]
        attrs = {"execution": {"path": f"script_{i}.py"},
                 "assets": [{"key": f"layer_{i % 7}/asset_{i}", "group_name": "bench",
                             "tags": {"team": "data"}}]}
        graph_nodes.append(Node(f"n{i:06d}", component, f"Component {i}", (i % 100) * 260.0,
                                (i // 100) * 120.0, attributes=attrs))
    edges = []
    seen = set()
    target_edges = int(nodes * edges_per_node)
    while len(edges) < target_edges and nodes > 1:
        a, b = sorted(rng.sample(range(nodes), 2))
        if (a, b) in seen:
            continue
        seen.add((a, b))
        edges.append(Edge(f"e{len(edges):06d}", f"n{a:06d}", f"n{b:06d}"))
    project.graph.load(graph_nodes, edges)
    return project


def run(quick: bool = False) -> list[dict]:
    sizes = [1000] if quick else [1000, 5000, 20000]
    repeat = 3 if quick else 5
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            project = synthetic_project(size)
            path = Path(tmp) / f"p{size}.ddp.json"
            target = 0.1 if size == 5000 else None
            rows.append(row("project file", f"save {size} nodes", measure(lambda: save_project(project, path),
                                                                           repeat), target=target))
            rows.append(row("project file", f"load {size} nodes", measure(lambda: load_project(path), repeat),
                            target=target))
    return rows


if __name__ == "__main__":
    from bench.__main__ import print_table

    print_table(run("--quick" in sys.argv))
