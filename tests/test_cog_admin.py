"""/lore-admin driven through discord.py's own machinery with fake interactions (tests/fakes.py)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import discord
import pytest
import pytest_asyncio

from bot.app import LoreBot
from bot.cogs.admin import REFUSAL, REFUSAL_DM, REFUSAL_MODROLE, Admin, code_chunks, outcome_messages
from bot.knowledge.store import ReloadOutcome
from bot.knowledge.loader import Problem, display_path
from bot.answering.render import escape
from tests.fakes import (
    FakeChannel,
    FakeGuild,
    FakeInteraction,
    FakeMember,
    FakeMessage,
    FakeRole,
    autocomplete,
    find_command,
    invoke,
    StartBot,
    moderator,
)

MINI = Path(__file__).parent / "data" / "mini"
WAIT = 5.0
ROUGE_MOM = "**{title}**\n{ep5} (ep 5)\n{ep8} (ep 8)"
MOTHER = "Who is Rouge's mother?"  # first visible at 5: barred below a server horizon of 5
EP5 = "Rouge and Gene share a mother; her identity is unrevealed."
EP8 = "Her mother is the scientist Eva Cristella."


@pytest_asyncio.fixture
async def bot(start_bot: StartBot, guild: FakeGuild) -> LoreBot:
    """The bot, with ``guild`` as its home server: its moderators maintain the knowledge."""
    return await start_bot(
        "bot.cogs.admin", "bot.cogs.proposals", "bot.cogs.lore", "bot.cogs.progress", home_guild_id=guild.id
    )


def admin_cog(bot: LoreBot) -> Admin:
    cog = bot.get_cog("Admin")
    # Not isinstance: unloading an extension drops its module, so a later load makes a new class.
    assert cog is not None and type(cog).__name__ == "Admin"
    return cog  # type: ignore[return-value]


async def run(bot: LoreBot, guild: FakeGuild | None, user: FakeMember, command: str, **options) -> FakeInteraction:
    interaction = FakeInteraction(bot, user=user, guild=guild, dm=guild is None)
    await invoke(bot, interaction, command, **options)
    for message in interaction.sent:
        assert message.mentions_none, message.content
    return interaction


def only_reply(interaction: FakeInteraction) -> FakeMessage:
    """The single ephemeral message a /lore-admin command answers with."""
    assert len(interaction.sent) == 1, [m.content for m in interaction.sent]
    message = interaction.sent[0]
    assert message.ephemeral
    return message


async def set_modlog(bot: LoreBot, guild: FakeGuild, user: FakeMember, channel: FakeChannel) -> FakeInteraction:
    """``/lore-admin modlog channel:...``: the fakes cannot pass discord.py's channel transformer
    (it wants a real TextChannel), so run the cog's check, then the callback, as the tree would."""
    cog = admin_cog(bot)
    interaction = FakeInteraction(bot, user=user, guild=guild)
    interaction.command = find_command(bot, "lore-admin modlog")
    assert await cog.interaction_check(interaction)
    await interaction.command.callback(cog, interaction, channel=channel)
    for message in interaction.sent:
        assert message.mentions_none
    return interaction


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), start=1) if needle in line)


async def until(condition: Callable[[], bool], timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


# -- who may use it ------------------------------------------------------------------------------
@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("lore-admin reload", {}),
        ("lore-admin check", {}),
        ("lore-admin stats", {}),
        ("lore-admin horizon", {"episode": 5}),
        ("lore-admin modlog", {}),
        ("lore-admin modrole", {}),
        ("lore-admin unanswered", {}),
        ("lore-admin teach", {"question": "rouge mama", "entry": "rouge-mother"}),
        ("lore-admin history", {}),
        ("lore-admin mentions", {"enabled": False}),
    ],
)
async def test_a_member_without_rights_is_refused(bot: LoreBot, guild: FakeGuild, folder: Path, command: str, options) -> None:
    before = (folder / "entries.yaml").read_bytes()
    interaction = await run(bot, guild, FakeMember(), command, **options)
    assert only_reply(interaction).content == REFUSAL
    assert interaction.command_failed
    assert bot.storage.sync.guild_settings(guild.id).spoiler_free == 0
    assert (folder / "entries.yaml").read_bytes() == before
    assert bot.storage.sync.audit_trail(guild.id) == []


