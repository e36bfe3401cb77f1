"""Validation with the components' real Pydantic models, and the graph-level checks."""

from __future__ import annotations

import pytest

from dagster_designer_qt.core.model import Edge, Node, Project
from dagster_designer_qt.services.registry import ComponentRegistry
from dagster_designer_qt.core.attrs import format_path
from dagster_designer_qt.services.validation import (
    Problem,
    clean_errors,
    has_errors,
    validate_attributes,
    validate_node,
    validate_project,
)

FN = "dagster.FunctionComponent"
SCRIPT = "dagster.PythonScriptComponent"
UV = "dagster.UvRunComponent"
SQL = "dagster.TemplatedSqlComponent"
DBT = "dagster_dbt.DbtProjectComponent"
DBT_CLOUD = "dagster_dbt.DbtCloudComponent"
SLING = "dagster_sling.SlingReplicationCollectionComponent"
FIVETRAN = "dagster_fivetran.FivetranAccountComponent"
DEFS = "dagster.DefinitionsComponent"
FOLDER = "dagster.DefsFolderComponent"
T = "{{ env('X') }}"
EXEC = {"fn": ".mod.fn"}


@pytest.fixture(scope="module")
def registry():
    """Built in-process (validation imports dagster anyway), no cache involved."""
    from dagster_designer_qt.services.registry_worker import build_components

    return ComponentRegistry.from_components(build_components())


def problems_of(component_type, attributes):
    return [(p.path, p.code) for p in validate_attributes(component_type, attributes)]


