"""Render answers as the Discord messages the bot posts (and the CLI prints).

Spoiler rules, in one place:

* every reveal shows its episode, outside the spoiler bars, so a reader knows what they open;
* a reveal from an episode past the server's spoiler-free horizon sits inside ``||...||``;
* for an asker at horizon ``h`` (their ``upto``) the caller passes the knowledge cut at ``h``
  (``bot.knowledge.horizon.cut``), so nothing later is there to show; the text never depends on
  whether later reveals exist: an answer at ``h`` always ends with the same "later episodes may
  reveal more" note, and "not revealed yet" and "I don't know" are one reply (:func:`render_not_known`);
* with no horizon (the whole series), what is first visible after the server's spoiler-free
  episode ``s`` is named only inside bars: the answer's title, "see also" links and "did you
  mean" lines (:func:`render_suggestions`; buttons, which cannot hold bars, get numbers);
* text from the knowledge and from the user is escaped, so nothing can close the bars early,
  format the message or ping anyone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bot.knowledge.horizon import link_first_visible
from bot.knowledge.model import OFF_SCREEN_EPISODE, Entry, KnowledgeBase, Reveal, Series

MESSAGE_LIMIT = 2000
ECHO_LIMIT = 200  # how much of a user's question is quoted back

_MARKDOWN = re.compile(r"([\\*_~`|>\[\]])")
_MENTION = re.compile(r"@(?=[^\s])|<(?=[@#:/a])")
_ZERO_WIDTH = "\u200b"
#: bidirectional embedding, override and isolate controls: U+202E would reverse the rest of the line
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
#: "scheme:" right before "//": what Discord turns into a clickable link with a preview
_LINK_SCHEME = re.compile(r"(?i)\b([a-z][a-z0-9+.-]{0,31}:)(?=//)")


def escape(text: str) -> str:
    """Text shown verbatim on Discord: no markdown, no spoiler bars, no mentions, no bidirectional
    controls, one line."""
    text = " ".join(text.translate(_BIDI_CONTROLS).split())
    text = _MARKDOWN.sub(r"\\\1", text)
    return _MENTION.sub(lambda m: m.group(0) + _ZERO_WIDTH, text)


def clip(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def quote_user(text: str) -> str:
    """A user's question, shortened and escaped, ready to quote back; a link in it is defanged
    (``https:\u200b//...``: shown, but neither clickable nor previewed)."""
    return f"“{escape(_LINK_SCHEME.sub(lambda m: m.group(1) + _ZERO_WIDTH, clip(text, ECHO_LIMIT)))}”"


def spoiler(text: str) -> str:
    return f"||{text}||"


def episode_label(reveal: Reveal) -> str:
    where = "production info" if reveal.episode == OFF_SCREEN_EPISODE else f"ep {reveal.episode}"
    return f"({where}, unconfirmed)" if reveal.unconfirmed else f"({where})"


def reveal_line(reveal: Reveal, spoiler_free: int) -> str:
    text = escape(reveal.text)
    if reveal.episode > spoiler_free:
        text = spoiler(text)
    return f"{text} {episode_label(reveal)}"


def visible_reveals(entry: Entry, upto: int | None) -> list[Reveal]:
    return [r for r in entry.reveals if upto is None or r.episode <= upto]


def as_of(upto: int) -> str:
    """How far an asker at ``upto`` has watched, as the end of a sentence."""
    return "before episode 1" if upto == 0 else f"as of episode {upto}"


def later_note(upto: int) -> str:
    """The footer of every answer at a horizon: the same whether or not later reveals exist."""
    return f"-# That is what is known {as_of(upto)}; later episodes may reveal more."


def barred_unless(text: str, first_visible: int, spoiler_free: int) -> str:
    """``text`` (escaped already) in bars when it names something first visible after ``spoiler_free``."""
    return spoiler(text) if first_visible > spoiler_free else text


def fit(lines: Sequence[str], tail: Sequence[str] = (), limit: int | None = MESSAGE_LIMIT) -> str:
    """Join whole lines, dropping body lines from the end so the message fits ``limit``."""
    if limit is None:
        return "\n".join([*lines, *tail])
    body = list(lines)
    while body:
        text = "\n".join([*body, *tail])
        if len(text) <= limit:
            return text
        body.pop()
        tail = ["-# (shortened to fit one message)", *[t for t in tail if "shortened" not in t]]
    return "\n".join(tail)[:limit]


def render_answer(
    entry: Entry,
    *,
    series: Series,
    upto: int | None,
    spoiler_free: int,
    kb: KnowledgeBase | None = None,
    limit: int | None = MESSAGE_LIMIT,
    lead: Reveal | None = None,
) -> str:
    """The message answering ``entry`` for an asker at ``upto`` on a server at ``spoiler_free``.

    ``lead``: the reveal that answers the question asked, shown first; the rest follow in episode
    order (when the message must be shortened, they go first).

    For an asker at a horizon, ``entry`` and ``kb`` should be the knowledge cut at ``upto``;
    the reveals and links past it are left out here as well, so a whole entry renders the same.
    ``limit=None`` renders in full, without shortening (the loader uses it to measure answers).
    """
    reveals = visible_reveals(entry, upto)
    if not reveals:
        return render_not_known_choice(upto)
    title = escape(entry.question)
    if upto is None:
        title = barred_unless(title, entry.first_episode, spoiler_free)
    lines = [f"**{title}**"]
    if lead is not None and lead in reveals:
        reveals = [lead, *(reveal for reveal in reveals if reveal != lead)]
    lines += [reveal_line(reveal, spoiler_free) for reveal in reveals]
    tail: list[str] = []
    if upto is not None:
        tail.append(later_note(upto))
    if kb is not None:
        related = []
        for number, link in enumerate(entry.see_also):
            target = kb.entries.get(link.id)
            if target is None:
                continue
            first = link_first_visible(kb, entry, number)
            if upto is not None and first > upto:
                continue
            text = escape(target.question)
            related.append(barred_unless(text, first, spoiler_free) if upto is None else text)
        if related:
            tail.append("-# See also: " + " · ".join(related))
    return fit(lines, tail, limit)


def render_comparison(
    sides: Sequence[tuple[Entry, Reveal | None]], *, upto: int | None, spoiler_free: int, limit: int = MESSAGE_LIMIT
) -> str:
    """Both sides of a comparison ("neans vs proto neans"), briefly: each entry's title and the
    reveal that answers its side (else its first), with the same footer as any answer."""
    lines: list[str] = []
    for entry, lead in sides:
        reveals = visible_reveals(entry, upto)
        if not reveals:
            continue
        title = escape(entry.question)
        if upto is None:
            title = barred_unless(title, entry.first_episode, spoiler_free)
        shown = lead if lead is not None and lead in reveals else reveals[0]
        lines += [f"**{title}**", reveal_line(shown, spoiler_free)]
    tail = ["-# Ask about either one for the whole entry."]
    if upto is not None:
        tail.append(later_note(upto))
    return fit(lines, tail, limit)


def render_not_known(question: str, upto: int) -> str:
    """The one reply, at a horizon, to a question the knowledge cut there does not answer.

    It cannot say whether a later episode answers it: that would confirm a guess at a twist."""
    return (
        f"I can't answer {quote_user(question)} {as_of(upto)}. A later episode may reveal it, or I may "
        "not know it yet; questions I can't answer at all are passed on to the moderators."
    )


def render_not_known_choice(upto: int | None) -> str:
    """A chosen entry (a button, an autocomplete choice) that the knowledge at ``upto`` lacks."""
    if upto is None:
        return "I no longer know that one (the knowledge changed since). Please ask again with /ask."
    return (
        f"I can't answer that one {as_of(upto)}: a later episode may reveal it, or the knowledge "
        "changed since. Please ask again with /ask."
    )


def render_episode_later(number: int, upto: int) -> str:
    """/episode N past the asker's horizon: it depends on N and the horizon only."""
    if upto == 0:
        return f"Episode {number} is one you haven't watched yet; ask again once you have seen it."
    return f"Episode {number} comes after episode {upto}, the last you have watched; ask again once you have seen it."


def render_unknown(question: str) -> str:
    return (
        f"I don't know the answer to {quote_user(question)} yet. "
        "I've noted the question so the moderators can teach it to me."
    )


def render_empty_question() -> str:
    return "Ask me something about Metallic Rouge, for example: who is Rouge's mother?"


def render_suggestions(question: str, questions: Iterable[str], barred: Sequence[bool] = ()) -> str:
    """"Did you mean" with numbered questions; ``barred[i]``: the i-th goes in spoiler bars."""
    options = [
        f"{number}. {spoiler(escape(q)) if number <= len(barred) and barred[number - 1] else escape(q)}"
        for number, q in enumerate(questions, start=1)
    ]
    if not options:
        return render_unknown(question)
    return fit([f"I'm not sure what you mean by {quote_user(question)}. Did you mean:", *options])


def render_episode(
    kb: KnowledgeBase, number: int, *, upto: int | None, spoiler_free: int
) -> str:
    """An episode's title, summary and what it reveals; everything past the server's horizon in
    bars. For an asker at a horizon, ``kb`` should be the knowledge cut there."""
    series = kb.series
    episode = series.episode(number)
    if episode is None:
        return (
            f"{escape(series.title)} has episodes 1 to {series.episode_count}; "
            f"there is no episode {number}."
        )
    if upto is not None and number > upto:
        return render_episode_later(number, upto)

    def shown(text: str) -> str:
        text = escape(text)
        return spoiler(text) if number > spoiler_free else text

    lines = [f"**Episode {number}:** {shown(episode.title)}"]
    if episode.summary:
        lines.append(shown(episode.summary))
    # Episode-guide entries restate the episode itself; list what the other entries learn here.
    reveals = [
        (entry, reveal)
        for entry, reveal in kb.reveals_in_episode(number)
        if not entry.is_episode_guide
    ]
    if reveals:
        lines.append("Revealed in this episode:")
        lines += [f"- {reveal_line(reveal, spoiler_free)}" for _, reveal in reveals]
    return fit(lines)


def combine_answers(parts: Sequence[str], tail: Sequence[str], limit: int) -> str:
    """``parts`` separated by blank lines, then the ``tail`` lines, in at most ``limit`` characters.

    When they do not fit, each part is shortened to an equal share of the room (whole lines go
    from its end; its own "-#" notes stay); when a share is too small to keep a title and one
    reveal, only the first part is kept instead. Lines are never cut, so a spoiler bar is never
    left open. A note every part ends with ("That is what is known as of episode 6") is said
    once, at the end."""
    split = [part.split("\n") for part in parts]
    shared: list[str] = []
    if len(parts) > 1:
        shared = [line for line in split[0] if line.startswith("-# ") and all(line in lines for lines in split[1:])]
    parts = ["\n".join(line for line in lines if line not in shared) for lines in split]
    tail = [*shared, *tail]

    def join(chosen: Sequence[str], extra: Sequence[str] = ()) -> str:
        return "\n".join(["\n\n".join(chosen), *extra, *tail]).strip("\n")

    text = join(parts)
    if len(text) <= limit or not parts:
        return text if len(text) <= limit else fit([], tail, limit)
    share = (limit - len("\n".join(tail)) - 3 * len(parts)) // len(parts)
    shortened = [_shorten(part, share) for part in parts]
    text = join(shortened)
    if len(text) <= limit and all(_body_lines(s) >= min(2, _body_lines(p)) for s, p in zip(shortened, parts)):
        return text  # each answer kept its title and at least one reveal
    only_first = ["-# That was long, so I answered only the first question; ask the other one separately."]
    room = limit - len("\n".join([*only_first, *tail])) - 1
    text = join([_shorten(parts[0], room)], only_first)
    return text if len(text) <= limit else fit([], tail, limit)


def _body_lines(part: str) -> int:
    return sum(1 for line in part.split("\n") if line and not line.startswith("-# "))


def _shorten(part: str, room: int) -> str:
    """An answer in at most ``room`` characters: whole lines dropped from the end, its notes kept."""
    if len(part) <= room:
        return part
    lines = part.split("\n")
    body = [line for line in lines if not line.startswith("-# ")]
    notes = [line for line in lines if line.startswith("-# ")]
    return fit(body, notes, max(room, 0))
