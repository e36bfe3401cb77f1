"""Helpers for nested attribute dicts: read/write/delete at a path, env-var template suggestions.
(The literal-secret check itself lives in services.validation, which the ValidationRunner runs.)

Pure Python: no Qt, no I/O. Paths are tuples of dict keys (str) and list indices (int).
"""

from __future__ import annotations

import copy
import re
from typing import Any, Iterable, Iterator


_MISSING = object()


def get_in(data: Any, path: tuple, default: Any = None) -> Any:
    node = data
    for part in path:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and -len(node) <= part < len(node):
            node = node[part]
        else:
            return default
    return node


def format_path(path: Iterable[str | int]) -> str:
    """``("assets", 0, "key")`` -> ``"assets[0].key"`` (how paths are shown to the user everywhere)."""
    out = ""
    for seg in path:
        if isinstance(seg, int):
            out += f"[{seg}]"
        else:
            out += ("." if out else "") + str(seg)
    return out


def has_path(data: Any, path: tuple) -> bool:
    return get_in(data, path, _MISSING) is not _MISSING


def set_in(data: dict, path: tuple, value: Any) -> dict:
    """A copy of ``data`` with ``value`` at ``path`` (missing dicts are created)."""
    if not path:
        return copy.deepcopy(value)
    out = copy.deepcopy(data) if isinstance(data, (dict, list)) else {}
    node = out
    for i, part in enumerate(path[:-1]):
        nxt = node[part] if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)) else _MISSING
        if not isinstance(nxt, (dict, list)):
            nxt = [] if isinstance(path[i + 1], int) else {}
            if isinstance(node, list):
                node[part] = nxt
            else:
                node[part] = nxt
        node = nxt
    last = path[-1]
    if isinstance(node, list) and isinstance(last, int):
        if last < len(node):
            node[last] = copy.deepcopy(value)
        else:
            node.append(copy.deepcopy(value))
    else:
        node[last] = copy.deepcopy(value)
    return out


def delete_in(data: dict, path: tuple, prune: bool = True) -> dict:
    """A copy of ``data`` without the key at ``path``; with ``prune`` emptied parent dicts go too."""
    if not path or not has_path(data, path):
        return copy.deepcopy(data)
    out = copy.deepcopy(data)
    parents = []
    node = out
    for part in path[:-1]:
        parents.append((node, part))
        node = node[part]
    del node[path[-1]]
    if prune:
        while parents and node == {}:
            parent, key = parents.pop()
            if isinstance(parent, dict):
                del parent[key]
            node = parent
    return out


def walk(data: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """Every (path, leaf value) in a nested structure."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from walk(value, path + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from walk(value, path + (index,))
    else:
        yield path, data


def is_template(value: Any) -> bool:
    """The one template rule (core.templates): what Jinja would parse as template syntax."""
    from dagster_designer_qt.core.templates import is_template as rule

    return rule(value)


def env_var_name(component_type: str, path: tuple) -> str:
    """A suggested environment variable for a secret at ``path``, e.g. FIVETRAN_API_KEY."""
    module = component_type.split(".", 1)[0] if component_type else ""
    prefix = module.removeprefix("dagster_").upper() if module and module != "dagster" else ""
    name = next((p for p in reversed(path) if isinstance(p, str)), "secret")
    parts = [prefix] if prefix else []
    parts.append(name)
    return re.sub(r"[^A-Z0-9_]", "_", "_".join(parts).upper())


def env_template(var: str) -> str:
    return "{{ env('" + var + "') }}"


_ENV_TEMPLATE = re.compile(r"""\{\{\s*env\(\s*(['"])[^'"]+\1\s*\)\s*\}\}""")


def is_env_template(value: Any) -> bool:
    """Whether ``value`` is exactly one environment-variable template, e.g. ``{{ env('API_KEY') }}``."""
    return isinstance(value, str) and _ENV_TEMPLATE.fullmatch(value.strip()) is not None