# (component type, attributes, expected [(path, code)]) -- exactly these problems, nothing else.
CASES = [
    # valid
    (FN, {"execution": EXEC, "assets": [{"key": "a/b", "deps": ["c"]}]}, []),
    (SCRIPT, {"execution": {"path": "run.py"}, "assets": [{"key": "x"}]}, []),
    (UV, {"execution": {"path": "run.py", "args": ["--a"]}, "assets": [{"key": "x"}]}, []),
    (SQL, {"sql_template": "select 1", "connection": "{{ context.load_component('c') }}"}, []),
    (DBT, {"project": "{{ context.project_root }}/dbt"}, []),
    (DBT, {"project": {"project_dir": "dbt", "target": "dev"}, "select": "tag:x"}, []),
    (SLING, {"replications": [{"path": "replication.yaml"}], "connections": {"db": {"type": "duckdb"}}}, []),
    (FIVETRAN, {"workspace": {"account_id": "a", "api_key": T, "api_secret": T}}, []),
    (DEFS, {"path": "defs.py"}, []),
    (FOLDER, {}, []),
    # missing
    (FN, {}, [(("execution",), "missing")]),
    (FN, {"execution": {}}, [(("execution", "fn"), "missing")]),
    (FN, {"execution": EXEC, "assets": [{"key": "a"}, {"deps": []}]}, [(("assets", 1, "key"), "missing")]),
    (SCRIPT, {"execution": {}}, [(("execution", "path"), "missing")]),
    (DBT, {}, [(("project",), "missing")]),
    (DBT_CLOUD, {}, [(("workspace",), "missing")]),
    (FIVETRAN, {"workspace": {"account_id": "a"}},
     [(("workspace", "api_key"), "missing"), (("workspace", "api_secret"), "missing")]),
    (UV, {"execution": {"path": "r.py"}, "assets": [{"key": "a"}], "checks": [{"name": "c"}]},
     [(("checks", 0, "asset"), "missing")]),
    (FN, {"execution": EXEC, "assets": [{"key": "a", "partitions_def": {"type": "daily"}}]},
     [(("assets", 0, "partitions_def", "start_date"), "missing")]),
    # wrong type
    (FN, {"execution": 5}, [(("execution",), "invalid")]),
    (FN, {"execution": {"fn": 5}}, [(("execution", "fn"), "invalid")]),
    (FN, {"execution": EXEC, "assets": [{"key": "a", "deps": 5}]}, [(("assets", 0, "deps"), "invalid")]),
    (FN, {"execution": EXEC, "assets": [{"key": "a", "skippable": [1]}]},
     [(("assets", 0, "skippable"), "invalid")]),
    (FN, {"execution": EXEC, "assets": [{"key": "a", "tags": {"team": [1]}}]},
     [(("assets", 0, "tags", "team"), "invalid")]),
    (DBT, {"project": "p", "prepare_if_dev": 3}, [(("prepare_if_dev",), "invalid")]),
    (DBT, {"project": "p", "include_metadata": ["bad"]}, [(("include_metadata", 0), "invalid")]),
    (DBT, {"project": {"project_dir": 3}}, [(("project", "project_dir"), "invalid")]),
    (DBT, {"project": "p", "translation": {"deps": 5}}, [(("translation", "deps"), "invalid")]),
    (SLING, {"connections": {"db": {"type": 5}}}, [(("connections", "db", "type"), "invalid")]),
    (SQL, {"sql_template": {"path": 3}, "connection": "c"}, [(("sql_template", "path"), "invalid")]),
    (FN, {"execution": EXEC, "assets": [{"key": "a", "partitions_def": {"type": "daily", "start_date": 5}}]},
     [(("assets", 0, "partitions_def", "start_date"), "invalid")]),
    # extra key
    (FN, {"execution": EXEC, "bogus": 1}, [(("bogus",), "extra")]),
    (FN, {"execution": {"fn": ".m.f", "bogus": 1}}, [(("execution", "bogus"), "extra")]),
    (FN, {"execution": EXEC, "assets": [{"key": "a", "colour": "red"}]}, [(("assets", 0, "colour"), "extra")]),
    (SLING, {"replications": [{"path": "r.yaml", "op": {"nam": "x"}}]},
     [(("replications", 0, "op", "nam"), "extra")]),
    (FOLDER, {"x": 1}, [(("x",), "extra")]),
    # templates are valid wherever the schema allows a string in place of the value
    (FN, {"execution": T}, []),
    (FN, {"execution": EXEC, "assets": T}, []),
    (FN, {"execution": EXEC, "assets": [{"key": T, "deps": T, "skippable": T, "tags": T, "kinds": T}]}, []),
    (DBT, {"project": T, "prepare_if_dev": T, "include_metadata": T, "cli_args": T, "translation": T}, []),
    (DBT, {"project": "p", "translation": {"deps": T, "group_name": T}}, []),
    (SLING, {"replications": T, "connections": T}, []),
    (SLING, {"replications": [{"path": T, "op": T}]}, []),
    (FIVETRAN, {"workspace": T, "polling_sensor": T}, []),
    (FN, {"execution": EXEC, "assets": [{"key": "a", "partitions_def": {"type": "daily", "start_date": T}}]},
     []),
    (SCRIPT, {"execution": {"path": T, "args": T}, "assets": [{"key": "a"}]}, []),
]


@pytest.mark.parametrize("component_type, attributes, expected", CASES,
                         ids=[f"{t.rsplit('.', 1)[1]}-{i}" for i, (t, _, _) in enumerate(CASES)])
def test_attribute_validation(component_type, attributes, expected):
    assert problems_of(component_type, attributes) == expected


@pytest.mark.parametrize("component_type, attributes, fragment", [
    (FN, {}, "required field is missing"),
    (FN, {"execution": EXEC, "bogus": 1}, "unknown field"),
    (FN, {"execution": EXEC, "assets": [{"key": "a", "deps": 5}]}, "Input should be a list"),
    (FN, {"execution": 5}, "should be an object"),
    (FN, {"execution": EXEC, "assets": [{"key": "a", "skippable": [1]}]}, "Input should be a valid boolean"),
    (DBT, {"project": "p", "include_metadata": ["bad"]}, "'column_metadata', 'row_count' or 'insights'"),
])
def test_messages_are_clear(component_type, attributes, fragment):
    problems = validate_attributes(component_type, attributes)
    assert len(problems) == 1
    assert fragment in problems[0].message
    assert "tuple[" not in problems[0].message and "Model" not in problems[0].message


