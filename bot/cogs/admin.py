"""``/lore-admin``: the moderators' commands, hot reload of the knowledge, and the mod-log.

Who may use it: Discord shows the group only to members with Manage Server
(``default_permissions``; a server can change that under Server Settings > Integrations), and
every call is checked again here, because that setting is only a default: members with Manage
Server (or Administrator) or the server's moderator role (``/lore-admin modrole``) pass. Only
Manage Server may change the moderator role itself, so the role cannot promote itself.

Changes to the knowledge itself (teach, reload) reach every server, so only the knowledge's
maintainers make them (:mod:`bot.governance`); a moderator of another server who teaches sends a
proposal to the maintainers instead (:mod:`bot.cogs.proposals`).

Every reply is ephemeral and sent without mentions. Every change is written to the audit log in
the database (``/lore-admin history``) and to the log. Reload reports go to each server's mod-log
as one message, posted in the background: a slow or failing post never delays the next reload.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs import common
from bot.governance import ALIAS, alias_payload
from bot.knowledge.store import ReloadOutcome
from bot.knowledge.loader import KnowledgeError, Problem, display_path, load_knowledge, more_problems, summarize
from bot.knowledge.model import Entry
from bot.answering.normalize import normalize
from bot.knowledge.reloader import KnowledgeReloader
from bot.answering.render import escape, quote_user
from bot.knowledge.teach import check_alias, clean_phrase, teach_alias

if TYPE_CHECKING:
    from bot.app import LoreBot

log = logging.getLogger(__name__)

LIMIT = 2000
NO_MENTIONS = common.no_mentions()

REFUSAL = (
    "Only moderators can use /lore-admin: members with the Manage Server permission"
    " or the server's moderator role."
)
REFUSAL_DM = "/lore-admin works in a server, not in direct messages."
REFUSAL_MODROLE = "Only members with the Manage Server permission can change the moderator role."
REFUSAL_RELOAD = (
    "Only the knowledge's maintainers can reload it, since it is the same for every server "
    "(the bot reloads by itself within a second of a saved change). See /lore-admin stats."
)
#: problems shown in a mod-log report; the rest are counted ("and N more")
MODLOG_PROBLEMS = 10


class NotModerator(app_commands.CheckFailure):
    """The member may not use /lore-admin; the message says why."""


# -- message helpers (plain functions, tested directly) ------------------------------------------
def code_chunks(header: str, lines: Iterable[str], limit: int = LIMIT) -> list[str]:
    """``header`` then ``lines`` in code blocks, split into messages of at most ``limit`` characters.

    A code block shows paths and quotes exactly (no markdown, no mentions); a line never spans
    two messages, and a line too long for one message is shortened.
    """
    fence_open, fence_close = "```\n", "\n```"
    room = limit - len(fence_open) - len(fence_close)
    messages: list[str] = []
    current: list[str] = []
    prefix = header + "\n" if header else ""
    for raw in lines:
        line = raw.replace("```", "`\u200b``")
        if len(line) > room - len(prefix):
            line = line[: room - len(prefix) - 1] + "…"
        candidate = "\n".join([*current, line])
        if current and len(prefix) + len(candidate) > room:
            messages.append(prefix + fence_open + "\n".join(current) + fence_close)
            prefix, current = "", [line]
        else:
            current.append(line)
    if current:
        messages.append(prefix + fence_open + "\n".join(current) + fence_close)
    elif header:
        messages.append(header[:limit])
    return messages


def outcome_messages(outcome: ReloadOutcome) -> list[str]:
    """A reload's outcome as Discord messages: the summary, or every ``path:line: reason`` kept."""
    if outcome.ok:
        return [f"Knowledge reloaded: {escape(outcome.summary)}."]
    lines = [str(p) for p in outcome.problems]
    if outcome.omitted:
        lines.append(more_problems(outcome.omitted))
    return code_chunks(_not_reloaded(outcome), lines)


def _not_reloaded(outcome: ReloadOutcome) -> str:
    return (
        f"**Knowledge NOT reloaded**: {outcome.problem_count} problem(s). "
        f"Still serving the last good version ({escape(outcome.summary)})."
    )


