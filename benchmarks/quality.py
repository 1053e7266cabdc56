"""Answer quality, ours against the baselines, on the tuning set and on the held-out set.

How a reply counts (the same for every matcher and both sets; see benchmarks/cases.py for which
entries are right):

* **answered right**: an answerable question answered with a right entry (over answerable ones;
  a comparison answered side by side counts when either side is right, and as wrong when neither is);
* **right or 1st suggestion**: that, or "did you mean" whose first entry is a right one;
* **wrong answer**: any question answered with an entry that is not right, including any answer
  to a question that should be declined (over all questions; "of which to decline" counts
  those). The worst outcome;
* **honest abstention**: a question that should be declined (nothing visible at the asker's
  horizon answers it) and is: "I don't know", "did you mean" (a suggestion asserts nothing) or
  "not revealed yet" (over the questions that should be declined); *strict* leaves out "did you mean";
* **past horizon**: answers with an entry the asker has not reached (a spoiler at entry level).

The baselines' one knob, their cutoff, is chosen on the tuning set only, twice: the cutoff with the
most right outcomes (right answers plus honest abstentions), and the one with the most right
answers among those with no wrong answer on the tuning set.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from benchmarks.adapter import DECLINED, SUGGEST, Ours, Reply
from benchmarks.baselines import BASELINES, ByHorizon
from benchmarks.cases import Case
from benchmarks.report import ms, pct, percentile, table
from bot.knowledge.model import KnowledgeBase


@dataclass(slots=True)
class Scores:
    n: int = 0
    answerable: int = 0
    decline: int = 0
    right: int = 0
    near: int = 0
    wrong: int = 0
    #: wrong answers to questions that should have been declined (the rest name another entry)
    wrong_decline: int = 0
    abstained: int = 0
    strict: int = 0
    past_horizon: int = 0

    def add(self, case: Case, reply: Reply, kb: KnowledgeBase) -> bool:
        """Count one reply; True when it is a right outcome."""
        self.n += 1
        answered = reply.answered
        if answered and not reply.answers_with(case.right):
            self.wrong += 1
            self.wrong_decline += not case.answerable
        if answered and not all(_reached(kb, e, case.horizon) for e in (reply.entry, reply.also) if e):
            self.past_horizon += 1
        if case.answerable:
            self.answerable += 1
            if reply.answers_with(case.right):
                self.right += 1
                self.near += 1
                return True
            self.near += reply.first_suggestion in case.right
            return False
        self.decline += 1
        if not answered:
            self.abstained += 1
            self.strict += reply.status != SUGGEST
            return True
        return False

    @property
    def correct(self) -> int:
        return self.right + self.abstained

    def cells(self) -> list[object]:
        return [
            self.n,
            pct(self.right, self.answerable),
            pct(self.near, self.answerable),
            f"{pct(self.wrong, self.n)} ({self.wrong})",
            self.wrong_decline,
            pct(self.abstained, self.decline),
            pct(self.strict, self.decline),
            self.past_horizon,
        ]


HEADERS = [
    "matcher",
    "setting",
    "questions",
    "answered right",
    "right or 1st suggestion",
    "wrong answers",
    "of which to decline",
    "honest abstention",
    "strict abstention",
    "past horizon",
    "p50 ms (CPU)",
    "p99 ms (CPU)",
]


def _reached(kb: KnowledgeBase, entry_id: str | None, horizon: int | None) -> bool:
    entry = kb.entries.get(entry_id) if entry_id else None
    return entry is not None and entry.visible_to(horizon)


def score(cases: Iterable[Case], replies: Callable[[Case], Reply], kb: KnowledgeBase) -> Scores:
    scores = Scores()
    for case in cases:
        scores.add(case, replies(case), kb)
    return scores


# -- running the matchers --------------------------------------------------------------------------
@dataclass(slots=True)
class Run:
    """One matcher's raw output on a set: a reply (ours) or a best entry and score (a baseline)."""

    out: dict[Case, object] = field(default_factory=dict)
    seconds: list[float] = field(default_factory=list)


