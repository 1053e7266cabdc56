"""Fuzzy matching of a fan's question to a knowledge entry, at the asker's horizon.

**One shared index, one view per horizon.** :class:`Matcher` indexes the *whole* knowledge once:
every phrasing (an entry's question and aliases) and every sentence of every reveal, each tagged
with the first episode it is visible from (an entry's first reveal, later for a twist alias, the
reveal's own episode for its sentences); so is each word and each written form of a word.
``Matcher.at(h)`` is a :class:`HorizonMatcher`: the matcher as a viewer of episodes 1..h sees it.
Every statistic that ranking uses is computed from what ``h`` sees only, and cached per horizon
on first use (see :class:`_HorizonStats`):

* the vocabularies (exact, run-together / split words, typo and prefix look-ups), the candidate
  rows (posting lists are kept sorted by (episode, file order), so the part visible at ``h`` is a
  prefix found by bisection), the ``COMMON`` cap (visible posting lengths), the number of
  entries and each word's document frequency (by bisection too), hence every word weight and
  phrasing size;
* ties are broken by file order, which the knowledge cut at ``h`` keeps, and every sum runs in a
  fixed order (a phrasing's words are a sorted tuple, never a set), so a view at ``h`` gives
  bit-identical scores to a matcher built on ``bot.knowledge.horizon.cut(kb, h)``, in any
  process (``PYTHONHASHSEED`` does not matter).

That is spoiler noninterference for matching: nothing first revealed after ``h`` (a later
entry, reveal, twist alias, or a word only a later text uses) changes what a viewer at ``h``
gets, not even which visible entry wins. ``tests/test_noninterference.py`` checks it against
matchers built on the cut knowledge. A question that only a later twist answers is therefore
matched like any question the knowledge at ``h`` does not answer: there is no "withheld" verdict.

A question is matched in these steps (all at the view's horizon):

1. its words (normalised, then stemmed: "killers" -> "kill") are looked up in the vocabulary:
   exactly, as two words run together or one word split ("puppetmaster", "back story"), then
   fuzzily for typos (a deletion index, so the cost does not grow with the vocabulary), and by
   prefix for the word being typed in autocomplete. Each further word the knowledge does not
   know weighs less than the one before (chatter in a long message is not a topic);
2. **phrasings**: those holding the question's rarest words are its candidates; common words
   ("rouge", "episode") only add to a candidate's score. Each is scored on two things, half
   each: how much of the question's *information* it explains and how much of its own it uses
   (word weights are inverse document frequencies, so "director" counts for far more than
   "metallic rouge"; a word another phrasing of the same entry has counts half), and
   rapidfuzz's WRatio on the normalised texts for what words alone miss (typos, word order,
   partial phrasings). A word the vocabulary lacks ("naruto", "birthday") counts against every
   candidate, so "naruto's mother" does not pass for "Rouge's mother"; a vague one barely counts;
3. **reveals**: when no phrasing answers clearly, the sentences of the visible reveals compete
   too ("who gave humans the tech to make neans" is in no question or alias). A sentence
   explains the question words it holds or its entry's phrasings hold (the subject: "is ash a
   nean"); it scores below a phrasing, and as an answer only with enough evidence of its own
   (:attr:`Thresholds.evidence`). Either way, the sentence that explains most of the question
   beyond the phrasings picks the reveal the answer leads with (:attr:`Scored.focus`);
4. the verdict: answer only a clear, strong best entry; a weaker or ambiguous one becomes
   "did you mean"; below that, unknown.

Working on answer quality? Change scoring in :meth:`HorizonMatcher._rank` and its helpers and
statistics in :class:`_HorizonStats`, never from the whole index directly: anything computed over
all rows regardless of their episode leaks later knowledge into the ranking.
"""

from __future__ import annotations

import bisect
import heapq
import math
import re
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from itertools import groupby, islice
from typing import NamedTuple

from rapidfuzz import fuzz

from bot.gc_pause import paused_gc
from bot.knowledge.model import Entry, KnowledgeBase, Reveal
from bot.answering.normalize import CHAT_WORDS, NUMBER_WORDS, VAGUE_WORDS, fold, sound_key, stem, tokens, without_said_marks

_VAGUE = frozenset(stem(word) for word in VAGUE_WORDS)
_CHAT = frozenset(stem(word) for word in CHAT_WORDS)
#: words that say nothing of what a question asks, when found in a reveal (``told_in_reveals``)
_NOT_EVIDENCE = _CHAT | _VAGUE | frozenset(stem(word) for word in ("episode", "anime", "show", "series", "season"))


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
    answer: float = 80.0
    #: how far ahead of the best other entry the best must be to be answered outright
    margin: float = 4.0
    #: at or above this, offer "did you mean"; below it, the bot does not know
    suggest: float = 60.0
    #: but a question naming someone or something the knowledge knows is offered, from this score,
    #: the entries about what it names ("who even is eden, he keeps popping up everywhere")
    named_suggest: float = 50.0
    #: a phrasing scoring this, this far ahead of the runner-up, is not second-guessed by the
    #: reveals' words (they only pick the reveal to lead with): a little below the answer bar,
    #: where the reveal pass seldom changes the verdict and costs the most time at scale
    settled: float = 78.0
    settled_margin: float = 2.0
    #: a yes/no question left in doubt is answered at this score by the one entry whose question
    #: names its subject ("does noid survive": Noid's), if it leads (bot.answering.lore)
    subject_answer: float = 76.0
    #: a message naming a topic without a question form ("rouge mother identity"), or asking why
    #: something happened, is answered at this score by its best suggestion, if clear of the others
    #: by ``margin`` (bot.answering.lore)
    topic_answer: float = 70.0
    #: a fuzzy word match (typo) must be at least this similar (rapidfuzz ratio)
    word: float = 80.0
    #: how many of the question's words (as typed, not numbers) a reveal's sentence must add to
    #: what its entry's phrasings explain, for an answer on it when the phrasings explain nothing
    evidence: int = 3
    #: the same when the entry's phrasings name the question's subject ("why was gene put under
    #: house arrest": "gene" is the subject, "house" and "arrest" the sentence's evidence)
    subject_evidence: int = 2
    #: the same for the one entry offered as "did you mean", for it to be answered instead
    #: (bot.answering.lore): its reveals tell something of the question beyond its subject
    lone_evidence: int = 1
    #: with others offered beside it, the best suggestion is answered so only from this score, by
    #: this lead, and when no other's reveals tell as much of the question (bot.answering.lore)
    told_answer: float = 65.0
    told_margin: float = 1.0
    #: a question about two things: the offered entry with the one reveal that mentions both and
    #: tells this many more of the question's words is answered (bot.answering.lore)
    between_evidence: int = 2


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
    #: similarity of a word to a name it sounds like (``HorizonMatcher._sounds_like``)
    sounds_like: float = 0.85
    #: each further unknown word in a question weighs this much of the one before it
    unknown_decay: float = 0.7
    #: weight of a vague word ("real", "special", "organization"; normalize.VAGUE_WORDS),
    #: relative to the rarest known word, whether or not the knowledge uses it
    vague_word: float = 0.25
    #: credit for a question word the phrasing lacks but another phrasing of its entry has
    #: ("ministry of truth aletheia": "ministry of truth" is one alias, "aletheia" another)
    sibling: float = 0.5
    #: the most a match on a reveal's words can score, for the share of the question it explains
    #: (a phrasing can score 100: a reveal that shares words is a weaker sign than a question)
    reveal_cap: float = 0.8
    #: on top of that, for the share its entry's phrasings explain (the question's subject)
    subject: float = 0.12
    #: the share of a question a sentence must explain to tell it all (see :attr:`Scored.whole`)
    whole: float = 0.95
    #: a reveal's sentence with too little evidence scores this much of that (a suggestion at most)
    weak_reveal: float = 0.8
    #: a phrasing written with another question word than the question's ("where does rouge come
    #: from" for "when did it come out") scores this much of its score: it asks something else
    other_form: float = 0.9
    #: a phrasing naming only other episodes than the question ("episode 2 release date" for
    #: "when does ep 5 come out") scores this much of its score: it is about another episode
    other_episode: float = 0.6


