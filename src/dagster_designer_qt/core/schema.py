"""Component JSON schemas -> field descriptions. The only code that reads JSON-schema keywords.

Dagster's component schemas are Pydantic JSON schemas with a few habits (checked against dagster 1.13):
every non-string field is widened to ``X | string`` so a Jinja template can stand in, optional fields add
``null``, unions of objects have no discriminator (variants carry ``const`` fields instead) and defaults
that aren't JSON-serializable read ``"__DAGSTER_UNSET_DEFAULT__"``. ``parse_schema`` turns all that into a
tree of :class:`Field` objects the form builder consumes; nothing else looks at ``anyOf`` or ``$ref``.

Pure Python: no Qt, no I/O.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

UNSET_DEFAULT_MARKER = "__DAGSTER_UNSET_DEFAULT__"
MAX_DEPTH = 24  # nesting guard (recursive $ref is caught earlier, this bounds pathological schemas)


class _Sentinel:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name

    def __bool__(self) -> bool:
        return False

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


MISSING = _Sentinel("MISSING")  # a schema without a default
UNSET = _Sentinel("UNSET")  # an editor whose key is not set (the key is absent from the attributes)

# Field kinds the editor factory knows.
SCALAR_KINDS = frozenset({"string", "text", "path", "integer", "number", "boolean", "enum", "const", "scalar"})
CONTAINER_KINDS = frozenset({"object", "map", "array", "union"})
KINDS = SCALAR_KINDS | CONTAINER_KINDS | {"any", "yaml"}

_DIR_NAMES = re.compile(r"(^|_)(dir|directory|folder|project_root)$", re.IGNORECASE)
_FILE_NAMES = re.compile(r"(^|_)(path|file|filename|file_path)$", re.IGNORECASE)
_MULTILINE_NAMES = re.compile(r"(^|_)(sql|sql_template|query|script|code)$", re.IGNORECASE)


from dagster_designer_qt.core.secrets import is_secret_name  # noqa: E402,F401 - the one rule, re-exported


@dataclass(eq=False)
class Field:
    """One editable value. ``kind`` is one of KINDS; the other attributes apply to some kinds only."""

    kind: str
    name: str = ""
    title: str = ""
    description: str = ""
    required: bool = False
    nullable: bool = False  # null is allowed (an explicit "unset" state)
    template: bool = False  # a plain string (e.g. a Jinja template) may stand in for the value
    template_label: str = "Template"  # "Text" when the string form is a legitimate first choice
    hidden: bool = False
    default: Any = MISSING  # MISSING, or the JSON default (UNSET_DEFAULT_MARKER means "has a default")
    examples: tuple = ()
    enum: tuple = ()
    const: Any = MISSING
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None
    exclusive_maximum: float | None = None
    properties: tuple["Field", ...] = ()
    extra: "Field | None" = None  # an object's additionalProperties (values of keys not in properties)
    closed: bool = False  # additionalProperties: false
    value: "Field | None" = None  # a map's values
    items: "Field | None" = None  # an array's items
    variants: tuple["Field", ...] = ()
    tag: dict = field(default_factory=dict)  # for a union variant: its const properties
    path_mode: str = ""  # "file" | "dir" | "" (path fields get a picker)
    secret: bool = False
    reason: str = ""  # why a subtree fell back to "yaml"
    raw: dict = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------ queries
    @property
    def has_default(self) -> bool:
        return self.default is not MISSING

    @property
    def is_container(self) -> bool:
        return self.kind in CONTAINER_KINDS

    def property(self, name: str) -> "Field | None":
        for prop in self.properties:
            if prop.name == name:
                return prop
        return None

    def child(self, key: Any) -> "Field | None":
        """The field describing ``value[key]`` (object property, map value, array item)."""
        if self.kind == "object":
            prop = self.property(key) if isinstance(key, str) else None
            return prop or self.extra
        if self.kind == "map":
            return self.value
        if self.kind == "array":
            return self.items
        return None

    def placeholder(self) -> str:
        """What an empty editor shows: the default, or an example."""
        if self.has_default and self.default is not None:
            if self.default == UNSET_DEFAULT_MARKER:
                return "(default)"
            if self.default == "" or self.default == [] or self.default == {}:
                return "(default: empty)"
            return f"default: {format_value(self.default)}"
        for example in self.examples:
            if isinstance(example, (str, int, float)) and not isinstance(example, bool):
                return f"e.g. {example}"
        return ""

    def accepts(self, value: Any) -> bool:
        """Whether the value editor for this field can show ``value`` (templates aside)."""
        kind = self.kind
        if value is None:
            return self.nullable or kind in ("any", "yaml")
        if kind in ("string", "text", "path"):
            return isinstance(value, str)
        if kind == "integer":
            return isinstance(value, int) and not isinstance(value, bool)
        if kind == "number":
            return isinstance(value, (int, float)) and not isinstance(value, bool)
        if kind == "boolean":
            return isinstance(value, bool)
        if kind == "scalar":
            return isinstance(value, (str, int, float, bool))
        if kind == "enum":
            return value in self.enum
        if kind == "const":
            return value == self.const
        if kind == "object" or kind == "map":
            return isinstance(value, dict)
        if kind == "array":
            return isinstance(value, list)
        if kind == "union":
            return match_variant(self, value) is not None
        return True  # any, yaml

    def is_template_value(self, value: Any) -> bool:
        """A string standing in for a non-string value (shown in Template mode)."""
        return self.template and isinstance(value, str) and not (
            self.kind in ("string", "text", "path") or (self.kind == "union" and self.accepts(value))
        )


def humanize_class_name(name: str) -> str:
    """``FivetranConnectorSelectorByName`` -> ``Fivetran Connector Selector By Name``; a trailing
    ``Model`` goes."""
    from dagster_designer_qt.core.naming import human_label

    while name.endswith("Model") and len(name) > 5:
        name = name[: -len("Model")]
    return human_label(name)


def format_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return str(value)


def is_empty(value: Any) -> bool:
    return value is UNSET


# ---------------------------------------------------------------- parsing
def parse_schema(schema: dict) -> Field:
    """Parse a component's attribute schema (an object schema) into a root Field. Cached by content."""
    try:
        key = json.dumps(schema, sort_keys=True)
    except (TypeError, ValueError):
        return _Parser(schema).parse(schema, "", required=True)
    return _parse_cached(key)


