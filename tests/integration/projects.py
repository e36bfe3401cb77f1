"""Designer projects used by the integration tests (plain model objects, no Dagster import)."""

from __future__ import annotations

from pathlib import Path

from dagster_designer_qt.core.model import Edge, Node, Project

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def script(node_id: str, label: str, keys: list[str], **extra_attrs) -> Node:
    attrs = {"execution": {"path": "run.py"}, "assets": [{"key": k} for k in keys]}
    attrs.update(extra_attrs)
    return Node(id=node_id, component_type="dagster.PythonScriptComponent", label=label,
                attributes=attrs, files={"run.py": "print('hello')\n"})


def build(name: str, nodes: list[Node], edges: list[tuple[str, str]]) -> Project:
    project = Project(name, project_id="p" * 32, created_at="2024-01-01T00:00:00Z",
                      updated_at="2024-01-01T00:00:00Z")
    project.graph.load(nodes, [Edge(id=f"e{i}", source=s, target=t) for i, (s, t) in enumerate(edges)])
    return project


def dbt_files() -> dict[str, str]:
    root = FIXTURES / "dbt_project"
    return {f"dbt_project/{p.relative_to(root).as_posix()}": p.read_text()
            for p in sorted(root.rglob("*")) if p.is_file() and "target" not in p.parts
            and p.suffix in {".yml", ".sql"}}


def dbt_node(node_id: str = "dbt", label: str = "Transform") -> Node:
    return Node(id=node_id, component_type="dagster_dbt.DbtProjectComponent", label=label,
                attributes={"project": "dbt_project"}, files=dbt_files())


SLING_REPLICATION = """source: SRC_DB
target: DST_DB
defaults:
  mode: full-refresh
streams:
  public.orders:
  public.customers:
"""


def sling_node(node_id: str = "sling", label: str = "Ingest") -> Node:
    return Node(id=node_id, component_type="dagster_sling.SlingReplicationCollectionComponent",
                label=label,
                attributes={
                    "connections": {
                        "SRC_DB": {"type": "postgres", "host": "{{ env('SRC_HOST') }}"},
                        "DST_DB": {"type": "duckdb", "instance": "/tmp/x.duckdb"},
                    },
                    "replications": [{"path": "replication.yaml"}],
                },
                files={"replication.yaml": SLING_REPLICATION})
