"""@mentions, DMs and "Answer with lore", driven with fake messages and interactions (tests/fakes.py).

The knowledge is tests/data/mini: rouge (ep 1), gene-father (eps 3, 7), rouge-mother (eps 5, 8),
late-twist (ep 9), studio (production, ep 0); 13 episodes. The bot's user id is ``ME``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
import pytest_asyncio

from bot.answering.lore import Answer, Suggestion
from bot.answering.matcher import Verdict
from bot.answering.render import render_suggestions
from bot.storage import NO_GUILD
from tests.fakes import (
    FakeClock,
    FakeGuild,
    FakeInteraction,
    FakeMember,
    FakeRole,
    FakeUser,
    FakeUserMessage,
    close_bot,
    http_error,
    log_in_as,
    make_bot,
    user_message,
)

ME = 990_000_000_000_000_001
MOTHER_UPTO_6 = (
    "**Who is Rouge's mother?**\n"
    "||Rouge and Gene share a mother; her identity is unrevealed.|| (ep 5)\n"
    "-# That is what is known as of episode 6; later episodes may reveal more.\n"
    "-# See also: Who is Gene's father?\n"
    "-# As of episode 6, as you said."
)
FATHER_EP7 = "Gene's father is Eden Varock."


@pytest_asyncio.fixture
async def bot() -> AsyncIterator[Any]:
    bot = await make_bot(extensions=("bot.cogs.lore", "bot.cogs.progress", "bot.cogs.chat"))
    log_in_as(bot, FakeUser(id=ME, name="LoreBot", bot=True))
    yield bot
    await close_bot(bot)


@pytest.fixture
def cog(bot: Any) -> Any:
    found = bot.get_cog("Chat")
    assert found is not None and type(found).__name__ == "ChatCog"
    return found


@pytest.fixture
def me(bot: Any) -> FakeUser:
    return bot.user  # type: ignore[no-any-return]


def mention(me: FakeUser, text: str, **kwargs: Any) -> FakeUserMessage:
    """A channel message that mentions the bot (``<@ME>`` in the text, the bot in ``mentions``)."""
    return user_message(f"<@{me.id}> {text}", mentions=[me], **kwargs)


async def only_reply(cog: Any, message: FakeUserMessage) -> Any:
    await cog.on_message(message)
    assert len(message.replies) == 1, [r.content for r in message.replies]
    reply = message.replies[0]
    assert reply.reference is message
    assert reply.mentions_none and reply.mention_author is False, "a reply pings nobody, not even its author"
    assert reply.suppress_embeds
    return reply


async def no_reply(cog: Any, message: FakeUserMessage) -> None:
    await cog.on_message(message)
    assert message.replies == [], [r.content for r in message.replies]


# -- @mentions ------------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_a_mention_is_answered_as_a_reply_within_the_stated_progress(cog: Any, me: FakeUser) -> None:
    reply = await only_reply(cog, mention(me, "wait im on ep 6 lol who is rouges mom?? 😭"))
    assert reply.content == MOTHER_UPTO_6
    assert reply.via == "reply" and reply.ephemeral is False


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("text", "episode", "question"),
    [
        ("wait im on ep 6 lol who is rouges mom?? 😭", 6, "who is rouges mom"),
        ("who is rouge's mom? i haven't watched ep 8 yet", 7, "who is rouge's mom"),  # before ep 8: 7
        ("im on ep 9, no spoilers past 7 pls. who is gene's dad?", 7, "who is gene's dad"),  # the lowest
    ],
)
async def test_stated_progress_is_applied_exactly_once_on_the_chat_path(
    bot: Any, cog: Any, me: FakeUser, text: str, episode: int, question: str
) -> None:
    """The reply is the lore service's answer at the stated episode to the question without the
    phrase, with a footer naming that episode. Ignoring the statement answers at a later horizon
    (or the whole series); applying it a second time (ep 8 -> 7 -> 6) answers at an earlier one."""
    lore = bot.knowledge.lore
    expected = lore.at(episode).ask(question, spoiler_free=0).text
    assert expected not in (lore.at(h).ask(question, spoiler_free=0).text for h in (episode - 1, episode + 1, None))
    reply = await only_reply(cog, mention(me, text))
    assert reply.content == f"{expected}\n-# As of episode {episode}, as you said."


@pytest.mark.asyncio
async def test_progress_stated_across_sentences_still_gates_a_mention(cog: Any, me: FakeUser) -> None:
    """No sentence of "im on. ep 6. rouge mom" states progress alone, so the message is read as one
    topic, "im on ep 6 rouge mom", which does: the answer stops at episode 6, and the footer says
    so (it used to say "Whole series" over an answer stopped at 6)."""
    reply = await only_reply(cog, mention(me, "im on. ep 6. rouge mom"))
    assert reply.content == MOTHER_UPTO_6
    assert "Eva" not in reply.content and "(ep 8)" not in reply.content


@pytest.mark.asyncio
async def test_the_authors_saved_progress_gates_a_mention(bot: Any, cog: Any, me: FakeUser) -> None:
    author = FakeMember(701)
    bot.storage.sync.set_progress(701, 3)
    reply = await only_reply(cog, mention(me, "who is gene's dad? no spoilers past 9 pls", author=author))
    assert "Gene's father has not been named yet." in reply.content
    assert FATHER_EP7 not in reply.content
    assert reply.content.endswith("-# As of episode 3, the progress you saved with /progress.")


@pytest.mark.asyncio
async def test_a_reply_to_the_bot_that_mentions_it_is_answered(cog: Any, me: FakeUser) -> None:
    """Replying with the mention on puts the bot in ``mentions``; the text has no ``<@id>``."""
    message = user_message("and what about Gene's dad?", mentions=[me], type=discord.MessageType.reply)
    reply = await only_reply(cog, message)
    assert reply.content.startswith("**||Who is Gene's father?||**")


@pytest.mark.asyncio
async def test_two_questions_in_one_mention_are_both_answered(cog: Any, me: FakeUser) -> None:
    reply = await only_reply(cog, mention(me, "whos rouge?? and also what is the alter"))
    assert reply.content.startswith("**||Who is Rouge Redstar?||**")
    assert "\n\n**||What is the Alter?||**" in reply.content


@pytest.mark.asyncio
async def test_a_mention_the_bot_cannot_help_with_gets_no_public_reply(bot: Any, cog: Any, me: FakeUser) -> None:
    guild = FakeGuild()
    await no_reply(cog, mention(me, "who voices naruto in the dub??", guild=guild))
    assert [m.normalized for m in bot.storage.sync.top_misses(guild.id)] == ["voices naruto dub"]
    assert bot.storage.sync.counter(guild.id, "missed") == 1
    await no_reply(cog, mention(me, "thanks!! 🙏", guild=guild))
    await no_reply(cog, mention(me, "", guild=guild))
    await no_reply(cog, mention(me, "is the alter real? im on ep 2", guild=guild))  # not revealed by 2
    assert bot.storage.sync.counter(guild.id, "answered") == 0


@pytest.mark.asyncio
async def test_a_did_you_mean_is_not_posted_for_a_mention(bot: Any, cog: Any, me: FakeUser, monkeypatch: pytest.MonkeyPatch) -> None:
    guess_at(bot, monkeypatch)
    await no_reply(cog, mention(me, "rouge father?"))


@pytest.mark.asyncio
async def test_chatter_mentions_are_not_recorded_as_unanswered(bot: Any, cog: Any, me: FakeUser) -> None:
    guild = FakeGuild()
    await no_reply(cog, mention(me, "naruto sasuke", guild=guild))  # no question form: maybe chatter
    assert bot.storage.sync.top_misses(guild.id) == []


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda me, role: user_message(f"<@&{role.id}> who is rouge?", role_mentions=[role]), id="the bot's role"),
        pytest.param(lambda me, role: user_message("@everyone who is rouge?", mention_everyone=True), id="everyone"),
        pytest.param(lambda me, role: user_message("@here who is rouge?", mention_everyone=True), id="here"),
        pytest.param(lambda me, role: user_message("who is rouge?"), id="no mention"),
        pytest.param(lambda me, role: user_message("<@123> who is rouge?", mentions=[FakeUser(123)]), id="someone else"),
        pytest.param(
            lambda me, role: user_message(f"<@{me.id}> who is rouge?", mentions=[me], author=FakeUser(5, bot=True)), id="a bot"
        ),
        pytest.param(
            lambda me, role: user_message(f"<@{me.id}> who is rouge?", mentions=[me], author=FakeUser(6), webhook_id=77),
            id="a webhook",
        ),
        pytest.param(lambda me, role: user_message(f"<@{me.id}> who is rouge?", mentions=[me], author=me), id="itself"),
        pytest.param(
            lambda me, role: user_message(f"<@{me.id}> who is rouge?", mentions=[me], type=discord.MessageType.pins_add),
            id="a system message",
        ),
        pytest.param(lambda me, role: user_message("who is rouge?", dm=True, author=FakeUser(8, bot=True)), id="a bot's DM"),
    ],
)
async def test_what_is_never_answered(cog: Any, me: FakeUser, make: Any) -> None:
    role = FakeRole(name="LoreBot")
    message = make(me, role)
    assert not await cog.addressed(message)
    await no_reply(cog, message)


@pytest.mark.asyncio
async def test_mention_answers_can_be_turned_off_per_channel(bot: Any, cog: Any, me: FakeUser) -> None:
    guild = FakeGuild()
    quiet = guild.add_channel(name="quiet")
    bot.storage.sync.set_mentions_enabled(guild.id, quiet.id, False)
    await no_reply(cog, mention(me, "who is rouge?", channel=quiet))
    thread = guild.add_channel(name="a thread", type=discord.ChannelType.public_thread)
    thread.parent_id = quiet.id  # type: ignore[attr-defined]
    await no_reply(cog, mention(me, "who is rouge?", channel=thread))
    await only_reply(cog, mention(me, "who is rouge?", guild=guild))  # another channel
    bot.storage.sync.set_mentions_enabled(guild.id, quiet.id, True)
    await only_reply(cog, mention(me, "who is rouge?", channel=quiet))


@pytest.mark.asyncio
async def test_the_same_answer_in_a_channel_points_to_the_first(cog: Any, me: FakeUser) -> None:
    guild = FakeGuild()
    first = await only_reply(cog, mention(me, "who is rouge?", guild=guild, channel=guild.add_channel(name="c")))
    channel = first.channel
    pointer = await only_reply(cog, mention(me, "whos rouge", channel=channel))
    assert pointer.content == f"I answered that here a moment ago: {first.jump_url}"


@pytest.mark.asyncio
async def test_a_refused_reply_is_logged_and_frees_the_duplicate_slot(
    cog: Any, me: FakeUser, caplog: pytest.LogCaptureFixture
) -> None:
    guild = FakeGuild()
    channel = guild.add_channel(name="read-only")
    refused = mention(me, "who is rouge?", channel=channel, reply_error=http_error(403))
    with caplog.at_level(logging.INFO, logger="bot.cogs.chat"):
        await no_reply(cog, refused)
    assert any("could not reply in channel" in r.getMessage() and r.levelno == logging.INFO for r in caplog.records)
    reply = await only_reply(cog, mention(me, "who is rouge?", channel=channel))
    assert reply.content.startswith("**||Who is Rouge Redstar?||**")


# -- rate limits ----------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_mentions_share_the_per_user_budget_of_ask(bot: Any, cog: Any, me: FakeUser) -> None:
    lore_cog = bot.get_cog("Lore")
    assert cog.cooldown is lore_cog.cooldown
    lore_cog.cooldown.clock = clock = FakeClock()
    author = FakeMember(720)
    for _ in range(4):
        await lore_cog.ask.callback(lore_cog, FakeInteraction(bot, user=author), question="who is rouge")
    await only_reply(cog, mention(me, "whats the alter?", author=author))  # the fifth
    await no_reply(cog, mention(me, "who is gene's dad?", author=author))  # silent: no public noise
    clock.advance(61)
    await only_reply(cog, mention(me, "who is gene's dad?", author=author))


@pytest.mark.asyncio
async def test_a_busy_channel_stops_getting_public_answers(cog: Any, me: FakeUser) -> None:
    cog.channel_cooldown.clock = clock = FakeClock()
    guild = FakeGuild()
    channel = guild.add_channel(name="busy")
    questions = ["who is rouge", "who is gene's dad", "what is the alter", "which studio made it", "rouge mom"]
    for n in range(10):
        await only_reply(cog, mention(me, f"{questions[n % 5]}? im on ep {9 + n // 5}", author=FakeMember(730 + n), channel=channel))
    await no_reply(cog, mention(me, "who is rouge? im on ep 12", author=FakeMember(741), channel=channel))
    await only_reply(cog, mention(me, "who is rouge? im on ep 12", author=FakeMember(742), guild=guild))  # another channel
    clock.advance(61)
    await only_reply(cog, mention(me, "who is rouge? im on ep 12", author=FakeMember(743), channel=channel))


# -- DMs --------------------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_a_dm_is_answered_privately_with_saved_progress_and_every_reveal_in_bars(bot: Any, cog: Any) -> None:
    bot.storage.sync.set_spoiler_free(NO_GUILD, 13)  # no server horizon applies in a DM, whatever is stored
    bot.storage.sync.set_progress(750, 6)
    message = user_message("hiii who is rouge's mom", dm=True, author=FakeUser(750))
    assert message.guild is None and await cog.addressed(message)
    reply = await only_reply(cog, message)
    assert reply.channel is message.channel
    assert reply.content == MOTHER_UPTO_6.replace("as you said", "the progress you saved with /progress")


@pytest.mark.asyncio
async def test_a_dm_says_i_dont_know_and_did_you_mean_privately(bot: Any, cog: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    unknown = await only_reply(cog, user_message("who voices naruto?", dm=True))
    assert unknown.content.startswith("I don't know the answer to “who voices naruto” yet.")
    assert [m.normalized for m in bot.storage.sync.top_misses(NO_GUILD)] == ["voices naruto"]
    bot.storage.sync.set_progress(751, 4)
    guess_at(bot, monkeypatch)
    guess = await only_reply(cog, user_message("rouge father?", dm=True, author=FakeUser(751)))
    assert guess.button_labels == ["Who is Rouge Redstar?", "Which studio made Metallic Rouge?"]
    assert [b.custom_id for b in guess.buttons] == ["lore:see:p:4:rouge", "lore:see:p:4:studio"]  # type: ignore[attr-defined]


@pytest.mark.asyncio
async def test_a_dm_that_asks_nothing_gets_a_hint(cog: Any) -> None:
    reply = await only_reply(cog, user_message("hi 👋", dm=True))
    assert reply.content.startswith("Ask me anything about Metallic Rouge")


@pytest.mark.asyncio
async def test_a_dm_flood_gets_one_cooldown_notice(bot: Any, cog: Any) -> None:
    bot.get_cog("Lore").cooldown.clock = FakeClock()
    author = FakeUser(760)
    for _ in range(5):
        await only_reply(cog, user_message("who is rouge", dm=True, author=author))
    notice = await only_reply(cog, user_message("who is rouge", dm=True, author=author))
    assert notice.content.startswith("You're asking faster than I can keep up with.")
    await no_reply(cog, user_message("who is rouge", dm=True, author=author))


# -- "Answer with lore" -----------------------------------------------------------------------------
def picked(bot: Any, message: FakeUserMessage, picker: FakeUser) -> FakeInteraction:
    return FakeInteraction(bot, user=picker, guild=message.guild, channel=message.channel, dm=message.guild is None)


async def menu(cog: Any, interaction: FakeInteraction, message: FakeUserMessage) -> None:
    await cog.answer_with_lore(interaction, message)
    for sent in [*interaction.sent, *message.replies]:
        assert sent.mentions_none, sent.content


@pytest.mark.asyncio
async def test_the_menu_is_a_message_command(bot: Any, cog: Any) -> None:
    command = bot.tree.get_command("Answer with lore", type=discord.AppCommandType.message)
    assert command is cog.menu
    assert command.to_dict(bot.tree)["type"] == 3
    await bot.unload_extension("bot.cogs.chat")
    assert bot.tree.get_command("Answer with lore", type=discord.AppCommandType.message) is None


@pytest.mark.asyncio
async def test_the_menu_replies_to_the_message_at_the_lowest_horizon(bot: Any, cog: Any) -> None:
    """The author set progress 3, the member who picked the menu 13: nothing after episode 3."""
    bot.storage.sync.set_progress(801, 3)
    bot.storage.sync.set_progress(802, 13)
    message = user_message("who is gene's dad??", author=FakeMember(801))
    interaction = picked(bot, message, FakeMember(802))
    await menu(cog, interaction, message)
    [reply] = message.replies
    assert reply.reference is message and reply.suppress_embeds and reply.mention_author is False
    assert "Gene's father has not been named yet." in reply.content and FATHER_EP7 not in reply.content
    assert reply.content.endswith("-# As of episode 3, the progress its author saved with /progress.")
    assert interaction.response.deferred_ephemeral is True
    [ack] = interaction.sent
    assert ack.ephemeral and ack.content == f"Answered as a reply to that message: {reply.jump_url}"


@pytest.mark.asyncio
async def test_the_pickers_progress_counts_when_it_is_lower(bot: Any, cog: Any) -> None:
    bot.storage.sync.set_progress(811, 4)
    message = user_message("who is gene's dad? just finished ep 10", author=FakeMember(810))
    await menu(cog, picked(bot, message, FakeMember(811)), message)
    assert message.replies[0].content.endswith(
        "-# As of episode 4, the progress saved with /progress by the member who asked me to answer."
    )
    own = user_message("who is gene's dad? im on ep 8", author=FakeMember(812))
    await menu(cog, picked(bot, own, own.author), own)
    assert own.replies[0].content.endswith("-# As of episode 8, as you said.")
    assert FATHER_EP7 in own.replies[0].content


@pytest.mark.asyncio
async def test_the_menu_reads_a_chatty_message_without_a_question_form(bot: Any, cog: Any) -> None:
    message = user_message("the studio that made metallic rouge 🔥🔥 goated", author=FakeMember(815))
    await menu(cog, picked(bot, message, FakeMember(816)), message)
    assert message.replies[0].content.startswith("**Which studio made Metallic Rouge?**")


@pytest.mark.asyncio
async def test_the_menu_answers_privately_when_it_can_only_say_i_dont_know(bot: Any, cog: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    message = user_message("who voices naruto in the dub?")
    interaction = picked(bot, message, FakeMember(820))
    await menu(cog, interaction, message)
    assert message.replies == []
    [answer] = interaction.sent
    assert answer.ephemeral and answer.content.startswith("I don't know the answer to “who voices naruto in the dub” yet.")
    guess_at(bot, monkeypatch)
    guessed = user_message("rouge father??")
    interaction = picked(bot, guessed, FakeMember(821))
    await menu(cog, interaction, guessed)
    assert guessed.replies == [] and interaction.last.ephemeral
    assert [b.custom_id for b in interaction.last.buttons] == [  # type: ignore[attr-defined]
        "lore:see:e:a:rouge", "lore:see:e:a:rouge-mother", "lore:see:e:a:studio",
    ]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("author", "webhook_id", "expected"),
    [
        (FakeUser(ME, bot=True), None, "That is one of my own answers."),
        (FakeUser(830, bot=True), None, "I only answer messages people wrote"),
        (FakeUser(831, bot=True), 55, "I only answer messages people wrote"),
    ],
)
async def test_the_menu_does_not_answer_bots_webhooks_or_itself(
    bot: Any, cog: Any, author: FakeUser, webhook_id: int | None, expected: str
) -> None:
    message = user_message("who is rouge?", author=author, webhook_id=webhook_id)
    interaction = picked(bot, message, FakeMember(832))
    await menu(cog, interaction, message)
    assert message.replies == [] and interaction.last.ephemeral and interaction.last.content.startswith(expected)


@pytest.mark.asyncio
async def test_the_menu_on_a_message_that_asks_nothing(bot: Any, cog: Any) -> None:
    message = user_message("lol 😂😂")
    interaction = picked(bot, message, FakeMember(833))
    await menu(cog, interaction, message)
    assert message.replies == [] and interaction.last.ephemeral
    assert interaction.last.content.startswith("I can't find a question about Metallic Rouge in that message.")


@pytest.mark.asyncio
async def test_the_menu_answers_privately_where_mention_answers_are_off(bot: Any, cog: Any) -> None:
    guild = FakeGuild()
    quiet = guild.add_channel(name="quiet")
    bot.storage.sync.set_mentions_enabled(guild.id, quiet.id, False)
    message = user_message("who is rouge?", channel=quiet)
    interaction = picked(bot, message, FakeMember(840))
    await menu(cog, interaction, message)
    assert message.replies == []
    assert interaction.last.ephemeral and interaction.last.content.startswith("**||Who is Rouge Redstar?||**")
    assert interaction.last.content.endswith("-# Mention answers are off in this channel, so only you see this.")


@pytest.mark.asyncio
async def test_the_menu_answers_without_a_reply_where_the_bot_cannot_post(bot: Any, cog: Any) -> None:
    message = user_message("who is rouge?")
    interaction = picked(bot, message, FakeMember(841))
    interaction.bot_permissions = discord.Permissions(view_channel=True, send_messages=True)  # no Read Message History
    await menu(cog, interaction, message)
    assert message.replies == []
    assert not interaction.last.ephemeral
    assert interaction.last.content.startswith(f"Re: {message.jump_url}\n**||Who is Rouge Redstar?||**")


@pytest.mark.asyncio
async def test_the_menu_falls_back_to_a_private_answer_when_discord_refuses_the_reply(bot: Any, cog: Any) -> None:
    message = user_message("who is rouge?", reply_error=http_error(403))
    interaction = picked(bot, message, FakeMember(842))
    await menu(cog, interaction, message)
    [answer] = interaction.sent
    assert answer.ephemeral and answer.content.endswith("-# I can't post in this channel, so only you see this.")


@pytest.mark.asyncio
async def test_the_menu_in_a_dm_replies_there(bot: Any, cog: Any) -> None:
    author = FakeUser(850)
    message = user_message("who is gene's dad? im on ep 5", dm=True, author=author)
    interaction = picked(bot, message, author)
    await menu(cog, interaction, message)
    assert message.replies[0].content.endswith("-# As of episode 5, as you said.")


@pytest.mark.asyncio
async def test_the_menu_uses_the_cooldown_and_the_duplicate_guard(bot: Any, cog: Any) -> None:
    guild = FakeGuild()
    channel = guild.add_channel(name="dup")
    first = user_message("who is rouge?", channel=channel)
    await menu(cog, picked(bot, first, FakeMember(860)), first)
    second = user_message("whos rouge??", channel=channel)
    interaction = picked(bot, second, FakeMember(861))
    await menu(cog, interaction, second)
    assert second.replies == []
    assert interaction.last.content == f"I answered that in this channel a moment ago: {first.replies[0].jump_url}"
    bot.get_cog("Lore").cooldown.clock = FakeClock()
    picker = FakeMember(862)
    for n in range(5):
        target = user_message(f"who is rouge? im on ep {n + 1}", channel=channel)
        await menu(cog, picked(bot, target, picker), target)
    late = user_message("who is rouge? im on ep 9", channel=channel)
    interaction = picked(bot, late, picker)
    await menu(cog, interaction, late)
    assert late.replies == [] and interaction.last.ephemeral
    assert interaction.last.content.startswith("You're asking faster than I can keep up with.")


# -- the bot ------------------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_the_bot_reads_no_prefix_commands(bot: Any, me: FakeUser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def forbidden(message: Any) -> None:
        raise AssertionError("a mention must not be read as a prefix command")

    monkeypatch.setattr(bot, "process_commands", forbidden)
    await bot.on_message(mention(me, "ask who is rouge"))


def test_the_intents_are_guilds_and_messages_without_privileged_ones() -> None:
    from bot.app import LoreBot
    from tests.fakes import make_config

    from bot.storage import Storage

    intents = LoreBot(make_config(), knowledge=None, storage=Storage.open(":memory:")).intents  # type: ignore[arg-type]
    assert intents.value == (1 << 0) | (1 << 9) | (1 << 12)  # GUILDS, GUILD_MESSAGES, DIRECT_MESSAGES
    assert not (intents.message_content or intents.members or intents.presences)


# -- helpers ------------------------------------------------------------------------------------------
GUESSES = ["rouge", "rouge-mother", "studio"]


def guess_at(bot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every question becomes a "did you mean" at GUESSES (those within the horizon): how vague a
    question must be for that is the matcher's business, what the reply does with it is ours."""
    lore = bot.knowledge.lore

    def guess(question: str, *, upto: int | None = None, spoiler_free: int = 0) -> Answer:
        entries = [lore.kb.entries[e] for e in GUESSES if lore.kb.entries[e].visible_to(upto)]
        return Answer(
            Verdict.SUGGEST, render_suggestions(question, [e.question for e in entries]),
            suggestions=tuple(Suggestion(e.id, e.question, 70.0) for e in entries), score=70.0,
        )

    monkeypatch.setattr(lore, "ask", guess)


