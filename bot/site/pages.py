"""The pages of one tree of the lore site, rendered from one knowledge base.

:func:`render_tree` is given the knowledge a tree may show and nothing else: ``cut(kb, h)`` for
``ep/<h>/`` (so no page, title, link or search entry there can depend on anything first revealed
after ``h``), the whole knowledge for ``all/``. In ``all/``, everything first visible in an episode
sits behind a click-to-reveal spoiler (``<details>``, which works without JavaScript), like
Discord's spoiler bars: reveals, episode titles, and questions, phrasings and links other than
the page's own subject. Outside the spoilers, ``all/`` names only what the knowledge cut at
episode 0 holds (production facts), besides the question a page is about: the rule the bot
follows outside its bars with a spoiler-free horizon of 0.

All knowledge text goes through :func:`esc` on its way into HTML.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlsplit

from bot.answering.normalize import FILLER_WORDS
from bot.answering.render import clip
from bot.knowledge.horizon import link_first_visible
from bot.knowledge.model import OFF_SCREEN_EPISODE, Entry, KnowledgeBase, Reveal
from bot.site import urls
from bot.site.timeline import Row, timeline_svg

#: a page, as the same page would be named in every tree: ("entry", id), ("episode", "5"), ...
PageKey = tuple[str, str]
INDEX_KEY: PageKey = ("index", "")
SEARCH_KEY: PageKey = ("search", "")
OTHER_TOPIC = "other"


def esc(text: str) -> str:
    """Knowledge or user text, safe in HTML text and in quoted attribute values."""
    return html.escape(text, quote=True)


@dataclass(frozen=True)
class Tree:
    """One tree of pages: the knowledge it may show and the horizon it is for."""

    kb: KnowledgeBase
    #: episodes 1..horizon watched; ``None``: the whole series, reveals behind spoilers
    horizon: int | None
    base_url: str | None = None

    @property
    def spoilers(self) -> bool:
        return self.horizon is None

    @property
    def episode_count(self) -> int:
        return self.kb.series.episode_count

    def watched(self, episode: int) -> bool:
        """Whether this tree's viewer has seen ``episode`` (so its title is no spoiler)."""
        return self.horizon is not None and episode <= self.horizon

    def has_page(self, key: PageKey, horizon: int | None) -> bool:
        """Whether the tree for ``horizon`` has this page. Entries, mysteries and episodes only
        ever appear as the horizon grows, so this needs nothing past this tree's own knowledge."""
        if horizon is None:
            return True
        kind, name = key
        if kind == "entry":
            return self.kb.entries[name].first_episode <= horizon
        if kind == "mystery":
            return self.kb.entries[self.kb.mysteries[name]].first_episode <= horizon
        if kind == "episode":
            return int(name) <= horizon
        return True

    def hidden(self, first_visible: int) -> bool:
        """Whether something first visible at that episode goes behind a spoiler (``all/`` only)."""
        return self.spoilers and first_visible > OFF_SCREEN_EPISODE

    def topic_id(self, entry: Entry) -> str:
        return self.topic_ids[(topic_of(entry), self.hidden(entry.first_episode))]

    @cached_property
    def topic_ids(self) -> dict[tuple[str, bool], str]:
        """Each topic's anchor on the index: a slug of the tag, unique within the tree. In ``all/``
        a topic has a second list, behind a spoiler, for its questions from the episodes."""
        ids: dict[tuple[str, bool], str] = {}
        for entry in self.kb.entries.values():
            key = (topic_of(entry), self.hidden(entry.first_episode))
            if key not in ids:
                slug = "topic-" + (re.sub(r"[^a-z0-9]+", "-", key[0]).strip("-") or "x") + ("-ep" if key[1] else "")
                taken = set(ids.values())
                ids[key] = slug if slug not in taken else next(
                    f"{slug}-{n}" for n in range(2, len(ids) + 3) if f"{slug}-{n}" not in taken
                )
        return ids


