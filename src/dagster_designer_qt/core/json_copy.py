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