@dataclass(frozen=True, slots=True)
class Scored:
    entry: Entry
    score: float
    phrasing: str
    #: the reveal that answers the question, when one explains more of it than the phrasings
    focus: Reveal | None = None
    #: the score is a reveal's sentence that holds all of the question ("who stabbed ash on the
    #: liner": two entries may tell the same event; either answers it)
    whole: bool = False


class Told(NamedTuple):
    """What an entry's visible reveals say of a question (``HorizonMatcher.told_in_reveals``)."""

    #: the question's words that one sentence of the reveals holds and the entry's phrasings lack
    words: int
    #: the question's words that nothing visible uses ("naruto")
    unknown: int
    #: the question's words that say what is asked (not chat, vague words, numbers or the show)
    asked: int
    #: the reveal of the sentence holding ``words``
    reveal: Reveal | None


class _Ranking(NamedTuple):
    scored: list[Scored]
    #: the question's words read in the vocabulary of phrasings and reveals (not for a prefix)
    analysed: list[_Word]


class _Found(NamedTuple):
    """An entry's best so far while ranking (the fields of :class:`Scored` after the entry)."""

    score: float
    phrasing: str
    focus: Reveal | None = None
    whole: bool = False


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
    """The shared index over a knowledge base's phrasings and reveals, and its horizon views.

    ``match``, ``complete`` and ``complete_mystery`` are shorthands for ``at(upto).<method>``.
    """

    #: phrasings scored in full per question, chosen by how much of its information they hold
    CANDIDATES = 40
    #: reveals whose entries are scored on their reveals' words, chosen the same way
    REVEAL_CANDIDATES = 20
    #: entries best on their phrasings whose reveals are scored too (for "is ash a nean")
    TITLE_ENTRIES_WITH_REVEALS = 5
    #: a word in more (visible) phrasings or reveals than this does not pull in candidates by
    #: itself when the question has rarer words (it still counts towards their scores)
    COMMON = 200
    #: the most postings of one word read when it is all the question has to go on ("rouge" at
    #: 100,000 entries): the first ones by (episode, file order)
    SCAN = 2000
    #: words of a question considered (a pasted essay is not a question)
    MAX_WORDS = 24
    #: longer "words" are not looked up as typos or split (no name is this long; junk can be)
    LONGEST_WORD = 30
    #: at most this many vocabulary words are taken as completions of the word being typed
    PREFIX_WORDS = 50
    #: entries whose question's stems are kept (``question_stems``): a few hundred bytes each
    QUESTION_STEMS_KEPT = 4096
    #: how many entries' mentioned stems each horizon's view keeps (``HorizonMatcher._mentions``)
    MENTIONS_KEPT = 512
    #: how many question words' one-slip neighbours are kept (``_slips_of``): the same unknown
    #: word is looked up in each analysis of a question, and asked again and again
    SLIPS_KEPT = 4096
    #: how many words' stems are kept for reading questions
    STEMS_KEPT = 16384
    #: a word this long or longer that is nothing the knowledge knows may be a name spelled by
    #: ear or romanised (``sound_key``), if how it sounds keeps this many letters: shorter ones
    #: sound like too much ("lion" and "rion")
    SOUNDS_FROM = 5
    SOUND_KEY = 4

    def __init__(
        self, kb: KnowledgeBase, thresholds: Thresholds | None = None, scoring: Scoring | None = None
    ) -> None:
        self.kb = kb
        self.thresholds = thresholds or Thresholds()
        self.scoring = scoring or Scoring()
        self.synonyms = kb.series.synonyms
        # The show's title is the show, not the character it names ("where did rouge come from"
        # is not "when did metallic rouge come out"): read like "the show" (normalize._THE_SHOW).
        # A letter doubled or not is the same title: "metalic rouge" is the show too.
        title = fold(kb.series.title).split()
        self._title_start = title[0][:3] if title else ""
        spelled = ["".join(re.escape(letter) + "+" for letter, _ in groupby(word)) for word in title]
        self._title = re.compile(r"\b" + r"\s+".join(spelled) + r"\b") if len(title) > 1 else None
        # A fan's typo in it too ("mtallic ruoge", "metallic ruge"): as many words, each near its own.
        self._title_words = title
        near = [rf"[a-z]{{{max(len(word) - 2, 1)},{len(word) + 2}}}" for word in title]
        self._near_title = re.compile(r"\b(?=(" + r"\s+".join(near) + r")\b)") if len(title) > 1 else None
        self._views: dict[int | None, HorizonMatcher] = {}
        with paused_gc():
            self._build(kb)

    def _build(self, kb: KnowledgeBase) -> None:
        synonyms = self.synonyms
        surface_stems: dict[str, str] = {}  # a word as written -> its stem
        #: a word as written -> the first episode a phrasing using it is visible (autocomplete)
        phrasing_first: dict[str, int] = {}
        #: a word as written -> the first episode any phrasing or reveal using it is visible (typos)
        word_first: dict[str, int] = {}

        def stems_of(text: str, episode: int, first_seen: dict[str, int]) -> list[str]:
            written = self.tokens(text)
            for word in written:
                if first_seen.get(word, episode + 1) > episode:
                    first_seen[word] = episode
                if word_first.get(word, episode + 1) > episode:
                    word_first[word] = episode
            return [surface_stems.get(w) or surface_stems.setdefault(w, stem(w)) for w in written]

        self._entry_list: list[Entry] = list(kb.entries.values())
        self._entry_position = {entry.id: position for position, entry in enumerate(self._entry_list)}
        self._question_stems: dict[str, frozenset[str]] = {}  # see question_stems()
        self._slips: dict[str, tuple[str, ...]] = {}  # see _slips_of()
        #: stem() of the words questions are made of, and of their pairs ("metal rouge")
        self._stem = lru_cache(maxsize=self.STEMS_KEPT)(stem)
        # One row per phrasing (question or alias), in parallel lists, in file order.
        self._phrasing_entry: list[int] = []  # phrasing -> entry position (file order)
        #: the question word a phrasing was written with ("when", "where"...; "": none of them)
        self._phrasing_form: list[str] = []
        #: phrasing -> the episode numbers it names ("episode 2 release date": 2), where it names any
        self._phrasing_episodes: dict[int, frozenset[str]] = {}
        #: each phrasing's stems, sorted: a fixed order for every sum over them
        self._words: list[tuple[str, ...]] = []
        #: the first episode a phrasing is not a spoiler at: its entry's, or later for a twist alias
        self._episodes: list[int] = []
        self._texts: list[str] = []  # normalised and stemmed, for WRatio
        #: phrasing -> the reveal a twist alias asks about (its episode's), to lead the answer with
        self._phrasing_lead: dict[int, Reveal | None] = {}
        #: entry position -> each stem of its phrasings -> the first episode a phrasing with it is visible
        self._entry_words: list[dict[str, int]] = []
        # One row per sentence of a reveal, in file order; an entry's are consecutive rows.
        # Sentences, not whole reveals: words that share a sentence are about one thing.
        self._sentence_rows: list[range] = []  # entry position -> its sentence rows
        self._sentence_words: list[frozenset[str]] = []
        self._sentence_episode: list[int] = []
        self._sentence_entry: list[int] = []
        self._sentence_reveal: list[Reveal] = []
        postings: dict[str, list[int]] = {}
        sentence_postings: dict[str, list[int]] = {}
        #: stem -> for each entry using it, the first episode it is visible there: in a phrasing
        #: (``title_first_use``), or in a phrasing or a reveal (``first_use``)
        first_use: dict[str, list[int]] = {}
        title_first_use: dict[str, list[int]] = {}
        #: stem -> the first episode a reveal writes it capitalised inside a sentence ("Noid"), and
        #: in lower case: a stem only ever capitalised (so far) names someone or something
        name_first: dict[str, int] = {}
        lower_first: dict[str, int] = {}
        # Capitalised but naming no one: the show's title (read as the show), languages.
        not_names = {stem(word) for word in self.tokens(kb.series.title)} | _LANGUAGES
        for position, entry in enumerate(self._entry_list):
            first = entry.first_episode
            entry_words: dict[str, int] = {}
            self._entry_words.append(entry_words)
            phrasings = [(entry.question, first)]
            phrasings += [(alias.text, max(first, alias.episode or 0)) for alias in entry.aliases]
            for text, episode in phrasings:
                stems = stems_of(text, episode, phrasing_first)
                if not stems:
                    continue
                index = len(self._phrasing_entry)
                words = tuple(sorted(set(stems)))
                for word in words:
                    if entry_words.get(word, episode + 1) > episode:
                        entry_words[word] = episode
                    postings.setdefault(word, []).append(index)
                self._phrasing_entry.append(position)
                self._phrasing_form.append(asked_form(text))
                if numbers := episode_numbers(stems):
                    self._phrasing_episodes[index] = numbers
                self._words.append(words)
                self._episodes.append(episode)
                self._texts.append(" ".join(stems))
                # A twist alias asks about what its episode's reveal tells: the answer leads with it.
                if episode > first:
                    self._phrasing_lead[index] = next((r for r in entry.reveals if r.episode == episode), None)
            used = dict(entry_words)
            start = len(self._sentence_reveal)
            for reveal in entry.reveals:
                for sentence in _sentences(reveal.text):
                    row = len(self._sentence_reveal)
                    words_here = frozenset(stems_of(sentence, reveal.episode, {}))
                    if not words_here:
                        continue
                    # Names: words written capitalised inside a sentence (its first word is anyway).
                    opening, *rest = sentence.split()
                    capitalised = " ".join(word for word in rest if word.lstrip(_OPENING)[:1].isupper())
                    named = {surface_stems.get(w) or stem(w) for w in self.tokens(capitalised)} - not_names
                    lower = words_here - named
                    if opening.lstrip(_OPENING)[:1].isupper():
                        lower -= {surface_stems.get(w) or stem(w) for w in self.tokens(opening)}
                    for seen, found in ((name_first, named), (lower_first, lower)):
                        for word in found:
                            if seen.get(word, reveal.episode + 1) > reveal.episode:
                                seen[word] = reveal.episode
                    for word in words_here:
                        sentence_postings.setdefault(word, []).append(row)
                        if used.get(word, reveal.episode + 1) > reveal.episode:
                            used[word] = reveal.episode
                    self._sentence_words.append(words_here)
                    self._sentence_episode.append(reveal.episode)
                    self._sentence_entry.append(position)
                    self._sentence_reveal.append(reveal)
            self._sentence_rows.append(range(start, len(self._sentence_reveal)))
            for word, episode in used.items():
                first_use.setdefault(word, []).append(episode)
            for word, episode in entry_words.items():
                title_first_use.setdefault(word, []).append(episode)
        # Visible at h = a prefix of each posting list: sort by (episode, file order).
        for found_lists, episode_of in ((postings, self._episodes), (sentence_postings, self._sentence_episode)):
            key = episode_of.__getitem__
            for found in found_lists.values():
                if len(found) > 1:
                    found.sort(key=key)  # stable: file order within an episode
        self._postings = postings
        self._sentence_postings = sentence_postings
        #: stem -> sorted first episodes, one per entry using it: its document frequency at h is a bisection
        self._first_use = {word: array("h", sorted(episodes)) for word, episodes in first_use.items()}
        self._title_first_use = {word: array("h", sorted(episodes)) for word, episodes in title_first_use.items()}
        self._entry_firsts = array("h", sorted(entry.first_episode for entry in self._entry_list))
        # The knowledge's other spellings ("varok" -> "vallock") are typo targets too ("varuk"):
        # a slip in a spelling the knowledge maps means the word it maps to. Such a spelling is
        # never itself in a text (the mapping comes first), so it is a typo target only.
        for spelling, word in synonyms.items():
            if spelling not in surface_stems and word in surface_stems:
                surface_stems[spelling] = surface_stems[word]
        # Words as written, before stemming, for typos and prefixes.
        self._surface = surface_stems
        self._name_first, self._lower_first = name_first, lower_first
        self._surface_first = phrasing_first
        self._word_first = word_first
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
        # Names by how they sound, for one spelled by ear or romanised ("giyaron": Giallon).
        self._sounds: dict[str, list[str]] = {}
        for word, stemmed in surface_stems.items():
            if len(word) >= self.SOUND_KEY and stemmed in name_first and word.isalpha():
                if len(key := sound_key(word)) >= self.SOUND_KEY:
                    self._sounds.setdefault(key, []).append(word)
        # Entries for an empty autocomplete box: mysteries first, then in file order.
        self._browse_order = sorted(kb.entries.values(), key=lambda e: (e.mystery is None, e.first_episode))

    def tokens(self, text: str) -> list[str]:
        """:func:`normalize.tokens` with this knowledge's synonyms, the show's title read as the show."""
        return tokens(text, self.synonyms, self._as_the_show if self._title is not None else None)

    def question_tokens(self, question: str) -> list[str]:
        """:meth:`tokens` of a fan's question: the show's title read as the show even misspelled."""
        question = without_said_marks(question)
        return tokens(question, self.synonyms, self._as_the_show_typed if self._title is not None else None)

    def question_stems(self, entry: Entry) -> frozenset[str]:
        """The stems of ``entry``'s question (what it is about), kept for the first entries asked
        about (a bounded cache): "did you mean" for a question naming someone reads many of them."""
        found = self._question_stems.get(entry.id)
        if found is None:
            found = frozenset(stem(word) for word in self.tokens(entry.question))
            if len(self._question_stems) < self.QUESTION_STEMS_KEPT:
                self._question_stems[entry.id] = found
        return found

    def _slips_of(self, word: str) -> tuple[str, ...]:
        """The vocabulary's words one slip away from ``word`` (any horizon's), sorted."""
        found = self._slips.get(word)
        if found is None:
            candidates: set[str] = set()
            deletions = self._deletions
            for key in (word, *_deletions(word)):
                near = deletions.get(key)
                if near:
                    candidates.update(near)
            found = tuple(sorted(candidates))
            if len(self._slips) < self.SLIPS_KEPT:
                self._slips[word] = found
        return found

    def _as_the_show(self, folded: str) -> str:
        assert self._title is not None  # only passed to tokens() when the title has two words or more
        return self._title.sub("anime", folded) if self._title_start in folded else folded

    def _as_the_show_typed(self, folded: str) -> str:
        """:meth:`_as_the_show`, and the title typed with a slip in each word (a typo's similarity,
        or a spelling the knowledge's synonyms map to it: "metallic rooj")."""
        folded = self._as_the_show(folded)
        assert self._near_title is not None
        typed: list[tuple[int, int]] = []
        for found in self._near_title.finditer(folded):
            start, end = found.span(1)
            if typed and start < typed[-1][1]:
                continue  # inside the title just read
            words = found.group(1).split()
            if all(
                fuzz.ratio(word, own) >= self.thresholds.word or self.synonyms.get(word) == own
                for word, own in zip(words, self._title_words)
            ):
                typed.append((start, end))
        for start, end in reversed(typed):
            folded = f"{folded[:start]}anime{folded[end:]}"
        return folded

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

    def close(self) -> None:
        """Forget the horizon views: each refers back to this index, so without them reference
        counting frees a replaced index at once, with no cycle left for the collector."""
        self._views.clear()

    # -- shorthands ------------------------------------------------------------------------------
    def match(self, question: str, upto: int | None = None, *, limit: int = 3) -> MatchResult:
        """Match a whole question for an asker who has watched up to ``upto`` (None: all)."""
        return self.at(upto).match(question, limit=limit)

    def complete(self, typed: str, upto: int | None = None, *, limit: int = 25) -> list[Entry]:
        return self.at(upto).complete(typed, limit=limit)

    def complete_mystery(self, typed: str, upto: int | None = None, *, limit: int = 25) -> list[Entry]:
        return self.at(upto).complete_mystery(typed, limit=limit)