def render_tree(kb: KnowledgeBase, horizon: int | None, *, base_url: str | None = None) -> dict[str, str]:
    """Every file of one tree, by path inside the tree. ``kb`` must already be cut to ``horizon``."""
    tree = Tree(kb, horizon, base_url)
    files = {
        urls.INDEX: index_page(tree),
        urls.SEARCH: search_page(tree),
        urls.SEARCH_DATA: search_data(tree),
    }
    for entry in kb.entries.values():
        files[urls.entry_page(entry.id)] = entry_page(tree, entry)
    for key in kb.mysteries:
        files[urls.mystery_page(key)] = mystery_page(tree, key)
    last = tree.episode_count if horizon is None else horizon
    for number in range(OFF_SCREEN_EPISODE, last + 1):
        files[urls.episode_page(number)] = episode_page(tree, number)
    return files


# -- the frame every page shares -----------------------------------------------------------------
def _up(path: str) -> str:
    """From a page at ``path`` (inside its tree) back to the tree's root."""
    return "../" * path.count("/")


def _to_site(tree: Tree, path: str) -> str:
    """From a page at ``path`` in ``tree`` back to the site's root."""
    return _up(path) + "../" * urls.tree_depth(tree.horizon)


def horizon_label(horizon: int | None, episode_count: int) -> str:
    if horizon is None:
        return f"All {episode_count} episodes (spoilers hidden)"
    if horizon == 0:
        return "Not started (nothing watched yet)"
    return f"Watched up to episode {horizon}"


def picker(tree: Tree, key: PageKey, path: str) -> str:
    """Links to this same page at every other horizon (its tree's index where it does not exist yet)."""
    to_site = _to_site(tree, path)
    items = []
    for horizon in [*range(tree.episode_count), None]:
        target = path if tree.has_page(key, horizon) else urls.INDEX
        value = "all" if horizon is None else str(horizon)
        text = "All" if horizon is None else str(horizon)
        current = ' aria-current="page"' if horizon == tree.horizon else ""
        items.append(
            f'<li><a href="{to_site}{urls.tree_name(horizon)}/{target}" data-horizon="{value}"'
            f' title="{esc(horizon_label(horizon, tree.episode_count))}"{current}>{text}</a></li>'
        )
    return (
        '<nav class="picker" aria-label="How far you have watched">'
        '<p id="picker-label">Watched up to episode:</p>'
        f'<ol aria-labelledby="picker-label">{"".join(items)}</ol></nav>'
    )


def search_form(tree: Tree, path: str, *, autofocus: bool = False) -> str:
    focus = " autofocus" if autofocus else ""
    return (
        f'<form class="search" role="search" action="{_up(path)}{urls.SEARCH}" method="get">'
        '<label for="q">Search questions</label>'
        f'<input id="q" name="q" type="search" autocomplete="off" placeholder="e.g. rouge mother"{focus}>'
        "<button>Search</button></form>"
    )


def document(
    tree: Tree,
    key: PageKey,
    path: str,
    title: str,
    main: str,
    *,
    scripts: Iterable[str] = (),
    show_search: bool = True,
) -> str:
    """A whole HTML page: header (home, search, episode picker), ``main``, footer."""
    up = _up(path)
    assets = _to_site(tree, path) + "assets/"
    series = esc(tree.kb.series.title)
    canonical = (
        f'<link rel="canonical" href="{esc(tree.base_url.rstrip("/"))}/{urls.tree_name(tree.horizon)}/{path}">'
        if tree.base_url
        else ""
    )
    scope = (
        f"Everything on these pages comes from episodes 1 to {tree.horizon} or from outside the show "
        "(production, cast); nothing later is in them."
        if tree.horizon
        else "Only facts from outside the show (production, cast) are here; nothing from any episode."
        if tree.horizon == 0
        else "The whole series: anything from an episode is hidden until you click it."
    )
    script_tags = "".join(f'<script src="{src}" defer></script>' for src in [*scripts, assets + "site.js"])
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="color-scheme" content="light dark">'
        f"<title>{esc(title)} · {series} lore ({esc(horizon_label(tree.horizon, tree.episode_count).lower())})</title>"
        f'<meta name="description" content="{series} lore guide. {esc(scope)}">'
        f'<link rel="stylesheet" href="{assets}style.css"><link rel="icon" href="{assets}favicon.svg" type="image/svg+xml">'
        f"{canonical}{script_tags}</head>\n"
        f'<body data-horizon="{"all" if tree.horizon is None else tree.horizon}">'
        '<a class="skip" href="#main">Skip to content</a>'
        f'<header class="site"><p class="brand"><a href="{up}{urls.INDEX}">{series} lore guide</a>'
        f' <span class="badge">{esc(horizon_label(tree.horizon, tree.episode_count))}</span></p>'
        f"{search_form(tree, path) if show_search else ''}{picker(tree, key, path)}</header>\n"
        f'<main id="main">{main}</main>\n'
        f'<footer class="site"><p>{esc(scope)}</p>'
        f'<p><a href="{_to_site(tree, path)}index.html?choose">Change how far you have watched</a>'
        " · Generated from the lore bot's knowledge; ask it on Discord with <code>/ask</code>.</p></footer>"
        "</body></html>\n"
    )


