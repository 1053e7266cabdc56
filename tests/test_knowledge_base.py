"""The curated knowledge must stay faithful to the sourced fact sheet.

Fact references are ``topic/n``: the n-th fact with that topic in sources/metallic-rouge-facts.yaml,
counting from 1 in file order. A fact's ``episode: null`` means "not from an episode" (episode 0).

The knowledge is read with plain ``yaml.safe_load`` so these checks do not depend on the bot's loader.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SHEET = REPO / "sources" / "metallic-rouge-facts.yaml"
SHARED_SHEET = REPO.parent / "shared" / "sources" / "metallic-rouge-facts.yaml"
KNOWLEDGE = REPO / "knowledge"
QUESTIONS = REPO / "tests" / "data" / "questions.yaml"


def load_sheet() -> dict[str, dict]:
    """Every fact of the sheet by its reference, in file order."""
    facts = yaml.safe_load(SHEET.read_text(encoding="utf-8"))
    counts: Counter[str] = Counter()
    by_ref: dict[str, dict] = {}
    for fact in facts:
        counts[fact["topic"]] += 1
        by_ref[f"{fact['topic']}/{counts[fact['topic']]}"] = fact
    return by_ref


def fact_episode(fact: dict) -> int:
    return 0 if fact["episode"] is None else int(fact["episode"])


def load_entries() -> list[tuple[str, dict]]:
    """(file name, entry) for every entry of every knowledge file read by the bot."""
    found = []
    for path in sorted(KNOWLEDGE.iterdir()):
        if not path.is_file() or path.suffix.lower() not in (".yaml", ".yml") or path.name.startswith("."):
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for entry in data.get("entries") or []:
            found.append((path.name, entry))
    return found


def all_reveals() -> list[tuple[str, str, dict]]:
    """(file name, entry id, reveal) for every reveal."""
    return [
        (name, entry["id"], reveal)
        for name, entry in load_entries()
        for reveal in entry.get("reveals") or []
    ]


@pytest.fixture(scope="module")
def sheet() -> dict[str, dict]:
    return load_sheet()


@pytest.fixture(scope="module")
def reveals() -> list[tuple[str, str, dict]]:
    found = all_reveals()
    assert found, "no reveals found in knowledge/"
    return found


def test_every_high_confidence_fact_is_covered(sheet, reveals):
    used = {ref for _, _, reveal in reveals for ref in reveal.get("facts") or []}
    missing = [ref for ref, fact in sheet.items() if fact["confidence"] == "high" and ref not in used]
    assert not missing, f"high-confidence facts no reveal cites: {', '.join(missing)}"


def test_every_cited_fact_exists(sheet, reveals):
    unknown = [
        f"{name}: {entry_id} (ep {reveal['episode']}) cites {ref}"
        for name, entry_id, reveal in reveals
        for ref in reveal.get("facts") or []
        if ref not in sheet
    ]
    assert not unknown, "references to facts that are not in the sheet:\n" + "\n".join(unknown)


def test_no_reveal_comes_before_its_facts(sheet, reveals):
    early = [
        f"{name}: {entry_id} reveal at ep {reveal['episode']} cites {ref} from ep {fact_episode(sheet[ref])}"
        for name, entry_id, reveal in reveals
        for ref in reveal.get("facts") or []
        if ref in sheet and int(reveal["episode"]) < fact_episode(sheet[ref])
    ]
    assert not early, "reveals earlier than the episode of a fact they use:\n" + "\n".join(early)


def test_sheet_matches_shared_copy():
    if not SHARED_SHEET.exists():
        pytest.skip(f"no shared fact sheet at {SHARED_SHEET}")
    assert SHEET.read_bytes() == SHARED_SHEET.read_bytes(), (
        f"{SHEET.relative_to(REPO)} differs from {SHARED_SHEET}; copy the shared sheet over"
    )


def test_low_confidence_facts_are_marked_unconfirmed(sheet, reveals):
    unmarked = [
        f"{name}: {entry_id} reveal at ep {reveal['episode']} cites low-confidence {ref}"
        for name, entry_id, reveal in reveals
        for ref in reveal.get("facts") or []
        if ref in sheet and sheet[ref]["confidence"] == "low" and reveal.get("unconfirmed") is not True
    ]
    assert not unmarked, "low-confidence facts in reveals without 'unconfirmed: true':\n" + "\n".join(unmarked)


def test_labelled_questions_point_at_real_entries():
    """tests/data/questions.yaml: every expected entry exists; enough questions and unknowns."""
    if not QUESTIONS.exists():
        pytest.skip("no labelled question set")
    ids = {entry["id"]: entry for _, entry in load_entries()}
    questions = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    problems = []
    for item in questions:
        expect = item["expect"]
        if isinstance(expect, dict):
            target = expect["withheld"]
            if target not in ids:
                problems.append(f"{item['q']!r}: unknown entry {target}")
            elif "upto" not in item or ids[target]["reveals"][0]["episode"] <= item["upto"]:
                problems.append(f"{item['q']!r}: {target} is not past upto, so it cannot be withheld")
        elif expect is not None and expect not in ids:
            problems.append(f"{item['q']!r}: unknown entry {expect}")
    assert not problems, "\n".join(problems)
    assert len(questions) >= 180
    assert sum(1 for item in questions if item["expect"] is None) >= 40


def test_readme_example_is_what_the_bot_answers() -> None:
    """The README's first example is the shipped knowledge's real answer, not a paraphrase."""
    from bot.answering.lore import Lore

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    example = readme.split("```text\n/mystery topic:mother upto:5\n", 1)[1].split("\n```", 1)[0]
    assert example == Lore.load(REPO / "knowledge").mystery("mother", upto=5).text
