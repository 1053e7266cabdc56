"""The curated knowledge must stay faithful to the sourced fact sheet.

Fact references are ``topic/n``: the n-th fact with that topic in sources/metallic-rouge-facts.yaml,
counting from 1 in file order. A fact's ``episode: null`` means "not from an episode" (episode 0).

The knowledge is read with plain ``yaml.safe_load`` so these checks do not depend on the bot's loader.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.knowledge.loader import load_knowledge

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


def test_every_fact_is_reachable_from_some_entry(sheet, reveals):
    """Low-confidence facts too: the sheet keeps them as versions, so the bot offers them, marked unconfirmed."""
    used = {ref for _, _, reveal in reveals for ref in reveal.get("facts") or []}
    missing = [ref for ref in sheet if ref not in used]
    assert not missing, f"facts no reveal cites: {', '.join(missing)}"


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


#: Claims the sheet makes at one episode and overturns at a later one: the earlier fact -> the facts
#: that overturn it. An entry that states the earlier claim must say so in that reveal or a later one,
#: or a viewer who has watched further keeps reading the old claim as true.
OVERTURNED = {
    "rouge-origin/1": {"rouge-mother/4"},  # ep 5 "Roy created Rouge" -> ep 8 Eva Cristella did
    "rouge-origin/2": {"eden/6"},  # ep 5 "Roy and his son Gene" -> ep 11 Eden is Gene's father
    "who-killed-roy/1": {"puppeteer/9", "who-killed-roy/5"},  # ep 1 Roy killed -> ep 12 alive, ep 13 own plan
    "who-killed-roy/2": {"who-killed-roy/5", "who-killed-roy/6"},  # ep 5 "Rouge killed Roy" -> ep 13
    "who-killed-roy/4": {"who-killed-roy/6"},  # ep 6 Giallon's claim -> ep 13 he never did it
    "gene/2": {"gene/4", "who-killed-roy/5", "who-killed-roy/6"},  # ep 5 "the Nine caused Roy's death"
    "factions/2": {"naomi-identity/2"},  # ep 3 Naomi works for Aletheia -> ep 7 Ochrona official
    "giallon/9": {"giallon/10"},  # ep 6 Giallon falls toward Earth -> ep 7 alive
}


def test_overturned_claims_are_corrected_in_the_same_entry(sheet):
    """Episode guides are exempt: they tell what that one episode shows."""
    for earlier, later in OVERTURNED.items():
        assert earlier in sheet and later <= sheet.keys(), f"stale table row {earlier}"
        assert all(fact_episode(sheet[ref]) > fact_episode(sheet[earlier]) for ref in later), earlier
    problems = []
    for name, entry in load_entries():
        if "episode-guide" in (entry.get("tags") or []):
            continue
        reveals = entry["reveals"]
        for index, reveal in enumerate(reveals):
            for ref in set(reveal.get("facts") or []) & OVERTURNED.keys():
                corrected = any(
                    set(later.get("facts") or []) & OVERTURNED[ref] for later in reveals[index:]
                )
                if not corrected:
                    problems.append(
                        f"{name}: {entry['id']} states {ref} at ep {reveal['episode']} and never says that "
                        f"{' / '.join(sorted(OVERTURNED[ref]))} overturns it"
                    )
    assert not problems, "\n".join(problems)


#: Each mystery, and the fact that first raises its question: the question must not be offered earlier.
MYSTERY_RAISED_BY = {
    "mother": "rouge-mother/1",
    "roy": "who-killed-roy/1",
    "gene-rouge": "gene/1",
    "father": "eden/6",
    "naomi": "naomi/1",
    "puppeteer": "puppeteer/1",
    "code-eve": "code-eve/1",
    "cyan": "cyan/2",
    "venus": "venus/1",
    "origin": "rouge-origin/1",
    "juval": "cfn/2",
    "mole": "factions/3",
    "visitors": "visitors/1",
    "nine": "immortal-nine/1",
}


def test_a_mystery_starts_at_the_episode_that_raises_it(sheet):
    by_mystery = {entry["mystery"]: entry for _, entry in load_entries() if entry.get("mystery")}
    wrong = [
        f"/mystery {key} ({by_mystery[key]['id']}) starts at ep {by_mystery[key]['reveals'][0]['episode']}, "
        f"but {ref} raises it at ep {fact_episode(sheet[ref])}"
        for key, ref in MYSTERY_RAISED_BY.items()
        if key in by_mystery and by_mystery[key]["reveals"][0]["episode"] != fact_episode(sheet[ref])
    ]
    assert not wrong, "\n".join(wrong)
    assert MYSTERY_RAISED_BY.keys() <= by_mystery.keys(), "a mystery of the table is gone; update the table"


#: Word sets that, together in an alias, name a twist, and the episode that reveals it (after the
#: series' synonyms: "sylvia" counts as "silvia", "dad" as "father").
TWIST_WORDS = [
    ({"verde"}, 4),
    ({"dumas"}, 4),
    ({"shapeshifter"}, 6),
    ({"silvia"}, 7),
    ({"aerkos"}, 7),
    ({"facilitator"}, 7),
    ({"naomi", "ochrona"}, 7),
    ({"rouge", "proto"}, 7),
    ({"rouge", "protonean"}, 7),
    ({"giallon", "alive"}, 7),
    ({"giallon", "roy"}, 6),
    ({"noir"}, 8),
    ({"eva", "mother"}, 8),
    ({"eva", "created"}, 8),
    ({"eva", "made"}, 8),
    ({"naomi", "nean"}, 9),
    ({"naomi", "visitors"}, 9),
    ({"cyan", "puppeteer"}, 10),
    ({"jill", "eden"}, 10),
    ({"eden", "father"}, 11),
    ({"puppeteer", "roy"}, 12),
    ({"puppeteer", "junghardt"}, 12),
    ({"roy", "alive"}, 12),
    ({"roy", "faked"}, 13),
    ({"roy", "copy"}, 13),
]


def _words(text: str, synonyms: dict[str, str]) -> set[str]:
    return {synonyms.get(word, word) for word in re.findall(r"[a-z0-9]+", text.lower().replace("'s", ""))}


def test_an_alias_that_names_a_twist_waits_for_its_episode():
    """docs/knowledge-format.md: an alias naming a later twist carries its episode (or its entry starts later)."""
    series = yaml.safe_load((KNOWLEDGE / "series.yaml").read_text(encoding="utf-8"))["series"]
    synonyms = {str(key): str(value) for key, value in (series.get("synonyms") or {}).items()}
    early = []
    for name, entry in load_entries():
        first = entry["reveals"][0]["episode"]
        for alias in entry.get("aliases") or []:
            text, episode = (alias, None) if isinstance(alias, str) else (alias["text"], alias.get("episode"))
            shown_from = max(first, episode or 0)
            words = _words(text, synonyms)
            for twist, twist_episode in TWIST_WORDS:
                if twist <= words and shown_from < twist_episode:
                    early.append(
                        f"{name}: {entry['id']} alias {text!r} names an ep {twist_episode} twist from ep {shown_from}"
                    )
    assert not early, "\n".join(early)


#: Links that tell something by existing ("see also: Who is Eden?" under Gene's father), and the
#: episode that reveals the connection. Either direction counts.
TWIST_LINKS = [
    ("rouge-mother", "eva-cristella", 8),
    ("code-eve", "eva-cristella", 8),
    ("code-eve", "asimov-code", 8),
    ("code-eve", "ids", 9),
    ("code-eve", "venus", 9),
    ("usurpers", "venus", 9),
    ("usurpers", "carnival", 5),
    ("juval-death", "giallon", 4),
    ("who-killed-roy", "giallon", 6),
    ("red-figure", "giallon", 6),
    ("afdal-bashal", "immortal-nine", 4),
    ("aes-alice", "immortal-nine", 7),
    ("jill-sturgeon", "alter", 7),
    ("jill-sturgeon", "eden", 10),
    ("graufon", "eden", 12),
    ("naomi", "ochrona", 7),
    ("naomi", "aletheia-mole", 7),
    ("naomi", "visitors", 9),
    ("cyan", "puppeteer", 10),
    ("gene-father", "eden", 11),
    ("puppeteer", "roy-junghardt", 12),
    ("deaths", "cyan-fate", 13),
]


def test_a_link_that_hints_at_a_twist_waits_for_its_episode():
    entries = {entry["id"]: entry for _, entry in load_entries()}
    first = {entry_id: entry["reveals"][0]["episode"] for entry_id, entry in entries.items()}
    early = []
    for one, other, twist_episode in TWIST_LINKS:
        assert one in entries and other in entries, f"stale table row {one} - {other}"
        for source, target in ((one, other), (other, one)):
            for link in entries[source].get("see_also") or []:
                link_id, episode = (link, None) if isinstance(link, str) else (link["id"], link.get("episode"))
                shown_from = max(first[source], first[target], episode or 0)
                if link_id == target and shown_from < twist_episode:
                    early.append(f"{source} -> {target} is shown from ep {shown_from}, the link tells ep {twist_episode}")
    assert not early, "\n".join(early)


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
        elif isinstance(expect, list):  # several entries each answer it
            problems += [f"{item['q']!r}: unknown entry {target}" for target in expect if target not in ids]
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


def test_an_episodes_reveals_are_listed_in_file_order_and_the_list_is_the_callers() -> None:
    kb = load_knowledge(KNOWLEDGE)
    scanned = [(e.id, r.text) for e in kb.entries.values() for r in e.reveals if r.episode == 8]
    listed = kb.reveals_in_episode(8)
    assert [(e.id, r.text) for e, r in listed] == scanned and scanned
    listed.clear()  # the caller's own list: the knowledge's index is untouched
    assert [(e.id, r.text) for e, r in kb.reveals_in_episode(8)] == scanned
    assert kb.reveals_in_episode(99) == []