# -- pieces --------------------------------------------------------------------------------------
def spoiler(inner: str, label: str, *, inline: bool = False) -> str:
    """Click-to-reveal, like a Discord spoiler bar; works without JavaScript."""
    kind = "spoiler inline" if inline else "spoiler"
    return (
        f'<details class="{kind}"><summary>{esc(label)}<span class="closed">: click to show</span>'
        f'<span class="opened">: click to hide</span></summary>{inner}</details>'
    )


def episode_name(tree: Tree, number: int) -> str:
    """An episode as a viewer of this tree may see it named (escaped HTML)."""
    if number == OFF_SCREEN_EPISODE:
        return "Production and cast"
    episode = tree.kb.series.episode(number)
    if episode is not None and tree.watched(number) and episode.title != f"Episode {number}":
        return f"Episode {number}: {esc(episode.title)}"
    return f"Episode {number}"


def source_html(source: str) -> str:
    parts = urlsplit(source)
    if parts.scheme in ("http", "https") and parts.netloc:
        host = parts.netloc.removeprefix("www.")
        return f'<a class="external" href="{esc(source)}" rel="nofollow noopener">{esc(host)}</a>'
    return f"<cite>{esc(source.removeprefix('article: '))}</cite>"


def reveal_item(tree: Tree, reveal: Reveal, up: str) -> str:
    """One reveal: its episode (always shown, so a reader knows what they open), its text and sources."""
    unconfirmed = ' <strong class="flag">unconfirmed</strong>' if reveal.unconfirmed else ""
    when = (
        f'<p class="when"><a href="{up}{urls.episode_page(reveal.episode)}">{episode_name(tree, reveal.episode)}</a>'
        f"{unconfirmed}</p>"
    )
    sources = ", ".join(source_html(s) for s in reveal.sources)
    body = f'<p class="text">{esc(reveal.text)}</p><p class="sources">Sources: {sources}</p>'
    if tree.spoilers and reveal.episode != OFF_SCREEN_EPISODE:
        body = spoiler(body, "Spoiler")
    return f'<li class="reveal" id="ep-{reveal.episode}">{when}{body}</li>'


def reveal_list(tree: Tree, entry: Entry, up: str) -> str:
    return '<ol class="reveals">' + "".join(reveal_item(tree, r, up) for r in entry.reveals) + "</ol>"


def entry_link(entry: Entry, up: str, anchor: str = "") -> str:
    return f'<a href="{up}{urls.entry_page(entry.id)}{anchor}">{esc(entry.question)}</a>'


def spoilered_list(tree: Tree, items: list[tuple[str, int]], kind: str, noun: str) -> str:
    """A list of (HTML, first episode visible) items; in ``all/`` those from an episode go behind
    one spoiler after the others."""
    shown = [html_ for html_, first in items if not tree.hidden(first)]
    hidden = [html_ for html_, first in items if tree.hidden(first)]

    def as_list(chosen: list[str]) -> str:
        return f'<ul class="{kind}">' + "".join(f"<li>{item}</li>" for item in chosen) + "</ul>"

    out = as_list(shown) if shown else ""
    if hidden:
        out += spoiler(as_list(hidden), f"{'More ' + noun if shown else noun.capitalize()} (spoilers)")
    return out


def link_list(tree: Tree, entry: Entry, up: str) -> str:
    items = [
        (entry_link(tree.kb.entries[link.id], up), link_first_visible(tree.kb, entry, index))
        for index, link in enumerate(entry.see_also)
    ]
    return spoilered_list(tree, items, "links", "questions")


def alias_first_visible(entry: Entry, episode: int | None) -> int:
    return max(entry.first_episode, episode or 0)


