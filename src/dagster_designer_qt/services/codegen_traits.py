"""What code generation needs to know about a component type, read from its schema. Pure, no dagster.

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

The schema is read through ``core.schema`` (its parsed Field tree), never keyword by keyword.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Mapping, Protocol

from dagster_designer_qt.core.schema import Field, array_items, has_object_with, parse_schema


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


def traits_from_schema(schema: Mapping[str, Any] | None, distribution: str | None = None) -> TypeTraits:
    """The traits of a component's attributes JSON schema."""
    if not isinstance(schema, Mapping):
        return TypeTraits(distribution=distribution)
    return replace(_traits_of(parse_schema(dict(schema))), distribution=distribution)


def _traits_of(root: Field) -> TypeTraits:
    """The traits of a parsed attributes schema (without a distribution)."""
    if root.kind not in ("object", "map"):  # "map": an object schema that names no attributes
        return TypeTraits()
    assets = root.property("assets")
    declares = any(has_object_with(item, "key", "deps") for item in array_items(assets))
    translation = root.property("translation") is not None
    item_translation = None
    if not declares and not translation:
        for prop in root.properties:
            if any(has_object_with(item, "translation") for item in array_items(prop)):
                item_translation = prop.name
                break
    op_attr = None
    op_required = True
    execution = root.property("execution")
    if has_object_with(execution, "name"):
        op_attr = "execution"
        op_required = execution.required
    return TypeTraits(
        declares_assets=declares,
        translation=translation,
        item_translation=item_translation,
        op_name_attr=op_attr,
        op_name_required_parent=op_required,
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


# id(info) -> (info, its schema, traits). parse_schema's cache key is a json.dumps of the whole schema
# (~0.5 ms for a 10 KB component schema), too slow to pay per node on every preview; registry entries are
# frozen and their schemas are never edited in place, so identity is a sound key.
_INFO_TRAITS: dict[int, tuple[Any, Any, TypeTraits]] = {}


def _schema_traits(info: Any) -> TypeTraits:
    schema = info.schema
    hit = _INFO_TRAITS.get(id(info))
    if hit is not None and hit[0] is info and hit[1] is schema:
        return hit[2]
    traits = traits_from_schema(schema)
    if len(_INFO_TRAITS) >= 512:
        _INFO_TRAITS.clear()
    _INFO_TRAITS[id(info)] = (info, schema, traits)
    return traits


def default_distribution(component_type: str) -> str | None:
    """``dagster_dbt.X`` -> ``dagster-dbt``; core ``dagster.X`` and local (dotted project) types -> None."""
    top = component_type.split(".", 1)[0]
    if "." not in component_type or not top.startswith("dagster_"):
        return None  # core dagster, or a project-local component
    return top.replace("_", "-")


def traits_for(component_type: str, components: Mapping[str, Any] | None) -> TypeTraits:
    info = components.get(component_type) if components else None
    if info is not None and getattr(info, "schema", None):
        if getattr(info, "project_local", False):  # the exported project's own code: not a dependency
            return replace(_schema_traits(info), distribution=None)
        return replace(_schema_traits(info), distribution=getattr(info, "distribution", None)
                       or default_distribution(component_type))
    builtin = BUILTIN_TRAITS.get(_ALIASES.get(component_type, component_type))
    if builtin is not None:
        return builtin
    return TypeTraits(distribution=default_distribution(component_type))
