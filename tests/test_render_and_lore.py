"""What a fan reads: episodes visible, spoilers barred, later reveals withheld, nothing injectable.

On tests/data/mini (see tests/test_matcher.py for its entries). The general property (a reply at
h is the same on the knowledge cut at h) is tests/test_noninterference.py's.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answering.lore import Lore
from bot.answering.matcher import Verdict
from bot.answering.render import escape, fit, quote_user, render_answer
from bot.knowledge.horizon import cut

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
        "-# That is what is known as of episode 5; later episodes may reveal more.\n"
        "-# See also: Who is Gene's father?"
    )


def test_whole_series_answer_shows_every_reveal_in_bars_oldest_first(lore: Lore) -> None:
    answer = lore.ask("who is rouge's mom")
    assert answer.status is Verdict.ANSWERED and answer.entry is not None
    assert answer.entry.id == "rouge-mother"
    assert answer.episode == 8
    lines = answer.text.splitlines()
    # with no horizon, nothing first visible after the server's spoiler-free episode (0) is
    # named outside bars: not the title, not a link
    assert lines[0] == "**||Who is Rouge's mother?||**"
    assert lines[1] == "||Rouge and Gene share a mother; her identity is unrevealed.|| (ep 5)"
    assert lines[2] == "||Her mother is the scientist Eva Cristella.|| (ep 8)"
    assert "later episodes" not in answer.text
    assert lines[3] == "-# See also: ||Who is Gene's father?|| · ||What is the Alter?|| · ||Which studio made Metallic Rouge?||"


def test_server_horizon_unbars_reveals_titles_and_links_up_to_it(lore: Lore) -> None:
    text = lore.ask("rouge mom", spoiler_free=5).text
    assert text.startswith("**Who is Rouge's mother?**\n")
    assert "\nRouge and Gene share a mother; her identity is unrevealed. (ep 5)\n" in text
    assert "||Her mother is the scientist Eva Cristella.|| (ep 8)" in text
    # gene-father is visible from 3; the Alter from 9; the studio link is a twist hint from 8
    assert text.endswith("-# See also: Who is Gene's father? · ||What is the Alter?|| · ||Which studio made Metallic Rouge?||")
    assert lore.ask("rouge mom", spoiler_free=9).text.endswith(
        "-# See also: Who is Gene's father? · What is the Alter? · Which studio made Metallic Rouge?"
    )


def test_with_no_horizon_did_you_mean_bars_later_questions_and_numbers_the_buttons(lore: Lore) -> None:
    answer = lore.ask("roug", spoiler_free=1)
    assert answer.status is Verdict.SUGGEST
    assert answer.text.splitlines()[1:] == ["1. Who is Rouge Redstar?", "2. ||Who is Rouge's mother?||"]
    assert [s.button_label for s in answer.suggestions] == ["1", "2"]  # a button cannot hold bars
    visible = lore.ask("roug", spoiler_free=5)
    assert visible.text.splitlines()[1:] == ["1. Who is Rouge Redstar?", "2. Who is Rouge's mother?"]
    assert [s.button_label for s in visible.suggestions] == ["Who is Rouge Redstar?", "Who is Rouge's mother?"]


def test_unconfirmed_and_off_screen_reveals_say_so(lore: Lore) -> None:
    father = lore.ask("who is gene's father").text
    assert "||Gene's father is Eden Varock.|| (ep 7, unconfirmed)" in father
    studio = lore.ask("which studio made it").text
    assert "Studio Bones made it for its 25th anniversary. (production info)" in studio
    assert "||" not in studio  # production facts are never spoilers, nor is their title


def test_asker_progress_never_shows_a_later_reveal(lore: Lore) -> None:
    for upto in range(0, 8):
        text = lore.ask("who is rouge's mother", upto=upto).text
        assert "Eva" not in text
    # at 4, rouge-mother (first revealed at 5) does not exist yet: not even its question is named
    early = lore.ask("who is rouge's mother", upto=4)
    assert early.status is not Verdict.ANSWERED
    assert "Who is Rouge's mother?" not in early.text
    assert all(s.entry_id != "rouge-mother" for s in early.suggestions)


def test_every_answer_at_a_horizon_ends_with_the_same_note(lore: Lore) -> None:
    # Whether later reveals exist must not show: rouge-mother has one at 8, studio has none.
    note = "-# That is what is known as of episode 5; later episodes may reveal more."
    assert note in lore.ask("rouge mom", upto=5).text.splitlines()
    assert lore.ask("which studio made it", upto=5).text.splitlines()[-1] == note
    assert lore.ask("which studio made it", upto=0).text.splitlines()[-1] == (
        "-# That is what is known before episode 1; later episodes may reveal more."
    )
    assert "later episodes" not in lore.ask("which studio made it").text


def test_a_guess_at_a_twist_gets_the_reply_a_made_up_guess_gets(lore: Lore) -> None:
    # gene-father is visible at 5; that Eden Varock is the father is an ep 7 twist alias.
    twist = lore.ask("is eden varock gene's father?", upto=5)
    made_up = lore.ask("is zorblax quint gene's father?", upto=5)
    assert twist.status is made_up.status
    assert twist.text == made_up.text.replace("zorblax quint", "eden varock")
    assert "Eden Varock." not in twist.text  # the reveal itself is not shown
    assert twist.text == Lore(cut(lore.kb, 5)).ask("is eden varock gene's father?", upto=5).text
    # once the asker has seen episode 7, the same question is answered
    assert lore.ask("is eden varock gene's father?", upto=7).entry.id == "gene-father"


def test_not_revealed_yet_and_unknown_are_one_reply(lore: Lore) -> None:
    later = lore.ask("what is the alter", upto=3)  # late-twist, first revealed at 9
    unknown = lore.ask("what is the zorblax", upto=3)  # nothing, ever
    assert later.status is unknown.status is Verdict.UNKNOWN
    assert later.text == unknown.text.replace("zorblax", "alter")
    assert later.text == (
        "I can't answer “what is the alter” as of episode 3. A later episode may reveal it, or I may not "
        "know it yet; questions I can't answer at all are passed on to the moderators."
    )
    # with no horizon nothing is hidden, so "I don't know" is plain
    assert lore.ask("who is naruto").text.startswith("I don't know the answer to “who is naruto” yet.")


def test_a_chosen_entry_past_the_horizon_gets_the_reply_of_a_missing_one(lore: Lore) -> None:
    hidden = lore.answer_entry("late-twist", upto=5)
    missing = lore.answer_entry("no-such-entry", upto=5)
    assert hidden == missing
    assert hidden.status is Verdict.UNKNOWN and hidden.entry is None
    assert hidden.text.startswith("I can't answer that one as of episode 5")
    # an entry id typed as a question is that entry, if the horizon has it, else just text
    assert lore.ask("late-twist", upto=9).entry.id == "late-twist"
    assert lore.ask("late-twist", upto=5).text == lore.ask("zorblax-twist", upto=5).text.replace("zorblax", "late")


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
    later = lore.episode(8, upto=5)
    assert later.status is Verdict.WITHHELD
    assert later.text == "Episode 8 comes after episode 5, the last you have watched; ask again once you have seen it."
    assert lore.episode(8, upto=0).text == "Episode 8 is one you haven't watched yet; ask again once you have seen it."
    assert lore.episode(5, upto=5).text.startswith("**Episode 5:** ||Carnival Dances With Lost Memories||")
    assert "Eva" not in lore.episode(5, upto=5).text and "Eva" in lore.episode(8, upto=8).text
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
    assert set(data) == {"status", "entry", "also", "episode", "text", "suggestions", "score"}
    assert data["status"] == "answered" and data["entry"] == "rouge-mother" and data["episode"] == 5
