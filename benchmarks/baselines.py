"""What a maintainer might build instead of our matcher, each given a fair chance.

* **difflib**: ``difflib.get_close_matches(q.lower(), [lower-cased questions and aliases], n=1)``;
* **rapidfuzz WRatio**: ``process.extractOne(q, questions + aliases, scorer=fuzz.WRatio,
  processor=normalize)`` with the bot's own normalisation (``bot.answering.normalize``: folding,
  filler words, the knowledge's synonyms). The phrasings are normalised once up front, which
  gives the same scores as ``processor=`` and is what anyone timing it would do;
* **BM25** (Okapi, k1 1.5, b 0.75, the always-positive idf) over each entry's visible text: its
  question, aliases and reveal texts, in the bot's normalisation plus its stemmer.

Each sees only what the asker may see: the benchmark builds it over ``cut(kb, upto)`` (the
knowledge at the asker's episode, see ``bot.knowledge.horizon``), one index per horizon, so
none of them can answer with, or be swayed by, a later reveal. Each has one knob, the score its
best entry needs to be answered; the quality benchmark chooses it on the tuning set only.
"""

from __future__ import annotations

import difflib
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from rapidfuzz import fuzz, process

from bot.answering.normalize import normalize, stem, tokens
from bot.knowledge.horizon import cut
from bot.knowledge.model import KnowledgeBase


@dataclass(frozen=True, slots=True)
class Doc:
    """One entry as a baseline sees it."""

    id: str
    #: the canonical question, then the aliases
    phrasings: tuple[str, ...]
    #: the reveal texts (only the visible ones when made from a cut)
    reveals: tuple[str, ...]


def docs_of(kb: KnowledgeBase) -> list[Doc]:
    return [
        Doc(entry.id, (entry.question, *(a.text for a in entry.aliases)), tuple(r.text for r in entry.reveals))
        for entry in kb.entries.values()
    ]


def docs_of_yaml(entries: Iterable[Mapping[str, Any]]) -> list[Doc]:
    """Docs from plain parsed YAML entries (every reveal): what the load baseline builds."""
    out = []
    for data in entries:
        aliases = tuple(a if isinstance(a, str) else a["text"] for a in data.get("aliases") or ())
        reveals = tuple(r["text"] for r in data.get("reveals") or ())
        out.append(Doc(data["id"], (data["question"], *aliases), reveals))
    return out


class Baseline(Protocol):
    name: str

    def best(self, question: str) -> tuple[str | None, float]:
        """The best entry id and its score (None when nothing matches at all)."""
        ...

    def complete(self, typed: str, limit: int = 25) -> list[str]:
        """Entry ids to offer while typing, best first."""
        ...


def _phrasing_owners(docs: Sequence[Doc]) -> tuple[list[str], list[str]]:
    texts, owners = [], []
    for doc in docs:
        for text in doc.phrasings:
            texts.append(text)
            owners.append(doc.id)
    return texts, owners


def _distinct(ids: Iterable[str], limit: int) -> list[str]:
    out: list[str] = []
    for entry_id in ids:
        if entry_id not in out:
            out.append(entry_id)
            if len(out) == limit:
                break
    return out


class DifflibBaseline:
    """``difflib.get_close_matches`` over lower-cased questions and aliases; score 0-100."""

    name = "difflib"

    def __init__(self, docs: Sequence[Doc], synonyms: Mapping[str, str] | None = None) -> None:
        texts, owners = _phrasing_owners(docs)
        self._owner: dict[str, str] = {}
        for text, owner in zip(texts, owners):
            self._owner.setdefault(text.lower(), owner)
        self._choices = list(self._owner)

    def best(self, question: str) -> tuple[str | None, float]:
        question = question.lower()
        found = difflib.get_close_matches(question, self._choices, n=1, cutoff=0.0)
        if not found:
            return None, 0.0
        return self._owner[found[0]], 100 * difflib.SequenceMatcher(None, question, found[0]).ratio()

    def complete(self, typed: str, limit: int = 25) -> list[str]:
        found = difflib.get_close_matches(typed.lower(), self._choices, n=limit * 3, cutoff=0.0)
        return _distinct((self._owner[text] for text in found), limit)


