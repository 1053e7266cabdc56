"""Teach the bot a phrasing it missed: add an alias to an entry's YAML file, safely.

The change is written the way a careful moderator would make it by hand:

* the file is edited with ruamel.yaml's round-trip mode, so its comments, quoting, flow lists
  and indentation stay as they were (the indentation is detected by re-dumping the unchanged
  file until the output matches it byte for byte);
* the write goes through :mod:`bot.knowledge.writes`: under the knowledge folder's lock (across
  processes), compare-and-swap (a hand edit saved meanwhile is kept: the alias is added to it),
  atomic replace, so the watcher and readers see the old file or the new one, never half of one;
* the whole folder is then validated with :func:`bot.knowledge.loader.load_knowledge`, still under
  the lock; when it is not valid the original bytes are put back exactly (only if the file is still
  what teach wrote), and the caller gets every ``path:line: reason``. Success is reported only when
  the alias loaded back from the file.

Nothing here imports discord: the same function serves ``/lore-admin teach`` and tests.
"""

from __future__ import annotations

import copy
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from bot.knowledge.loader import MAX_ALIAS_CHARS, KnowledgeError, Problem, display_path, load_knowledge
from bot.knowledge.model import Entry, KnowledgeBase
from bot.knowledge.writes import EditConflict, edit_knowledge_file, knowledge_lock, restore_if_unchanged
from bot.answering.forms import attribute_words
from bot.answering.normalize import normalize

#: (mapping indent, sequence indent, dash offset) layouts tried when re-dumping a file
_LAYOUTS = [(m, s, o) for m in (2, 4, 3) for s, o in ((4, 2), (2, 0), (3, 1), (4, 0), (6, 4), (8, 4))]


@dataclass(frozen=True, slots=True)
class TeachResult:
    ok: bool
    #: what happened, in plain words (not escaped for Discord; the caller escapes it)
    message: str
    entry_id: str
    alias: str
    path: Path | None = None
    problems: tuple[Problem, ...] = ()
    #: the validated knowledge after the change (when ``ok``)
    kb: KnowledgeBase | None = None


def clean_phrase(text: str) -> str:
    """An alias as it will be stored: one line, single spaces."""
    return " ".join(text.split())


def owner_of(kb: KnowledgeBase, phrase: str) -> Entry | None:
    """The entry whose question or alias already reads like ``phrase`` once normalised."""
    synonyms = kb.series.synonyms
    key = normalize(phrase, synonyms)
    if not key:
        return None
    for entry in kb.entries.values():
        if normalize(entry.question, synonyms) == key:
            return entry
        if any(normalize(alias.text, synonyms) == key for alias in entry.aliases):
            return entry
    return None


def teach_alias(
    folder: str | Path, entry_id: str, phrase: str, *, episode: int | None = None
) -> TeachResult:
    """Add ``phrase`` as an alias of ``entry_id`` (only matched from ``episode`` on, when given).

    Blocking (it reads and validates the whole folder twice): call it in a thread from async
    code, while holding the reloader's lock so a reload never sees the file mid-change.
    """
    folder = Path(folder)
    alias = clean_phrase(phrase)
    if not alias:
        return TeachResult(False, "The phrasing is empty.", entry_id, alias)
    try:
        with knowledge_lock(folder):  # nobody else's write lands between the checks and the write
            return _teach_locked(folder, entry_id, alias, episode)
    except EditConflict as error:
        return TeachResult(False, f"Not written: {error}.", entry_id, alias)
    except OSError as error:
        return TeachResult(False, f"Could not lock the knowledge folder for writing: {_reason(error)}", entry_id, alias)


