"""End to end: bad input reaches the real bot, and it answers sanely, escapes what it echoes, and
loses nothing it could keep.

Discord's client would refuse most of these values (an empty question, one over the option's
``max_length`` of 300, an episode outside ``min_value``/``max_value``), but the fake, like a
crafted request, delivers them unchanged: the option values of an interaction are not checked
against the registered limits on the way in. So the bot must cope with them itself.
"""

from __future__ import annotations

import copy
import os
import re
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio

from bot.answering.lore import Lore
from bot.answering.matcher import Verdict
from bot.storage import Storage

from .bot_process import BotProcess, buttons, is_ephemeral, new_member, reply, running_bot
from .fake_discord import FakeDiscord, InteractionRecord

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(60)]

MESSAGE_LIMIT = 2000
EMPTY_QUESTION = "Ask me something about Metallic Rouge, for example: who is Rouge's mother?"
#: Questions that are still close enough to entries for a public "did you mean" (the first one
#: the knowledge answers that way is used: the matcher is being tuned).
PUBLIC_INJECTIONS = ("alien @here **b** ||x||", "alien @everyone ||x||", "alien **x** <@1>", "alien ||x||")


@dataclass
class World:
    fake: FakeDiscord
    bot: BotProcess
    lore: Lore


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    async with FakeDiscord(heartbeat_interval=2000) as fake:
        async with running_bot(fake, tmp_path_factory.mktemp("bad-input")) as bot:
            yield World(fake, bot, Lore.load(bot.knowledge_dir))
        assert bot.returncode == 0, bot.describe()


def quiet(world: World) -> None:
    world.fake.assert_no_violations()
    assert world.bot.errors() == [], world.bot.describe()


def no_raw_markup(content: str) -> None:
    """Nothing in ``content`` can format, hide or ping: every pipe, star, backtick and angle
    bracket of the echo is escaped, and no mention is intact."""
    assert re.search(r"(?<!\\)\|", content) is None, content  # no || can open or close a spoiler bar
    assert "@everyone" not in content and "@here" not in content, content
    assert re.search(r"<@[!&]?\d+>", content) is None, content
    assert re.search(r"(?<!\\)\*\*", content) is None, content


def pinged_nobody(rec: InteractionRecord) -> None:
    message = rec.original
    assert message is not None
    assert message["mentions"] == [] and message["mention_roles"] == [] and message["mention_everyone"] is False


# -- question length --------------------------------------------------------------------------------
@pytest.mark.parametrize("question", ["", "   "])
async def test_an_empty_question_gets_a_hint(world: World, question: str) -> None:
    user = new_member(world.fake, f"empty-{len(question)}")
    data = await reply(await world.fake.send_slash_command("ask", {"question": question}, user=user))
    assert is_ephemeral(data) and data["content"] == EMPTY_QUESTION
    quiet(world)


async def test_a_one_character_question_is_answered_as_unknown_and_noted(world: World) -> None:
    user = new_member(world.fake, "one-char")
    data = await reply(await world.fake.send_slash_command("ask", {"question": "?"}, user=user))
    assert is_ephemeral(data)
    assert data["content"] == (
        "I don't know the answer to “?” yet. I've noted the question so the moderators can teach it to me."
    )
    listed = await reply(await world.fake.send_slash_command("lore-admin unanswered", user=world.fake.moderator))
    assert "“?”: once" in listed["content"]
    quiet(world)


async def test_a_6000_character_question_is_read_up_to_300_and_answered_in_one_message(world: World) -> None:
    fake, lore = world.fake, world.lore
    # unknown: the echo is cut to 200 characters, the message fits Discord's 2000
    rec = await fake.send_slash_command("ask", {"question": "x" * 6000}, user=new_member(fake, "long-unknown"))
    data = await reply(rec)
    assert is_ephemeral(data) and len(data["content"]) <= MESSAGE_LIMIT
    assert data["content"] == f"I don't know the answer to “{'x' * 199}…” yet. I've noted the question so the moderators can teach it to me."

    # known words at the start: the bot reads the first 300 characters and answers
    question = ("rouge mom " * 600)[:6000]
    rec = await fake.send_slash_command("ask", {"question": question, "public": False}, user=new_member(fake, "long-known"))
    data = await reply(rec)
    assert data["content"] == lore.ask(question[:300]).text
    assert data["content"].startswith("**||Who is Rouge's mother?||**")  # the whole series, server horizon 0

    # autocomplete and /mystery with 6000 characters typed still answer within the limits
    rec = await fake.send_autocomplete("ask", {"question": "rouge " * 1000}, focused="question",
                                       user=new_member(fake, "long-typing"))
    body = await rec.response(timeout=5)
    assert body["type"] == 8 and len(body["data"]["choices"]) <= 25
    # upto 13: the whole series, whose mystery list is long (with no progress it stops at the
    # server's spoiler-free episode, 0 here, which has none)
    rec = await fake.send_slash_command("mystery", {"topic": "z" * 6000, "upto": 13}, user=new_member(fake, "long-topic"))
    data = await reply(rec)
    assert is_ephemeral(data) and len(data["content"]) <= MESSAGE_LIMIT
    assert data["content"].startswith(f"I don't know the answer to “{'z' * 199}…” yet.")
    assert "\n-# Mysteries I know: " in data["content"]
    quiet(world)


