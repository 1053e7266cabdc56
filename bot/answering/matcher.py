"""Fuzzy matching of a fan's question to a knowledge entry, at the asker's horizon.

**One shared index, one view per horizon.** :class:`Matcher` indexes every phrasing (questions
and aliases) of the *whole* knowledge once, and tags each phrasing, each word and each written
form of a word with the first episode it is visible from (an entry's first reveal; later for a
twist alias). ``Matcher.at(h)`` is a :class:`HorizonMatcher`: the matcher as a viewer of
episodes 1..h sees it. Every statistic that ranking uses is computed from what ``h`` sees only,
and cached per horizon on first use (see :class:`_HorizonStats`):

* the vocabulary (exact, run-together / split words, typo and prefix look-ups), the candidate
  phrasings (posting lists are kept sorted by (episode, file order), so the part visible at ``h``
  is a prefix found by bisection), the ``COMMON`` cap (visible posting lengths), the number of
  entries and each word's document frequency, hence every word weight and phrasing size;
* ties are broken by file order, which the knowledge cut at ``h`` keeps, and every sum runs in a
  fixed order (a phrasing's words are a sorted tuple, never a set), so a view at ``h`` gives
  bit-identical scores to a matcher built on ``bot.knowledge.horizon.cut(kb, h)``, in any
  process (``PYTHONHASHSEED`` does not matter).

That is spoiler noninterference for matching: nothing first revealed after ``h`` (a later
entry, a twist alias, a word only a later phrasing uses) changes what a viewer at ``h`` gets,
not even which visible entry wins. ``tests/test_noninterference.py`` checks it against matchers
built on the cut knowledge. A question that only a later twist answers is therefore matched
like any question the knowledge at ``h`` does not answer: there is no "withheld" verdict.
Memory: one index (31 MiB at 10,000 entries; its phrasings' words are tuples, smaller than the
sets before), plus per horizon a weight per visible word, a size per phrasing and a sorted word
list (under 1 MiB each at 10,000 entries, some 60 ms to build), instead of fourteen indexes.
``Lore.warm`` builds every horizon when the knowledge is (re)loaded, off the event loop.

A question is matched in four steps (all at the view's horizon):

1. its words (normalised, then stemmed: "killers" -> "kill") are looked up in the vocabulary:
   exactly, as two words run together or one word split ("puppetmaster", "back story"), then
   fuzzily for typos (a deletion index, so the cost does not grow with the vocabulary), and by
   prefix for the word being typed in autocomplete. A question none of whose words the
   vocabulary has is unknown at once;
2. the phrasings that contain the question's rarest words are its candidates; common words
   ("rouge", "episode") only add to a candidate's score;
3. each candidate is scored on two things, half each: how much of the question's
   *information* it explains and how much of its own it uses (word weights are inverse
   document frequencies, so "director" counts for far more than "metallic rouge"; a word
   another phrasing of the same entry has counts half), and rapidfuzz's WRatio on the
   normalised texts for what words alone miss (typos, word order, partial phrasings). A word
   the vocabulary lacks ("naruto", "birthday") counts against every candidate, so "naruto's
   mother" does not pass for "Rouge's mother"; a vague one ("real") barely counts;
4. the verdict: answer only a clear, strong best entry; a weaker or ambiguous one becomes
   "did you mean"; below that, unknown.

Working on answer quality (issue 12)? Change scoring in :meth:`HorizonMatcher._rank` and
statistics in :class:`_HorizonStats`, never from the whole index directly: anything computed
over all phrasings regardless of their episode leaks later knowledge into the ranking.
"""

from __future__ import annotations

