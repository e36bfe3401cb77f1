"""core.assets: what a node declares in its attributes (pure, no dagster)."""

import subprocess
import sys

import pytest

from dagster_designer_qt.core.assets import (
    declared_asset_keys,
    declared_check_targets,
    declared_dep_keys,
    declared_op_names,
    is_template,
    normalize_key,
)
from dagster_designer_qt.core.model import Node

T = "{{ env('X') }}"


def n(attributes, component_type="dagster.FunctionComponent", **kw):
    return Node("id", component_type, "label", attributes=attributes, **kw)


@pytest.mark.parametrize("attributes, declares, expected", [
    ({"assets": [{"key": "a/b"}, {"key": " c "}]}, None, ["a/b", "c"]),
    ({"assets": [{"key": "a"}, {"key": "a"}]}, True, ["a", "a"]),
    ({"assets": [{"key": T}, {"key": "b"}, {}, "junk"]}, True, ["b"]),
    ({"assets": T}, True, None),
    ({}, True, []),
    ({}, None, None),
    ({"assets": [{"key": "a"}]}, False, None),
    ({"project": "dbt"}, False, None),
    ({"assets": [{"key": "a//b/"}]}, True, ["a/b"]),
])
def test_declared_asset_keys(attributes, declares, expected):
    assert declared_asset_keys(n(attributes), declares_assets=declares) == expected


@pytest.mark.parametrize("attributes, expected", [
    ({"assets": [{"key": "a/b"}, {"key": " c "}]}, ["a/b", "c"]),
    ({"assets": [{"key": T}, {"key": "b"}]}, None),  # one key only known at load time: all or nothing
    ({"assets": [{"key": "a"}, {}]}, None),
    ({"assets": [{"key": "a"}, "junk"]}, None),
    ({"assets": [{"key": " / "}]}, None),
    ({"assets": []}, []),
])
def test_declared_asset_keys_strict(attributes, expected):
    assert declared_asset_keys(n(attributes), declares_assets=True, strict=True) == expected


def test_declared_dep_keys_from_every_place():
    node = n({
        "assets": [{"key": "x", "deps": ["raw/a", T, "raw/b"]}, {"key": "y", "deps": ["raw/a"]}],
        "checks": [{"name": "c", "asset": "x", "additional_deps": ["raw/c"]}],
        "translation": {"deps": ["raw/d"]},
        "replications": [{"path": "r.yaml", "translation": {"deps": ["raw/e"]}}],
    }, translation={"deps": ["raw/f"]})
    assert declared_dep_keys(node) == ["raw/a", "raw/b", "raw/c", "raw/d", "raw/f", "raw/e"]


def test_declared_dep_keys_ignores_templates_and_junk():
    assert declared_dep_keys(n({"assets": [{"key": "x", "deps": T}], "translation": T})) == []
    assert declared_dep_keys(n({"assets": "nope", "checks": 3})) == []


def test_declared_check_targets():
    assert declared_check_targets(n({"checks": [{"asset": "a"}, {"asset": "a"}, {"asset": T}]})) == ["a"]


@pytest.mark.parametrize("attributes, expected", [
    ({"execution": {"fn": ".m.f"}, "assets": [{"key": "a"}]}, ["_assets_def"]),
    ({"execution": {"fn": ".m.f"}, "checks": [{"name": "c", "asset": "a"}]}, ["_asset_check_def"]),
    ({"execution": {"fn": ".m.f", "name": "mine"}}, ["mine"]),
    ({"execution": {"path": "scripts/load.py"}}, ["load"]),
    ({"execution": {"path": T}}, []),
    ({"execution": T}, []),
    ({"op": {"name": "dbt_op"}, "project": "p"}, ["dbt_op"]),
    ({"project": "p"}, []),
    ({"replications": [{"path": "a.yaml", "op": {"name": "s1"}}, {"path": "sub/b.yaml"}, {"path": T}]},
     ["s1", "b"]),
    ({"sql_template": "select 1", "connection": "c"}, None),
    ({"sql_template": "select 1", "connection": "c", "execution": {"name": "q"}}, ["q"]),
    ({"sql_template": {"path": "q.sql"}, "sql_template_vars": {"a": 1}, "connection": "c"}, None),
])
def test_declared_op_names(attributes, expected):
    names = declared_op_names(n(attributes))
    if expected is None:
        assert len(names) == 1 and len(names[0]) == 8
    else:
        assert names == expected


def test_sql_default_op_name_matches_dagster():
    from dagster.components.lib.sql_component.sql_component import TemplatedSqlComponent

    comp = TemplatedSqlComponent.model_construct(sql_template="select 1", sql_template_vars={"b": 2},
                                                 connection=None, execution=None, assets=None, checks=None)
    assert declared_op_names(n({"sql_template": "select 1", "sql_template_vars": {"b": 2}})) == [
        comp.get_unique_name()]


@pytest.mark.parametrize("value, expected", [("{{ x }}", True), ("plain", False), (3, False), (None, False)])
def test_is_template(value, expected):
    assert is_template(value) is expected


def test_normalize_key():
    assert normalize_key(" a / b /") == "a/b"


def test_core_assets_imports_no_dagster():
    code = "import sys, dagster_designer_qt.core.assets; print('dagster' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
