"""Give back memory the app has freed: a full garbage collection, then glibc's ``malloc_trim``.

A closed window frees tens of MiB in many small blocks. Python returns them to the C allocator, but glibc
keeps freed pages inside its heaps (only the top of the main heap is returned on its own), so the
process's resident size would stay near its peak for the rest of the session. ``malloc_trim(0)`` hands
every whole free page back to the system (``madvise``); the pages are faulted in again only if used.
Desktop apps do this after releasing a large document; it is a no-op where the C library is not glibc
(macOS, Windows, musl). See docs/LIFETIME.md for what it changes, measured.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import sys
from typing import Callable


@functools.lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim  # glibc only; musl has no libc.so.6 / no malloc_trim
    except (OSError, AttributeError):
        return None


def can_trim() -> bool:
    return _malloc_trim() is not None


def release_freed_memory(*, trim: bool = True, collect: bool = True) -> None:
    """Collect Python's garbage (``collect``: a closed window's objects live in reference cycles), then
    return the C heap's free pages to the system when the C library can (``trim``)."""
    if collect:
        gc.collect()
    malloc_trim = _malloc_trim() if trim else None
    if malloc_trim is not None:
        malloc_trim(0)
