"""core.schema: every schema feature the issue lists, as a table; plus unions and the real schemas."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dagster_designer_qt.core import attrs
from dagster_designer_qt.core.attrs import format_path
from dagster_designer_qt.core.schema import (
    MISSING,
    UNSET,
    UNSET_DEFAULT_MARKER,
    array_items,
    has_object_with,
    humanize_class_name,
    is_secret_name,
    match_variant,
    object_variants,
    parse_schema,
    switch_variant,
)


def obj(props: dict, **extra) -> dict:
    return {"type": "object", "properties": props, **extra}


def field_of(prop_schema: dict, name: str = "f", root_extra: dict | None = None):
    root = obj({name: prop_schema}, **(root_extra or {}))
    return parse_schema(root).property(name)


DEFS = {
    "Inner": {"type": "object", "title": "InnerModel", "properties": {"x": {"type": "integer"}}},
    "Node": {"type": "object", "properties": {"name": {"type": "string"},
                                              "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}}},
    "A": {"type": "object", "title": "A", "properties": {"type": {"const": "a", "type": "string"},
                                                         "shared": {"type": "string"}, "only_a": {"type": "integer"}}},
    "B": {"type": "object", "title": "B", "properties": {"type": {"const": "b", "type": "string"},
                                                         "shared": {"type": "string"}, "only_b": {"type": "boolean"}}},
}

# (schema of property "f", expected attributes of the parsed Field)
TABLE = [
    ("string", {"type": "string"}, {"kind": "string"}),
    ("integer bounds", {"type": "integer", "minimum": 1, "maximum": 9}, {"kind": "integer", "minimum": 1, "maximum": 9}),
    ("ge alias", {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "string"}], "ge": 1},
     {"kind": "integer", "minimum": 1, "template": True}),
    ("number", {"type": "number"}, {"kind": "number"}),
    ("boolean", {"type": "boolean"}, {"kind": "boolean"}),
    ("enum", {"enum": ["x", "y"], "type": "string"}, {"kind": "enum", "enum": ("x", "y")}),
    ("const", {"const": "script", "type": "string"}, {"kind": "const", "const": "script"}),
    ("title/description/examples", {"type": "string", "title": "Nice", "description": "d", "examples": ["e1"]},
     {"title": "Nice", "description": "d", "examples": ("e1",)}),
    ("title from name", {"type": "string"}, {"title": "F"}),
    ("default placeholder", {"type": "string", "default": "fqn:*"}, {"default": "fqn:*"}),
    ("unset default", {"type": "string", "default": UNSET_DEFAULT_MARKER}, {"default": UNSET_DEFAULT_MARKER}),
    ("no default", {"type": "string"}, {"default": MISSING}),
    ("hidden", {"type": "string", "ui:widget": "hidden"}, {"hidden": True}),
    ("optional (null)", {"anyOf": [{"type": "string"}, {"type": "null"}]}, {"kind": "string", "nullable": True,
                                                                           "template": False}),
    ("template widening", {"anyOf": [{"type": "boolean"}, {"type": "string"}]},
     {"kind": "boolean", "template": True, "template_label": "Template"}),
    ("template + null", {"anyOf": [{"type": "integer"}, {"type": "null"}, {"type": "string"}]},
     {"kind": "integer", "template": True, "nullable": True}),
    ("type list", {"type": ["string", "null"]}, {"kind": "string", "nullable": True}),
    ("map", {"type": "object", "additionalProperties": {"type": "string"}}, {"kind": "map"}),
    ("free map", {"type": "object", "additionalProperties": True}, {"kind": "map"}),
    ("array of scalars", {"type": "array", "items": {"type": "string"}}, {"kind": "array"}),
    ("array of objects", {"type": "array", "items": {"$ref": "#/$defs/Inner"}}, {"kind": "array"}),
    ("$ref object", {"$ref": "#/$defs/Inner"}, {"kind": "object", "title": "F"}),
    ("$ref with template", {"anyOf": [{"$ref": "#/$defs/Inner"}, {"type": "string"}, {"type": "null"}]},
     {"kind": "object", "template": True, "nullable": True}),
    ("string-first union", {"anyOf": [{"type": "string"}, {"$ref": "#/$defs/A"}, {"$ref": "#/$defs/B"}]},
     {"kind": "union", "template": True, "template_label": "Text"}),
    ("object union", {"anyOf": [{"$ref": "#/$defs/A"}, {"$ref": "#/$defs/B"}, {"type": "string"}]},
     {"kind": "union", "template": True, "template_label": "Template"}),
    ("scalar union", {"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "boolean"}]}, {"kind": "scalar"}),
    ("unsupported -> yaml", {"allOf": [{"type": "string"}, {"minLength": 2}]}, {"kind": "yaml"}),
    ("unresolvable ref -> yaml", {"$ref": "#/$defs/Nope"}, {"kind": "yaml"}),
    ("path (dir)", {"type": "string"}, {"kind": "path", "path_mode": "dir"}),
    ("secret", {"type": "string"}, {"secret": True}),
    ("sql multi-line", {"type": "string"}, {"kind": "text"}),
    ("untyped", {}, {"kind": "any"}),
]
NAMES = {"path (dir)": "project_dir", "secret": "api_key", "sql multi-line": "sql_template"}


@pytest.mark.parametrize("case,schema,expected", TABLE, ids=[t[0] for t in TABLE])
def test_parser_table(case, schema, expected):
    fld = field_of(schema, NAMES.get(case, "f"), {"$defs": DEFS})
    for key, value in expected.items():
        assert getattr(fld, key) == value, (case, key, getattr(fld, key))


def test_required_and_ui_order():
    root = parse_schema(obj({"b": {"type": "string"}, "a": {"type": "string"}, "c": {"type": "string"}},
                            required=["a"], **{"ui:order": ["c", "a"]}))
    assert [p.name for p in root.properties] == ["c", "a", "b"]
    assert root.property("a").required and not root.property("b").required


def test_recursive_ref_stops_with_yaml_fallback():
    root = parse_schema({"$defs": DEFS, "type": "object", "properties": {"tree": {"$ref": "#/$defs/Node"}}})
    tree = root.property("tree")
    assert tree.kind == "object"
    children = tree.property("children")
    assert children.kind == "array"
    assert children.items.kind == "yaml" and "recursive" in children.items.reason


def test_self_referencing_root_terminates():
    schema = {"$defs": {"L": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"$ref": "#/$defs/L"}}]}},
              "type": "object", "properties": {"l": {"$ref": "#/$defs/L"}}}
    fld = parse_schema(schema).property("l")
    assert fld.kind in ("array", "union")


def test_variants_tagged_by_const_and_titled():
    fld = field_of({"anyOf": [{"$ref": "#/$defs/A"}, {"$ref": "#/$defs/B"}]}, root_extra={"$defs": DEFS})
    assert [v.title for v in fld.variants] == ["A", "B"]
    assert [v.tag for v in fld.variants] == [{"type": "a"}, {"type": "b"}]
    assert match_variant(fld, {"type": "b"}) == 1
    assert match_variant(fld, {"only_a": 3}) == 0
    assert match_variant(fld, {"only_b": True}) == 1


def test_switch_variant_keeps_shared_values():
    fld = field_of({"anyOf": [{"$ref": "#/$defs/A"}, {"$ref": "#/$defs/B"}]}, root_extra={"$defs": DEFS})
    new = switch_variant({"type": "a", "shared": "keep", "only_a": 1}, fld.variants[1], fld.variants[0])
    assert new == {"type": "b", "shared": "keep"}


def test_accepts_and_template_values():
    fld = field_of({"anyOf": [{"type": "boolean"}, {"type": "string"}]})
    assert fld.accepts(True) and not fld.accepts("x")
    assert fld.is_template_value("{{ env('X') }}")
    assert not field_of({"type": "string"}).is_template_value("{{ x }}")


def test_humanize_and_paths():
    assert humanize_class_name("FivetranConnectorSelectorByName") == "Fivetran Connector Selector by Name"
    assert humanize_class_name("HourlyPartitionsDefinitionModel") == "Hourly Partitions Definition"
    assert format_path(("replications", 0, "path")) == "replications[0].path"


@pytest.mark.parametrize("name,secret", [("password", True), ("api_key", True), ("api_secret", True),
                                         ("token", True), ("private_key", True), ("token_url", False),
                                         ("account_id", False), ("name", False), ("secret_path", False)])
def test_secret_names(name, secret):
    assert is_secret_name(name) is secret


def test_attrs_helpers():
    data = {"a": {"b": [1, {"c": 2}]}}
    assert attrs.get_in(data, ("a", "b", 1, "c")) == 2
    assert attrs.set_in(data, ("a", "x"), 3)["a"]["x"] == 3 and "x" not in data["a"]
    assert attrs.delete_in({"a": {"b": 1}}, ("a", "b")) == {}
    assert attrs.delete_in({"a": {"b": 1}}, ("a", "b"), prune=False) == {"a": {}}
    assert attrs.env_var_name("dagster_fivetran.FivetranAccountComponent", ("workspace", "api_key")) == \
        "FIVETRAN_API_KEY"
    assert attrs.env_template("X") == "{{ env('X') }}"


def test_unset_is_falsy_and_survives_deepcopy():
    import copy

    assert not UNSET and copy.deepcopy(UNSET) is UNSET


# ------------------------------------------------------------ structure queries
STRUCTURE = obj({
    "plain": {"$ref": "#/$defs/Inner"},
    "either": {"anyOf": [{"$ref": "#/$defs/A"}, {"anyOf": [{"$ref": "#/$defs/B"}, {"type": "integer"}]},
                         {"type": "null"}, {"type": "string"}]},
    "listed": {"anyOf": [{"type": "array", "items": {"$ref": "#/$defs/A"}}, {"type": "string"}, {"type": "null"}]},
    "lists": {"anyOf": [{"type": "array", "items": {"$ref": "#/$defs/A"}},
                        {"type": "array", "items": {"anyOf": [{"$ref": "#/$defs/B"}, {"type": "null"}]}}]},
    "untyped_items": {"type": "array"},
    "word": {"type": "string"},
    "tree": {"$ref": "#/$defs/Node"},
}, **{"$defs": DEFS})


def test_object_variants():
    root = parse_schema(STRUCTURE)
    assert object_variants(root) == (root,)
    assert [[p.name for p in v.properties] for v in object_variants(root.property("plain"))] == [["x"]]
    # nested unions are flattened; null, integer and the template string are not objects
    assert [v.tag for v in object_variants(root.property("either"))] == [{"type": "a"}, {"type": "b"}]
    assert object_variants(root.property("word")) == ()
    assert object_variants(root.property("listed")) == ()  # an array is not an object
    assert object_variants(None) == ()


def test_array_items():
    root = parse_schema(STRUCTURE)
    (item,) = array_items(root.property("listed"))  # nullable, templated array: still one list shape
    assert item.kind == "object" and item.tag == {"type": "a"}
    items = array_items(root.property("lists"))
    assert [i.kind for i in items] == ["object", "object"] and items[1].nullable
    assert [i.kind for i in array_items(root.property("untyped_items"))] == ["any"]
    assert array_items(root.property("plain")) == () and array_items(root.property("word")) == ()
    assert array_items(None) == ()
    # a recursive list's items are the YAML fallback, which has no shape
    (children,) = array_items(root.property("tree").property("children"))
    assert children.kind == "yaml" and object_variants(children) == ()


def test_has_object_with():
    root = parse_schema(STRUCTURE)
    either = root.property("either")
    assert has_object_with(either, "type", "only_a") and has_object_with(either, "only_b")
    assert not has_object_with(either, "only_a", "only_b")  # both names in one variant
    assert has_object_with(root.property("plain"), "x") and not has_object_with(root.property("plain"), "y")
    assert not has_object_with(root.property("word"), "x") and not has_object_with(None, "x")
    assert has_object_with(root, "plain", "tree")


def _real_schema(module: str, name: str) -> dict:
    import importlib

    return getattr(importlib.import_module(module), name).get_model_cls().model_json_schema()


REAL = [("dagster_dbt", "DbtProjectComponent"), ("dagster_dbt", "DbtCloudComponent"),
        ("dagster_sling", "SlingReplicationCollectionComponent"), ("dagster_fivetran", "FivetranAccountComponent"),
        ("dagster", "PythonScriptComponent"), ("dagster", "FunctionComponent"), ("dagster", "TemplatedSqlComponent"),
        ("dagster", "UvRunComponent"), ("dagster", "DefinitionsComponent"), ("dagster", "DefsFolderComponent")]


@pytest.mark.parametrize("module,name", REAL, ids=[n for _m, n in REAL])
def test_real_schemas_parse_without_top_level_fallback(module, name):
    root = parse_schema(_real_schema(module, name))
    assert root.kind == "object"
    assert all(p.kind != "yaml" for p in root.properties), [(p.name, p.reason) for p in root.properties]


def test_dbt_specifics():
    root = parse_schema(_real_schema("dagster_dbt", "DbtProjectComponent"))
    project = root.property("project")
    assert project.kind == "union" and project.template and project.template_label == "Text"
    assert project.required
    assert root.property("include_metadata").items.kind == "enum"
    assert root.property("translation_settings").default == UNSET_DEFAULT_MARKER
    fivetran = parse_schema(_real_schema("dagster_fivetran", "FivetranAccountComponent"))
    assert fivetran.property("defs_state").hidden
    assert fivetran.property("workspace").property("api_key").secret


def test_core_imports_no_qt():
    code = ("import sys; import dagster_designer_qt.core.schema, dagster_designer_qt.core.attrs, "
            "dagster_designer_qt.core.scaffold_templates; "
            "assert not any(m.startswith('PySide6') for m in sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)
