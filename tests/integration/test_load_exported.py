"""Exported projects loaded by Dagster itself (one helper process per project)."""

import os

import pytest
import yaml

from projects import build, dbt_node, script, sling_node

from dagster_designer_qt.core.model import Node
from dagster_designer_qt.services.codegen import generate_files
from dagster_designer_qt.services.loader import load_project

pytestmark = pytest.mark.slow

SECRET_ENV = {"FIVETRAN_API_KEY": "k-123", "FIVETRAN_API_SECRET": "s-456", "SRC_HOST": "db.local"}


def fivetran_node():
    return Node(id="ft", component_type="dagster_fivetran.FivetranAccountComponent", label="Fivetran",
                attributes={
                    "workspace": {"account_id": "acc", "api_key": "{{ env('FIVETRAN_API_KEY') }}",
                                  "api_secret": "{{ env('FIVETRAN_API_SECRET') }}"},
                    "defs_state": {"management_type": "LOCAL_FILESYSTEM", "refresh_if_dev": False},
                })


def local_sling(node_id: str, label: str, stream: str) -> Node:
    """A Sling node whose replication file is ``replication.yaml``, like ``sling_node``'s."""
    node = sling_node(node_id, label)
    node.attributes["connections"] = {"SRC_DB": {"type": "duckdb", "instance": "/tmp/src.duckdb"},
                                      "DST_DB": {"type": "duckdb", "instance": "/tmp/dst.duckdb"}}
    node.files = {"replication.yaml": f"source: SRC_DB\ntarget: DST_DB\nstreams:\n  {stream}:\n"}
    return node


@pytest.fixture(scope="module")
def pairing():
    """One project of every pairing, loaded once (a load with dbt costs ~10 s per dbt node)."""
    again = dbt_node("dbt2", "Summary again")  # the same dbt project as "dbt": its op is named "jaffle" too
    again.attributes.update({"select": "orders_summary", "translation": {"key": "again/{{ node.name }}"}})
    nodes = [
        script("up", "Raw orders", ["raw/orders"]),  # declared -> factory (implied by the dbt source)
        script("cfg", "Settings", ["settings"]),  # declared -> factory (translation deps)
        dbt_node(),
        script("rep", "Report", ["report"]),  # factory -> declared
        sling_node(),  # factory -> factory (sling -> dbt) and factory -> declared
        script("after", "After sling", ["after_sling"]),
        script("s1", "Step 1", ["step1"]),  # declared -> declared chain
        script("s2", "Step 2", ["step2"]),
        script("s3", "Step 3", ["step3"]),
        fivetran_node(),
        local_sling("sling2", "Ingest customers", "main.customers"),  # op "replication" too
        again,
    ]
    edges = [("up", "dbt"), ("cfg", "dbt"), ("dbt", "rep"), ("sling", "after"), ("sling", "dbt"),
             ("s1", "s2"), ("s2", "s3"), ("up", "s1")]
    project = build("dagster", nodes, edges)  # a package name that must not shadow dagster
    return project, load_project(project, env=SECRET_ENV, timeout=240)


def test_every_pairing_loads_with_the_drawn_dependencies(pairing):
    project, report = pairing
    files = generate_files(project)
    assert not any(v in text for text in files.values() for v in SECRET_ENV.values())

    deps = report.deps_by_key()
    assert deps["step1"] == ["raw/orders"]
    assert deps["step2"] == ["step1"]
    assert deps["step3"] == ["step2"]
    # dbt: own source and ref edges intact, plus the drawn ones; raw/orders not duplicated
    assert deps["stg_orders"] == ["raw/orders", "settings", "target/public/customers", "target/public/orders"]
    assert deps["orders_summary"] == ["settings", "stg_orders", "target/public/customers",
                                      "target/public/orders"]
    assert deps["report"] == ["orders_summary", "stg_orders"]
    assert deps["after_sling"] == ["target/public/customers", "target/public/orders"]
    assert deps["target/public/orders"] == ["public/orders"]
    assert report.keys_of("dbt") == ["orders_summary", "stg_orders"]
    assert report.keys_of("sling") == ["target/public/customers", "target/public/orders"]
    assert any("Fivetran" in w and "no assets" in w for w in report.warnings)
    assert any("public/orders is only a dependency" in w for w in report.warnings)



def test_ops_named_outside_execution_get_unique_names(pairing):
    """Dagster names a Sling replication's op after its file's stem and a dbt op after the dbt project:
    two Sling nodes running ``replication.yaml`` and two dbt nodes on one dbt project would be ops
    "replication" x2 and "jaffle" x2, which Dagster refuses to load ("Detected conflicting node definitions
    with the same name"). The exporter names every op uniquely; all four nodes' assets load."""
    project, report = pairing
    assert report.keys_of("sling2") == ["target/main/customers"]
    assert report.keys_of("dbt2") == ["again/orders_summary"]
    assert report.keys_of("sling") == ["target/public/customers", "target/public/orders"]
    assert report.keys_of("dbt") == ["orders_summary", "stg_orders"]
    files = generate_files(project)
    ops = [yaml.safe_load(files[f"src/dagster_project/defs/{slug}/defs.yaml"])["attributes"]
           for slug in ("ingest", "ingest_customers", "transform", "summary_again")]
    names = [ops[0]["replications"][0]["op"]["name"], ops[1]["replications"][0]["op"]["name"],
             ops[2]["op"]["name"], ops[3]["op"]["name"]]
    assert names == ["ingest", "ingest_customers", "transform", "summary_again"]

def test_hostile_names_load():
    labels = ["Transform", "transform", "../../x", "CON", "", "数据", "it's \"q\"", "a\nb", "config"]
    nodes = [script(f"n{i}", lab, [f"k{i}"]) for i, lab in enumerate(labels)]
    project = build("json", nodes, [(f"n{i}", f"n{i + 1}") for i in range(len(labels) - 1)])
    report = load_project(project, timeout=120)
    deps = report.deps_by_key()
    for i in range(1, len(labels)):
        assert deps[f"k{i}"] == [f"k{i - 1}"]
        assert report.keys_of(f"n{i}") == [f"k{i}"]


def test_example_project_loads_without_environment_variables(monkeypatch):
    """What a newcomer does: export the bundled example and load it, with nothing set in the environment."""
    from pathlib import Path

    from dagster_designer_qt.services.codegen import generate
    from dagster_designer_qt.services.project_store import load_project as read_project

    path = Path(__file__).resolve().parents[2] / "resources" / "examples" / "analytics.ddp.json"
    project = read_project(path)
    assert generate(project).env_vars == []  # no {{ env(...) }} anywhere, so no credentials needed
    for name in list(os.environ):
        if name.startswith(("SOURCE_DB_", "SHOP_", "WAREHOUSE")):
            monkeypatch.delenv(name)
    report = load_project(project, timeout=120)
    deps = report.deps_by_key()
    assert deps["target/main/orders"] == ["main/orders"]
    assert deps["target/main/customers"] == ["main/customers"]
    assert deps["analytics/clean_orders"] == ["target/main/customers", "target/main/orders"]
    assert deps["analytics/daily_revenue"] == ["analytics/clean_orders"]
    nodes = {n.label: n.id for n in project.graph.iter_nodes()}
    assert report.keys_of(nodes["Ingest orders"]) == ["target/main/customers", "target/main/orders"]
    assert report.keys_of(nodes["Clean orders"]) == ["analytics/clean_orders"]
    assert report.keys_of(nodes["Daily revenue report"]) == ["analytics/daily_revenue"]
