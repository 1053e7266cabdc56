"""Teaching an alias: the YAML file keeps its comments and layout, and a failure changes nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import bot.knowledge.teach as teach_module
import bot.knowledge.writes as writes_module
from bot.knowledge.store import KnowledgeStore
from bot.knowledge.loader import display_path, load_knowledge
from bot.answering.matcher import Verdict
from bot.knowledge.teach import teach_alias
from bot.knowledge.writes import LOCK_NAME

MINI = Path(__file__).parent / "data" / "mini"
PHRASE = "the lady who built the red android"


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of the folder but the write lock (teach creates it, empty, and leaves it)."""
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.name != LOCK_NAME}


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), start=1) if needle in line)


def test_teach_end_to_end(folder: Path) -> None:
    store = KnowledgeStore.open(folder)
    before = store.lore.ask(PHRASE)
    assert before.entry is None or before.entry.id != "rouge-mother"
    entries = folder / "entries.yaml"
    original = entries.read_text()

    result = teach_alias(folder, "rouge-mother", f"  {PHRASE}?  ")

    assert result.ok, result.message
    assert result.message == (
        f"Added the alias '{PHRASE}?' to 'rouge-mother' in {display_path(entries)}."
    )
    # Exactly one line more, at the end of the entry's aliases; comments and the rest untouched.
    assert entries.read_text() == original.replace(
        "        episode: 8\n    tags: [rouge]\n",
        f"        episode: 8\n      - {PHRASE}?\n    tags: [rouge]\n",
    )
    assert entries.read_text().startswith("# yaml-language-server: $schema=")
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == [LOCK_NAME]  # no temporary file left

    assert store.reload().ok
    answer = store.lore.ask(f"who is {PHRASE}")
    assert answer.status is Verdict.ANSWERED
    assert answer.entry is not None and answer.entry.id == "rouge-mother"
    assert answer.text.startswith("**||Who is Rouge's mother?||**")


def test_a_twist_alias_is_gated_by_its_episode(folder: Path) -> None:
    result = teach_alias(folder, "rouge-mother", "is doctor eva the mother of rouge", episode=8)
    assert result.ok, result.message
    assert "      - text: is doctor eva the mother of rouge\n        episode: 8\n" in (folder / "entries.yaml").read_text()
    lore = KnowledgeStore.open(folder).lore
    assert lore.ask("is doctor eva the mother of rouge", upto=8).entry.id == "rouge-mother"
    # Before episode 8 the alias does not exist for the asker: the reply is a made-up guess's.
    early = lore.ask("is doctor eva the mother of rouge", upto=5)
    made_up = lore.ask("is doctor zara the mother of rouge", upto=5)
    assert (early.status, early.text) == (made_up.status, made_up.text.replace("zara", "eva"))
    assert "Eva" not in early.text


def test_an_alias_of_another_entry_is_refused(folder: Path) -> None:
    before = snapshot(folder)
    # "jean's dad" reads as "gene father" through the series' synonyms: gene-father owns it.
    result = teach_alias(folder, "rouge-mother", "Jean's dad")
    assert not result.ok
    entries = folder / "entries.yaml"
    assert result.message == (
        f"'Jean's dad' already leads to 'gene-father' ({display_path(entries)}:{line_of(entries, '- id: gene-father')}); "
        "an alias can point "
        "to one entry only. Edit that entry by hand if the phrasing belongs to 'rouge-mother' instead."
    )
    assert snapshot(folder) == before


@pytest.mark.parametrize(
    ("entry", "phrase", "episode", "message"),
    [
        ("rouge-mother", "rouge mom", None, "'rouge mom' already finds 'rouge-mother'; nothing to teach."),
        ("no-such-entry", "anything", None, "There is no entry with the id 'no-such-entry'."),
        ("rouge", "who is it", None, "'who is it' has no words the bot can match on (only filler words such as 'who is')."),
        ("rouge", "   ", None, "The phrasing is empty."),
        ("rouge", "x" * 201, None, "The phrasing is 201 characters long; an alias holds at most 200."),
        ("rouge", "red girl", 14, "Episode 14 is not an episode of Metallic Rouge: use 1 to 13."),
    ],
)
def test_bad_requests_are_refused_and_change_nothing(
    folder: Path, entry: str, phrase: str, episode: int | None, message: str
) -> None:
    before = snapshot(folder)
    result = teach_alias(folder, entry, phrase, episode=episode)
    assert (result.ok, result.message) == (False, message)
    assert snapshot(folder) == before


def test_a_phrasing_an_alias_cannot_help_says_what_the_entry_lacks(folder: Path) -> None:
    # It reads like Rouge's own question once filler words go, yet the bot does not answer it:
    # it asks about other roles, and nothing Rouge's entry says tells any.
    phrase = "what else has rouge been in"
    assert KnowledgeStore.open(folder).lore.ask(phrase).status is Verdict.SUGGEST
    before = snapshot(folder)
    result = teach_alias(folder, "rouge", phrase)
    assert (result.ok, result.message) == (
        False,
        "'what else has rouge been in' reads like a phrasing 'rouge' already has, so an alias changes nothing. "
        "It asks for other roles or works, and nothing 'rouge' says tells that, so the bot answers it with "
        '"did you mean": add what is asked to one of its reveals instead.',
    )
    assert snapshot(folder) == before


