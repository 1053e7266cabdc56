"""The knowledge as a viewer at episode ``h`` knows it.

Spoiler noninterference is built on one function, :func:`cut`: every reply, page or label for an
asker at horizon ``h`` is made from ``cut(kb, h)`` and from nothing else, so it cannot depend on
anything first revealed after ``h``. The cut keeps

* the reveals of episodes ``<= h`` (an entry with none left is gone, and so is its mystery key);
* the aliases that give nothing away, or whose twist is from an episode ``<= h``;
* the see-also links shown from an episode ``<= h`` whose target is still there;
* the titles and summaries of episodes ``<= h``; a later episode is only "Episode N".

Everything is kept in file order, so ties broken "in file order" break the same way on the cut.
"""

from __future__ import annotations

from dataclasses import replace

from bot.knowledge.model import Entry, Episode, KnowledgeBase, Series


def placeholder_title(number: int) -> str:
    """What a later episode is called before the viewer reaches it."""
    return f"Episode {number}"


def cut_series(series: Series, h: int) -> Series:
    episodes = tuple(
        episode if episode.number <= h else Episode(episode.number, placeholder_title(episode.number))
        for episode in series.episodes
    )
    return replace(series, episodes=episodes)


def cut_entry(entry: Entry, h: int, kept_ids: frozenset[str] | set[str]) -> Entry:
    """``entry`` as seen at ``h``; the caller makes sure it has a reveal at or before ``h``."""
    reveals = tuple(r for r in entry.reveals if r.episode <= h)
    aliases = tuple(a for a in entry.aliases if a.episode is None or a.episode <= h)
    links = tuple(
        link for link in entry.see_also if (link.episode is None or link.episode <= h) and link.id in kept_ids
    )
    if len(reveals) == len(entry.reveals) and len(aliases) == len(entry.aliases) and len(links) == len(entry.see_also):
        return entry  # nothing was left out
    # Built directly: dataclasses.replace costs several times more, for thousands of entries.
    return Entry(
        id=entry.id, question=entry.question, reveals=reveals, aliases=aliases, tags=entry.tags,
        mystery=entry.mystery, see_also=links, path=entry.path, line=entry.line,
    )


def cut(kb: KnowledgeBase, h: int | None) -> KnowledgeBase:
    """The knowledge a viewer who has watched episodes 1..``h`` can know; ``None``: all of it."""
    if h is None:
        return kb
    kept_ids = {entry_id for entry_id, entry in kb.entries.items() if entry.first_episode <= h}
    entries = {entry_id: cut_entry(entry, h, kept_ids) for entry_id, entry in kb.entries.items() if entry_id in kept_ids}
    mysteries = {key: entry_id for key, entry_id in kb.mysteries.items() if entry_id in kept_ids}
    return KnowledgeBase(
        series=cut_series(kb.series, h), entries=entries, mysteries=mysteries, source_dir=kb.source_dir
    )


def link_first_visible(kb: KnowledgeBase, entry: Entry, link_index: int) -> int:
    """The first episode at which the ``link_index``-th see-also link of ``entry`` is shown."""
    link = entry.see_also[link_index]
    target = kb.entries.get(link.id)
    target_first = target.first_episode if target is not None else 10**9
    return max(entry.first_episode, target_first, link.episode or 0)
