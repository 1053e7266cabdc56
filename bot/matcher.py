"""Fuzzy matching of a fan's question to a knowledge entry, spoiler gate included.

The index is built once per knowledge load. A question is matched in four steps:

1. its words (normalised, then stemmed: "killers" -> "kill") are looked up in the vocabulary of
   the knowledge: exactly, as two words run together or one word split ("puppetmaster",
   "back story"), then fuzzily for typos (a deletion index, so the cost does not grow with the
   vocabulary), and by prefix for the word being typed in autocomplete. A question none of
   whose words the knowledge uses is unknown at once;
2. the phrasings (questions and aliases) that contain the question's rarest words are its
   candidates; common words ("rouge", "episode") only add to a candidate's score;
3. each candidate is scored on two things: how much of the question's *information* it
   explains and how much of its own it uses (word weights are inverse document frequencies,
   so "director" counts for far more than "metallic rouge"), and rapidfuzz's WRatio on the
   normalised texts for what words alone miss (typos, word order, partial phrasings). A word
   the knowledge has never seen ("naruto") counts against every candidate, so "naruto's
   mother" does not pass for "Rouge's mother";
4. the verdict: answer only a clear, strong best entry; a weaker or ambiguous one becomes
   "did you mean"; a best match the asker has not reached is withheld, never swapped for an
   earlier neighbour.
"""

from __future__ import annotations

import bisect
import gc
import math
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum

from rapidfuzz import fuzz, process

from bot.model import Entry, KnowledgeBase
from bot.normalize import stem, tokens


class Verdict(str, Enum):
    ANSWERED = "answered"
    SUGGEST = "suggest"
    WITHHELD = "withheld"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The verdict's cut-offs (scores are 0-100). Chosen on the tuning half of the question set:
    see docs/performance.md."""

    #: a best score at or above this is answered, if it is also clear of the runner-up
    answer: float = 72.0
    #: how far ahead of the best other entry the best must be to be answered outright
    margin: float = 2.0
    #: at or above this, offer "did you mean"; below it, the bot does not know
    suggest: float = 55.0
    #: a fuzzy word match (typo) must be at least this similar (rapidfuzz ratio)
    word: float = 80.0


@dataclass(frozen=True, slots=True)
class Scoring:
    """How a candidate phrasing's score is made; fixed, documented, tuned like the thresholds."""

    #: share of the score from the word-information match (the rest is WRatio on the texts)
    words: float = 0.6
    #: in the word match, how much more explaining the question counts than using the phrasing
    recall_bias: float = 2.0
    #: weight of a word the knowledge does not know, relative to the rarest known word
    unknown_word: float = 1.6
    #: similarity of an unfinished word to the word it starts ("roug" -> "rouge", "joke" ->
    #: "joker"): it may as well be the start of another word, so it is a weak match
    unfinished: float = 0.5


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
    text: str  # normalised and stemmed, for WRatio
    words: frozenset[str]  # stems
    #: the first episode the phrasing is not a spoiler at: its entry's, or later for a twist alias
    episode: int
    #: the sum of its words' weights
    weight: float