import bisect
import heapq
import math
from array import array
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
    #: only ``/episode N`` past the asker's horizon: the episode itself is later, whatever the
    #: knowledge holds. The matcher never says it (see the module docstring).
    WITHHELD = "withheld"
    #: nothing at the asker's horizon answers it: not revealed yet, or not known at all (one reply)
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
    """The shared index over every question and alias of a knowledge base, and its horizon views.

    ``match``, ``complete`` and ``complete_mystery`` are shorthands for ``at(upto).<method>``.
    """

    #: phrasings scored in full per question, chosen by how many of its words they contain
    CANDIDATES = 150
    #: a word in more (visible) phrasings than this does not pull in candidates by itself when
    #: the question has rarer words (it still counts towards the score of those it is in)
    COMMON = 400
    #: words of a question considered (a pasted essay is not a question)
    MAX_WORDS = 24
    #: longer "words" are not looked up as typos or split (no name is this long; junk can be)
    LONGEST_WORD = 30
    #: at most this many vocabulary words are taken as completions of the word being typed
    PREFIX_WORDS = 50

    def __init__(
        self, kb: KnowledgeBase, thresholds: Thresholds | None = None, scoring: Scoring | None = None
    ) -> None:
        self.kb = kb
        self.thresholds = thresholds or Thresholds()
        self.scoring = scoring or Scoring()
        self.synonyms = kb.series.synonyms
        self._views: dict[int | None, HorizonMatcher] = {}
        with paused_gc():
            self._build(kb)

    def _build(self, kb: KnowledgeBase) -> None:
        synonyms = self.synonyms
        surface_stems: dict[str, str] = {}  # a word as written -> its stem
        #: a word as written -> the first episode a phrasing using it is visible
        surface_first: dict[str, int] = {}
        # One row per phrasing (question or alias), in parallel lists, in file order.
        self._entries: list[Entry] = []
        #: each phrasing's stems, sorted: a fixed order for every sum over them
        self._words: list[tuple[str, ...]] = []
        #: the first episode a phrasing is not a spoiler at: its entry's, or later for a twist alias
        self._episodes: list[int] = []
        self._texts: list[str] = []  # normalised and stemmed, for WRatio
        #: entry id -> each stem of its phrasings -> the first episode a phrasing with it is visible
        self._entry_words: dict[str, dict[str, int]] = {}
        postings: dict[str, list[int]] = {}
        for entry in kb.entries.values():
            first = entry.first_episode
            entry_words: dict[str, int] = {}
            self._entry_words[entry.id] = entry_words
            phrasings = [(entry.question, first)]
            phrasings += [(alias.text, max(first, alias.episode or 0)) for alias in entry.aliases]
            for text, episode in phrasings:
                written = tokens(text, synonyms)
                stems = [surface_stems.get(w) or surface_stems.setdefault(w, stem(w)) for w in written]
                if not stems:
                    continue
                for word in written:
                    if surface_first.get(word, episode + 1) > episode:
                        surface_first[word] = episode
                index = len(self._entries)
                words = tuple(sorted(set(stems)))
                for word in words:
                    if entry_words.get(word, episode + 1) > episode:
                        entry_words[word] = episode
                    found = postings.get(word)
                    if found is None:
                        postings[word] = [index]
                    else:
                        found.append(index)
                self._entries.append(entry)
                self._words.append(words)
                self._episodes.append(episode)
                self._texts.append(" ".join(stems))
        # Visible at h = a prefix of each posting list: sort by (episode, file order).
        episode_of = self._episodes.__getitem__
        for found in postings.values():
            if len(found) > 1:
                found.sort(key=episode_of)  # stable: file order within an episode
        self._postings = postings
        # Words as written, before stemming, for typos and prefixes.
        self._surface = surface_stems
        self._surface_first = surface_first
        deletions: dict[str, list[str]] = {}
        for word in surface_stems:
            if len(word) >= 4:
                for key in (word, *_deletions(word)):
                    found_words = deletions.get(key)
                    if found_words is None:
                        deletions[key] = [word]
                    else:
                        found_words.append(word)
        self._deletions = deletions
        # Entries for an empty autocomplete box: mysteries first, then in file order.
        self._browse_order = sorted(kb.entries.values(), key=lambda e: (e.mystery is None, e.first_episode))

    @property
    def phrasing_count(self) -> int:
        return len(self._texts)

    def at(self, upto: int | None) -> HorizonMatcher:
        """The matcher as a viewer who has watched up to ``upto`` sees it (None: everything).

        Views are cached; the first use of a horizon computes its statistics."""
        h = self.kb.series.clamp_progress(upto)
        view = self._views.get(h)
        if view is None:
            with paused_gc():
                view = self._views.setdefault(h, HorizonMatcher(self, h))
        return view

    # -- shorthands ------------------------------------------------------------------------------
    def match(self, question: str, upto: int | None = None, *, limit: int = 3) -> MatchResult:
        """Match a whole question for an asker who has watched up to ``upto`` (None: all)."""
        return self.at(upto).match(question, limit=limit)

    def complete(self, typed: str, upto: int | None = None, *, limit: int = 25) -> list[Entry]:
        return self.at(upto).complete(typed, limit=limit)

    def complete_mystery(self, typed: str, upto: int | None = None, *, limit: int = 25) -> list[Entry]:
        return self.at(upto).complete_mystery(typed, limit=limit)

    def _rank(self, question: str, upto: int | None, *, prefix: bool, floor: float) -> list[tuple[float, int]]:
        return self.at(upto)._rank(question, prefix=prefix, floor=floor)

    def _verdict(self, ranked: list[tuple[float, int]], upto: int | None, t: Thresholds, limit: int) -> MatchResult:
        return self.at(upto)._verdict(ranked, t, limit)