@pytest.mark.asyncio
async def test_direct_messages_are_refused(bot: LoreBot) -> None:
    interaction = await run(bot, None, moderator(), "lore-admin stats")
    assert only_reply(interaction).content == REFUSAL_DM


@pytest.mark.asyncio
async def test_the_group_is_for_manage_server_and_servers_only(bot: LoreBot) -> None:
    group = bot.tree.get_command("lore-admin")
    assert group is not None
    payload = group.to_dict(bot.tree)
    assert payload["default_member_permissions"] == discord.Permissions(manage_guild=True).value
    assert payload["dm_permission"] is False  # servers only
    assert sorted(option["name"] for option in payload["options"]) == [
        "check", "history", "horizon", "mentions", "modlog", "modrole", "reload", "stats", "teach", "unanswered",
    ]


@pytest.mark.asyncio
async def test_the_moderator_role(bot: LoreBot, guild: FakeGuild) -> None:
    mods = FakeRole(name="lore-keepers")
    guild.roles.append(mods)
    keeper = FakeMember(roles=[mods])

    assert only_reply(await run(bot, guild, keeper, "lore-admin horizon", episode=3)).content == REFUSAL

    owner = moderator()
    reply = only_reply(await run(bot, guild, owner, "lore-admin modrole", role=mods))
    assert reply.content == f"Members with <@&{mods.id}> can now use /lore-admin."
    assert bot.storage.sync.guild_settings(guild.id).mod_role_id == mods.id

    reply = only_reply(await run(bot, guild, keeper, "lore-admin horizon", episode=3))
    assert reply.content.startswith("Spoiler-free horizon set to episode 3 ")
    assert bot.storage.sync.guild_settings(guild.id).spoiler_free == 3

    # The role cannot hand itself on: changing it takes Manage Server.
    other = FakeRole(name="friends")
    assert only_reply(await run(bot, guild, keeper, "lore-admin modrole", role=other)).content == REFUSAL_MODROLE
    assert bot.storage.sync.guild_settings(guild.id).mod_role_id == mods.id

    everyone = FakeRole(id=guild.id, name="@everyone")
    reply = only_reply(await run(bot, guild, owner, "lore-admin modrole", role=everyone))
    assert reply.content == "@everyone cannot be the moderator role. Nothing was changed."

    reply = only_reply(await run(bot, guild, owner, "lore-admin modrole"))
    assert reply.content == "The moderator role is cleared: only members with Manage Server can use /lore-admin."
    assert only_reply(await run(bot, guild, keeper, "lore-admin stats")).content == REFUSAL

    # Another server's role of the same members does not count here.
    elsewhere = FakeGuild()
    bot.storage.sync.set_mod_role(elsewhere.id, mods.id)
    assert only_reply(await run(bot, guild, keeper, "lore-admin stats")).content == REFUSAL

    actions = [(r.user_id, r.action, r.detail) for r in bot.storage.sync.audit_trail(guild.id)]
    assert actions == [
        (owner.id, "modrole", "moderator role cleared"),
        (keeper.id, "horizon", "spoiler-free horizon set to episode 3"),
        (owner.id, "modrole", f"moderator role set to {mods.id}"),
    ]


@pytest.mark.asyncio
async def test_administrators_pass_too(bot: LoreBot, guild: FakeGuild) -> None:
    admin = FakeMember(guild_permissions=discord.Permissions(administrator=True))
    reply = only_reply(await run(bot, guild, admin, "lore-admin horizon", episode=0))
    assert reply.content.startswith("Spoiler-free horizon set to episode 0 (every reveal is in spoiler bars).")


