"""End to end: issue 13's hostile and faulty conditions, against the real bot process and the fake Discord.

One bot process serves most of the module: two servers, the default "Test Guild" as the home
server (``HOME_GUILD_ID``) and "Other Server", whose moderators do not maintain the knowledge, plus
one user listed in ``MAINTAINER_IDS``. The commands are global, so both servers have them.

Tests that need their own process (a database deleted under it and a restart; start-up errors)
start it themselves. Every wait is bounded; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import copy
import ctypes
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio

from bot.answering.lore import Lore
from bot.answering.matcher import Verdict

from .bot_process import (
    ROOT,
    BotProcess,
    buttons,
    clean_environment,
    deferred_reply,
    is_ephemeral,
    new_member,
    reply,
    report,
    running_bot,
)
from .fake_discord import FakeDiscord, FakeGuild, InteractionRecord, Permissions

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(90)]

SUPPRESS_EMBEDS = 1 << 2
PHRASE = "the lady who built the red android"
STORAGE_BUSY = "My storage is busy right now, so nothing was saved or changed. Please try again in a moment."
REFUSAL_DECIDE = (
    "Only the knowledge's maintainers can accept or reject proposals: the moderators of the home server "
    "and the users in MAINTAINER_IDS."
)
REFUSAL_RELOAD = (
    "Only the knowledge's maintainers can reload it, since it is the same for every server "
    "(the bot reloads by itself within a second of a saved change). See /lore-admin stats."
)


@dataclass
class World:
    fake: FakeDiscord
    bot: BotProcess
    lore: Lore  # the knowledge as the bot loaded it at start
    home: FakeGuild
    other: FakeGuild
    other_mod: dict  # a moderator of Other Server: proposes
    listed: dict  # in MAINTAINER_IDS: maintains from any server they moderate


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    async with FakeDiscord(heartbeat_interval=2000) as fake:
        home = fake.guild
        assert home is not None
        other = fake.add_guild("Other Server", owner=fake.create_user("other-owner"))
        other.add_text_channel("general")
        other.add_text_channel("mod-log")
        mods = other.add_role("Moderator", Permissions.MODERATOR)
        other.add_member(fake.bot_user, [other.add_role("LoreBot", Permissions.BOT, managed=True)])
        other_mod = fake.create_user("other-mod")
        other.add_member(other_mod, [mods])
        listed = fake.create_user("listed-maintainer")
        other.add_member(listed, [mods])
        env = {"HOME_GUILD_ID": home.id, "MAINTAINER_IDS": listed["id"]}
        async with running_bot(fake, tmp_path_factory.mktemp("hardening"), dev_guild=None, env=env) as bot:
            yield World(fake, bot, Lore.load(bot.knowledge_dir), home, other, other_mod, listed)
        assert bot.returncode == 0, bot.describe()


@pytest.fixture(autouse=True)
def nothing_discord_would_refuse(world: World) -> object:
    """After every test: no protocol violation, no error logged by the bot."""
    yield
    world.fake.assert_no_violations()
    assert world.bot.errors() == [], world.bot.describe()


async def final(rec: InteractionRecord) -> dict:
    """What the user finally sees: the reply, or the follow-up that replaced "thinking..."."""
    body = await rec.response(timeout=5)
    if body["type"] == 4:
        return body["data"]
    return await rec.wait_original(lambda m: bool(m.get("content")), timeout=10)


async def set_home_modlog(world: World) -> dict:
    modlog = world.home.channel("mod-log")
    await deferred_reply(await world.fake.send_slash_command("lore-admin modlog", {"channel": modlog["id"]},
                                                             user=world.fake.moderator, guild=world.home))
    return modlog


# -- 1. one server must not change another's knowledge ------------------------------------------------
async def test_a_teach_from_another_server_waits_for_a_maintainer(world: World) -> None:
    fake, bot, home, other = world.fake, world.bot, world.home, world.other
    assert any(m.startswith("knowledge maintainers: the knowledge every server sees is changed only by the "
                            f"moderators of the home server {home.id} (HOME_GUILD_ID) and the users "
                            f"{world.listed['id']} (MAINTAINER_IDS)") for m in bot.messages)
    modlog = await set_home_modlog(world)
    path = world.lore.kb.entry("rouge-mother").path
    assert path is not None
    knowledge_file = bot.knowledge_dir / path.name
    before = knowledge_file.read_bytes()

    teach = await final(await fake.send_slash_command(
        "lore-admin teach", {"question": PHRASE, "entry": "rouge-mother"}, user=world.other_mod, guild=other))
    assert teach["content"].startswith(
        f"Sent to the knowledge's maintainers as proposal #1: ||add the alias '{PHRASE}' to 'rouge-mother'||.\n"
        "Nobody sees it until a maintainer accepts it")
    assert is_ephemeral(teach)

    # nobody sees it: the file is untouched, and the phrase does not find the entry in either server
    assert knowledge_file.read_bytes() == before
    fan = new_member(fake, "home-fan")
    unknown = await reply(await fake.send_slash_command("ask", {"question": PHRASE, "public": False}, user=fan))
    assert unknown["content"] == world.lore.ask(PHRASE).text
    assert not unknown["content"].startswith("**Who is Rouge's mother?**")

    # the maintainers get one post, with the change in spoiler bars and two buttons; it pings nobody
    post = await fake.wait_for_message(lambda m: m["content"].startswith("**Proposal #1**"), channel=modlog,
                                       kind="channel", timeout=5)
    assert f"||add the alias '{PHRASE}' to 'rouge-mother'||" in post["content"]
    assert post["mentions"] == [] and post["mention_everyone"] is False
    assert [b["custom_id"] for b in buttons(post)] == ["lore:proposal:accept:1", "lore:proposal:reject:1"]
    stale = copy.deepcopy(post)  # the post as another maintainer's client still shows it

    # only a maintainer's press counts
    for presser in (fake.user, world.other_mod):
        refused = await reply(await fake.click_button(post, "lore:proposal:accept:1", user=presser, guild=home))
        assert is_ephemeral(refused) and refused["content"] == REFUSAL_DECIDE
    assert knowledge_file.read_bytes() == before

    press = await fake.click_button(post, "lore:proposal:accept:1", user=fake.moderator, guild=home)
    updated = await press.wait_original(lambda m: "**Accepted** by" in m["content"], timeout=10)
    assert updated["id"] == post["id"] and buttons(updated) == []
    [done] = await press.wait_followups(1, timeout=10)
    assert done["content"].startswith(f"Proposal #1 accepted. Added the alias '{PHRASE}' to 'rouge-mother'")
    assert PHRASE in knowledge_file.read_text(encoding="utf-8")
    await bot.wait_for_log("knowledge loaded from", timeout=10)
    answered = await reply(await fake.send_slash_command("ask", {"question": PHRASE, "public": False},
                                                         user=new_member(fake, "home-fan-2")))
    assert answered["content"].startswith("**||Who is Rouge's mother?||**")  # no progress, server at 0: barred

    # a second press changes nothing
    again = await fake.send_interaction(
        3, {"custom_id": "lore:proposal:reject:1", "component_type": 2}, message=stale, channel=modlog["id"],
        user=fake.moderator, guild=home)
    [notice] = await again.wait_followups(1, timeout=10)
    assert notice["content"] == "Proposal #1 is already accepted; nothing was changed." and is_ephemeral(notice)

    # the proposer's server history records both steps
    history = await reply(await fake.send_slash_command("lore-admin history", user=world.other_mod, guild=other))
    assert "proposal accepted: #1: add the alias" in history["content"]
    assert "proposal: #1: add the alias" in history["content"]


async def test_a_rejected_proposal_changes_nothing(world: World) -> None:
    fake, home, other = world.fake, world.home, world.other
    modlog = await set_home_modlog(world)
    before = {p.name: p.read_bytes() for p in world.bot.knowledge_dir.glob("*.yaml")}
    phrase = "rouge is secretly the villain"  # a plain alias that would name a "twist" for everyone
    teach = await final(await fake.send_slash_command(
        "lore-admin teach", {"question": phrase, "entry": "rouge"}, user=world.other_mod, guild=other))
    number = int(re.search(r"proposal #(\d+)", teach["content"]).group(1))
    post = await fake.wait_for_message(lambda m: m["content"].startswith(f"**Proposal #{number}**"),
                                       channel=modlog, kind="channel", timeout=5)
    press = await fake.click_button(post, f"lore:proposal:reject:{number}", user=fake.moderator, guild=home)
    await press.wait_original(lambda m: "**Rejected** by" in m["content"], timeout=10)
    assert {p.name: p.read_bytes() for p in world.bot.knowledge_dir.glob("*.yaml")} == before
    history = await reply(await fake.send_slash_command("lore-admin history", user=world.other_mod, guild=other))
    assert f"proposal rejected: #{number}: add the alias '{phrase}'" in history["content"]


async def test_reload_stats_and_listed_maintainers(world: World) -> None:
    fake, other = world.fake, world.other
    refused = await reply(await fake.send_slash_command("lore-admin reload", user=world.other_mod, guild=other))
    assert refused["content"] == REFUSAL_RELOAD
    stats = await reply(await fake.send_slash_command("lore-admin stats", user=world.other_mod, guild=other))
    assert "**Maintainers**: the knowledge every server sees is changed only by" in stats["content"]
    assert "You are not one of them: what you teach here is sent to them as a proposal" in stats["content"]
    # a user in MAINTAINER_IDS teaches from any server they moderate, directly
    taught = await final(await fake.send_slash_command(
        "lore-admin teach", {"question": "the guy who made gene", "entry": "gene-father"}, user=world.listed,
        guild=other))
    assert taught["content"].startswith("Taught: Added the alias 'the guy who made gene' to 'gene-father'")
    stats = await reply(await fake.send_slash_command("lore-admin stats", user=world.listed, guild=other))
    assert "You are one of them." in stats["content"]


# -- 2. links and bidirectional controls in questions -------------------------------------------------
def _suggesting_question_with_a_link(lore: Lore) -> str:
    for base in ("the aliens", "alien", "who fights", "what happened"):
        question = f"{base} \u202e https://alien.example/aliens"
        if lore.ask(question).status is Verdict.SUGGEST:
            return question
    raise AssertionError("no candidate question makes the real knowledge say 'did you mean'")


async def test_an_echoed_link_is_dead_unpreviewed_and_bidi_controls_are_gone(world: World) -> None:
    question = _suggesting_question_with_a_link(world.lore)
    rec = await world.fake.send_slash_command("ask", {"question": question}, user=new_member(world.fake, "linker"))
    data = await reply(rec)
    assert not is_ephemeral(data)
    assert data["content"].startswith("I'm not sure what you mean by “")
    assert "https://" not in data["content"] and "https:\u200b//alien.example/aliens" in data["content"]
    assert "\u202e" not in data["content"]
    assert int(data.get("flags") or 0) & SUPPRESS_EMBEDS
    unknown = await reply(await world.fake.send_slash_command(
        "ask", {"question": "zzqx https://evil.example/free-nitro"}, user=new_member(world.fake, "linker-2")))
    assert "https://" not in unknown["content"] and int(unknown.get("flags") or 0) & SUPPRESS_EMBEDS


# -- 5. a database held locked by another process --------------------------------------------------------
async def test_a_locked_database_never_leaves_an_interaction_unanswered(world: World) -> None:
    fake, bot = world.fake, world.bot
    users = [new_member(fake, f"locked-{n}") for n in range(8)]
    holder = sqlite3.connect(bot.data_dir / "lore.sqlite3", isolation_level=None, timeout=5)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        sent: list[tuple[str, InteractionRecord]] = []
        for number, user in enumerate(users):
            if number % 2 == 0:
                sent.append(("set", await fake.send_slash_command("progress set", {"episode": 3}, user=user)))
            else:
                sent.append(("ask", await fake.send_slash_command(
                    "ask", {"question": "rouge mom", "public": False}, user=user)))
        answers = [await reply(rec, timeout=6) for _, rec in sent]
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    for (kind, rec), data in zip(sent, answers):
        assert rec.latency is not None and rec.latency < 3.0, (kind, rec.latency)
        expected = STORAGE_BUSY if kind == "set" else world.lore.ask("rouge mom").text
        assert data["content"] == expected
    # what was refused was not saved; once the lock is gone, saving works
    shown = await reply(await fake.send_slash_command("progress show", user=users[0]))
    assert shown["content"].startswith("You haven't told me how far you have watched")
    saved = await reply(await fake.send_slash_command("progress set", {"episode": 3}, user=users[0]))
    assert saved["content"].startswith("Saved: you have watched up to episode 3 of 13.")


# -- 8 and 9. a problem flood and an oversized file ---------------------------------------------------------
async def test_a_problem_flood_is_one_mod_log_message_and_never_delays_a_fix(world: World) -> None:
    fake, bot = world.fake, world.bot
    modlog = await set_home_modlog(world)
    posted_before = len(fake.find_messages(channel=modlog, kind="channel"))
    flood = bot.knowledge_dir / "flood.yaml"
    # 500 entries with two problems each: 1,000 problems
    flood.write_text("entries:\n" + "".join(
        f"  - {{id: flood-{n}, question: Flood {n}?, nonsense: {n}}}\n" for n in range(500)), encoding="utf-8")
    slow = fake.rate_limit_once("POST", "/channels/{channel_id}/messages", retry_after=8.0)  # a slow mod-log
    mark = len(bot.records)
    try:
        await bot.wait_for_log("knowledge not reloaded", timeout=10, after=mark)
        # Fixed once the alarm is on its way (held back by the rate limit). Fixed any sooner, the
        # broken state is stale before it is reported, and rightly never reported at all.
        await fake.wait_for(lambda: slow.hits, timeout=10, what="the alarm's first post")
        flood.unlink()  # the fix, saved while the alarm is still being posted
        mark = len(bot.records)
        await bot.wait_for_log("knowledge loaded from", timeout=10, after=mark)
        # The fix went live while the alarm was still held back by the rate limit (8 s): it did
        # not wait for the post. An order, not a time bound, so a busy machine cannot fail it
        # (a 4 s bound on the reload did, now and then).
        alarms = [m for m in fake.find_messages(channel=modlog, kind="channel")[posted_before:] if "NOT reloaded" in m["content"]]
        assert not alarms, "the reload waited for the mod-log post"
    finally:
        if flood.exists():
            flood.unlink()
    fixed = await fake.wait_for_message(lambda m: m["content"].startswith("Knowledge fixed and reloaded:"),
                                        channel=modlog, kind="channel", timeout=25)
    posts = fake.find_messages(channel=modlog, kind="channel")[posted_before:]
    [alarm] = [m for m in posts if "NOT reloaded" in m["content"]]  # one message for 1,000 problems
    assert alarm["content"].startswith("**Knowledge NOT reloaded**: 1000 problem(s). Still serving the last good")
    assert alarm["content"].endswith("\n... and 990 more: run /lore-admin check for the full list.")
    assert "knowledge/flood.yaml:2: " in alarm["content"] and len(alarm["content"]) <= 2000
    assert posts[-1]["id"] == fixed["id"]


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


async def test_a_rate_limited_mod_log_channel_does_not_lose_the_modlog_command(world: World) -> None:
    """Setting the mod-log posts a greeting there first; when that channel is rate limited the post
    waits, so the command answers "thinking" at once (an answer after 3 s is refused) and then says
    where problems go."""
    fake = world.fake
    modlog = world.home.channel("mod-log")
    fake.rate_limit_once("POST", "/channels/{channel_id}/messages", retry_after=4.0)
    answered = await deferred_reply(await fake.send_slash_command("lore-admin modlog", {"channel": modlog["id"]},
                                                                  user=fake.moderator, guild=world.home), timeout=15)
    assert answered["content"] == f"Knowledge problems will be posted in <#{modlog['id']}>."
    assert is_ephemeral(answered)


async def test_an_oversized_file_is_refused_by_its_size_and_the_bot_keeps_answering(world: World) -> None:
    fake, bot = world.fake, world.bot
    modlog = await set_home_modlog(world)
    huge = bot.knowledge_dir / "huge.yaml"
    chunk = "".join(f"  - {{id: huge-{n}, question: Huge {n}?, nonsense: {n}}}\n" for n in range(1000))
    mark = len(bot.records)
    try:
        with huge.open("w", encoding="utf-8") as handle:
            handle.write("entries:\n")
            while handle.tell() < 5 * 1024 * 1024:
                handle.write(chunk)
        size_mb = round(huge.stat().st_size / (1024 * 1024))
        await bot.wait_for_log("knowledge not reloaded", timeout=20, after=mark)
        alarm = await fake.wait_for_message(lambda m: "knowledge/huge.yaml: too large" in m["content"],
                                            channel=modlog, kind="channel", timeout=10)
        assert f"knowledge/huge.yaml: too large ({size_mb} MB; the limit is 1 MB)" in alarm["content"]
        assert bot.process is not None
        peak = _peak_rss_mb(bot.process.pid)
        report(f"bot peak memory after a 5 MB knowledge file: {peak:.0f} MB")
        assert peak < 250  # parsing it took about 400 MB (4 GB for 50 MB)
        still = await reply(await fake.send_slash_command("ask", {"question": "rouge mom", "public": False},
                                                          user=new_member(fake, "still-served")))
        assert still["content"] == world.lore.ask("rouge mom").text
    finally:
        huge.unlink(missing_ok=True)
    await fake.wait_for_message(lambda m: m["content"].startswith("Knowledge fixed and reloaded:"),
                                channel=modlog, kind="channel", timeout=15)


# -- 6. the database deleted while the bot runs ---------------------------------------------------------------
async def test_a_database_deleted_while_running_loses_nothing(tmp_path: Path) -> None:
    async with FakeDiscord(heartbeat_interval=2000) as fake:
        first, second = new_member(fake, "early-fan"), new_member(fake, "late-fan")
        async with running_bot(fake, tmp_path) as bot:
            saved = await reply(await fake.send_slash_command("progress set", {"episode": 4}, user=first))
            assert saved["content"].startswith("Saved: you have watched up to episode 4")
            await reply(await fake.send_slash_command("lore-admin horizon", {"episode": 2}, user=fake.moderator))
            for suffix in ("", "-wal", "-shm"):  # someone cleans up the data folder
                (bot.data_dir / f"lore.sqlite3{suffix}").unlink(missing_ok=True)
            mark = len(bot.records)
            saved = await reply(await fake.send_slash_command("progress set", {"episode": 7}, user=second))
            assert saved["content"].startswith("Saved: you have watched up to episode 7")
            logged = await bot.wait_for_log("was deleted while the bot was running", timeout=10, after=mark)
            assert logged["level"] == "error" and "nothing was lost" in logged["message"]
            assert (bot.data_dir / "lore.sqlite3").exists()
        assert bot.returncode == 0, bot.describe()
        async with running_bot(fake, tmp_path) as again:  # after a restart, everything is still there
            for user, episode in ((first, 4), (second, 7)):
                shown = await reply(await fake.send_slash_command("progress show", user=user))
                assert shown["content"].startswith(f"You have told me you have watched up to episode {episode} of 13")
            stats = await reply(await fake.send_slash_command("lore-admin stats", user=fake.moderator))
            assert "**Spoiler-free horizon**: episode 2 " in stats["content"]
            assert again.errors() == [], again.describe()


# -- 10. start-up errors are one line -----------------------------------------------------------------------
def _start(tmp_path: Path, env: dict[str, str], *, obey_permissions: bool = False) -> subprocess.CompletedProcess[str]:
    full = {
        **clean_environment(),
        "DISCORD_TOKEN": "abc.def.ghi",
        "DISCORD_API_BASE": "http://127.0.0.1:9/api/v10",  # never reached: every case fails before
        "DATA_DIR": str(tmp_path / "data"),
        "KNOWLEDGE_DIR": str(ROOT / "knowledge"),
        "PYTHONPATH": str(ROOT),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", "run"], env=full, cwd=tmp_path, capture_output=True, text=True, timeout=60,
        preexec_fn=_without_permission_override if obey_permissions and os.geteuid() == 0 else None,
    )


def _without_permission_override() -> None:
    """Root reads any folder: drop that power (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH) for the child."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "cannot drop a capability")


