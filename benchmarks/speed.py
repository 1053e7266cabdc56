"""Speed: match and autocomplete latency, load+validate time and memory at several sizes.

Every figure for our matcher has its baselines measured in the same process, on the same
knowledge and the same queries, so ratios stay meaningful on a noisy machine.
"""

from __future__ import annotations

import gc
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from benchmarks.baselines import DifflibBaseline, WRatioBaseline
from benchmarks.report import mib, ms, table
from benchmarks.synthetic import grow, prefixes, queries, write_knowledge
from bot.knowledge.loader import load_knowledge
from bot.answering.matcher import Matcher
from bot.knowledge.model import KnowledgeBase

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(slots=True)
class Latency:
    samples: list[float] = field(default_factory=list)

    def percentile(self, q: float) -> float:
        ordered = sorted(self.samples)
        if not ordered:
            return float("nan")
        index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
        return ordered[index]

    @property
    def p50(self) -> float:
        return self.percentile(50)

    @property
    def p99(self) -> float:
        return self.percentile(99)


@dataclass(slots=True)
class SizeResult:
    size: int
    phrasings: int
    files: int
    load: float  # load_knowledge: parse + validate, seconds
    index: float  # Matcher(kb), seconds
    load_peak: int  # bytes, tracemalloc peak during load + index
    index_retained: int  # bytes still held by the matcher index after the load
    baseline_load: float  # plain yaml parse + the baselines' choice lists
    baseline_peak: int
    match: dict[str, Latency]
    complete: dict[str, Latency]


def _time_each(func: Callable[[str], object], inputs: Sequence[str], repeat: int) -> Latency:
    for text in inputs[: min(20, len(inputs))]:
        func(text)  # warm caches
    latency = Latency()
    clock = time.perf_counter
    for _ in range(repeat):
        for text in inputs:
            start = clock()
            func(text)
            latency.samples.append(clock() - start)
    return latency


def _plain_load(folder: Path) -> list[dict]:
    entries: list[dict] = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.load(path.read_text("utf-8"), Loader=_YAML_LOADER)
        entries.extend(data.get("entries") or [])
    return entries


def _measure_size(
    base: KnowledgeBase, size: int, asked: Sequence[str], typed: Sequence[str], n_baseline: int, repeat: int
) -> SizeResult:
    entries = grow(base, size)
    with tempfile.TemporaryDirectory(prefix="lore-bench-") as tmp:
        folder = Path(tmp)
        files = write_knowledge(folder, base, entries)

        gc.collect()
        start = time.perf_counter()
        kb = load_knowledge(folder)
        load = time.perf_counter() - start
        start = time.perf_counter()
        matcher = Matcher(kb)
        index = time.perf_counter() - start

        start = time.perf_counter()
        raw = _plain_load(folder)
        difflib_baseline = DifflibBaseline(kb)
        wratio_baseline = WRatioBaseline(kb)
        baseline_load = time.perf_counter() - start

        # Memory in a second pass: tracemalloc slows everything it watches.
        del raw
        gc.collect()
        tracemalloc.start()
        kb2 = load_knowledge(folder)
        gc.collect()  # what the load left behind is not the index's
        loaded = tracemalloc.get_traced_memory()[0]
        matcher2 = Matcher(kb2)
        gc.collect()
        current, load_peak = tracemalloc.get_traced_memory()
        index_retained = current - loaded
        tracemalloc.stop()
        del matcher2, kb2
        gc.collect()
        tracemalloc.start()
        raw = _plain_load(folder)
        choices = ([e["question"] for e in raw], [a if isinstance(a, str) else a["text"] for e in raw for a in e.get("aliases", [])])
        baseline_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        del raw, choices

    assert len(kb.entries) == size, (len(kb.entries), size)
    match = {
        "ours": _time_each(matcher.match, asked, repeat),
        "ours (upto 5)": _time_each(lambda q: matcher.match(q, 5), asked, 1),
        "difflib": _time_each(difflib_baseline.match, asked[:n_baseline], 1),
        "rapidfuzz WRatio": _time_each(wratio_baseline.match, asked[:n_baseline], 1),
    }
    complete = {
        "ours": _time_each(matcher.complete, typed, repeat),
        "ours (upto 5)": _time_each(lambda t: matcher.complete(t, 5), typed, 1),
        "difflib": _time_each(difflib_baseline.complete, typed[:n_baseline], 1),
        "rapidfuzz WRatio": _time_each(wratio_baseline.complete, typed[:n_baseline], 1),
    }
    return SizeResult(
        size=size,
        phrasings=getattr(matcher, "phrasing_count", None) or len(getattr(matcher, "_phrasings", ())),
        files=len(files),
        load=load,
        index=index,
        load_peak=load_peak,
        index_retained=index_retained,
        baseline_load=baseline_load,
        baseline_peak=baseline_peak,
        match=match,
        complete=complete,
    )