def alias_list(tree: Tree, entry: Entry) -> str:
    items = [(esc(alias.text), alias_first_visible(entry, alias.episode)) for alias in entry.aliases]
    return spoilered_list(tree, items, "aliases", "phrasings")


def section(heading_id: str, heading: str, inner: str) -> str:
    return f'<section aria-labelledby="{heading_id}"><h2 id="{heading_id}">{heading}</h2>{inner}</section>'


def topic_of(entry: Entry) -> str:
    return entry.tags[0] if entry.tags else OTHER_TOPIC


def topic_title(topic: str) -> str:
    return topic.replace("-", " ").capitalize()


def reveal_count(count: int) -> str:
    return f"{count} reveal{'s' if count != 1 else ''}"


# -- the pages -----------------------------------------------------------------------------------
def index_page(tree: Tree) -> str:
    kb = tree.kb
    mysteries = [
        (
            f"{entry_link(kb.entries[entry_id], '')} "
            f'<span class="muted">(<a href="{urls.mystery_page(key)}">timeline of “{esc(key)}”</a>, '
            f"{reveal_count(len(kb.entries[entry_id].reveals))})</span>",
            kb.entries[entry_id].first_episode,
        )
        for key, entry_id in kb.mysteries.items()
    ]
    entries = list(kb.entries.values())
    later = [entry for entry in entries if tree.hidden(entry.first_episode)]
    topics = topic_groups(tree, [entry for entry in entries if not tree.hidden(entry.first_episode)])
    if later:
        topics += spoiler(topic_groups(tree, later), "Questions from the episodes (spoilers)")
    episodes = [episode_index_item(tree, number) for number in range(OFF_SCREEN_EPISODE, tree.episode_count + 1)]
    if tree.horizon is None:
        lede = (
            f"Everything the lore bot knows about {esc(kb.series.title)}, all {tree.episode_count} episodes. "
            "Anything from an episode (reveals, titles, the questions themselves) is hidden until you click it; "
            "facts from outside the show (production, cast) are not spoilers and are shown."
        )
    elif tree.horizon == 0:
        lede = "You have not started the show: only facts from outside it (production, cast) are shown."
    else:
        lede = (
            f"What a viewer knows after episode {tree.horizon}. Nothing revealed later is on these pages, "
            "not even behind a spoiler."
        )
    main = (
        f"<h1>{esc(kb.series.title)} lore guide</h1><p class=\"lede\">{lede}</p>"
        + section(
            "mysteries",
            "Mysteries",
            spoilered_list(tree, mysteries, "mysteries", "mysteries") or "<p>No mystery has come up yet.</p>",
        )
        + section(
            "topics",
            "Questions by topic",
            topics or "<p>Nothing yet.</p>",
        )
        + section("episodes", "Episodes", f'<ol class="episodes" start="0">{"".join(episodes)}</ol>')
    )
    return document(tree, INDEX_KEY, urls.INDEX, f"{kb.series.title} lore guide", main)


def topic_groups(tree: Tree, entries: list[Entry]) -> str:
    """Entries under a heading per topic, with a line of links to the headings."""
    topics: dict[str, list[Entry]] = {}
    for entry in entries:
        topics.setdefault(topic_of(entry), []).append(entry)
    if not topics:
        return ""
    nav = " · ".join(f'<a href="#{tree.topic_id(group[0])}">{esc(topic_title(t))}</a>' for t, group in topics.items())
    return f'<p class="topic-nav">{nav}</p>' + "".join(
        f'<h3 id="{tree.topic_id(group[0])}">{esc(topic_title(topic))}</h3><ul class="entries">'
        + "".join(f"<li>{entry_link(entry, '')}</li>" for entry in group)
        + "</ul>"
        for topic, group in topics.items()
    )


def episode_index_item(tree: Tree, number: int) -> str:
    count = len(tree.kb.reveals_in_episode(number))
    if tree.horizon is not None and number > tree.horizon:
        return f'<li value="{number}"><span class="muted">Episode {number}: not watched yet</span></li>'
    link = f'<a href="{urls.episode_page(number)}">{episode_name(tree, number)}</a>'
    title = ""
    episode = tree.kb.series.episode(number)
    if tree.spoilers and episode is not None:
        title = " " + spoiler(esc(episode.title), "Title", inline=True)
    return f'<li value="{number}">{link}{title} <span class="muted">({reveal_count(count)})</span></li>'


