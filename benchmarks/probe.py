"""One measurement in a fresh process: ``python -m benchmarks.probe RECIPE FOLDER WORKLOAD``.

A fresh interpreter per matcher and size, so each load time starts cold and each memory figure
is that matcher's alone: the process's resident set (``VmRSS``) and its peak (``VmHWM``) from
/proc/self/status, not only the Python heap. Prints one JSON object:

* ``rss_start``: resident bytes after the imports, before the knowledge is read;
* ``load_s``, ``index_s``: reading the knowledge, then building the matcher's index;
* ``peak``, ``rss``: peak and current resident bytes right after that (before any question);
* ``statuses``: ours only: how many of the questions got each reply status (a decline is quick);
* ``timings``: name -> ``{"wall": [...], "cpu": [...]}``, seconds per call in workload order
  (a baseline stops after the workload's ``budget`` seconds).

Recipes: ``ours`` (``load_knowledge`` + the bot's answering service, through benchmarks/adapter.py)
and the baselines ``difflib``, ``wratio``, ``bm25`` (a plain ``yaml`` parse of the same files,
with libyaml when present, then the baseline's index over every entry: what someone would write
instead of our loader). Each then keeps what it built out of the garbage collector's scans
(``gc.freeze``, as the bot's knowledge store does after each load), so no timing pays for a
first full collection over a freshly built index.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.gc_pause import keep_for_good

RECIPES = ("ours", "difflib", "wratio", "bm25")
#: size guards for the synthetic knowledge (for real use the loader refuses a folder over 4 MB);
#: a file is read whole up to its guard, so that one stays a plausible size
LARGE_FILE, LARGE_FOLDER = 64 << 20, 1 << 40


def memory() -> tuple[int, int]:
    """(current, peak) resident set size in bytes."""
    current = peak = 0
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                current = int(line.split()[1]) * 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) * 1024
    except OSError:
        pass
    if not peak:  # not Linux: ru_maxrss is KiB on Linux, bytes on macOS
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
        current = current or peak
    return current, peak


def timed_each(
    func: Callable[[str], object], inputs: Sequence[str], repeat: int = 1, budget: float | None = None
) -> dict[str, list[float]]:
    """Seconds per call, in order, as wall-clock time and as this thread's CPU time (the machine
    may be shared: CPU time leaves out the waits while other processes run). With a ``budget``
    (wall seconds), stop once it is spent: the slow baselines then answer the first questions of
    the list only (how many is reported)."""
    for text in inputs[: min(20 if budget is None else 1, len(inputs))]:
        func(text)  # warm up
    wall_clock, cpu_clock = time.perf_counter, time.thread_time
    wall: list[float] = []
    cpu: list[float] = []
    spent = 0.0
    for _ in range(repeat):
        for text in inputs:
            start, start_cpu = wall_clock(), cpu_clock()
            func(text)
            took_cpu, took = cpu_clock() - start_cpu, wall_clock() - start
            wall.append(took)
            cpu.append(took_cpu)
            spent += took
            if budget is not None and spent > budget:
                return {"wall": wall, "cpu": cpu}
    return {"wall": wall, "cpu": cpu}


def plain_load(folder: Path) -> tuple[list[dict], dict[str, str]]:
    """Every entry and the synonyms, read with nothing but the YAML parser."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    entries: list[dict] = []
    synonyms: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.load(path.read_text("utf-8"), Loader=loader) or {}
        entries.extend(data.get("entries") or [])
        synonyms.update((data.get("series") or {}).get("synonyms") or {})
    return entries, synonyms


def probe(recipe: str, folder: Path, workload: dict) -> dict:
    questions: list[str] = workload["questions"]
    prefixes: list[str] = workload["prefixes"]
    same = workload["same"]
    repeat = workload.get("repeat", 1)
    budget = workload.get("budget")
    if recipe == "ours":
        from benchmarks.adapter import Ours
        from bot.knowledge.loader import load_knowledge

        rss_start, _ = memory()
        start = time.perf_counter()
        # The size guards protect a server from a runaway edit; a benchmark at 100,000 entries
        # is deliberately far past them.
        kb = load_knowledge(folder, max_file_bytes=LARGE_FILE, max_folder_bytes=LARGE_FOLDER)
        loaded = time.perf_counter()
        ours = Ours(kb)
        indexed = time.perf_counter()
        keep_for_good()
        rss, peak = memory()
        statuses = Counter(ours.ask(q).status for q in questions)
        timings = {
            "match": timed_each(ours.match, questions, repeat),
            "match (upto 5)": timed_each(lambda q: ours.match(q, 5), questions),
            "full reply": timed_each(ours.ask, questions),
            "complete": timed_each(ours.complete, prefixes, repeat),
        }
        entries, phrasings = len(kb.entries), ours.phrasing_count()
    else:
        from benchmarks.baselines import BM25Baseline, DifflibBaseline, WRatioBaseline, docs_of_yaml

        make = {"difflib": DifflibBaseline, "wratio": WRatioBaseline, "bm25": BM25Baseline}[recipe]
        rss_start, _ = memory()
        start = time.perf_counter()
        raw, synonyms = plain_load(folder)
        loaded = time.perf_counter()
        docs = docs_of_yaml(raw)
        del raw
        baseline = make(docs, synonyms)
        indexed = time.perf_counter()
        keep_for_good()
        rss, peak = memory()
        timings = {
            "match": timed_each(baseline.best, questions[:same], budget=budget),
            "complete": timed_each(baseline.complete, prefixes[:same], budget=budget),
        }
        entries, phrasings = len(docs), sum(len(doc.phrasings) for doc in docs)
        statuses = Counter()
    return {
        "recipe": recipe,
        "entries": entries,
        "phrasings": phrasings,
        "rss_start": rss_start,
        "load_s": loaded - start,
        "index_s": indexed - loaded,
        "peak": peak,
        "rss": rss,
        "timings": timings,
        "statuses": dict(statuses),
    }


def main(argv: Sequence[str]) -> int:
    if len(argv) != 3 or argv[0] not in RECIPES:
        print(f"usage: python -m benchmarks.probe {{{'|'.join(RECIPES)}}} FOLDER WORKLOAD.json", file=sys.stderr)
        return 2
    workload = json.loads(Path(argv[2]).read_text("utf-8"))
    print(json.dumps(probe(argv[0], Path(argv[1]), workload)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
