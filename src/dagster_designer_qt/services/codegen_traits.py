"""What code generation needs to know about a component type, read from its JSON schema. Pure, no dagster.

The dependency mechanism is chosen from the schema, not from a list of classes:

- ``assets`` is an array of objects with ``deps``  -> the component *declares* its assets; edges go into
  each asset spec's ``deps``.
- a top-level ``translation`` attribute            -> an asset *factory* (dbt, Fivetran); edges go into
  ``attributes.translation.deps``, keeping the factory's own deps (``spec.deps``).
- an array attribute whose items have ``translation`` (Sling ``replications``) -> the same, per item.
- otherwise                                        -> conservative fallback: a ``post_processing`` rule that
  appends literal keys to ``asset.deps`` (never replacing them).

Op names: when ``execution`` (or another op-spec attribute) is an object with a ``name`` property, a unique
name is emitted so that two components never share an op name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Protocol


class ComponentInfoLike(Protocol):
    """The part of ``services.registry.ComponentInfo`` code generation reads."""

    type: str
    schema: dict
    distribution: str | None


@dataclass(frozen=True)
class TypeTraits:
    declares_assets: bool = False  # has `assets: [{key, deps}]`
    translation: bool = False  # has a top-level `translation` attribute
    item_translation: str | None = None  # name of an array attribute whose items have `translation`
    op_name_attr: str | None = None  # attribute holding an op spec with `name` (e.g. "execution")
    op_name_required_parent: bool = True  # the op-spec attribute is required (only add `name` inside it)
    distribution: str | None = None
    known: bool = False  # traits come from a schema (or the built-in table), not a guess


def _resolve(schema: Mapping[str, Any], node: Any) -> Any:
    """Follow a local ``$ref``."""
    seen = 0
    while isinstance(node, Mapping) and "$ref" in node and seen < 20:
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return {}
        target: Any = schema
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, Mapping) else {}
        node = target
        seen += 1
    return node


def _variants(schema: Mapping[str, Any], node: Any) -> list[Mapping[str, Any]]:
    node = _resolve(schema, node)
    if not isinstance(node, Mapping):
        return []
    out: list[Mapping[str, Any]] = []
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in node.get(key, []) or []:
            out.extend(_variants(schema, sub))
    if not any(k in node for k in ("anyOf", "oneOf", "allOf")):
        out.append(node)
    return out


def _object_props(schema: Mapping[str, Any], node: Any) -> list[Mapping[str, Any]]:
    return [v.get("properties", {}) for v in _variants(schema, node) if isinstance(v.get("properties"), Mapping)]


def _array_item_props(schema: Mapping[str, Any], node: Any) -> list[Mapping[str, Any]]:
    out = []
    for v in _variants(schema, node):
        if v.get("type") == "array" and "items" in v:
            out.extend(_object_props(schema, v["items"]))
    return out


def traits_from_schema(schema: Mapping[str, Any] | None, distribution: str | None = None) -> TypeTraits:
    if not isinstance(schema, Mapping) or not isinstance(schema.get("properties"), Mapping):
        return TypeTraits(distribution=distribution)
    props = schema["properties"]
    required = set(schema.get("required") or [])
    declares = any("deps" in p and "key" in p for p in _array_item_props(schema, props.get("assets", {})))
    translation = "translation" in props
    item_translation = None
    if not declares and not translation:
        for name, sub in props.items():
            if any("translation" in p for p in _array_item_props(schema, sub)):
                item_translation = name
                break
    op_attr = None
    op_required = True
    if "execution" in props and any("name" in p for p in _object_props(schema, props["execution"])):
        op_attr = "execution"
        op_required = "execution" in required
    return TypeTraits(
        declares_assets=declares,
        translation=translation,
        item_translation=item_translation,
        op_name_attr=op_attr,
        op_name_required_parent=op_required,
        distribution=distribution,
        known=True,
    )


# Used when no registry information is passed (fast preview): the installed core components' shapes.
_DECLARED = TypeTraits(declares_assets=True, op_name_attr="execution", known=True)
BUILTIN_TRAITS: dict[str, TypeTraits] = {
    "dagster.PythonScriptComponent": _DECLARED,
    "dagster.FunctionComponent": _DECLARED,
    "dagster.UvRunComponent": _DECLARED,
    "dagster.TemplatedSqlComponent": TypeTraits(declares_assets=True, op_name_attr="execution",
                                                op_name_required_parent=False, known=True),
    "dagster_dbt.DbtProjectComponent": TypeTraits(translation=True, distribution="dagster-dbt", known=True),
    "dagster_dbt.DbtCloudComponent": TypeTraits(translation=True, distribution="dagster-dbt", known=True),
    "dagster_fivetran.FivetranAccountComponent": TypeTraits(translation=True, distribution="dagster-fivetran",
                                                            known=True),
    "dagster_sling.SlingReplicationCollectionComponent": TypeTraits(
        item_translation="replications", distribution="dagster-sling", known=True),
    "dagster.DefinitionsComponent": TypeTraits(known=True),
    "dagster.DefsFolderComponent": TypeTraits(known=True),
}
# Dotted class paths Dagster also accepts for the same components.
_ALIASES = {
    "dagster_dbt.components.dbt_project.component.DbtProjectComponent": "dagster_dbt.DbtProjectComponent",
}


def default_distribution(component_type: str) -> str | None:
    """``dagster_dbt.X`` -> ``dagster-dbt``; core ``dagster.X`` and local (dotted project) types -> None."""
    top = component_type.split(".", 1)[0]
    if "." not in component_type or not top.startswith("dagster_"):
        return None  # core dagster, or a project-local component
    return top.replace("_", "-")


def traits_for(component_type: str, components: Mapping[str, Any] | None) -> TypeTraits:
    info = components.get(component_type) if components else None
    if info is not None and getattr(info, "schema", None):
        return traits_from_schema(info.schema, getattr(info, "distribution", None)
                                  or default_distribution(component_type))
    builtin = BUILTIN_TRAITS.get(_ALIASES.get(component_type, component_type))
    if builtin is not None:
        return builtin
    return TypeTraits(distribution=default_distribution(component_type))