@lru_cache(maxsize=64)
def _parse_cached(key: str) -> Field:
    schema = json.loads(key)
    return _Parser(schema).parse(schema, "", required=True)


class _Parser:
    def __init__(self, root: dict) -> None:
        self.root = root if isinstance(root, dict) else {}

    # ----------------------------------------------------------- helpers
    def _resolve_ref(self, ref: str) -> dict | None:
        if not isinstance(ref, str) or not ref.startswith("#"):
            return None
        node: Any = self.root
        for part in ref.lstrip("#").strip("/").split("/"):
            if not part:
                continue
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node if isinstance(node, dict) else None

    def _deref(self, schema: dict, refs: tuple) -> tuple[dict, tuple, str | None]:
        """Follow $ref chains; sibling keywords of $ref override the target's. Returns (schema, refs, error)."""
        seen = 0
        while isinstance(schema, dict) and "$ref" in schema:
            ref = schema["$ref"]
            if ref in refs:
                return schema, refs, f"recursive reference {ref}"
            target = self._resolve_ref(ref)
            if target is None:
                return schema, refs, f"unresolvable reference {ref}"
            siblings = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**target, **siblings}
            refs = refs + (ref,)
            seen += 1
            if seen > MAX_DEPTH:
                return schema, refs, "reference chain too deep"
        if isinstance(schema, dict) and isinstance(schema.get("allOf"), list) and len(schema["allOf"]) == 1:
            inner = schema["allOf"][0]
            rest = {k: v for k, v in schema.items() if k != "allOf"}
            inner, refs, err = self._deref(inner, refs)
            if err:
                return schema, refs, err
            schema = {**inner, **rest}
        return schema, refs, None

    @staticmethod
    def _meta(schema: dict, name: str, required: bool) -> dict:
        title = schema.get("title") if isinstance(schema.get("title"), str) else ""
        if title and " " not in title and re.fullmatch(r"[A-Z][A-Za-z0-9]+", title):
            title = humanize_class_name(title)
        elif title and name and title == name.replace("_", " ").title():  # Pydantic's own "Account Id"
            title = ""
        if not title and name:
            from dagster_designer_qt.core.naming import human_label

            title = human_label(name)
        examples = schema.get("examples")
        meta = dict(
            name=name,
            title=title,
            description=schema.get("description") if isinstance(schema.get("description"), str) else "",
            required=required,
            hidden=schema.get("ui:widget") == "hidden",
            examples=tuple(examples) if isinstance(examples, list) else (),
            raw=schema,
            secret=is_secret_name(name),
        )
        if "default" in schema:
            meta["default"] = schema["default"]
        return meta

    @staticmethod
    def _is_plain_string(schema: dict) -> bool:
        return (
            schema.get("type") == "string"
            and "enum" not in schema
            and "const" not in schema
            and "format" not in schema
            and "pattern" not in schema
        )

    @staticmethod
    def _is_null(schema: dict) -> bool:
        return schema.get("type") == "null" or (schema.get("const", MISSING) is None and "const" in schema)

    # ------------------------------------------------------------- parse
    def parse(self, schema: Any, name: str, required: bool = False, refs: tuple = (), depth: int = 0) -> Field:
        if schema is True or schema == {}:
            return Field(kind="any", **self._meta({}, name, required))
        if not isinstance(schema, dict):
            return Field(kind="yaml", reason="not a schema object", **self._meta({}, name, required))
        original = schema
        if depth > MAX_DEPTH:
            return Field(kind="yaml", reason="nested too deeply", **self._meta(schema, name, required))
        schema, refs, error = self._deref(schema, refs)
        if error:
            return Field(kind="yaml", reason=error, **self._meta(original, name, required))
        if name and "$ref" in original and "title" not in original:
            schema = {k: v for k, v in schema.items() if k != "title"}  # a property is titled by its name
        meta = self._meta(schema, name, required)

        types = schema.get("type")
        if isinstance(types, list):  # {"type": ["string", "null"]} is an anyOf in disguise
            branches = [{**{k: v for k, v in schema.items() if k not in ("type", "title", "description",
                                                                          "default", "examples")},
                         "type": t} for t in types]
            return self._union(schema, branches, meta, refs, depth)
        for keyword in ("anyOf", "oneOf"):
            if isinstance(schema.get(keyword), list):
                return self._union(schema, schema[keyword], meta, refs, depth)
        for unsupported in ("allOf", "not", "if", "patternProperties", "prefixItems", "$dynamicRef"):
            if unsupported in schema:
                return Field(kind="yaml", reason=f"'{unsupported}' is not supported", **meta)
        return self._single(schema, meta, refs, depth)

    def _single(self, schema: dict, meta: dict, refs: tuple, depth: int) -> Field:
        name = meta["name"]
        if "const" in schema:
            return Field(kind="const", const=schema["const"], **meta)
        if isinstance(schema.get("enum"), list):
            values = tuple(schema["enum"])
            nullable = None in values
            return Field(kind="enum", enum=tuple(v for v in values if v is not None),
                         nullable=nullable, **meta)
        kind = schema.get("type")
        if kind is None:
            if "properties" in schema or "additionalProperties" in schema:
                kind = "object"
            elif "items" in schema:
                kind = "array"
        if kind == "string":
            path_mode = ""
            if _DIR_NAMES.search(name or ""):
                path_mode = "dir"
            elif _FILE_NAMES.search(name or ""):
                path_mode = "file"
            if path_mode:
                return Field(kind="path", path_mode=path_mode, **meta)
            if _MULTILINE_NAMES.search(name or "") or schema.get("ui:widget") == "textarea":
                return Field(kind="text", **meta)
            return Field(kind="string", **meta)
        if kind in ("integer", "number"):
            minimum = schema.get("minimum", schema.get("ge"))
            maximum = schema.get("maximum", schema.get("le"))
            ex_min = schema.get("exclusiveMinimum", schema.get("gt"))
            ex_max = schema.get("exclusiveMaximum", schema.get("lt"))
            return Field(kind=kind, minimum=minimum, maximum=maximum, exclusive_minimum=ex_min,
                         exclusive_maximum=ex_max, **meta)
        if kind == "boolean":
            return Field(kind="boolean", **meta)
        if kind == "null":
            return Field(kind="const", const=None, nullable=True, **meta)
        if kind == "array":
            items = schema.get("items", {})
            item = self.parse(items, "", True, refs, depth + 1)
            return Field(kind="array", items=item, **meta)
        if kind == "object":
            return self._object(schema, meta, refs, depth)
        if kind is None:
            return Field(kind="any", **meta)
        return Field(kind="yaml", reason=f"unknown type {kind!r}", **meta)

    def _object(self, schema: dict, meta: dict, refs: tuple, depth: int) -> Field:
        props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        required = set(schema.get("required") or ())
        additional = schema.get("additionalProperties", True)
        if not props:
            value = self.parse(additional if additional is not False else {}, "", True, refs, depth + 1)
            if additional is False:
                # an object that admits no keys at all: an empty form
                return Field(kind="object", closed=True, **meta)
            return Field(kind="map", value=value, **meta)
        order = [k for k in schema.get("ui:order", []) if k in props]
        order += [k for k in props if k not in order]
        fields = tuple(self.parse(props[k], k, k in required, refs, depth + 1) for k in order)
        extra = None
        if additional is not False:
            extra = self.parse(additional, "", True, refs, depth + 1)
        tag = {f.name: f.const for f in fields if f.kind == "const" and f.const is not None}
        return Field(kind="object", properties=fields, extra=extra, closed=additional is False, tag=tag, **meta)

    def _union(self, schema: dict, branches: list, meta: dict, refs: tuple, depth: int) -> Field:
        resolved: list[tuple[dict, tuple]] = []
        nullable = False
        for branch in branches:
            if not isinstance(branch, dict):
                continue
            target, branch_refs, error = self._deref(branch, refs)
            if error:
                resolved.append(({"__error__": error, **branch}, refs))
                continue
            if self._is_null(target):
                nullable = True
                continue
            resolved.append((target, branch_refs))
        if len(resolved) > 1 and all(self._scalar_type(b) for b, _r in resolved):
            types = {self._scalar_type(b) for b, _r in resolved}
            if "string" in types and len(types - {"string"}) >= 2:  # e.g. tag values: str|int|float|bool
                return Field(kind="scalar", nullable=nullable, **meta)
        plain = [i for i, (b, _r) in enumerate(resolved) if self._is_plain_string(b)]
        others = [(b, r) for i, (b, r) in enumerate(resolved) if i not in plain]
        template = bool(plain and others)
        template_label = "Template"
        if template and plain[0] == 0 and any(b.get("type") == "object" or "properties" in b for b, _r in others):
            template_label = "Text"  # e.g. dbt `project`: a path string first, objects after
        if not others:
            others = resolved[:1] if resolved else []
            template = False
        if not others:  # only null
            return Field(kind="const", const=None, nullable=True, **meta)
        if len(others) == 1:
            branch, branch_refs = others[0]
            if "__error__" in branch:
                return Field(kind="yaml", reason=branch["__error__"], nullable=nullable, **meta)
            merged = {**branch, **{k: v for k, v in schema.items() if k in ("title", "description", "default",
                                                                             "examples", "ui:widget")}}
            if "title" not in schema and meta.get("name"):
                merged.pop("title", None)
            # branch_refs includes the branch's own $ref, so recursion below it is still detected
            parsed = self.parse(merged, meta["name"], meta["required"], branch_refs, depth)
            parsed.nullable = parsed.nullable or nullable
            parsed.template = parsed.template or template
            if template:
                parsed.template_label = template_label
            return parsed
        if all(self._scalar_type(b) for b, _r in others):
            types = {self._scalar_type(b) for b, _r in others}
            if types <= {"integer", "number"}:
                kind = "number" if "number" in types else "integer"
                return Field(kind=kind, nullable=nullable, template=template, **meta)
        variants = []
        for i, (branch, branch_refs) in enumerate(others):
            if "__error__" in branch:
                variants.append(Field(kind="yaml", reason=branch["__error__"], title=f"Option {i + 1}"))
                continue
            variant = self.parse(branch, "", True, branch_refs, depth + 1)
            if not branch.get("title"):
                variant.title = _kind_title(variant)
            variant.name = ""
            variants.append(variant)
        return Field(kind="union", variants=tuple(variants), nullable=nullable, template=template,
                     template_label=template_label, **meta)

    @staticmethod
    def _scalar_type(schema: dict) -> str | None:
        kind = schema.get("type")
        if kind in ("string", "integer", "number", "boolean") and "enum" not in schema and "const" not in schema:
            return kind
        return None