class _HorizonStats:
    """What ranking needs to know about the words at one horizon, from the visible knowledge only."""

    __slots__ = (
        "entry_count", "weights", "text_weights", "unknown_weight", "vague_weight", "sizes", "surface_sorted", "names"
    )

    def __init__(self, index: Matcher, h: int | None) -> None:
        firsts = index._entry_firsts
        self.entry_count = len(firsts) if h is None else bisect.bisect_right(firsts, h)
        count = max(1, self.entry_count)
        self.unknown_weight = math.log(1 + count) * index.scoring.unknown_word
        self.vague_weight = math.log(1 + count) * index.scoring.vague_word
        #: visible stem -> weight, from the visible phrasings (questions and aliases); also the
        #: vocabulary of matching on phrasings
        self.weights = self._idf(index._title_first_use, h, count)
        #: the same from phrasings and reveals: the vocabulary of matching on reveals
        self.text_weights = self._idf(index._first_use, h, count)
        #: each phrasing's information (0 for a phrasing not visible here), summed in a fixed
        #: order (a phrasing's words are sorted), so the same bits in every process
        weight = self.weights.__getitem__
        if h is None:
            sizes = [sum(map(weight, words)) for words in index._words]
        else:
            sizes = [sum(map(weight, words)) if e <= h else 0.0 for words, e in zip(index._words, index._episodes)]
        self.sizes = array("d", sizes)
        #: words as written that a visible phrasing uses, sorted, for completing a typed prefix
        first_seen = index._surface_first
        self.surface_sorted = sorted(first_seen if h is None else [w for w, e in first_seen.items() if e <= h])
        #: stems that name someone or something in the visible reveals (never written in lower case there)
        lower = index._lower_first
        self.names = frozenset(
            word
            for word, episode in index._name_first.items()
            if (h is None or episode <= h) and not (word in lower and (h is None or lower[word] <= h))
        )

    def _idf(self, first_use: dict[str, array], h: int | None, count: int) -> dict[str, float]:
        """Inverse document frequency over the visible entries: a word in every entry says
        nothing. A bare number ("2") is weak evidence whatever its rarity: episode 2, Mk 2, 2 + 2.
        A vague word ("real", "special") is weak even where the knowledge uses it."""
        log = math.log
        weights: dict[str, float] = {}
        for word, episodes in first_use.items():
            df = len(episodes) if h is None else bisect.bisect_right(episodes, h)
            if df:
                weights[word] = log(1 + count / df) * (0.5 if word.isdigit() else 1.0)
        for word in _VAGUE & weights.keys():
            weights[word] = min(weights[word], self.vague_weight)
        return weights


