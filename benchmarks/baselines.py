"""What a maintainer might use instead of our matcher: the two obvious one-liners.

Both get the same spoiler gate the bot applies at entry level (a best entry the asker has not
reached is withheld), so the comparison is about matching, not about gating. Neither normalises
the text: that is the point of the comparison. Each has one knob, its cutoff, which the quality
benchmark tunes on the tuning half of the question set so the baselines get a fair chance.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.knowledge.model import Entry, KnowledgeBase


@dataclass(frozen=True, slots=True)
class BaselineResult:
    entry: Entry | None
    score: float


class DifflibBaseline:
    """``difflib.get_close_matches`` over the canonical questions."""

    name = "difflib"

    def __init__(self, kb: KnowledgeBase, cutoff: float = 0.6) -> None:
        self.cutoff = cutoff
        self._by_question = {entry.question: entry for entry in kb.entries.values()}
        self._questions = list(self._by_question)

    def best(self, question: str) -> BaselineResult:
        """The best question at any cutoff (cutoff 0), for tuning."""
        found = difflib.get_close_matches(question, self._questions, n=1, cutoff=0.0)
        if not found:
            return BaselineResult(None, 0.0)
        score = difflib.SequenceMatcher(None, question, found[0]).ratio()
        return BaselineResult(self._by_question[found[0]], score * 100)

    def match(self, question: str) -> BaselineResult:
        found = difflib.get_close_matches(question, self._questions, n=1, cutoff=self.cutoff)
        return BaselineResult(self._by_question[found[0]] if found else None, 0.0)

    def complete(self, typed: str, limit: int = 25) -> list[Entry]:
        found = difflib.get_close_matches(typed, self._questions, n=limit, cutoff=0.0)
        return [self._by_question[q] for q in found]


class WRatioBaseline:
    """``rapidfuzz.process.extractOne(q, questions + aliases, scorer=WRatio)``, no processor."""

    name = "rapidfuzz WRatio"

    def __init__(self, kb: KnowledgeBase, cutoff: float = 80.0) -> None:
        self.cutoff = cutoff
        self._choices: list[str] = []
        self._owners: list[Entry] = []
        for entry in kb.entries.values():
            for text in (entry.question, *(alias.text for alias in entry.aliases)):
                self._choices.append(text)
                self._owners.append(entry)

    def best(self, question: str) -> BaselineResult:
        found = process.extractOne(question, self._choices, scorer=fuzz.WRatio)
        if found is None:
            return BaselineResult(None, 0.0)
        return BaselineResult(self._owners[found[2]], found[1])

    def match(self, question: str) -> BaselineResult:
        found = process.extractOne(question, self._choices, scorer=fuzz.WRatio, score_cutoff=self.cutoff)
        if found is None:
            return BaselineResult(None, 0.0)
        return BaselineResult(self._owners[found[2]], found[1])

    def complete(self, typed: str, limit: int = 25) -> list[Entry]:
        found = process.extract(typed, self._choices, scorer=fuzz.WRatio, limit=limit)
        return [self._owners[index] for _, _, index in found]
