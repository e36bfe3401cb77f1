"""The one template rule: which ``{{ … }}`` strings are safe for Dagster to evaluate.

Dagster renders every non-empty string of a ``defs.yaml`` with Jinja's unsandboxed ``NativeTemplate``, so a
template such as ``{{ cycler.__init__.__globals__.os.system('…') }}`` runs arbitrary code at load time. This
module parses each template with Jinja's own parser and walks the expression tree against a small
allow-list of what Dagster documents for designers, plus every template the designer's code generator
emits:

- names: ``env``, ``context``, ``dg``, ``datetime``, and in translations and post-processing ``node``,
  ``props``, ``spec``, ``asset`` (scope names Dagster itself provides);
- attribute access and constant subscripts whose name does not start with ``_``;
- calls only of ``env(...)``, ``context.load_component(...)``, ``context.build_defs(...)``
  ``.resolve_asset_graph()``, ``<x>.key.from_user_string(...)``/``to_user_string()``,
  ``dg.AutomationCondition.<x>(...)``, ``dg.<X>PartitionsDefinition(...)``, ``datetime.timedelta(...)``;
- a few harmless filters (``list``, ``unique``, ``map(attribute=...)``, ``reject('in', ...)``...), literals,
  ``+``/``-``/``~``, comparisons, ``and``/``or``/``not``, ``x if c else y``.

Everything else (other names such as Jinja's ``cycler``/``lipsum``/``range``, dunder attributes, computed
subscripts, ``{% … %}`` statements, ``*``/``**``) is "a template that runs code when Dagster loads the
project". A string that is not a valid template at all is reported too: Dagster refuses to load it.
Pure: no I/O, no Qt. Facts this relies on: docs/TRUST.md.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any, Iterator

RUNS_CODE = "this template runs code when Dagster loads the project"

ALLOWED_NAMES = frozenset({"env", "context", "dg", "datetime", "node", "props", "spec", "asset"})
ALLOWED_CALLS = (
    "env",
    "context.load_component",
    "context.build_defs",
    "context.build_defs().resolve_asset_graph",
    "*.key.from_user_string",
    "*.key.to_user_string",
    "dg.AutomationCondition.*",
    "dg.*PartitionsDefinition",
    "datetime.timedelta",
)
ALLOWED_FILTERS = frozenset({
    "list", "unique", "reject", "select", "map", "rejectattr", "selectattr", "join", "lower", "upper",
    "default", "d", "string", "int", "float", "replace", "first", "last", "length", "count", "trim",
    "sort", "title", "capitalize", "abs", "round", "min", "max", "sum", "bool",
})
# filters ``map('name')`` may apply by name (not ``attr``, which reads any attribute)
_MAPPABLE_FILTERS = ALLOWED_FILTERS - {"map", "select", "reject", "selectattr", "rejectattr"}
_MARKS = ("{{", "{%", "{#")


def is_template(value: Any) -> bool:
    """Whether Jinja would see template syntax in ``value`` (so Dagster evaluates it)."""
    return isinstance(value, str) and any(m in value for m in _MARKS)


@dataclass(frozen=True)
class TemplateFinding:
    path: tuple[str | int, ...]
    text: str
    reason: str  # RUNS_CODE + detail, or why it is not a valid template
    runs_code: bool  # False: a syntax error (Dagster refuses to load, nothing runs)


def template_problem(text: str) -> tuple[str, bool] | None:
    """None when ``text`` is plain text or an allowed template; else (reason, runs_code)."""
    if not is_template(text):
        return None
    from jinja2 import Environment, TemplateSyntaxError, nodes  # noqa: F401 - deferred: ~30 ms import

    try:
        tree = Environment().parse(text)
    except TemplateSyntaxError as exc:
        return f"not a valid template ({exc.message}): Dagster cannot load it", False
    except RecursionError:
        return f"{RUNS_CODE} (nested too deeply to check)", True
    try:
        why = _check(tree)
    except RecursionError:
        why = "nested too deeply to check"
    return (f"{RUNS_CODE} ({why})", True) if why else None


def find_templates(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[TemplateFinding]:
    """Every string in a JSON-like value (keys included) that is not an allowed template, with its path.
    Iterative, so deeply nested data cannot exhaust the stack."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            found = template_problem(item)
            if found:
                yield TemplateFinding(where, item, *found)
        elif isinstance(item, dict):
            for key, sub in reversed(list(item.items())):
                if isinstance(key, str) and (found := template_problem(key)):
                    yield TemplateFinding(where + (key,), key, *found)
                stack.append((where + (key,), sub))
        elif isinstance(item, (list, tuple)):
            stack.extend((where + (i,), sub) for i, sub in reversed(list(enumerate(item))))