class HorizonMatcher:
    """The matcher at one horizon ``h``: everything it answers depends only on what ``h`` sees.

    Its results equal those of ``Matcher(cut(kb, h))`` (the same entries, scores and order),
    without building that second index."""

    def __init__(self, index: Matcher, h: int | None) -> None:
        self.index = index
        self.horizon = h
        self._stats = _HorizonStats(index, h)
        self._mentioned: dict[int, tuple[frozenset[str], frozenset[str]]] = {}  # see _mentions()
        self._last_read: tuple[tuple[str, ...], list[_Word]] | None = None  # see _read()

    @property
    def thresholds(self) -> Thresholds:
        return self.index.thresholds

    def visible(self, episode: int) -> bool:
        return self.horizon is None or episode <= self.horizon

    # -- public ---------------------------------------------------------------------------------
    def match(self, question: str, *, limit: int = 3) -> MatchResult:
        t = self.thresholds
        words = self._words(question)
        # Ranked down to the lower bar at once, for a question naming something known; the verdict
        # reads only what clears the suggest bar.
        floor = min(t.suggest, t.named_suggest)
        asked = self._asked(question, words)
        ranking = self._rank(words, prefix=False, floor=floor, need=max(limit, 2), asked=asked)
        result = self._verdict(ranking.scored, t, limit)
        if result.verdict is Verdict.UNKNOWN:
            return self._named_below_the_bar(words, ranking, limit, asked) or result
        # What the question names comes first: an entry that never mentions one of its names or
        # numbers is not the answer, and is offered after those that mention them all.
        missing = [
            sum(w.weight for w in self._unmentioned(words, ranking.analysed, s.entry, asked)) for s in result.suggestions
        ]
        if not any(missing):
            return result
        if all(missing):
            # None of them mentions all it names ("how did rouge beat giallon outside the ship":
            # Verde's entry, through "rouge beat verde"): those about what it names, if any.
            named = self._named_below_the_bar(words, ranking, limit, asked)
            if named is not None:
                return named
        offered = tuple(s for s, _ in sorted(zip(result.suggestions, missing), key=lambda pair: pair[1]))
        if result.verdict is Verdict.ANSWERED and missing[0]:
            return MatchResult(Verdict.SUGGEST, result.best, offered)
        return MatchResult(result.verdict, result.best, offered)

    def _named_below_the_bar(self, words: list[str], ranking: _Ranking, limit: int, asked: _Asked) -> MatchResult | None:
        """"Did you mean" for a chatty question that names something the knowledge knows, but
        whose unknown words ("popping", "everywhere") hold its score under the suggest bar: the
        entries from ``named_suggest`` whose question names one of its names (what they are
        about) and whose text mentions all its names and numbers ("rouge mom" before episode 1 is
        not offered Aletheia, whose alias says "who does rouge work for"). Never an answer; None
        when no entry is about what it names."""
        analysed = ranking.analysed
        named = self._named(analysed)
        if not named:
            return None
        low = self.thresholds.named_suggest
        # best first: stop at ``limit``, and after as many entries as phrasings are scored in full
        candidates = islice((s for s in ranking.scored if s.score >= low), self.index.CANDIDATES)
        fitting = (
            s for s in candidates if self.is_about(s.entry, named) and not self._unmentioned(words, analysed, s.entry, asked)
        )
        offered = tuple(islice(fitting, limit))
        return MatchResult(Verdict.SUGGEST, offered[0], offered) if offered else None

    def names_asked(self, question: str) -> list[frozenset[str]]:
        """For each word of ``question`` naming someone or something visible here, the names it
        may stand for ("sara": {"sarah"})."""
        return self._named(self._read(self._words(question)))

    def _named(self, analysed: list[_Word]) -> list[frozenset[str]]:
        names = self._stats.names
        return [frozenset(names.intersection(word.stems)) for word in analysed if not names.isdisjoint(word.stems)]

    def is_about(self, entry: Entry, named: list[frozenset[str]]) -> bool:
        """Whether ``entry``'s question names one of ``named`` (:meth:`names_asked`): what the
        entry is about, not only a name its text mentions."""
        own = self.index.question_stems(entry)
        return any(not own.isdisjoint(names) for names in named)

    def complete(self, typed: str, *, limit: int = 25) -> list[Entry]:
        """Entries to offer while the asker types (matched on their phrasings only)."""
        index = self.index
        if not index.tokens(typed):
            browse = (entry for entry in index._browse_order if self.visible(entry.first_episode))
            return list(islice(browse, limit))
        ranked = self._rank(self._words(typed), prefix=True, floor=self.thresholds.suggest * 0.8, need=limit).scored
        return [s.entry for s in ranked[:limit]]

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

    def ranking(self, question: str) -> list[tuple[float, str, str]]:
        """Every candidate entry's score, best phrasing and focus, best first (for tests and tuning)."""
        words = self._words(question)
        return [
            (s.score, s.entry.id, s.phrasing + (f" | {s.focus.text}" if s.focus else ""))
            for s in self._rank(words, prefix=False, floor=0.0, need=None, asked=self._asked(question, words)).scored
        ]

    # -- the verdict -----------------------------------------------------------------------------
    def _verdict(self, ranked: list[Scored], t: Thresholds, limit: int) -> MatchResult:
        if not ranked:
            return MatchResult(Verdict.UNKNOWN)
        best = ranked[0]
        if best.score < t.suggest:
            return MatchResult(Verdict.UNKNOWN, best)
        suggestions = tuple(s for s in ranked if s.score >= t.suggest)[:limit]
        runner_up = ranked[1].score if len(ranked) > 1 else 0.0
        clear = best.score - runner_up >= t.margin or (best.score >= 99.5 and runner_up < 99.5)
        # Entries whose reveals each tell the whole question tell the same event: not a doubt.
        clear = clear or best.whole and all(s.whole for s in ranked[1:] if best.score - s.score < t.margin)
        if best.score >= t.answer and clear:
            return MatchResult(Verdict.ANSWERED, best, suggestions)
        return MatchResult(Verdict.SUGGEST, best, suggestions)

    def options_asked(self, question: str) -> frozenset[tuple[str, str]]:
        """The two things a question asks between, as stems ("was it jaron or verde": giallon, verde)."""
        return asked_between(question, self._stemmed_words)

    def names_in(self, stems: Iterable[str]) -> set[str]:
        """Those of ``stems`` that name someone or something in the visible reveals."""
        return self._stats.names.intersection(stems)

    def unmentioned(self, question: str, entry: Entry) -> list[str]:
        """The names and numbers of ``question`` that ``entry``'s visible text never mentions."""
        words = self._words(question)
        return [w.text for w in self._unmentioned(words, self._read(words), entry, self._asked(question, words))]

    def meanings(self, question: str) -> list[tuple[str, frozenset[str]]]:
        """Each word of ``question`` as stemmed, with the stems of visible phrasings and reveals it
        may stand for (a typo read as the word it slips from); none when nothing here knows it."""
        return [(word.text, frozenset(word.stems)) for word in self._read(self._words(question))]

    def phrasing_words(self, entry: Entry) -> set[str]:
        """The stems of ``entry``'s phrasings (question and aliases) visible here."""
        h = self.horizon
        words = self.index._entry_words[self.index._entry_position[entry.id]]
        return {word for word, episode in words.items() if h is None or episode <= h}

    def told_in_reveals(self, question: str, entry: Entry) -> Told:
        """What ``entry``'s visible reveals say of the question beyond what the entry is about
        ("why did rouge kick the st bernard": Giallon's entry is about him, a sentence of it tells
        of the dog): the most words of the question that its visible phrasings lack and one
        sentence holds, and that sentence's reveal. Only words that say what is asked count: as
        typed (not a typo), not a number, chat, a vague word or a word for the show itself ("ep
        12", "anime"), nor a name (a sentence naming Rouge is not about what is asked of her)."""
        index = self.index
        names = self._stats.names
        position = index._entry_position[entry.id]
        own = self.phrasing_words(entry)
        asked = [
            word
            for word in self._read(self._words(question))
            if word.text not in _NOT_EVIDENCE and not word.text.isdigit()
        ]
        lacking = [
            word.text
            for word in asked
            if word.text not in own and word.stems.get(word.text) == 1.0 and names.isdisjoint(word.stems)
        ]
        best, reveal = 0, None
        for row in self._visible_sentences(position):
            held = sum(1 for word in lacking if word in index._sentence_words[row])
            if held > best:
                best, reveal = held, index._sentence_reveal[row]
        return Told(best, sum(1 for word in asked if not word.stems), len(asked), reveal)

    def _unmentioned(self, words: list[str], analysed: list[_Word], entry: Entry, asked: _Asked) -> list[_Word]:
        """The names and numbers of the question that the entry's visible text never mentions.

        An answer is about what the question names: "noid's favourite food" is not answered by
        Rouge's favourite food, nor "who directed episode 11" by the staff of episodes 4 to 10.
        A number after "episode" is mentioned by the entry's phrasings ("who wrote episode 5") or
        by a reveal of that episode ("who killed juval in ep 3"), not by a date in its text ("10
        January"). Such a match is offered as "did you mean", not answered. Of two names asked
        between ("is target planet ep 11 or ep 10"), an entry mentioning one tells which."""
        names = self._stats.names
        own, episodes = self._mentions(self.index._entry_position[entry.id])
        of_episode = episode_numbers(words)
        missing: list[_Word] = []
        told: set[str] = set()  # the names and numbers it mentions, and counts
        for word in analysed:
            if word.text.isdigit():
                # "had two directors": a count, not a name
                if word.text not in asked.counts and word.text not in (episodes if word.text in of_episode else own):
                    missing.append(word)
                    continue
            elif not word.stems or names.isdisjoint(word.stems):
                continue
            elif own.isdisjoint(word.stems):
                missing.append(word)
                continue
            told.add(word.text)
        if missing and asked.either:
            either = {one for pair in asked.either for one, other in (pair, pair[::-1]) if other in told}
            missing = [word for word in missing if word.text not in either]
        return missing

    def _asked(self, question: str, words: list[str]) -> _Asked:
        return _Asked.of(question, words, self._stemmed_words)

    def _stemmed_words(self, text: str) -> list[str]:
        """The words of ``text`` as :meth:`_analyse` names them ("mars": "mar")."""
        index = self.index
        surface, stem_of = index._surface, index._stem
        return [surface.get(word) or stem_of(word) for word in index.question_tokens(text)]

    def _mentions(self, position: int) -> tuple[frozenset[str], frozenset[str]]:
        """The stems an entry's visible text uses, and the episodes it tells or names, kept for
        the first entries asked about (a bounded cache: "did you mean" reads three per question)."""
        found = self._mentioned.get(position)
        if found is None:
            index = self.index
            own = self.phrasing_words(index._entry_list[position])
            episodes = {number for number in own if number.isdigit()}
            for row in self._visible_sentences(position):
                own |= index._sentence_words[row]
                episodes.add(str(index._sentence_episode[row]))
            found = frozenset(own), frozenset(episodes)
            if len(self._mentioned) < index.MENTIONS_KEPT:
                self._mentioned[position] = found
        return found

    # -- the question's words --------------------------------------------------------------------
    def _visible_end(self, found: list[int], episodes: list[int]) -> int:
        """How many rows of a posting list (sorted by episode) are visible here: a prefix, found
        by bisection and never copied (a common word's list has tens of thousands of rows)."""
        if self.horizon is None:
            return len(found)
        return bisect.bisect_right(found, self.horizon, key=episodes.__getitem__)

    def _visible_sentences(self, position: int) -> range:
        """The rows of an entry's sentences visible here (its reveals are in episode order)."""
        rows = self.index._sentence_rows[position]
        return rows[: self._visible_end(rows, self.index._sentence_episode)]

    def _read(self, words: list[str]) -> list[_Word]:
        """:meth:`_analyse` with the reveals' vocabulary, of the last words read here kept: the
        answering checks read one question several times (who it names, what its entry leaves
        unmentioned, what the reveals tell of it). Callers do not change what it returns."""
        key = tuple(words)
        last = self._last_read
        if last is not None and last[0] == key:
            return last[1]
        analysed = self._analyse(words, prefix=False, reveals=True)
        self._last_read = (key, analysed)
        return analysed

    def _analyse(self, words: list[str], *, prefix: bool, reveals: bool = False) -> list[_Word]:
        """Each word of the question with the stems it may mean and how much it weighs, in the
        vocabulary of the visible phrasings, or with ``reveals`` of phrasings and reveals."""
        index = self.index
        surface, stem_of = index._surface, index._stem
        known = self._stats.text_weights if reveals else self._stats.weights
        out: list[_Word] = []
        skip = False
        last = len(words) - 1
        for i, word in enumerate(words):
            if skip:
                skip = False
                continue
            stemmed = surface.get(word) or stem_of(word)
            typing = prefix and i == last
            # Two words run apart: "back story" -> "backstory".
            if i < last and not (prefix and i + 1 == last):
                joined = stem_of(word + words[i + 1])
                # Not a word with an ending typed apart ("sang ed" is not "sanged", that is "sang").
                if joined in known and joined != stemmed:
                    out.append(self._word(joined, {joined: 1.0}, known))
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
                split = self._split(word, known)
                if split:
                    out.extend(self._word(part, {part: 1.0}, known) for part in split)
                    continue
                if stemmed not in _CHAT and stemmed not in _VAGUE:  # "back" is not a slip of "black"
                    found = self._typo(word, known) or self._sounds_like(word, known)
            out.append(self._word(stemmed, found, known))
        return out

    def _unknown_in_decline(self, analysed: list[_Word]) -> list[_Word]:
        """Each further word the knowledge does not know counts less (``Scoring.unknown_decay``):
        one unknown word in a short question ("naruto's mother") is a sign it asks about something
        else, five in a long chatty message are mostly chatter."""
        decay = self.index.scoring.unknown_decay
        factor = 1.0
        out = []
        for word in analysed:
            if not word.stems:
                if factor < 1.0:
                    word = _Word(word.text, word.weight * factor, word.stems)
                factor *= decay
            out.append(word)
        return out

    def _word(self, text: str, stems: dict[str, float], weights: dict[str, float]) -> _Word:
        stats = self._stats
        if not stems:
            return _Word(text, stats.vague_weight if text in _VAGUE or text in _CHAT else stats.unknown_weight, stems)
        return _Word(text, max(weights[s] for s in stems), stems)

    def _split(self, word: str, known: dict[str, float]) -> tuple[str, str] | None:
        if not 6 <= len(word) <= self.index.LONGEST_WORD or not word.isalpha():
            return None
        for cut in range(3, len(word) - 2):
            left, right = self.index._stem(word[:cut]), self.index._stem(word[cut:])
            if left in known and right in known:
                return left, right
        return None

    def _typo(self, word: str, known: dict[str, float]) -> dict[str, float]:
        """Vocabulary words one slip away (a letter dropped, added, changed or swapped)."""
        index = self.index
        if not 3 <= len(word) <= index.LONGEST_WORD:
            return {}
        out: dict[str, float] = {}
        cutoff = index.thresholds.word
        unfinished = index.scoring.unfinished
        h = self.horizon
        first_seen = index._word_first
        for candidate in index._slips_of(word):
            stemmed = index._surface[candidate]
            if stemmed not in known:  # not in this vocabulary, or not visible at this horizon
                continue
            if h is not None and first_seen.get(candidate, 0) > h:
                continue  # the stem is visible, but this spelling of it only in a later episode
            similarity = fuzz.ratio(word, candidate, score_cutoff=cutoff) / 100
            if similarity:
                if candidate.startswith(word):
                    similarity = min(similarity, unfinished)
                out[stemmed] = max(out.get(stemmed, 0.0), similarity)
        return out

    def _sounds_like(self, word: str, known: dict[str, float]) -> dict[str, float]:
        """Names visible here that sound like ``word`` (``sound_key``): "okurona" is Ochrona as
        read in Japanese, "giyaron" Giallon spelled by ear. A weaker match than a typo's."""
        index = self.index
        if not index.SOUNDS_FROM <= len(word) <= index.LONGEST_WORD or not word.isalpha():
            return {}
        names = self._stats.names
        h = self.horizon
        out: dict[str, float] = {}
        for candidate in index._sounds.get(sound_key(word), ()):
            stemmed = index._surface[candidate]
            if stemmed not in known or stemmed not in names:
                continue  # not visible at this horizon, or not (yet) a name
            if h is not None and index._word_first.get(candidate, 0) > h:
                continue  # the name is visible, but this spelling of it only in a later episode
            out[stemmed] = index.scoring.sounds_like
        return out

    # -- candidates ------------------------------------------------------------------------------
    def _gather(self, known: list[_Word], postings: dict[str, list[int]], episodes: list[int], limit: int) -> list[int]:
        """The visible rows (phrasings or sentences) holding the most of the question's information.

        Words are read rarest first, each stem's rows adding its weight; once some rows are
        found, a stem in more than ``COMMON`` rows adds to none (it still counts in the scores).
        Ties for the last places go to the rows found first (rarest word first, then by episode
        and file order): the same at ``h`` as in the knowledge cut at ``h``."""
        hits: dict[int, float] = {}
        # The first list read (often the longest: a common word's) is kept as it is until another
        # adds to it: alone, its rows all hold the same value, and the first found win the tie.
        first: list[int] | None = None
        first_value = 0.0
        common, scan = self.index.COMMON, self.index.SCAN
        for word in sorted(known, key=lambda w: -w.weight):  # stable: ties in question order
            lists = []
            for stemmed, similarity in word.stems.items():
                found = postings.get(stemmed)
                end = self._visible_end(found, episodes) if found else 0
                if end:
                    lists.append((end, found, similarity))
            lists.sort(key=lambda item: item[0])  # stable: ties in the stems' order
            for end, found, similarity in lists:
                if (hits or first) and end > common:
                    break
                value = word.weight * similarity
                rows = found[: min(end, scan)]
                if first is None and not hits:
                    first, first_value = rows, value
                    continue
                if first is not None:
                    hits, first = dict.fromkeys(first, first_value), None
                get = hits.get
                for row in rows:
                    hits[row] = get(row, 0.0) + value
        if first is not None:
            return first[:limit]
        if len(hits) <= limit:
            return list(hits)
        # sorted() is stable, so this is heapq.nlargest's order (ties: the first found), in C
        return sorted(hits, key=hits.__getitem__, reverse=True)[:limit]

    # -- scoring ---------------------------------------------------------------------------------
    def _rank(
        self, words: list[str], *, prefix: bool, floor: float, need: int | None, asked: _Asked | None = None
    ) -> _Ranking:
        """Each visible entry that shares words with the question (its :meth:`_words`), with its
        score, best first (ties in file order). Entries that cannot reach ``floor`` are left out
        (for a ``prefix``, those whose words cannot); with ``need``, only the best ``need``
        entries are sure to be there, with their exact scores."""
        index = self.index
        if not words:
            return _Ranking([], [])
        best: dict[int, _Found] = {}
        sentences: list[_Word] = []
        analysed = self._unknown_in_decline(self._analyse(words, prefix=prefix))
        if any(w.stems for w in analysed):
            best = self._score_phrasings(analysed, floor, need, asked)
        order = sorted(best.items(), key=lambda pair: (-pair[1].score, pair[0]))  # ties: in file order
        if not prefix:
            # A phrasing that answers clearly is not second-guessed by reveals' words: they only
            # pick the reveal to lead with. Otherwise the reveals' sentences compete too.
            t = self.thresholds
            clear = bool(order) and order[0][1][0] >= t.settled and (
                len(order) == 1 or order[0][1][0] - order[1][1][0] >= t.settled_margin
            )
            sentences = self._unknown_in_decline(self._read(words))
            leaders = [position for position, _ in order[: index.TITLE_ENTRIES_WITH_REVEALS]]
            self._score_sentences(sentences, best, leaders, only=order[0][0] if clear else None)
            order = sorted(best.items(), key=lambda pair: (-pair[1].score, pair[0]))
        entries = index._entry_list
        # Autocomplete offers whatever could reach the floor by its words (a long question's first
        # word typed scores low, yet is what the fan is after); a question needs the score itself.
        lowest = 0.0 if prefix else floor
        return _Ranking([Scored(entries[position], *found) for position, found in order if found.score >= lowest], sentences)

    def _words(self, question: str) -> list[str]:
        index = self.index
        return index.question_tokens(question)[: index.MAX_WORDS]

    def _score_phrasings(
        self, analysed: list[_Word], floor: float, need: int | None, asked: _Asked | None = None
    ) -> dict[int, _Found]:
        """entry position -> (score, phrasing, None) for the entries with the best phrasings.

        A phrasing scores half on how much of the question's information it explains and how
        much of its own it uses (an F-measure leaning to recall), half on rapidfuzz's WRatio of
        the texts. WRatio is computed best bound first, and not at all once a phrasing cannot
        enter the ``need`` best entries."""
        index = self.index
        scoring = index.scoring
        share, recall_bias, sibling = scoring.words, scoring.recall_bias, scoring.sibling
        owner = index._phrasing_entry
        weights, sizes = self._stats.weights, self._stats.sizes
        all_words, texts = index._words, index._texts
        forms, other_form = index._phrasing_form, scoring.other_form
        numbered, other_episode = index._phrasing_episodes, scoring.other_episode
        known = [w for w in analysed if w.stems]
        total = sum(w.weight for w in analysed)
        query = " ".join(w.text for w in analysed)  # as typed (stemmed, not typo-corrected)
        # stem -> (which known word, similarity), to walk a phrasing's few words, not the question's.
        meaning: dict[str, list[tuple[int, float]]] = {}
        pairs = _stem_pairs(known)
        for candidate, position, similarity in pairs:
            meaning.setdefault(candidate, []).append((position, similarity))
        bounded: list[tuple[float, int, float]] = []  # (upper bound, phrasing, word score)
        credits: dict[int, list[float]] = {}  # entry position -> each known word's best in its phrasings
        for phrasing in self._gather(known, index._postings, index._episodes, index.CANDIDATES):
            matched: dict[int, tuple[float, str]] = {}  # known word -> (similarity, phrasing word)
            for own in all_words[phrasing]:  # sorted: the same winner on every tie, in every process
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
                # Words the phrasing lacks but another visible phrasing of its entry has.
                entry = owner[phrasing]
                credit = credits.get(entry)
                if credit is None:
                    credit = credits[entry] = self._phrasing_credit(entry, len(known), pairs)
                for position, word in enumerate(known):
                    if position not in matched:
                        explained += word.weight * credit[position] * sibling
            recall = explained / total
            information = 0.0
            for own, similarity in used.items():
                information += weights[own] * similarity
            precision = information / sizes[phrasing]
            f = (1 + recall_bias) * precision * recall / (recall_bias * precision + recall)
            if asked is not None:
                if asked.form and forms[phrasing] and forms[phrasing] != asked.form:
                    f *= other_form
                if asked.episodes and (named := numbered.get(phrasing)) and not named & asked.episodes:
                    f *= other_episode
            bound = 100 * (share * f + 1 - share)  # the character score is at most 1
            if bound >= floor:
                bounded.append((bound, phrasing, f))
        bounded.sort(key=lambda item: (-item[0], item[1]))
        best: dict[int, _Found] = {}
        firsts: list[float] = []  # each entry's first score (a lower bound of its best), the best ``need``
        ratio = fuzz.WRatio
        lead = index._phrasing_lead
        for bound, phrasing, f in bounded:
            if need is not None and len(firsts) >= need and bound < firsts[0]:
                break  # no phrasing left can reach the ``need`` best entries
            position = owner[phrasing]
            found = best.get(position)
            if found is None:
                score = 100 * (share * f + (1 - share) * ratio(query, texts[phrasing]) / 100)
                if need is not None:
                    (heapq.heappush if len(firsts) < need else heapq.heappushpop)(firsts, score)
                best[position] = _Found(score, texts[phrasing], lead.get(phrasing))
                continue
            # Only a better score than its entry's best counts: the character score it would take
            # (a little under, for rounding) is WRatio's cutoff, below which it returns 0 sooner.
            needed = (found[0] / 100 - share * f) / (1 - share) * 100 - 1e-6
            if needed > 100:
                continue
            score = 100 * (share * f + (1 - share) * ratio(query, texts[phrasing], score_cutoff=max(needed, 0.0)) / 100)
            if score > found[0]:
                best[position] = _Found(score, texts[phrasing], lead.get(phrasing))
        return best

    def _phrasing_credit(self, position: int, count: int, pairs: list[tuple[str, int, float]]) -> list[float]:
        """Each of the ``count`` known words' best similarity among the entry's visible phrasings
        (0: none has it); ``pairs``: (stem, known word, similarity) for every stem a word may mean."""
        titles = self.index._entry_words[position]
        h = self.horizon
        out = [0.0] * count
        get = titles.get
        for candidate, word, similarity in pairs:
            episode = get(candidate)
            if episode is not None and similarity > out[word] and (h is None or episode <= h):
                out[word] = similarity
        return out

    def _score_sentences(
        self, analysed: list[_Word], best: dict[int, _Found], leaders: list[int], *, only: int | None = None
    ) -> None:
        """Score entries on the sentences of their visible reveals too, in place: "who gave humans
        the tech to make neans" asks for a detail that no question or alias holds.

        A sentence explains a question word it holds, or that its entry's phrasings hold (the
        question's subject: "is ash a nean"). Its score is the share of the question explained,
        capped below a phrasing's (``reveal_cap``), plus a little for the subject. It counts only
        when the sentence adds what the phrasings lack, and as an answer only with enough
        evidence (``Thresholds.evidence``); otherwise at most a suggestion. The best sentence's
        reveal is the answer's focus. ``leaders``: the entries best on their phrasings, whose
        sentences are scored whether or not they hold the question's rarest words. With ``only``
        (an entry position), that entry's focus is chosen and no score changes."""
        known = [w for w in analysed if w.stems]
        if not known:
            return
        index = self.index
        scoring, thresholds = index.scoring, index.thresholds
        cap, subject, weak = scoring.reveal_cap, scoring.subject, scoring.weak_reveal
        total = sum(w.weight for w in analysed)
        if only is not None:
            positions = {only: None}
        else:
            rows = self._gather(known, index._sentence_postings, index._sentence_episode, index.REVEAL_CANDIDATES)
            positions = dict.fromkeys(index._sentence_entry[row] for row in rows)
            positions.update(dict.fromkeys(leaders))
        sentence_words = index._sentence_words
        pairs = _stem_pairs(known)
        ruled_out = {word.text for word in known if word.text.isdigit() or word.text in _NOT_EVIDENCE}
        for position in positions:
            by_title = self._phrasing_credit(position, len(known), pairs)
            title_share = sum(w.weight * v for w, v in zip(known, by_title)) / total
            # Only a sentence holding a stem that a word its phrasings lack may mean can add anything.
            lacking = {stem for word, value in zip(known, by_title) if value < 1.0 for stem in word.stems}
            if not lacking:
                continue
            top, top_evidence, focus_row = title_share, 0, -1
            for row in self._visible_sentences(position):
                own = sentence_words[row]
                if own.isdisjoint(lacking):
                    continue
                explained = 0.0
                evidence = 0
                for word, value in zip(known, by_title):
                    if value < 1.0:
                        for candidate, similarity in word.stems.items():
                            if similarity > value and candidate in own:
                                # evidence: a word the phrasings lack, as written (not a typo), not a number, nor
                                # chat or vague ("back" in "why dont the neans just fight back")
                                evidence += value == 0.0 and similarity == 1.0 and word.text not in ruled_out
                                value = similarity
                    explained += word.weight * value
                share = explained / total
                if share > top:
                    top, top_evidence, focus_row = share, evidence, row
            if focus_row < 0:
                continue  # the reveals add nothing the phrasings did not say
            strong = top_evidence >= (thresholds.subject_evidence if title_share else thresholds.evidence)
            score = 100 * (cap * top + subject * title_share) * (1.0 if strong else weak)
            focus = index._sentence_reveal[focus_row]
            found = best.get(position)
            if found is None or score > found[0] and only is None:
                whole = strong and top >= scoring.whole
                best[position] = _Found(score, found[1] if found else "", focus, whole)
            else:
                best[position] = found._replace(focus=focus)


