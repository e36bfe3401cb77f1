"""A deep copy of JSON-shaped data (dicts, lists, scalars), several times faster than ``copy.deepcopy``.

Node attributes, post-processing and translation are JSON values; copying them is on the hot path of
opening and saving big projects (a few copies per node). Anything that is not a dict or a list is
immutable in JSON data and shared as is, except other containers, which ``copy.deepcopy`` copies.
"""

from __future__ import annotations

import copy
from typing import Any

_ATOMS = (str, int, float, bool, type(None))


def json_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: v if type(v) in _ATOMS else json_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [v if type(v) in _ATOMS else json_copy(v) for v in value]
    if isinstance(value, _ATOMS):
        return value
    return copy.deepcopy(value)


def same_json(a: Any, b: Any) -> bool:
    """``a == b`` for JSON data (and tuples of it), with types: Python says ``1 == True == 1.0``, but in a YAML file ``1``,
    ``true`` and ``1.0`` are different values, and a change from one to another must be saved."""
    if a is b:  # unchanged values are the same objects (the model replaces, never mutates): O(1)
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_json(v, b[k]) for k, v in a.items())
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b))
    return a == b
