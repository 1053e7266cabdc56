"""End to end: the gateway drops under the running bot, and interactions still get one answer each.

One bot process serves the module. Each test drops the gateway a different way while a user asks
something, then checks that the bot resumed (or identified anew when it had to), answered the
interaction sent during the outage exactly once, and keeps answering afterwards.

Timing: after a non-resumable INVALID_SESSION, discord.py waits 5 seconds before it identifies
again (Discord's identify rate limit; the bot keeps that), so that test takes about six seconds.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import pytest_asyncio

from bot.answering.lore import Lore

from .bot_process import BotProcess, new_member, reply, running_bot
from .fake_discord import FakeDiscord, InteractionRecord

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(60)]

STEP = 10.0  # bound for one reconnection
#: Holds a reconnecting bot off for a moment, so that an interaction really falls into the outage.
OUTAGE = 0.5
QUESTIONS = ("rouge mom", "who is gene", "what are the neans", "who killed roy", "who is naomi", "who is jill")


@dataclass
class World:
    fake: FakeDiscord
    bot: BotProcess
    lore: Lore
    asked: int = 0


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    async with FakeDiscord(heartbeat_interval=2000) as fake:
        async with running_bot(fake, tmp_path_factory.mktemp("resilience")) as bot:
            yield World(fake, bot, Lore.load(bot.knowledge_dir))
        assert bot.returncode == 0, bot.describe()


@pytest.fixture(autouse=True)
def every_interaction_answered_once(world: World) -> object:
    """After every test: every interaction so far got exactly one accepted answer (no second
    attempt, none refused), nothing Discord would refuse, no error logged by the bot."""
    world.fake.hello_delay = 0.0
    yield
    world.fake.hello_delay = 0.0
    for rec in world.fake.interactions.values():
        assert rec.acknowledged, f"interaction {rec.id} was never answered: {rec!r}"
        assert len(rec.attempts) == 1 and rec.attempts[0].accepted, f"{rec!r}: {rec.attempts}"
    world.fake.assert_no_violations()
    assert world.bot.errors() == [], world.bot.describe()


async def ask(world: World, **kw: object) -> tuple[InteractionRecord, str]:
    """A fresh user asks a question (fresh users keep clear of the per-user cooldown)."""
    world.asked += 1
    question = QUESTIONS[world.asked % len(QUESTIONS)]
    user = new_member(world.fake, f"fan-{world.asked}")
    rec = await world.fake.send_slash_command("ask", {"question": question, "public": False}, user=user, **kw)
    return rec, question


async def assert_answered(world: World, rec: InteractionRecord, question: str, timeout: float = STEP) -> None:
    data = await reply(rec, timeout=timeout)
    assert data["content"] == world.lore.ask(question).text
    assert rec.latency is not None and rec.latency < 3.0


async def still_answers(world: World) -> None:
    rec, question = await ask(world)
    await assert_answered(world, rec, question, timeout=5)


async def test_close_4000_resumes_and_answers_what_was_asked_meanwhile(world: World) -> None:
    fake = world.fake
    identifies, resumes, seq = fake.identify_count, fake.resume_count, fake.sequence
    fake.hello_delay = OUTAGE
    old = await fake.gateway_close(4000)
    rec, question = await ask(world)
    assert rec.queued and rec.delivery_count == 0  # really sent while the bot was away
    await fake.wait_for_resume(resumes + 1, timeout=STEP)
    await assert_answered(world, rec, question)
    assert rec.delivery_count == 1 and rec.seq == seq + 1  # replayed by the RESUME, once
    assert fake.identify_count == identifies  # resumed, not identified anew
    assert old.close_code == 4000 and fake.connections[-1].path == "/resume-gateway"
    await still_answers(world)


async def test_raw_tcp_abort_resumes_and_answers_what_was_asked_meanwhile(world: World) -> None:
    fake = world.fake
    identifies, resumes = fake.identify_count, fake.resume_count
    fake.hello_delay = OUTAGE
    old = await fake.gateway_abort()  # no close frame: like a network failure
    rec, question = await ask(world)
    assert rec.queued and rec.delivery_count == 0
    await fake.wait_for_resume(resumes + 1, timeout=STEP)
    await assert_answered(world, rec, question)
    assert old.closed_by == "abort" and fake.identify_count == identifies
    await still_answers(world)


async def test_reconnect_request_resumes_and_answers_once(world: World) -> None:
    fake = world.fake
    identifies, resumes = fake.identify_count, fake.resume_count
    fake.hello_delay = OUTAGE
    old = await fake.gateway_send_reconnect()
    # one sent at once (it may reach the closing connection and be replayed by the RESUME)...
    early, early_question = await ask(world)
    await fake.wait_for(lambda: not old.open, timeout=STEP, what="the bot to close the old connection")
    # ...and one while the bot is away
    during, during_question = await ask(world)
    assert during.queued and during.delivery_count == 0
    await fake.wait_for_resume(resumes + 1, timeout=STEP)
    await assert_answered(world, early, early_question)
    await assert_answered(world, during, during_question)
    assert old.closed_by == "client" and fake.identify_count == identifies
    await still_answers(world)


async def test_resumable_invalid_session_resumes(world: World) -> None:
    fake = world.fake
    identifies, resumes, session = fake.identify_count, fake.resume_count, fake.session_id
    fake.hello_delay = OUTAGE
    await fake.gateway_invalid_session(resumable=True)
    rec, question = await ask(world)
    await fake.wait_for_resume(resumes + 1, timeout=STEP)
    await assert_answered(world, rec, question)
    assert fake.session_id == session and fake.identify_count == identifies
    await still_answers(world)


async def test_invalid_session_identifies_anew_and_answers_once(world: World) -> None:
    fake, bot = world.fake, world.bot
    identifies, resumes, session = fake.identify_count, fake.resume_count, fake.session_id
    await fake.gateway_invalid_session(resumable=False)
    # The session is dead: Discord would drop what it could not deliver. The fake holds the event
    # until the next READY instead, so this checks that the new session answers it exactly once;
    # the bot waits 5 s before identifying (Discord's identify rate limit), hence the deadline.
    rec, question = await ask(world, deadline=15.0)
    await fake.wait_for_identify(identifies + 1, timeout=15.0)
    assert fake.session_id != session and fake.resume_count == resumes
    assert fake.connections[-1].path == "/gateway"  # not gateway.discord.gg: the bot kept the fake's URL
    data = await reply(rec, timeout=STEP)
    assert data["content"] == world.lore.ask(question).text
    assert rec.delivery_count == 1
    await still_answers(world)
    # the heartbeat (health check) follows the gateway: cleared while away, back once ready
    await bot.wait_for(bot.health_file.exists, STEP, "the heartbeat file after the new session")
    disconnects = [m for m in bot.messages if re.fullmatch(r"shard 0 disconnected; .*", m)]
    assert disconnects, "the health cog never noticed a disconnect"