#: languages and nationalities: capitalised, yet "in japanese" asks how, not about whom
_LANGUAGES = frozenset("japanese english american british french german chinese korean spanish italian".split())
#: what may open a word before its first letter: quotes and brackets ("'Eden", "(Eden")
_OPENING = "\"'“‘([«"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'“(])")


#: the question words that ask for different things: "when did it come out" is not "where does
#: rouge come from". "what", "which" and "who" ask about a thing or a person alike, so none of them.
_ASKED_FORM = re.compile(r"\b(when|where|why|how)(?:'?s|'?re)?\b")


def _stem_pairs(known: list[_Word]) -> list[tuple[str, int, float]]:
    """(stem, the word's place in ``known``, similarity) for every stem each word may mean."""
    return [(candidate, position, similarity) for position, word in enumerate(known) for candidate, similarity in word.stems.items()]


def episode_numbers(words: list[str]) -> frozenset[str]:
    """The numbers that follow "episode" in normalised words ("episode 2 release date": {"2"})."""
    return frozenset(n for word, n in zip(words, words[1:]) if word == "episode" and n.isdigit())


#: words before a spelled-out number that make it a name: "the nine", "immortal nine", "episode two"
_NAMING_A_NUMBER = frozenset({"the", "immortal", "episode", "ep", "eps", "season", "part", "noid", "mk"})


