"""Fans' corrections: "Suggest a correction" under public answers, and ``/suggest``.

A fan says what is wrong and gives a source (a small form). The suggestion joins the maintainers'
proposals queue (:mod:`bot.governance`, kind ``correction``) and is posted in the home server's
mod-log with **Accept** and **Reject**. Accept asks which part of the entry to correct and opens
that edit form prefilled (the fan's source already added to a reveal's sources); the usual
preview and Save of :mod:`bot.cogs.editing` follow, and saving decides the proposal. The fan is
told the outcome by direct message when their DMs are open (quietly not, when they are closed).

A fan may suggest a few corrections an hour (:data:`SUGGEST_RATE`); a server may have at most
:data:`bot.governance.MAX_PENDING_PER_GUILD` proposals waiting. Buttons are persistent
(``DynamicItem``): they work after a restart.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import governance
from bot.answering.render import escape
from bot.cogs import common
from bot.knowledge.editing.change import REVEAL_EDIT
from bot.storage import ProposalLimit, StorageError

if TYPE_CHECKING:
    from bot.app import LoreBot
    from bot.cogs.editing import Draft, EditingCog

log = logging.getLogger(__name__)

#: a fan may send this many suggestions per window (seconds)
SUGGEST_RATE = 3
SUGGEST_WINDOW = 3600.0
WHAT_CHARS = 1000
SOURCE_CHARS = 500
SUGGEST_LABEL = "Suggest a correction"
ENTRY_PART = "entry"

NOT_SET_UP = (
    "Corrections cannot be sent from this bot yet: its host has not set a home server with a mod-log "
    "channel for the maintainers. Thanks for wanting to help!"
)


# -- the fan's side ------------------------------------------------------------------------------
class SuggestButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"lore:fix:(?P<entry>[a-z0-9-]{1,80})"):
    """Under a public answer: opens the suggestion form for the answer's entry."""

    def __init__(self, entry_id: str) -> None:
        super().__init__(discord.ui.Button(label=SUGGEST_LABEL, style=discord.ButtonStyle.secondary, custom_id=f"lore:fix:{entry_id}"))
        self.entry_id = entry_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str], /) -> SuggestButton:
        return cls(match["entry"])

    async def callback(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        cog = await common.cog_or_notice(interaction, "Corrections", "Suggestions")
        if cog is None:
            return
        await cog.open_suggestion(interaction, self.entry_id)


class SuggestModal(discord.ui.Modal, title="Suggest a correction"):
    def __init__(self, cog: CorrectionsCog, entry_id: str) -> None:
        super().__init__(timeout=900.0)
        self.cog, self.entry_id = cog, entry_id
        self.what: discord.ui.TextInput[Any] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph, max_length=WHAT_CHARS, custom_id="lore-fix:what",
            placeholder="Which sentence, and what it should say",
        )
        self.source: discord.ui.TextInput[Any] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph, max_length=SOURCE_CHARS, custom_id="lore-fix:source",
            placeholder="A link, or an episode and the minute",
        )
        self.add_item(discord.ui.Label(text="What is wrong?", component=self.what))
        self.add_item(discord.ui.Label(text="Your source", description="The maintainers check every correction against it.", component=self.source))

    async def on_submit(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        await self.cog.suggested(interaction, self.entry_id, self.what.value, self.source.value)

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:  # type: ignore[override]
        await common.report_unexpected(interaction, error, where="the suggestion form")


# -- the maintainers' side -----------------------------------------------------------------------
class DecideButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"lore-fix:(?P<verb>accept|reject):(?P<id>\d{1,18})"):
    """Accept or Reject under a correction in the home server's mod-log."""

    def __init__(self, verb: str, proposal_id: int) -> None:
        super().__init__(common.decision_button(verb, f"lore-fix:{verb}:{proposal_id}"))
        self.verb, self.proposal_id = verb, proposal_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str], /) -> DecideButton:
        return cls(match["verb"], int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        cog = await common.cog_or_notice(interaction, "Corrections", "Corrections")
        if cog is None:
            return
        try:
            await cog.decide(interaction, self.verb, self.proposal_id)
        except Exception as error:
            await common.report_unexpected(interaction, error, where=f"{self.verb} of correction {self.proposal_id}")


def decision_view(proposal_id: int) -> discord.ui.View:
    return common.decision_view(DecideButton("accept", proposal_id), DecideButton("reject", proposal_id))


class PartView(discord.ui.View):
    """After Accept: which part of the entry to correct (its boxes, or one reveal)."""

    def __init__(self, cog: CorrectionsCog, proposal: governance.Proposal, options: list[discord.SelectOption]) -> None:
        super().__init__(timeout=900.0)
        self.cog, self.proposal = cog, proposal
        picker: discord.ui.Select[PartView] = discord.ui.Select(placeholder="Which part is wrong?", options=options)
        picker.callback = self._picked  # type: ignore[method-assign]
        self.add_item(picker)

    async def _picked(self, interaction: discord.Interaction) -> None:
        value = (interaction.data or {}).get("values", [ENTRY_PART])[0]  # type: ignore[union-attr]
        await self.cog.open_part(interaction, self.proposal, value)


class CorrectionsCog(commands.Cog, name="Corrections"):
    def __init__(self, bot: LoreBot) -> None:
        self.bot = bot
        self.cooldown = common.UserCooldown(SUGGEST_RATE, SUGGEST_WINDOW)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(SuggestButton, DecideButton)
        editing = self._editing()
        if editing is not None:
            editing.saved_hooks.append(self.after_save)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(SuggestButton, DecideButton)
        editing = self._editing()
        if editing is not None and self.after_save in editing.saved_hooks:
            editing.saved_hooks.remove(self.after_save)

    def _editing(self) -> EditingCog | None:
        return self.bot.get_cog("Editing")  # type: ignore[return-value]

    # -- the hook under public answers (bot.cogs.lore asks for it) ------------------------------
    def answer_view(self, entry_id: str) -> discord.ui.View | None:
        """"Suggest a correction" for a public answer of ``entry_id`` (None if it cannot fit)."""
        if not SuggestButton.__discord_ui_compiled_template__.fullmatch(f"lore:fix:{entry_id}"):
            return None
        view = discord.ui.View(timeout=None)
        view.add_item(SuggestButton(entry_id))
        view.stop()
        return view

    # -- /suggest ------------------------------------------------------------------------------
    @app_commands.command(name="suggest", description="Tell the maintainers an answer is wrong, with your source")
    @app_commands.describe(entry="The answer that is wrong (its question)")
    async def suggest(self, interaction: discord.Interaction, entry: str) -> None:
        await self.open_suggestion(interaction, entry.strip())

    @suggest.autocomplete("entry")
    async def _entry_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        """Only entries the fan may see (their progress): autocomplete cannot hide spoilers."""
        try:
            lore = common.lore_of(interaction)
            h = await common.horizon(interaction)
            entries = lore.suggest(current or "", upto=h.upto, limit=25)
            return [app_commands.Choice(name=common.clip(e.question, 100) or e.id, value=e.id) for e in entries if len(e.id) <= 100]
        except Exception:
            log.exception("autocomplete for /suggest failed")
            return []

    async def open_suggestion(self, interaction: discord.Interaction, entry_id: str) -> None:
        lore = common.lore_of(interaction)
        entry = lore.kb.entry(entry_id)
        h = await common.horizon(interaction)
        if entry is None or not entry.visible_to(lore.clamp_upto(h.upto)):
            await common.send(interaction, "I don't know that answer. Pick one from the list as you type.", ephemeral=True)
            return
        if not self._takes_suggestions():
            await common.send(interaction, NOT_SET_UP, ephemeral=True)
            return
        await interaction.response.send_modal(SuggestModal(self, entry.id))

    def _takes_suggestions(self) -> bool:
        return self.bot.maintainers.takes_proposals

    async def suggested(self, interaction: discord.Interaction, entry_id: str, what: str, source: str) -> None:
        wait = self.cooldown.hit(interaction.user.id)
        if wait:
            minutes = max(1, round(wait / 60))
            await common.send(
                interaction,
                f"Thanks! You have sent {SUGGEST_RATE} suggestions this hour; please send this one in about {minutes} minute(s). "
                "Nothing was sent.",
                ephemeral=True,
            )
            return
        payload = governance.correction_payload(entry_id, what, source)
        home = self.bot.maintainers.home_guild_id
        if home is None or (await self.bot.storage.guild_settings(home)).modlog_channel_id is None:
            await common.send(interaction, NOT_SET_UP, ephemeral=True)
            return
        try:
            proposal, _ = await self.bot.storage.add_proposal(governance.CORRECTION, payload, interaction.guild_id or 0, interaction.user.id)
        except ProposalLimit:
            await common.send(interaction, "The maintainers have many suggestions from here to read already; please try again later. Nothing was sent.", ephemeral=True)
            return
        except StorageError as error:
            log.warning("could not store a correction: %s", error)
            await common.send(interaction, "Sorry, I could not send that right now; please try again in a moment.", ephemeral=True)
            return
        # Posting may wait out the mod-log's rate limit; an answer later than 3 s is lost.
        await common.think_privately(interaction)
        if proposal.message_id is None and not await self.post(proposal):
            # not left pending unposted (the generic queue would re-post it without this cog's buttons)
            await self.bot.storage.claim_proposal(proposal.id, interaction.user.id)
            await self.bot.storage.decide_proposal(proposal.id, governance.REJECTED, interaction.user.id, "could not be posted")
            await common.send(interaction, "Sorry, I could not pass that on right now; please try again later. Nothing was sent.", ephemeral=True)
            return
        await common.send(
            interaction,
            "Thanks! Your correction was sent to the maintainers. If your direct messages are open, I'll tell you what they decide.",
            ephemeral=True,
        )

    def post_text(self, proposal: governance.Proposal, status: str | None = None) -> str:
        payload = proposal.payload
        entry = self.bot.knowledge.lore.kb.entry(str(payload.get("entry")))
        question = f" ({escape(entry.question)})" if entry is not None else ""
        lines = [
            f"📝 **Correction #{proposal.id}** for `{escape(str(payload.get('entry')))}`{question}, "
            f"suggested by <@{proposal.user_id}>:",
            f"> {escape(str(payload.get('what', '')))}",
            f"Source: {escape(str(payload.get('source', '')))}",
        ]
        if status:
            lines.append(status)
        return "\n".join(lines)[:2000]  # the form's limits keep it far below

    async def post(self, proposal: governance.Proposal) -> bool:
        """Post the correction in the home server's mod-log with Accept and Reject."""
        home = self.bot.maintainers.home_guild_id
        if home is None:
            return False
        settings = await self.bot.storage.guild_settings(home)
        channel_id = settings.modlog_channel_id
        if channel_id is None:
            return False
        channel: Any = self.bot.get_channel(channel_id) or self.bot.get_partial_messageable(channel_id, guild_id=home)
        try:
            message = await channel.send(self.post_text(proposal), view=decision_view(proposal.id), allowed_mentions=common.no_mentions())
        except discord.HTTPException as error:
            log.warning("cannot post correction %s in the home mod-log: %s", proposal.id, error)
            return False
        await self.bot.storage.set_proposal_message(proposal.id, channel_id, message.id)
        return True

    # -- Accept / Reject -----------------------------------------------------------------------
    async def decide(self, interaction: discord.Interaction, verb: str, proposal_id: int) -> None:
        editing = self._editing()
        if editing is None or not await editing.is_maintainer(interaction):
            await common.send(interaction, "Only the knowledge's maintainers can decide on corrections.", ephemeral=True)
            return
        proposal: governance.Proposal | None = await self.bot.storage.proposal(proposal_id)
        if proposal is None or proposal.status not in (governance.PENDING, governance.DECIDING):
            decided = proposal.status if proposal is not None else "gone"
            await common.send(interaction, f"Correction #{proposal_id} is already {decided}.", ephemeral=True)
            return
        if verb == "reject":
            claimed = await self.bot.storage.claim_proposal(proposal_id, interaction.user.id)
            if claimed is None:
                await common.send(interaction, f"Correction #{proposal_id} is being decided by someone else.", ephemeral=True)
                return
            await self.bot.storage.decide_proposal(proposal_id, governance.REJECTED, interaction.user.id)
            await interaction.response.edit_message(content=self.post_text(proposal, f"❌ Rejected by <@{interaction.user.id}>."), view=None)
            await self.tell_fan(proposal, "Thanks for your suggested correction. The maintainers looked at it and kept the answer as it is.")
            return
        entry = self.bot.knowledge.lore.kb.entry(str(proposal.payload.get("entry")))
        if entry is None:
            await common.send(interaction, "That entry no longer exists; reject the correction.", ephemeral=True)
            return
        options = [discord.SelectOption(label="The entry: question, phrasings, links, tags", value=ENTRY_PART)]
        options += [
            discord.SelectOption(label=common.clip(f"Episode {r.episode}: {r.text}", 100), value=str(r.episode))
            for r in entry.reveals[-24:]
        ]
        await common.send(
            interaction, f"Which part of `{escape(entry.id)}` does correction #{proposal_id} fix? I'll open its form.",
            ephemeral=True, view=PartView(self, proposal, options),
        )

    async def open_part(self, interaction: discord.Interaction, proposal: governance.Proposal, part: str) -> None:
        editing = self._editing()
        assert editing is not None
        entry_id = str(proposal.payload.get("entry"))
        if part == ENTRY_PART:
            await editing.start_entry_edit(interaction, entry_id, proposal_id=proposal.id)
        else:
            source = str(proposal.payload.get("source", "")).strip() or None
            await editing.start_reveal(interaction, REVEAL_EDIT, entry_id, int(part), None, proposal_id=proposal.id, extra_source=source)

    async def after_save(self, interaction: discord.Interaction, draft: Draft, where: str) -> None:
        """A draft opened from Accept was saved: the correction is accepted; the fan is told."""
        if draft.proposal_id is None:
            return
        proposal: governance.Proposal | None = await self.bot.storage.proposal(draft.proposal_id)
        if proposal is None or proposal.status not in (governance.PENDING, governance.DECIDING):
            return
        await self.bot.storage.claim_proposal(proposal.id, interaction.user.id)
        await self.bot.storage.decide_proposal(proposal.id, governance.ACCEPTED, interaction.user.id, where)
        if proposal.channel_id and proposal.message_id:
            channel: Any = self.bot.get_channel(proposal.channel_id) or self.bot.get_partial_messageable(proposal.channel_id)
            try:
                await channel.get_partial_message(proposal.message_id).edit(
                    content=self.post_text(proposal, f"✅ Accepted by <@{interaction.user.id}>: `{escape(where)}`."), view=None
                )
            except discord.HTTPException as error:
                log.warning("cannot update the post of correction %s: %s", proposal.id, error)
        await self.tell_fan(proposal, "Thanks for your suggested correction: the maintainers accepted it, and the answer is corrected.")

    async def tell_fan(self, proposal: governance.Proposal, text: str) -> None:
        """A direct message to the fan; closed DMs (or any failure) are only logged."""
        try:
            user = self.bot.get_user(proposal.user_id) or await self.bot.fetch_user(proposal.user_id)
            await user.send(text, allowed_mentions=common.no_mentions())
        except Exception as error:  # closed DMs are the fan's choice: say nothing
            log.info("could not tell user %s about correction %s: %s", proposal.user_id, proposal.id, error)


async def setup(bot: LoreBot) -> None:
    await bot.add_cog(CorrectionsCog(bot))
