"""One change to one entry: checked against the whole knowledge before anything is written.

:func:`prepare` applies a :class:`Change` to the text of the entry's file, validates the whole
folder *with that text in place of the file* (the same :func:`~bot.knowledge.loader.load_knowledge`
as ``python -m bot check``: every rule, across every file), and returns the result, or raises
:class:`ChangeRefused` with each problem put next to the box it concerns. Nothing is written.

:func:`save` does the same under the knowledge folder's write lock, on the file as it is at that
moment (:func:`bot.knowledge.writes.edit_knowledge_file`: compare-and-swap, atomic replace), so
an edit made by hand meanwhile, elsewhere in the file or in another file, is kept; an edit of the
same entry meanwhile refuses the save instead of being overwritten.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from bot.answering.lore import Lore
from bot.knowledge.editing import yamltext
from bot.knowledge.editing.fields import ALIASES, GENERAL, MYSTERY, QUESTION, SEE_ALSO, EntryDraft, FieldErrors, RevealDraft, add_error
from bot.knowledge.editing.yamltext import EditRefused
from bot.knowledge.loader import KnowledgeError, Problem, display_path, iter_knowledge_files, load_knowledge
from bot.knowledge.model import KnowledgeBase

ENTRY_NEW, ENTRY_EDIT = "entry new", "entry edit"
REVEAL_ADD, REVEAL_EDIT, REVEAL_REMOVE = "reveal add", "reveal edit", "reveal remove"
UNDO = "undo"
KINDS = (ENTRY_NEW, ENTRY_EDIT, REVEAL_ADD, REVEAL_EDIT, REVEAL_REMOVE, UNDO)


class ChangeRefused(Exception):
    """The change would break the knowledge (or cannot be made); nothing was written."""

    def __init__(self, errors: FieldErrors, problems: tuple[Problem, ...] = ()) -> None:
        self.errors = errors
        self.problems = problems
        super().__init__("; ".join(message for messages in errors.values() for message in messages))


@dataclass(frozen=True, slots=True)
class Change:
    """What a maintainer asked for. ``file`` is a file name inside the knowledge folder."""

    kind: str
    entry_id: str
    file: str
    episode: int | None = None
    entry: EntryDraft | None = None
    reveal: RevealDraft | None = None
    #: undo: the entry's lines to put back ("" removes the entry), and the lines expected now
    restore: str | None = None
    expected: str | None = None

    def describe(self) -> str:
        """What the change does, in a few words ("added the episode 5 reveal of 'x'")."""
        what = {
            ENTRY_NEW: "created the entry '{id}'",
            ENTRY_EDIT: "edited the entry '{id}'",
            REVEAL_ADD: "added the episode {ep} reveal of '{id}'",
            REVEAL_EDIT: "edited the episode {ep} reveal of '{id}'",
            REVEAL_REMOVE: "removed the episode {ep} reveal of '{id}'",
            UNDO: "undid the last edit of '{id}'",
        }[self.kind]
        return what.format(id=self.entry_id, ep=self.episode)

    def apply(self, text: str) -> tuple[str, str, str]:
        """(the file's new text, the entry's lines before, after); raises EditRefused."""
        if self.kind == ENTRY_NEW:
            assert self.entry is not None and self.reveal is not None and self.episode is not None
            new_text, block = yamltext.add_entry_text(
                text, yamltext.new_entry(self.entry_id, self.entry, self.episode, self.reveal)
            )
            return new_text, "", block
        if self.kind == UNDO:
            return self._undo(text)
        return yamltext.edit_entry_text(text, self.entry_id, self._edit)

    def _edit(self, entry: object) -> None:
        if self.kind == ENTRY_EDIT:
            assert self.entry is not None
            yamltext.set_entry_fields(entry, self.entry)  # type: ignore[arg-type]
        elif self.kind == REVEAL_ADD:
            assert self.reveal is not None and self.episode is not None
            yamltext.add_reveal(entry, self.episode, self.reveal)  # type: ignore[arg-type]
        elif self.kind == REVEAL_EDIT:
            assert self.reveal is not None and self.episode is not None
            yamltext.edit_reveal(entry, self.episode, self.reveal)  # type: ignore[arg-type]
        elif self.kind == REVEAL_REMOVE:
            assert self.episode is not None
            yamltext.remove_reveal(entry, self.episode)  # type: ignore[arg-type]
        else:  # pragma: no cover - a kind nobody builds
            raise ValueError(self.kind)

    def _undo(self, text: str) -> tuple[str, str, str]:
        assert self.restore is not None and self.expected is not None
        crlf = "\r\n" in text
        plain = text.replace("\r\n", "\n") if crlf else text
        block = yamltext.find_block(plain, self.entry_id)
        current = yamltext.block_text(plain, block) if block is not None else ""
        expected = self.expected.replace("\r\n", "\n")
        if current.rstrip("\n") != expected.rstrip("\n"):
            raise EditRefused(
                GENERAL,
                f"'{self.entry_id}' has changed since that edit (by hand or by another edit), so undoing it "
                "would lose that change. Nothing was changed; see /lore-admin history and edit it instead.",
            )
        restore = self.restore.replace("\r\n", "\n")
        if block is None:  # pragma: no cover - only an entry that exists can match a non-empty block
            raise EditRefused(GENERAL, f"'{self.entry_id}' is no longer in this file")
        new_text = yamltext.replace_block(plain, block, restore)
        if crlf:
            new_text, current, restore = (p.replace("\n", "\r\n") for p in (new_text, current, restore))
        return new_text, current, restore


@dataclass(frozen=True, slots=True)
class Prepared:
    """A change applied to the text of its file and validated with the whole folder."""

    change: Change
    path: Path
    before_text: str
    after_text: str
    before_block: str
    after_block: str
    #: the knowledge with the change (what fans would be answered from)
    kb: KnowledgeBase = field(repr=False)

    @property
    def line(self) -> int:
        """The entry's first line in the new file (1-based; 0 when the entry is gone)."""
        block = yamltext.find_block(self.after_text.replace("\r\n", "\n"), self.change.entry_id)
        return block.start + 1 if block is not None else 0

    @property
    def where(self) -> str:
        return f"{display_path(self.path)}:{self.line}"

    @property
    def changed(self) -> bool:
        return self.before_text != self.after_text

    def diff(self) -> str:
        return file_diff(self.before_text, self.after_text, display_path(self.path))