# -- horizon -------------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_the_horizon_changes_how_answers_render(bot: LoreBot, guild: FakeGuild) -> None:
    async def ask() -> str:
        interaction = await run(bot, guild, FakeMember(), "ask", question="rouge mom")
        return "\n".join(interaction.last.content.splitlines()[:3])  # the question and its reveals

    assert await ask() == ROUGE_MOM.format(title=f"||{MOTHER}||", ep5=f"||{EP5}||", ep8=f"||{EP8}||")

    reply = only_reply(await run(bot, guild, moderator(), "lore-admin horizon", episode=5))
    assert reply.content == (
        "Spoiler-free horizon set to episode 5 (reveals up to episode 5 are shown openly, later ones in "
        "spoiler bars). Members who set /progress still never see anything past their own episode."
    )
    assert await ask() == ROUGE_MOM.format(title=MOTHER, ep5=EP5, ep8=f"||{EP8}||")

    await run(bot, guild, moderator(), "lore-admin horizon", episode=13)
    assert await ask() == ROUGE_MOM.format(title=MOTHER, ep5=EP5, ep8=EP8)

    # Another server keeps its own horizon.
    other = FakeGuild()
    interaction = await run(bot, other, FakeMember(), "ask", question="rouge mom")
    assert "\n".join(interaction.last.content.splitlines()[:3]) == ROUGE_MOM.format(title=f"||{MOTHER}||", ep5=f"||{EP5}||", ep8=f"||{EP8}||")


@pytest.mark.asyncio
async def test_a_horizon_past_the_series_is_refused(bot: LoreBot, guild: FakeGuild) -> None:
    reply = only_reply(await run(bot, guild, moderator(), "lore-admin horizon", episode=14))
    assert reply.content == "The series has episodes 1 to 13; choose 0 to 13. Nothing was changed."
    assert bot.storage.sync.guild_settings(guild.id).spoiler_free == 0


# -- reload, check, mod-log ----------------------------------------------------------------------
def break_file(folder: Path) -> tuple[Path, int]:
    """Point a reveal at episode 99; returns the file and the line of the problem."""
    entries = folder / "entries.yaml"
    lines = entries.read_text().splitlines(keepends=True)
    number = next(n for n, line in enumerate(lines, start=1) if line == "      - episode: 9\n")
    lines[number - 1] = "      - episode: 99\n"
    entries.write_text("".join(lines))
    return entries, number


def broken_line(path: Path, line: int) -> str:
    return f"{display_path(path)}:{line}: episode 99 is not an episode of Metallic Rouge: use 0 to 13 (0 = not from an episode)"


SUMMARY = "1 series (13 episodes), 5 entries, 2 mysteries, 11 aliases"


@pytest.mark.asyncio
async def test_reload_and_check_report_every_problem(bot: LoreBot, guild: FakeGuild, folder: Path) -> None:
    mod = moderator()
    entries, line = break_file(folder)
    reply = only_reply(await run(bot, guild, mod, "lore-admin check"))
    assert reply.content == (
        f"**{escape(display_path(folder))} has 1 problem(s)**; the bot keeps serving the last good version until "
        f"they are fixed:\n```\n{broken_line(entries, line)}\n```"
    )
    reply = only_reply(await run(bot, guild, mod, "lore-admin reload"))
    assert reply.content == (
        f"**Knowledge NOT reloaded**: 1 problem(s). Still serving the last good version ({SUMMARY}).\n"
        f"```\n{broken_line(entries, line)}\n```"
    )
    assert bot.knowledge.lore.kb.entry("late-twist").reveals[0].episode == 9

    entries.write_text(entries.read_text().replace("episode: 99", "episode: 10"))
    reply = only_reply(await run(bot, guild, mod, "lore-admin check"))
    assert reply.content == (
        f"{escape(display_path(folder))} is valid: {SUMMARY}. It differs from what the bot serves: it is swapped in on the next reload."
    )
    reply = only_reply(await run(bot, guild, mod, "lore-admin reload"))
    assert reply.content == f"Knowledge reloaded: {SUMMARY}."
    assert bot.knowledge.lore.kb.entry("late-twist").reveals[0].episode == 10
    assert [(r.action, r.detail) for r in bot.storage.sync.audit_trail(guild.id)] == [
        ("reload", f"ok: {SUMMARY}"),
        ("reload", "failed: 1 problem(s)"),
    ]


