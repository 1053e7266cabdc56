"""``python -m benchmarks [--quick]``: answer quality and speed, ours against the baselines.

Quality on the tuning set (tests/data/questions.yaml, tuning_facts.yaml and tuning_chat.yaml) and,
separately, on each held-out set (tests/data/heldout.yaml, heldout2.yaml, heldout3.yaml,
heldout4.yaml) that nothing is tuned on; speed and memory at several knowledge sizes, each
matcher in a fresh process.

Prints markdown tables (paste them into docs/performance.md). It measures and reports; it never
fails because a figure is slow or a target is missed, so CI can run ``--quick`` on any machine.
It does fail, loudly, if the code it measures is broken.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import rapidfuzz

from benchmarks import cases, quality, speed
from benchmarks.report import calibrate, table
from benchmarks.synthetic import iter_sizes
from bot.knowledge.loader import KnowledgeError, load_knowledge, summarize
from bot.knowledge.model import KnowledgeBase

ROOT = Path(__file__).resolve().parent.parent
FULL_SIZES = "100,1000,10000,100000"
QUICK_SIZES = "100,1000"
DATA = ROOT / "tests" / "data"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"sizes {QUICK_SIZES} and fewer questions; for CI (a few minutes: the quality half is whole)")
    parser.add_argument("--sizes", help=f"entry counts for the speed tables (default {FULL_SIZES})")
    parser.add_argument("--only", choices=("quality", "speed"), help="run one half only")
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge", help="knowledge folder (default knowledge/)")
    parser.add_argument(
        "--questions", type=Path, nargs="+", default=[DATA / "questions.yaml", DATA / "tuning_facts.yaml", DATA / "tuning_chat.yaml"],
        help="the tuning set's files (entry-labelled or fact-labelled)",
    )
    parser.add_argument(
        "--heldout", type=Path, nargs="*", default=[DATA / "heldout.yaml", DATA / "heldout2.yaml", DATA / "heldout3.yaml", DATA / "heldout4.yaml"],
        help="the held-out sets, each scored on its own (never tuned on)",
    )
    parser.add_argument(
        "--facts", type=Path, default=ROOT / "sources" / "metallic-rouge-facts.yaml", help="the fact sheet (checks fact references)"
    )
    parser.add_argument("--show-misses", action="store_true", help="list the tuning-set questions our matcher gets wrong")
    parser.add_argument("--tune", action="store_true", help="sweep the thresholds on the tuning set and print the best")
    parser.add_argument(
        "--grid", nargs="+", default=(), metavar="NAME=V1,V2",
        help="with --tune: what to sweep instead (thresholds or scoring constants: answer=74,76 reveal_cap=0.75,0.8)",
    )
    parser.add_argument("--no-pin", action="store_true", help="do not pin the process to one CPU core")
    return parser


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} logical CPUs; Python {platform.python_version()} on {platform.system()}; "
        f"rapidfuzz {rapidfuzz.__version__}"
    )


def load_base(folder: Path, log) -> tuple[KnowledgeBase, bool]:
    """The real knowledge, or the small test knowledge when the real one is missing or broken."""
    try:
        kb = load_knowledge(folder)
        return kb, True
    except KnowledgeError as error:
        log(f"note: {folder} does not load ({len(error.problems)} problems: {error.problems[0]}); "
            "using tests/data/mini instead")
    return load_knowledge(ROOT / "tests" / "data" / "mini"), False


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    pinned = ""
    if not args.no_pin and hasattr(os, "sched_setaffinity"):
        try:
            core = min(os.sched_getaffinity(0))
            os.sched_setaffinity(0, {core})  # the measuring subprocesses inherit it
            pinned = f" (pinned to core {core})"
        except OSError:
            pass
    started = time.perf_counter()
    base, real = load_base(args.knowledge, log)
    source = args.knowledge if real else ROOT / "tests" / "data" / "mini"
    print(f"# Benchmarks{' (quick)' if args.quick else ''}\n")
    print(f"- date: {datetime.date.today().isoformat()}")
    print(f"- machine: {machine()}{pinned}; load average {_load_average()} at the start")
    print(f"- machine speed at the start: {calibrate()}")
    print(f"- knowledge: {_shown(source)}: {summarize(base)}")
    goals: list[tuple[str, str, bool]] = []
    tuning: list[cases.Case] = []
    tuning_files: list[str] = []
    if real:
        for path in args.questions:
            if path.exists():
                found = cases.load_questions(path, base, args.facts)
                tuning += found
                tuning_files.append(f"{_shown(path)} ({len(found)})")

    if args.only in (None, "quality"):
        if not real:
            print("- quality: skipped (needs the real knowledge)")
        elif not tuning:
            print(f"- quality: skipped ({', '.join(map(_shown, args.questions))} not found)")
        else:
            goals += _quality(args, base, tuning, tuning_files)

    if args.only in (None, "speed") and not args.tune:  # a sweep is about quality alone
        sizes = list(iter_sizes(args.sizes or (QUICK_SIZES if args.quick else FULL_SIZES)))
        results = speed.run(base, sizes, quick=args.quick, log=log, fan_questions=[case.q for case in tuning])
        print(speed.render(results))
        goals += speed.targets(results)

    if goals:
        rows = [[goal, measured, "met" if met else "MISSED"] for goal, measured, met in goals]
        print(table(["target", "measured", "status"], rows, title="Targets (reported, never enforced)"))
    print(f"\n- machine speed at the end: {calibrate()}; load average {_load_average()}")
    print(f"\n(took {time.perf_counter() - started:.1f} s)")
    return 0


def _quality(
    args: argparse.Namespace, base: KnowledgeBase, tuning: list[cases.Case], tuning_files: list[str]
) -> list[tuple[str, str, bool]]:
    if args.tune:  # the tuning set only: a sweep never looks at a held-out set
        _tune(base, tuning, args.grid)
        return []
    sets = {"tuning": tuning}
    titles = {"tuning": f"Tuning set: {' + '.join(tuning_files)}, {len(tuning)} questions ({cases.describe(tuning)})"}
    for number, path in enumerate(args.heldout, 1):
        name = "held-out" if number == 1 else f"held-out {number}"
        if not path.exists():
            print(f"- {name} set: {_shown(path)} not found; not scored")
            continue
        held = cases.load_heldout(path, base, args.facts)
        sets[name] = held.cases
        titles[name] = (
            f"{name.capitalize()} set: {_shown(path)}, {len(held.cases)} questions ({cases.describe(held.cases)}); "
            "never tuned on"
        )
        if held.unknown_refs:
            print(f"- note: {_shown(path)} cites {len(held.unknown_refs)} fact(s) the fact sheet does not define: "
                  + ", ".join(held.unknown_refs[:10]))
    result = quality.run(base, sets)
    print(quality.render(result, titles))
    if args.show_misses:
        print(quality.misses(tuning, result.replies["tuning"]["ours"]))
    return quality.targets(result)


def _tune(kb: KnowledgeBase, tuning: list[cases.Case], grid_args: Sequence[str] = ()) -> None:
    grid: dict[str, list[float]] = {
        "answer": [64, 66, 68, 70, 72, 74, 76, 78, 80, 82],
        "margin": [0, 2, 4, 6, 8, 10],
        "suggest": [50, 55, 60, 65],
    }
    if grid_args:  # "reveal_cap=0.75,0.8" "answer=74,76": thresholds or scoring constants
        grid = {}
        for arg in grid_args:
            name, _, values = arg.partition("=")
            grid[name] = [float(value) for value in values.split(",")]
    ranked = quality.sweep(kb, tuning, grid)
    rows = [
        ["/".join(f"{v:g}" for v in setting.values()), s.correct - 3 * s.wrong, s.right, s.answerable, s.abstained, s.decline, s.wrong, s.n]
        for setting, s in ranked[:15]
    ]
    print(
        table(
            ["/".join(grid), "right - 3 x wrong", "right", "of", "declined", "of", "wrong", "questions"],
            rows,
            title="Threshold sweep on the tuning set (best first)",
        )
    )


def _load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
