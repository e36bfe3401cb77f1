"""core/schema.py is the only code that reads JSON-schema keywords (STYLE.md section 5).

Other modules ask the parsed Field tree (``parse_schema``, ``Field.property``, ``object_variants``,
``array_items``, ``has_object_with``). The scan works on the syntax tree, so docstrings, comments, ``$ref``
*values* such as ``"#/$defs/X"`` and schemas written as dict literals are
not reads; ``node["$ref"]``, ``node.get("anyOf")``, ``"additionalProperties" in node`` and
``for key in ("anyOf", "oneOf")`` are.
"""

from __future__ import annotations

import ast
from pathlib import Path

import dagster_designer_qt

PKG_DIR = Path(dagster_designer_qt.__file__).parent
PARSER = PKG_DIR / "core" / "schema.py"

# Keywords that only mean something in a JSON schema: any use outside a dict-literal key is a read.
SCHEMA_ONLY = frozenset({"$ref", "$defs", "anyOf", "oneOf", "allOf", "additionalProperties",
                         "patternProperties", "prefixItems"})
# Keywords that are also ordinary words ("properties" is a dock panel too): reads are lookups only.
LOOKUP_ONLY = frozenset({"properties"})
_LOOKUP_METHODS = frozenset({"get", "pop", "setdefault"})


def _is_str(node: ast.AST, words: frozenset) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in words


def keyword_reads(source: str) -> list[tuple[int, str]]:
    """(line, keyword) of every JSON-schema keyword read in ``source``."""
    tree = ast.parse(source)
    dict_keys = {id(k) for d in ast.walk(tree) if isinstance(d, ast.Dict) for k in d.keys if k is not None}
    found: set[tuple[int, str]] = set()
    for node in ast.walk(tree):
        if _is_str(node, SCHEMA_ONLY) and id(node) not in dict_keys:
            found.add((node.lineno, node.value))
        lookups: list[ast.AST] = []
        if isinstance(node, ast.Subscript):
            lookups.append(node.slice)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in _LOOKUP_METHODS and node.args):
            lookups.append(node.args[0])
        elif isinstance(node, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops):
            lookups.append(node.left)
        for key in lookups:
            if _is_str(key, LOOKUP_ONLY):
                found.add((key.lineno, key.value))
    return sorted(found)


def test_only_core_schema_reads_json_schema_keywords():
    offenders = []
    for path in sorted(PKG_DIR.rglob("*.py")):
        if path == PARSER:
            continue
        for line, word in keyword_reads(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(PKG_DIR)}:{line}: {word!r}")
    assert offenders == [], "read the schema through core.schema instead:\n" + "\n".join(offenders)


def test_the_scan_finds_the_parser_itself():
    words = {word for _line, word in keyword_reads(PARSER.read_text(encoding="utf-8"))}
    assert {"$ref", "anyOf", "oneOf", "allOf", "additionalProperties", "properties"} <= words


def test_the_scan_tells_reads_from_other_uses():
    reads = '''
if "$ref" in node: pass
x = node["anyOf"]
y = node.get("additionalProperties", True)
for key in ("oneOf", "allOf"): pass
props = schema.get("properties") or {}
if "assets" in schema["properties"]: pass
'''
    assert keyword_reads(reads) == [(2, "$ref"), (3, "anyOf"), (4, "additionalProperties"), (5, "allOf"),
                                    (5, "oneOf"), (6, "properties"), (7, "properties")]
    not_reads = '''
"""A docstring about ``anyOf`` and ``$ref``."""
SCHEMA = {"anyOf": [{"$ref": "#/$defs/A"}], "additionalProperties": False, "properties": {}}
ref = "#/$defs/A"
docks = {"properties": 1}
if which == "properties": focus("properties")
label = f"anyOf {x}"  # anyOf in a comment
'''
    assert keyword_reads(not_reads) == []