class WRatioBaseline:
    """rapidfuzz ``WRatio`` on the bot's normalisation, over questions and aliases; score 0-100."""

    name = "rapidfuzz WRatio"

    def __init__(self, docs: Sequence[Doc], synonyms: Mapping[str, str] | None = None) -> None:
        self._synonyms = synonyms or {}
        texts, self._owners = _phrasing_owners(docs)
        self._choices = [normalize(text, self._synonyms) for text in texts]

    def best(self, question: str) -> tuple[str | None, float]:
        query = normalize(question, self._synonyms)
        found = process.extractOne(query, self._choices, scorer=fuzz.WRatio)
        if found is None:
            return None, 0.0
        return self._owners[found[2]], float(found[1])

    def complete(self, typed: str, limit: int = 25) -> list[str]:
        query = normalize(typed, self._synonyms)
        found = process.extract(query, self._choices, scorer=fuzz.WRatio, limit=limit * 3)
        return _distinct((self._owners[index] for _, _, index in found), limit)


class BM25Baseline:
    """Okapi BM25 over each entry's question, aliases and reveal texts; the score is unbounded."""

    name = "BM25"
    K1 = 1.5
    B = 0.75

    def __init__(self, docs: Sequence[Doc], synonyms: Mapping[str, str] | None = None) -> None:
        self._synonyms = synonyms or {}
        self._ids = [doc.id for doc in docs]
        counts = [Counter(self._terms(" \n ".join((*doc.phrasings, *doc.reveals)))) for doc in docs]
        lengths = [sum(c.values()) for c in counts]
        average = sum(lengths) / len(lengths) if lengths else 1.0
        n = len(docs)
        postings: dict[str, list[tuple[int, float]]] = {}
        for index, (terms, length) in enumerate(zip(counts, lengths)):
            norm = self.K1 * (1 - self.B + self.B * length / (average or 1.0))
            for term, tf in terms.items():
                postings.setdefault(term, []).append((index, tf * (self.K1 + 1) / (tf + norm)))
        self._idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in postings.items()}
        self._postings = postings

    def _terms(self, text: str) -> list[str]:
        return [stem(word) for word in tokens(text, self._synonyms)]

    def _scores(self, text: str) -> Counter[int]:
        scores: Counter[int] = Counter()
        for term in self._terms(text):
            found = self._postings.get(term)
            if not found:
                continue
            idf = self._idf[term]
            for index, weight in found:
                scores[index] += idf * weight
        return scores

    def best(self, question: str) -> tuple[str | None, float]:
        scores = self._scores(question)
        if not scores:
            return None, 0.0
        index, value = max(scores.items(), key=lambda pair: (pair[1], -pair[0]))
        return self._ids[index], value

    def complete(self, typed: str, limit: int = 25) -> list[str]:
        return [self._ids[index] for index, _ in self._scores(typed).most_common(limit)]


BASELINES: tuple[type, ...] = (DifflibBaseline, WRatioBaseline, BM25Baseline)


class ByHorizon:
    """A baseline built over ``cut(kb, h)`` for each horizon asked about (built once, then kept)."""

    def __init__(self, kb: KnowledgeBase, make: Callable[[Sequence[Doc], Mapping[str, str]], Baseline]) -> None:
        self.kb = kb
        self._make = make
        self._views: dict[int | None, Baseline] = {}
        self.name = getattr(make, "name", "baseline")

    def view(self, upto: int | None) -> Baseline:
        horizon = self.kb.series.clamp_progress(upto)
        found = self._views.get(horizon)
        if found is None:
            found = self._views[horizon] = self._make(docs_of(cut(self.kb, horizon)), self.kb.series.synonyms)
        return found

    def best(self, question: str, upto: int | None = None) -> tuple[str | None, float]:
        return self.view(upto).best(question)