def _timed(cases: Sequence[Case], call: Callable[[Case], object]) -> Run:
    for case in cases[:10]:
        call(case)  # warm up: caches, a baseline's index for this horizon
    run = Run()
    clock = time.thread_time  # CPU time: the machine may be shared
    for case in cases:
        start = clock()
        run.out[case] = call(case)
        run.seconds.append(clock() - start)
    return run


def at_cutoff(best: dict[Case, object], cutoff: float) -> Callable[[Case], Reply]:
    def reply(case: Case) -> Reply:
        entry_id, value = best[case]  # type: ignore[misc]
        return Reply("answered", entry_id) if entry_id is not None and value >= cutoff else DECLINED

    return reply


def tune_cutoff(best: dict[Case, object], tuning: Sequence[Case], kb: KnowledgeBase, *, no_wrong: bool) -> float:
    """The cutoff chosen on ``tuning`` alone; ties go to the higher (more cautious) cutoff.

    Every distinct best score is tried, and one above them all (answer nothing).
    """
    values = sorted({float(best[case][1]) for case in tuning})  # type: ignore[index]
    candidates = [*values, (values[-1] + 1.0) if values else 0.0]
    chosen: tuple[tuple, float] | None = None
    for cutoff in candidates:
        s = score(tuning, at_cutoff(best, cutoff), kb)
        key = (-s.wrong, s.right, s.correct, cutoff) if no_wrong else (s.correct, -s.wrong, cutoff)
        if chosen is None or key > chosen[0]:
            chosen = (key, cutoff)
    assert chosen is not None
    return chosen[1]


@dataclass(slots=True)
class Row:
    matcher: str
    setting: str
    scores: Scores
    seconds: list[float]

    def cells(self) -> list[object]:
        return [self.matcher, self.setting, *self.scores.cells(), ms(percentile(self.seconds, 50)), ms(percentile(self.seconds, 99))]


@dataclass(slots=True)
class QualityResult:
    kb: KnowledgeBase
    sets: dict[str, list[Case]]
    rows: dict[str, list[Row]]
    #: set name -> matcher label -> case -> reply, for the breakdown by form and the misses
    replies: dict[str, dict[str, dict[Case, Reply]]]
    ours: dict[str, Scores]


def run(kb: KnowledgeBase, sets: dict[str, list[Case]], *, ours: Ours | None = None) -> QualityResult:
    """Score ours and every baseline on each set. ``sets`` must have "tuning" first."""
    ours = ours or Ours(kb)
    tuning = sets["tuning"]
    every = [case for cases in sets.values() for case in cases]
    result = QualityResult(kb, sets, {name: [] for name in sets}, {name: {} for name in sets}, {})

    ours_run = _timed(every, lambda case: ours.ask(case.q, case.upto))
    for name, cases in sets.items():
        replies = {case: ours_run.out[case] for case in cases}  # type: ignore[misc]
        s = score(cases, replies.__getitem__, kb)
        result.ours[name] = s
        result.rows[name].append(Row("**ours**", ours.describe(), s, _seconds(ours_run, every, cases)))
        result.replies[name]["ours"] = replies  # type: ignore[assignment]

    for make in BASELINES:
        baseline = ByHorizon(kb, make)
        for upto in {case.upto for case in every}:
            baseline.view(upto)  # build every horizon's index before timing
        best_run = _timed(every, lambda case: baseline.best(case.q, case.upto))
        for label, no_wrong in (("most right", False), ("no wrong", True)):
            cutoff = tune_cutoff(best_run.out, tuning, kb, no_wrong=no_wrong)
            tuned = score(tuning, at_cutoff(best_run.out, cutoff), kb)
            if no_wrong and tuned.wrong:
                label = f"fewest wrong ({tuned.wrong} on tuning)"
            setting = f"cutoff {cutoff:.3g} ({label})"
            reply = at_cutoff(best_run.out, cutoff)
            for name, cases in sets.items():
                s = score(cases, reply, kb)
                result.rows[name].append(Row(make.name, setting, s, _seconds(best_run, every, cases)))
                if not no_wrong:
                    result.replies[name][make.name] = {case: reply(case) for case in cases}
    return result


def _seconds(run_: Run, every: Sequence[Case], cases: Sequence[Case]) -> list[float]:
    wanted = set(cases)
    return [seconds for case, seconds in zip(every, run_.seconds) if case in wanted]


