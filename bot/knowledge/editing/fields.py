"""The text boxes of the editing forms, read into entry and reveal data, with errors per box.

A form is what a maintainer types in Discord (a modal), but nothing here knows Discord: the boxes
are plain strings keyed by :data:`ENTRY_FIELDS` / :data:`REVEAL_FIELDS`. The formats:

* ``aliases``: one phrasing per line; ``text @ 8`` for a phrasing that names a twist of episode 8;
* ``see_also``: one entry id per line (commas work too); ``id @ 8`` shows the link from episode 8;
* ``tags``: words, one per line or separated by commas;
* ``sources``: one per line, at least one (a URL or an article title);
* ``question``, ``mystery`` and ``text``: free text; line breaks become spaces.

Reading only checks what the loader cannot see (a missing box, an ``@`` without a number); every
rule of the knowledge itself is checked by validating the whole folder with the change
(:mod:`bot.knowledge.editing.change`), so both ways of editing obey one set of rules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.knowledge.model import Alias, Entry, Link, Reveal

QUESTION, ALIASES, MYSTERY, SEE_ALSO, TAGS = "question", "aliases", "mystery", "see_also", "tags"
TEXT, SOURCES = "text", "sources"
#: problems that concern no single box (the entry's id, its file, another entry, the episode)
GENERAL = "general"
ENTRY_FIELDS = (QUESTION, ALIASES, MYSTERY, SEE_ALSO, TAGS)
REVEAL_FIELDS = (TEXT, SOURCES)

#: field -> problems, in the order found
FieldErrors = dict[str, list[str]]

_AT_EPISODE = re.compile(r"^(?P<value>.*?)\s*@\s*(?P<episode>[^@]*)$")
_BULLET = re.compile(r"^\s*(?:[-*•]\s+)")


@dataclass(frozen=True, slots=True)
class EntryDraft:
    """An entry's own boxes (its reveals are edited one at a time)."""

    question: str
    aliases: tuple[Alias, ...] = ()
    mystery: str | None = None
    see_also: tuple[Link, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RevealDraft:
    text: str
    sources: tuple[str, ...]
    #: None: keep what the reveal has (an edit); a new reveal gets False
    unconfirmed: bool | None = None


def add_error(errors: FieldErrors, field: str, message: str) -> None:
    found = errors.setdefault(field, [])
    if message not in found:
        found.append(message)


def one_line(text: str) -> str:
    return " ".join(text.split())


def _lines(text: str, *, commas: bool = False) -> list[str]:
    """The non-empty lines of a box, a leading "- " bullet dropped (commas split too, if asked)."""
    parts = text.replace("\r\n", "\n").split("\n")
    if commas:
        parts = [piece for part in parts for piece in part.split(",")]
    found = []
    for part in parts:
        value = one_line(_BULLET.sub("", part))
        if value and value not in found:
            found.append(value)
    return found


def _split_episode(line: str, field: str, what: str, errors: FieldErrors) -> tuple[str, int | None] | None:
    """``text @ 8`` -> ("text", 8); a line without ``@`` -> (line, None); None after an error."""
    match = _AT_EPISODE.match(line)
    if match is None:
        return line, None
    value, episode = match["value"].strip(), match["episode"].strip()
    if not episode.isdigit():
        add_error(errors, field, f"'{line}': after @ comes the episode number, like '{value or what} @ 8'")
        return None
    if not value:
        add_error(errors, field, f"'{line}': write the {what} before the @")
        return None
    return value, int(episode)


def parse_entry(values: Mapping[str, str]) -> tuple[EntryDraft | None, FieldErrors]:
    """The entry boxes as an :class:`EntryDraft`, or None and the errors per box."""
    errors: FieldErrors = {}
    question = one_line(values.get(QUESTION, ""))
    if not question:
        add_error(errors, QUESTION, "the question is empty; it is how fans find the entry")
    aliases: list[Alias] = []
    for line in _lines(values.get(ALIASES, "")):
        split = _split_episode(line, ALIASES, "phrasing", errors)
        if split is not None:
            aliases.append(Alias(*split))
    mystery_words = one_line(values.get(MYSTERY, "")).lower()
    links: list[Link] = []
    for line in _lines(values.get(SEE_ALSO, ""), commas=True):
        split = _split_episode(line, SEE_ALSO, "entry id", errors)
        if split is not None:
            links.append(Link(split[0].lower(), split[1]))
    tags = tuple(dict.fromkeys(tag.lower() for tag in _lines(values.get(TAGS, ""), commas=True)))
    if errors:
        return None, errors
    draft = EntryDraft(question, tuple(aliases), mystery_words or None, tuple(links), tags)
    return draft, errors


def parse_reveal(values: Mapping[str, str], *, unconfirmed: bool | None = None) -> tuple[RevealDraft | None, FieldErrors]:
    errors: FieldErrors = {}
    text = one_line(values.get(TEXT, ""))
    if not text:
        add_error(errors, TEXT, "the text is empty: write what fans learn in this episode")
    sources = tuple(_lines(values.get(SOURCES, "")))
    if not sources:
        add_error(errors, SOURCES, "every reveal needs at least one source (a URL or an article title), one per line")
    if errors:
        return None, errors
    return RevealDraft(text, sources, unconfirmed), errors


# -- the other way: what a form shows for existing knowledge ------------------------------------
def _with_episode(value: str, episode: int | None) -> str:
    return value if episode is None else f"{value} @ {episode}"


def entry_values(entry: Entry | EntryDraft) -> dict[str, str]:
    """The boxes prefilled from an entry (for ``entry edit``), in the formats above."""
    return {
        QUESTION: entry.question,
        ALIASES: "\n".join(_with_episode(alias.text, alias.episode) for alias in entry.aliases),
        MYSTERY: entry.mystery or "",
        SEE_ALSO: "\n".join(_with_episode(link.id, link.episode) for link in entry.see_also),
        TAGS: ", ".join(entry.tags),
    }


def reveal_values(reveal: Reveal | RevealDraft) -> dict[str, str]:
    return {TEXT: reveal.text, SOURCES: "\n".join(reveal.sources)}


def slug(text: str) -> str:
    """An entry id made from a question: "Who is Rouge's mother?" -> "who-is-rouges-mother"."""
    words = re.findall(r"[a-z0-9]+", text.lower().replace("'", "").replace("’", ""))
    return "-".join(words)[:60].strip("-")