def file_diff(before: str, after: str, label: str, *, context: int = 2) -> str:
    """A unified diff, as ``git diff`` shows it."""
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True),
            fromfile=f"a/{label}", tofile=f"b/{label}", n=context,
        )
    )


def _knowledge_path(folder: Path, file: str) -> Path:
    """The file of the folder named ``file``; anything else (a path, another folder) is refused."""
    names = {path.name: path for path in iter_knowledge_files(folder)}
    if file not in names:
        choices = ", ".join(sorted(name for name in names))
        raise ChangeRefused({GENERAL: [f"'{file}' is not a knowledge file here; choose one of: {choices}"]})
    return names[file]


#: words of a loader message -> the box it concerns, for a problem reported at another entry
#: ("the question of 'other' is the same as 'this'", "alias ... is already claimed by 'this'")
_FIELD_WORDS = (("question", QUESTION), ("alias", ALIASES), ("mystery", MYSTERY), ("see_also", SEE_ALSO))


def _field_of(problem: Problem, path: Path, spans: list[tuple[str, int, int]], entry_id: str) -> str:
    if problem.path == display_path(path):
        for field_name, first, last in spans:
            if first <= problem.line <= last:
                return field_name
    if f"'{entry_id}'" in problem.message:
        for word, field_name in _FIELD_WORDS:
            if problem.message.startswith(word) or f" {word}" in problem.message.split("'")[0]:
                return field_name
    return GENERAL