# -- injection ------------------------------------------------------------------------------------
async def test_markdown_mentions_and_spoiler_bars_in_a_question_are_escaped(world: World) -> None:
    fake = world.fake
    assert fake.guild is not None
    victim = new_member(fake, "victim")
    role = fake.guild.role("Moderator")
    injected = f"||late reveal|| @everyone @here <@{victim['id']}> <@&{role['id']}> **bold** `code` > quote [x](http://e.x)"

    rec = await fake.send_slash_command("ask", {"question": injected}, user=new_member(fake, "injector"))
    data = await reply(rec)
    assert data["content"].startswith("I don't know the answer to “")
    no_raw_markup(data["content"])
    assert "\\|\\|late reveal\\|\\|" in data["content"] and "\\*\\*bold\\*\\*" in data["content"]
    pinged_nobody(rec)

    # the same in a public "did you mean": what everyone sees is escaped as well
    public = next((q for q in PUBLIC_INJECTIONS if world.lore.ask(q).status is Verdict.SUGGEST), None)
    assert public is not None, "no candidate makes the knowledge say 'did you mean'"
    rec = await fake.send_slash_command("ask", {"question": public}, user=new_member(fake, "public-injector"))
    data = await reply(rec)
    assert not is_ephemeral(data) and buttons(rec.original), data["content"]
    echo, *options = data["content"].split("\n")
    no_raw_markup(echo)
    for option in options[:3]:  # the bot's own bars: a whole question first shown after the server's horizon
        number, text = option.split(". ", 1)
        no_raw_markup(text[2:-2] if text.startswith("||") and text.endswith("||") else text)
    pinged_nobody(rec)

    # and where moderators read it back
    listed = await reply(await fake.send_slash_command("lore-admin unanswered", user=fake.moderator))
    (line,) = [line for line in listed["content"].split("\n") if "late reveal" in line]
    no_raw_markup(line)
    quiet(world)


async def test_a_button_for_an_entry_that_no_longer_exists_is_answered_plainly(world: World) -> None:
    fake = world.fake
    # A "did you mean" message posted before the knowledge changed: its button names an entry id
    # that is gone. (Discord only sends a click for a button on the message, so the stale message
    # is simulated by renaming the entry in a copy of a real one.)
    question = next(q for q in ("alien", "what happened", "who fights", "wher does rouge come frm") if world.lore.ask(q).status is Verdict.SUGGEST)
    asked = await fake.send_slash_command("ask", {"question": question}, user=new_member(fake, "stale-asker"),
                                          channel="general")
    await reply(asked)
    stale = copy.deepcopy(asked.original)
    button = buttons(stale)[0]
    button["custom_id"] = "lore:see:p:a:no-such-entry"
    rec = await fake.send_interaction(3, {"custom_id": button["custom_id"], "component_type": 2, "id": button.get("id")},
                                      message=stale, channel=stale["channel_id"], user=new_member(fake, "presser"))
    data = await reply(rec)
    assert is_ephemeral(data)
    assert data["content"] == "I no longer know that one (the knowledge changed since). Please ask again with /ask."
    quiet(world)


# -- episode numbers --------------------------------------------------------------------------------
@pytest.mark.parametrize("number", [99, 0, -5])
async def test_an_unknown_episode_is_named_as_such(world: World, number: int) -> None:
    user = new_member(world.fake, f"episode-{number}")
    data = await reply(await world.fake.send_slash_command("episode", {"number": number}, user=user, force=True))
    assert is_ephemeral(data)
    assert data["content"] == f"Metallic Rouge has episodes 1 to 13; there is no episode {number}."
    quiet(world)


