"""services.memory gives freed C-heap pages back to the system (glibc's malloc_trim), measured in RSS."""

from __future__ import annotations

import sys

import pytest

from dagster_designer_qt.services import memory


def _rss() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not (sys.platform.startswith("linux") and memory.can_trim()), reason="glibc only")
def test_freed_heap_pages_are_returned_to_the_system():
    blocks = [bytearray(4000) for _ in range(6000)]  # ~24 MB of C-heap blocks (above pymalloc's 512 B)
    keep = bytearray(4000)  # allocated above them: the heap's top is not free, so free() alone keeps the pages
    for b in blocks:
        b[::512] = b"x" * len(b[::512])  # touched: resident
    del blocks
    freed = _rss()
    memory.release_freed_memory()
    assert freed - _rss() > 16 * 1024 * 1024
    del keep


def test_without_trim_garbage_is_still_collected():
    import gc
    import weakref

    class Node:
        pass

    a, b = Node(), Node()
    a.other, b.other = b, a  # a reference cycle: only the collector frees it
    ref = weakref.ref(a)
    del a, b
    gc.disable()
    try:
        memory.release_freed_memory(trim=False)
    finally:
        gc.enable()
    assert ref() is None
