"""Markdown tables that read well in a terminal and paste straight into docs/performance.md."""

from __future__ import annotations

import math
from collections.abc import Sequence


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], *, title: str | None = None) -> str:
    cells = [[str(h) for h in headers], *[[_cell(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    right = [i > 0 for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        parts = [c.rjust(w) if r else c.ljust(w) for c, w, r in zip(row, widths, right)]
        return "| " + " | ".join(parts) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if r else ("-" * (w + 2)) for w, r in zip(widths, right)) + "|"
    out = [line(cells[0]), rule, *(line(row) for row in cells[1:])]
    if title:
        out.insert(0, f"\n### {title}\n")
    return "\n".join(out)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def ms(seconds: float) -> str:
    """A duration in milliseconds with sensible precision."""
    value = seconds * 1000
    if value < 1:
        return f"{value:.3f}"
    if value < 100:
        return f"{value:.2f}"
    return f"{value:.0f}"


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


def mib(size: int) -> str:
    return f"{size / 2**20:.1f}"


def percentile(samples: Sequence[float], q: float) -> float:
    """The nearest-rank percentile (p99 of 100 samples is the largest but one); NaN when empty."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    rank = math.ceil(q / 100 * len(ordered) - 1e-9)
    return ordered[min(len(ordered), max(1, rank)) - 1]


def calibrate() -> str:
    """A fixed pure-Python loop, timed: on a shared or virtual machine the same code can run at
    different speeds from one minute to the next, and this shows by how much."""
    import time

    best = float("inf")
    for _ in range(3):  # the best of three: the first run also pays for fresh memory pages
        start = time.thread_time()
        total = 0
        for number in range(3_000_000):
            total += number
        best = min(best, time.thread_time() - start)
    return f"a 3-million-step Python loop takes {1000 * best:.0f} ms of CPU"