def test_a_change_that_does_not_validate_is_undone_byte_for_byte(folder: Path, monkeypatch) -> None:
    entries = folder / "entries.yaml"
    os.chmod(entries, 0o640)
    before = snapshot(folder)

    def broken_edit(original: bytes, entry_id: str, alias: str, episode: int | None) -> bytes:
        # A writer bug: the alias lands as a mapping the format does not allow.
        return original.replace(b"      - rouge mom\n", b"      - rouge mom\n      - {words: oops}\n")

    monkeypatch.setattr(teach_module, "_with_alias", broken_edit)
    result = teach_alias(folder, "rouge-mother", PHRASE)
    assert not result.ok
    assert result.message == (
        f"The change was undone: with the new alias the knowledge is not valid. {display_path(entries)} is unchanged."
    )
    assert [str(p) for p in result.problems] == [
        f"{display_path(entries)}:7: an alias of entry 'rouge-mother' is missing 'text'",
        f"{display_path(entries)}:7: unknown key 'words' in an alias of entry 'rouge-mother'; allowed keys: text, episode",
    ]
    assert snapshot(folder) == before
    assert os.stat(entries).st_mode & 0o777 == 0o640
    load_knowledge(folder)  # still valid


def test_a_failed_write_changes_nothing(folder: Path, monkeypatch) -> None:
    before = snapshot(folder)

    def refuse(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(writes_module.os, "replace", refuse)
    result = teach_alias(folder, "rouge-mother", PHRASE)
    assert not result.ok
    assert result.message == f"Could not write {display_path(folder / 'entries.yaml')}: Permission denied"
    assert snapshot(folder) == before  # the temporary file is gone too


def test_an_invalid_folder_is_refused_with_its_problems(folder: Path) -> None:
    entries = folder / "entries.yaml"
    entries.write_text(entries.read_text().replace("see_also: [gene-father, late-twist, {id: studio, episode: 8}]", "see_also: [nobody]"))
    before = snapshot(folder)
    result = teach_alias(folder, "rouge-mother", PHRASE)
    assert not result.ok
    assert result.message.startswith("The knowledge folder has problems already")
    assert [str(p) for p in result.problems] == [
        f"{display_path(entries)}:12: see_also points to 'nobody', which is not an entry id"
    ]
    assert snapshot(folder) == before


SERIES = """\
series:
  title: Metallic Rouge
  episodes:
    - {number: 1, title: One}
    - {number: 2, title: Two}
"""

LAYOUTS = {
    # two-space sequences, a flow list, an empty alias list, no aliases, comments everywhere
    "compact": (
        """\
# Entries kept by the moderators.
entries:
- id: alpha
  question: What is alpha?   # the label
  aliases: [first one, 'the "a" entry']    # flow style stays flow style
  reveals:
  - episode: 1
    text: Alpha.
    sources: [notes]
- id: beta
  question: What is beta?
  aliases:
  reveals:
  - {episode: 2, text: Beta., sources: [notes]}

# --- below: entries added later ---
- id: gamma
  question: What is gamma?  # no aliases yet
  # reveals follow
  reveals:
  - episode: 2
    text: "Gamma: quoted."
    sources: [notes]
""",
        {
            "alpha": ("aliases: [first one, 'the \"a\" entry']    #", "aliases: [first one, 'the \"a\" entry', alpha taught] #"),
            "beta": ("  aliases:\n  reveals:\n  - {episode: 2", "  aliases:\n  - beta taught\n  reveals:\n  - {episode: 2"),
            "gamma": (
                "  question: What is gamma?  # no aliases yet\n  # reveals follow\n  reveals:",
                "  question: What is gamma?  # no aliases yet\n  aliases:\n  - gamma taught\n  # reveals follow\n  reveals:",
            ),
        },
    ),
    # four-space indentation with the list items' keys aligned, a comment after the last alias
    "roomy": (
        """\
entries:
    -   id: delta
        question: What is delta?
        aliases:
            -   the d one   # typo-friendly

        # tags and reveals
        tags: [greek]
        reveals:
            -   episode: 1
                text: Delta.
                sources: [notes]
""",
        {
            "delta": (
                "            -   the d one   # typo-friendly\n\n",
                "            -   the d one   # typo-friendly\n            -   delta taught\n\n",
            ),
        },
    ),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_layouts_and_comments_are_kept(tmp_path: Path, layout: str) -> None:
    text, expected = LAYOUTS[layout]
    for entry_id, (old, new) in expected.items():
        folder = tmp_path / f"{layout}-{entry_id}"
        folder.mkdir()
        (folder / "series.yaml").write_text(SERIES)
        (folder / "entries.yaml").write_text(text)
        load_knowledge(folder)
        result = teach_alias(folder, entry_id, f"{entry_id} taught")
        assert result.ok, result.message
        assert old in text
        assert (folder / "entries.yaml").read_text() == text.replace(old, new), entry_id


def test_windows_line_endings_and_a_missing_final_newline_are_kept(folder: Path) -> None:
    entries = folder / "entries.yaml"
    original = entries.read_bytes().rstrip(b"\n").replace(b"\n", b"\r\n")
    entries.write_bytes(original)
    result = teach_alias(folder, "late-twist", "the alter thing")
    assert result.ok, result.message
    assert entries.read_bytes() == original.replace(
        b"    aliases: [alter]\r\n", b"    aliases: [alter, the alter thing]\r\n"
    )


def test_an_entry_in_a_second_file_is_taught_in_that_file(folder: Path) -> None:
    entries = folder / "entries.yaml"
    text = entries.read_text()
    head, _, tail = text.partition("  - id: studio\n")
    entries.write_text(head)
    (folder / "production.yaml").write_text("entries:\n  - id: studio\n" + tail)
    load_knowledge(folder)
    before = entries.read_bytes()
    result = teach_alias(folder, "studio", "which company animated it")
    assert result.ok, result.message
    assert result.path == folder / "production.yaml"
    assert entries.read_bytes() == before
    assert "aliases: [studio, who animated metallic rouge, which company animated it]" in (
        folder / "production.yaml"
    ).read_text()
