"""services.codegen_traits: what code generation reads from a component's schema (through core.schema)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from dagster_designer_qt.services.codegen_traits import TypeTraits, traits_for, traits_from_schema
from dagster_designer_qt.services.registry import schema_declares_assets

SPEC = {"type": "object", "properties": {"key": {"type": "string"}, "deps": {"type": "array"}}}
DEFS = {
    "Spec": SPEC,
    "Rep": {"type": "object", "properties": {"path": {"type": "string"}, "translation": {}}},
    "Op": {"type": "object", "properties": {"name": {"type": "string"}, "tags": {}}},
    "Sub": {"type": "object", "properties": {"cwd": {"type": "string"}}},
    "RepOp": {"type": "object", "properties": {"path": {"type": "string"}, "translation": {},
                                               "op": {"anyOf": [{"$ref": "#/$defs/Op"}, {"type": "null"}]}},
              "required": ["path"]},
    "Node": {"type": "object", "properties": {"key": {}, "deps": {"type": "array", "items": {"$ref": "#/$defs/Node"}}}},
}


def schema(props: dict, required=()) -> dict:
    return {"type": "object", "properties": props, "required": list(required), "$defs": DEFS}


OPTIONAL_LIST = {"anyOf": [{"type": "array", "items": {"$ref": "#/$defs/Spec"}}, {"type": "string"}, {"type": "null"}]}
CASES = {
    "declared, nested unions": (
        schema({"assets": {"anyOf": [{"anyOf": [{"type": "array", "items": {"anyOf": [{"$ref": "#/$defs/Spec"},
                                                                                      {"type": "null"}]}}]},
                                     {"type": "string"}]}}),
        TypeTraits(declares_assets=True, known=True)),
    "declared, recursive spec": (
        schema({"assets": {"type": "array", "items": {"$ref": "#/$defs/Node"}}}),
        TypeTraits(declares_assets=True, known=True)),
    "assets without deps is not declared": (
        schema({"assets": {"type": "array", "items": {"type": "object", "properties": {"key": {}}}}}),
        TypeTraits(known=True)),
    "factory": (
        schema({"translation": {"anyOf": [{"type": "string"}, {"type": "null"}]}, "assets": OPTIONAL_LIST}),
        TypeTraits(declares_assets=True, translation=True, known=True)),
    "per-item translation": (
        schema({"x": {"type": "string"}, "replications": {"type": "array", "items": {"$ref": "#/$defs/Rep"}}}),
        TypeTraits(item_translation="replications", known=True)),
    "optional op spec among variants": (
        schema({"execution": {"anyOf": [{"$ref": "#/$defs/Sub"}, {"$ref": "#/$defs/Op"}, {"type": "null"}]}}),
        TypeTraits(op_name_attr="execution", op_name_required_parent=False, known=True)),
    "required op spec": (
        schema({"execution": {"$ref": "#/$defs/Op"}, "assets": OPTIONAL_LIST}, required=["execution"]),
        TypeTraits(declares_assets=True, op_name_attr="execution", known=True)),
    "optional top-level op (dbt)": (
        schema({"op": {"anyOf": [{"$ref": "#/$defs/Op"}, {"type": "string"}, {"type": "null"}]},
                "translation": {}}),
        TypeTraits(translation=True, op_name_attr="op", op_name_required_parent=False, known=True)),
    "op per item (Sling replications)": (
        schema({"replications": {"anyOf": [{"type": "array", "items": {"$ref": "#/$defs/RepOp"}},
                                           {"type": "string"}]}}),
        TypeTraits(item_translation="replications", op_name_attr="op", op_name_required_parent=False,
                   op_name_items="replications", known=True)),
    "op spec without name": (
        schema({"execution": {"$ref": "#/$defs/Sub"}}, required=["execution"]),
        TypeTraits(known=True)),
    "no attributes": ({"type": "object", "properties": {}, "title": "NoParams"}, TypeTraits(known=True)),
    "empty schema": ({}, TypeTraits()),
}


@pytest.mark.parametrize("name", list(CASES))
def test_traits_from_schema(name):
    attrs_schema, expected = CASES[name]
    assert traits_from_schema(attrs_schema) == expected
    assert traits_from_schema(attrs_schema, "dist") == TypeTraits(**{**expected.__dict__, "distribution": "dist"})


def test_not_a_schema():
    assert traits_from_schema(None, "d") == TypeTraits(distribution="d")


def test_schema_declares_assets_is_a_top_level_property():
    assert schema_declares_assets(schema({"assets": OPTIONAL_LIST}))
    assert schema_declares_assets(schema({"assets": {"type": "string"}}))  # any `assets` attribute
    assert not schema_declares_assets(schema({"translation": {}}))
    assert not schema_declares_assets({}) and not schema_declares_assets(None)


@dataclass
class _Info:
    schema: dict
    distribution: str | None = None


def test_traits_for_follows_the_info_and_its_schema():
    info = _Info(CASES["factory"][0])
    first = traits_for("dagster_acme.Thing", {"dagster_acme.Thing": info})
    assert first.translation and first.distribution == "dagster-acme"
    assert traits_for("dagster_acme.Thing", {"dagster_acme.Thing": info}) == first
    info.schema = CASES["per-item translation"][0]  # a new schema object is read again
    again = traits_for("dagster_acme.Thing", {"dagster_acme.Thing": info})
    assert again.item_translation == "replications" and not again.translation
    info.distribution = "acme-dist"
    assert traits_for("dagster_acme.Thing", {"dagster_acme.Thing": info}).distribution == "acme-dist"


def test_builtin_traits_are_what_the_installed_schemas_say():
    """The table used without registry information agrees with the schemas (op specs included: dbt's
    ``op``, Sling's ``replications[*].op``), so a preview and an export name the same ops."""
    from dagster import PythonScriptComponent, TemplatedSqlComponent
    from dagster_dbt import DbtCloudComponent, DbtProjectComponent
    from dagster_fivetran import FivetranAccountComponent
    from dagster_sling import SlingReplicationCollectionComponent

    from dagster_designer_qt.services.codegen_traits import BUILTIN_TRAITS

    for cls, key in [(PythonScriptComponent, "dagster.PythonScriptComponent"),
                     (TemplatedSqlComponent, "dagster.TemplatedSqlComponent"),
                     (DbtProjectComponent, "dagster_dbt.DbtProjectComponent"),
                     (DbtCloudComponent, "dagster_dbt.DbtCloudComponent"),
                     (FivetranAccountComponent, "dagster_fivetran.FivetranAccountComponent"),
                     (SlingReplicationCollectionComponent, "dagster_sling.SlingReplicationCollectionComponent")]:
        from_schema = traits_from_schema(cls.get_model_cls().model_json_schema())
        builtin = BUILTIN_TRAITS[key]
        assert (from_schema.op_name_attr, from_schema.op_name_required_parent, from_schema.op_name_items) == (
            builtin.op_name_attr, builtin.op_name_required_parent, builtin.op_name_items), key
        assert (from_schema.translation, from_schema.item_translation, from_schema.declares_assets) == (
            builtin.translation, builtin.item_translation, builtin.declares_assets), key
