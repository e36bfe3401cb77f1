"""Change scalar values of a YAML document by replacing only their characters, the way a code editor does.

``splice_values(text, old, new)`` walks the difference between two versions of a document's data (``old``:
what the text held when it was read; ``new``: what it should hold) alongside the YAML node tree of the
text (PyYAML's composer gives each scalar's start and end offset). Every changed value that is a scalar
before and after, at a place the text has as a plain scalar node, is replaced in the text by the new
value written in the same style when the new value allows it (plain, 'single' or "double" quoted), so
spacing before a comment, indentation and the rest of the line stay byte for byte.

Scalars appended to a flow list (``deps: [a]`` -> ``deps: [a, b]``, what drawing an edge does) are
written after its last item. What it can't do that way (keys added or removed, block lists that grow,
lists that shrink, a scalar that becomes a mapping, block scalars ``|``/``>``, anchored or aliased
values, tags) is left out: the caller gets back
the text with the values it could splice and the ``old`` data those splices turn it into, and applies the
rest with ruamel.yaml. The result is checked by loading it: when it doesn't load to exactly what was
meant, nothing is spliced.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import yaml

from dagster_designer_qt.core.json_copy import same_json

from dagster_designer_qt.services.fast_yaml import Loader as _Loader

_SCALARS = (str, int, float, bool, type(None))


def splice_values(text: str, old: Any, new: Any) -> tuple[str, Any]:
    """(text with the scalar changes old -> new spliced in, old with those changes applied)."""
    if same_json(old, new):
        return text, old
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)  # pure Python: offsets count characters
    except (yaml.YAMLError, RecursionError):
        return text, old
    if root is None:
        return text, old
    shared = _shared_nodes(root)
    edits: list[tuple[int, int, str, tuple, Any]] = []
    _walk(text, root, old, new, (), False, shared, edits)
    if not edits:
        return text, old
    out = text
    for start, end, rendered, _path, _value in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        out = out[:start] + rendered + out[end:]
    try:
        expected = yaml.load(text, Loader=_Loader)
        for _s, _e, _r, path, value in edits:
            _set(expected, path, value)
        if repr(yaml.load(out, Loader=_Loader)) != repr(expected):
            return text, old
    except (yaml.YAMLError, KeyError, IndexError, TypeError, RecursionError):
        return text, old
    patched = copy.deepcopy(old)
    for _s, _e, _r, path, value in edits:
        _set(patched, path, copy.deepcopy(value))
    return out, patched


def _shared_nodes(root: yaml.Node) -> set[int]:
    """Nodes reached more than once (an anchor and its aliases): splicing one would change the others."""
    seen: set[int] = set()
    shared: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            shared.add(id(node))
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return shared


def _walk(text: str, node: yaml.Node, old: Any, new: Any, path: tuple, in_flow: bool, shared: set[int],
          edits: list) -> None:
    if same_json(old, new):
        return
    if id(node) in shared:
        return
    if isinstance(old, dict) and isinstance(new, dict) and isinstance(node, yaml.MappingNode):
        children: dict[str, list[yaml.Node]] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                children.setdefault(key.value, []).append(value)
        flow = in_flow or bool(node.flow_style)
        for key, value in new.items():
            if key in old and isinstance(key, str) and len(children.get(key, ())) == 1:
                _walk(text, children[key][0], old[key], value, path + (key,), flow, shared, edits)
        return
    if isinstance(old, list) and isinstance(new, list) and isinstance(node, yaml.SequenceNode) and \
            len(old) == len(new) == len(node.value):
        flow = in_flow or bool(node.flow_style)
        for i, (o, n) in enumerate(zip(old, new)):
            _walk(text, node.value[i], o, n, path + (i,), flow, shared, edits)
        return
    if isinstance(old, list) and isinstance(new, list) and isinstance(node, yaml.SequenceNode) and \
            node.flow_style and len(new) > len(old) == len(node.value) and same_json(new[:len(old)], old):
        _append(text, node, new[len(old):], path + (slice(len(old), None),), shared, edits)
        return
    if not isinstance(node, yaml.ScalarNode) or not isinstance(old, _SCALARS) or not isinstance(new, _SCALARS):
        return
    start, end = node.start_mark.index, node.end_mark.index
    if text[start:start + 1] in ("&", "!", "*") or node.style not in (None, "'", '"'):
        return  # anchors, tags and block scalars are left to ruamel.yaml
    rendered = render_scalar(new, node.style, in_flow)
    if rendered is not None:
        edits.append((start, end, rendered, path, new))


def _append(text: str, node: yaml.SequenceNode, items: list, path: tuple, shared: set[int], edits: list) -> None:
    """Scalars added at the end of a flow list (``[a, b]`` -> ``[a, b, c]``), written after its last item."""
    style = node.value[-1].style if node.value and isinstance(node.value[-1], yaml.ScalarNode) else None
    rendered = [render_scalar(v, style if style in (None, "'", '"') else None, True)
                if isinstance(v, _SCALARS) else None for v in items]
    if None in rendered or text[node.start_mark.index:node.start_mark.index + 1] != "[":
        return
    if node.value:
        at = node.value[-1].end_mark.index
        edits.append((at, at, "".join(", " + r for r in rendered), path, items))
    else:
        at = node.start_mark.index + 1
        edits.append((at, at, ", ".join(rendered), path, items))


def render_scalar(value: Any, style: str | None, in_flow: bool) -> str | None:
    """``value`` as YAML text in ``style`` (None: plain) or the nearest style that holds it; None if none."""
    if not isinstance(value, str):
        if isinstance(value, float) and value != value:
            return None
        text = json.dumps(value)
        return text if _reads_back(text, value, in_flow) else None
    order = {None: (None, "'", '"'), "'": ("'", '"'), '"': ('"',)}[style]
    for candidate in order:
        if candidate is None:
            text = value
        elif candidate == "'":
            if any(c == "\n" or (ord(c) < 0x20 and c != "\t") for c in value):
                continue
            text = "'" + value.replace("'", "''") + "'"
        else:
            text = json.dumps(value, ensure_ascii=False)
        if _reads_back(text, value, in_flow):
            return text
    return None


def _reads_back(text: str, value: Any, in_flow: bool) -> bool:
    if "\n" in text or "\r" in text:
        return False
    probe = f"[{text}]" if in_flow else f"k: {text}"
    try:
        data = yaml.load(probe, Loader=_Loader)
    except yaml.YAMLError:
        return False
    got = data[0] if in_flow else (data or {}).get("k", object())
    return type(got) is type(value) and got == value


def _set(data: Any, path: tuple, value: Any) -> None:
    """Set the value at ``path``; a last part ``slice(n, None)`` sets the items from n on (an append)."""
    for part in path[:-1]:
        data = data[part]
    last = path[-1]
    if isinstance(last, slice):
        del data[last]
        data.extend(value)
    else:
        data[last] = value
