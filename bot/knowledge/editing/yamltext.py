"""Rewrite one entry of a knowledge file, and nothing else, keeping the file as a person wrote it.

An entry is a run of whole lines in its file (its *block*: from its ``- id:`` line to its last
line of content; the comments and blank lines after it belong to what follows). A change is made
on that block alone: the block is loaded with ruamel.yaml's round-trip mode (comments, quotes,
flow lists, folded text and indentation kept, the layout found the way :mod:`bot.knowledge.teach`
finds it), the entry is changed, the block is dumped again and spliced back. Every byte outside
the block is the file's own, untouched; inside it, what was not edited keeps its form.

The same blocks, as text, are what the edit history stores, so an undo puts back exactly the
lines that were there (:func:`replace_block`).
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import FoldedScalarString

from bot.knowledge.editing.fields import ALIASES, GENERAL, MYSTERY, QUESTION, SEE_ALSO, SOURCES, TAGS, TEXT, EntryDraft, RevealDraft
from bot.knowledge.model import Alias, Link
from bot.knowledge.teach import _append, _layout_of, _move_tail, _tail_holder, _yaml  # one round-trip for both

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

#: the order keys are written in when an entry or reveal gets a key it did not have
ENTRY_KEY_ORDER = ("id", "question", "aliases", "tags", "mystery", "see_also", "reveals")
REVEAL_KEY_ORDER = ("episode", "text", "sources", "facts", "unconfirmed")
#: a reveal text longer than this is written folded (``>-``), in lines of at most FOLD_WIDTH
ONE_LINE_TEXT = 80
FOLD_WIDTH = 100
_WRAPPER = "entries:\n"


class EditRefused(Exception):
    """The change cannot be made to this text; ``field`` says which box it concerns."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# -- finding entries -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Block:
    entry_id: str
    #: index of the block's first line (its ``- id:`` line) and one past its last line
    start: int
    end: int


