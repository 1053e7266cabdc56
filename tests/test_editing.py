"""The editing core (bot/knowledge/editing): form boxes, one-entry rewrites that leave every other
byte of the file alone, validation with the changed file in place, saves that keep hand edits."""

from __future__ import annotations

import shutil
from dataclasses import replace
import threading
from pathlib import Path

import pytest

from bot.knowledge.editing import fields as forms
from bot.knowledge.editing import yamltext
from bot.knowledge.editing.change import (
    ENTRY_EDIT,
    ENTRY_NEW,
    REVEAL_ADD,
    REVEAL_EDIT,
    REVEAL_REMOVE,
    UNDO,
    Change,
    ChangeRefused,
    prepare,
    preview,
    save,
)
from bot.knowledge.editing.fields import EntryDraft, RevealDraft
from bot.knowledge.loader import load_knowledge
from bot.knowledge.model import Alias, Link
from bot.knowledge.writes import edit_knowledge_file

REAL = Path(__file__).resolve().parent.parent / "knowledge"


# -- the boxes -----------------------------------------------------------------------------------
def test_entry_boxes_are_read_one_per_line_with_twist_episodes() -> None:
    draft, errors = forms.parse_entry({
        "question": "  Who is   Rouge's mother? ",
        "aliases": "rouge mom\n- rouges mother\n\nis eva rouges mother @ 8\nrouge mom",
        "mystery": "Mother",
        "see_also": "gene-father, late-twist\nstudio @8",
        "tags": "Rouge, family\nfamily",
    })
    assert errors == {}
    assert draft == EntryDraft(
        "Who is Rouge's mother?",
        (Alias("rouge mom"), Alias("rouges mother"), Alias("is eva rouges mother", 8)),
        "mother",
        (Link("gene-father"), Link("late-twist"), Link("studio", 8)),
        ("rouge", "family"),
    )


def test_box_errors_are_reported_per_box() -> None:
    draft, errors = forms.parse_entry({"question": " ", "aliases": "eva @ soon\n@ 8", "see_also": "x @ y"})
    assert draft is None
    assert set(errors) == {"question", "aliases", "see_also"}
    assert errors["aliases"] == [
        "'eva @ soon': after @ comes the episode number, like 'eva @ 8'",
        "'@ 8': write the phrasing before the @",
    ]
    reveal, errors = forms.parse_reveal({"text": "Something.", "sources": " \n "})
    assert reveal is None and list(errors) == ["sources"]


def test_boxes_prefilled_from_an_entry_read_back_to_the_same_entry(folder: Path) -> None:
    kb = load_knowledge(REAL)
    for entry in kb.entries.values():
        draft, errors = forms.parse_entry(forms.entry_values(entry))
        assert errors == {}, entry.id
        assert draft == EntryDraft(entry.question, entry.aliases, entry.mystery, entry.see_also, entry.tags), entry.id
        for reveal in entry.reveals:
            back, errors = forms.parse_reveal(forms.reveal_values(reveal))
            assert back is not None and (back.text, back.sources) == (reveal.text, reveal.sources)


