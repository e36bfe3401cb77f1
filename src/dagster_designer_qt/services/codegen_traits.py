"""What code generation needs to know about a component type, read from its schema. Pure, no dagster.

The dependency mechanism is chosen from the schema, not from a list of classes:

- ``assets`` is an array of objects with ``deps``  -> the component *declares* its assets; edges go into
  each asset spec's ``deps``.
- a top-level ``translation`` attribute            -> an asset *factory* (dbt, Fivetran); edges go into
  ``attributes.translation.deps``, keeping the factory's own deps (``spec.deps``).
- an array attribute whose items have ``translation`` (Sling ``replications``) -> the same, per item.
- otherwise                                        -> conservative fallback: a ``post_processing`` rule that
  appends literal keys to ``asset.deps`` (never replacing them).

Op names: an *op spec* is an attribute named ``execution`` or ``op`` (the names Dagster's components give
their ``OpSpec``) that can be an object with a ``name`` property, either at the top of the attributes (core
components' ``execution``, dbt's ``op``) or in each item of an array attribute (Sling's
``replications[*].op``). Code generation gives every op spec without a user-set name a unique name
(``op_specs`` finds them, ``set_op_names`` writes them), so two components never share an op name.

The schema is read through ``core.schema`` (its parsed Field tree), never keyword by keyword.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Mapping, Protocol

from dagster_designer_qt.core.schema import Field, array_items, has_object_with, object_variants, parse_schema


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
    op_name_attr: str | None = None  # attribute holding an op spec with `name` ("execution", "op")
    op_name_required_parent: bool = True  # the op-spec attribute is required (only add `name` inside it)
    op_name_items: str | None = None  # array attribute whose items each hold the op spec (Sling "replications")
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
    op_attr, op_required, op_items = _op_spec_of(root)
    return TypeTraits(
        declares_assets=declares,
        translation=translation,
        item_translation=item_translation,
        op_name_attr=op_attr,
        op_name_required_parent=op_required,
        op_name_items=op_items,
        known=True,
    )


# The attribute names Dagster's components give an ``OpSpec`` (core: ``execution``; dbt, Sling: ``op``).
OP_SPEC_ATTRS = ("execution", "op")


def _op_spec_of(obj: Field) -> tuple[str | None, bool, str | None]:
    """(op-spec attribute, whether it is required, array attribute holding it per item or None)."""
    for name in OP_SPEC_ATTRS:
        prop = obj.property(name)
        if has_object_with(prop, "name"):
            return name, prop.required, None
    for prop in obj.properties:
        for item in _item_objects(prop):
            for name in OP_SPEC_ATTRS:
                sub = item.property(name)
                if has_object_with(sub, "name"):
                    return name, sub.required, prop.name
    return None, True, None


def _item_objects(prop: Field) -> tuple[Field, ...]:
    return tuple(obj for item in array_items(prop) for obj in object_variants(item))


def op_specs(attributes: Any, traits: TypeTraits) -> list[tuple[int | None, Any, bool]]:
    """Every op spec of a node's attributes: ``(slot, spec, may_add)`` with ``slot`` None for the top-level
    spec or the item's index (``attributes[traits.op_name_items][slot]``), ``spec`` its value (None when
    absent) and ``may_add`` whether a name may be written there (the spec is an object, or absent where the
    schema lets it be absent). Templates (a string spec or item list) are not op specs we can name."""
    attr = traits.op_name_attr
    if not attr or not isinstance(attributes, Mapping):
        return []
    if traits.op_name_items is None:
        holders: list[tuple[int | None, Any]] = [(None, attributes)]
    else:
        items = attributes.get(traits.op_name_items)
        holders = list(enumerate(items)) if isinstance(items, list) else []
    out: list[tuple[int | None, Any, bool]] = []
    for slot, holder in holders:
        if not isinstance(holder, Mapping):
            continue
        spec = holder.get(attr)
        out.append((slot, spec, isinstance(spec, dict) or (spec is None and not traits.op_name_required_parent)))
    return out


def user_op_name(spec: Any) -> str | None:
    """The op name the user wrote in an op spec (None when there is none)."""
    name = spec.get("name") if isinstance(spec, Mapping) else None
    return name if isinstance(name, str) and name else None


def set_op_names(attributes: dict, traits: TypeTraits, names: Mapping[int | None, str]) -> None:
    """Write ``names`` (slot -> op name, slots as in :func:`op_specs`) into ``attributes`` (fresh containers,
    changed in place)."""
    for slot, name in names.items():
        holder = attributes if slot is None else attributes[traits.op_name_items][slot]  # type: ignore[index]
        spec = holder.get(traits.op_name_attr)
        spec = dict(spec) if isinstance(spec, dict) else {}
        spec["name"] = name
        holder[traits.op_name_attr] = spec


# Used when no registry information is passed (fast preview): the installed core components' shapes.
_DECLARED = TypeTraits(declares_assets=True, op_name_attr="execution", known=True)
BUILTIN_TRAITS: dict[str, TypeTraits] = {
    "dagster.PythonScriptComponent": _DECLARED,
    "dagster.FunctionComponent": _DECLARED,
    "dagster.UvRunComponent": _DECLARED,
    "dagster.TemplatedSqlComponent": TypeTraits(declares_assets=True, op_name_attr="execution",
                                                op_name_required_parent=False, known=True),
    "dagster_dbt.DbtProjectComponent": TypeTraits(translation=True, op_name_attr="op", op_name_required_parent=False,
                                                  distribution="dagster-dbt", known=True),
    "dagster_dbt.DbtCloudComponent": TypeTraits(translation=True, op_name_attr="op", op_name_required_parent=False,
                                                distribution="dagster-dbt", known=True),
    "dagster_fivetran.FivetranAccountComponent": TypeTraits(translation=True, distribution="dagster-fivetran",
                                                            known=True),
    "dagster_sling.SlingReplicationCollectionComponent": TypeTraits(
        item_translation="replications", op_name_attr="op", op_name_required_parent=False,
        op_name_items="replications", distribution="dagster-sling", known=True),
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
