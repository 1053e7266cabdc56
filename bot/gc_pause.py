"""Pausing Python's cyclic garbage collector around bulk builds (a measured speed-up), and keeping
what they built out of its scans."""

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


def keep_for_good() -> None:
    """Put every object alive now out of the collector's reach (``gc.freeze``), inside a paused
    block that built what the bot keeps until the next reload: the knowledge and its index.

    Built with the collector paused, they were never scanned; its first full collection would
    scan them all, holding the interpreter about 0.4 s at 10,000 entries and 4 s at 100,000, a
    stall of the event loop. Frozen, they are freed as ever by reference counting, never by the
    collector: what they replace must leave no reference cycle (``Lore.close``), or it is kept.
    So is any cycle other threads left unreachable while the collector was paused (a little, once
    per reload).
    """
    gc.freeze()