def entry_page(tree: Tree, entry: Entry) -> str:
    path = urls.entry_page(entry.id)
    up = _up(path)
    main = f"<h1>{esc(entry.question)}</h1>" + entry_meta(tree, entry, up) + reveal_list(tree, entry, up)
    aliases = alias_list(tree, entry)
    if aliases:
        main += section("aliases", "Also asked as", aliases)
    links = link_list(tree, entry, up)
    if links:
        main += section("see-also", "See also", links)
    main += f'<p class="ask">On Discord: <code>/ask question:{esc(entry.question)}</code></p>'
    return document(tree, ("entry", entry.id), path, entry.question, f"<article>{main}</article>")


def entry_meta(tree: Tree, entry: Entry, up: str) -> str:
    topic = topic_of(entry)
    parts = [f'Topic: <a href="{up}{urls.INDEX}#{tree.topic_id(entry)}">{esc(topic_title(topic))}</a>']
    if entry.mystery and entry.mystery in tree.kb.mysteries:
        parts.append(f'<a href="{up}{urls.mystery_page(entry.mystery)}">Timeline of this mystery</a>')
    return f'<p class="meta">{" · ".join(parts)}</p>'


def mystery_page(tree: Tree, key: str) -> str:
    kb = tree.kb
    entry = kb.entries[kb.mysteries[key]]
    path = urls.mystery_page(key)
    up = _up(path)
    related = [kb.entries[link.id] for link in entry.see_also]
    rows = [Row(e.question, up + urls.entry_page(e.id), e.reveals) for e in [entry, *related]]
    describe: Callable[[Reveal], str] = (
        (lambda r: f"{'Production and cast' if r.episode == 0 else f'Episode {r.episode}'} (open the entry to read it)")
        if tree.spoilers
        else (lambda r: f"{'Production and cast' if r.episode == 0 else f'Episode {r.episode}'}: {clip(r.text, 140)}")
    )
    figure = (
        '<figure class="timeline">'
        + timeline_svg(rows, tree.episode_count, tree.horizon, describe=describe, label=f"Timeline of “{entry.question}”")
        + "<figcaption>Which episode revealed what: the mystery on the first line, related questions below. "
        "Each dot is a reveal and links to it; a hollow dot is unconfirmed."
        + ("" if tree.horizon is None else " The shaded part is what you have not watched yet.")
        + "</figcaption></figure>"
    )
    if tree.spoilers:  # it names the related questions
        figure = spoiler(figure, "Timeline (spoilers)")
    main = (
        f"<h1>{esc(entry.question)}</h1>"
        f'<p class="meta">Mystery “{esc(key)}” · <a href="{up}{urls.entry_page(entry.id)}">the question\'s own page</a>'
        f" · on Discord: <code>/mystery topic:{esc(key)}</code></p>"
        + figure
        + section("known", "What is known", reveal_list(tree, entry, up))
    )
    links = link_list(tree, entry, up)
    if links:
        main += section("related", "Related questions", links)
    return document(tree, ("mystery", key), path, entry.question, f"<article>{main}</article>")


def episode_page(tree: Tree, number: int) -> str:
    kb = tree.kb
    path = urls.episode_page(number)
    up = _up(path)
    episode = kb.series.episode(number)
    heading = f"<h1>{episode_name(tree, number)}</h1>"
    if episode is not None and tree.spoilers:
        heading += f'<div class="lede">{spoiler(esc(episode.title), "Title", inline=True)}</div>'
    if episode is not None and episode.summary:
        summary = f"<p>{esc(episode.summary)}</p>"
        heading += spoiler(summary, "Summary") if tree.spoilers else summary
    found = kb.reveals_in_episode(number)
    guides = [entry for entry, _ in found if entry.is_episode_guide]
    items = [
        f'<li><p class="when">{entry_link(entry, up, f"#ep-{number}")}'
        + (' <strong class="flag">unconfirmed</strong>' if reveal.unconfirmed else "")
        + f'</p><p class="text">{esc(reveal.text)}</p></li>'
        for entry, reveal in found
        if not entry.is_episode_guide
    ]
    revealed = f'<ul class="revealed">{"".join(items)}</ul>' if items else "<p>Nothing recorded.</p>"
    if guides:
        revealed = '<p class="meta">Episode guide: ' + " · ".join(entry_link(e, up) for e in guides) + "</p>" + revealed
    if tree.hidden(number) and found:
        revealed = spoiler(revealed, "What this episode reveals (spoilers)")
    main = heading
    what = "Known from outside the show" if number == OFF_SCREEN_EPISODE else "Revealed in this episode"
    main += section("revealed", what, revealed)
    nav = []
    if number > 1:
        nav.append(f'<a rel="prev" href="{up}{urls.episode_page(number - 1)}">← Episode {number - 1}</a>')
    if 1 <= number < tree.episode_count and tree.has_page(("episode", str(number + 1)), tree.horizon):
        nav.append(f'<a rel="next" href="{up}{urls.episode_page(number + 1)}">Episode {number + 1} →</a>')
    if nav:
        main += f'<nav class="pager" aria-label="Episodes">{"".join(nav)}</nav>'
    title = "Production and cast" if number == OFF_SCREEN_EPISODE else f"Episode {number}"
    return document(tree, ("episode", str(number)), path, title, f"<article>{main}</article>")


