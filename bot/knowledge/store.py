"""Holds the knowledge the bot serves, and swaps in a new version only when it is wholly valid."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from bot.gc_pause import keep_for_good, paused_gc
from bot.knowledge.loader import KnowledgeError, Problem, load_knowledge, more_problems, summarize
from bot.answering.lore import Lore

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReloadOutcome:
    ok: bool
    #: what is served now, e.g. "1 series (13 episodes), 120 entries, ..."
    summary: str
    problems: tuple[Problem, ...] = ()
    #: True when the new knowledge differs from what was served before
    changed: bool = False
    #: problems found beyond those in ``problems`` (the loader keeps the first ones only)
    omitted: int = 0

    @property
    def problem_count(self) -> int:
        return len(self.problems) + self.omitted

    def report(self) -> str:
        if self.ok:
            return f"Knowledge reloaded: {self.summary}."
        lines = [f"Knowledge NOT reloaded ({self.problem_count} problem(s)); still serving the last good version."]
        lines += [str(p) for p in self.problems]
        if self.omitted:
            lines.append(more_problems(self.omitted))
        return "\n".join(lines)


class KnowledgeStore:
    """The current :class:`Lore` plus the folder it came from; the last good version always wins."""

    def __init__(self, folder: str | Path, lore: Lore) -> None:
        self.folder = Path(folder)
        self._lore = lore
        self.loaded_at = time.time()
        self.last_problems: tuple[Problem, ...] = ()

    @classmethod
    def open(cls, folder: str | Path) -> KnowledgeStore:
        """Load at start-up; raises KnowledgeError, since there is no last good version yet."""
        with paused_gc():
            lore = Lore.load(folder).warm()
            keep_for_good()  # never scanned by the collector: see bot/gc_pause.py
        return cls(folder, lore)

    @property
    def lore(self) -> Lore:
        return self._lore

    def reload(self) -> ReloadOutcome:
        try:
            with paused_gc():  # the new knowledge is never scanned by the collector (bot/gc_pause.py)
                kb = load_knowledge(self.folder)
                lore = Lore(kb).warm()  # in the reload's thread: no asker pays for a horizon's first use
                changed = kb.entries != self._lore.kb.entries or kb.series != self._lore.kb.series
                replaced, self._lore = self._lore, lore
                replaced.close()  # freed once the replies using it are done, with no cycle left behind
                del replaced
                keep_for_good()
        except KnowledgeError as error:
            self.last_problems = tuple(error.problems)
            for problem in error.problems:
                log.warning("knowledge problem: %s", problem)
            if error.omitted:
                log.warning("knowledge problem: %s", more_problems(error.omitted))
            log.warning("knowledge not reloaded; still serving the last good version")
            return ReloadOutcome(False, summarize(self._lore.kb), tuple(error.problems), omitted=error.omitted)
        self.loaded_at = time.time()
        self.last_problems = ()
        log.info("knowledge loaded from %s: %s", self.folder, summarize(kb))
        return ReloadOutcome(True, summarize(kb), changed=changed)
