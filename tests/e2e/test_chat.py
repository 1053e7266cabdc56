"""End to end: @mentions, replies, DMs and "Answer with lore", the real bot process against the fake Discord.

People post messages with ``fake.post_message``; the fake dispatches MESSAGE_CREATE the way
Discord does (only with the matching intent, and without content unless the bot is mentioned or
it is a DM). One bot process serves the module; each test uses its own users and channel.
Expected answers are computed in the test process with the same core (bot/answering/chat.py)
over the same knowledge the bot loaded.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio

from bot.answering.chat import (
    ChatHorizon,
    HorizonSource,
    Place,
    Voice,
    answer_questions,
    limit_for,
    read_message,
    topic_words_for,
)
from bot.answering.lore import Lore

from .bot_process import (
    EPISODE_TAG,
    BotProcess,
    assert_no_pings,
    episodes_shown,
    is_ephemeral,
    new_member,
    reply,
    running_bot,
)
from .fake_discord import (
    FLAG_SUPPRESS_EMBEDS,
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MESSAGES,
    INTENT_GUILDS,
    PRIVILEGED_INTENTS,
    FakeDiscord,
    FakeGuild,
    default_spec_path,
)

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(60)]

CHANNELS = ("mentions", "menu", "horizon", "ignored", "quiet", "duplicates")
#: how long to wait before concluding the bot will not reply (it answers in well under 100 ms)
SILENCE = 1.0


@dataclass
class World:
    fake: FakeDiscord
    bot: BotProcess
    lore: Lore

    @property
    def guild(self) -> FakeGuild:
        assert self.fake.guild is not None
        return self.fake.guild

    @property
    def me(self) -> str:
        return str(self.fake.bot_user["id"])


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    async with FakeDiscord(heartbeat_interval=2000) as fake:
        assert fake.guild is not None
        for name in CHANNELS:
            fake.guild.add_text_channel(name)
        async with running_bot(fake, tmp_path_factory.mktemp("chat")) as bot:
            yield World(fake, bot, Lore.load(bot.knowledge_dir))
        assert bot.returncode == 0, bot.describe()


@pytest.fixture(autouse=True)
def nothing_discord_would_refuse(world: World) -> Any:
    yield
    world.fake.assert_no_violations()
    assert world.bot.errors() == [], world.bot.describe()


def expected(world: World, text: str, horizon: ChatHorizon, *, voice: Voice = Voice.AUTHOR,
             spoiler_free: int = 0, menu: bool = False) -> str:
    """What the bot should answer to ``text``, computed with the same core and knowledge."""
    place = Place.MENU if menu else Place.MENTION
    message = read_message(text, bot_ids=[int(world.me)], topic_words=topic_words_for(place))
    return answer_questions(world.lore, message.questions, horizon=horizon, spoiler_free=spoiler_free,
                            voice=voice, limit=limit_for(place)).text


def sent_body(world: World, message: dict) -> dict:
    """The JSON the bot sent to create ``message`` (POST /channels/{id}/messages)."""
    for rec in world.fake.requests:
        if rec.route == "/channels/{channel_id}/messages" and rec.method == "POST" and rec.response \
                and isinstance(rec.response, dict) and rec.response.get("id") == message["id"]:
            return rec.json  # type: ignore[no-any-return]
    raise AssertionError(f"no request created message {message['id']}")


def assert_a_quiet_reply(world: World, answer: dict, original: dict) -> None:
    """A reply to ``original`` that pings nobody and shows no link previews."""
    assert answer["message_reference"]["message_id"] == original["id"]
    assert answer["type"] == 19 and answer["referenced_message"]["id"] == original["id"]
    body = sent_body(world, answer)
    assert body["message_reference"]["message_id"] in (original["id"], int(original["id"]))
    assert_no_pings(body)
    assert int(body.get("flags") or 0) & FLAG_SUPPRESS_EMBEDS
    assert answer["mentions"] == [] and answer["mention_roles"] == [] and not answer["mention_everyone"]


async def set_progress(world: World, user: dict, episode: int) -> None:
    saved = await reply(await world.fake.send_slash_command("progress set", {"episode": episode}, user=user))
    assert is_ephemeral(saved)


# -- the bot asks for what it needs ---------------------------------------------------------------
async def test_the_bot_asks_for_guild_and_dm_messages_and_no_privileged_intent(world: World) -> None:
    intents = world.fake.identify_payloads[0]["intents"]
    assert intents == INTENT_GUILDS | INTENT_GUILD_MESSAGES | INTENT_DIRECT_MESSAGES
    assert not intents & PRIVILEGED_INTENTS
    menu = world.fake.find_command("Answer with lore", type=3)
    assert menu is not None and menu["description"] == "" and "options" not in menu


# -- @mentions -------------------------------------------------------------------------------------
async def test_a_mention_gets_a_reply_that_references_the_original(world: World) -> None:
    fake = world.fake
    fan = new_member(fake, "mention-fan")
    text = f"<@{world.me}> wait im on ep 6 lol who is rouge's mother?? 😭"
    original = await fake.post_message(text, user=fan, channel="mentions")
    answer = await fake.wait_for_reply(original)
    assert_a_quiet_reply(world, answer, original)
    assert answer["channel_id"] == original["channel_id"]
    assert answer["content"] == expected(world, text, ChatHorizon(6, HorizonSource.STATED))
    assert answer["content"].startswith("**Who is Rouge's mother?**")
    assert answer["content"].endswith("-# As of episode 6, as you said.")
    assert max(episodes_shown(answer["content"])) <= 6


async def test_a_reply_to_the_bots_answer_that_mentions_it_is_answered(world: World) -> None:
    fake = world.fake
    fan = new_member(fake, "follow-up-fan")
    first = await fake.post_message(f"<@{world.me}> who is rouge?", user=fan, channel="mentions")
    answer = await fake.wait_for_reply(first)
    follow_up = await fake.post_message("and what about Gene?", user=fan, channel="mentions", reply_to=answer)
    assert follow_up["mentions"] == [fake.bot_user] and f"<@{world.me}>" not in follow_up["content"]
    second = await fake.wait_for_reply(follow_up)
    assert_a_quiet_reply(world, second, follow_up)
    assert second["content"] == expected(world, "and what about Gene?", ChatHorizon(None, HorizonSource.NONE))


async def test_a_mention_the_bot_cannot_help_with_gets_no_public_reply(world: World) -> None:
    fake = world.fake
    fan = new_member(fake, "unknown-fan")
    unknown = await fake.post_message(f"<@{world.me}> what is gokus power level??", user=fan, channel="mentions")
    assert world.lore.ask("what is gokus power level").entry is None
    chatter = await fake.post_message(f"<@{world.me}> thanks!! 🙏", user=fan, channel="mentions")
    sentinel = await fake.post_message(f"<@{world.me}> which studio made it?", user=fan, channel="mentions")
    await fake.wait_for_reply(sentinel)
    await asyncio.sleep(SILENCE)
    assert fake.replies_to(unknown) == [] and fake.replies_to(chatter) == []


async def test_role_everyone_bots_and_webhooks_are_ignored(world: World) -> None:
    fake = world.fake
    fan = new_member(fake, "ignored-fan")
    robot = fake.create_user("another-bot", bot=True)
    world.guild.add_member(robot)
    bot_role = world.guild.role(fake.bot_user["username"])
    ignored = [
        await fake.post_message(f"<@&{bot_role['id']}> who is rouge?", user=fan, channel="ignored"),
        await fake.post_message("@everyone who is rouge?", user=fan, channel="ignored"),
        await fake.post_message("@here who is rouge?", user=fan, channel="ignored"),
        await fake.post_message("who is rouge?", user=fan, channel="ignored"),
        await fake.post_message(f"<@{world.me}> who is rouge?", user=robot, channel="ignored"),
        await fake.post_message(f"<@{world.me}> who is rouge?", webhook="Captain Hook", channel="ignored"),
    ]
    # Without the mention, the bot gets the event without its text (no MESSAGE_CONTENT intent).
    assert fake.gateway_message(ignored[0], INTENT_GUILDS | INTENT_GUILD_MESSAGES)["content"] == ""
    sentinel = await fake.post_message(f"<@{world.me}> who is gene?", user=fan, channel="ignored")
    await fake.wait_for_reply(sentinel)
    await asyncio.sleep(SILENCE)
    for message in ignored:
        assert fake.replies_to(message) == [], message["content"]
    # nor does it answer its own answer, which Discord echoes back to it
    assert [m for m in fake.find_messages(channel="ignored") if fake.replies_to(m)] == []


async def test_moderators_turn_mention_answers_off_in_a_channel(world: World) -> None:
    fake = world.fake
    done = await reply(await fake.send_slash_command("lore-admin mentions", {"enabled": False},
                                                     user=fake.owner, channel="quiet"))
    assert is_ephemeral(done) and done["content"].startswith("I no longer answer messages that mention me in <#")
    fan = new_member(fake, "quiet-fan")
    muted = await fake.post_message(f"<@{world.me}> who is rouge?", user=fan, channel="quiet")
    sentinel = await fake.post_message(f"<@{world.me}> who is rouge? im on ep 2", user=fan, channel="mentions")
    await fake.wait_for_reply(sentinel)
    await asyncio.sleep(SILENCE)
    assert fake.replies_to(muted) == []
    # "Answer with lore" still answers there, privately
    rec = await fake.send_context_menu("Answer with lore", muted, kind=3, user=new_member(fake, "quiet-picker"),
                                       channel="quiet")
    private = await reply(rec)
    assert is_ephemeral(private) and private["content"].endswith("only you see this.")
    assert fake.replies_to(muted) == []


# -- "Answer with lore" ------------------------------------------------------------------------------
async def test_the_context_menu_answers_that_message_as_a_reply(world: World) -> None:
    fake = world.fake
    author, picker = new_member(fake, "menu-author"), new_member(fake, "menu-picker")
    text = "the asimov code thing in this show is so confusing lol 😵"
    original = await fake.post_message(text, user=author, channel="menu")
    rec = await fake.send_context_menu("Answer with lore", original, kind=3, user=picker, channel="menu")
    body = await rec.response(timeout=5)
    assert body["type"] == 5 and body["data"]["flags"] & 64  # deferred, privately for the picker
    answer = await fake.wait_for_reply(original)
    assert_a_quiet_reply(world, answer, original)
    assert answer["content"] == expected(world, text, ChatHorizon(None, HorizonSource.NONE), voice=Voice.PICKER,
                                         menu=True)
    assert answer["content"].startswith("**")
    [note] = await rec.wait_followups(1)
    assert note["flags"] & 64 and note["content"].startswith("Answered as a reply to that message: ")
    assert note["content"].endswith(f"/{answer['id']}")


async def test_the_lowest_horizon_holds_for_a_mention_and_the_context_menu_on_it(world: World) -> None:
    """The author saved progress 3; the member who picks "Answer with lore" is at 13. Neither
    answer shows anything revealed after episode 3."""
    fake = world.fake
    question = "who is rouge?"
    assert max(episodes_shown(world.lore.ask(question).text)) > 3, "the question must have later reveals"
    author, picker = new_member(fake, "at-three"), new_member(fake, "at-thirteen")
    await set_progress(world, author, 3)
    await set_progress(world, picker, 13)
    text = f"<@{world.me}> {question}"
    original = await fake.post_message(text, user=author, channel="horizon")
    mention_answer = await fake.wait_for_reply(original)
    assert mention_answer["content"] == expected(world, text, ChatHorizon(3, HorizonSource.AUTHOR))
    assert mention_answer["content"].endswith("-# As of episode 3, the progress you saved with /progress.")

    rec = await fake.send_context_menu("Answer with lore", original, kind=3, user=picker, channel="horizon")
    await rec.wait_followups(1)
    replies = fake.replies_to(original)
    assert len(replies) == 2
    menu_answer = replies[1]
    assert menu_answer["content"] == expected(world, text, ChatHorizon(3, HorizonSource.AUTHOR), voice=Voice.PICKER,
                                              menu=True)
    assert menu_answer["content"].endswith("-# As of episode 3, the progress its author saved with /progress.")
    for answer in (mention_answer, menu_answer):
        shown = episodes_shown(answer["content"])
        assert shown and max(shown) <= 3, answer["content"]


async def test_the_context_menu_keeps_i_dont_know_private(world: World) -> None:
    fake = world.fake
    original = await fake.post_message("who is naruto tho?", user=new_member(fake, "naruto-fan"), channel="menu")
    rec = await fake.send_context_menu("Answer with lore", original, kind=3, user=new_member(fake, "naruto-picker"),
                                       channel="menu")
    private = await reply(rec)
    assert is_ephemeral(private) and private["content"].startswith("I don't know the answer to ")
    assert fake.replies_to(original) == []


# -- DMs --------------------------------------------------------------------------------------------
async def test_a_dm_is_answered_privately(world: World) -> None:
    fake = world.fake
    fan = new_member(fake, "dm-fan")
    await set_progress(world, fan, 5)
    text = "heyy who is rouge's mom"
    original = await fake.post_message(text, user=fan, dm=True)
    dm = fake.open_dm(fan)
    assert original["channel_id"] == dm["id"]
    answer = await fake.wait_for_reply(original)
    assert answer["channel_id"] == dm["id"]
    assert_a_quiet_reply(world, answer, original)
    assert answer["content"] == expected(world, text, ChatHorizon(5, HorizonSource.AUTHOR))
    assert "-# As of episode 5, the progress you saved with /progress." in answer["content"]
    # no server horizon in a DM: every reveal is in spoiler bars
    for line in answer["content"].split("\n")[1:]:
        if EPISODE_TAG.search(line):
            assert line.startswith("||"), line
    # a DM also says "I don't know", privately
    unknown = await fake.post_message("how tall is goku?", user=fan, dm=True)
    assert (await fake.wait_for_reply(unknown))["content"].startswith("I can't answer “how tall is goku” as of episode 5")


# -- the payloads -----------------------------------------------------------------------------------
async def test_every_payload_fits_discords_api_description(world: World) -> None:
    spec = default_spec_path()
    if spec is None or not os.path.isfile(spec):
        pytest.skip("Discord's OpenAPI description is not available")
    bodies = [rec.json for rec in world.fake.requests
              if rec.route == "/channels/{channel_id}/messages" and rec.method == "POST"]
    assert len(bodies) >= 8
    for body in bodies:
        assert_no_pings(body)
        assert "message_reference" in body
    world.fake.assert_openapi_conformance(spec)