def test_union_of_several_real_types_lists_what_is_accepted():
    (problem,) = validate_attributes(FN, {"execution": EXEC, "assets": [{"key": "a", "tags": {"t": [1]}}]})
    assert "a valid string" in problem.message and "a valid boolean" in problem.message


@pytest.mark.parametrize("component_type", ["dagster.NoSuchComponent", "no_such_package.Component", "bare"])
def test_unknown_type_in_attribute_validation(component_type):
    (problem,) = validate_attributes(component_type, {})
    assert problem.code == "unknown-type" and problem.severity == "error" and problem.path == ()


def test_problems_carry_node_id():
    (problem,) = validate_attributes(FN, {}, node_id="n1")
    assert problem == Problem("n1", ("execution",), "required field is missing", "error", "missing")


def test_clean_errors_drops_branch_tags_from_raw_pydantic_locs():
    raw = [
        {"type": "missing", "loc": ("assets", "tuple[AssetSpecKwargsModel, ...]", 0, "key"), "msg": "Field required"},
        {"type": "string_type", "loc": ("assets", "str"), "msg": "Input should be a valid string"},
    ]
    assert clean_errors(raw, {"assets": [{}]}) == [(("assets", 0, "key"), "required field is missing", "missing")]


@pytest.mark.parametrize("path, text", [
    ((), ""), (("execution",), "execution"), (("assets", 0, "key"), "assets[0].key"),
    (("connections", "db", "type"), "connections.db.type"), (("include_metadata", 2), "include_metadata[2]"),
])
def test_format_path(path, text):
    assert format_path(path) == text


# The speed of warm validation is measured by bench/bench_registry.py (validation per node), not here.


# --------------------------------------------------------------- node level
def node(node_id, component_type, attributes=None, label=None, **kw):
    return Node(node_id, component_type, label or node_id, attributes=attributes or {}, **kw)


def test_validate_node_unknown_type(registry):
    (problem,) = validate_node(node("a", "dagster_airbyte.AirbyteCloudWorkspaceComponent"), registry)
    assert problem.code == "unknown-type" and problem.node_id == "a"
    assert "no installed package registers it" in problem.message


def test_validate_node_broken_type(registry):
    from dagster_designer_qt.services.registry import ComponentInfo

    broken = ComponentInfo(type="x.Broken", name="Broken", module="x", error="ImportError: nope")
    reg = ComponentRegistry.from_components([*registry.components, broken])
    (problem,) = validate_node(node("a", "x.Broken"), reg)
    assert problem.code == "component-error" and "nope" in problem.message


def test_validate_node_accepts_alias_paths(registry):
    alias = registry.get(DBT).aliases[0]
    assert validate_node(node("a", alias, {"project": "p"}), registry) == []


@pytest.mark.parametrize("attributes, path", [
    ({"workspace": {"account_id": "a", "api_key": "abc123", "api_secret": T}}, ("workspace", "api_key")),
    ({"workspace": {"account_id": "a", "api_key": T, "api_secret": "s3cr3t"}}, ("workspace", "api_secret")),
])
def test_literal_secret_is_a_warning(registry, attributes, path):
    problems = validate_node(node("f", FIVETRAN, attributes), registry)
    assert [(p.path, p.code, p.severity) for p in problems] == [(path, "literal-secret", "warning")]


def test_templated_secret_is_fine(registry):
    attrs = {"workspace": {"account_id": "a", "api_key": T, "api_secret": T}}
    assert validate_node(node("f", FIVETRAN, attrs), registry) == []


# -------------------------------------------------------------- graph level
def project_of(nodes, edges=()):
    project = Project("P")
    for n in nodes:
        project.graph.add_node(n)
    for i, (a, b) in enumerate(edges):
        project.graph.add_edge(Edge(f"e{i}", a, b))
    return project


def fn(node_id, keys, deps=(), name=None, label=None):
    execution = {"fn": f".m.{node_id}"}
    if name is not None:
        execution["name"] = name
    return node(node_id, FN, {"execution": execution,
                              "assets": [{"key": k, "deps": list(deps)} for k in keys]}, label)


