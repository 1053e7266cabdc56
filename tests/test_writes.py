"""Writes to knowledge files: a hand edit or another process's teach is never overwritten.

The moments that used to lose work are opened on purpose, not waited for: a hook runs right
before the compare-and-swap, and the "hand edit" lands there.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from pathlib import Path

import pytest

import bot.knowledge.teach as teach_module
from bot.knowledge.loader import load_knowledge
from bot.knowledge.teach import teach_alias
from bot.knowledge.writes import (
    LOCK_NAME,
    EditConflict,
    edit_knowledge_file,
    knowledge_lock,
    restore_if_unchanged,
)

HAND_EDIT = "# a moderator's note, saved by hand\n"


def test_a_hand_edit_saved_during_an_edit_is_kept_and_the_edit_redone(tmp_path: Path) -> None:
    path = tmp_path / "notes.yaml"
    path.write_text("a: 1\n")
    seen: list[str] = []

    def hand_edit_once(target: Path) -> None:
        if len(seen) == 1:
            target.write_text(HAND_EDIT + target.read_text())

    def add_b(text: str) -> str:
        seen.append(text)
        return text + "b: 2\n"

    result = edit_knowledge_file(path, add_b, before_replace=hand_edit_once)
    assert path.read_text() == HAND_EDIT + "a: 1\nb: 2\n"
    assert seen == ["a: 1\n", HAND_EDIT + "a: 1\n"]  # redone on the hand-edited text
    assert (result.before, result.after) == ((HAND_EDIT + "a: 1\n").encode(), path.read_bytes())
    assert sorted(p.name for p in tmp_path.iterdir()) == [LOCK_NAME, "notes.yaml"]  # no temporary file left


def test_a_file_that_keeps_changing_is_refused_and_the_hand_edits_stay(tmp_path: Path) -> None:
    path = tmp_path / "notes.yaml"
    path.write_text("a: 1\n")
    edits = iter(range(100))

    def always_hand_edit(target: Path) -> None:
        target.write_text(target.read_text() + f"# edit {next(edits)}\n")

    with pytest.raises(EditConflict, match="notes.yaml changed 3 times while the bot was editing it"):
        edit_knowledge_file(path, lambda text: text + "b: 2\n", before_replace=always_hand_edit)
    assert path.read_text() == "a: 1\n# edit 0\n# edit 1\n# edit 2\n"


def test_undo_restores_only_what_the_bot_wrote(tmp_path: Path) -> None:
    path = tmp_path / "notes.yaml"
    path.write_bytes(b"old\n")
    written = edit_knowledge_file(path, lambda text: "new\n")
    path.write_bytes(b"hand edit after the bot's write\n")
    assert restore_if_unchanged(path, written.after, written.before) is False
    assert path.read_bytes() == b"hand edit after the bot's write\n"

    written = edit_knowledge_file(path, lambda text: "newer\n")
    assert restore_if_unchanged(path, written.after, written.before) is True
    assert path.read_bytes() == b"hand edit after the bot's write\n"


def test_the_lock_is_reentrant_in_a_thread_and_exclusive_across_threads(tmp_path: Path) -> None:
    order: list[str] = []
    with knowledge_lock(tmp_path):
        with knowledge_lock(tmp_path):  # the same thread again: no deadlock
            other = threading.Thread(target=lambda: _locked_append(tmp_path, order))
            other.start()
            time.sleep(0.1)
            order.append("first")
    other.join(5)
    assert order == ["first", "second"]


def _locked_append(folder: Path, order: list[str]) -> None:
    with knowledge_lock(folder):
        order.append("second")


def test_a_hand_edit_during_teach_is_kept(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 13, item 3: a hand edit saved while teach runs was lost, and teach said "Taught"."""
    entries = folder / "entries.yaml"
    real_with_alias = teach_module._with_alias
    calls: list[bytes] = []

    def with_alias_then_hand_edit(original: bytes, *args: object) -> bytes:
        calls.append(original)
        updated = real_with_alias(original, *args)
        if len(calls) == 1:  # the moderator saves while teach is between its read and its write
            entries.write_bytes(original.replace(b"# yaml-language-server", HAND_EDIT.encode() + b"# yaml-language-server", 1))
        return updated

    monkeypatch.setattr(teach_module, "_with_alias", with_alias_then_hand_edit)
    result = teach_alias(folder, "rouge-mother", "the lady who built the red android")
    assert result.ok, result.message
    text = entries.read_text()
    assert text.startswith(HAND_EDIT)  # the hand edit survived
    assert "      - the lady who built the red android\n" in text  # and the alias is there
    assert len(calls) == 2
    load_knowledge(folder)


def test_teach_refuses_when_the_file_keeps_changing(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    entries = folder / "entries.yaml"
    real_with_alias = teach_module._with_alias

    def with_alias_under_constant_editing(original: bytes, *args: object) -> bytes:
        entries.write_bytes(entries.read_bytes() + b"# another save\n")
        return real_with_alias(original, *args)

    monkeypatch.setattr(teach_module, "_with_alias", with_alias_under_constant_editing)
    result = teach_alias(folder, "rouge-mother", "the lady who built the red android")
    assert not result.ok
    assert result.message.startswith("Not written: entries.yaml changed 3 times while the bot was editing it")
    assert "the lady who built" not in entries.read_text()
    assert entries.read_text().endswith("# another save\n" * 3)


# -- two processes teaching at the same moment ---------------------------------------------------
def _teach_in_a_process(folder: str, entry_id: str, phrase: str, start: multiprocessing.synchronize.Barrier,
                        results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    real_with_alias = teach_module._with_alias

    def slow_with_alias(*args: object) -> bytes:
        updated = real_with_alias(*args)
        time.sleep(0.2)  # a big file: the dump takes a while, so both processes are mid-edit at once
        return updated

    teach_module._with_alias = slow_with_alias
    start.wait(10)
    result = teach_alias(folder, entry_id, phrase)
    results.put((phrase, result.ok, result.message))


@pytest.mark.timeout(60)
def test_two_processes_teaching_at_once_lose_no_alias(folder: Path) -> None:
    """Issue 13, item 4: two shard processes teaching at once lost one alias, and both said "Taught"."""
    context = multiprocessing.get_context("fork")
    requests = [("rouge-mother", "the lady who built the red android"), ("gene-father", "the man behind jean")]
    start = context.Barrier(len(requests))
    results = context.Queue()
    processes = [
        context.Process(target=_teach_in_a_process, args=(str(folder), entry, phrase, start, results))
        for entry, phrase in requests
    ]
    for process in processes:
        process.start()
    try:
        reports = [results.get(timeout=30) for _ in processes]
    finally:
        for process in processes:
            process.join(10)
            if process.is_alive():
                process.kill()
    assert all(ok for _, ok, _ in reports), reports
    kb = load_knowledge(folder)
    for entry_id, phrase in requests:
        assert phrase in [alias.text for alias in kb.entry(entry_id).aliases], (entry_id, reports)
