"""Answers where fans already talk: @mentions (and replies that mention the bot), DMs, and the
message context menu "Answer with lore".

Discord gives a bot the content of messages that mention it, of DMs and of the message a context
menu is used on without the privileged message-content intent, so the bot asks only for the guild
and DM message events. The message is read by :mod:`bot.answering.chat` (stated progress, several
questions, chatter) and answered at the **lowest** horizon known for the exchange: the progress the
message states, its author's saved progress and, for the context menu, the progress of the member
who picked it. The server's spoiler-free horizon still decides the spoiler bars (a DM has none:
everything is in bars, as for /ask in DMs).

Where replies go:

* **@mention in a channel:** a reply to the message, public, when something was answered. When the
  bot could only say "I don't know", "not revealed yet" or "did you mean", it says nothing: a plain
  message cannot be answered privately, and a public "I don't know" would only add noise. The
  question is still recorded for the moderators (without who asked), as with /ask.
* **DM:** always a reply (the conversation is private), "did you mean" buttons included.
* **"Answer with lore":** a public reply to the picked message when something was answered, and a
  private (ephemeral) confirmation for the member who picked it; otherwise a private answer.

Never answered: bots, webhooks, the bot itself, system messages, role and @everyone mentions, and
channels where moderators turned mention answers off (``/lore-admin mentions``; the context menu
then answers privately there). Rate limits: the same per-user budget as /ask (shared with it), a
per-channel budget for public answers, and the same duplicate guard as /ask.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.answering.chat import (
    ChatReply,
    Delivery,
    Place,
    Voice,
    answer_questions,
    delivery,
    limit_for,
    lowest_horizon,
    read_message,
    topic_words_for,
)
from bot.answering.matcher import Verdict
from bot.answering.normalize import normalize
from bot.cogs import common
from bot.cogs.lore import ASK_RATE, ASK_WINDOW, DUPLICATE_WINDOW, RecentAnswers, SuggestionView

if TYPE_CHECKING:
    from bot.app import LoreBot
    from bot.answering.lore import Lore

log = logging.getLogger(__name__)

MENU_NAME = "Answer with lore"
#: public answers to mentions and "Answer with lore" per channel and window, everyone together
CHANNEL_RATE = 10
CHANNEL_WINDOW = 60.0

COUNTERS = {
    Verdict.ANSWERED: "answered",
    Verdict.SUGGEST: "suggested",
    Verdict.WITHHELD: "withheld",
    Verdict.UNKNOWN: "missed",
}

DM_HINT = (
    "Ask me anything about Metallic Rouge, for example: who is Rouge's mother? "
    "Tell me how far you have watched (“im on ep 6”) and I stop there; /progress remembers it."
)
MENU_NO_QUESTION = (
    "I can't find a question about Metallic Rouge in that message. "
    "Try /ask with the question in your own words."
)
MENU_OWN_MESSAGE = "That is one of my own answers. Ask me something new with /ask, or mention me."
MENU_NOT_A_PERSON = "I only answer messages people wrote, not those of bots or webhooks."
PRIVATE_MENTIONS_OFF = "-# Mention answers are off in this channel, so only you see this."
PRIVATE_BUSY = "-# Many answers were posted here in the last minute, so only you see this one."
PRIVATE_CANNOT_POST = "-# I can't post in this channel, so only you see this."


class ChatCog(commands.Cog, name="Chat"):
    def __init__(self, bot: LoreBot) -> None:
        self.bot = bot
        self._own_cooldown = common.UserCooldown(ASK_RATE, ASK_WINDOW)
        self._own_recent = RecentAnswers(DUPLICATE_WINDOW)
        #: public answers per channel (keyed by channel id)
        self.channel_cooldown = common.UserCooldown(CHANNEL_RATE, CHANNEL_WINDOW)
        #: when each user was last told they are going too fast in a DM
        self._told_to_wait: dict[int, float] = {}
        self.menu = app_commands.ContextMenu(name=MENU_NAME, callback=self.answer_with_lore)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    # -- shared with /ask ------------------------------------------------------------------------
    @property
    def cooldown(self) -> common.UserCooldown:
        """The per-user budget /ask uses (one budget for every way of asking), or our own."""
        found = getattr(self.bot.get_cog("Lore"), "cooldown", None)
        return found if isinstance(found, common.UserCooldown) else self._own_cooldown

    @property
    def recent(self) -> RecentAnswers:
        """The duplicate guard /ask uses, so an answer already posted by either is not repeated."""
        found = getattr(self.bot.get_cog("Lore"), "recent", None)
        return found if found is not None and hasattr(found, "claim") else self._own_recent

    @property
    def lore(self) -> Lore:
        return self.bot.knowledge.lore

    # -- which messages ----------------------------------------------------------------------------
    async def addressed(self, message: discord.Message) -> bool:
        """Whether ``message`` asks the bot: a DM, or a message that mentions the bot user (not its
        role, not @everyone), from a person, in a channel where mention answers are on."""
        me = self.bot.user
        if me is None or message.author.id == me.id:
            return False
        if message.author.bot or message.webhook_id is not None:
            return False
        if message.type not in (discord.MessageType.default, discord.MessageType.reply):
            return False
        if message.guild is None:
            return True
        if not any(user.id == me.id for user in message.mentions):
            return False
        return await self.mentions_allowed(message.channel)

    async def mentions_allowed(self, channel: Any) -> bool:
        """Mention answers are on in ``channel`` and in the channel it is a thread of."""
        ids = [channel.id, getattr(channel, "parent_id", None)]
        storage = self.bot.storage
        return all([await storage.mentions_enabled(i) for i in ids if i is not None])

    # -- @mentions and DMs -----------------------------------------------------------------------
    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if not await self.addressed(message):
            return
        try:
            await self.answer_message(message)
        except Exception:
            log.exception(
                "answering a message failed (guild %s, channel %s, user %s)",
                message.guild.id if message.guild else None, message.channel.id, message.author.id,
            )

    async def answer_message(self, message: discord.Message) -> None:
        dm = message.guild is None
        place = Place.DM if dm else Place.MENTION
        read = read_message(message.content or "", bot_ids=self._bot_ids(), topic_words=topic_words_for(place))
        if not read.questions and not dm:
            return  # a mention that asks nothing: no public noise
        wait = self.cooldown.hit(message.author.id)
        if wait:
            if dm and self._tell_to_wait(message.author.id):
                await self._reply(message, self.cooldown.message(wait))
            return
        if not read.questions:
            await self._reply(message, DM_HINT)
            return
        storage = self.bot.storage
        guild_id = message.guild.id if message.guild else None
        horizon = lowest_horizon(stated=read.stated, author=await storage.progress(message.author.id))
        reply = answer_questions(self.lore, read.questions, horizon=horizon, spoiler_free=await self._spoiler_free(guild_id))
        await self._record(guild_id, reply, misses=read.question_form or dm)
        log.debug("chat %s guild=%s answered=%s key=%s", "dm" if dm else "mention", guild_id, reply.answered, reply.key)
        where = delivery(place, answered=reply.answered)
        if where is Delivery.PRIVATE:  # the DM
            view = SuggestionView(reply.suggestions, public=True, upto=horizon.upto) if reply.suggestions else None
            await self._reply(message, reply.text, view=view)
            return
        if where is Delivery.NONE:
            return  # never a public "I don't know" or "did you mean"
        channel_id = message.channel.id
        if self.channel_cooldown.hit(channel_id):
            log.info("channel %s is busy: mention from user %s not answered", channel_id, message.author.id)
            return
        earlier = self.recent.earlier(channel_id, reply.key, reply.text)
        if earlier is not None:
            await self._reply(message, f"I answered that here a moment ago: {earlier.jump_url or 'just above'}")
            return
        posted = self.recent.claim(channel_id, reply.key, reply.text)
        sent = await self._reply(message, reply.text)
        if sent is None:
            self.recent.release(channel_id, reply.key, reply.text, posted)
        else:
            posted.jump_url = sent.jump_url

    async def _reply(
        self, message: discord.Message, text: str, *, view: discord.ui.View | None = None
    ) -> discord.Message | None:
        """Reply to ``message`` without pinging anyone and without link previews; a refusal by
        Discord (no permission here, the message deleted meanwhile) is logged, not raised."""
        kwargs: dict[str, Any] = {
            "mention_author": False,
            "allowed_mentions": common.no_mentions(),
            "suppress_embeds": True,
        }
        if view is not None:
            kwargs["view"] = view
        try:
            return await message.reply(text, **kwargs)
        except discord.HTTPException as error:
            log.info("could not reply in channel %s: %s", message.channel.id, error)
            return None

    def _tell_to_wait(self, user_id: int) -> bool:
        """Say "you're going too fast" at most once per cooldown window (a DM flood gets one notice)."""
        now, window = time.monotonic(), self.cooldown.per
        if now - self._told_to_wait.get(user_id, float("-inf")) < window:
            return False
        if len(self._told_to_wait) >= 1024:  # forget notices older than the window
            self._told_to_wait = {u: t for u, t in self._told_to_wait.items() if now - t < window}
        self._told_to_wait[user_id] = now
        return True

    # -- "Answer with lore" --------------------------------------------------------------------------
    async def answer_with_lore(self, interaction: discord.Interaction[Any], message: discord.Message) -> None:
        """The message context menu: answer the picked message's text as a reply to it."""
        me = self.bot.user
        if me is not None and message.author.id == me.id:
            await common.send(interaction, MENU_OWN_MESSAGE, ephemeral=True)
            return
        if message.author.bot or message.webhook_id is not None:
            await common.send(interaction, MENU_NOT_A_PERSON, ephemeral=True)
            return
        wait = self.cooldown.hit(interaction.user.id)
        if wait:
            await common.send(interaction, self.cooldown.message(wait), ephemeral=True)
            return
        read = read_message(message.content or "", bot_ids=self._bot_ids(), topic_words=topic_words_for(Place.MENU))
        if not read.questions:
            await common.send(interaction, MENU_NO_QUESTION, ephemeral=True)
            return
        storage = self.bot.storage
        picker, author = interaction.user.id, message.author.id
        horizon = lowest_horizon(
            stated=read.stated,
            author=await storage.progress(author),
            picker=await storage.progress(picker) if picker != author else None,
        )
        voice = Voice.AUTHOR if picker == author else Voice.PICKER
        reply = answer_questions(
            common.lore_of(interaction), read.questions, horizon=horizon,
            spoiler_free=await self._spoiler_free(interaction.guild_id), voice=voice, limit=limit_for(Place.MENU),
        )
        await self._record(interaction.guild_id, reply, misses=True)
        if delivery(Place.MENU, answered=reply.answered) is Delivery.PRIVATE:
            view = SuggestionView(reply.suggestions, public=False, upto=horizon.upto) if reply.suggestions else None
            await common.send(interaction, reply.text, ephemeral=True, view=view)
            return
        private = await self._why_private(interaction)
        if private:
            await common.send(interaction, f"{reply.text}\n{private}", ephemeral=True)
            return
        await self._post_reply(interaction, message, reply)

    async def _why_private(self, interaction: discord.Interaction[Any]) -> str | None:
        """Why a context-menu answer goes only to the member who picked it, or None: it is public."""
        channel = interaction.channel
        if interaction.guild_id is not None and channel is not None and not await self.mentions_allowed(channel):
            return PRIVATE_MENTIONS_OFF
        if interaction.channel_id is not None and self.channel_cooldown.hit(interaction.channel_id):
            return PRIVATE_BUSY
        return None

    async def _post_reply(self, interaction: discord.Interaction[Any], message: discord.Message, reply: ChatReply) -> None:
        """Post ``reply`` as a reply to ``message``; tell the member who picked the menu where it is."""
        channel_id = message.channel.id
        earlier = self.recent.earlier(channel_id, reply.key, reply.text)
        if earlier is not None:
            await common.send(
                interaction, f"I answered that in this channel a moment ago: {earlier.jump_url or 'just above'}",
                ephemeral=True,
            )
            return
        if not self._can_reply(interaction):
            # Discord delivers an interaction response whatever the bot's channel permissions.
            await common.send(interaction, f"Re: {message.jump_url}\n{reply.text}", ephemeral=False)
            return
        await common.think_privately(interaction)
        posted = self.recent.claim(channel_id, reply.key, reply.text)
        sent = await self._reply(message, reply.text)
        if sent is None:
            self.recent.release(channel_id, reply.key, reply.text, posted)
            await common.send(interaction, f"{reply.text}\n{PRIVATE_CANNOT_POST}", ephemeral=True)
            return
        posted.jump_url = sent.jump_url
        await common.send(interaction, f"Answered as a reply to that message: {sent.jump_url}", ephemeral=True)

    @staticmethod
    def _can_reply(interaction: discord.Interaction[Any]) -> bool:
        """The bot may post a reply here: see the channel, send (in threads too) and read history."""
        if interaction.guild_id is None:
            return True
        perms = interaction.app_permissions
        in_thread = isinstance(interaction.channel, discord.Thread)
        send = perms.send_messages_in_threads if in_thread else perms.send_messages
        return bool(perms.view_channel and send and perms.read_message_history)

    # -- shared --------------------------------------------------------------------------------------
    async def _spoiler_free(self, guild_id: int | None) -> int:
        """The server's spoiler-free horizon; a DM has none, so every reveal there is in bars."""
        if guild_id is None:
            return 0
        return (await self.bot.storage.guild_settings(guild_id)).spoiler_free

    def _bot_ids(self) -> tuple[int, ...]:
        return (self.bot.user.id,) if self.bot.user is not None else ()

    async def _record(self, guild_id: int | None, reply: ChatReply, *, misses: bool) -> None:
        """Count the answers as /ask does, and record unanswered questions (never who asked)."""
        storage = self.bot.storage
        for answer in reply.answers:
            await storage.bump(guild_id, COUNTERS.get(answer.status, "missed"))
        if misses:
            synonyms = self.lore.kb.series.synonyms
            for question in reply.misses:
                await storage.record_miss(guild_id, question, normalize(question, synonyms))


async def setup(bot: LoreBot) -> None:
    common.install_error_handler(bot)
    await bot.add_cog(ChatCog(bot))