def _kind_title(f: Field) -> str:
    return {
        "string": "Text", "text": "Text", "path": "Path", "integer": "Integer", "number": "Number",
        "boolean": "Yes/No", "scalar": "Value", "enum": "Choice", "const": "Fixed value", "object": "Object",
        "map": "Mapping", "array": "List", "any": "Value", "yaml": "YAML",
    }.get(f.kind, f.kind.title())


# ---------------------------------------------------------------- structure queries
# For code that needs a schema's shape rather than a form (codegen traits, the registry): they walk the
# parsed Field tree with these instead of reading JSON-schema keywords themselves.
def object_variants(fld: Field | None) -> tuple[Field, ...]:
    """The objects ``fld`` can be: itself when it is an object, a union's object variants (nested unions
    flattened); ``()`` for any other kind."""
    if fld is None:
        return ()
    if fld.kind == "object":
        return (fld,)
    if fld.kind == "union":
        return tuple(obj for variant in fld.variants for obj in object_variants(variant))
    return ()


def array_items(fld: Field | None) -> tuple[Field, ...]:
    """The item fields of the lists ``fld`` can be: an array's items, a union's array variants' items
    (nested unions flattened); ``()`` for any other kind."""
    if fld is None:
        return ()
    if fld.kind == "array":
        return (fld.items,) if fld.items is not None else ()
    if fld.kind == "union":
        return tuple(item for variant in fld.variants for item in array_items(variant))
    return ()


