"""Where each page of the lore site lives, and the link the bot gives to an entry's page.

The site has one tree of pages per horizon: ``ep/<h>/`` for a viewer who has watched episodes
1..h (h from 0 to the last episode minus one), and ``all/`` for the whole series with every
reveal behind a click-to-reveal spoiler. Inside a tree the paths are the same, so "this page at
another horizon" is the same path in another tree.
"""

from __future__ import annotations

ALL_TREE = "all"
INDEX = "index.html"
SEARCH = "search.html"
SEARCH_DATA = "search-data.js"


def tree_name(horizon: int | None) -> str:
    """``ep/<h>`` for a horizon, ``all`` for the whole series (``None``)."""
    return ALL_TREE if horizon is None else f"ep/{horizon}"


def tree_depth(horizon: int | None) -> int:
    """How many folders a tree's root is below the site's root."""
    return tree_name(horizon).count("/") + 1


def entry_page(entry_id: str) -> str:
    return f"entry/{entry_id}.html"


def episode_page(number: int) -> str:
    return f"episode/{number}.html"


def mystery_page(key: str) -> str:
    return f"mystery/{key}.html"


def site_horizon(upto: int | None, episode_count: int) -> int | None:
    """The tree for an asker at ``upto``: ``None`` (``all/``) for no progress or the whole series."""
    if upto is None or upto >= episode_count:
        return None
    return max(0, upto)


def entry_url(site_url: str, entry_id: str, upto: int | None, episode_count: int) -> str:
    """The absolute URL of ``entry_id``'s page for an asker who has watched up to ``upto``.

    ``upto`` None (no progress known) or the last episode and later: the ``all/`` tree, where
    every reveal is behind a spoiler. The caller only links entries the asker may see at ``upto``.
    """
    tree = tree_name(site_horizon(upto, episode_count))
    return f"{site_url.rstrip('/')}/{tree}/{entry_page(entry_id)}"