@pytest.mark.asyncio
async def test_the_watcher_posts_problems_to_the_mod_log(bot: LoreBot, guild: FakeGuild, folder: Path, monkeypatch) -> None:
    modlog = guild.add_channel(FakeChannel(name="mod-log"))
    quiet = FakeGuild()  # a server without a mod-log gets nothing
    monkeypatch.setitem(bot._connection._guilds, guild.id, guild)
    monkeypatch.setitem(bot._connection._guilds, quiet.id, quiet)
    monkeypatch.setattr(bot, "get_channel", {modlog.id: modlog}.get)

    mod = moderator()
    reply = only_reply(await set_modlog(bot, guild, mod, modlog))
    assert reply.content == f"Knowledge problems will be posted in <#{modlog.id}>."
    assert [m.content for m in modlog.messages] == [
        f"Knowledge problems will be posted here (set by <@{mod.id}> with /lore-admin modlog)."
    ]
    reloader = admin_cog(bot).reloader
    assert reloader is not None
    await asyncio.wait_for(reloader.watching.wait(), WAIT)

    entries, line = break_file(folder)
    await until(lambda: len(modlog.messages) == 2)
    alarm = modlog.messages[1]
    assert alarm.content == (
        f"**Knowledge NOT reloaded**: 1 problem(s). Still serving the last good version ({SUMMARY}).\n"
        f"```\n{broken_line(entries, line)}\n```"
    )
    assert alarm.mentions_none and not alarm.ephemeral

    # Saving the same broken file again does not repeat the alarm; fixing it clears it.
    entries.write_text(entries.read_text() + "\n")
    await asyncio.sleep(reloader.settle + 0.5)
    assert len(modlog.messages) == 2
    entries.write_text(entries.read_text().replace("episode: 99", "episode: 9"))
    await until(lambda: len(modlog.messages) == 3)
    assert modlog.messages[2].content == f"Knowledge fixed and reloaded: {SUMMARY}."
    assert all(m.mentions_none for m in modlog.messages)

    reply = only_reply(await run(bot, guild, mod, "lore-admin modlog"))
    assert reply.content == "Knowledge problems are no longer posted in a channel here."
    assert bot.storage.sync.guild_settings(guild.id).modlog_channel_id is None


@pytest.mark.asyncio
async def test_a_mod_log_the_bot_cannot_post_in_is_reported(bot: LoreBot, guild: FakeGuild) -> None:
    channel = FakeChannel(name="locked")

    async def forbidden(*args, **kwargs):
        raise discord.Forbidden(_Response(403), {"message": "Missing Access", "code": 50001})

    channel.send = forbidden  # type: ignore[method-assign]
    bot_get_channel = {channel.id: channel}.get
    bot.get_channel = bot_get_channel  # type: ignore[method-assign]
    reply = only_reply(await set_modlog(bot, guild, moderator(), channel))
    assert reply.content == (
        f"Saved, but I could not post in <#{channel.id}>: give me View Channel and Send Messages there, "
        "or choose another channel."
    )


class _Response:
    def __init__(self, status: int) -> None:
        self.status = status
        self.reason = "Forbidden"


def test_long_problem_lists_are_split_to_fit_messages() -> None:
    problems = tuple(
        Problem("knowledge/characters.yaml", n, f"alias 'name {n}' of 'entry-{n}' is already claimed by 'other-{n}'")
        for n in range(1, 121)
    )
    messages = outcome_messages(ReloadOutcome(False, SUMMARY, problems))
    assert len(messages) > 1
    assert all(len(m) <= 2000 for m in messages)
    assert messages[0].startswith("**Knowledge NOT reloaded**: 120 problem(s).")
    shown = [line for m in messages for line in m.splitlines() if line.startswith("knowledge/")]
    assert shown == [str(p) for p in problems]  # every one, in order, none split across messages
    assert all(m.count("```") == 2 for m in messages)


def test_code_chunks_cannot_be_broken_out_of() -> None:
    messages = code_chunks("header", ["a ``` b", "x" * 3000])
    assert [m.count("```") for m in messages] == [2, 2]
    assert all(len(m) <= 2000 for m in messages)
    assert messages[1].endswith("x…\n```")