def codes(problems, code):
    return sorted((p.node_id, p.path) for p in problems if p.code == code)


def named(node_id, keys, deps=()):
    return fn(node_id, keys, deps, name=f"op_{node_id}")


GRAPH_CASES = [
    # (nodes, edges, code, expected [(node_id, path)])
    ([named("a", ["x"]), named("b", ["y"])], [], "duplicate-asset-key", []),
    ([named("a", ["x"]), named("b", ["x"])], [], "duplicate-asset-key",
     [("a", ("assets", 0, "key")), ("b", ("assets", 0, "key"))]),
    ([named("a", ["x", "y"]), named("b", ["z", "y/"])], [], "duplicate-asset-key",
     [("a", ("assets", 1, "key")), ("b", ("assets", 1, "key"))]),
    ([named("a", ["x", "x"])], [], "duplicate-asset-key", [("a", ("assets", 0, "key"))]),
    # Unnamed ops get unique names from the exporter, so only names the user wrote can collide.
    ([fn("a", ["x"]), fn("b", ["y"])], [], "duplicate-op-name", []),
    ([fn("a", ["x"], name="same"), fn("b", ["y"], name="same")], [], "duplicate-op-name",
     [("a", ("execution", "name")), ("b", ("execution", "name"))]),
    ([fn("a", ["x"], name="one"), fn("b", ["y"])], [], "duplicate-op-name", []),
    ([node("s1", SCRIPT, {"execution": {"path": "load.py"}, "assets": [{"key": "a"}]}),
      node("s2", SCRIPT, {"execution": {"path": "other/load.py"}, "assets": [{"key": "b"}]})],
     [], "duplicate-op-name", []),
    ([node("s1", SCRIPT, {"execution": {"path": "load.py", "name": "load"}, "assets": [{"key": "a"}]}),
      node("s2", SCRIPT, {"execution": {"path": "other/x.py", "name": "load"}, "assets": [{"key": "b"}]})],
     [], "duplicate-op-name", [("s1", ("execution", "name")), ("s2", ("execution", "name"))]),
    ([node("d1", DBT, {"project": "p1", "op": {"name": "dbt"}}),
      node("d2", DBT, {"project": "p2", "op": {"name": "dbt"}})],
     [], "duplicate-op-name", [("d1", ("op", "name")), ("d2", ("op", "name"))]),
    ([node("q1", SQL, {"sql_template": "select 1", "connection": "c", "assets": [{"key": "a"}]}),
      node("q2", SQL, {"sql_template": "select 1", "connection": "c", "assets": [{"key": "b"}]})],
     [], "duplicate-op-name", []),
    # dbt's op and Sling's replications[*].op are named by the exporter too: only the user's names collide
    ([node("d1", DBT, {"project": "p"}), node("d2", DBT, {"project": "p", "select": "x"})],
     [], "duplicate-op-name", []),
    ([node("r1", SLING, {"replications": [{"path": "replication.yaml"}]}),
      node("r2", SLING, {"replications": [{"path": "replication.yaml"}]})], [], "duplicate-op-name", []),
    ([node("r1", SLING, {"replications": [{"path": "a.yaml", "op": {"name": "load"}}]}),
      node("d1", DBT, {"project": "p", "op": {"name": "load"}})],
     [], "duplicate-op-name", [("d1", ("op", "name")), ("r1", ("replications", 0, "op", "name"))]),
    # the problem points at the replication whose op name collides, also within one node
    ([node("r1", SLING, {"replications": [{"path": "a.yaml", "op": {"name": "a"}},
                                          {"path": "b.yaml", "op": {"name": "load"}},
                                          {"path": "c.yaml", "op": {"name": "load"}}]})],
     [], "duplicate-op-name", [("r1", ("replications", 1, "op", "name")), ("r1", ("replications", 2, "op", "name"))]),
    ([node("q1", SQL, {"sql_template": "select 1", "connection": "c", "assets": [{"key": "a"}]}),
      node("q2", SQL, {"sql_template": "select 2", "connection": "c", "assets": [{"key": "b"}]})],
     [], "duplicate-op-name", []),
    # dangling deps
    ([named("a", ["x"]), named("b", ["y"], deps=["x"])], [], "dangling-dep", []),
    ([named("a", ["x"]), named("b", ["y"], deps=["nowhere"])], [], "dangling-dep",
     [("b", ("assets", 0, "deps", 0))]),
    ([named("b", ["y"], deps=[T])], [], "dangling-dep", []),
    # an edge from an asset factory (keys unknown until load) may provide the key
    ([node("d", DBT, {"project": "p"}), named("b", ["y"], deps=["orders"])], [("d", "b")], "dangling-dep", []),
    ([node("d", DBT, {"project": "p"}), named("b", ["y"], deps=["orders"])], [], "dangling-dep",
     [("b", ("assets", 0, "deps", 0))]),
    ([named("a", ["raw/orders"]), node("d", DBT, {"project": "p", "translation": {"deps": ["raw/nope"]}})],
     [], "dangling-dep", [("d", ("translation", "deps", 0))]),
    # an edge alone is not a dangling dependency
    ([named("a", ["x"]), named("b", ["y"])], [("a", "b")], "dangling-dep", []),
    # unknown types
    ([node("u", "dagster_airbyte.AirbyteComponent")], [], "unknown-type", [("u", ())]),
]


