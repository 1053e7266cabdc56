"""Proposals: changes to the knowledge from moderators who do not maintain it, decided by those who do.

A moderator of another server who teaches (and, later, any other change from Discord) calls
:meth:`ProposalsCog.propose`: the change is stored (:class:`bot.governance.Proposal`) and posted in
the home server's mod-log with Accept and Reject buttons. The buttons are persistent
:class:`discord.ui.DynamicItem` s: everything they need is the proposal's id in their ``custom_id``,
so they keep working after a restart. Only a maintainer's press counts (:mod:`bot.governance`);
Accept applies the change then (checked again against the knowledge as it is at that moment),
Reject drops it. Both servers' ``/lore-admin history`` record what happened.

The change is shown in spoiler bars: a proposed phrasing may name a twist.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from bot import governance
from bot.answering.render import escape
from bot.cogs import common
from bot.cogs.admin import code_chunks
from bot.storage import ProposalLimit

if TYPE_CHECKING:
    from bot.app import LoreBot
    from bot.cogs.admin import Admin

log = logging.getLogger(__name__)

REFUSAL_DECIDE = (
    "Only the knowledge's maintainers can accept or reject proposals: the moderators of the home server "
    "and the users in MAINTAINER_IDS."
)


def _custom_id(action: str, proposal_id: int) -> str:
    return f"lore:proposal:{action}:{proposal_id}"


class ProposalButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"lore:proposal:(?P<action>accept|reject):(?P<id>[0-9]{1,19})",
):
    """Accept or Reject on a proposal's post in the home server's mod-log."""

    def __init__(self, action: str, proposal_id: int) -> None:
        super().__init__(common.decision_button(action, _custom_id(action, proposal_id)))
        self.action = action
        self.proposal_id = proposal_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> ProposalButton:
        return cls(match["action"], int(match["id"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:  # type: ignore[override]
        cog = await common.cog_or_notice(interaction, ProposalsCog.__cog_name__, "Proposals")
        if cog is None:
            return
        try:
            await cog.decide(interaction, self.proposal_id, accept=self.action == "accept")
        except Exception as error:
            await common.report_unexpected(interaction, error, where=f"proposal button {self.custom_id}")


def proposal_view(proposal_id: int) -> discord.ui.View:
    return common.decision_view(ProposalButton("accept", proposal_id), ProposalButton("reject", proposal_id))


def proposal_text(proposal: governance.Proposal, server: str) -> str:
    """The mod-log post: who proposed what; the change itself in spoiler bars."""
    return (
        f"**Proposal #{proposal.id}** from {server} by <@{proposal.user_id}>: "
        f"||{escape(proposal.summary)}||\n"
        "-# In spoiler bars: a proposed phrasing may name a twist. Nobody sees the change until a "
        "maintainer accepts it; Accept checks it again against the knowledge as it is then."
    )


def decided_text(first_line: str, status: str, user_id: int) -> str:
    """The post once decided: its first line (who proposed what), then the verdict; no buttons."""
    verdict = "Accepted" if status == governance.ACCEPTED else "Rejected"
    return f"{first_line}\n**{verdict}** by <@{user_id}>."


class ProposalsCog(commands.Cog, name="Proposals"):
    def __init__(self, bot: LoreBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(ProposalButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ProposalButton)

    def _admin(self) -> Admin | None:
        return self.bot.get_cog("Admin")  # type: ignore[return-value]

    # -- proposing -------------------------------------------------------------------------------
    async def propose(self, interaction: discord.Interaction[Any], kind: str, payload: Mapping[str, Any]) -> None:
        """Store a proposed change, post it to the maintainers, and tell the proposer (ephemerally)."""
        await common.think_privately(interaction)
        assert interaction.guild_id is not None
        storage = self.bot.storage
        try:
            proposal, created = await storage.add_proposal(kind, payload, interaction.guild_id, interaction.user.id)
        except ProposalLimit as error:
            await common.send(
                interaction,
                f"Not proposed: {error}. Wait until they have decided on those, then propose again.",
                ephemeral=True,
            )
            return
        summary = escape(proposal.summary)
        if not created:
            await common.send(
                interaction,
                f"That change was already proposed (proposal #{proposal.id}: ||{summary}||) and is waiting for the "
                "knowledge's maintainers.",
                ephemeral=True,
            )
            return
        await storage.audit(
            interaction.guild_id, interaction.user.id, "proposal",
            f"#{proposal.id}: {proposal.summary} (sent to the knowledge's maintainers)",
        )
        posted = await self.post(proposal, _server_name(interaction))
        lines = [
            f"Sent to the knowledge's maintainers as proposal #{proposal.id}: ||{summary}||.",
            "Nobody sees it until a maintainer accepts it; /lore-admin history here will say how it was decided.",
        ]
        if not posted:
            lines.append(
                "-# The home server has no mod-log channel I can post in, so the maintainers have not been told "
                "yet; it is posted there as soon as they set one with /lore-admin modlog."
            )
        await common.send(interaction, "\n".join(lines), ephemeral=True)

    async def post(self, proposal: governance.Proposal, server: str | None = None) -> bool:
        """Post a proposal in the home server's mod-log; False when there is none or posting failed."""
        home = self.bot.maintainers.home_guild_id
        if home is None:
            return False
        try:
            channel_id = (await self.bot.storage.guild_settings(home)).modlog_channel_id
            if channel_id is None:
                return False
            channel: Any = self.bot.get_channel(channel_id) or self.bot.get_partial_messageable(channel_id, guild_id=home)
            message = await channel.send(
                proposal_text(proposal, server or f"server {proposal.guild_id}"),
                view=proposal_view(proposal.id),
                allowed_mentions=common.no_mentions(),
            )
            await self.bot.storage.set_proposal_message(proposal.id, channel_id, message.id)
        except Exception as error:  # the proposal is stored either way; posting is retried on /lore-admin modlog
            log.warning("cannot post proposal #%s to the home server's mod-log: %s", proposal.id, error)
            return False
        log.info("proposal #%s posted to the home server's mod-log: %s", proposal.id, proposal.summary)
        return True

    async def post_waiting(self) -> int:
        """Post the pending proposals never posted (the home mod-log was not set); how many were posted."""
        posted = 0
        for proposal in await self.bot.storage.proposals(status=governance.PENDING, limit=100):
            if proposal.message_id is None and await self.post(proposal):
                posted += 1
        return posted

    # -- deciding --------------------------------------------------------------------------------
    async def decide(self, interaction: discord.Interaction[Any], proposal_id: int, *, accept: bool) -> None:
        admin = self._admin()
        if admin is None or admin.reloader is None:
            await common.send_quietly(interaction, "Proposals cannot be decided right now; please try again shortly.")
            return
        if not await admin.is_maintainer(interaction):
            log.info("refused a proposal decision by user %s in guild %s", interaction.user.id, interaction.guild_id)
            await common.send(interaction, REFUSAL_DECIDE, ephemeral=True)
            return
        await interaction.response.defer()  # applying takes a moment; the post is edited when done
        storage = self.bot.storage
        user_id = interaction.user.id
        proposal = await storage.claim_proposal(proposal_id, user_id)
        if proposal is None:
            current = await storage.proposal(proposal_id)
            state = f"already {current.status}" if current is not None else "no longer known"
            await common.send(interaction, f"Proposal #{proposal_id} is {state}; nothing was changed.", ephemeral=True)
            return
        status = governance.ACCEPTED if accept else governance.REJECTED
        note: str | None = None
        if accept:
            try:
                async with admin.reloader.lock:
                    applied = await asyncio.to_thread(governance.apply, self.bot.knowledge.folder, proposal)
                    if applied.ok:
                        await asyncio.to_thread(self.bot.knowledge.reload)
            except BaseException:
                await storage.decide_proposal(proposal_id, governance.PENDING, user_id, "applying it failed")
                raise
            if not applied.ok:
                await storage.decide_proposal(proposal_id, governance.PENDING, user_id, applied.message)
                lines = [str(p) for p in applied.problems]
                header = (
                    f"Proposal #{proposal_id} was not applied: {escape(applied.message)} "
                    "It is still pending; reject it if it cannot be applied."
                )
                for text in code_chunks(header, lines):
                    await common.send(interaction, text, ephemeral=True)
                return
            note = applied.message
        await storage.decide_proposal(proposal_id, status, user_id, note)
        verdict = "accepted" if accept else "rejected"
        await storage.audit(
            interaction.guild_id, user_id, f"proposal {verdict}",
            f"#{proposal_id} from server {proposal.guild_id}: {proposal.summary}",
        )
        if proposal.guild_id != interaction.guild_id:  # the proposer's server learns it too
            await storage.audit(
                proposal.guild_id, user_id, f"proposal {verdict}",
                f"#{proposal_id}: {proposal.summary} ({verdict} by a maintainer of the knowledge)",
            )
        posted = getattr(interaction.message, "content", None) or proposal_text(proposal, f"server {proposal.guild_id}")
        try:
            await interaction.edit_original_response(content=decided_text(posted.split("\n")[0], status, user_id), view=None)
        except discord.HTTPException as error:
            log.warning("cannot update the post of proposal #%s: %s", proposal_id, error)
        done = f"Proposal #{proposal_id} {verdict}."
        if note:
            done += f" {escape(note)}"
        await common.send(interaction, done, ephemeral=True)


def _server_name(interaction: discord.Interaction[Any]) -> str:
    guild = interaction.guild
    name = getattr(guild, "name", None)
    return f"{escape(name)} ({interaction.guild_id})" if name else f"server {interaction.guild_id}"


async def setup(bot: LoreBot) -> None:
    common.install_error_handler(bot)
    await bot.add_cog(ProposalsCog(bot))