def search_page(tree: Tree) -> str:
    main = (
        "<h1>Search the questions</h1>"
        + search_form(tree, urls.SEARCH, autofocus=True)
        + '<p id="search-status" class="muted" role="status" aria-live="polite"></p>'
        + '<ol id="search-results" class="results"></ol>'
        + "<noscript><p>Search needs JavaScript. Every question is listed on the "
        f'<a href="{urls.INDEX}#topics">index, by topic</a>.</p></noscript>'
    )
    return document(tree, SEARCH_KEY, urls.SEARCH, "Search", main, scripts=[urls.SEARCH_DATA], show_search=False)


def search_data(tree: Tree) -> str:
    """The questions and phrasings visible in this tree, for the browser's search (a script, so
    it also loads from ``file://``). In ``all/``, a question from an episode is shown behind a
    spoiler (``s``), and phrasings from an episode (``h``) are matched but never echoed."""
    items = []
    for entry in tree.kb.entries.values():
        hidden = [a.text for a in entry.aliases if tree.hidden(alias_first_visible(entry, a.episode))]
        shown = [a.text for a in entry.aliases if not tree.hidden(alias_first_visible(entry, a.episode))]
        item: dict[str, object] = {"u": urls.entry_page(entry.id), "q": entry.question, "a": shown}
        if hidden:
            item["h"] = hidden
        if tree.hidden(entry.first_episode):
            item["s"] = 1
        items.append(item)
    data = {
        "entries": items,
        "filler": sorted(FILLER_WORDS),
        "synonyms": tree.kb.series.synonyms,
    }
    return "window.LORE_SEARCH = " + json.dumps(data, ensure_ascii=False, separators=(",", ":")) + ";\n"


def landing_page(kb: KnowledgeBase, *, base_url: str | None = None) -> str:
    """The site's front door: pick how far you have watched. Made from the knowledge cut at 0,
    so it names no episode title and nothing from any episode."""
    count = kb.series.episode_count
    series = esc(kb.series.title)
    choices = "".join(
        f'<li><a href="{urls.tree_name(h)}/{urls.INDEX}" data-horizon="{"all" if h is None else h}">'
        f"{esc(horizon_label(h, count))}</a></li>"
        for h in [*range(count), None]
    )
    canonical = f'<link rel="canonical" href="{esc(base_url.rstrip("/"))}/">' if base_url else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="color-scheme" content="light dark">'
        f"<title>{series} lore guide</title>"
        f'<meta name="description" content="A spoiler-safe {series} lore guide: pick how far you have watched.">'
        '<link rel="stylesheet" href="assets/style.css"><link rel="icon" href="assets/favicon.svg" type="image/svg+xml">'
        f'{canonical}<script src="assets/site.js" defer></script></head>\n'
        '<body data-horizon="">'
        f'<main id="main" class="landing"><h1>{series} lore guide</h1>'
        "<p class=\"lede\">How far have you watched? Pick the last episode you have seen: the guide then "
        "holds only what is known by its end. Nothing from later episodes is in those pages, "
        "not even behind a spoiler.</p>"
        f'<nav aria-label="How far you have watched"><ol class="choices" data-landing>{choices}</ol></nav>'
        "<p class=\"muted\">Your choice is remembered in this browser; every page has an episode picker "
        "to change it.</p></main></body></html>\n"
    )