def validate(folder: Path, path: Path, change: Change, new_text: str) -> KnowledgeBase:
    """The knowledge of ``folder`` with ``new_text`` as ``path``; ChangeRefused, per box, if invalid."""
    try:
        return load_knowledge(folder, {path: new_text})
    except KnowledgeError as error:
        spans = list(yamltext.field_lines(new_text, change.entry_id, change.episode))
        errors: FieldErrors = {}
        own = {(first, last) for _, first, last in spans}
        for problem in error.problems:
            name = _field_of(problem, path, spans, change.entry_id)
            inside = problem.path == display_path(path) and any(a <= problem.line <= b for a, b in own)
            add_error(errors, name, problem.message if inside else str(problem))
        raise ChangeRefused(errors, tuple(error.problems)) from None


def current_knowledge(folder: Path) -> KnowledgeBase:
    """The folder as it is; a folder that has problems already is refused (fix those first)."""
    try:
        return load_knowledge(folder)
    except KnowledgeError as error:
        message = (
            f"the knowledge has {len(error.problems)} problem(s) already, so nothing can be checked; "
            "fix them first (/lore-admin check lists them)"
        )
        raise ChangeRefused({GENERAL: [message]}, tuple(error.problems)) from None


def prepare(folder: str | Path, change: Change, *, text: str | None = None) -> Prepared:
    """Apply ``change`` to its file (``text``: the file's text to use instead of reading it)."""
    folder = Path(folder)
    path = _knowledge_path(folder, change.file)
    kb = current_knowledge(folder)
    if change.kind == ENTRY_NEW and change.entry_id in kb.entries:
        other = kb.entries[change.entry_id]
        where = f" ({display_path(other.path)}:{other.line})" if other.path else ""
        raise ChangeRefused({GENERAL: [f"there is already an entry '{change.entry_id}'{where}; choose another id"]})
    if change.kind != ENTRY_NEW and change.kind != UNDO:
        entry = kb.entries.get(change.entry_id)
        if entry is None:
            raise ChangeRefused({GENERAL: [f"there is no entry '{change.entry_id}'"]})
    if text is None:
        try:
            text = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ChangeRefused({GENERAL: [f"cannot read {display_path(path)}: {error}"]}) from None
    try:
        new_text, before, after = change.apply(text)
    except EditRefused as refused:
        raise ChangeRefused({refused.field: [refused.message]}) from None
    new_kb = validate(folder, path, change, new_text)
    return Prepared(change, path, text, new_text, before, after, new_kb)


def save(folder: str | Path, change: Change, *, expected_before: str | None = None) -> Prepared:
    """Write ``change`` (validated again on the file as it is now), atomically, under the lock.

    ``expected_before``: the entry's lines the maintainer previewed; if the entry has changed
    since, the save is refused rather than overwrite that change. Blocking: run it in a thread.
    """
    from bot.knowledge.writes import EditConflict, edit_knowledge_file

    folder = Path(folder)
    path = _knowledge_path(folder, change.file)
    done: list[Prepared] = []

    def edit(text: str) -> str:
        prepared = prepare(folder, change, text=text)
        if expected_before is not None and prepared.before_block != expected_before:
            raise ChangeRefused({GENERAL: [
                f"'{change.entry_id}' was changed by someone else since your preview; nothing was saved. "
                "Your text is kept: open the form again to redo the change on the new version."
            ]})
        done.append(prepared)
        return prepared.after_text

    try:
        edit_knowledge_file(path, edit)
    except EditConflict as conflict:
        raise ChangeRefused({GENERAL: [f"{display_path(path)} kept changing while it was saved ({conflict}); try again"]}) from None
    except OSError as error:
        raise ChangeRefused({GENERAL: [f"cannot write {display_path(path)}: {error.strerror or error}"]}) from None
    return done[-1]


def preview(kb: KnowledgeBase, entry_id: str, *, episode: int | None, spoiler_free: int) -> str:
    """What a fan is answered for the entry: at ``episode`` (None: no progress set) on a server
    whose spoiler-free horizon is ``spoiler_free``; the same path as /ask's answer."""
    entry = kb.entry(entry_id)
    if entry is None:
        return "(the entry is gone)"
    lore = Lore(kb)
    try:
        return lore.answer_entry(entry, upto=episode, spoiler_free=spoiler_free).text
    finally:
        lore.close()  # no cycle left behind: a freeze (bot/gc_pause.py) would keep it for good