def spelled_counts(question: str, words: list[str]) -> frozenset[str]:
    """The numbers ``question`` spells out as counts ("ep 10 had two directors": {"2"}): not typed
    as digits, nor after "episode" ("episode two" names an episode). A count is no name: an
    entry need not mention it to answer ("Episode 10 was directed by X and Y")."""
    typed = re.findall(r"[a-z]+|\d+", fold(question))
    spelled = {
        NUMBER_WORDS[word]
        for before, word in zip(["", *typed], typed)
        if word in NUMBER_WORDS and before not in _NAMING_A_NUMBER
    }
    return frozenset(spelled - {word for word in typed if word.isdigit()} - episode_numbers(words))


class _Asked(NamedTuple):
    """What a question asks for beyond its words: its question word and the episodes it names."""

    form: str
    episodes: frozenset[str]
    #: numbers it spells out as counts (:func:`spelled_counts`)
    counts: frozenset[str] = frozenset()
    #: pairs of words it asks between (:func:`asked_between`)
    either: frozenset[tuple[str, str]] = frozenset()

    @classmethod
    def of(cls, question: str, words: list[str], tokens: Callable[[str], list[str]]) -> _Asked:
        return cls(
            asked_form(question), episode_numbers(words), spelled_counts(question, words), asked_between(question, tokens)
        )