# -- output ----------------------------------------------------------------------------------------
def render(result: QualityResult, titles: dict[str, str]) -> str:
    out = []
    for name, rows in result.rows.items():
        out.append(table(HEADERS, [row.cells() for row in rows], title=titles[name]))
    for name, cases in result.sets.items():
        if name.startswith("held-out") and any(case.form for case in cases):
            out.append(by_form(cases, result.replies[name], result.kb, title=titles[name].split(",")[0]))
    return "\n".join(out)


def by_form(
    cases: Sequence[Case], replies: dict[str, dict[Case, Reply]], kb: KnowledgeBase, title: str = "Held-out set"
) -> str:
    """Held-out outcomes per question form: right answers, wrong answers and abstentions, as counts."""
    forms = Counter(case.form or "-" for case in cases)
    headers = ["form", "questions", "answerable"] + [f"{name}: right / wrong / declined" for name in replies]
    rows = []
    for form, count in sorted(forms.items(), key=lambda pair: (-pair[1], pair[0])):
        subset = [case for case in cases if (case.form or "-") == form]
        answerable = sum(case.answerable for case in subset)
        cells: list[object] = [form, count, answerable]
        for by_case in replies.values():
            s = score(subset, by_case.__getitem__, kb)
            cells.append(f"{s.right}/{s.answerable} · {s.wrong} · {s.abstained}/{s.decline}")
        rows.append(cells)
    return table(headers, rows, title=f"{title} by question form (baselines at their most-right cutoff)")


def misses(cases: Sequence[Case], replies: dict[Case, Reply]) -> str:
    """Every tuning question ours does not get right (never offered for the held-out set)."""
    rows = []
    for case in cases:
        reply = replies[case]
        answered = reply.answered
        if case.answerable and reply.answers_with(case.right) or not case.answerable and not answered:
            continue
        got = reply.status + (f" {reply.entry}" if reply.entry else "")
        if reply.first_suggestion:
            got += f" (1st: {reply.first_suggestion})"
        expect = ", ".join(sorted(case.right)) or f"decline ({case.kind})"
        rows.append([case.q, case.upto if case.upto is not None else "", expect, got])
    rows.sort(key=lambda row: (row[2].startswith("decline"), row[0]))
    return table(["question", "upto", "expected", "got"], rows, title="Misses on the tuning set (ours)")


def targets(result: QualityResult) -> list[tuple[str, str, bool]]:
    """The issue's quality targets on each held-out set (and no spoilers on any set)."""
    out = []
    for name, held in result.ours.items():
        if not name.startswith("held-out") or not held.n:
            continue
        out.append((f"answered right >= 90% ({name})", _exact(held.right, held.answerable), held.right >= 0.9 * held.answerable))
        out.append((f"wrong answers <= 1% ({name})", _exact(held.wrong, held.n), held.wrong <= 0.01 * held.n))
        out.append((f"honest abstention >= 90% ({name})", _exact(held.abstained, held.decline), held.abstained >= 0.9 * held.decline))
    for name, s in result.ours.items():
        out.append((f"no answer past the horizon ({name})", f"{s.past_horizon} of {s.n}", s.past_horizon == 0))
    return out


def _exact(part: int, whole: int) -> str:
    return f"{part}/{whole} = {100 * part / whole:.1f}%" if whole else "n/a"


# -- --tune: the thresholds swept on the tuning set only ------------------------------------------
def sweep(kb: KnowledgeBase, tuning: Sequence[Case], grid: dict[str, Sequence[float]]) -> list[tuple[dict[str, float], Scores]]:
    import itertools

    ours = Ours(kb)
    if not set(grid) <= set(ours.threshold_names()):
        raise SystemExit(f"--tune: this matcher has no thresholds named {sorted(set(grid) - set(ours.threshold_names()))}")
    out = []
    for values in itertools.product(*grid.values()):
        setting = dict(zip(grid, values))
        ours.set_thresholds(**setting)
        out.append((setting, score(tuning, lambda case: ours.ask(case.q, case.upto), kb)))
    out.sort(key=lambda pair: (-(pair[1].correct - 3 * pair[1].wrong), -pair[1].right))
    return out