async def test_progress_outside_the_series_is_refused_or_capped(world: World) -> None:
    fake = world.fake
    user = new_member(fake, "negative")
    data = await reply(await fake.send_slash_command("progress set", {"episode": -1}, user=user))
    assert data["content"] == "Episodes run from 1 to 13 (0 if you have not started); -1 is not one of them."
    shown = await reply(await fake.send_slash_command("progress show", user=user))
    assert shown["content"].startswith("You haven't told me how far you have watched")  # nothing was saved

    data = await reply(await fake.send_slash_command("progress set", {"episode": 99}, user=user))
    assert data["content"].startswith("Saved: you have watched all 13 episodes.")
    answer = await reply(await fake.send_slash_command("ask", {"question": "rouge mom", "public": False}, user=user))
    assert answer["content"] == world.lore.ask("rouge mom").text  # the whole series

    # a negative upto on /ask means "nothing seen yet"
    data = await reply(await fake.send_slash_command("ask", {"question": "rouge mom", "upto": -3}, user=user))
    assert is_ephemeral(data)
    assert data["content"].startswith("I can't answer “rouge mom” before episode 1.")
    quiet(world)


async def test_a_spoiler_free_horizon_outside_the_series_is_refused(world: World) -> None:
    fake = world.fake
    for episode in (99, -1):
        data = await reply(await fake.send_slash_command("lore-admin horizon", {"episode": episode},
                                                         user=fake.moderator))
        assert data["content"] == "The series has episodes 1 to 13; choose 0 to 13. Nothing was changed."
    stats = await reply(await fake.send_slash_command("lore-admin stats", user=fake.moderator))
    assert "**Spoiler-free horizon**: episode 0 (every reveal is in spoiler bars)." in stats["content"]
    quiet(world)


# -- a corrupt database at start ---------------------------------------------------------------------
STORED_USERS = 4000
FIRST_STORED_USER = 10_000

def _garbage(path: Path) -> None:
    path.write_bytes(b"this is not a database, it is a text file someone saved over it\n" * 64)


def _damaged_pages(path: Path) -> None:
    """A real database whose middle pages were overwritten (a bad disk, a half-copied backup):
    SQLite opens it, and only fails when a query reaches the damaged pages."""
    storage = Storage.open(path)
    for user in range(STORED_USERS):
        storage.set_progress(FIRST_STORED_USER + user, user % 13)
    storage.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.seek(size // 2)
        handle.write(bytes(range(256)) * 32)


@pytest.mark.parametrize("corrupt", [_garbage, _damaged_pages], ids=["not-a-database", "damaged-pages"])
async def test_a_corrupt_database_is_moved_aside_and_the_bot_serves(tmp_path: Path, corrupt: object) -> None:
    async with FakeDiscord(heartbeat_interval=2000) as fake:
        bot = BotProcess(fake, tmp_path)
        database = bot.data_dir / "lore.sqlite3"
        corrupt(database)  # type: ignore[operator]
        damaged = database.read_bytes()
        try:
            await bot.start()
            # it serves: an answer, and progress is saved in the new database and read back
            user = new_member(fake, "after-the-crash")
            data = await reply(await fake.send_slash_command("mystery", {"topic": "mother"}, user=user))
            assert data["content"].startswith("**||Who is Rouge's mother?||**")
            await reply(await fake.send_slash_command("progress set", {"episode": 4}, user=user))
            shown = await reply(await fake.send_slash_command("progress show", user=user))
            assert shown["content"].startswith("You have told me you have watched up to episode 4 of 13;")
            # fans whose progress was in the damaged file get answers (from the new, empty database),
            # not an apology because a query reached a damaged page
            for number in range(0, STORED_USERS, STORED_USERS // 10):
                fan = fake.create_user(f"stored-{number}", user_id=str(FIRST_STORED_USER + number))
                shown = await reply(await fake.send_slash_command("progress show", user=fan))
                assert shown["content"].startswith("You haven't told me how far you have watched"), shown["content"]
        finally:
            await bot.stop()
        fake.assert_no_violations()
    assert bot.returncode == 0, bot.describe()

    # a clear message in the log, naming both files
    (record,) = bot.errors()
    aside = sorted(bot.data_dir.glob("lore.sqlite3.corrupt-*"))
    assert len(aside) == 1, sorted(os.listdir(bot.data_dir))
    assert record["message"].startswith(f"The database {database} could not be read (")
    assert f"It was moved to {aside[0]} so nothing in it is lost; a new, empty database was started." in record["message"]
    assert not any("Traceback" in line for line in bot.stderr_lines), bot.describe()
    # the damaged file is kept byte for byte; the new one is a sound database with the new progress
    assert aside[0].read_bytes() == damaged
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA quick_check").fetchone() == ("ok",)
        assert db.execute("SELECT episode FROM user_progress WHERE user_id = ?", (int(user["id"]),)).fetchone() == (4,)
