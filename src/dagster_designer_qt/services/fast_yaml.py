"""PyYAML's safe loader and dumper, the libyaml (C) ones when PyYAML was built with it.

The C classes parse and emit the plain data we read and write the same way as the pure-Python ones, about
ten times faster: reading a 3,000-folder project's defs files for the trust scan took ~3 s of Python parsing.
For text offsets (``yaml.compose`` marks) use the pure-Python loader: libyaml's marks count bytes."""

from __future__ import annotations

try:
    from yaml import CSafeDumper as Dumper
    from yaml import CSafeLoader as Loader
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeDumper as Dumper  # type: ignore[assignment]
    from yaml import SafeLoader as Loader  # type: ignore[assignment]

__all__ = ["Dumper", "Loader"]