# -- one entry rewritten, every other byte kept --------------------------------------------------
@pytest.fixture
def real(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(REAL, target)
    return target


def test_an_unchanged_form_changes_nothing_in_any_real_file(real: Path) -> None:
    kb = load_knowledge(real)
    for entry in list(kb.entries.values())[::3]:  # a third of them: each takes a layout search
        assert entry.path is not None
        draft, _ = forms.parse_entry(forms.entry_values(entry))
        text = entry.path.read_text()
        new, before, after = Change(ENTRY_EDIT, entry.id, entry.path.name, entry=draft).apply(text)
        assert new == text and before == after, entry.id


@pytest.mark.parametrize("kind", [REVEAL_ADD, REVEAL_EDIT, REVEAL_REMOVE, ENTRY_EDIT])
def test_a_change_touches_only_its_entrys_lines_in_real_files(real: Path, kind: str) -> None:
    kb = load_knowledge(real)
    for entry in list(kb.entries.values())[::15]:
        assert entry.path is not None
        text = entry.path.read_text()
        last = entry.reveals[-1].episode
        if kind == REVEAL_ADD:
            if last >= 13:
                continue
            change = Change(kind, entry.id, entry.path.name, last + 1, reveal=RevealDraft("Something new happens.", ("a source",), False))
        elif kind == REVEAL_EDIT:
            change = Change(kind, entry.id, entry.path.name, last, reveal=RevealDraft("A corrected sentence. " * 6, ("one", "two")))
        elif kind == REVEAL_REMOVE:
            if len(entry.reveals) < 2:
                continue
            change = Change(kind, entry.id, entry.path.name, last)
        else:
            change = Change(kind, entry.id, entry.path.name, entry=EntryDraft(
                entry.question, entry.aliases + (Alias(f"brand new phrasing {entry.id}"),), entry.mystery, entry.see_also, entry.tags))
        prepared = prepare(real, change)
        block = yamltext.find_block(text, entry.id)
        assert block is not None
        lines = text.splitlines(keepends=True)
        new_lines = prepared.after_text.splitlines(keepends=True)
        tail = len(lines) - block.end
        assert new_lines[: block.start] == lines[: block.start], entry.id
        assert new_lines[len(new_lines) - tail :] == lines[block.end :], entry.id
        assert prepared.before_block == "".join(lines[block.start : block.end])
        changed = prepared.kb.entry(entry.id)
        assert changed is not None
        others = {k: replace(v, line=0) for k, v in prepared.kb.entries.items() if k != entry.id}
        assert others == {k: replace(v, line=0) for k, v in kb.entries.items() if k != entry.id}


def test_comments_quotes_and_folded_text_inside_the_entry_stay(folder: Path) -> None:
    path = folder / "entries.yaml"
    text = path.read_text().replace(
        "  - id: rouge\n    question: Who is Rouge Redstar?\n",
        "  - id: rouge   # the heroine\n    question: 'Who is Rouge Redstar?'\n    # her names\n",
    )
    path.write_text(text)
    change = Change(REVEAL_ADD, "rouge", "entries.yaml", 4, reveal=RevealDraft("She meets Naomi.", ("review of episode 4",), False))
    after = prepare(folder, change).after_block
    assert after.startswith("  - id: rouge   # the heroine\n    question: 'Who is Rouge Redstar?'\n    # her names\n")
    assert after.endswith(
        "      - episode: 4\n        text: She meets Naomi.\n        sources:\n          - review of episode 4\n"
    )


def test_windows_line_endings_are_kept(folder: Path) -> None:
    path = folder / "entries.yaml"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    change = Change(REVEAL_EDIT, "late-twist", "entries.yaml", 9, reveal=RevealDraft("Corrected.", ("review of episode 9",)))
    prepared = prepare(folder, change)
    assert "\r\n" in prepared.after_text and "\n" not in prepared.after_text.replace("\r\n", "")
    assert prepared.after_text == prepared.before_text.replace("The Alter is a made-up fixture twist.", "Corrected.")


# -- validation: the whole folder, problems next to their box ------------------------------------
def test_problems_are_put_next_to_the_box_they_concern(folder: Path) -> None:
    change = Change(ENTRY_EDIT, "rouge", "entries.yaml", entry=EntryDraft(
        "Who is Gene's father?", (Alias("gene dad"), Alias("red @ girl", 99)), "mother", (Link("nobody"),), ()))
    with pytest.raises(ChangeRefused) as refused:
        prepare(folder, change)
    errors = refused.value.errors
    assert any("already claimed by 'gene-father'" in m for m in errors["aliases"])
    assert any("episode 99 is not an episode" in m for m in errors["aliases"])
    assert errors["see_also"] == ["see_also points to 'nobody', which is not an entry id"]
    assert any("mystery 'mother' is already the key of 'rouge-mother'" in m for m in errors["mystery"])
    assert any("the question of 'rouge' is the same as 'gene-father'" in m for m in errors["question"])


def test_the_loader_decides_exactly_as_check_does(folder: Path) -> None:
    """What prepare refuses, `python -m bot check` refuses for the same file, and the reverse."""
    change = Change(REVEAL_EDIT, "rouge", "entries.yaml", 1, reveal=RevealDraft("x" * 1501, ("s",)))
    with pytest.raises(ChangeRefused) as refused:
        prepare(folder, change)
    assert refused.value.errors == {"text": ["the text of a reveal of entry 'rouge' is 1501 characters long; the most allowed is 1500"]}
    new_text, _, _ = change.apply((folder / "entries.yaml").read_text())
    (folder / "entries.yaml").write_text(new_text)
    from bot.knowledge.loader import KnowledgeError

    with pytest.raises(KnowledgeError) as error:
        load_knowledge(folder)
    assert [p.message for p in error.value.problems] == refused.value.errors["text"]


def test_new_entry_id_taken_and_unknown_entry_are_refused(folder: Path) -> None:
    draft = EntryDraft("Who is someone new?")
    reveal = RevealDraft("Someone new.", ("a source",), False)
    with pytest.raises(ChangeRefused, match="there is already an entry 'rouge'"):
        prepare(folder, Change(ENTRY_NEW, "rouge", "entries.yaml", 3, entry=draft, reveal=reveal))
    with pytest.raises(ChangeRefused, match="there is no entry 'nobody'"):
        prepare(folder, Change(REVEAL_EDIT, "nobody", "entries.yaml", 3, reveal=reveal))
    with pytest.raises(ChangeRefused, match="not a knowledge file here"):
        prepare(folder, Change(ENTRY_NEW, "x", "../entries.yaml", 3, entry=draft, reveal=reveal))
    with pytest.raises(ChangeRefused, match="only reveal"):
        prepare(folder, Change(REVEAL_REMOVE, "rouge", "entries.yaml", 1))


def test_preview_is_what_a_fan_is_answered(folder: Path) -> None:
    change = Change(REVEAL_ADD, "rouge", "entries.yaml", 6, reveal=RevealDraft("She doubts her orders.", ("review 6",), False))
    kb = prepare(folder, change).kb
    assert preview(kb, "rouge", episode=5, spoiler_free=0) == (
        "**Who is Rouge Redstar?**\n||Rouge Redstar is a Nean girl who hunts the Immortal Nine.|| (ep 1)\n"
        "-# That is what is known as of episode 5; later episodes may reveal more."
    )
    assert preview(kb, "rouge", episode=None, spoiler_free=6).endswith("She doubts her orders. (ep 6)")


# -- saving: neither a hand edit nor the Discord edit is lost ------------------------------------
def test_a_hand_edit_at_the_same_moment_is_kept(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A hand edit of another entry lands right before the swap: the save is redone on top of it."""
    path = folder / "entries.yaml"
    import bot.knowledge.writes as writes

    real_edit = writes.edit_knowledge_file
    slipped = []

    def hand_edit(target: Path) -> None:
        if not slipped:
            slipped.append(True)
            target.write_text(target.read_text().replace("Studio Bones made it", "Studio BONES made it"))

    monkeypatch.setattr(writes, "edit_knowledge_file", lambda p, edit: real_edit(p, edit, before_replace=hand_edit))
    change = Change(REVEAL_EDIT, "late-twist", "entries.yaml", 9, reveal=RevealDraft("Discord's correction.", ("review of episode 9",)))
    save(folder, change)
    text = path.read_text()
    assert "Studio BONES made it" in text and "Discord's correction." in text
    load_knowledge(folder)


def test_two_saves_at_once_both_land(folder: Path) -> None:
    changes = [
        Change(REVEAL_EDIT, "late-twist", "entries.yaml", 9, reveal=RevealDraft("First correction.", ("review of episode 9",))),
        Change(REVEAL_EDIT, "studio", "entries.yaml", 0, reveal=RevealDraft("Second correction.", ("production notes",))),
    ]
    threads = [threading.Thread(target=save, args=(folder, change)) for change in changes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    text = (folder / "entries.yaml").read_text()
    assert "First correction." in text and "Second correction." in text


def test_undo_puts_the_entry_back_byte_for_byte_and_refuses_after_another_change(folder: Path) -> None:
    path = folder / "entries.yaml"
    original = path.read_bytes()
    edited = save(folder, Change(REVEAL_EDIT, "rouge", "entries.yaml", 1, reveal=RevealDraft("Edited.", ("s1", "s2"))))
    undo = Change(UNDO, "rouge", "entries.yaml", restore=edited.before_block, expected=edited.after_block)
    path.write_text(path.read_text().replace("Studio Bones", "Studio BONES"))  # a hand edit elsewhere
    save(folder, undo)
    assert path.read_bytes() == original.replace(b"Studio Bones", b"Studio BONES")
    # the entry changed since (by hand): undoing the edit again would lose that change
    edited = save(folder, Change(REVEAL_EDIT, "rouge", "entries.yaml", 1, reveal=RevealDraft("Edited.", ("s1",))))
    path.write_text(path.read_text().replace("Edited.", "Edited by hand."))
    before = path.read_bytes()
    with pytest.raises(ChangeRefused, match="has changed since that edit"):
        save(folder, Change(UNDO, "rouge", "entries.yaml", restore=edited.before_block, expected=edited.after_block))
    assert path.read_bytes() == before


def test_writes_go_through_the_locked_compare_and_swap_write() -> None:
    from bot.knowledge.editing import change

    assert "edit_knowledge_file" in change.save.__code__.co_names
    assert edit_knowledge_file.__module__ == "bot.knowledge.writes"