# ------------------------------------------------------------------ the tree walk
def _check(node: Any) -> str | None:
    """Why this Jinja AST node is not allowed, or None."""
    from jinja2 import nodes as n

    if isinstance(node, n.Template):
        return _first(_check(child) for child in node.body)
    if isinstance(node, n.Output):
        return _first(_check(child) for child in node.nodes)
    if isinstance(node, n.TemplateData):
        return None
    if isinstance(node, n.Const):
        return None
    if isinstance(node, (n.List, n.Tuple)):
        return _first(_check(item) for item in node.items)
    if isinstance(node, n.Dict):
        return _first(_check(x) for pair in node.items for x in (pair.key, pair.value))
    if isinstance(node, n.Name):
        return None if node.name in ALLOWED_NAMES else f"the name {node.name!r} is not allowed"
    if isinstance(node, n.Getattr):
        return _private(node.attr) or _check(node.node)
    if isinstance(node, n.Getitem):
        arg = node.arg
        if isinstance(arg, n.Const) and isinstance(arg.value, (str, int)):
            return _private(arg.value) or _check(node.node)
        if isinstance(arg, n.Slice) and all(x is None or isinstance(x, n.Const) for x in
                                            (arg.start, arg.stop, arg.step)):
            return _check(node.node)
        return "only constant subscripts are allowed"
    if isinstance(node, n.Call):
        callee = _callee_path(node.node)
        if callee is None or not any(fnmatch.fnmatchcase(callee, p) for p in ALLOWED_CALLS):
            return f"calling {callee or 'this'} is not allowed"
        if node.dyn_args is not None or node.dyn_kwargs is not None:
            return "*args and **kwargs are not allowed"
        return (_first(_check(a) for a in node.args) or _first(_check(k.value) for k in node.kwargs)
                or _check_callee_base(node.node))
    if isinstance(node, n.Filter):
        return _check_filter(node)
    if isinstance(node, n.Test):
        if node.dyn_args is not None or node.dyn_kwargs is not None:
            return "*args and **kwargs are not allowed"
        return (_check(node.node) or _first(_check(a) for a in node.args)
                or _first(_check(k.value) for k in node.kwargs))
    if isinstance(node, (n.Add, n.Sub, n.And, n.Or)):
        return _check(node.left) or _check(node.right)
    if isinstance(node, (n.Not, n.Neg, n.Pos)):
        return _check(node.node)
    if isinstance(node, n.Concat):
        return _first(_check(x) for x in node.nodes)
    if isinstance(node, n.Compare):
        return _check(node.expr) or _first(_check(op.expr) for op in node.ops)
    if isinstance(node, n.CondExpr):
        return _check(node.test) or _check(node.expr1) or (_check(node.expr2) if node.expr2 else None)
    if isinstance(node, n.Stmt):
        return f"{{% {type(node).__name__.lower()} %}} statements are not allowed"
    return f"{type(node).__name__} expressions are not allowed"


def _check_callee_base(callee: Any) -> str | None:
    """The object a method is called on must itself be allowed (e.g. the call inside
    ``context.build_defs('x').resolve_asset_graph()``)."""
    from jinja2 import nodes as n

    if isinstance(callee, n.Getattr):
        return _check(callee.node)
    return None


def _check_filter(node: Any) -> str | None:
    from jinja2 import nodes as n

    if node.name not in ALLOWED_FILTERS:
        return f"the filter {node.name!r} is not allowed"
    if node.dyn_args is not None or node.dyn_kwargs is not None:
        return "*args and **kwargs are not allowed"
    if node.node is not None and (why := _check(node.node)):
        return why
    for kw in node.kwargs:
        if kw.key == "attribute":
            if not isinstance(kw.value, n.Const) or not isinstance(kw.value.value, (str, int)):
                return "a filter's attribute must be a constant"
            if why := _first(_private(part) for part in str(kw.value.value).split(".")):
                return why
        elif why := _check(kw.value):
            return why
    args = list(node.args)
    if node.name in ("map", "select", "reject", "selectattr", "rejectattr") and args:
        first = args[0]
        if not isinstance(first, n.Const) or not isinstance(first.value, str):
            return f"{node.name}'s first argument must be a constant name"
        if node.name == "map" and first.value not in _MAPPABLE_FILTERS:
            return f"map({first.value!r}) is not allowed"
        if node.name in ("selectattr", "rejectattr") and (
                why := _first(_private(p) for p in first.value.split("."))):
            return why
        args = args[1:]
    return _first(_check(a) for a in args)


def _callee_path(node: Any) -> str | None:
    """``context.build_defs().resolve_asset_graph`` for a Name/Getattr/Call chain, else None."""
    from jinja2 import nodes as n

    parts: list[str] = []
    while True:
        if isinstance(node, n.Name):
            parts.append(node.name)
            return ".".join(reversed(parts))
        if isinstance(node, n.Getattr):
            parts.append(node.attr)
            node = node.node
        elif isinstance(node, n.Call) and isinstance(node.node, (n.Name, n.Getattr)):
            inner = _callee_path(node.node)
            if inner is None:
                return None
            parts.append(inner + "()")
            return ".".join(reversed(parts))
        else:
            return None


def _private(name: Any) -> str | None:
    if isinstance(name, str) and name.startswith("_"):
        return f"the attribute {name!r} is not allowed"
    return None


def _first(items: Any) -> str | None:
    for item in items:
        if item:
            return item
    return None