def lines_of(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _end_line(node: yaml.Node) -> int:
    """The 0-based line of the last character of ``node``'s content (not comments after it)."""
    if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
        return max(_end_line(node.value[-1][0]), _end_line(node.value[-1][1]))
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        return _end_line(node.value[-1])
    mark = node.end_mark
    return mark.line if mark.column > 0 else mark.line - 1


def entry_blocks(text: str) -> list[Block]:
    """The blocks of the entries of a knowledge file's text, in file order.

    Raises :class:`EditRefused` when the text is not a file of entries the editor can work on.
    """
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as error:
        raise EditRefused(GENERAL, f"the file is not valid YAML now ({str(error).splitlines()[0]}); fix it first") from None
    entries = None
    if isinstance(root, yaml.MappingNode):
        entries = next((value for key, value in root.value if getattr(key, "value", None) == "entries"), None)
    if not isinstance(entries, yaml.SequenceNode) or entries.flow_style or not entries.value:
        raise EditRefused(GENERAL, "the file has no block list of 'entries:' to edit (edit it by hand)")
    lines = lines_of(text)
    starts: list[tuple[str, int, yaml.Node]] = []
    for item in entries.value:
        entry_id = ""
        if isinstance(item, yaml.MappingNode):
            entry_id = next((str(v.value) for k, v in item.value if getattr(k, "value", None) == "id" and isinstance(v, yaml.ScalarNode)), "")
        line = item.start_mark.line
        before = lines[line][: item.start_mark.column] if line < len(lines) else ""
        if not before.strip():  # "-" alone on the line above, the mapping below it
            line -= 1
            while line > 0 and not lines[line].strip():
                line -= 1
        starts.append((entry_id, line, item))
    blocks = []
    for index, (entry_id, start, item) in enumerate(starts):
        limit = starts[index + 1][1] if index + 1 < len(starts) else len(lines)
        end = min(limit, _end_line(item) + 1)
        while end > start + 1 and not lines[end - 1].strip():
            end -= 1
        blocks.append(Block(entry_id, start, end))
    return blocks


def find_block(text: str, entry_id: str) -> Block | None:
    return next((block for block in entry_blocks(text) if block.entry_id == entry_id), None)


def block_text(text: str, block: Block) -> str:
    return "".join(lines_of(text)[block.start : block.end])


def replace_block(text: str, block: Block, new: str) -> str:
    """``text`` with ``block``'s lines replaced by ``new`` (whole lines; "" removes the entry)."""
    lines = lines_of(text)
    before, after = lines[: block.start], lines[block.end :]
    if not new and before and not before[-1].strip() and (not after or not after[0].strip() or block.start > 0):
        before = before[:-1]  # the blank line that separated the removed entry goes with it
    if new and not new.endswith("\n") and after:
        new += "\n"
    return "".join(before) + new + "".join(after)


# -- the round trip of one block -----------------------------------------------------------------
def _crlf(text: str) -> tuple[str, bool]:
    return (text.replace("\r\n", "\n"), True) if "\r\n" in text else (text, False)


def _dump(layout: tuple[int, int, int], data: Any) -> str:
    out = io.StringIO()
    _yaml(layout).dump(data, out)
    return out.getvalue()


def _load_block(block: str) -> tuple[tuple[int, int, int], Any]:
    wrapped = _WRAPPER + block
    layout = _layout_of(wrapped)
    try:
        data = _yaml(layout).load(wrapped)
    except YAMLError as error:  # pragma: no cover - the loader read this block a moment ago
        raise EditRefused(GENERAL, f"cannot read the entry: {str(error).splitlines()[0]}") from None
    return layout, data


def _dump_block(layout: tuple[int, int, int], data: Any) -> str:
    dumped = _dump(layout, data)
    assert dumped.startswith(_WRAPPER)
    return dumped[len(_WRAPPER) :]


def edit_entry_text(text: str, entry_id: str, change: Any) -> tuple[str, str, str]:
    """Apply ``change(entry_map)`` to the entry ``entry_id`` of a file's ``text``.

    Returns (the new text, the entry's block before, its block after)."""
    text, crlf = _crlf(text)
    block = find_block(text, entry_id)
    if block is None:
        raise EditRefused(GENERAL, f"the entry '{entry_id}' is not in this file (any more)")
    old = block_text(text, block)
    layout, data = _load_block(old)
    change(data["entries"][0])
    new = _dump_block(layout, data)
    if not old.endswith("\n"):
        new = new.rstrip("\n")
    result = replace_block(text, block, new)
    if crlf:
        result, old, new = (part.replace("\n", "\r\n") for part in (result, old, new))
    return result, old, new


def add_entry_text(text: str, entry: CommentedMap) -> tuple[str, str]:
    """Append a new entry after the file's last one, laid out like the file. Returns (text, block)."""
    text, crlf = _crlf(text)
    blocks = entry_blocks(text)
    if any(block.entry_id == entry["id"] for block in blocks):
        raise EditRefused(GENERAL, f"the file already has an entry '{entry['id']}'")
    lines = lines_of(text)
    last = blocks[-1]
    sample = block_text(text, last)
    layout, data = _load_block(sample)
    data["entries"][0] = entry
    new = _dump_block(layout, data)
    separated = len(blocks) > 1 and any(not line.strip() for line in lines[blocks[-2].end : last.start])
    head = "".join(lines[: last.end])
    if not head.endswith("\n"):
        head += "\n"
    result = head + ("\n" if separated else "") + new + "".join(lines[last.end :])
    if crlf:
        result, new = result.replace("\n", "\r\n"), new.replace("\n", "\r\n")
    return result, new


# -- what an entry map holds, as model values ----------------------------------------------------
def _one_line(value: Any) -> str:
    return " ".join(str(value).split())


def _alias_of(item: Any) -> Alias:
    if isinstance(item, dict):
        episode = item.get("episode")
        return Alias(_one_line(item.get("text", "")), int(episode) if episode is not None else None)
    return Alias(_one_line(item))


def _link_of(item: Any) -> Link:
    if isinstance(item, dict):
        episode = item.get("episode")
        return Link(_one_line(item.get("id", "")), int(episode) if episode is not None else None)
    return Link(_one_line(item))


def _items(node: Any) -> list[Any]:
    return list(node) if isinstance(node, list) else []


# -- building values -----------------------------------------------------------------------------
def text_value(text: str) -> str:
    """A reveal text as it is written: one line when short, else folded (``>-``) in lines."""
    if len(text) <= ONE_LINE_TEXT:
        return text
    folded = FoldedScalarString(text)
    positions, at = [], 0
    for line in textwrap.wrap(text, FOLD_WIDTH, break_long_words=False, break_on_hyphens=False)[:-1]:
        at = text.index(line, at) + len(line)
        positions.append(at)  # the space after this line's last word
    folded.fold_pos = positions  # type: ignore[attr-defined]
    return folded


def _flow(seq: CommentedSeq) -> CommentedSeq:
    seq.fa.set_flow_style()
    return seq


def _alias_item(alias: Alias, flow: bool) -> Any:
    if alias.episode is None:
        return alias.text
    item = CommentedMap([("text", alias.text), ("episode", alias.episode)])
    if flow:
        item.fa.set_flow_style()
    return item


def _link_item(link: Link) -> Any:
    if link.episode is None:
        return link.id
    item = CommentedMap([("id", link.id), ("episode", link.episode)])
    item.fa.set_flow_style()
    return item


def _insert_key(node: CommentedMap, key: str, value: Any, order: tuple[str, ...]) -> None:
    """Set ``node[key]``; a new key goes where ``order`` puts it, after the keys before it."""
    if key in node:
        node[key] = value
        return
    keys = list(node.keys())
    wanted = order.index(key) if key in order else len(order)
    position = 0
    for index, existing in enumerate(keys):
        if existing in order and order.index(existing) < wanted:
            position = index + 1
    if position and isinstance(value, (CommentedMap, CommentedSeq)):
        _move_tail(_tail_holder(node, keys[position - 1]), value)
    node.insert(position, key, value)


def _set_list(node: CommentedMap, key: str, current: list[Any], wanted: list[Any], build: Any, *, flow: bool) -> None:
    """Make ``node[key]`` hold ``wanted`` (model values), touching it only if it differs."""
    if current == wanted:
        return
    old = node.get(key)
    if not wanted:
        if key in node:
            del node[key]
        return
    if isinstance(old, CommentedSeq) and wanted[: len(current)] == current:
        for value in wanted[len(current) :]:  # only additions: append, keeping the list as it is
            _append(old, build(value, old.fa.flow_style()))
        return
    keep_flow = old.fa.flow_style() if isinstance(old, CommentedSeq) else flow
    reuse = {}
    for item, value in zip(_items(old), current):
        reuse.setdefault(value, item)
    seq = CommentedSeq([reuse[value] if value in reuse else build(value, keep_flow) for value in wanted])
    if keep_flow:
        _flow(seq)
    _insert_key(node, key, seq, ENTRY_KEY_ORDER)


def set_entry_fields(entry: CommentedMap, draft: EntryDraft) -> None:
    """Give an entry map the boxes of ``draft``; what did not change is not touched."""
    if _one_line(entry.get("question", "")) != draft.question:
        _insert_key(entry, "question", draft.question, ENTRY_KEY_ORDER)
    _set_list(entry, "aliases", [_alias_of(a) for a in _items(entry.get("aliases"))], list(draft.aliases),
              _alias_item, flow=False)
    _set_list(entry, "tags", [_one_line(t).lower() for t in _items(entry.get("tags"))], list(draft.tags),
              lambda tag, flow: tag, flow=True)
    current_mystery = entry.get("mystery")
    if (None if current_mystery is None else _one_line(current_mystery)) != draft.mystery:
        if draft.mystery is None:
            del entry["mystery"]
        else:
            _insert_key(entry, "mystery", draft.mystery, ENTRY_KEY_ORDER)
    _set_list(entry, "see_also", [_link_of(item) for item in _items(entry.get("see_also"))], list(draft.see_also),
              lambda link, flow: _link_item(link), flow=True)


def new_entry(entry_id: str, draft: EntryDraft, episode: int, reveal: RevealDraft) -> CommentedMap:
    entry = CommentedMap([("id", entry_id), ("question", draft.question)])
    set_entry_fields(entry, draft)
    entry["reveals"] = CommentedSeq([_reveal_map(episode, reveal)])
    return entry


# -- reveals -------------------------------------------------------------------------------------
def _reveals(entry: CommentedMap) -> CommentedSeq:
    reveals = entry.get("reveals")
    if not isinstance(reveals, CommentedSeq):
        raise EditRefused(GENERAL, "the entry's reveals are not a list; edit the file by hand")
    return reveals


def _episode_of(reveal: Any) -> int | None:
    try:
        return int(reveal.get("episode")) if isinstance(reveal, dict) else None
    except (TypeError, ValueError):
        return None


def _reveal_map(episode: int, draft: RevealDraft) -> CommentedMap:
    reveal = CommentedMap([("episode", episode), ("text", text_value(draft.text)), ("sources", CommentedSeq(draft.sources))])
    if draft.unconfirmed:
        reveal["unconfirmed"] = True
    return reveal


def find_reveal(entry: CommentedMap, episode: int) -> CommentedMap:
    for reveal in _reveals(entry):
        if _episode_of(reveal) == episode:
            return reveal  # type: ignore[no-any-return]
    shown = ", ".join(str(_episode_of(r)) for r in _reveals(entry))
    raise EditRefused(GENERAL, f"the entry has no reveal for episode {episode} (its reveals: episodes {shown})")


def add_reveal(entry: CommentedMap, episode: int, draft: RevealDraft) -> None:
    reveals = _reveals(entry)
    episodes = [_episode_of(r) for r in reveals]
    if episode in episodes:
        raise EditRefused(GENERAL, f"episode {episode} already has a reveal in this entry; use /lore-admin reveal edit")
    position = sum(1 for e in episodes if e is not None and e < episode)
    new = _reveal_map(episode, draft)
    if position == len(reveals):
        _append(reveals, new)
    else:
        reveals.insert(position, new)


def edit_reveal(entry: CommentedMap, episode: int, draft: RevealDraft) -> None:
    reveal = find_reveal(entry, episode)
    if _one_line(reveal.get("text", "")) != draft.text:
        reveal["text"] = text_value(draft.text)
    current = [_one_line(s) for s in _items(reveal.get("sources"))]
    if current != list(draft.sources):
        old = reveal.get("sources")
        if isinstance(old, CommentedSeq) and list(draft.sources[: len(current)]) == current:
            for source in draft.sources[len(current) :]:
                _append(old, source)
        else:
            seq = CommentedSeq(draft.sources)
            if isinstance(old, CommentedSeq) and old.fa.flow_style():
                _flow(seq)
            _insert_key(reveal, "sources", seq, REVEAL_KEY_ORDER)
    if draft.unconfirmed is not None and bool(reveal.get("unconfirmed", False)) != draft.unconfirmed:
        if draft.unconfirmed:
            _insert_key(reveal, "unconfirmed", True, REVEAL_KEY_ORDER)
        else:
            del reveal["unconfirmed"]


def remove_reveal(entry: CommentedMap, episode: int) -> None:
    reveals = _reveals(entry)
    reveal = find_reveal(entry, episode)
    if len(reveals) == 1:
        raise EditRefused(GENERAL, "this is the entry's only reveal; an entry needs at least one")
    reveals.remove(reveal)


def reveal_text_of(entry: CommentedMap, episode: int) -> tuple[str, list[str], bool]:
    reveal = find_reveal(entry, episode)
    return _one_line(reveal.get("text", "")), [_one_line(s) for s in _items(reveal.get("sources"))], bool(reveal.get("unconfirmed", False))


# -- where each box's lines are in a file (to put a problem next to its box) ---------------------
_ENTRY_FIELD_OF_KEY = {"question": QUESTION, "aliases": ALIASES, "mystery": MYSTERY, "see_also": SEE_ALSO, "tags": TAGS}


def field_lines(text: str, entry_id: str, episode: int | None) -> Iterator[tuple[str, int, int]]:
    """(field, first line, last line), 1-based, for the entry's boxes (and reveal ``episode``'s)."""
    root = yaml.compose(text, Loader=_Loader)
    if not isinstance(root, yaml.MappingNode):
        return
    for key, value in root.value:
        if getattr(key, "value", None) != "entries" or not isinstance(value, yaml.SequenceNode):
            continue
        for item in value.value:
            if not isinstance(item, yaml.MappingNode):
                continue
            fields = {getattr(k, "value", None): v for k, v in item.value}
            if getattr(fields.get("id"), "value", None) != entry_id:
                continue
            for name, node in fields.items():
                if name in _ENTRY_FIELD_OF_KEY:
                    yield _ENTRY_FIELD_OF_KEY[name], node.start_mark.line + 1, _end_line(node) + 1
            reveals = fields.get("reveals")
            if episode is not None and isinstance(reveals, yaml.SequenceNode):
                for reveal in reveals.value:
                    parts = {getattr(k, "value", None): (k, v) for k, v in getattr(reveal, "value", [])}
                    if getattr(parts.get("episode", (None, None))[1], "value", None) == str(episode):
                        for name, field in (("text", TEXT), ("sources", SOURCES)):
                            if name in parts:
                                k, v = parts[name]
                                yield field, k.start_mark.line + 1, _end_line(v) + 1
