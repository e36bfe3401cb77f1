"""Text about components for people: how well a search matches a component (palette and quick-add rank
by it) and component docs (reStructuredText docstrings) as plain text. Pure Python."""

from __future__ import annotations

import re

_ROLE = re.compile(r":[\w:.+-]+:`(?:[^`<]*?<([^>]+)>|([^`]+))`")  # :py:class:`x` / :ref:`text <target>`
_LINK = re.compile(r"`([^`<]+?)\s*<[^>]+>`__?")  # `text <https://...>`_
_LITERAL = re.compile(r"``(.+?)``")
_STRONG = re.compile(r"\*\*(.+?)\*\*")
_EMPH = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_INTERPRETED = re.compile(r"(?<![\w`])`([^`]+)`(?!_)")
_DIRECTIVE = re.compile(r"^\s*\.\.\s+([\w:-]+)::\s*(.*)$")
_COMMENT = re.compile(r"^\s*\.\.(\s|$)")
_FIELD = re.compile(r"^(\s*):(param|type|returns?|rtype|raises?)\b[^:]*:\s*")
_UNDERLINE = re.compile(r"^\s*([=\-~^\"'`#*+]){3,}\s*$")


def _inline(line: str) -> str:
    if "`" not in line and "*" not in line:  # most lines of a docstring: nothing inline to undo
        return line
    line = _ROLE.sub(lambda m: (m.group(2) or m.group(1) or "").strip().lstrip("~!").split(".")[-1]
                     if (m.group(2) or "").startswith("~") else (m.group(2) or m.group(1) or "").strip(), line)
    line = _LINK.sub(r"\1", line)
    line = _LITERAL.sub(r"\1", line)
    line = _STRONG.sub(r"\1", line)
    line = _EMPH.sub(r"\1", line)
    return _INTERPRETED.sub(r"\1", line)


def rst_to_text(text: str) -> str:
    """A reStructuredText docstring as readable plain text: roles, literals, links and emphasis become
    their text; directives such as ``.. code-block:: yaml`` or ``.. note::`` become a short heading (the
    indented block under them stays); comments and heading underlines go."""
    out: list[str] = []
    for raw in (text or "").replace("\r\n", "\n").split("\n"):
        if (not raw.strip() or raw[0].isalnum()) and not raw.rstrip().endswith("::"):  # plain: no directive,
            # field, comment or underline (the palette converts ~200 lines of docstrings at every start)
            out.append(_inline(raw))
            continue
        directive = _DIRECTIVE.match(raw)
        if directive:
            name, arg = directive.group(1).lower(), directive.group(2).strip()
            if name in ("note", "warning", "tip", "important", "caution", "attention", "danger", "hint"):
                out.append(name.capitalize() + ":" + (f" {_inline(arg)}" if arg else ""))
            elif name in ("code-block", "code", "sourcecode"):
                out.append("Example" + (f" ({arg})" if arg else "") + ":")
            elif arg and name not in ("image", "figure", "include", "raw", "_"):
                out.append(_inline(arg))
            continue
        if _COMMENT.match(raw) or _UNDERLINE.match(raw):
            continue
        line = _FIELD.sub(lambda m: m.group(1) + {"param": "", "type": "Type: "}.get(m.group(2), ""), raw)
        out.append(_inline(line.rstrip()).replace("::", ":") if line.rstrip().endswith("::") else _inline(line))
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def match_score(query: str, display: str, *others: str, description: str = "") -> int:
    """How well ``query`` matches a component (0: not at all). Every word of the query must be found;
    words matching the display name score more than the class or module name, which score more than the
    description. Exact name > name starts with > a name word starts with > contained."""
    words = query.casefold().split()
    if not words:
        return 1
    name = display.casefold()
    name_words = re.split(r"[\s_.\-]+", name)
    other = " ".join(o.casefold() for o in others)
    desc = description.casefold()
    total = 0
    for word in words:
        if name == word or name == query.casefold().strip():
            score = 100
        elif name.startswith(word):
            score = 80
        elif any(w.startswith(word) for w in name_words):
            score = 60
        elif word in name:
            score = 45
        elif word in other:
            score = 30
        elif word in desc:
            score = 5
        else:
            return 0
        total += score
    return total