class _HorizonStats:
    """What ranking needs to know about the words at one horizon, from the visible phrasings only."""

    __slots__ = ("entry_count", "weights", "unknown_weight", "vague_weight", "sizes", "surface_sorted")

    def __init__(self, index: Matcher, h: int | None) -> None:
        entries = index.kb.entries.values()
        if h is None:
            self.entry_count = len(index.kb.entries)
        else:
            self.entry_count = sum(1 for entry in entries if entry.first_episode <= h)
        # Document frequency over the visible entries, counting only visible phrasings' words.
        document_frequency: Counter[str] = Counter()
        for words in index._entry_words.values():
            document_frequency.update(words.keys() if h is None else [w for w, e in words.items() if e <= h])
        # Inverse document frequency over entries: a word in every entry says nothing. A bare
        # number ("2") is weak evidence whatever its rarity: episode 2, Mk 2, 2 + 2.
        count = max(1, self.entry_count)
        weights = {
            w: math.log(1 + count / df) * (0.5 if w.isdigit() else 1.0) for w, df in document_frequency.items()
        }
        self.unknown_weight = math.log(1 + count) * index.scoring.unknown_word
        self.vague_weight = math.log(1 + count) * index.scoring.vague_word
        for word in _VAGUE & weights.keys():  # vague even where the knowledge uses it
            weights[word] = min(weights[word], self.vague_weight)
        #: visible stem -> weight; also the vocabulary at this horizon
        self.weights = weights
        #: each phrasing's information (0 for a phrasing not visible here), summed in a fixed
        #: order (a phrasing's words are sorted), so the same bits in every process
        weight = weights.__getitem__
        if h is None:
            sizes = [sum(map(weight, words)) for words in index._words]
        else:
            sizes = [sum(map(weight, words)) if e <= h else 0.0 for words, e in zip(index._words, index._episodes)]
        self.sizes = array("d", sizes)
        #: words as written that a visible phrasing uses, sorted, for completing a typed prefix
        first_seen = index._surface_first
        self.surface_sorted = sorted(first_seen if h is None else [w for w, e in first_seen.items() if e <= h])


