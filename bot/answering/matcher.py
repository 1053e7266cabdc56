"""Fuzzy matching of a fan's question to a knowledge entry, spoiler gate included.

The index is built once per knowledge load. A question is matched in four steps:

1. its words (normalised, then stemmed: "killers" -> "kill") are looked up in the vocabulary of
   the knowledge: exactly, as two words run together or one word split ("puppetmaster",
   "back story"), then fuzzily for typos (a deletion index, so the cost does not grow with the
   vocabulary), and by prefix for the word being typed in autocomplete. A question none of
   whose words the knowledge uses is unknown at once;
2. the phrasings (questions and aliases) that contain the question's rarest words are its
   candidates; common words ("rouge", "episode") only add to a candidate's score;
3. each candidate is scored on two things, half each: how much of the question's
   *information* it explains and how much of its own it uses (word weights are inverse
   document frequencies, so "director" counts for far more than "metallic rouge"; a word
   another phrasing of the same entry has counts half), and rapidfuzz's WRatio on the
   normalised texts for what words alone miss (typos, word order, partial phrasings). A word
   the knowledge has never seen ("naruto", "birthday") counts against every candidate, so
   "naruto's mother" does not pass for "Rouge's mother"; a vague one ("real") barely counts;
4. the verdict: answer only a clear, strong best entry; a weaker or ambiguous one becomes
   "did you mean"; a best match the asker has not reached is withheld, never swapped for an
   earlier neighbour.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from itertools import islice

from rapidfuzz import fuzz

from bot.gc_pause import paused_gc
from bot.knowledge.model import Entry, KnowledgeBase
from bot.answering.normalize import VAGUE_WORDS, stem, tokens

_VAGUE = frozenset(stem(word) for word in VAGUE_WORDS)


class Verdict(str, Enum):
    ANSWERED = "answered"
    SUGGEST = "suggest"
    WITHHELD = "withheld"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The verdict's cut-offs (scores are 0-100), chosen on the tuning half of the labelled
    question set: see docs/performance.md and ``python -m benchmarks --tune``."""

    #: a best score at or above this is answered, if it is also clear of the runner-up
    answer: float = 74.0
    #: how far ahead of the best other entry the best must be to be answered outright
    margin: float = 2.0
    #: at or above this, offer "did you mean"; below it, the bot does not know
    suggest: float = 60.0
    #: a fuzzy word match (typo) must be at least this similar (rapidfuzz ratio)
    word: float = 80.0


@dataclass(frozen=True, slots=True)
class Scoring:
    """How a candidate phrasing's score is made; fixed, documented, tuned like the thresholds."""

    #: share of the score from the word-information match (the rest is WRatio on the texts)
    words: float = 0.5
    #: in the word match, how much more explaining the question counts than using the phrasing
    recall_bias: float = 2.0
    #: weight of a word the knowledge does not know, relative to the rarest known word
    unknown_word: float = 1.6
    #: similarity of an unfinished word to the word it starts ("roug" -> "rouge", "joke" ->
    #: "joker"): it may as well be the start of another word, so it is a weak match
    unfinished: float = 0.5
    #: weight of a vague word ("real", "special", "organization"; normalize.VAGUE_WORDS),
    #: relative to the rarest known word, whether or not the knowledge uses it
    vague_word: float = 0.25
    #: credit for a question word the phrasing lacks but another phrasing of its entry has
    #: ("ministry of truth aletheia": "ministry of truth" is one alias, "aletheia" another)
    sibling: float = 0.5


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
class _Word:
    """One word of a question, with the vocabulary stems it may stand for."""

    text: str  # as stemmed from the question
    weight: float
    #: stem -> similarity in (0, 1]; empty when the knowledge does not know the word
    stems: dict[str, float]