#: two things asked between: "was it jaron or verde", "is target planet ep 11 or ep 10"
_EITHER = re.compile(r"([\w']+)\s+or\s+((?:(?:the|a|an|ep|eps|episode)\s+)?[\w']+)")


def asked_between(question: str, tokens: Callable[[str], list[str]]) -> frozenset[tuple[str, str]]:
    """The words on each side of "or", as ``tokens`` reads them: ("giallon", "verde") for "was
    it jaron or verde". An answer naming one of them need not name the other."""
    pairs = set()
    for found in _EITHER.finditer(fold(question)):
        left, right = tokens(found.group(1)), tokens(found.group(2))
        if left and right and left[-1] != right[-1]:
            pairs.add((left[-1], right[-1]))
    return frozenset(pairs)


def asked_form(text: str) -> str:
    """The question word ``text`` opens with, among those of :data:`_ASKED_FORM` ("" for none)."""
    found = _ASKED_FORM.search(fold(text)[:40])
    return found.group(1) if found else ""


def _sentences(text: str) -> list[str]:
    """A reveal's sentences (words that share a sentence are about one thing)."""
    return [part for part in _SENTENCE_END.split(text) if part.strip()]


def _deletions(word: str) -> set[str]:
    """The word with one letter left out, each way: two words one typo apart share one of these."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}
