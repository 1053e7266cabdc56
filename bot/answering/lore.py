"""The lore service: one question in, one answer out. Shared by the CLI and the Discord layer.

A :class:`Lore` wraps one loaded knowledge base and its matcher. It is immutable, so a reload
builds a new one and swaps it in whole; an answer in flight keeps the knowledge it started with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.knowledge.loader import load_knowledge
from bot.answering.matcher import Matcher, MatchResult, Scored, Verdict
from bot.knowledge.model import Entry, KnowledgeBase
from bot.answering.render import (
    render_answer,
    render_empty_question,
    render_episode,
    render_suggestions,
    render_unknown,
    render_withheld,
    visible_reveals,
)

#: Longest question the bot reads; Discord allows 6000 characters in an option, nobody asks that.
MAX_QUESTION_CHARS = 300


@dataclass(frozen=True, slots=True)
class Suggestion:
    entry_id: str
    question: str
    score: float


@dataclass(frozen=True, slots=True)
class Answer:
    status: Verdict
    text: str
    entry: Entry | None = None
    #: the episode of the newest reveal shown (None when nothing from an entry is shown)
    episode: int | None = None
    suggestions: tuple[Suggestion, ...] = field(default_factory=tuple)
    score: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "entry": self.entry.id if self.entry else None,
            "episode": self.episode,
            "text": self.text,
            "suggestions": [
                {"entry": s.entry_id, "question": s.question, "score": round(s.score, 1)}
                for s in self.suggestions
            ],
            "score": round(self.score, 1),
        }


class Lore:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.matcher = Matcher(kb)

    @classmethod
    def load(cls, folder: str | Path) -> Lore:
        return cls(load_knowledge(folder))

    def ask(self, question: str, *, upto: int | None = None, spoiler_free: int = 0) -> Answer:
        """Answer a free-text question for an asker who has watched up to ``upto``."""
        upto = self.clamp_upto(upto)
        question = question[:MAX_QUESTION_CHARS]
        if not question.strip():
            return Answer(Verdict.UNKNOWN, render_empty_question())
        result = self.matcher.match(question, upto)
        return self._answer_for(result, question, upto, spoiler_free)

    def answer_entry(self, entry: Entry, *, upto: int | None = None, spoiler_free: int = 0) -> Answer:
        """Answer a known entry (a "did you mean" button, /mystery), still gated by ``upto``."""
        upto = self.clamp_upto(upto)
        if not entry.visible_to(upto):
            return Answer(Verdict.WITHHELD, render_withheld(upto or 0), entry)
        shown = visible_reveals(entry, upto)
        text = render_answer(entry, series=self.kb.series, upto=upto, spoiler_free=spoiler_free, kb=self.kb)
        return Answer(Verdict.ANSWERED, text, entry, episode=shown[-1].episode, score=100.0)

    def mystery(self, key: str, *, upto: int | None = None, spoiler_free: int = 0) -> Answer:
        entry = self.kb.mystery(key)
        if entry is None:
            # Accept the mystery's question or a near spelling of its key, as typed without autocomplete.
            found = self.matcher.complete_mystery(key, upto, limit=1)
            entry = found[0] if found else None
        if entry is None:
            return Answer(Verdict.UNKNOWN, render_unknown(key))
        return self.answer_entry(entry, upto=upto, spoiler_free=spoiler_free)

    def episode(self, number: int, *, upto: int | None = None, spoiler_free: int = 0) -> Answer:
        text = render_episode(self.kb, number, upto=self.clamp_upto(upto), spoiler_free=spoiler_free)
        known = self.kb.series.episode(number) is not None
        withheld = known and upto is not None and number > upto
        status = Verdict.WITHHELD if withheld else Verdict.ANSWERED if known else Verdict.UNKNOWN
        return Answer(status, text, episode=number if status is Verdict.ANSWERED else None)

    def suggest(self, typed: str, *, upto: int | None = None, limit: int = 25) -> list[Entry]:
        return self.matcher.complete(typed[:MAX_QUESTION_CHARS], self.clamp_upto(upto), limit=limit)

    def clamp_upto(self, upto: int | None) -> int | None:
        return self.kb.series.clamp_progress(upto)

    def _answer_for(self, result: MatchResult, question: str, upto: int | None, spoiler_free: int) -> Answer:
        suggestions = tuple(_suggestion(s) for s in result.suggestions)
        if result.verdict is Verdict.ANSWERED and result.entry is not None:
            answer = self.answer_entry(result.entry, upto=upto, spoiler_free=spoiler_free)
            return Answer(answer.status, answer.text, answer.entry, answer.episode, suggestions, result.score)
        if result.verdict is Verdict.WITHHELD:
            return Answer(Verdict.WITHHELD, render_withheld(upto or 0), score=result.score)
        if result.verdict is Verdict.SUGGEST and suggestions:
            text = render_suggestions(question, [s.question for s in suggestions])
            return Answer(Verdict.SUGGEST, text, suggestions=suggestions, score=result.score)
        return Answer(Verdict.UNKNOWN, render_unknown(question), score=result.score)


def _suggestion(scored: Scored) -> Suggestion:
    return Suggestion(scored.entry.id, scored.entry.question, scored.score)