# -- unanswered, teach, history, stats -----------------------------------------------------------
@pytest.mark.asyncio
async def test_unanswered_lists_the_most_asked_first(bot: LoreBot, guild: FakeGuild) -> None:
    for question in ["who voices naomi", "Who voices Naomi?", "who voices naomi", "where is planet venus"]:
        await run(bot, guild, FakeMember(), "ask", question=question)
    misses = {m.question: m for m in bot.storage.sync.top_misses(guild.id)}
    reply = only_reply(await run(bot, guild, moderator(), "lore-admin unanswered"))
    assert reply.content == (
        "**Questions I could not answer** (teach one with /lore-admin teach):\n"
        f"1. “who voices naomi”: 3 times, last <t:{int(misses['who voices naomi'].last_asked)}:R>\n"
        f"2. “where is planet venus”: once, last <t:{int(misses['where is planet venus'].last_asked)}:R>"
    )
    empty = FakeGuild()
    reply = only_reply(await run(bot, empty, moderator(), "lore-admin unanswered"))
    assert reply.content == "No unanswered questions here. Nothing to teach."


@pytest.mark.asyncio
async def test_teach_end_to_end(bot: LoreBot, guild: FakeGuild, folder: Path) -> None:
    question = "who voices naomi"
    fan = FakeMember()
    asked = await run(bot, guild, fan, "ask", question=question)
    assert asked.last.content.startswith("I don't know the answer to “who voices naomi” yet.")
    mod = moderator()

    # The question box suggests what fans asked; the entry box suggests entries.
    interaction = FakeInteraction(bot, user=mod, guild=guild)
    choices = await autocomplete(bot, interaction, "lore-admin teach", "question", "naomi")
    assert [c.value for c in choices] == ["naomi", question]
    interaction = FakeInteraction(bot, user=mod, guild=guild)
    choices = await autocomplete(bot, interaction, "lore-admin teach", "entry", "stud")
    assert choices[0].value == "studio"
    assert choices[0].name == "studio · Which studio made Metallic Rouge?"

    entries = folder / "entries.yaml"
    original = entries.read_text()
    reply = only_reply(await run(bot, guild, mod, "lore-admin teach", question=question, entry="studio"))
    assert reply.content == (
        f"Taught: Added the alias 'who voices naomi' to 'studio' in {escape(display_path(entries))}.\n"
        "“who voices naomi” now finds studio."
    )
    assert entries.read_text() == original.replace(
        "aliases: [studio, who animated metallic rouge]",
        "aliases: [studio, who animated metallic rouge, who voices naomi]",
    )
    # Served at once, without waiting for the watcher.
    again = await run(bot, guild, FakeMember(), "ask", question="Who voices Naomi?")
    assert again.last.content.startswith("**Which studio made Metallic Rouge?**")
    # Off the unanswered list, into the audit trail.
    assert bot.storage.sync.top_misses(guild.id) == []
    [record] = bot.storage.sync.audit_trail(guild.id)
    assert (record.user_id, record.action, record.detail) == (
        mod.id, "teach", f"alias 'who voices naomi' added to 'studio' in {display_path(entries)}"
    )
    reply = only_reply(await run(bot, guild, mod, "lore-admin history"))
    assert reply.content == (
        "**Recent moderator changes** (newest first):\n"
        f"<t:{int(record.at)}:f> <@{mod.id}> · teach: alias 'who voices naomi' added to 'studio' in "
        f"{escape(display_path(entries))}"
    )


@pytest.mark.asyncio
async def test_teach_refuses_an_alias_of_another_entry_and_changes_nothing(bot: LoreBot, guild: FakeGuild, folder: Path) -> None:
    entries = folder / "entries.yaml"
    before = entries.read_bytes()
    reply = only_reply(await run(bot, guild, moderator(), "lore-admin teach", question="Jean's dad", entry="rouge-mother"))
    assert reply.content == (
        f"Not taught: 'Jean's dad' already leads to 'gene-father' ({escape(display_path(entries))}:"
        f"{line_of(entries, '- id: gene-father')}); an alias can "
        "point to one entry only. Edit that entry by hand if the phrasing belongs to 'rouge-mother' instead."
    )
    assert entries.read_bytes() == before
    assert bot.storage.sync.audit_trail(guild.id) == []


