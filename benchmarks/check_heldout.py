"""Check the held-out question set (tests/data/heldout.yaml) against the fact sheet.

Run from the project root:  python -m benchmarks.check_heldout [--per-question]

It checks that every question is well formed, that every fact ref (`topic/n`, the n-th fact with
that topic in file order, counting from 1) exists in sources/metallic-rouge-facts.yaml, and that
`horizon` is the lower of `upto` and the progress stated in the text (and is absent when neither
is given). It reports the episode of every fact ref (null = 0), the counts by form, and the
shares of unanswerable questions (facts: []) and of questions asked before the answering fact's
episode (a horizon below every listed fact's episode). Exit status 1 on any problem.

Uses PyYAML only, not the bot: the set must stay independent of the bot's code and knowledge.
"""

from __future__ import annotations

import argparse
import collections
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
FORMS = ("who what when where why how yesno comparison list multi progress slang typo chatty").split()
LAST_EPISODE = 13

# Progress a fan states in the message: "im on ep 4", "only seen up to 9", "just finished ep 10",
# "watched up to ep 11", "no spoilers past ep 3", "im at ep 9", "on ep 8 rn".
STATED_PROGRESS = re.compile(
    r"(?:\bi'?m\s+(?:on|at)|^on|\bfinished|\bseen up to|\bwatched up to|\bup to|\bpast)\s+"
    r"(?:ep(?:isode)?\s*)?(\d{1,2})\b",
    re.IGNORECASE,
)


def read_facts(facts_path: Path) -> tuple[dict[str, int], set[str]]:
    """Map each `topic/n` ref to its fact's first episode (null = 0); also the low-confidence refs."""
    counter: collections.Counter[str] = collections.Counter()
    episodes, low = {}, set()
    for fact in yaml.safe_load(facts_path.read_text(encoding="utf-8")):
        counter[fact["topic"]] += 1
        ref = f"{fact['topic']}/{counter[fact['topic']]}"
        episodes[ref] = fact["episode"] or 0
        if fact.get("confidence") == "low":
            low.add(ref)
    return episodes, low


# Having seen the whole series: "just finished the last ep", "binged the whole thing".
WHOLE_SERIES = re.compile(
    r"\b(?:finished|watched|binged|seen) (?:the )?(?:last ep(?:isode)?|finale|whole thing|whole series)\b",
    re.IGNORECASE,
)


def stated_progress(text: str) -> int | None:
    found = [int(m.group(1)) for m in STATED_PROGRESS.finditer(text)]
    found += [LAST_EPISODE] * bool(WHOLE_SERIES.search(text))
    return min(found) if found else None


def check(questions: list[dict], episodes: dict[str, int], low: set[str], per_question: bool) -> list[str]:
    problems = []
    seen_texts = set()
    forms = collections.Counter()
    unanswerable = before = with_horizon = 0
    covered: set[str] = set()
    for index, item in enumerate(questions, 1):
        where = f"question {index} ({item.get('q', '?')!r})"
        text = item.get("q")
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{where}: q must be non-empty text")
            continue
        if text.lower() in seen_texts:
            problems.append(f"{where}: duplicate question")
        seen_texts.add(text.lower())
        unknown_keys = set(item) - {"q", "facts", "upto", "horizon", "form"}
        if unknown_keys:
            problems.append(f"{where}: unknown keys {sorted(unknown_keys)}")
        form = item.get("form")
        if form not in FORMS:
            problems.append(f"{where}: form {form!r} is not one of {FORMS}")
        forms[form] += 1
        refs = item.get("facts")
        if not isinstance(refs, list):
            problems.append(f"{where}: facts must be a list")
            continue
        if len(set(refs)) != len(refs):
            problems.append(f"{where}: a fact ref is listed twice")
        missing = [ref for ref in refs if ref not in episodes]
        for ref in missing:
            problems.append(f"{where}: no fact {ref}")
        upto = item.get("upto")
        for key in ("upto", "horizon"):
            value = item.get(key)
            if value is not None and not (isinstance(value, int) and 1 <= value <= LAST_EPISODE):
                problems.append(f"{where}: {key} must be an episode 1..{LAST_EPISODE}")
        stated = stated_progress(text)
        expected = min(v for v in (upto, stated) if v is not None) if (upto or stated) else None
        if item.get("horizon") != expected:
            problems.append(
                f"{where}: horizon {item.get('horizon')} but upto={upto}, stated progress={stated}"
            )
        horizon = item.get("horizon")
        known = [ref for ref in refs if ref in episodes]
        covered.update(known)
        if not refs:
            unanswerable += 1
        if horizon is not None:
            with_horizon += 1
            if known and min(episodes[ref] for ref in known) > horizon:
                before += 1
        if per_question:
            shown = ", ".join(f"{ref} (ep {episodes[ref]})" for ref in known) or "unanswerable"
            mark = f" [horizon {horizon}]" if horizon is not None else ""
            print(f"{index:3}. {form:10} {text}\n       -> {shown}{mark}")
    total = len(questions)
    print(f"\n{total} questions; by form:")
    for form in FORMS:
        print(f"  {form:11} {forms[form]:3}")
    print(f"unanswerable (facts: []): {unanswerable} ({unanswerable / total:.1%})")
    print(f"with a horizon (upto or stated progress): {with_horizon} ({with_horizon / total:.1%})")
    print(f"asked before the answering fact's episode: {before} ({before / total:.1%})")
    topics = {ref.split("/")[0] for ref in episodes}
    print(
        f"facts covered: {len(covered)} of {len(episodes)}; topics covered: "
        f"{len({ref.split('/')[0] for ref in covered})} of {len(topics)}"
    )
    on_low = sum(1 for q in questions if set(q.get("facts") or []) & low)
    print(f"questions citing a low-confidence fact (answer should be marked unconfirmed): {on_low}")
    ref_episodes = collections.Counter(episodes[ref] for q in questions for ref in q.get("facts") or [] if ref in episodes)
    print("fact refs by episode (0 = not episode-bound): " + ", ".join(f"{ep}: {n}" for ep, n in sorted(ref_episodes.items())))
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=ROOT / "tests/data/heldout.yaml")
    parser.add_argument("--facts", type=Path, default=ROOT / "sources/metallic-rouge-facts.yaml")
    parser.add_argument("--per-question", action="store_true", help="print every question with its fact refs and episodes")
    args = parser.parse_args()
    questions = yaml.safe_load(args.questions.read_text(encoding="utf-8"))
    episodes, low = read_facts(args.facts)
    problems = check(questions, episodes, low, args.per_question)
    for problem in problems:
        print(f"{args.questions}: {problem}", file=sys.stderr)
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