def check_alias(kb: KnowledgeBase, entry_id: str, alias: str, episode: int | None) -> str | None:
    """Why ``alias`` cannot be taught to ``entry_id`` in ``kb`` (None: it can)."""
    if not alias:
        return "The phrasing is empty."
    if len(alias) > MAX_ALIAS_CHARS:
        return f"The phrasing is {len(alias)} characters long; an alias holds at most {MAX_ALIAS_CHARS}."
    entry = kb.entry(entry_id)
    if entry is None:
        return f"There is no entry with the id '{entry_id}'."
    if not normalize(alias, kb.series.synonyms):
        return f"'{alias}' has no words the bot can match on (only filler words such as 'who is')."
    owner = owner_of(kb, alias)
    if owner is not None and owner.id == entry.id:
        attribute = attribute_words(alias)
        texts = [entry.question, *(a.text for a in entry.aliases), *(r.text for r in entry.reveals)]
        if attribute is not None and not attribute.told_in(texts):
            # "what else has monica flatley been in" reads like the alias "monica flatley", yet the
            # bot asks "did you mean": the entry names the actor but none of her other roles.
            return (
                f"'{alias}' reads like a phrasing '{entry.id}' already has, so an alias changes nothing. "
                f"It asks for {attribute.what}, and nothing '{entry.id}' says tells that, so the bot "
                "answers it with \"did you mean\": add what is asked to one of its reveals instead."
            )
        return f"'{alias}' already finds '{entry.id}'; nothing to teach."
    if owner is not None:
        where = f"{display_path(owner.path)}:{owner.line}" if owner.path else "the knowledge"
        return (
            f"'{alias}' already leads to '{owner.id}' ({where}); an alias can point to one entry only. "
            f"Edit that entry by hand if the phrasing belongs to '{entry.id}' instead."
        )
    count = kb.series.episode_count
    if episode is not None and not 1 <= episode <= count:
        return f"Episode {episode} is not an episode of {kb.series.title}: use 1 to {count}."
    if entry.path is None:
        return f"The file of '{entry.id}' is not known."
    return None


def _teach_locked(folder: Path, entry_id: str, alias: str, episode: int | None) -> TeachResult:
    def refuse(message: str, problems: tuple[Problem, ...] = (), path: Path | None = None) -> TeachResult:
        return TeachResult(False, message, entry_id, alias, path, problems)

    if len(alias) > MAX_ALIAS_CHARS:  # before loading anything
        return refuse(f"The phrasing is {len(alias)} characters long; an alias holds at most {MAX_ALIAS_CHARS}.")
    try:
        kb = load_knowledge(folder)
    except KnowledgeError as error:
        return refuse(
            "The knowledge folder has problems already; fix them (or run /lore-admin check) and teach again.",
            tuple(error.problems),
        )
    reason = check_alias(kb, entry_id, alias, episode)
    if reason is not None:
        return refuse(reason)
    entry = kb.entry(entry_id)
    assert entry is not None and entry.path is not None
    path = entry.path

    def add_alias(text: str) -> str:
        return _with_alias(text.encode("utf-8"), entry.id, alias, episode).decode("utf-8")

    try:
        written = edit_knowledge_file(path, add_alias)
    except (UnicodeDecodeError, YAMLError, _EditError) as error:
        return refuse(f"Could not edit {display_path(path)}: {_reason(error)}", path=path)
    except EditConflict as error:
        return refuse(f"Not written: {error}.", path=path)
    except OSError as error:
        return refuse(f"Could not write {display_path(path)}: {_reason(error)}", path=path)
    try:
        new_kb = load_knowledge(folder)
        taught = new_kb.entry(entry.id)
        if taught is None or all(a.text != alias for a in taught.aliases):
            raise KnowledgeError([Problem(display_path(path), 0, f"the new alias of '{entry.id}' did not load")])
    except KnowledgeError as error:
        if restore_if_unchanged(path, written.after, written.before):
            message = f"The change was undone: with the new alias the knowledge is not valid. {display_path(path)} is unchanged."
        else:
            message = (
                f"With the new alias the knowledge is not valid, and {display_path(path)} changed again since, "
                "so the bot left it as it is: fix it by hand."
            )
        return refuse(message, tuple(error.problems), path)
    except BaseException:
        restore_if_unchanged(path, written.after, written.before)
        raise
    where = f" (matched from episode {episode} on)" if episode is not None else ""
    return TeachResult(
        True,
        f"Added the alias '{alias}'{where} to '{entry.id}' in {display_path(path)}.",
        entry.id,
        alias,
        path,
        kb=new_kb,
    )


class _EditError(Exception):
    pass


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError):
        return error.strerror or str(error)
    if isinstance(error, UnicodeDecodeError):
        return "the file is not UTF-8 text"
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


# -- the round-trip edit -------------------------------------------------------------------------
def _yaml(layout: tuple[int, int, int]) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line
    mapping, sequence, offset = layout
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def _dump(yaml: YAML, data: Any) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _layout_of(text: str) -> tuple[int, int, int]:
    """The indentation that re-dumps ``text`` unchanged (or, failing that, most nearly)."""
    best: tuple[int, tuple[int, int, int]] | None = None
    lines = text.splitlines()
    for layout in _ordered_layouts(text):
        try:
            dumped = _dump(_yaml(layout), _yaml(layout).load(text))
        except YAMLError:
            continue
        if dumped == text:
            return layout
        same = sum(a == b for a, b in zip(lines, dumped.splitlines()))
        if best is None or same > best[0]:
            best = (same, layout)
    return best[1] if best else _LAYOUTS[0]