class Matcher:
    """An index over every question and alias of a knowledge base."""

    #: phrasings scored in full per question, chosen by how many of its words they contain
    CANDIDATES = 150
    #: a word in more phrasings than this does not pull in candidates by itself when the
    #: question has rarer words (it still counts towards the score of those it is in)
    COMMON = 400
    #: words of a question considered (a pasted essay is not a question)
    MAX_WORDS = 24
    #: longer "words" are not looked up as typos or split (no name is this long; junk can be)
    LONGEST_WORD = 30

    def __init__(
        self, kb: KnowledgeBase, thresholds: Thresholds | None = None, scoring: Scoring | None = None
    ) -> None:
        self.kb = kb
        self.thresholds = thresholds or Thresholds()
        self.scoring = scoring or Scoring()
        self.synonyms = kb.series.synonyms
        with paused_gc():
            self._build(kb)

    def _build(self, kb: KnowledgeBase) -> None:
        synonyms = self.synonyms
        surface_stems: dict[str, str] = {}  # a word as written -> its stem
        # One row per phrasing (question or alias), in parallel lists: compact and quick to build.
        self._entries: list[Entry] = []
        self._words: list[frozenset[str]] = []
        #: the first episode a phrasing is not a spoiler at: its entry's, or later for a twist alias
        self._episodes: list[int] = []
        self._texts: list[str] = []  # normalised and stemmed, for WRatio
        document_frequency: Counter[str] = Counter()
        #: entry id -> each word of its phrasings -> the first episode a phrasing with it is visible
        self._entry_words: dict[str, dict[str, int]] = {}
        for entry in kb.entries.values():
            first = entry.first_episode
            entry_words: dict[str, int] = {}
            self._entry_words[entry.id] = entry_words
            phrasings = [(entry.question, first)]
            phrasings += [(alias.text, max(first, alias.episode or 0)) for alias in entry.aliases]
            for text, episode in phrasings:
                stems = [surface_stems.get(w) or surface_stems.setdefault(w, stem(w)) for w in tokens(text, synonyms)]
                if not stems:
                    continue
                words = frozenset(stems)
                for word in words:
                    if entry_words.get(word, episode + 1) > episode:
                        entry_words[word] = episode
                self._entries.append(entry)
                self._words.append(words)
                self._episodes.append(episode)
                self._texts.append(" ".join(stems))
            document_frequency.update(entry_words.keys())
        # Inverse document frequency over entries: a word in every entry says nothing. A bare
        # number ("2") is weak evidence whatever its rarity: episode 2, Mk 2, 2 + 2.
        count = max(1, len(kb.entries))
        self._weights = {
            w: math.log(1 + count / df) * (0.5 if w.isdigit() else 1.0) for w, df in document_frequency.items()
        }
        self._unknown_weight = math.log(1 + count) * self.scoring.unknown_word
        self._vague_weight = math.log(1 + count) * self.scoring.vague_word
        for word in _VAGUE & self._weights.keys():  # vague even where the knowledge uses it
            self._weights[word] = min(self._weights[word], self._vague_weight)
        weights = self._weights
        self._sizes = [sum(weights[w] for w in words) for words in self._words]
        postings: dict[str, list[int]] = {w: [] for w in document_frequency}
        for index, words in enumerate(self._words):
            for word in words:
                postings[word].append(index)
        self._postings = postings
        # Words as written, before stemming, for typos and prefixes.
        self._surface = surface_stems
        self._surface_sorted = sorted(surface_stems)
        deletions: dict[str, list[str]] = {}
        for word in surface_stems:
            if len(word) >= 4:
                for key in (word, *_deletions(word)):
                    found = deletions.get(key)
                    if found is None:
                        deletions[key] = [word]
                    else:
                        found.append(word)
        self._deletions = deletions
        # Entries for an empty autocomplete box: mysteries first, then in file order.
        self._browse_order = sorted(kb.entries.values(), key=lambda e: (e.mystery is None, e.first_episode))

    @property
    def phrasing_count(self) -> int:
        return len(self._texts)

    # -- public ---------------------------------------------------------------------------------
    def match(self, question: str, upto: int | None = None, *, limit: int = 3) -> MatchResult:
        """Match a whole question for an asker who has watched up to ``upto`` (None: all)."""
        ranked = self._rank(question, upto, prefix=False, floor=self.thresholds.suggest)
        return self._verdict(ranked, upto, self.thresholds, limit)

    def _verdict(self, ranked: list[tuple[float, int]], upto: int | None, t: Thresholds, limit: int) -> MatchResult:
        if not ranked:
            return MatchResult(Verdict.UNKNOWN)
        best_score, best_index = ranked[0]
        best = Scored(self._entries[best_index], best_score, self._texts[best_index])
        if best_score < t.suggest:
            return MatchResult(Verdict.UNKNOWN, best)
        if upto is not None and self._episodes[best_index] > upto:
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
            return list(islice((entry for entry in self._browse_order if entry.visible_to(upto)), limit))
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
            return _Word(text, self._vague_weight if text in _VAGUE else self._unknown_weight, stems)
        weights = self._weights
        return _Word(text, max(weights[s] for s in stems), stems)

    def _split(self, word: str) -> tuple[str, str] | None:
        if not 6 <= len(word) <= self.LONGEST_WORD or not word.isalpha():
            return None
        postings = self._postings
        for cut in range(3, len(word) - 2):
            left, right = stem(word[:cut]), stem(word[cut:])
            if left in postings and right in postings:
                return left, right
        return None

    def _typo(self, word: str) -> dict[str, float]:
        """Vocabulary words one slip away (a letter dropped, added, changed or swapped)."""
        if not 3 <= len(word) <= self.LONGEST_WORD:
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

    def _rank(self, question: str, upto: int | None, *, prefix: bool, floor: float) -> list[tuple[float, int]]:
        """(score, phrasing) for the phrasings that share words with the question, best first.

        Phrasings whose score cannot reach ``floor`` are left out.
        """
        words = tokens(question, self.synonyms)[: self.MAX_WORDS]
        if not words:
            return []
        analysed = self._analyse(words, prefix=prefix)
        known = [w for w in analysed if w.stems]
        if not known:
            return []
        postings = self._postings
        # Candidates: the phrasings holding the most of the question's information. Each word
        # counts a whole number of times by its weight (rare words, with short posting lists,
        # count most); a common word does not pull in candidates of its own when rarer words did.
        hits: Counter[int] = Counter()
        heaviest = max(w.weight for w in known)
        for position, word in enumerate(sorted(known, key=lambda w: -w.weight)):
            lists = [postings[s] for s in word.stems]
            if position and hits and sum(map(len, lists)) > self.COMMON:
                break
            found = lists[0] if len(lists) == 1 else list({index for found in lists for index in found})
            hits.update(found * max(1, round(8 * word.weight / heaviest)))
        candidates = [index for index, _ in hits.most_common(self.CANDIDATES)]

        scoring = self.scoring
        share = scoring.words
        recall_bias = scoring.recall_bias
        sibling = scoring.sibling
        entries, entry_words = self._entries, self._entry_words
        total = sum(w.weight for w in analysed)
        query = " ".join(self._query_text(analysed))
        weights = self._weights
        all_words, sizes, texts = self._words, self._sizes, self._texts
        # stem -> (which known word, similarity), to walk a phrasing's few words, not the question's.
        meaning: dict[str, list[tuple[int, float]]] = {}
        for position, word in enumerate(known):
            for candidate, similarity in word.stems.items():
                meaning.setdefault(candidate, []).append((position, similarity))
        ratio = fuzz.WRatio
        ranked: list[tuple[float, int]] = []
        for index in candidates:
            matched: dict[int, tuple[float, str]] = {}  # known word -> (similarity, phrasing word)
            for own in all_words[index]:
                for position, similarity in meaning.get(own, ()):
                    if similarity > matched.get(position, (0.0, ""))[0]:
                        matched[position] = (similarity, own)
            if not matched:
                continue
            explained = 0.0
            used: dict[str, float] = {}
            for position, (similarity, own) in matched.items():
                explained += known[position].weight * similarity
                if similarity > used.get(own, 0.0):
                    used[own] = similarity
            if sibling and len(matched) < len(known):
                # Words the phrasing lacks but another (visible) phrasing of its entry has.
                siblings = entry_words[entries[index].id]
                for position, word in enumerate(known):
                    if position in matched:
                        continue
                    best = 0.0
                    for candidate, similarity in word.stems.items():
                        episode = siblings.get(candidate)
                        if episode is not None and similarity > best and (upto is None or episode <= upto):
                            best = similarity
                    explained += word.weight * best * sibling
            recall = explained / total
            precision = sum(weights[s] * v for s, v in used.items()) / sizes[index]
            f = (1 + recall_bias) * precision * recall / (recall_bias * precision + recall)
            # The character score is at most 1: skip computing it when even that is not enough.
            if 100 * (share * f + 1 - share) < floor:
                continue
            character = ratio(query, texts[index]) / 100
            ranked.append((100 * (share * f + (1 - share) * character), index))
        ranked.sort(key=lambda pair: (-pair[0], pair[1]))  # ties: in file order
        return ranked

    def _query_text(self, analysed: list[_Word]) -> Iterable[str]:
        """The question as typed (stemmed, not typo-corrected), for the character-level score."""
        for word in analysed:
            yield word.text

    def _per_entry(self, ranked: Iterable[tuple[float, int]], upto: int | None) -> list[Scored]:
        """The best visible phrasing of each entry, best entry first."""
        seen: dict[str, Scored] = {}
        entries, episodes, texts = self._entries, self._episodes, self._texts
        for score, index in ranked:
            if upto is not None and episodes[index] > upto:
                continue
            entry = entries[index]
            if entry.id not in seen:
                seen[entry.id] = Scored(entry, score, texts[index])
        return list(seen.values())


def _deletions(word: str) -> set[str]:
    """The word with one letter left out, each way: two words one typo apart share one of these."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}
