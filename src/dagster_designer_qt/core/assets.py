"""What a node declares in its attributes: asset keys, dependency keys and op names. Pure, no dagster.

Only literal values are read: a Jinja template (``"{{ ... }}"``) is resolved by Dagster at load time, so it
is skipped here (the result is then a lower bound, never a guess). Asset keys use Dagster's user-string
form ``"a/b"``.

Where these live in the installed components' schemas (dagster 1.13):

- ``assets[].key`` / ``assets[].deps`` / ``checks[].additional_deps``: FunctionComponent,
  PythonScriptComponent, UvRunComponent, TemplatedSqlComponent (the components that declare their assets).
- ``translation.deps``: dbt, Fivetran (and ``replications[].translation.deps`` for Sling): the asset
  factories, whose own keys are only known after loading.
- Op names: ``execution.name`` (default: the script's stem for ``execution.path``, ``_assets_def`` for a
  function, a hash of the SQL for TemplatedSql without ``execution``), ``op.name`` (dbt),
  ``replications[].op.name`` (Sling).
"""

from __future__ import annotations

import hashlib
from typing import Any, Iterable

TEMPLATE_MARK = "{{"


def is_template(value: Any) -> bool:
    """True for a string Dagster renders as a Jinja template (the rule lives in core.templates)."""
    from dagster_designer_qt.core.templates import is_template as rule

    return rule(value)


def normalize_key(value: str) -> str:
    """``" a/b "`` -> ``"a/b"``; empty segments dropped (Dagster splits user keys on ``/``)."""
    return "/".join(part.strip() for part in value.strip().split("/") if part.strip())


def _attributes(node: Any) -> dict[str, Any]:
    attrs = getattr(node, "attributes", None)
    return attrs if isinstance(attrs, dict) else {}


def _literal_strings(values: Any) -> Iterable[str]:
    if isinstance(values, list):
        for value in values:
            if isinstance(value, str) and value.strip() and not is_template(value):
                yield normalize_key(value)


def declared_asset_keys(node: Any, *, declares_assets: bool | None = None,
                        strict: bool = False) -> list[str] | None:
    """The asset keys the node declares in ``attributes.assets``, in order (duplicates kept, so a caller
    can report them). ``None`` when they are only known after loading: an asset factory (dbt, Sling,
    Fivetran...), an unknown component, or ``assets`` given as a template.

    ``declares_assets`` comes from the registry (``not ComponentInfo.asset_factory``): ``False`` forces
    ``None``; ``True`` makes a missing ``assets`` mean "no assets" (``[]``). When it is ``None`` the
    attributes decide: a list under ``assets`` is read, anything else gives ``None``.

    ``strict`` asks for all the keys or nothing: ``None`` as soon as one entry has no literal key (code
    generation embeds the keys in templates and must not drop one).
    """
    if declares_assets is False:
        return None
    assets = _attributes(node).get("assets")
    if assets is None:
        return [] if declares_assets else None
    if not isinstance(assets, list):
        return None  # a template, or a wrong type the attribute validation reports
    keys: list[str] = []
    for spec in assets:
        if isinstance(spec, dict):
            key = spec.get("key")
            if isinstance(key, str) and key.strip() and not is_template(key):
                keys.append(normalize_key(key))
                if keys[-1] or not strict:
                    continue
        if strict:
            return None
    return keys


def declared_dep_keys(node: Any) -> list[str]:
    """Upstream asset keys written in the node (asset specs' ``deps``, checks' ``additional_deps``,
    ``translation.deps`` in the attributes or the node's own ``translation``, Sling replications'
    ``translation.deps``). Ordered, without duplicates. Templates are skipped."""
    attrs = _attributes(node)
    found: list[str] = []
    assets = attrs.get("assets")
    if isinstance(assets, list):
        for spec in assets:
            if isinstance(spec, dict):
                found.extend(_literal_strings(spec.get("deps")))
    checks = attrs.get("checks")
    if isinstance(checks, list):
        for spec in checks:
            if isinstance(spec, dict):
                found.extend(_literal_strings(spec.get("additional_deps")))
    translations = [attrs.get("translation"), getattr(node, "translation", None)]
    replications = attrs.get("replications")
    if isinstance(replications, list):
        translations.extend(r.get("translation") for r in replications if isinstance(r, dict))
    for translation in translations:
        if isinstance(translation, dict):
            found.extend(_literal_strings(translation.get("deps")))
    return list(dict.fromkeys(found))


def declared_check_targets(node: Any) -> list[str]:
    """Asset keys the node's ``checks[].asset`` entries point at."""
    checks = _attributes(node).get("checks")
    if not isinstance(checks, list):
        return []
    out = []
    for spec in checks:
        if isinstance(spec, dict):
            asset = spec.get("asset")
            if isinstance(asset, str) and asset.strip() and not is_template(asset):
                out.append(normalize_key(asset))
    return list(dict.fromkeys(out))


def _sql_default_op_name(attrs: dict[str, Any]) -> str | None:
    """TemplatedSqlComponent without ``execution``: md5 of ``"<template or file path>:<sorted vars>"``."""
    template = attrs.get("sql_template")
    if isinstance(template, dict):
        template = template.get("path")
    if not isinstance(template, str) or is_template(template):
        return None
    template_vars = attrs.get("sql_template_vars") or {}
    if not isinstance(template_vars, dict):
        return None
    combined = f"{template}:{sorted(template_vars.items())}"
    return hashlib.md5(combined.encode("utf-8"), usedforsecurity=False).hexdigest()[:8]


def _literal_name(spec: Any) -> str | None:
    if isinstance(spec, dict):
        name = spec.get("name")
        if isinstance(name, str) and name.strip() and not is_template(name):
            return name.strip()
    return None


def declared_op_names(node: Any) -> list[str]:
    """Op names the node will create, as far as the attributes tell (Dagster requires them to be unique in
    a code location): the names written, else Dagster's defaults where the attributes give them (a script's
    or a Sling replication file's stem; not a dbt project's name, which is in its files). Unnamed function
    ops are all called ``_assets_def`` (``_asset_check_def`` when the node has only checks), which is
    exactly the collision worth reporting."""
    attrs = _attributes(node)
    names: list[str] = []
    execution = attrs.get("execution")
    if isinstance(execution, dict):
        name = _literal_name(execution)
        if name is None:
            path = execution.get("path")
            if isinstance(path, str) and path.strip() and not is_template(path):
                name = _path_stem(path)
            elif "fn" in execution or "sql_template" in attrs:
                has_assets = bool(attrs.get("assets"))
                name = "_assets_def" if has_assets or not attrs.get("checks") else "_asset_check_def"
        if name:
            names.append(name)
    elif execution is None and "sql_template" in attrs:
        name = _sql_default_op_name(attrs)
        if name:
            names.append(name)
    name = _literal_name(attrs.get("op"))
    if name:
        names.append(name)
    replications = attrs.get("replications")
    if isinstance(replications, list):
        for replication in replications:
            if isinstance(replication, dict):
                name = _literal_name(replication.get("op"))
                path = replication.get("path")
                if name is None and isinstance(path, str) and path.strip() and not is_template(path):
                    name = _path_stem(path)  # Sling: `op.name or Path(path).stem`
                if name:
                    names.append(name)
    return names


def _path_stem(path: str) -> str:
    """``Path(path).stem`` of a POSIX or Windows-style relative path (how Dagster names an op after its
    script or replication file)."""
    stem = path.strip().replace("\\", "/").rsplit("/", 1)[-1]
    return stem.rsplit(".", 1)[0] if "." in stem else stem