@pytest.mark.asyncio
async def test_teach_a_twist_phrasing_with_its_episode(bot: LoreBot, guild: FakeGuild) -> None:
    reply = only_reply(
        await run(bot, guild, moderator(), "lore-admin teach", question="is doctor eva rouge's mum", entry="rouge-mother", episode=8)
    )
    assert "(matched from episode 8 on)" in reply.content
    early = FakeMember()
    await run(bot, guild, early, "progress set", episode=5)
    interaction = await run(bot, guild, early, "ask", question="is doctor eva rouge's mum")
    made_up = await run(bot, guild, early, "ask", question="is doctor zara rouge's mum")
    # before episode 8 the taught twist changes nothing: the reply is a made-up guess's
    assert interaction.last.content == made_up.last.content.replace("zara", "eva")
    assert "Eva" not in interaction.last.content


@pytest.mark.asyncio
async def test_autocomplete_offers_nothing_to_members_without_rights(bot: LoreBot, guild: FakeGuild) -> None:
    bot.storage.sync.record_miss(guild.id, "who voices naomi", "voices naomi")
    for option in ("entry", "question"):
        interaction = FakeInteraction(bot, user=FakeMember(), guild=guild)
        assert await autocomplete(bot, interaction, "lore-admin teach", option, "") == []


@pytest.mark.asyncio
async def test_stats(bot: LoreBot, guild: FakeGuild) -> None:
    await run(bot, guild, FakeMember(), "ask", question="rouge mom")
    await run(bot, guild, FakeMember(), "ask", question="who voices naomi")
    reply = only_reply(await run(bot, guild, moderator(), "lore-admin stats"))
    lines = reply.content.splitlines()
    assert lines[0].startswith("**Knowledge**: 13 episodes, 5 entries, 2 mysteries, 11 aliases (loaded <t:")
    assert lines[1] == (
        '**This server**: 1 questions answered, 0 answered with "did you mean", 0 withheld as spoilers, '
        "1 not answered (see /lore-admin unanswered)."
    )
    assert lines[2] == "**Spoiler-free horizon**: episode 0 (every reveal is in spoiler bars)."
    assert lines[3] == "**Mod-log**: not set · **Moderator role**: not set"


@pytest.mark.asyncio
async def test_unloading_the_cog_stops_the_reloader(bot: LoreBot) -> None:
    reloader = admin_cog(bot).reloader
    assert reloader is not None and reloader.running
    await asyncio.wait_for(bot.unload_extension("bot.cogs.admin"), WAIT)
    assert not reloader.running


@pytest.mark.asyncio
async def test_mention_answers_are_turned_off_and_on_per_channel(bot: LoreBot, guild: FakeGuild) -> None:
    mod = moderator()
    here = await run(bot, guild, mod, "lore-admin mentions", enabled=False)
    channel_id = here.channel_id
    assert channel_id is not None and not bot.storage.sync.mentions_enabled(channel_id)
    assert only_reply(here).content == (
        f"I no longer answer messages that mention me in <#{channel_id}>. /ask still works there, "
        'and "Answer with lore" answers there privately.'
    )
    # another channel, picked with the option (run as the tree would: the fakes cannot pass the
    # channel transformer, see set_modlog)
    other = guild.add_channel(FakeChannel(name="memes"))
    interaction = FakeInteraction(bot, user=mod, guild=guild)
    interaction.command = find_command(bot, "lore-admin mentions")
    assert await admin_cog(bot).interaction_check(interaction)
    await interaction.command.callback(admin_cog(bot), interaction, enabled=False, channel=other)
    assert not bot.storage.sync.mentions_enabled(other.id)
    again = FakeInteraction(bot, user=mod, guild=guild, channel=here.channel)
    await invoke(bot, again, "lore-admin mentions", enabled=True)
    assert bot.storage.sync.mentions_enabled(channel_id) and not bot.storage.sync.mentions_enabled(other.id)
    assert only_reply(again).content == f"I answer messages that mention me in <#{channel_id}> again."
    details = [r.detail for r in bot.storage.sync.audit_trail(guild.id)]
    assert details == [  # newest first
        f"mention answers on in channel {channel_id}",
        f"mention answers off in channel {other.id}",
        f"mention answers off in channel {channel_id}",
    ]