def run(
    base: KnowledgeBase,
    sizes: Sequence[int],
    *,
    quick: bool,
    log: Callable[[str], None],
    fan_questions: Sequence[str] = (),
) -> list[SizeResult]:
    """Time every size with the same questions and prefixes, so sizes compare like for like.

    The questions are the labelled fan questions plus questions made from the real entries
    (canonical questions, aliases with a typo, fragments, off-topic); at larger sizes each of
    them has dozens of synthetic look-alikes to beat, which is the hard case.
    """
    n_queries = 100 if quick else 500
    asked = [*fan_questions[: n_queries // 2], *queries(base, n_queries)]
    typed = prefixes(base, n_queries)
    results = []
    for size in sizes:
        log(f"speed: {size} entries ...")
        n_baseline = 20 if quick else (200 if size <= 1000 else 100)
        repeat = 1 if quick else 3
        results.append(_measure_size(base, size, asked, typed, n_baseline, repeat))
    return results


def render(results: Sequence[SizeResult]) -> str:
    out = []
    rows = []
    for r in results:
        for name, lat in r.match.items():
            rows.append([r.size, name, ms(lat.p50), ms(lat.p99), ms(max(lat.samples)), len(lat.samples)])
    out.append(table(["entries", "matcher", "p50 ms", "p99 ms", "max ms", "questions"], rows, title="Match latency per question"))
    rows = []
    for r in results:
        for name, lat in r.complete.items():
            rows.append([r.size, name, ms(lat.p50), ms(lat.p99), ms(max(lat.samples)), len(lat.samples)])
    out.append(table(["entries", "autocomplete", "p50 ms", "p99 ms", "max ms", "prefixes"], rows, title="Autocomplete latency per prefix"))
    rows = []
    for r in results:
        rows.append(
            [
                r.size,
                r.phrasings,
                r.files,
                ms(r.load),
                ms(r.index),
                ms(r.load + r.index),
                mib(r.load_peak),
                mib(r.index_retained),
                ms(r.baseline_load),
                mib(r.baseline_peak),
            ]
        )
    out.append(
        table(
            [
                "entries",
                "phrasings",
                "files",
                "load+validate ms",
                "index ms",
                "total ms",
                "peak MiB",
                "index MiB",
                "baseline load ms",
                "baseline peak MiB",
            ],
            rows,
            title="Load, validate and index (baseline: plain YAML parse + choice lists, no validation)",
        )
    )
    if len(results) > 1:
        rows = []
        for small, large in zip(results, results[1:]):
            growth = large.size / small.size
            rows.append(
                [
                    f"{small.size} -> {large.size}",
                    f"x{growth:.0f}",
                    f"x{large.match['ours'].p50 / small.match['ours'].p50:.1f}",
                    f"x{large.match['ours'].p99 / small.match['ours'].p99:.1f}",
                    f"x{large.complete['ours'].p99 / small.complete['ours'].p99:.1f}",
                    f"x{(large.load + large.index) / (small.load + small.index):.1f}",
                    f"x{large.match['rapidfuzz WRatio'].p50 / small.match['rapidfuzz WRatio'].p50:.1f}",
                ]
            )
        out.append(
            table(
                ["sizes", "entries", "match p50", "match p99", "complete p99", "load+index", "WRatio p50"],
                rows,
                title="Scaling (linear = the entries factor)",
            )
        )
    return "\n".join(out)


def targets(results: Sequence[SizeResult]) -> list[tuple[str, str, bool]]:
    """The issue's speed targets, as (target, measured, met). Reported, never asserted."""
    out = []
    by_size = {r.size: r for r in results}
    if 1000 in by_size:
        p99 = by_size[1000].match["ours"].p99
        out.append(("match p99 < 1 ms at 1,000 entries", f"{ms(p99)} ms", p99 < 0.001))
    if 10000 in by_size:
        r = by_size[10000]
        out.append(("match p99 < 5 ms at 10,000 entries", f"{ms(r.match['ours'].p99)} ms", r.match["ours"].p99 < 0.005))
        out.append(("load of 10,000 entries < 2 s", f"{ms(r.load + r.index)} ms (load+validate+index)", r.load + r.index < 2))
    if len(results) > 1:
        first, last = results[0], results[-1]
        growth = last.size / first.size
        factor = last.match["ours"].p50 / first.match["ours"].p50
        out.append(("match time scales no worse than linearly", f"x{factor:.1f} for x{growth:.0f} entries", factor <= growth))
        factor = (last.load + last.index) / (first.load + first.index)
        out.append(("load time scales no worse than linearly", f"x{factor:.1f} for x{growth:.0f} entries", factor <= growth * 1.2))
    return out