def _ordered_layouts(text: str) -> list[tuple[int, int, int]]:
    """The layouts, most likely first (from the first list item's and nested key's indentation)."""
    dash = re.search(r"^[^\s#-][^\n]*:[ \t]*\n( *)(- +)", text, re.MULTILINE)
    nested = re.search(r"^( *)[^\s#-][^\n:]*:[ \t]*\n\1( +)[^\s#-]", text, re.MULTILINE)
    offset = len(dash.group(1)) if dash else None
    sequence = len(dash.group(1)) + len(dash.group(2)) if dash else None
    mapping = len(nested.group(2)) if nested else None

    def rank(layout: tuple[int, int, int]) -> tuple[bool, bool, bool]:
        return (layout[2] != offset, layout[1] != sequence, layout[0] != mapping)

    return sorted(_LAYOUTS, key=rank)


def _with_alias(original: bytes, entry_id: str, alias: str, episode: int | None) -> bytes:
    text = original.decode("utf-8")
    crlf = "\r\n" in text
    if crlf:
        text = text.replace("\r\n", "\n")
    layout = _layout_of(text)
    yaml = _yaml(layout)
    data = yaml.load(text)
    entries = data.get("entries") if isinstance(data, CommentedMap) else None
    if not isinstance(entries, CommentedSeq):
        raise _EditError("the file has no 'entries:' list")
    target = next(
        (item for item in entries if isinstance(item, CommentedMap) and str(item.get("id")) == entry_id),
        None,
    )
    if target is None:
        raise _EditError(f"the entry '{entry_id}' is no longer in this file")

    aliases = target.get("aliases")
    value: Any = alias
    if episode is not None:
        value = CommentedMap([("text", alias), ("episode", episode)])
    if isinstance(aliases, CommentedSeq):
        if isinstance(value, CommentedMap) and aliases.fa.flow_style():
            value.fa.set_flow_style()
        _append(aliases, value)
    elif "aliases" in target and aliases is not None:
        raise _EditError(f"the aliases of '{entry_id}' are not a list")
    else:
        new = CommentedSeq([value])
        if "aliases" in target:
            target["aliases"] = new  # was empty ("aliases:" with nothing under it)
        else:
            keys = list(target.keys())
            after = keys.index("question") if "question" in keys else 0
            _move_tail(_tail_holder(target, keys[after]), new)
            target.insert(after + 1, "aliases", new)
    dumped = _dump(yaml, data)
    if not text.endswith("\n"):
        dumped = dumped.rstrip("\n")
    if crlf:
        dumped = dumped.replace("\n", "\r\n")
    return dumped.encode("utf-8")


# ruamel keeps the comment lines *after* an item (up to the next key) with that item. When an item
# is appended after it, those lines must move down to the new item, or they would end up above it.
_Holder = tuple[list[Any], int]  # (ruamel comment slot list, index of the token in it)


def _tail_holder(node: Any, key: Any) -> _Holder | None:
    """Where the comment after ``node[key]`` is stored, looking into nested block collections."""
    value = node[key]
    if isinstance(value, (CommentedMap, CommentedSeq)) and len(value) and not value.fa.flow_style():
        last = len(value) - 1 if isinstance(value, CommentedSeq) else list(value.keys())[-1]
        inner = _tail_holder(value, last)
        if inner is not None:
            return inner
    slots = node.ca.items.get(key)
    index = 0 if isinstance(node, CommentedSeq) else 2
    if slots and len(slots) > index and slots[index] is not None:
        return slots, index
    return None


def _move_tail(holder: _Holder | None, new_last: CommentedSeq | CommentedMap) -> None:
    """Move the comment lines after a holder's line (not its own end-of-line comment) to ``new_last``."""
    if holder is None:
        return
    slots, index = holder
    token = slots[index]
    own, _, rest = token.value.partition("\n")
    if not rest.strip():
        return
    moved = copy.copy(token)
    moved.value = "\n" + rest
    if own.strip():
        token.value = own + "\n"
    else:
        slots[index] = None
    node, key = new_last, len(new_last) - 1
    while isinstance(node[key], CommentedMap):  # the new alias is a {text, episode} mapping
        node = node[key]
        key = list(node.keys())[-1]
    if isinstance(node, CommentedSeq):
        node.ca.items[key] = [moved, None, None, None]
    else:
        node.ca.items[key] = [None, None, moved, None]


def _append(seq: CommentedSeq, value: Any) -> None:
    holder = _tail_holder(seq, len(seq) - 1) if len(seq) and not seq.fa.flow_style() else None
    seq.append(value)
    _move_tail(holder, seq)