def alarm_message(outcome: ReloadOutcome, limit: int = LIMIT) -> str:
    """A failed reload as ONE message: the summary, the first problems, and how many more there are."""
    header = _not_reloaded(outcome)
    shown = [str(p) for p in outcome.problems[:MODLOG_PROBLEMS]]
    while True:
        hidden = outcome.problem_count - len(shown)
        tail = f"\n... and {hidden} more: run /lore-admin check for the full list." if hidden else ""
        chunks = code_chunks(header, shown, limit=limit - len(tail))
        if len(chunks) == 1:
            return chunks[0] + tail
        shown.pop()


def problem_messages(header: str, problems: Sequence[Problem]) -> list[str]:
    return code_chunks(header, [str(p) for p in problems])


class Admin(commands.Cog):
    """Moderator commands; also owns the knowledge reloader for the bot's lifetime."""

    admin = app_commands.Group(
        name="lore-admin",
        description="Moderators: manage the lore bot's knowledge and settings for this server",
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
    )

    def __init__(self, bot: LoreBot) -> None:
        self.bot = bot
        self.reloader: KnowledgeReloader | None = None
        #: the problems last posted to the mod-logs (None: no alarm standing)
        self._alarm: tuple[Problem, ...] | None = None
        #: mod-log reports waiting to be posted, in order, by one background task
        self._reports: asyncio.Queue[str] = asyncio.Queue()
        self._poster: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        self._poster = asyncio.create_task(self._post_reports(), name="modlog-poster")
        self.reloader = KnowledgeReloader(self.bot.knowledge, self.on_reload)
        await self.reloader.start()

    async def cog_unload(self) -> None:
        if self.reloader is not None:
            await self.reloader.stop()
        if self._poster is not None:
            self._poster.cancel()

    # -- permissions -----------------------------------------------------------------------------
    async def is_moderator(self, interaction: discord.Interaction) -> bool:
        return self._has_manage_guild(interaction) or await self._has_mod_role(interaction)

    async def is_maintainer(self, interaction: discord.Interaction) -> bool:
        """May change the knowledge every server sees (bot.governance)."""
        moderator = interaction.guild_id is not None and await self.is_moderator(interaction)
        return self.bot.maintainers.includes(interaction.user.id, interaction.guild_id, moderator_there=moderator)

    @staticmethod
    def _has_manage_guild(interaction: discord.Interaction) -> bool:
        for perms in (interaction.permissions, getattr(interaction.user, "guild_permissions", None)):
            if perms is not None and (perms.manage_guild or perms.administrator):
                return True
        return False

    async def _has_mod_role(self, interaction: discord.Interaction) -> bool:
        role_id = (await self.bot.storage.guild_settings(interaction.guild_id)).mod_role_id
        if role_id is None:
            return False
        user = interaction.user
        role_ids = {role.id for role in getattr(user, "roles", ())}
        role_ids.update(getattr(user, "_roles", ()) or ())
        return role_id in role_ids

    async def interaction_check(self, interaction: discord.Interaction) -> bool:  # type: ignore[override]
        if interaction.guild_id is None:
            raise NotModerator(REFUSAL_DM)
        if not await self.is_moderator(interaction):
            log.info("refused /lore-admin for user %s in guild %s", interaction.user.id, interaction.guild_id)
            raise NotModerator(REFUSAL)
        return True

    async def cog_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        interaction.extras[common.ERROR_HANDLED] = True  # the tree-wide handler stays quiet
        if isinstance(error, NotModerator):
            await common.send_quietly(interaction, str(error))
            return
        message, unexpected = common.explain(error)
        if unexpected:
            original = getattr(error, "original", error)
            log.error("error in /lore-admin", exc_info=(type(original), original, original.__traceback__))
        await common.send_quietly(interaction, message)

    # -- sending ---------------------------------------------------------------------------------
    async def _reply(self, interaction: discord.Interaction, messages: Sequence[str]) -> None:
        """Answer ephemerally, one or more messages, never pinging anyone."""
        for text in messages:
            await common.send(interaction, text, ephemeral=True)

    async def _audit(self, interaction: discord.Interaction, action: str, detail: str) -> None:
        await self.bot.storage.audit(interaction.guild_id, interaction.user.id, action, detail)

    async def post_modlog(self, guild_id: int, messages: Sequence[str]) -> bool:
        """Post to a server's mod-log channel; False when none is set or posting failed."""
        try:
            channel_id = (await self.bot.storage.guild_settings(guild_id)).modlog_channel_id
        except common.StorageError as error:
            log.warning("cannot look up the mod-log channel of guild %s: %s", guild_id, error)
            return False
        if channel_id is None:
            return False
        # The cached channel when there is one; otherwise a partial one (sending needs no cache).
        channel: Any = self.bot.get_channel(channel_id) or self.bot.get_partial_messageable(
            channel_id, guild_id=guild_id
        )
        try:
            for text in messages:
                await channel.send(text, allowed_mentions=NO_MENTIONS)
        except Exception as error:  # a mod-log post must never break a reload or a command
            log.warning("cannot post to the mod-log channel %s of guild %s: %s", channel_id, guild_id, error)
            return False
        return True

    async def on_reload(self, outcome: ReloadOutcome) -> None:
        """The watcher's reports: problems go to every mod-log once; so does the all-clear after.

        Queued for the background poster, never awaited here: posting never delays loading."""
        if outcome.ok:
            if self._alarm is None:
                return
            self._alarm = None
            message = f"Knowledge fixed and reloaded: {escape(outcome.summary)}."
        else:
            if outcome.problems == self._alarm:
                return  # the same problems again (another save of the same broken file)
            self._alarm = outcome.problems
            message = alarm_message(outcome)
        self._reports.put_nowait(message)

    async def _post_reports(self) -> None:
        """Post each queued report, one message per server's mod-log."""
        while True:
            message = await self._reports.get()
            for guild in list(self.bot.guilds):
                await self.post_modlog(guild.id, [message])

    # -- commands --------------------------------------------------------------------------------
    @admin.command(name="reload", description="Reload the knowledge files now and report the result")
    async def reload(self, interaction: discord.Interaction) -> None:
        if not await self.is_maintainer(interaction):
            await self._reply(interaction, [REFUSAL_RELOAD])
            return
        await common.think_privately(interaction)
        assert self.reloader is not None
        outcome = await self.reloader.reload_now()
        await self._audit(interaction, "reload", "ok: " + outcome.summary if outcome.ok else f"failed: {outcome.problem_count} problem(s)")
        await self.on_reload(outcome)
        await self._reply(interaction, outcome_messages(outcome))

    @admin.command(name="check", description="Check the knowledge files without reloading them")
    async def check(self, interaction: discord.Interaction) -> None:
        await common.think_privately(interaction)
        folder = self.bot.knowledge.folder
        shown = escape(display_path(folder))
        try:
            kb = await asyncio.to_thread(load_knowledge, folder)
        except KnowledgeError as error:
            header = (
                f"**{shown} has {error.total} problem(s)**; the bot keeps serving the last good "
                "version until they are fixed:"
            )
            lines = [str(p) for p in error.problems] + ([more_problems(error.omitted)] if error.omitted else [])
            await self._reply(interaction, code_chunks(header, lines))
            return
        served = self.bot.knowledge.lore.kb
        same = kb.entries == served.entries and kb.series == served.series
        note = "It is what the bot serves now." if same else "It differs from what the bot serves: it is swapped in on the next reload."
        await self._reply(interaction, [f"{shown} is valid: {escape(summarize(kb))}. {note}"])

    @admin.command(name="stats", description="Knowledge size, questions answered and missed on this server")
    async def stats(self, interaction: discord.Interaction) -> None:
        storage = self.bot.storage
        store = self.bot.knowledge
        kb = store.lore.kb
        guild_id = interaction.guild_id
        settings = await storage.guild_settings(guild_id)
        maintainer = await self.is_maintainer(interaction)
        lines = [
            f"**Knowledge**: {kb.series.episode_count} episodes, {len(kb.entries)} entries, "
            f"{len(kb.mysteries)} mysteries, {kb.alias_count} aliases (loaded <t:{int(store.loaded_at)}:R>).",
            f"**This server**: {await storage.counter(guild_id, 'answered')} questions answered, "
            f"{await storage.counter(guild_id, 'suggested')} answered with \"did you mean\", "
            f"{await storage.counter(guild_id, 'withheld')} withheld as spoilers, "
            f"{await storage.miss_count(guild_id)} not answered (see /lore-admin unanswered).",
            f"**Spoiler-free horizon**: {_horizon_words(settings.spoiler_free)}.",
            f"**Mod-log**: {f'<#{settings.modlog_channel_id}>' if settings.modlog_channel_id else 'not set'}"
            f" · **Moderator role**: {f'<@&{settings.mod_role_id}>' if settings.mod_role_id else 'not set'}",
            f"**Maintainers**: {escape(self.bot.maintainers.describe())}. "
            + ("You are one of them." if maintainer else _not_maintainer(self.bot.maintainers.takes_proposals)),
        ]
        if store.last_problems:
            lines.append(
                f"**The knowledge files have problems** ({len(store.last_problems)} shown by /lore-admin check); "
                "the last good version is served. See /lore-admin check."
            )
        await self._reply(interaction, ["\n".join(lines)])

    @admin.command(name="horizon", description="Episodes up to this one are answered without spoiler bars here")
    @app_commands.describe(episode="The last episode everyone here has seen (0: every reveal is in spoiler bars)")
    async def horizon(self, interaction: discord.Interaction, episode: app_commands.Range[int, 0, 999]) -> None:
        count = self.bot.knowledge.lore.kb.series.episode_count
        if not 0 <= episode <= count:  # a crafted request can carry any number
            await self._reply(interaction, [f"The series has episodes 1 to {count}; choose 0 to {count}. Nothing was changed."])
            return
        assert interaction.guild_id is not None
        await self.bot.storage.set_spoiler_free(interaction.guild_id, episode)
        await self._audit(interaction, "horizon", f"spoiler-free horizon set to episode {episode}")
        await self._reply(
            interaction,
            [
                f"Spoiler-free horizon set to {_horizon_words(episode)}. Members who set /progress still "
                "never see anything past their own episode."
            ],
        )

    @admin.command(name="modlog", description="Where knowledge problems are posted; leave empty to stop posting")
    @app_commands.describe(channel="The moderators' channel (leave empty to stop posting)")
    async def modlog(self, interaction: discord.Interaction, channel: discord.TextChannel | None = None) -> None:
        assert interaction.guild_id is not None
        if channel is None:
            await self.bot.storage.set_modlog_channel(interaction.guild_id, None)
            await self._audit(interaction, "modlog", "mod-log channel cleared")
            await self._reply(interaction, ["Knowledge problems are no longer posted in a channel here."])
            return
        # Posting there may wait out the channel's rate limit; an answer later than 3 s is lost.
        await common.think_privately(interaction)
        await self.bot.storage.set_modlog_channel(interaction.guild_id, channel.id)
        await self._audit(interaction, "modlog", f"mod-log channel set to {channel.id}")
        posted = await self.post_modlog(
            interaction.guild_id,
            [f"Knowledge problems will be posted here (set by <@{interaction.user.id}> with /lore-admin modlog)."],
        )
        if posted:
            reply = f"Knowledge problems will be posted in <#{channel.id}>."
            proposals = self.bot.get_cog("Proposals")
            if interaction.guild_id == self.bot.maintainers.home_guild_id and proposals is not None:
                waiting = await proposals.post_waiting()  # type: ignore[attr-defined]
                if waiting:
                    reply += f" {waiting} proposal(s) waiting for the maintainers were posted there too."
        else:
            reply = (
                f"Saved, but I could not post in <#{channel.id}>: give me View Channel and Send Messages "
                "there, or choose another channel."
            )
        await self._reply(interaction, [reply])

    @admin.command(name="modrole", description="Members with this role may use /lore-admin; leave empty to clear")
    @app_commands.describe(role="The moderators' role (leave empty to clear)")
    async def modrole(self, interaction: discord.Interaction, role: discord.Role | None = None) -> None:
        assert interaction.guild_id is not None
        if not self._has_manage_guild(interaction):
            await self._reply(interaction, [REFUSAL_MODROLE])
            return
        if role is not None and role.id == interaction.guild_id:
            await self._reply(interaction, ["@everyone cannot be the moderator role. Nothing was changed."])
            return
        await self.bot.storage.set_mod_role(interaction.guild_id, role.id if role else None)
        if role is None:
            await self._audit(interaction, "modrole", "moderator role cleared")
            reply = "The moderator role is cleared: only members with Manage Server can use /lore-admin."
        else:
            await self._audit(interaction, "modrole", f"moderator role set to {role.id}")
            reply = f"Members with <@&{role.id}> can now use /lore-admin."
        await self._reply(interaction, [reply])

    @admin.command(name="mentions", description="Turn the bot's answers to @mentions on or off in a channel")
    @app_commands.describe(
        enabled="Answer messages that mention the bot in that channel",
        channel="The channel (default: this one); a setting on a channel covers its threads",
    )
    async def mentions(
        self,
        interaction: discord.Interaction,
        enabled: bool,
        channel: discord.TextChannel | discord.VoiceChannel | discord.Thread | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        channel_id = channel.id if channel is not None else interaction.channel_id
        if channel_id is None:
            await self._reply(interaction, ["Choose a channel. Nothing was changed."])
            return
        await self.bot.storage.set_mentions_enabled(interaction.guild_id, channel_id, enabled)
        await self._audit(interaction, "mentions", f"mention answers {'on' if enabled else 'off'} in channel {channel_id}")
        if enabled:
            reply = f"I answer messages that mention me in <#{channel_id}> again."
        else:
            reply = (
                f"I no longer answer messages that mention me in <#{channel_id}>. /ask still works there, "
                "and \"Answer with lore\" answers there privately."
            )
        await self._reply(interaction, [reply])

    @admin.command(name="unanswered", description="The questions the bot could not answer here, most asked first")
    async def unanswered(self, interaction: discord.Interaction) -> None:
        misses = await self.bot.storage.top_misses(interaction.guild_id, limit=15)
        if not misses:
            await self._reply(interaction, ["No unanswered questions here. Nothing to teach."])
            return
        lore = self.bot.knowledge.lore
        lines = ["**Questions I could not answer** (teach one with /lore-admin teach):"]
        for number, miss in enumerate(misses, start=1):
            times = "once" if miss.count == 1 else f"{miss.count} times"
            line = f"{number}. {quote_user(miss.question)}: {times}, last <t:{int(miss.last_asked)}:R>"
            closest = lore.suggest(miss.question, limit=1)
            if closest:
                line += f" · closest entry: {escape(closest[0].id)}"
            lines.append(line)
        await self._reply(interaction, _fit_lines(lines))

    @admin.command(name="teach", description="Teach a phrasing the bot missed as an alias of an entry")
    @app_commands.describe(
        question="The phrasing fans used (the unanswered questions are suggested)",
        entry="The entry it should find",
        episode="Only if the phrasing itself names a twist: the episode of that twist",
    )
    async def teach(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, 200],
        entry: str,
        episode: app_commands.Range[int, 1, 999] | None = None,
    ) -> None:
        if not await self.is_maintainer(interaction):
            await self._propose_alias(interaction, question, entry.strip(), episode)
            return
        await common.think_privately(interaction)
        assert self.reloader is not None
        store = self.bot.knowledge
        entry_id = entry.strip()
        async with self.reloader.lock:
            result = await asyncio.to_thread(teach_alias, store.folder, entry_id, question, episode=episode)
            outcome = await asyncio.to_thread(store.reload) if result.ok else None
        if not result.ok:
            log.info("teach refused for user %s: %s", interaction.user.id, result.message)
            header = f"Not taught: {escape(result.message)}"
            await self._reply(interaction, problem_messages(header, result.problems) if result.problems else [header])
            return
        where = display_path(result.path) if result.path else "?"
        await self._audit(interaction, "teach", f"alias '{result.alias}' added to '{result.entry_id}' in {where}")
        await self._resolve_miss(interaction.guild_id, question)
        lines = [f"Taught: {escape(result.message)}"]
        if outcome is not None and not outcome.ok:
            lines.append("But the reload failed; the last good knowledge is still served. See /lore-admin check.")
        else:
            answer = store.lore.ask(result.alias, upto=episode)
            if answer.entry is not None and answer.entry.id == result.entry_id:
                lines.append(f"{quote_user(result.alias)} now finds {escape(result.entry_id)}.")
            else:
                lines.append(
                    f"Note: {quote_user(result.alias)} is still close to other entries, so the bot may ask "
                    "\"did you mean\" instead of answering. A more distinctive phrasing helps."
                )
        await self._reply(interaction, ["\n".join(lines)])

    async def _propose_alias(
        self, interaction: discord.Interaction, question: str, entry_id: str, episode: int | None
    ) -> None:
        """A teach by a moderator who is not a maintainer: checked now, then sent as a proposal."""
        maintainers = self.bot.maintainers
        if not maintainers.takes_proposals:
            await self._reply(interaction, [f"Not taught: {_not_maintainer(False)}"])
            return
        alias = clean_phrase(question)
        reason = check_alias(self.bot.knowledge.lore.kb, entry_id, alias, episode)
        if reason is not None:
            await self._reply(interaction, [f"Not proposed: {escape(reason)}"])
            return
        proposals = self.bot.get_cog("Proposals")
        if proposals is None:
            await self._reply(interaction, ["Proposals are not available right now; please try again shortly."])
            return
        await proposals.propose(interaction, ALIAS, alias_payload(entry_id, alias, episode))  # type: ignore[attr-defined]

    async def _resolve_miss(self, guild_id: int | None, question: str) -> None:
        """Take a taught question off the unanswered list, however the answering cog keyed it."""
        storage = self.bot.storage
        synonyms = self.bot.knowledge.lore.kb.series.synonyms
        asked = clean_phrase(question)
        keys = {normalize(asked, synonyms), normalize(asked), asked.lower()}
        for miss in await storage.top_misses(guild_id, limit=100):
            if clean_phrase(miss.question).lower() == asked.lower():
                keys.add(miss.normalized)
        for key in keys:
            if key:
                await storage.resolve_miss(guild_id, key)

    @teach.autocomplete("entry")
    async def _entry_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None or not await self.is_moderator(interaction):
            return []
        lore = self.bot.knowledge.lore
        typed = current.strip().lower()
        found: list[Entry] = []
        if typed:
            found = [e for e in lore.kb.entries.values() if e.id.startswith(typed)]
            found += [e for e in lore.suggest(current, limit=25) if e not in found]
        else:
            found = list(lore.kb.entries.values())
        return [app_commands.Choice(name=_choice_name(e), value=e.id) for e in found[:25]]

    @teach.autocomplete("question")
    async def _question_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None or not await self.is_moderator(interaction):
            return []
        typed = current.strip().lower()
        misses = await self.bot.storage.top_misses(interaction.guild_id, limit=100)
        names = [m.question for m in misses if typed in m.question.lower()]
        choices = [app_commands.Choice(name=q[:100], value=q[:100]) for q in names[:25]]
        if current.strip() and not any(c.value == current.strip()[:100] for c in choices):
            choices = [app_commands.Choice(name=current.strip()[:100], value=current.strip()[:100]), *choices[:24]]
        return choices

    @admin.command(name="history", description="Recent moderator changes here; with entry: that entry's edits, with a diff")
    @app_commands.describe(entry="An entry: its edits made from Discord, newest first, with what changed")
    async def history(self, interaction: discord.Interaction, entry: str | None = None) -> None:
        editing = self.bot.get_cog("Editing")
        if entry is not None and editing is not None:  # bot.cogs.editing: the knowledge's edit history
            await self._reply(interaction, await editing.history_messages(entry.strip()))  # type: ignore[attr-defined]
            return
        records = await self.bot.storage.audit_trail(interaction.guild_id, limit=20)
        if not records:
            await self._reply(interaction, ["No moderator changes recorded here yet."])
            return
        lines = ["**Recent moderator changes** (newest first):"]
        for record in records:
            who = f"<@{record.user_id}>" if record.user_id else "someone"
            lines.append(f"<t:{int(record.at)}:f> {who} · {escape(record.action)}: {escape(record.detail)}")
        await self._reply(interaction, _fit_lines(lines))

    history.autocomplete("entry")(_entry_autocomplete)


def _not_maintainer(takes_proposals: bool) -> str:
    if takes_proposals:
        return (
            "You are not one of them: what you teach here is sent to them as a proposal, and no server "
            "sees it until a maintainer accepts it."
        )
    return (
        "only the knowledge's maintainers can change it, since it is the same for every server, and this "
        "bot has no home server to send proposals to."
    )


def _horizon_words(episode: int) -> str:
    if episode <= 0:
        return "episode 0 (every reveal is in spoiler bars)"
    return f"episode {episode} (reveals up to episode {episode} are shown openly, later ones in spoiler bars)"


def _choice_name(entry: Entry) -> str:
    """An autocomplete label: the id, then the question (questions give nothing away)."""
    return common.clip(f"{entry.id} · {entry.question}", 100)


def _fit_lines(lines: Sequence[str], limit: int = LIMIT) -> list[str]:
    """Whole lines packed into as few messages as fit ``limit``."""
    messages: list[str] = []
    current = ""
    for line in lines:
        line = line if len(line) <= limit else line[: limit - 1] + "…"
        if current and len(current) + 1 + len(line) > limit:
            messages.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        messages.append(current)
    return messages


async def setup(bot: LoreBot) -> None:
    await bot.add_cog(Admin(bot))
