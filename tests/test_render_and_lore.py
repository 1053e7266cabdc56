"""What a fan reads: episodes visible, spoilers barred, later reveals withheld, nothing injectable."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answering.lore import Lore
from bot.answering.matcher import Verdict
from bot.answering.render import escape, fit, quote_user, render_answer

MINI = Path(__file__).parent / "data" / "mini"


@pytest.fixture(scope="module")
def lore() -> Lore:
    return Lore.load(MINI)


def test_mystery_mother_at_episode_5_reads_as_the_issue_says(lore: Lore) -> None:
    answer = lore.mystery("mother", upto=5)
    assert answer.status is Verdict.ANSWERED
    assert answer.episode == 5
    assert answer.text == (
        "**Who is Rouge's mother?**\n"
        "||Rouge and Gene share a mother; her identity is unrevealed.|| (ep 5)\n"
        "-# Episodes after 5 reveal more. Ask again when you have watched further.\n"
        "-# See also: Who is Gene's father?"
    )


def test_whole_series_answer_shows_every_reveal_in_bars_oldest_first(lore: Lore) -> None:
    answer = lore.ask("who is rouge's mom")
    assert answer.status is Verdict.ANSWERED and answer.entry is not None
    assert answer.entry.id == "rouge-mother"
    assert answer.episode == 8
    lines = answer.text.splitlines()
    assert lines[1] == "||Rouge and Gene share a mother; her identity is unrevealed.|| (ep 5)"
    assert lines[2] == "||Her mother is the scientist Eva Cristella.|| (ep 8)"
    assert "Episodes after" not in answer.text
    # see_also to an entry first revealed at episode 9 is shown only to askers past it
    assert lines[3] == "-# See also: Who is Gene's father? · What is the Alter? · Which studio made Metallic Rouge?"


def test_server_horizon_unbars_reveals_up_to_it(lore: Lore) -> None:
    text = lore.ask("rouge mom", spoiler_free=5).text
    assert "\nRouge and Gene share a mother; her identity is unrevealed. (ep 5)\n" in text
    assert "||Her mother is the scientist Eva Cristella.|| (ep 8)" in text


def test_unconfirmed_and_off_screen_reveals_say_so(lore: Lore) -> None:
    father = lore.ask("who is gene's father").text
    assert "||Gene's father is Eden Varock.|| (ep 7, unconfirmed)" in father
    studio = lore.ask("which studio made it").text
    assert "Studio Bones made it for its 25th anniversary. (production info)" in studio
    assert "||" not in studio  # production facts are never spoilers


def test_asker_progress_never_shows_a_later_reveal(lore: Lore) -> None:
    for upto in range(0, 8):
        text = lore.ask("who is rouge's mother", upto=upto).text
        assert "Eva" not in text
    assert lore.ask("who is rouge's mother", upto=4).status is Verdict.WITHHELD


def test_twist_question_is_withheld_not_answered_by_a_neighbour(lore: Lore) -> None:
    answer = lore.ask("is eden varock gene's father?", upto=5)
    assert answer.status is Verdict.WITHHELD
    assert answer.entry is None
    assert answer.text.startswith("That is not revealed as of episode 5.")
    assert "Eden" not in answer.text
    # once the asker has seen episode 7, the same question is answered
    assert lore.ask("is eden varock gene's father?", upto=7).entry.id == "gene-father"


def test_withheld_differs_from_unknown(lore: Lore) -> None:
    assert lore.ask("what is the alter", upto=3).status is Verdict.WITHHELD
    unknown = lore.ask("who is naruto", upto=3)
    assert unknown.status is Verdict.UNKNOWN
    assert unknown.text.startswith("I don't know the answer to “who is naruto” yet.")


def test_see_also_is_gated_like_any_label(lore: Lore) -> None:
    text = lore.ask("rouge mom", upto=8).text
    assert "Who is Gene's father?" in text
    assert "Alter" not in text


def test_a_see_also_link_that_hints_at_a_twist_waits_for_its_episode(lore: Lore) -> None:
    assert "studio" not in lore.ask("rouge mom", upto=7).text
    assert lore.ask("rouge mom", upto=8).text.endswith(
        "-# See also: Who is Gene's father? · Which studio made Metallic Rouge?"
    )


def test_progress_past_the_end_means_everything(lore: Lore) -> None:
    assert lore.ask("rouge mom", upto=99).text == lore.ask("rouge mom").text


def test_episode_answer_bars_title_and_withholds_future(lore: Lore) -> None:
    answer = lore.episode(8)
    assert answer.text.startswith("**Episode 8:** ||Nowhere House||")
    assert "- ||Her mother is the scientist Eva Cristella.|| (ep 8)" in answer.text
    assert lore.episode(8, spoiler_free=8).text.startswith("**Episode 8:** Nowhere House")
    assert lore.episode(8, upto=5).status is Verdict.WITHHELD
    assert "Nowhere House" not in lore.episode(8, upto=5).text
    missing = lore.episode(14)
    assert missing.status is Verdict.UNKNOWN
    assert missing.text == "Metallic Rouge has episodes 1 to 13; there is no episode 14."


def test_empty_question_gets_a_hint(lore: Lore) -> None:
    for question in ("", "   ", "?!"):
        answer = lore.ask(question)
        assert answer.status is Verdict.UNKNOWN


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("|| spoiler || escape", "\\|\\| spoiler \\|\\| escape"),
        ("@everyone look", "@\u200beveryone look"),
        ("<@123> and <@&456>", "<\u200b@\u200b123\\> and <\u200b@\u200b&456\\>"),
        ("**bold** _it_ `code` ~~x~~", "\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\~\\~x\\~\\~"),
        ("> quote\nnew line", "\\> quote new line"),
        ("[click](https://evil.example)", "\\[click\\](https://evil.example)"),
        ("back\\slash", "back\\\\slash"),
    ],
)
def test_escape_neutralises_markdown_bars_and_mentions(raw: str, shown: str) -> None:
    assert escape(raw) == shown


def test_answer_text_cannot_break_out_of_spoiler_bars(lore: Lore) -> None:
    entry = lore.kb.entries["rouge-mother"]
    from dataclasses import replace

    sneaky = replace(entry, reveals=(replace(entry.reveals[0], text="safe|| SPOILER @everyone"),))
    text = render_answer(sneaky, series=lore.kb.series, upto=None, spoiler_free=0)
    assert "||safe\\|\\| SPOILER @\u200beveryone|| (ep 5)" in text


def test_user_question_echo_is_escaped_and_shortened(lore: Lore) -> None:
    text = lore.ask("||@everyone|| " + "x" * 6000).text
    assert "@everyone" not in text and "||@" not in text
    assert len(text) < 400
    assert quote_user("a" * 500).endswith("…”")


def test_fit_drops_whole_lines_and_says_so() -> None:
    lines = ["**Q**"] + [f"||{'x' * 300}|| (ep {n})" for n in range(1, 10)]
    text = fit(lines, ["-# tail"])
    assert len(text) <= 2000
    assert text.endswith("-# (shortened to fit one message)\n-# tail")
    assert all(line.endswith(")") or line.startswith(("**", "-#")) for line in text.splitlines())


def test_suggestions_for_a_vague_question(lore: Lore) -> None:
    answer = lore.ask("rouge")
    assert answer.status is Verdict.ANSWERED  # an exact alias is not vague
    vague = lore.ask("roug")
    assert vague.status is Verdict.SUGGEST
    assert vague.text.startswith("I'm not sure what you mean by “roug”. Did you mean:\n1. ")
    assert vague.suggestions[0].entry_id == "rouge"
    assert lore.ask("roug", upto=5).suggestions and all(
        lore.kb.entries[s.entry_id].first_episode <= 5 for s in lore.ask("roug", upto=5).suggestions
    )


def test_answer_json_has_the_documented_fields(lore: Lore) -> None:
    data = lore.ask("rouge mom", upto=5).to_json()
    assert set(data) == {"status", "entry", "episode", "text", "suggestions", "score"}
    assert data["status"] == "answered" and data["entry"] == "rouge-mother" and data["episode"] == 5
