"""The two question sets, read into one shape: a question, the asker's horizon, and the entries
whose answer is right (none: the honest reply is to decline).

* The **tuning set** (``tests/data/questions.yaml``): ``{q, expect, upto}``, where ``expect`` is
  an entry id, a list of ids (each answers it: the fact is in a reveal of each), ``null`` (the
  knowledge does not answer it) or ``{withheld: id}`` (the answer is past the asker's ``upto``). Thresholds and the baselines' cutoffs are chosen on it.
* A tuning file may also be **fact-labelled** like the held-out sets (``tests/data/tuning_facts.yaml``,
  ``tests/data/tuning_chat.yaml``).
* The **held-out sets** (``tests/data/heldout.yaml``, ``heldout2.yaml``, ``heldout3.yaml``,
  ``heldout4.yaml``): ``{q, facts, upto, horizon, form}``, written from the fact sheet alone by
  people who did not look at the knowledge. ``facts`` lists fact references (``topic/n``: the
  n-th fact of that topic in ``sources/metallic-rouge-facts.yaml``); ``[]`` means the sheet
  cannot answer it. ``upto`` is passed to the bot; ``horizon`` is the asker's effective horizon
  (the lower of ``upto`` and progress stated in the question). It is resolved through the
  knowledge's own citations: the right entries are those with a reveal visible at the horizon
  whose ``facts:`` cite one of the question's facts. Nothing is ever chosen or tuned on it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.knowledge.model import KnowledgeBase

#: why a question should be declined, or "answerable"
ANSWERABLE = "answerable"
UNANSWERABLE = "not in the knowledge"  # tuning set: expect null
WITHHELD = "past the horizon"  # the answer exists, but only after the asker's horizon
NOT_IN_SHEET = "not in the fact sheet"  # held-out: facts []
NOT_CITED = "no entry cites the fact"  # held-out: the knowledge does not hold the fact

_FACT_REF = re.compile(r"^[a-z0-9][a-z0-9-]*/[1-9][0-9]*$")


@dataclass(frozen=True, slots=True)
class Case:
    q: str
    #: what the bot is told (clamped: None means the whole series)
    upto: int | None
    #: the asker's effective horizon, for scoring (None: the whole series)
    horizon: int | None
    #: entries whose answer is right; empty: the right reply is to decline
    right: frozenset[str]
    kind: str
    form: str | None = None

    @property
    def answerable(self) -> bool:
        return bool(self.right)


def _read_list(path: Path) -> list[dict]:
    data = yaml.safe_load(path.read_text("utf-8"))
    if isinstance(data, dict):
        data = data.get("questions", [])
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a list of questions")
    return data


def _episode(value: object, path: Path, q: str, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{path}: question {q!r}: {what} must be an episode number, not {value!r}")
    return value


def visible_at(kb: KnowledgeBase, entry_id: str, horizon: int | None) -> bool:
    entry = kb.entries.get(entry_id)
    return entry is not None and entry.visible_to(horizon)


def load_tuning(path: Path, kb: KnowledgeBase) -> list[Case]:
    out = []
    for item in _read_list(path):
        q = str(item["q"])
        expect = item.get("expect")
        withheld = isinstance(expect, dict)
        if withheld:
            expect = expect["withheld"]
        expected = [] if expect is None else expect if isinstance(expect, list) else [expect]
        for entry_id in expected:
            if entry_id not in kb.entries:
                raise ValueError(f"{path}: question {q!r} expects unknown entry {entry_id!r}")
        upto = kb.series.clamp_progress(_episode(item.get("upto"), path, q, "upto"))
        visible = frozenset(entry_id for entry_id in expected if visible_at(kb, entry_id, upto))
        if not expected:
            right, kind = frozenset(), UNANSWERABLE
        elif withheld or not visible:
            right, kind = frozenset(), WITHHELD
        else:
            right, kind = visible, ANSWERABLE
        out.append(Case(q, upto, upto, right, kind))
    return out


def fact_sheet_refs(path: Path) -> set[str]:
    """Every ``topic/n`` the fact sheet defines."""
    if not path.exists():
        return set()
    seen: Counter[str] = Counter()
    refs = set()
    for fact in yaml.safe_load(path.read_text("utf-8")) or []:
        topic = fact.get("topic") if isinstance(fact, dict) else None
        if topic:
            seen[topic] += 1
            refs.add(f"{topic}/{seen[topic]}")
    return refs


def citations(kb: KnowledgeBase) -> dict[str, list[tuple[str, int]]]:
    """fact ref -> (entry id, episode of the citing reveal), in file order."""
    out: dict[str, list[tuple[str, int]]] = {}
    for entry in kb.entries.values():
        for reveal in entry.reveals:
            for fact in reveal.facts:
                out.setdefault(fact, []).append((entry.id, reveal.episode))
    return out


@dataclass(frozen=True, slots=True)
class HeldOut:
    cases: list[Case]
    #: fact references the questions use that the fact sheet does not define (typos in the set)
    unknown_refs: list[str]


def load_heldout(path: Path, kb: KnowledgeBase, sheet: Path | None = None) -> HeldOut:
    cited = citations(kb)
    defined = fact_sheet_refs(sheet) if sheet else set()
    unknown: list[str] = []
    out = []
    for item in _read_list(path):
        q = str(item["q"])
        facts = item.get("facts") or []
        if not isinstance(facts, list) or not all(isinstance(f, str) and _FACT_REF.match(f) for f in facts):
            raise ValueError(f"{path}: question {q!r}: facts must be a list of topic/n references, not {facts!r}")
        if defined:
            unknown += [f for f in facts if f not in defined and f not in unknown]
        upto = kb.series.clamp_progress(_episode(item.get("upto"), path, q, "upto"))
        stated = _episode(item.get("horizon"), path, q, "horizon")
        horizon = kb.series.clamp_progress(stated) if stated is not None else upto
        if upto is not None and (horizon is None or horizon > upto):
            horizon = upto  # the effective horizon is never past what the bot was told
        right = frozenset(
            entry_id
            for fact in facts
            for entry_id, episode in cited.get(fact, ())
            if horizon is None or episode <= horizon
        )
        if right:
            kind = ANSWERABLE
        elif not facts:
            kind = NOT_IN_SHEET
        elif any(fact in cited for fact in facts):
            kind = WITHHELD
        else:
            kind = NOT_CITED
        form = item.get("form")
        out.append(Case(q, upto, horizon, right, kind, str(form) if form is not None else None))
    return HeldOut(out, unknown)


def load_questions(path: Path, kb: KnowledgeBase, sheet: Path | None = None) -> list[Case]:
    """A tuning file in either shape: entry-labelled (``expect``) or fact-labelled (``facts``)."""
    items = _read_list(path)
    if any(isinstance(item, dict) and "facts" in item for item in items):
        held = load_heldout(path, kb, sheet)
        if held.unknown_refs:
            raise ValueError(f"{path}: unknown fact references: {', '.join(held.unknown_refs[:10])}")
        return held.cases
    return load_tuning(path, kb)


def describe(cases: Iterable[Case]) -> str:
    counts = Counter(case.kind for case in cases)
    parts = [f"{counts[ANSWERABLE]} answerable"]
    parts += [f"{n} {kind}" for kind, n in sorted(counts.items()) if kind != ANSWERABLE]
    return ", ".join(parts)