@pytest.mark.parametrize("nodes, edges, code, expected", GRAPH_CASES)
def test_graph_checks(registry, nodes, edges, code, expected):
    problems = validate_project(project_of(nodes, edges), registry)
    assert codes(problems, code) == expected


def test_dangling_dep_is_a_warning_and_duplicates_are_errors(registry):
    project = project_of([named("a", ["x"]), fn("b", ["x"], deps=["nowhere"], name="op_a")])
    problems = validate_project(project, registry)
    severities = {p.code: p.severity for p in problems}
    assert severities == {"duplicate-asset-key": "error", "duplicate-op-name": "error", "dangling-dep": "warning"}
    assert has_errors(problems)
    assert not has_errors([p for p in problems if p.severity == "warning"])


def test_messages_name_the_other_nodes(registry):
    project = project_of([named("a", ["x"], ), named("b", ["x"])])
    project.graph.set_node_field("a", "label", "Orders")
    project.graph.set_node_field("b", "label", "Orders copy")
    problems = [p for p in validate_project(project, registry) if p.code == "duplicate-asset-key"]
    assert all("Orders, Orders copy" in p.message and "'x'" in p.message for p in problems)


def test_clean_project_has_no_problems(registry):
    project = project_of(
        [named("a", ["raw/orders"]), named("b", ["clean/orders"], deps=["raw/orders"]),
         node("d", DBT, {"project": "{{ context.project_root }}/dbt", "translation": {"deps": ["clean/orders"]}})],
        [("a", "b"), ("b", "d")],
    )
    assert validate_project(project, registry) == []


def test_project_level_and_node_problems_come_in_graph_order(registry):
    project = project_of([node("z", FN, {}), node("a", FN, {"execution": 5})])
    problems = validate_project(project, registry)
    assert [p.node_id for p in problems if p.code in ("missing", "invalid")] == ["z", "a"]


def test_node_level_translation_is_validated_where_export_puts_it(registry):
    dbt = Node("d", "dagster_dbt.DbtProjectComponent", "T", attributes={"project": "p"},
               translation={"group_name": "g", "bogus": 1})
    assert [(p.path, p.code) for p in validate_node(dbt, registry)] == [(("translation", "bogus"), "extra")]
    dbt.translation = {"group_name": "g"}
    assert validate_node(dbt, registry) == []
    sling = Node("s", "dagster_sling.SlingReplicationCollectionComponent", "S",
                 attributes={"replications": [{"path": "r.yaml"}]}, translation={"x": 1})
    assert [(p.path, p.code) for p in validate_node(sling, registry)] == [
        (("replications", 0, "translation", "x"), "extra")]
