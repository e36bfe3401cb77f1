"""Component registry and validation: cold and warm time to a full component list, per-node validation.

    .venv/bin/python bench/bench_registry.py [--quick]

Targets: warm list <= 100 ms (no dagster import), validation well under 5 ms per node once warm.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import measure, row, summary  # noqa: E402
from dagster_designer_qt.core.model import Edge, Node, Project  # noqa: E402
from dagster_designer_qt.services.registry import ComponentRegistry  # noqa: E402

GROUP = "registry"
T = "{{ env('X') }}"

# One valid node per installed type (plus a couple of realistic variations).
SAMPLE_NODES = [
    ("dagster.FunctionComponent", {"execution": {"fn": ".m.f", "name": "orders"},
                                   "assets": [{"key": f"raw/t{i}", "deps": ["src/a"], "tags": {"team": "x"}}
                                              for i in range(5)]}),
    ("dagster.PythonScriptComponent", {"execution": {"path": "run.py"}, "assets": [{"key": "s/a"}]}),
    ("dagster.UvRunComponent", {"execution": {"path": "run.py"}, "assets": [{"key": "u/a"}]}),
    ("dagster.TemplatedSqlComponent", {"sql_template": "select 1", "connection": "c",
                                       "assets": [{"key": "q/a"}]}),
    ("dagster.DefinitionsComponent", {"path": "defs.py"}),
    ("dagster.DefsFolderComponent", {}),
    ("dagster_dbt.DbtProjectComponent", {"project": "{{ context.project_root }}/dbt",
                                         "translation": {"group_name": "dbt"}}),
    ("dagster_dbt.DbtCloudComponent", {"workspace": T}),
    ("dagster_sling.SlingReplicationCollectionComponent",
     {"replications": [{"path": "replication.yaml"}], "connections": {"db": {"type": "duckdb"}}}),
    ("dagster_fivetran.FivetranAccountComponent", {"workspace": {"account_id": "a", "api_key": T,
                                                                 "api_secret": T}}),
    ("dagster.FunctionComponent", {"execution": {"fn": 5}, "assets": [{"key": "a", "deps": 5}]}),  # invalid
]


def _cold(cache_dir: Path, repeat: int) -> tuple[dict, ComponentRegistry]:
    registry = ComponentRegistry(cache_dir=cache_dir)
    stats = measure(lambda: registry.load(refresh=True), repeat)
    return stats, registry


def _warm_in_process(cache_dir: Path, repeat: int) -> dict:
    return measure(lambda: ComponentRegistry(cache_dir=cache_dir).load_cached(), repeat)


def _warm_cli(cache_dir: Path, repeat: int) -> dict:
    """A whole `dagster-designer components --json` process, cache warm (interpreter start included)."""
    env = dict(os.environ, XDG_CACHE_HOME=str(cache_dir.parent))
    cmd = [sys.executable, "-m", "dagster_designer_qt", "components", "--json"]
    subprocess.run(cmd, env=env, capture_output=True, check=True)  # prime this process's own cache key
    return measure(lambda: subprocess.run(cmd, env=env, capture_output=True, check=True), repeat)


def _validation(registry: ComponentRegistry, repeat: int, project_size: int) -> list[dict]:
    from dagster_designer_qt.services.validation import validate_node, validate_project

    nodes = [Node(f"n{i}", t, f"N{i}", attributes=a) for i, (t, a) in enumerate(SAMPLE_NODES)]
    start = time.perf_counter()
    for node in nodes:
        validate_node(node, registry)  # imports dagster + integrations, builds model classes
    first = time.perf_counter() - start
    samples = []
    for _ in range(repeat):
        for node in nodes:
            t0 = time.perf_counter()
            validate_node(node, registry)
            samples.append(time.perf_counter() - t0)
    project = Project("bench")
    graph_nodes = []
    for i in range(project_size):
        t, a = SAMPLE_NODES[i % 4]
        attrs = dict(a)
        if "assets" in attrs:
            attrs = {**attrs, "assets": [{**spec, "key": f"{spec['key']}_{i}"} for spec in attrs["assets"]]}
        if isinstance(attrs.get("execution"), dict):
            attrs["execution"] = {**attrs["execution"], "name": f"op_{i}"}
        graph_nodes.append(Node(f"p{i}", t, f"P{i}", attributes=attrs))
    edges = [Edge(f"e{i}", f"p{i}", f"p{i + 1}") for i in range(project_size - 1)]
    project.graph.load(graph_nodes, edges)
    whole = measure(lambda: validate_project(project, registry), 3)
    return [
        row(GROUP, "first validations (imports dagster + models)", first),
        row(GROUP, "validate one node, warm", summary([x * 1e6 for x in samples]), unit="µs", target=5000.0,
            note="median over every sample type"),
        row(GROUP, f"validate project of {project_size} nodes", whole),
    ]


def run(quick: bool = False) -> list[dict]:
    repeat_cold = 1 if quick else 3
    repeat_warm = 5 if quick else 30
    with tempfile.TemporaryDirectory(prefix="bench-registry-") as tmp:
        cache_dir = Path(tmp) / "dagster-designer"
        cold, registry = _cold(cache_dir, repeat_cold)
        rows = [
            row(GROUP, "cold component list (helper process)", cold, target=5.0,
                note=f"{len(registry.components)} types"),
            row(GROUP, "warm component list (cache, in-process)", _warm_in_process(cache_dir, repeat_warm),
                target=0.1),
            row(GROUP, "warm `components --json` (whole process)", _warm_cli(cache_dir, 1 if quick else 5)),
        ]
        rows += _validation(registry, 5 if quick else 200, 100 if quick else 1000)
    return rows


def _print(rows: list[dict]) -> None:
    try:
        from bench.__main__ import print_table

        print_table(rows)
        return
    except ImportError:
        pass
    for r in rows:
        spread = r.get("spread")
        extra = f" (min {spread[0] * 1e3:.3f} ms, max {spread[1] * 1e3:.3f} ms)" if spread else ""
        print(f"{r['name']:<50} {r['value'] * 1e3:10.3f} ms{extra}")


if __name__ == "__main__":
    _print(run("--quick" in sys.argv))
