"""The knowledge model: plain, immutable data that the rest of the bot reads.

Lore is progressive: an entry is a list of reveals, each tied to the episode in which a viewer
first learns it. Everything spoiler-related is derived from those episode numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

#: Episode number used for facts that come from outside the show (production, cast, staff).
OFF_SCREEN_EPISODE = 0


#: the tag of an entry telling one episode (:attr:`Entry.is_episode_guide`)
EPISODE_GUIDE_TAG = "episode-guide"
#: the tag of an entry telling who voices or plays someone (:attr:`Entry.is_cast`)
CAST_TAG = "cast"


@dataclass(frozen=True, slots=True)
class Reveal:
    episode: int
    text: str
    sources: tuple[str, ...]
    facts: tuple[str, ...] = ()
    unconfirmed: bool = False


@dataclass(frozen=True, slots=True)
class Alias:
    text: str
    #: The alias names a twist first shown in this episode; ``None`` when it gives nothing away.
    episode: int | None = None


@dataclass(frozen=True, slots=True)
class Link:
    """A see-also link. The link itself can hint at a twist ("Rouge's mother" -> "Eva"), so it
    may carry the episode from which it is shown; it is never shown before either entry is."""

    id: str
    episode: int | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    question: str
    reveals: tuple[Reveal, ...]
    aliases: tuple[Alias, ...] = ()
    tags: tuple[str, ...] = ()
    mystery: str | None = None
    see_also: tuple[Link, ...] = ()
    path: Path | None = None
    line: int = 0

    @property
    def first_episode(self) -> int:
        """The episode of the earliest reveal: before it, the entry itself is a spoiler."""
        return self.reveals[0].episode

    @property
    def last_episode(self) -> int:
        return self.reveals[-1].episode

    @property
    def is_episode_guide(self) -> bool:
        """It tells one episode (tagged ``episode-guide``): the episode's guide for /episode, the
        lore site and questions naming the episode, not one of the things the episode reveals."""
        return EPISODE_GUIDE_TAG in self.tags

    @property
    def is_cast(self) -> bool:
        """It tells who voices or plays someone (tagged ``cast``): the answer to a cast question."""
        return CAST_TAG in self.tags

    def visible_to(self, upto: int | None) -> bool:
        """Whether an asker who has watched up to ``upto`` (None: everything) may see the entry."""
        return upto is None or self.first_episode <= upto


@dataclass(frozen=True, slots=True)
class Episode:
    number: int
    title: str
    summary: str | None = None


@dataclass(frozen=True, slots=True)
class Series:
    title: str
    episodes: tuple[Episode, ...]
    #: word -> canonical word, applied to questions and knowledge alike before matching.
    synonyms: dict[str, str] = field(default_factory=dict)

    @property
    def episode_count(self) -> int:
        return len(self.episodes)

    def clamp_progress(self, upto: int | None) -> int | None:
        """An asker's horizon: at or past the last episode means the whole series (None);
        below 0 means nothing seen yet (0)."""
        if upto is None or upto >= self.episode_count:
            return None
        return max(0, upto)

    def episode(self, number: int) -> Episode | None:
        if 1 <= number <= len(self.episodes):
            return self.episodes[number - 1]
        return None


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    series: Series
    entries: dict[str, Entry]
    #: mystery key -> entry id
    mysteries: dict[str, str]
    #: which file each entry came from, for writing back (teach) and for messages.
    source_dir: Path | None = None
    #: episode -> its (entry, reveal) pairs in file order, built on the first ``reveals_in_episode``
    #: (the knowledge is never changed in place: an edit loads a new one)
    _by_episode: dict[int, list[tuple[Entry, Reveal]]] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def alias_count(self) -> int:
        return sum(len(entry.aliases) for entry in self.entries.values())

    def entry(self, entry_id: str) -> Entry | None:
        return self.entries.get(entry_id)

    def mystery(self, key: str) -> Entry | None:
        entry_id = self.mysteries.get(key.strip().lower())
        return self.entries.get(entry_id) if entry_id else None

    def reveals_in_episode(self, number: int) -> list[tuple[Entry, Reveal]]:
        """The reveals of episode ``number``, with their entries, in file order. Indexed once: a scan
        of every reveal per /episode took about 100 ms at 100,000 entries."""
        by_episode = self._by_episode
        if by_episode is None:
            by_episode = {}
            for entry in self.entries.values():
                for reveal in entry.reveals:
                    by_episode.setdefault(reveal.episode, []).append((entry, reveal))
            object.__setattr__(self, "_by_episode", by_episode)
        return list(by_episode.get(number, ()))