def has_object_with(fld: Field | None, *names: str) -> bool:
    """Whether one of the objects ``fld`` can be (see :func:`object_variants`) has every property in
    ``names``."""
    return any(all(obj.property(name) is not None for name in names) for obj in object_variants(fld))


# ---------------------------------------------------------------- unions
def match_variant(union: Field, value: Any) -> int | None:
    """Index of the variant that best describes ``value``: const tags first, then key overlap, then type."""
    if value is UNSET or value is MISSING:
        return None
    best, best_score = None, -1
    for index, variant in enumerate(union.variants):
        score = _variant_score(variant, value)
        if score > best_score:
            best, best_score = index, score
    return best if best_score >= 0 else None


def _variant_score(variant: Field, value: Any) -> int:
    if variant.kind == "object":
        if not isinstance(value, dict):
            return -1
        for key, const in variant.tag.items():
            if key in value and value[key] != const:
                return -1
        names = {p.name for p in variant.properties}
        if variant.closed and any(k not in names for k in value):
            return -1
        score = 10 + sum(1 for k in value if k in names)
        score += 100 * sum(1 for k in variant.tag if k in value)
        missing = [p.name for p in variant.properties if p.required and p.name not in value]
        return score - 2 * len(missing)
    if variant.kind == "union":
        inner = match_variant(variant, value)
        return 1 if inner is not None else -1
    if variant.accepts(value):
        return 5 if variant.kind not in ("any", "yaml") else 0
    return -1


def switch_variant(value: Any, new: Field, old: Field | None = None) -> Any:
    """The value after picking variant ``new`` (from ``old``): keys both variants describe are kept, the
    old variant's own keys are dropped, and the new variant's const tags are set."""
    if new.kind == "object":
        names = {p.name for p in new.properties}
        old_names = {p.name for p in old.properties} if old is not None and old.kind == "object" else set()
        kept = {}
        if isinstance(value, dict):
            for key, item in value.items():
                if key in new.tag:
                    continue
                if key in names or (not new.closed and new.extra is not None and key not in old_names):
                    kept[key] = item
        return {**dict(new.tag), **kept}
    if new.kind == "map":
        return dict(value) if isinstance(value, dict) else {}
    if new.kind == "array":
        return list(value) if isinstance(value, list) else []
    if new.accepts(value):
        return value
    if new.kind == "const":
        return new.const
    return UNSET
