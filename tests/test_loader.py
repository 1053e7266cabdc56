"""The loader refuses broken knowledge with exact ``path:line: reason`` lines, all at once."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from bot.answering.normalize import tokens
from bot.knowledge.loader import MAX_PROBLEMS, KnowledgeError, load_knowledge
from bot.knowledge.model import OFF_SCREEN_EPISODE

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini"
BROKEN = DATA / "broken"


@pytest.fixture
def kb_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the small valid knowledge base in ./kb, with the working directory at tmp_path."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(MINI, tmp_path / "kb")
    return Path("kb")


def problems_with(kb_dir: Path, broken_file: str) -> list[str]:
    shutil.copy(BROKEN / broken_file, kb_dir / broken_file)
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(kb_dir)
    return [str(problem) for problem in caught.value.problems]


def test_valid_folder_loads_everything() -> None:
    kb = load_knowledge(MINI)
    assert kb.series.title == "Metallic Rouge"
    assert kb.series.episode_count == 13
    assert set(kb.entries) == {"rouge-mother", "gene-father", "rouge", "studio", "late-twist"}
    assert kb.mysteries == {"mother": "rouge-mother", "father": "gene-father"}
    mother = kb.entries["rouge-mother"]
    assert mother.first_episode == 5 and mother.last_episode == 8
    assert [alias.episode for alias in mother.aliases] == [None, None, 8]
    assert kb.entries["studio"].first_episode == OFF_SCREEN_EPISODE
    assert kb.entries["gene-father"].reveals[1].unconfirmed is True
    assert mother.line == 3 and mother.path is not None and mother.path.name == "entries.yaml"


@pytest.mark.parametrize(
    ("broken_file", "expected"),
    [
        ("yaml_syntax.yaml", ["kb/yaml_syntax.yaml:3: a quoted text starts here but its closing quote is missing"]),
        ("tab_indent.yaml", ["kb/tab_indent.yaml:3: a tab character is used for indentation; YAML needs spaces"]),
        (
            "wrong_types.yaml",
            [
                "kb/wrong_types.yaml:4: the aliases of entry 'wrong-types' must be a list (lines starting with '- '), not text",
                "kb/wrong_types.yaml:6: the reveal episode must be a whole number, not text ('five')",
                "kb/wrong_types.yaml:10: the text of a reveal of entry 'wrong-types' must be text, not a list",
                "kb/wrong_types.yaml:11: the sources of a reveal of entry 'wrong-types' must be a list (lines starting with '- '), not text",
                "kb/wrong_types.yaml:12: 'unconfirmed' must be true or false, not 'maybe'",
            ],
        ),
        (
            "unknown_key.yaml",
            [
                "kb/unknown_key.yaml:2: an entry is missing 'reveals'",
                "kb/unknown_key.yaml:4: unknown key 'alias' in an entry (did you mean 'aliases'?); "
                "allowed keys: id, question, reveals, aliases, tags, mystery, see_also",
                "kb/unknown_key.yaml:5: unknown key 'answer' in an entry; "
                "allowed keys: id, question, reveals, aliases, tags, mystery, see_also",
            ],
        ),
        (
            "duplicate_id.yaml",
            ["kb/entries.yaml:35: duplicate id 'rouge': already used at kb/duplicate_id.yaml:2"],
        ),
        (
            "duplicate_alias.yaml",
            [
                "kb/duplicate_alias.yaml:6: alias 'Rouge mom' of 'gene' is already claimed by 'rouge-mother' "
                "(kb/entries.yaml:3); an alias can point to one entry only"
            ],
        ),
        (
            "see_also_missing.yaml",
            [
                "kb/see_also_missing.yaml:4: see_also points to 'gene-fathr', which is not an entry id "
                "(did you mean 'gene-father'?)"
            ],
        ),
        (
            "episode_out_of_range.yaml",
            [
                "kb/episode_out_of_range.yaml:5: episode 0 is not an episode of Metallic Rouge: use 1 to 13",
                "kb/episode_out_of_range.yaml:8: episode 14 is not an episode of Metallic Rouge: "
                "use 0 to 13 (0 = not from an episode)",
            ],
        ),
        (
            "reveals_out_of_order.yaml",
            [
                "kb/reveals_out_of_order.yaml:8: reveals of entry 'out-of-order' are out of order: episode 2 "
                "comes after episode 6; list reveals oldest first, one per episode"
            ],
        ),
        ("duplicate_key.yaml", ["kb/duplicate_key.yaml:4: 'question' appears twice in an entry; keep only one"]),
        ("mystery_clash.yaml", ["kb/mystery_clash.yaml:4: mystery 'mother' is already the key of 'rouge-mother'"]),
        (
            "too_long.yaml",
            [
                "kb/too_long.yaml:6: the text of a reveal of entry 'too-long-text' is 1559 characters long; "
                "the most allowed is 1500",
                "kb/too_long.yaml:8: the answer of 'too-long-answer' is 2515 characters once rendered; "
                "a Discord message holds 2000: shorten its reveals or split the entry",
            ],
        ),
    ],
)
def test_broken_file_is_refused_with_exact_reasons(kb_dir: Path, broken_file: str, expected: list[str]) -> None:
    assert problems_with(kb_dir, broken_file) == expected


def test_every_problem_in_every_file_is_reported_at_once(kb_dir: Path) -> None:
    for name in ("wrong_types.yaml", "see_also_missing.yaml", "tab_indent.yaml"):
        shutil.copy(BROKEN / name, kb_dir / name)
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(kb_dir)
    files = {problem.path for problem in caught.value.problems}
    assert files == {"kb/wrong_types.yaml", "kb/see_also_missing.yaml", "kb/tab_indent.yaml"}
    assert len(caught.value.problems) == 7


def test_empty_file_and_missing_series(kb_dir: Path) -> None:
    (kb_dir / "series.yaml").unlink()
    (kb_dir / "empty.yaml").write_text("# nothing yet\n")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(kb_dir)
    assert [str(p) for p in caught.value.problems] == [
        "kb: no series file: one file must start with 'series:'",
        "kb/empty.yaml:1: the file is empty; it needs 'series:' or 'entries:' at the top",
    ]


def test_a_synonym_the_bot_would_never_use_is_refused(kb_dir: Path) -> None:
    """The bot's own reading comes before the knowledge's synonyms: a word it already rewrites or
    drops would never be looked up, and a word mapped to filler would vanish from every question."""
    series = kb_dir / "series.yaml"
    series.write_text(
        series.read_text().replace(
            "    dad: father\n", "    dad: father\n    died: death\n    bro: brother\n    nickname: name\n"
        )
    )
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(kb_dir)
    assert [str(p) for p in caught.value.problems] == [
        "kb/series.yaml:24: synonym 'died' is never used: the bot already reads 'died' as 'die'; map 'die' instead",
        "kb/series.yaml:25: synonym 'bro' is never used: the bot ignores 'bro' as a filler word",
        "kb/series.yaml:26: synonym 'nickname: name' maps to a word the bot ignores as filler; "
        "map it to a word that names something",
    ]


def test_a_synonym_is_read_like_the_word_it_names() -> None:
    """"crafted: made" in the knowledge meets "made" and "make" as a fan types them."""
    assert tokens("who crafted them", {"crafted": "made"}) == tokens("who made them") == ["make"]
    # A synonym of filler, refused in the knowledge, leaves no empty word behind where it is given anyway.
    assert tokens("gene nickname", {"nickname": "name"}) == ["gene"]


def test_second_series_file_is_refused(kb_dir: Path) -> None:
    shutil.copy(kb_dir / "series.yaml", kb_dir / "series2.yaml")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(kb_dir)
    assert [str(p) for p in caught.value.problems] == [
        "kb/series2.yaml:4: a second series; the series is already described in kb/series.yaml"
    ]


def test_file_that_is_not_utf8(kb_dir: Path) -> None:
    (kb_dir / "latin1.yaml").write_bytes(b"entries:\n  - id: caf\xe9\n")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(kb_dir)
    assert [str(p) for p in caught.value.problems] == [
        "kb/latin1.yaml:2: the file is not UTF-8 text; save it as UTF-8"
    ]


def test_top_level_that_is_neither_series_nor_entries(kb_dir: Path) -> None:
    (kb_dir / "list.yaml").write_text("- id: a\n- id: b\n")
    (kb_dir / "typo.yaml").write_text("entrys:\n  - id: a\n")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(kb_dir)
    assert [str(p) for p in caught.value.problems] == [
        "kb/list.yaml:1: the file must be a mapping (key: value lines), not a list",
        "kb/typo.yaml:1: the file needs 'series:' or 'entries:' at the top",
        "kb/typo.yaml:1: unknown key 'entrys' in the file (did you mean 'entries'?); allowed keys: series, entries",
    ]


def test_missing_folder() -> None:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge("/nonexistent/knowledge")
    assert str(caught.value) == "/nonexistent/knowledge: no such folder"


def test_two_entries_cannot_ask_the_same_question(kb_dir: Path) -> None:
    (kb_dir / "more.yaml").write_text(
        "entries:\n"
        "  - id: rouge-again\n"
        "    question: Who is Rouge Redstar??\n"
        "    reveals:\n"
        "      - {episode: 1, text: Same question again., sources: [x]}\n"
    )
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(kb_dir)
    assert [str(p) for p in caught.value.problems] == [
        "kb/more.yaml:2: the question of 'rouge-again' is the same as 'rouge' (kb/entries.yaml:35); make it distinct"
    ]


def test_files_outside_the_folder_top_level_are_ignored(kb_dir: Path) -> None:
    (kb_dir / "schema").mkdir()
    (kb_dir / "schema" / "broken.yaml").write_text("entries: [\n")
    (kb_dir / "notes.txt").write_text("not yaml: [")
    (kb_dir / ".draft.yaml").write_text("entries: [\n")
    assert len(load_knowledge(kb_dir).entries) == 5


def test_knowledge_never_raises_anything_but_knowledge_error(kb_dir: Path) -> None:
    """Every shape of nonsense is a reported problem, never a traceback."""
    samples = [
        "entries: 5\n",
        "entries:\n  - 5\n  - [a]\n  - {id: 5, question: 7, reveals: {}}\n",
        "entries:\n  - id: x\n    question: q\n    reveals:\n      - 5\n      - {episode: 1.5, text: t, sources: [x]}\n",
        "entries:\n  - id: Bad Id!\n    question: ''\n    reveals: []\n    tags: {a: b}\n    mystery: Two Words\n",
        "entries:\n  - id: y\n    question: q\n    aliases: [{txt: a}, {text: b, episode: x}, [c]]\n"
        "    reveals: [{episode: 1, text: t, sources: [x], facts: bad}]\n",
        "series: []\n",
        "? [complex, key]\n: value\n",
        "&a [*a]\n",
        "!!python/object:os.system {}\n",
    ]
    for number, text in enumerate(samples):
        folder = kb_dir.parent / f"case{number}"
        shutil.copytree(kb_dir, folder)
        (folder / "zz.yaml").write_text(text)
        with pytest.raises(KnowledgeError) as caught:
            load_knowledge(folder)
        assert caught.value.problems, text
        assert all(p.path.endswith(".yaml") or p.path == str(folder) for p in caught.value.problems)


# -- bounded: size limits and a cap on problems (issue 13, item 8) ---------------------------------
def test_a_file_too_large_is_refused_before_it_is_parsed(kb_dir: Path) -> None:
    big = kb_dir / "big.yaml"
    big.write_bytes(b"entries:\n" + b"  - {id: x}\n" * ((3 * 1024 * 1024) // 12))
    started = time.perf_counter()
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(kb_dir)
    assert time.perf_counter() - started < 1.0  # measured, not parsed (a parse of 3 MB takes seconds)
    assert [str(p) for p in caught.value.problems] == ["kb/big.yaml: too large (3 MB; the limit is 1 MB)"]


def test_a_folder_too_large_is_refused(kb_dir: Path) -> None:
    for number in range(5):
        (kb_dir / f"part{number}.yaml").write_bytes(b"# padding\n" * (900 * 1024 // 10))
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(kb_dir)
    [problem] = [str(p) for p in caught.value.problems]
    assert problem.startswith("kb: too large: the knowledge files hold 4.4 MB together; the limit is 4 MB")


def test_problems_are_capped_and_the_rest_counted(kb_dir: Path) -> None:
    entries = "".join(f"  - {{id: bad-{n}, question: Q{n}?, nonsense: {n}}}\n" for n in range(3000))
    (kb_dir / "flood.yaml").write_text("entries:\n" + entries)
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(kb_dir)
    error = caught.value
    assert len(error.problems) == MAX_PROBLEMS
    assert error.total == error.omitted + MAX_PROBLEMS == 2 * 3000  # two problems an entry, all counted
    assert str(error).splitlines()[-1] == f"... and {error.omitted} more problems (fix these first)"
    assert len(str(error).splitlines()) == MAX_PROBLEMS + 1


def test_an_unreadable_folder_is_one_problem(kb_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Path) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "iterdir", refuse)
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(kb_dir)
    assert [str(p) for p in caught.value.problems] == ["kb: cannot read the folder: Permission denied"]