@dataclass(frozen=True, slots=True)
class _Word:
    """One word of a question, with the vocabulary stems it may stand for."""

    text: str  # as stemmed from the question
    weight: float
    #: stem -> similarity in (0, 1]; empty when the knowledge does not know the word
    stems: dict[str, float]


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The index is many small acyclic objects; the cyclic collector only slows building it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Matcher:
    """An index over every question and alias of a knowledge base."""

    #: phrasings scored in full per question, chosen by how many of its words they contain
    CANDIDATES = 300
    #: a word in more phrasings than this does not pull in candidates by itself when the
    #: question has rarer words (it still counts towards the score of those it is in)
    COMMON = 400
    #: words of a question considered (a pasted essay is not a question)
    MAX_WORDS = 24

    def __init__(
        self, kb: KnowledgeBase, thresholds: Thresholds | None = None, scoring: Scoring | None = None
    ) -> None:
        self.kb = kb
        self.thresholds = thresholds or Thresholds()
        self.scoring = scoring or Scoring()
        self.synonyms = kb.series.synonyms
        with _gc_paused():
            self._build(kb)

    def _build(self, kb: KnowledgeBase) -> None:
        raw: list[tuple[Entry, list[str], int]] = []
        surface_stems: dict[str, str] = {}
        for entry in kb.entries.values():
            texts = [(entry.question, entry.first_episode)]
            texts += [(a.text, max(entry.first_episode, a.episode or 0)) for a in entry.aliases]
            for text, episode in texts:
                words = tokens(text, self.synonyms)
                if not words:
                    continue
                stems = []
                for word in words:
                    stemmed = surface_stems.get(word)
                    if stemmed is None:
                        stemmed = surface_stems[word] = stem(word)
                    stems.append(stemmed)
                raw.append((entry, stems, episode))
        # Inverse document frequency over entries: a word in every entry says nothing.
        entry_words: dict[str, set[str]] = {}
        for entry, stems, _ in raw:
            entry_words.setdefault(entry.id, set()).update(stems)
        document_frequency: Counter[str] = Counter()
        for words in entry_words.values():
            document_frequency.update(words)
        count = max(1, len(entry_words))
        # A bare number ("2") is weak evidence whatever its rarity: episode 2, Mk 2, 2 + 2.
        self._weights = {
            w: math.log(1 + count / df) * (0.5 if w.isdigit() else 1.0) for w, df in document_frequency.items()
        }
        self._unknown_weight = math.log(1 + count) * self.scoring.unknown_word

        self._phrasings: list[_Phrasing] = []
        postings: dict[str, list[int]] = {}
        weights = self._weights
        for entry, stems, episode in raw:
            words = frozenset(stems)
            index = len(self._phrasings)
            self._phrasings.append(
                _Phrasing(entry, " ".join(stems), words, episode, sum(weights[w] for w in words))
            )
            for word in words:
                postings.setdefault(word, []).append(index)
        self._postings = postings
        # Surface words (as written, before stemming) for typos and prefixes.
        self._surface = surface_stems
        self._surface_sorted = sorted(surface_stems)
        self._deletions: dict[str, list[str]] = {}
        for word in surface_stems:
            if len(word) >= 4:
                for key in (word, *_deletions(word)):
                    self._deletions.setdefault(key, []).append(word)
        self._texts = [phrasing.text for phrasing in self._phrasings]
        # Entries for an empty autocomplete box: mysteries first, then in file order.
        self._browse_order = sorted(kb.entries.values(), key=lambda e: (e.mystery is None, e.first_episode))

    # -- public ---------------------------------------------------------------------------------
    def match(self, question: str, upto: int | None = None, *, limit: int = 3) -> MatchResult:
        """Match a whole question for an asker who has watched up to ``upto`` (None: all)."""
        t = self.thresholds
        ranked = self._rank(question, upto, prefix=False, floor=t.suggest)
        if not ranked:
            return MatchResult(Verdict.UNKNOWN)
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
        floor = self.thresholds.suggest * 0.8
        ranked = self._rank(typed, upto, prefix=True, floor=floor)
        return [s.entry for s in self._per_entry(ranked, upto)[:limit]]

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
    def _stems(self, words: list[str]) -> list[str]:
        surface = self._surface
        return [surface.get(word) or stem(word) for word in words]

    def _analyse(self, words: list[str], *, prefix: bool) -> list[_Word]:
        """Each word of the question with the stems it may mean and how much it weighs."""
        postings = self._postings
        stems = self._stems(words)
        out: list[_Word] = []
        skip = False
        last = len(words) - 1
        for i, (word, stemmed) in enumerate(zip(words, stems)):
            if skip:
                skip = False
                continue
            typing = prefix and i == last
            # Two words run apart: "back story" -> "backstory".
            if i < last and not (prefix and i + 1 == last):
                joined = stem(word + words[i + 1])
                if joined in postings:
                    out.append(self._word(joined, {joined: 1.0}))
                    skip = True
                    continue
            found: dict[str, float] = {}
            if stemmed in postings:
                found[stemmed] = 1.0
            if typing and len(word) >= 2:
                start = bisect.bisect_left(self._surface_sorted, word)
                for candidate in self._surface_sorted[start : start + 50]:
                    if not candidate.startswith(word):
                        break
                    found.setdefault(self._surface[candidate], 1.0)
            if not found:
                # Two words run together: "puppetmaster" -> "puppet master".
                split = self._split(word)
                if split:
                    out.extend(self._word(part, {part: 1.0}) for part in split)
                    continue
                found = self._typo(word)
            out.append(self._word(stemmed, found))
        return out

    def _word(self, text: str, stems: dict[str, float]) -> _Word:
        if not stems:
            return _Word(text, self._unknown_weight, stems)
        weights = self._weights
        return _Word(text, max(weights[s] for s in stems), stems)

    def _split(self, word: str) -> tuple[str, str] | None:
        if len(word) < 6 or not word.isalpha():
            return None
        postings = self._postings
        for cut in range(3, len(word) - 2):
            left, right = stem(word[:cut]), stem(word[cut:])
            if left in postings and right in postings:
                return left, right
        return None

    def _typo(self, word: str) -> dict[str, float]:
        """Vocabulary words one slip away (a letter dropped, added, changed or swapped)."""
        if len(word) < 3:
            return {}
        candidates: set[str] = set()
        deletions = self._deletions
        for key in (word, *_deletions(word)):
            found = deletions.get(key)
            if found:
                candidates.update(found)
        out: dict[str, float] = {}
        cutoff = self.thresholds.word
        unfinished = self.scoring.unfinished
        for candidate in candidates:
            similarity = fuzz.ratio(word, candidate, score_cutoff=cutoff) / 100
            if similarity:
                if candidate.startswith(word):
                    similarity = min(similarity, unfinished)
                stemmed = self._surface[candidate]
                out[stemmed] = max(out.get(stemmed, 0.0), similarity)
        return out

    def _rank(
        self, question: str, upto: int | None, *, prefix: bool, floor: float
    ) -> list[tuple[_Phrasing, float]]:
        """Phrasings that share words with the question, best first, with their scores."""
        words = tokens(question, self.synonyms)[: self.MAX_WORDS]
        if not words:
            return []
        analysed = self._analyse(words, prefix=prefix)
        known = [w for w in analysed if w.stems]
        if not known:
            return []
        postings = self._postings
        # Candidates: phrasings holding the question's informative words.
        by_rarity = sorted(known, key=lambda w: -w.weight)
        hits: Counter[int] = Counter()
        for position, word in enumerate(by_rarity):
            lists = [postings[s] for s in word.stems]
            if position and sum(map(len, lists)) > self.COMMON and hits:
                break
            if len(lists) == 1:
                hits.update(lists[0])
            else:
                hits.update({index for found in lists for index in found})
        candidates = [index for index, _ in hits.most_common(self.CANDIDATES)]

        scoring = self.scoring
        total = sum(w.weight for w in analysed)
        weights = self._weights
        query = " ".join(self._query_text(analysed))
        recall_bias = scoring.recall_bias
        share = scoring.words
        # A candidate's best possible score is its word score at 100% WRatio: skip WRatio below it.
        ranked: list[tuple[_Phrasing, float]] = []
        texts = self._texts
        phrasings = self._phrasings
        ratio = fuzz.WRatio
        for index in candidates:
            phrasing = phrasings[index]
            own = phrasing.words
            explained = 0.0
            used: dict[str, float] = {}
            for word in known:
                best = 0.0
                best_stem = None
                for candidate, similarity in word.stems.items():
                    if candidate in own and similarity > best:
                        best, best_stem = similarity, candidate
                if best_stem is not None:
                    explained += word.weight * best
                    if best > used.get(best_stem, 0.0):
                        used[best_stem] = best
            recall = explained / total
            precision = sum(weights[s] * v for s, v in used.items()) / phrasing.weight
            if recall <= 0.0 or precision <= 0.0:
                continue
            f = (1 + recall_bias) * precision * recall / (recall_bias * precision + recall)
            ceiling = 100 * (share * f + (1 - share))
            if ceiling < floor:
                continue
            character = ratio(query, texts[index]) / 100
            ranked.append((phrasing, 100 * (share * f + (1 - share) * character)))
        ranked.sort(key=lambda pair: -pair[1])
        return ranked

    def _query_text(self, analysed: list[_Word]) -> Iterable[str]:
        """The question as typed (stemmed, not typo-corrected), for the character-level score."""
        for word in analysed:
            yield word.text

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


def _deletions(word: str) -> set[str]:
    """The word with one letter left out, each way: two words one typo apart share one of these."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}
