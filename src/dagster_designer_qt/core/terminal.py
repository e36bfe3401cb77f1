"""Text for a terminal: user text (labels, file names, Dagster messages) must not move the cursor, change
colours or forge extra lines. ``printable`` escapes every control character (C0, DEL, C1, lone surrogates
and the bidi overrides) as ``\\xNN``/``\\uNNNN``; ``printable_lines`` keeps the newlines of a multi-line
message the program itself composed. Used by every CLI command for user-derived text."""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    ch = match.group(0)
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object) -> str:
    """One line of text safe to print: control characters (newlines included) shown as escapes."""
    return _CONTROL.sub(_escape, str(text))


def printable_lines(text: object) -> str:
    """Like ``printable`` but keeps line breaks (for messages made of several lines)."""
    return "\n".join(printable(line) for line in str(text).split("\n"))
