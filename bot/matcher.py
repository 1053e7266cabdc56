"""Fuzzy matching of a fan's question to a knowledge entry, spoiler gate included.

The index is built once per knowledge load. A question is matched in three steps:

1. its words are looked up in the vocabulary of the knowledge (exactly, then fuzzily for typos,
   and by prefix for the word being typed in autocomplete); a question none of whose words the
   knowledge uses is unknown at once;
2. the phrasings (questions and aliases) that share the most of those words are scored with
   rapidfuzz's WRatio on normalised text, weighted by how much of the question they cover, so
   "naruto's mother" does not pass for "Rouge's mother";
3. the verdict: answer only a clear, strong best entry; a weaker or ambiguous one becomes
   "did you mean"; a best match the asker has not reached is withheld, never swapped for an
   earlier neighbour.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

from rapidfuzz import fuzz, process

from bot.model import Entry, KnowledgeBase
from bot.normalize import tokens


class Verdict(str, Enum):
    ANSWERED = "answered"
    SUGGEST = "suggest"
    WITHHELD = "withheld"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Thresholds:
    #: a best score at or above this is answered, if it is also clear of the runner-up
    answer: float = 80.0
    #: how far ahead of the best other entry the best must be to be answered outright
    margin: float = 6.0
    #: at or above this, offer "did you mean"; below it, the bot does not know
    suggest: float = 58.0
    #: a fuzzy word match (typo) must be at least this similar
    word: float = 80.0


@dataclass(frozen=True, slots=True)
class Scored:
    entry: Entry
    score: float
    phrasing: str


@dataclass(frozen=True, slots=True)
class MatchResult:
    verdict: Verdict
    best: Scored | None = None
    #: entries to offer as "did you mean", best first; all visible to the asker
    suggestions: tuple[Scored, ...] = field(default_factory=tuple)

    @property
    def entry(self) -> Entry | None:
        return self.best.entry if self.best else None

    @property
    def score(self) -> float:
        return self.best.score if self.best else 0.0


@dataclass(frozen=True, slots=True)
class _Phrasing:
    entry: Entry
    text: str  # normalised
    words: frozenset[str]
    #: the first episode the phrasing is not a spoiler at: its entry's, or later for a twist alias
    episode: int


class Matcher:
    """An index over every question and alias of a knowledge base."""

    CANDIDATES = 300  # phrasings scored in full per question, chosen by word overlap

    def __init__(self, kb: KnowledgeBase, thresholds: Thresholds | None = None) -> None:
        self.kb = kb
        self.thresholds = thresholds or Thresholds()
        self.synonyms = kb.series.synonyms
        self._phrasings: list[_Phrasing] = []
        for entry in kb.entries.values():
            self._add(entry, entry.question, entry.first_episode)
            for alias in entry.aliases:
                self._add(entry, alias.text, max(entry.first_episode, alias.episode or 0))
        postings: dict[str, list[int]] = {}
        for index, phrasing in enumerate(self._phrasings):
            for word in phrasing.words:
                postings.setdefault(word, []).append(index)
        self._postings = postings
        self._vocabulary = sorted(postings)
        self._texts = [phrasing.text for phrasing in self._phrasings]
        # Entries for an empty autocomplete box: mysteries first, then in file order.
        self._browse_order = sorted(kb.entries.values(), key=lambda e: (e.mystery is None, e.first_episode))

    def _add(self, entry: Entry, text: str, episode: int) -> None:
        words = tokens(text, self.synonyms)
        if words:
            self._phrasings.append(_Phrasing(entry, " ".join(words), frozenset(words), episode))

    # -- public ---------------------------------------------------------------------------------
    def match(self, question: str, upto: int | None = None, *, limit: int = 3) -> MatchResult:
        """Match a whole question for an asker who has watched up to ``upto`` (None: all)."""
        ranked = self._rank(question, prefix=False)
        if not ranked:
            return MatchResult(Verdict.UNKNOWN)
        t = self.thresholds
        best_phrasing, best_score = ranked[0]
        best = Scored(best_phrasing.entry, best_score, best_phrasing.text)
        if best_score < t.suggest:
            return MatchResult(Verdict.UNKNOWN, best)
        if upto is not None and best_phrasing.episode > upto:
            return MatchResult(Verdict.WITHHELD, best)
        visible = self._per_entry(ranked, upto)
        suggestions = tuple(s for s in visible if s.score >= t.suggest)[:limit]
        runner_up = visible[1].score if len(visible) > 1 else 0.0
        clear = best_score - runner_up >= t.margin or (best_score >= 99.5 and runner_up < 99.5)
        if best_score >= t.answer and clear:
            return MatchResult(Verdict.ANSWERED, best, suggestions)
        return MatchResult(Verdict.SUGGEST, best, suggestions)

    def complete(self, typed: str, upto: int | None = None, *, limit: int = 25) -> list[Entry]:
        """Entries to offer while the asker types; never one past their horizon."""
        if not tokens(typed, self.synonyms):
            return [entry for entry in self._browse_order if entry.visible_to(upto)][:limit]
        ranked = self._rank(typed, prefix=True)
        floor = self.thresholds.suggest * 0.8
        scored = [s for s in self._per_entry(ranked, upto) if s.score >= floor]
        return [s.entry for s in scored[:limit]]

    def complete_mystery(self, typed: str, upto: int | None = None, *, limit: int = 25) -> list[Entry]:
        """Mystery entries whose key or question fits what is typed, for /mystery's autocomplete."""
        mysteries = [
            self.kb.entries[entry_id]
            for _, entry_id in sorted(self.kb.mysteries.items())
            if self.kb.entries[entry_id].visible_to(upto)
        ]
        typed = typed.strip().lower()
        if not typed:
            return mysteries[:limit]
        scored = [
            (max(fuzz.WRatio(typed, entry.mystery or ""), fuzz.partial_ratio(typed, entry.question.lower())), entry)
            for entry in mysteries
        ]
        scored.sort(key=lambda pair: -pair[0])
        return [entry for score, entry in scored if score >= 60][:limit]

    # -- internals -------------------------------------------------------------------------------
    def _similar_words(self, word: str, *, prefix: bool) -> set[str]:
        found: set[str] = set()
        if word in self._postings:
            found.add(word)
        if prefix and len(word) >= 2:
            start = bisect.bisect_left(self._vocabulary, word)
            for candidate in self._vocabulary[start : start + 50]:
                if not candidate.startswith(word):
                    break
                found.add(candidate)
        if not found and len(word) >= 3:
            for candidate, _, _ in process.extract(
                word,
                self._vocabulary,
                scorer=fuzz.ratio,
                score_cutoff=self.thresholds.word,
                limit=5,
            ):
                found.add(candidate)
        return found

    def _rank(self, question: str, *, prefix: bool) -> list[tuple[_Phrasing, float]]:
        """Phrasings that share words with the question, best first, with their scores."""
        words = tokens(question, self.synonyms)[:24]  # a pasted essay is not a question
        if not words:
            return []
        hits: Counter[int] = Counter()
        known = 0
        for position, word in enumerate(words):
            similar = self._similar_words(word, prefix=prefix and position == len(words) - 1)
            if not similar:
                continue
            known += 1
            covering: set[int] = set()
            for vocabulary_word in similar:
                covering.update(self._postings[vocabulary_word])
            hits.update(covering)
        if not hits:
            return []
        query = " ".join(words)
        candidates = [index for index, _ in hits.most_common(self.CANDIDATES)]
        base_scores = process.extract(
            query,
            {index: self._texts[index] for index in candidates},
            scorer=fuzz.WRatio,
            limit=None,
        )
        ranked = []
        for _, base, index in base_scores:
            phrasing = self._phrasings[index]
            # Share of the question's words this phrasing accounts for, and of its own words the
            # question used: both missing halves make a match less certain.
            question_coverage = hits[index] / len(words)
            phrasing_coverage = min(1.0, hits[index] / len(phrasing.words))
            weight = 0.55 + 0.3 * question_coverage + 0.15 * phrasing_coverage
            ranked.append((phrasing, base * weight))
        ranked.sort(key=lambda pair: -pair[1])
        return ranked

    @staticmethod
    def _per_entry(ranked: Iterable[tuple[_Phrasing, float]], upto: int | None) -> list[Scored]:
        """The best visible phrasing of each entry, best entry first."""
        seen: dict[str, Scored] = {}
        for phrasing, score in ranked:
            if upto is not None and phrasing.episode > upto:
                continue
            if phrasing.entry.id not in seen:
                seen[phrasing.entry.id] = Scored(phrasing.entry, score, phrasing.text)
        return list(seen.values())
