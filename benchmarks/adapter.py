"""The benchmark's only door into the bot's answering code.

Everything the benchmark measures of *our* side goes through :class:`Ours`, built on the public
API (``Lore``, as ``python -m bot ask --json`` uses it). When the answering code changes shape
(a Lore view per horizon, statuses merged), re-point the few lines here and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from bot.answering.lore import Lore
from bot.knowledge.model import KnowledgeBase

#: the statuses the benchmark tells apart; any other status is a decline ("I don't know",
#: "not revealed yet", or whatever a later version calls them)
ANSWERED = "answered"
SUGGEST = "suggest"


@dataclass(frozen=True, slots=True)
class Reply:
    """What a matcher did with one question, as ``ask --json`` reports it."""

    status: str
    entry: str | None = None
    #: "did you mean" entries, best first
    suggestions: tuple[str, ...] = ()

    #: a comparison's other entry, answered beside ``entry`` ("neans vs proto neans")
    also: str | None = None

    @property
    def answered(self) -> bool:
        return self.status == ANSWERED and self.entry is not None

    def answers_with(self, right: frozenset[str]) -> bool:
        """Answered, and with a right entry among those shown (a comparison shows two)."""
        return self.answered and (self.entry in right or self.also in right)

    @property
    def first_suggestion(self) -> str | None:
        return self.suggestions[0] if self.status == SUGGEST and self.suggestions else None


DECLINED = Reply("unknown")


class Ours:
    """The bot's answering service over one knowledge base."""

    name = "ours"

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.lore = Lore(kb)

    def ask(self, question: str, upto: int | None = None) -> Reply:
        """The whole reply (matching, spoiler gate, rendering): what a fan gets."""
        data = self.lore.ask(question, upto=upto).to_json()
        suggestions = tuple(s["entry"] for s in data.get("suggestions") or ())
        return Reply(str(data["status"]), data.get("entry"), suggestions, data.get("also"))

    def match(self, question: str, upto: int | None = None) -> object:
        """The matching step alone (no rendering): what the speed targets are about."""
        return self.lore.matcher.match(question, upto)

    def complete(self, typed: str, upto: int | None = None) -> list[object]:
        """Autocomplete while the asker types."""
        return self.lore.suggest(typed, upto=upto)

    def describe(self) -> str:
        """The matcher's settings, for the tables."""
        thresholds = getattr(getattr(self.lore, "matcher", None), "thresholds", None)
        if thresholds is None:
            return "as shipped"
        shown = [f"{f.name} {getattr(thresholds, f.name):g}" for f in fields(thresholds) if f.name != "word"]
        return ", ".join(shown)

    def phrasing_count(self) -> int | None:
        return getattr(getattr(self.lore, "matcher", None), "phrasing_count", None)

    # -- for --tune only (sweeps the thresholds and scoring constants on the tuning set) -------
    def threshold_names(self) -> tuple[str, ...]:
        matcher = getattr(self.lore, "matcher", None)
        if matcher is None:
            return ()
        return tuple(f.name for f in (*fields(matcher.thresholds), *fields(matcher.scoring)))

    def set_thresholds(self, **values: float) -> None:
        """A fresh answering service whose matcher has these thresholds or scoring constants."""
        from bot.answering.matcher import Matcher

        matcher = self.lore.matcher
        names = {f.name for f in fields(matcher.thresholds)}
        thresholds = replace(matcher.thresholds, **{k: v for k, v in values.items() if k in names})
        scoring = replace(matcher.scoring, **{k: v for k, v in values.items() if k not in names})
        self.lore = Lore(self.kb, Matcher(self.kb, thresholds, scoring))
