"""Pausing Python's cyclic garbage collector around bulk builds (a measured speed-up)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Switch the cyclic collector off for the block (or decorated function), then back on.

    Loading the knowledge and building the matcher's index create hundreds of thousands of small
    objects, none in reference cycles; the collector only rescans them (it tripled the load time
    of 10,000 entries, see docs/performance.md). It stays off afterwards if it already was.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
