"""/ask, /mystery, /episode and the "did you mean" buttons, driven with fake interactions.

The knowledge is tests/data/mini: rouge (ep 1), gene-father (eps 3, 7), rouge-mother (eps 5, 8;
a twist alias at 8), late-twist (ep 9), studio (production, ep 0); 13 episodes.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from pathlib import Path
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.cogs import common
from bot.cogs.lore import LoreCog
from bot.knowledge.store import KnowledgeStore
from bot.answering.lore import Answer, Suggestion
from bot.answering.matcher import Verdict
from bot.answering.render import render_suggestions
from bot.storage import NO_GUILD
from tests.fakes import (
    FakeChannel,
    FakeClock,
    FakeGuild,
    FakeInteraction,
    FakeMember,
    FakeMessage,
    autocomplete,
    copy_knowledge,
    invoke,
    press,
)

#: the whole series on a server whose spoiler-free horizon is 0: every name past it is in bars
MOTHER_ALL = (
    "**||Who is Rouge's mother?||**\n"
    "||Rouge and Gene share a mother; her identity is unrevealed.|| (ep 5)\n"
    "||Her mother is the scientist Eva Cristella.|| (ep 8)\n"
    "-# See also: ||Who is Gene's father?|| · ||What is the Alter?|| · ||Which studio made Metallic Rouge?||"
)
MOTHER_UPTO_5 = (
    "**Who is Rouge's mother?**\n"
    "||Rouge and Gene share a mother; her identity is unrevealed.|| (ep 5)\n"
    "-# That is what is known as of episode 5; later episodes may reveal more.\n"
    "-# See also: Who is Gene's father?"
)


def not_known(question: str, upto: int) -> str:
    """The one reply at a horizon to what the knowledge there does not answer (later or never)."""
    return (
        f"I can't answer “{question}” as of episode {upto}. A later episode may reveal it, or I may not "
        "know it yet; questions I can't answer at all are passed on to the moderators."
    )


PROGRESS_HINT_5 = "\n-# You told me you have watched up to episode 5; change that with /progress."
ROUGE_FATHER_SUGGEST = (
    "I'm not sure what you mean by “rouge father”. Did you mean:\n"
    "1. Who is Rouge Redstar?\n2. Who is Rouge's mother?\n3. Which studio made Metallic Rouge?"
)


@pytest.fixture
def cog(bot: Any) -> LoreCog:
    found = bot.get_cog("Lore")
    assert found is not None and type(found).__name__ == "LoreCog"
    return found  # type: ignore[no-any-return]


@pytest.fixture
def lore_module(bot: Any) -> Any:
    """The module the extension loaded (load_extension imports a fresh copy of it)."""
    return importlib.import_module("bot.cogs.lore")


def asker(bot: Any, guild: FakeGuild | None = None, channel: FakeChannel | None = None, **kwargs: Any) -> FakeInteraction:
    return FakeInteraction(bot, guild=guild, channel=channel, **kwargs)


async def ask(cog: LoreCog, interaction: FakeInteraction, question: str, **options: Any) -> FakeMessage:
    await cog.ask.callback(cog, interaction, question=question, **options)  # type: ignore[arg-type]
    assert len(interaction.sent) == 1, [m.content for m in interaction.sent]
    message = interaction.last
    assert message.mentions_none, "every message must be sent with AllowedMentions.none()"
    return message


# -- answers -------------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_ask_answers_publicly_with_every_reveal_in_spoiler_bars(bot: Any, cog: LoreCog) -> None:
    message = await ask(cog, asker(bot), "who is rouge's mom??")
    assert message.content == MOTHER_ALL
    assert message.ephemeral is False
    assert message.view is None
    assert message.via == "response"


@pytest.mark.asyncio
async def test_server_horizon_lifts_the_bars_up_to_its_episode(bot: Any, cog: LoreCog, guild: FakeGuild) -> None:
    bot.storage.sync.set_spoiler_free(guild.id, 5)
    message = await ask(cog, asker(bot, guild), "rouge mom")
    assert message.content.splitlines()[1:3] == [
        "Rouge and Gene share a mother; her identity is unrevealed. (ep 5)",
        "||Her mother is the scientist Eva Cristella.|| (ep 8)",
    ]


@pytest.mark.asyncio
async def test_upto_option_withholds_later_reveals_and_later_see_also(bot: Any, cog: LoreCog) -> None:
    message = await ask(cog, asker(bot), "rouge mom", upto=5)
    assert message.content == MOTHER_UPTO_5
    assert "Eva" not in message.content and "Alter" not in message.content


@pytest.mark.asyncio
async def test_public_false_answers_only_the_asker(bot: Any, cog: LoreCog) -> None:
    message = await ask(cog, asker(bot), "rouge mom", public=False)
    assert message.content == MOTHER_ALL
    assert message.ephemeral is True


@pytest.mark.asyncio
async def test_an_autocomplete_choice_value_is_the_entry_id(bot: Any, cog: LoreCog) -> None:
    message = await ask(cog, asker(bot), "rouge-mother", upto=5)
    assert message.content == MOTHER_UPTO_5


@pytest.mark.asyncio
async def test_entry_id_past_the_horizon_is_read_as_text_not_answered(bot: Any, cog: LoreCog) -> None:
    bot.storage.sync.set_progress(4242, 5)
    message = await ask(cog, asker(bot, user=FakeMember(4242)), "late-twist")
    assert message.content == not_known("late-twist", 5) + PROGRESS_HINT_5
    assert message.ephemeral is True


@pytest.mark.asyncio
async def test_unknown_question_is_ephemeral_kind_and_recorded(bot: Any, cog: LoreCog, guild: FakeGuild) -> None:
    message = await ask(cog, asker(bot, guild), "Who voices Naruto in the DUB?")
    assert message.content == (
        "I don't know the answer to “Who voices Naruto in the DUB?” yet. "
        "I've noted the question so the moderators can teach it to me."
    )
    assert message.ephemeral is True
    await ask(cog, asker(bot, guild), "who voices naruto in the dub")
    misses = bot.storage.sync.top_misses(guild.id)
    assert [(m.normalized, m.count) for m in misses] == [("voices naruto dub", 2)]
    assert bot.storage.sync.counter(guild.id, "missed") == 2
    assert bot.storage.sync.counter(guild.id, "answered") == 0


@pytest.mark.asyncio
async def test_blank_question_gets_an_example_and_is_not_recorded(bot: Any, cog: LoreCog, guild: FakeGuild) -> None:
    message = await ask(cog, asker(bot, guild), "   ")
    assert message.content == "Ask me something about Metallic Rouge, for example: who is Rouge's mother?"
    assert message.ephemeral is True
    assert bot.storage.sync.top_misses(guild.id) == []


@pytest.mark.asyncio
async def test_injected_markup_is_escaped_and_pings_nobody(bot: Any, cog: LoreCog) -> None:
    message = await ask(cog, asker(bot), "@everyone <@&123> ||naruto|| **bold**")
    assert "@everyone" not in message.content
    assert "<@&" not in message.content
    assert "||naruto||" not in message.content and "\\|\\|naruto\\|\\|" in message.content
    assert message.mentions_none


@pytest.mark.asyncio
async def test_answered_questions_are_counted(bot: Any, cog: LoreCog, guild: FakeGuild) -> None:
    await ask(cog, asker(bot, guild), "rouge mom")
    await ask(cog, asker(bot, guild), "gene", public=False)
    assert bot.storage.sync.counter(guild.id, "answered") == 2


@pytest.mark.asyncio
async def test_direct_messages_work_with_everything_in_bars(bot: Any, cog: LoreCog) -> None:
    interaction = asker(bot, dm=True)
    assert interaction.guild is None
    message = await ask(cog, interaction, "rouge mom")
    assert message.content == MOTHER_ALL
    await ask(cog, asker(bot, dm=True), "naruto")
    assert [m.normalized for m in bot.storage.sync.top_misses(NO_GUILD)] == ["naruto"]


@pytest.mark.asyncio
async def test_answers_follow_a_knowledge_reload(bot: Any, cog: LoreCog, tmp_path: Path) -> None:
    folder = copy_knowledge(tmp_path / "knowledge")
    bot.knowledge = KnowledgeStore.open(folder)
    first = await ask(cog, asker(bot), "studio")
    assert "Studio Bones made it for its 25th anniversary." in first.content
    entries = folder / "entries.yaml"
    entries.write_text(entries.read_text().replace("for its 25th anniversary", "in 2024"))
    assert bot.knowledge.reload().ok
    second = await ask(cog, asker(bot), "studio")
    assert "Studio Bones made it in 2024." in second.content


# -- progress and withholding --------------------------------------------------------------------
@pytest.mark.asyncio
async def test_progress_then_ask_withholds_later_reveals(bot: Any, cog: LoreCog) -> None:
    progress = bot.get_cog("Progress")
    user = FakeMember(501)
    await progress.progress_set.callback(progress, asker(bot, user=user), episode=5)
    message = await ask(cog, asker(bot, user=user), "who is rouge's mother")
    assert message.content == MOTHER_UPTO_5
    # A guess at the ep 8 twist gets the reply a made-up guess gets: nothing confirms it.
    twist = await ask(cog, asker(bot, user=user), "is eva cristella rouges mother", public=False)
    made_up = await ask(cog, asker(bot, user=user), "is zara quill rouges mother", public=False)
    assert twist.content == made_up.content.replace("zara quill", "eva cristella")
    assert twist.button_labels == made_up.button_labels
    assert "Eva Cristella." not in twist.content
    later = await ask(cog, asker(bot, user=user), "what is the alter")
    assert later.content == not_known("what is the alter", 5) + PROGRESS_HINT_5
    assert later.ephemeral is True


@pytest.mark.asyncio
async def test_upto_option_beats_saved_progress(bot: Any, cog: LoreCog) -> None:
    bot.storage.sync.set_progress(502, 2)
    message = await ask(cog, asker(bot, user=FakeMember(502)), "rouge mom", upto=5)
    assert message.content == MOTHER_UPTO_5
    withheld = await ask(cog, asker(bot, user=FakeMember(502)), "alter", upto=5)
    assert withheld.content == not_known("alter", 5)  # no progress hint: the limit came from the option


@pytest.mark.asyncio
async def test_withheld_and_unknown_are_not_recorded_as_answers(bot: Any, cog: LoreCog, guild: FakeGuild) -> None:
    # The asker gets one reply either way; only the server's counters and the moderators' list
    # tell a later answer (a spoiler withheld) from a gap in the knowledge.
    withheld = await ask(cog, asker(bot, guild), "alter", upto=5)
    missing = await ask(cog, asker(bot, guild), "zorblax", upto=5)
    assert withheld.content == missing.content.replace("zorblax", "alter")
    assert bot.storage.sync.counter(guild.id, "answered") == 0
    assert bot.storage.sync.counter(guild.id, "withheld") == 1
    assert bot.storage.sync.counter(guild.id, "missed") == 1
    assert [m.normalized for m in bot.storage.sync.top_misses(guild.id)] == ["zorblax"]


@pytest.mark.asyncio
async def test_a_part_of_a_message_without_an_answer_is_noted_for_the_moderators(
    bot: Any, cog: LoreCog, guild: FakeGuild
) -> None:
    message = await ask(cog, asker(bot, guild), "who is rouge's mom and who is zorblax")
    assert "Nothing I can tell you about “who is zorblax” here" in message.content
    assert message.ephemeral is False
    assert bot.storage.sync.counter(guild.id, "answered") == 1
    assert [m.question for m in bot.storage.sync.top_misses(guild.id)] == ["who is zorblax"]


# -- did you mean --------------------------------------------------------------------------------
# How vague a question must be to get "did you mean" is the matcher's business (and tuned over
# time), so most tests here make the lore service guess a fixed set of entries; the buttons, what
# a press answers and for whom, are the cog's business. One test runs the real matcher.
GUESSES = ["rouge", "rouge-mother", "studio"]


@pytest.fixture
def guessing(bot: Any, monkeypatch: pytest.MonkeyPatch) -> list[int | None]:
    """Every /ask becomes a guess at GUESSES (those within the asker's horizon); returns the
    horizons the cog asked with."""
    lore = bot.knowledge.lore
    horizons: list[int | None] = []

    def guess(question: str, *, upto: int | None = None, spoiler_free: int = 0) -> Answer:
        horizons.append(upto)
        entries = [lore.kb.entries[e] for e in GUESSES if lore.kb.entries[e].visible_to(upto)]
        suggestions = tuple(Suggestion(e.id, e.question, 70.0) for e in entries)
        return Answer(Verdict.SUGGEST, render_suggestions(question, [e.question for e in entries]),
                      suggestions=suggestions, score=70.0)

    monkeypatch.setattr(lore, "ask", guess)
    return horizons


@pytest.mark.asyncio
async def test_a_guess_offers_up_to_three_buttons_labelled_with_questions(bot: Any, cog: LoreCog, guessing: Any) -> None:
    message = await ask(cog, asker(bot), "rouge father")
    assert message.content == ROUGE_FATHER_SUGGEST
    assert message.ephemeral is False
    assert message.button_labels == ["Who is Rouge Redstar?", "Who is Rouge's mother?", "Which studio made Metallic Rouge?"]
    assert [b.custom_id for b in message.buttons] == [  # type: ignore[attr-defined]
        "lore:see:p:a:rouge",
        "lore:see:p:a:rouge-mother",
        "lore:see:p:a:studio",
    ]
    assert all(b.style is discord.ButtonStyle.secondary for b in message.buttons)  # type: ignore[attr-defined]
    assert guessing == [None]


@pytest.mark.asyncio
async def test_buttons_are_gated_by_the_askers_horizon(bot: Any, cog: LoreCog, guessing: Any) -> None:
    bot.storage.sync.set_progress(601, 4)
    message = await ask(cog, asker(bot, user=FakeMember(601)), "rouge father")
    assert guessing == [4]
    assert message.button_labels == ["Who is Rouge Redstar?", "Which studio made Metallic Rouge?"]
    assert "mother" not in message.content


@pytest.mark.asyncio
async def test_real_guesses_never_offer_an_entry_past_the_askers_progress(bot: Any, cog: LoreCog) -> None:
    """With the real matcher: whatever it guesses, a fan at episode 4 never sees an entry first
    revealed at 5 (Rouge's mother) or 9 (the Alter), in the buttons or in the text."""
    questions = ["rouge father", "gene mom", "mom dad", "rouge gene", "mother father", "who is the mother or father"]
    offered = 0
    for n, question in enumerate(questions):
        bot.storage.sync.set_progress(610 + n, 4)
        message = await ask(cog, asker(bot, user=FakeMember(610 + n)), question)
        assert "Who is Rouge's mother?" not in message.content and "Alter" not in message.content, question
        assert not {"Who is Rouge's mother?", "What is the Alter?"} & set(message.button_labels), question
        assert len(message.button_labels) <= 3
        if message.view is not None:  # the buttons repeat the numbered list of the text
            offered += 1
            listed = [line.split(". ", 1)[1] for line in message.content.splitlines()[1:]]
            assert message.button_labels == listed, question
    assert offered, "none of the vague questions produced 'did you mean' buttons: pick vaguer ones"


@pytest.mark.asyncio
async def test_with_no_horizon_buttons_for_later_questions_are_numbered_and_still_work(
    bot: Any, cog: LoreCog, guild: FakeGuild
) -> None:
    """With the real matcher: a button cannot hold spoiler bars, so when a question is first
    visible after the server's spoiler-free episode the buttons are numbered and the text lists
    the questions, the later ones in bars."""
    bot.storage.sync.set_spoiler_free(guild.id, 1)
    message = await ask(cog, asker(bot, guild), "roug")
    assert message.content.splitlines()[1:] == ["1. Who is Rouge Redstar?", "2. ||Who is Rouge's mother?||"]
    assert message.button_labels == ["1", "2"]
    assert [b.custom_id for b in message.buttons] == ["lore:see:p:a:rouge", "lore:see:p:a:rouge-mother"]  # type: ignore[attr-defined]
    presser = asker(bot, guild)
    await press(presser, message, label="2")
    assert presser.last.content.startswith("**||Who is Rouge's mother?||**\n")
    bot.storage.sync.set_spoiler_free(guild.id, 5)
    plain = await ask(cog, asker(bot, guild), "roug", public=False)
    assert plain.button_labels == ["Who is Rouge Redstar?", "Who is Rouge's mother?"]


@pytest.mark.asyncio
async def test_pressing_answers_for_the_presser_with_their_horizon(
    bot: Any, cog: LoreCog, guild: FakeGuild, guessing: Any
) -> None:
    channel = guild.add_channel(name="lore")
    question = await ask(cog, asker(bot, guild, channel), "rouge father")

    bot.storage.sync.set_progress(702, 5)
    fan_at_5 = asker(bot, guild, channel, user=FakeMember(702))
    await press(fan_at_5, question, label="Who is Rouge's mother?")
    assert fan_at_5.last.content == MOTHER_UPTO_5
    assert fan_at_5.last.ephemeral is False
    assert fan_at_5.last.mentions_none

    bot.storage.sync.set_progress(703, 2)
    fan_at_2 = asker(bot, guild, channel, user=FakeMember(703))
    await press(fan_at_2, question, label="Who is Rouge's mother?")
    assert fan_at_2.last.content == (
        "I can't answer that one as of episode 2: a later episode may reveal it, or the knowledge changed "
        "since. Please ask again with /ask.\n-# You told me you have watched up to episode 2; change that with /progress."
    )
    assert fan_at_2.last.ephemeral is True
    assert bot.storage.sync.counter(guild.id, "answered") == 1


@pytest.mark.asyncio
async def test_buttons_keep_the_upto_the_question_was_asked_with(bot: Any, cog: LoreCog, guessing: Any) -> None:
    question = await ask(cog, asker(bot), "rouge father", upto=5)
    assert guessing == [5]
    assert [b.custom_id for b in question.buttons] == [  # type: ignore[attr-defined]
        "lore:see:p:5:rouge",
        "lore:see:p:5:rouge-mother",
        "lore:see:p:5:studio",
    ]
    presser = asker(bot, user=FakeMember(801))  # no saved progress
    await press(presser, question, label="Who is Rouge's mother?")
    assert presser.last.content == MOTHER_UPTO_5


@pytest.mark.asyncio
async def test_private_question_gets_private_buttons_and_private_answers(bot: Any, cog: LoreCog, guessing: Any) -> None:
    interaction = asker(bot)
    question = await ask(cog, interaction, "rouge father", public=False)
    assert question.ephemeral is True
    assert question.buttons[0].custom_id == "lore:see:e:a:rouge"  # type: ignore[attr-defined]
    presser = asker(bot, user=interaction.user)
    await press(presser, question, label="Who is Rouge Redstar?")
    assert presser.last.ephemeral is True
    assert presser.last.content == "**||Who is Rouge Redstar?||**\n||Rouge Redstar is a Nean girl who hunts the Immortal Nine.|| (ep 1)"


@pytest.mark.asyncio
async def test_button_for_an_entry_that_no_longer_exists(bot: Any, lore_module: Any) -> None:
    view = lore_module.SuggestionView([Suggestion("gone-entry", "Who was removed?", 70.0)], public=True, upto=None)
    message = FakeMessage(id=1, content="Did you mean", channel=None, via="response", view=view)
    presser = asker(bot)
    await press(presser, message, label="Who was removed?")
    assert presser.last.content == "I no longer know that one (the knowledge changed since). Please ask again with /ask."
    assert presser.last.ephemeral is True


@pytest.mark.asyncio
async def test_long_questions_are_clipped_to_discords_button_label_limit(lore_module: Any) -> None:
    question = "Why " + "very " * 30 + "long?"
    view = lore_module.SuggestionView([Suggestion("long", question, 70.0)], public=True, upto=3)
    (button,) = view.children
    label = button.item.label  # type: ignore[attr-defined]
    assert len(label) <= 80 and label.endswith("…")
    assert label.startswith("Why very very")
    assert view.is_finished(), "discord.py must not track the view (its dynamic items are registered)"


@pytest.mark.asyncio
async def test_buttons_are_registered_to_work_after_a_restart(bot: Any, lore_module: Any) -> None:
    registered = bot._connection._view_store._dynamic_items.values()
    assert lore_module.SuggestionButton in registered
    await bot.unload_extension("bot.cogs.lore")
    assert lore_module.SuggestionButton not in bot._connection._view_store._dynamic_items.values()


# -- the duplicate guard -------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_same_answer_in_same_channel_points_to_the_first(bot: Any, cog: LoreCog, guild: FakeGuild) -> None:
    clock = FakeClock()
    cog.recent.clock = clock
    channel = guild.add_channel(name="lore")
    first = await ask(cog, asker(bot, guild, channel), "who is rouge's mother")
    clock.advance(30)
    second = await ask(cog, asker(bot, guild, channel), "rouge mom")
    assert second.content == (
        f"I answered that in this channel a moment ago, so I'm not posting it again: {first.jump_url}\n"
        "-# Want your own copy? Ask again with public:False."
    )
    assert first.jump_url == f"https://discord.com/channels/{guild.id}/{channel.id}/{first.id}"
    assert second.ephemeral is True

    elsewhere = await ask(cog, asker(bot, guild, guild.add_channel(name="other")), "rouge mom")
    assert elsewhere.content == MOTHER_ALL and not elsewhere.ephemeral
    private = await ask(cog, asker(bot, guild, channel), "rouge mom", public=False)
    assert private.content == MOTHER_ALL and private.ephemeral
    other_horizon = await ask(cog, asker(bot, guild, channel), "rouge mom", upto=5)
    assert other_horizon.content == MOTHER_UPTO_5 and not other_horizon.ephemeral

    clock.advance(31)  # 61 s after the first answer
    again = await ask(cog, asker(bot, guild, channel), "rouge mom")
    assert again.content == MOTHER_ALL and not again.ephemeral


@pytest.mark.asyncio
async def test_fans_asking_at_the_same_moment_get_one_public_answer(bot: Any, cog: LoreCog, guild: FakeGuild) -> None:
    channel = guild.add_channel(name="lore")
    release = asyncio.Event()
    slow = asker(bot, guild, channel)
    original_send = slow.response.send_message

    async def send_slowly(*args: Any, **kwargs: Any) -> Any:
        await release.wait()
        return await original_send(*args, **kwargs)

    slow.response.send_message = send_slowly  # type: ignore[method-assign]
    first = asyncio.create_task(cog.ask.callback(cog, slow, question="rouge mom"))  # type: ignore[arg-type]
    await asyncio.sleep(0)
    quick = await ask(cog, asker(bot, guild, channel), "rouge mom")
    assert quick.content == (
        "I answered that in this channel a moment ago, so I'm not posting it again: just above\n"
        "-# Want your own copy? Ask again with public:False."
    )
    assert quick.ephemeral
    release.set()
    await asyncio.wait_for(first, 2)
    assert slow.last.content == MOTHER_ALL and not slow.last.ephemeral


@pytest.mark.asyncio
async def test_a_failed_post_does_not_block_the_next_asker(bot: Any, cog: LoreCog, guild: FakeGuild) -> None:
    channel = guild.add_channel(name="lore")
    failing = asker(bot, guild, channel)

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("network down")

    failing.response.send_message = broken  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        await cog.ask.callback(cog, failing, question="rouge mom")  # type: ignore[arg-type]
    message = await ask(cog, asker(bot, guild, channel), "rouge mom")
    assert message.content == MOTHER_ALL and not message.ephemeral


@pytest.mark.asyncio
async def test_button_answers_are_guarded_too(bot: Any, cog: LoreCog, guild: FakeGuild, guessing: Any) -> None:
    channel = guild.add_channel(name="lore")
    answer = asker(bot, guild, channel)
    await cog.mystery.callback(cog, answer, topic="mother")  # type: ignore[arg-type]
    answer = answer.last
    question = await ask(cog, asker(bot, guild, channel), "rouge father")
    presser = asker(bot, guild, channel)
    await press(presser, question, label="Who is Rouge's mother?")
    assert presser.last.ephemeral
    assert answer.jump_url in presser.last.content


# -- cooldown ------------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_cooldown_after_five_asks_a_minute_names_when_to_retry(bot: Any, cog: LoreCog) -> None:
    clock = FakeClock()
    cog.cooldown.clock = clock
    user = FakeMember(901)
    for n in range(5):
        await ask(cog, asker(bot, user=user), "gene", public=False)
        clock.advance(2)
    blocked = await ask(cog, asker(bot, user=user), "gene", public=False)
    assert blocked.content == (
        "You're asking faster than I can keep up with. Try again in 50 seconds "
        "(up to 5 questions a minute each)."
    )
    assert blocked.ephemeral is True

    other = await ask(cog, asker(bot, user=FakeMember(902)), "gene", public=False)
    assert other.content.startswith("**||Who is Gene's father?||**")

    clock.advance(50)  # the first ask leaves the window
    allowed = await ask(cog, asker(bot, user=user), "gene", public=False)
    assert allowed.content.startswith("**||Who is Gene's father?||**")


@pytest.mark.asyncio
async def test_cooldown_covers_mystery_episode_and_buttons(bot: Any, cog: LoreCog, guessing: Any) -> None:
    cog.cooldown.clock = FakeClock()
    user = FakeMember(903)
    question = await ask(cog, asker(bot, user=user), "rouge father", public=False)
    await cog.mystery.callback(cog, asker(bot, user=user), topic="mother", public=False)  # type: ignore[arg-type]
    await cog.episode.callback(cog, asker(bot, user=user), number=1, public=False)  # type: ignore[arg-type]
    await cog.mystery.callback(cog, asker(bot, user=user), topic="father", public=False)  # type: ignore[arg-type]
    await cog.episode.callback(cog, asker(bot, user=user), number=2, public=False)  # type: ignore[arg-type]
    presser = asker(bot, user=user)
    await press(presser, question, label="Who is Rouge Redstar?")
    assert presser.last.content.startswith("You're asking faster than I can keep up with. Try again in 60 seconds")
    assert presser.last.ephemeral


# -- autocomplete --------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_autocomplete_suggests_questions_with_entry_ids_as_values(bot: Any) -> None:
    choices = await autocomplete(bot, asker(bot), "ask", "question", "rouge mo", upto=5)
    assert choices[0] == app_commands.Choice(name="Who is Rouge's mother?", value="rouge-mother")


@pytest.mark.asyncio
async def test_autocomplete_without_progress_stops_at_the_servers_horizon(bot: Any, guild: FakeGuild) -> None:
    # A choice cannot hold spoiler bars: with no progress, only what the server's spoiler-free
    # episode shows is offered (0 by default, and in direct messages: production facts only).
    assert {c.value for c in await autocomplete(bot, asker(bot, guild), "ask", "question", "")} == {"studio"}
    assert {c.value for c in await autocomplete(bot, asker(bot, dm=True), "ask", "question", "metallic rouge")} == {"studio"}
    bot.storage.sync.set_spoiler_free(guild.id, 5)
    shown = {c.value for c in await autocomplete(bot, asker(bot, guild), "ask", "question", "")}
    assert shown == {"rouge-mother", "gene-father", "rouge", "studio"}
    bot.storage.sync.set_progress(1000, 13)  # watched everything: nothing is a spoiler for them
    everything = {c.value for c in await autocomplete(bot, asker(bot, guild, user=FakeMember(1000)), "ask", "question", "")}
    assert everything == {"rouge-mother", "gene-father", "rouge", "studio", "late-twist"}


@pytest.mark.asyncio
async def test_autocomplete_never_offers_an_entry_past_the_users_progress(bot: Any) -> None:
    bot.storage.sync.set_progress(1001, 5)
    fan = FakeMember(1001)
    for typed in ["", "a", "alter", "what is the alter", "rouge", "mother"]:
        values = {c.value for c in await autocomplete(bot, asker(bot, user=fan), "ask", "question", typed)}
        assert "late-twist" not in values, typed  # first revealed at 9
    bot.storage.sync.set_progress(1002, 4)
    values = {c.value for c in await autocomplete(bot, asker(bot, user=FakeMember(1002)), "ask", "question", "mother")}
    assert "rouge-mother" not in values  # first revealed at 5
    shown = {c.value for c in await autocomplete(bot, asker(bot, user=FakeMember(1002)), "ask", "question", "")}
    assert shown == {"gene-father", "rouge", "studio"}


@pytest.mark.asyncio
async def test_autocomplete_reads_the_upto_being_typed_first(bot: Any) -> None:
    bot.storage.sync.set_progress(1003, 13)
    values = {
        c.value
        for c in await autocomplete(bot, asker(bot, user=FakeMember(1003)), "ask", "question", "", upto=2)
    }
    assert values == {"rouge", "studio"}


@pytest.mark.asyncio
async def test_autocomplete_makes_at_most_one_database_query(bot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    storage = bot.storage
    for name in ("progress", "guild_settings", "progress_and_spoiler_free", "counter", "top_misses"):
        original = getattr(storage, name)

        def counted(*args: Any, _name: str = name, _original: Any = original) -> Any:
            calls.append(_name)
            return _original(*args)

        monkeypatch.setattr(storage, name, counted)
    await autocomplete(bot, asker(bot), "ask", "question", "rouge")
    assert calls == ["progress_and_spoiler_free"]
    calls.clear()
    await autocomplete(bot, asker(bot), "mystery", "topic", "mo")
    assert calls == ["progress_and_spoiler_free"]
    calls.clear()
    await autocomplete(bot, asker(bot), "ask", "question", "rouge", upto=3)
    assert calls == []


@pytest.mark.asyncio
async def test_autocomplete_stays_within_discords_limits(bot: Any, tmp_path: Path) -> None:
    folder = copy_knowledge(tmp_path / "knowledge")
    lines = ["entries:"]
    for n in range(40):
        question = f"What does the crew member number {n} of the Rouge cast do in the very long story arc, in detail?"
        assert len(question) <= 100
        lines += [
            f"  - id: crew-member-{n}",
            f"    question: {question}",
            "    reveals:",
            "      - episode: 1",
            f"        text: Crew member {n} helps.",
            "        sources: [test]",
        ]
    (folder / "crew.yaml").write_text("\n".join(lines) + "\n")
    bot.knowledge = KnowledgeStore.open(folder)
    bot.storage.sync.set_progress(1010, 1)
    for typed in ["", "crew", "rouge cast", "What does the crew member number 3"]:
        choices = await autocomplete(bot, asker(bot, user=FakeMember(1010)), "ask", "question", typed)
        assert 1 <= len(choices) <= 25, typed  # the fake also checks names and values
        assert all(len(c.name) <= 100 and len(c.value) <= 100 for c in choices)


@pytest.mark.asyncio
async def test_autocomplete_failure_still_answers_with_no_choices(
    bot: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("index gone")

    monkeypatch.setattr(bot.knowledge.lore, "suggest", broken)
    with caplog.at_level(logging.ERROR):
        choices = await autocomplete(bot, asker(bot), "ask", "question", "rouge")
    assert choices == []
    assert "autocomplete for /ask failed" in caplog.text and "index gone" in caplog.text


# -- /mystery ------------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_mystery_mother_as_of_episode_5(bot: Any, cog: LoreCog) -> None:
    interaction = asker(bot)
    await cog.mystery.callback(cog, interaction, topic="mother", upto=5)  # type: ignore[arg-type]
    assert interaction.last.content == MOTHER_UPTO_5
    assert interaction.last.ephemeral is False
    assert interaction.last.mentions_none


@pytest.mark.asyncio
async def test_mystery_unknown_lists_the_mysteries_the_user_may_see(bot: Any, cog: LoreCog, guild: FakeGuild) -> None:
    bot.storage.sync.set_progress(1101, 3)
    interaction = asker(bot, guild, user=FakeMember(1101))
    await cog.mystery.callback(cog, interaction, topic="naruto")  # type: ignore[arg-type]
    assert interaction.last.content == (
        not_known("naruto", 3) + "\n-# Mysteries I know: father"
        "\n-# You told me you have watched up to episode 3; change that with /progress."
    )
    assert interaction.last.ephemeral is True
    assert [m.normalized for m in bot.storage.sync.top_misses(guild.id)] == ["naruto"]
    whole = asker(bot, guild)  # no progress: the whole series, and the list the server's horizon (0) shows
    await cog.mystery.callback(cog, whole, topic="naruto")  # type: ignore[arg-type]
    assert whole.last.content == (
        "I don't know the answer to “naruto” yet. I've noted the question so the moderators can teach it to me."
    )
    bot.storage.sync.set_spoiler_free(guild.id, 5)
    server = asker(bot, guild)
    await cog.mystery.callback(cog, server, topic="naruto")  # type: ignore[arg-type]
    assert server.last.content.endswith("\n-# Mysteries I know: father, mother")


@pytest.mark.asyncio
async def test_mystery_past_progress_is_not_known_like_any_other(bot: Any, cog: LoreCog) -> None:
    bot.storage.sync.set_progress(1102, 2)
    interaction = asker(bot, user=FakeMember(1102))
    await cog.mystery.callback(cog, interaction, topic="mother")  # type: ignore[arg-type]
    assert interaction.last.content == (
        "I can't answer “mother” as of episode 2. A later episode may reveal it, or I may not know it yet; "
        "questions I can't answer at all are passed on to the moderators."
        "\n-# You told me you have watched up to episode 2; change that with /progress."
    )
    assert interaction.last.ephemeral is True


@pytest.mark.asyncio
async def test_mystery_autocomplete_is_gated_by_progress(bot: Any, guild: FakeGuild) -> None:
    assert await autocomplete(bot, asker(bot, guild), "mystery", "topic", "") == []  # server horizon 0
    bot.storage.sync.set_spoiler_free(guild.id, 5)
    choices = await autocomplete(bot, asker(bot, guild), "mystery", "topic", "")
    assert choices == [
        app_commands.Choice(name="father: Who is Gene's father?", value="father"),
        app_commands.Choice(name="mother: Who is Rouge's mother?", value="mother"),
    ]
    bot.storage.sync.set_progress(1103, 3)
    gated = await autocomplete(bot, asker(bot, user=FakeMember(1103)), "mystery", "topic", "mo")
    assert [c.value for c in gated] == []
    assert [c.value for c in await autocomplete(bot, asker(bot, user=FakeMember(1103)), "mystery", "topic", "")] == ["father"]


# -- /episode ------------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_episode_shows_title_and_reveals_under_bars(bot: Any, cog: LoreCog) -> None:
    interaction = asker(bot)
    await cog.episode.callback(cog, interaction, number=1)  # type: ignore[arg-type]
    assert interaction.last.content == (
        "**Episode 1:** ||Crimson Is the Sound of Dawn||\n"
        "||Rouge starts her mission.||\n"
        "Revealed in this episode:\n"
        "- ||Rouge Redstar is a Nean girl who hunts the Immortal Nine.|| (ep 1)"
    )
    assert interaction.last.ephemeral is False and interaction.last.mentions_none


@pytest.mark.asyncio
async def test_episode_past_progress_is_withheld_and_unknown_episode_explained(bot: Any, cog: LoreCog) -> None:
    bot.storage.sync.set_progress(1201, 5)
    interaction = asker(bot, user=FakeMember(1201))
    await cog.episode.callback(cog, interaction, number=8)  # type: ignore[arg-type]
    assert interaction.last.content == (
        "Episode 8 comes after episode 5, the last you have watched; ask again once you have seen it." + PROGRESS_HINT_5
    )
    assert interaction.last.ephemeral is True
    missing = asker(bot)
    await cog.episode.callback(cog, missing, number=14)  # type: ignore[arg-type]
    assert missing.last.content == "Metallic Rouge has episodes 1 to 13; there is no episode 14."
    assert missing.last.ephemeral is True


@pytest.mark.asyncio
async def test_episode_is_guarded_against_duplicates(bot: Any, cog: LoreCog, guild: FakeGuild) -> None:
    channel = guild.add_channel(name="lore")
    first = asker(bot, guild, channel)
    await cog.episode.callback(cog, first, number=1)  # type: ignore[arg-type]
    second = asker(bot, guild, channel)
    await cog.episode.callback(cog, second, number=1)  # type: ignore[arg-type]
    assert second.last.ephemeral and first.last.jump_url in second.last.content


# -- errors --------------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_a_crash_is_logged_and_answered_with_an_apology(
    bot: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("matcher exploded")

    monkeypatch.setattr(bot.knowledge.lore, "ask", broken)
    interaction = asker(bot)
    with caplog.at_level(logging.ERROR):
        await invoke(bot, interaction, "ask", question="who is rouge")
    assert len(interaction.sent) == 1
    assert interaction.last.content == common.APOLOGY
    assert interaction.last.ephemeral is True and interaction.last.mentions_none
    assert "error in /ask" in caplog.text
    assert "RuntimeError: matcher exploded" in caplog.text  # the traceback is logged


@pytest.mark.asyncio
async def test_a_crash_after_answering_apologises_in_a_follow_up(bot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database locked")

    monkeypatch.setattr(bot.storage, "bump", broken)
    interaction = asker(bot)
    await invoke(bot, interaction, "ask", question="rouge mom")
    assert [(m.via, m.ephemeral) for m in interaction.sent] == [("response", False), ("followup", True)]
    assert interaction.sent[1].content == common.APOLOGY and interaction.sent[1].mentions_none


@pytest.mark.asyncio
async def test_a_crashing_button_still_answers(
    bot: Any, cog: LoreCog, monkeypatch: pytest.MonkeyPatch, guessing: Any
) -> None:
    question = await ask(cog, asker(bot), "rouge father")

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(bot.knowledge.lore, "answer_entry", broken)
    presser = asker(bot)
    await press(presser, question, label="Who is Rouge Redstar?")
    assert presser.last.content == common.APOLOGY and presser.last.ephemeral


@pytest.mark.asyncio
async def test_a_handler_that_already_answered_is_not_doubled(bot: Any) -> None:
    interaction = asker(bot)
    interaction.extras[common.ERROR_HANDLED] = True
    await common.on_app_command_error(interaction, app_commands.CheckFailure("nope"))  # type: ignore[arg-type]
    assert interaction.sent == []


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (app_commands.MissingPermissions(["manage_guild"]), "You need the Manage Server permission to use this command."),
        (app_commands.NoPrivateMessage(), "This command only works in a server, not in direct messages."),
        (app_commands.CheckFailure("Only moderators can teach the bot."), "Only moderators can teach the bot."),
        (app_commands.CheckFailure("The check functions for command 'x' failed."), "You can't use this command here."),
        (app_commands.CommandOnCooldown(app_commands.Cooldown(1, 60), 11.2), "You're going a bit fast. Try again in 12 seconds."),
    ],
)
@pytest.mark.asyncio
async def test_refusals_are_explained_in_plain_words(bot: Any, error: app_commands.AppCommandError, message: str) -> None:
    interaction = asker(bot)
    await common.on_app_command_error(interaction, error)  # type: ignore[arg-type]
    assert interaction.last.content == message
    assert interaction.last.ephemeral and interaction.last.mentions_none


@pytest.mark.asyncio
async def test_bad_option_value_through_discord_py_gets_a_clear_message(bot: Any) -> None:
    interaction = asker(bot)
    await invoke(bot, interaction, "ask")  # Discord sent no question: a stale command definition
    assert interaction.last.content == common.COMMAND_CHANGED
    assert interaction.last.ephemeral