@pytest.mark.parametrize(
    ("env", "line"),
    [
        ({"DISCORD_TOKEN": "abc.def\nghi"},
         "error: DISCORD_TOKEN contains a line break, a space or another invisible character: copy the token "
         "again from the developer portal and put it on one line, with nothing around it"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "0,0"},
         "error: SHARD_IDS lists shard 0 more than once ('0,0'): each shard must run in exactly one session"),
        ({"MAINTAINER_IDS": "12,me"},
         "error: MAINTAINER_IDS must be Discord user ids separated by commas, such as "
         "123456789012345678,234567890123456789; 'me' is not one"),
    ],
    ids=["token-with-newline", "shard-twice", "maintainer-ids"],
)
async def test_a_bad_setting_is_one_line_and_a_non_zero_exit(tmp_path: Path, env: dict[str, str], line: str) -> None:
    result = await asyncio.to_thread(_start, tmp_path, env)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [line], result.stderr


async def test_an_unreadable_knowledge_folder_is_one_line_and_a_non_zero_exit(tmp_path: Path) -> None:
    folder = tmp_path / "knowledge"
    folder.mkdir()
    (folder / "series.yaml").write_text("series: {}\n")
    folder.chmod(0)
    try:
        result = await asyncio.to_thread(_start, tmp_path, {"KNOWLEDGE_DIR": str(folder)}, obey_permissions=True)
    finally:
        folder.chmod(0o755)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: KNOWLEDGE_DIR knowledge: cannot read the folder: Permission denied; fix it and start again"
    ], result.stderr