class HorizonMatcher:
    """The matcher at one horizon ``h``: everything it answers depends only on what ``h`` sees.

    Its results equal those of ``Matcher(cut(kb, h))`` (the same entries, scores and order),
    without building that second index."""

    def __init__(self, index: Matcher, h: int | None) -> None:
        self.index = index
        self.horizon = h
        self._stats = _HorizonStats(index, h)

    @property
    def thresholds(self) -> Thresholds:
        return self.index.thresholds

    def visible(self, episode: int) -> bool:
        return self.horizon is None or episode <= self.horizon

    # -- public ---------------------------------------------------------------------------------
    def match(self, question: str, *, limit: int = 3) -> MatchResult:
        ranked = self._rank(question, prefix=False, floor=self.thresholds.suggest)
        return self._verdict(ranked, self.thresholds, limit)

    def complete(self, typed: str, *, limit: int = 25) -> list[Entry]:
        """Entries to offer while the asker types."""
        index = self.index
        if not tokens(typed, index.synonyms):
            browse = (entry for entry in index._browse_order if self.visible(entry.first_episode))
            return list(islice(browse, limit))
        floor = self.thresholds.suggest * 0.8
        ranked = self._rank(typed, prefix=True, floor=floor)
        return [s.entry for s in self._per_entry(ranked)[:limit]]

    def complete_mystery(self, typed: str, *, limit: int = 25) -> list[Entry]:
        """Mystery entries whose key or question fits what is typed, for /mystery's autocomplete."""
        kb = self.index.kb
        mysteries = [
            kb.entries[entry_id]
            for _, entry_id in sorted(kb.mysteries.items())
            if self.visible(kb.entries[entry_id].first_episode)
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

    # -- the verdict -----------------------------------------------------------------------------
    def _verdict(self, ranked: list[tuple[float, int]], t: Thresholds, limit: int) -> MatchResult:
        if not ranked:
            return MatchResult(Verdict.UNKNOWN)
        index = self.index
        best_score, best_index = ranked[0]
        best = Scored(index._entries[best_index], best_score, index._texts[best_index])
        if best_score < t.suggest:
            return MatchResult(Verdict.UNKNOWN, best)
        visible = self._per_entry(ranked)
        suggestions = tuple(s for s in visible if s.score >= t.suggest)[:limit]
        runner_up = visible[1].score if len(visible) > 1 else 0.0
        clear = best_score - runner_up >= t.margin or (best_score >= 99.5 and runner_up < 99.5)
        if best_score >= t.answer and clear:
            return MatchResult(Verdict.ANSWERED, best, suggestions)
        return MatchResult(Verdict.SUGGEST, best, suggestions)

    # -- internals -------------------------------------------------------------------------------
    def _postings(self, word: str) -> list[int]:
        """The visible phrasings holding ``word`` (a prefix of its posting list); [] if none."""
        found = self.index._postings.get(word)
        if not found or self.horizon is None:
            return found or []
        end = bisect.bisect_right(found, self.horizon, key=self.index._episodes.__getitem__)
        return found if end == len(found) else found[:end]

    def _known(self, word: str) -> bool:
        return word in self._stats.weights

    def _analyse(self, words: list[str], *, prefix: bool) -> list[_Word]:
        """Each word of the question with the stems it may mean and how much it weighs."""
        index = self.index
        surface = index._surface
        known = self._stats.weights
        out: list[_Word] = []
        skip = False
        last = len(words) - 1
        for i, word in enumerate(words):
            if skip:
                skip = False
                continue
            stemmed = surface.get(word) or stem(word)
            typing = prefix and i == last
            # Two words run apart: "back story" -> "backstory".
            if i < last and not (prefix and i + 1 == last):
                joined = stem(word + words[i + 1])
                if joined in known:
                    out.append(self._word(joined, {joined: 1.0}))
                    skip = True
                    continue
            found: dict[str, float] = {}
            if stemmed in known:
                found[stemmed] = 1.0
            if typing and len(word) >= 2:
                completions = self._stats.surface_sorted
                start = bisect.bisect_left(completions, word)
                for candidate in completions[start : start + index.PREFIX_WORDS]:
                    if not candidate.startswith(word):
                        break
                    found.setdefault(surface[candidate], 1.0)
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
        stats = self._stats
        if not stems:
            return _Word(text, stats.vague_weight if text in _VAGUE else stats.unknown_weight, stems)
        weights = stats.weights
        return _Word(text, max(weights[s] for s in stems), stems)

    def _split(self, word: str) -> tuple[str, str] | None:
        if not 6 <= len(word) <= self.index.LONGEST_WORD or not word.isalpha():
            return None
        known = self._stats.weights
        for cut in range(3, len(word) - 2):
            left, right = stem(word[:cut]), stem(word[cut:])
            if left in known and right in known:
                return left, right
        return None

    def _typo(self, word: str) -> dict[str, float]:
        """Visible vocabulary words one slip away (a letter dropped, added, changed or swapped)."""
        index = self.index
        if not 3 <= len(word) <= index.LONGEST_WORD:
            return {}
        candidates: set[str] = set()
        deletions = index._deletions
        for key in (word, *_deletions(word)):
            found = deletions.get(key)
            if found:
                candidates.update(found)
        first_seen = index._surface_first
        out: dict[str, float] = {}
        cutoff = index.thresholds.word
        unfinished = index.scoring.unfinished
        for candidate in sorted(candidates):
            if not self.visible(first_seen[candidate]):
                continue
            similarity = fuzz.ratio(word, candidate, score_cutoff=cutoff) / 100
            if similarity:
                if candidate.startswith(word):
                    similarity = min(similarity, unfinished)
                stemmed = index._surface[candidate]
                out[stemmed] = max(out.get(stemmed, 0.0), similarity)
        return out

    def _candidates(self, known: list[_Word]) -> list[int]:
        """The visible phrasings holding the most of the question's information.

        Each word counts a whole number of times by its weight (rare words, with short posting
        lists, count most); a common word does not pull in candidates of its own when rarer
        words did. Ties for the last places go to the earlier phrasings in file order."""
        hits: Counter[int] = Counter()
        heaviest = max(w.weight for w in known)
        for position, word in enumerate(sorted(known, key=lambda w: -w.weight)):
            lists = [self._postings(s) for s in word.stems]
            if position and hits and sum(map(len, lists)) > self.index.COMMON:
                break
            found = lists[0] if len(lists) == 1 else list({index for found in lists for index in found})
            hits.update(found * max(1, round(8 * word.weight / heaviest)))
        limit = self.index.CANDIDATES
        if len(hits) <= limit:
            return list(hits)
        threshold = heapq.nlargest(limit, hits.values())[-1]
        chosen = [index for index, count in hits.items() if count > threshold]
        tied = [index for index, count in hits.items() if count == threshold]
        return chosen + heapq.nsmallest(limit - len(chosen), tied)

    def _rank(self, question: str, *, prefix: bool, floor: float) -> list[tuple[float, int]]:
        """(score, phrasing) for the visible phrasings that share words with the question, best
        first (ties in file order). Phrasings whose score cannot reach ``floor`` are left out."""
        index = self.index
        words = tokens(question, index.synonyms)[: index.MAX_WORDS]
        if not words:
            return []
        analysed = self._analyse(words, prefix=prefix)
        known = [w for w in analysed if w.stems]
        if not known:
            return []
        candidates = self._candidates(known)

        scoring = index.scoring
        share = scoring.words
        recall_bias = scoring.recall_bias
        sibling = scoring.sibling
        entries, entry_words = index._entries, index._entry_words
        total = sum(w.weight for w in analysed)
        query = " ".join(w.text for w in analysed)  # as typed (stemmed, not typo-corrected)
        weights = self._stats.weights
        sizes = self._stats.sizes
        all_words, texts = index._words, index._texts
        h = self.horizon
        # stem -> (which known word, similarity), to walk a phrasing's few words, not the question's.
        meaning: dict[str, list[tuple[int, float]]] = {}
        for position, word in enumerate(known):
            for candidate, similarity in word.stems.items():
                meaning.setdefault(candidate, []).append((position, similarity))
        ratio = fuzz.WRatio
        ranked: list[tuple[float, int]] = []
        for phrasing in candidates:
            matched: dict[int, tuple[float, str]] = {}  # known word -> (similarity, phrasing word)
            for own in all_words[phrasing]:  # sorted: the same winner on every tie, in every process
                for position, similarity in meaning.get(own, ()):
                    if similarity > matched.get(position, (0.0, ""))[0]:
                        matched[position] = (similarity, own)
            if not matched:
                continue
            explained = 0.0
            used: dict[str, float] = {}
            # matched is filled walking the phrasing's sorted words: a fixed order for the sum
            for position, (similarity, own) in matched.items():
                explained += known[position].weight * similarity
                if similarity > used.get(own, 0.0):
                    used[own] = similarity
            if sibling and len(matched) < len(known):
                # Words the phrasing lacks but another visible phrasing of its entry has.
                siblings = entry_words[entries[phrasing].id]
                for position, word in enumerate(known):
                    if position in matched:
                        continue
                    best = 0.0
                    for candidate, similarity in word.stems.items():
                        episode = siblings.get(candidate)
                        if episode is not None and similarity > best and (h is None or episode <= h):
                            best = similarity
                    explained += word.weight * best * sibling
            recall = explained / total
            precision = sum(weights[s] * v for s, v in used.items()) / sizes[phrasing]
            f = (1 + recall_bias) * precision * recall / (recall_bias * precision + recall)
            # The character score is at most 1: skip computing it when even that is not enough.
            if 100 * (share * f + 1 - share) < floor:
                continue
            character = ratio(query, texts[phrasing]) / 100
            ranked.append((100 * (share * f + (1 - share) * character), phrasing))
        ranked.sort(key=lambda pair: (-pair[0], pair[1]))  # ties: in file order
        return ranked

    def _per_entry(self, ranked: Iterable[tuple[float, int]]) -> list[Scored]:
        """The best phrasing of each entry, best entry first."""
        seen: dict[str, Scored] = {}
        entries, texts = self.index._entries, self.index._texts
        for score, phrasing in ranked:
            entry = entries[phrasing]
            if entry.id not in seen:
                seen[entry.id] = Scored(entry, score, texts[phrasing])
        return list(seen.values())

def _deletions(word: str) -> set[str]:
    """The word with one letter left out, each way: two words one typo apart share one of these."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}
