"""The everyday commands: /ask, /mystery, /episode, and the "did you mean" buttons.

Replies are public by default: they are spoiler-safe (every reveal names its episode, and text
past the server's horizon is in spoiler bars), and one public answer serves everyone reading the
channel. ``public:False`` makes a reply visible to the asker only. Replies that help nobody else
("I don't know", "not revealed yet", cooldown, "already answered above") are always ephemeral.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs import common
from bot.cogs.common import Horizon
from bot.answering.lore import MAX_QUESTION_CHARS, Answer, Suggestion
from bot.answering.matcher import Verdict
from bot.knowledge.model import Entry
from bot.answering.normalize import normalize
from bot.answering.render import escape

if TYPE_CHECKING:
    from bot.app import LoreBot

log = logging.getLogger(__name__)

#: a user may ask this many times per window (slash commands and button presses together)
ASK_RATE = 5
ASK_WINDOW = 60.0
#: the same public answer in the same channel within this many seconds points to the first one
DUPLICATE_WINDOW = 60.0
MAX_BUTTONS = 3
AUTOCOMPLETE_LIMIT = 25
CHOICE_LIMIT = 100
BUTTON_LABEL_LIMIT = 80
MAX_TOPIC_CHARS = 100


# -- the duplicate guard -------------------------------------------------------------------------
@dataclass(slots=True)
class Posted:
    """A public answer in a channel; ``jump_url`` is None while it is still being sent."""

    at: float
    jump_url: str | None = None


class RecentAnswers:
    """Public answers per channel over the last ``window`` seconds.

    The key includes the exact text, so an answer shaped by another horizon (or by newer
    knowledge) is never mistaken for the earlier one. A slot is claimed before the message is
    sent, so fans asking at the same moment get one answer, not several."""

    def __init__(self, window: float = DUPLICATE_WINDOW, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self.clock = clock
        self._posted: dict[tuple[int, str, str], Posted] = {}

    def _prune(self, now: float) -> None:
        for key in [k for k, p in self._posted.items() if p.at <= now - self.window]:
            del self._posted[key]

    def earlier(self, channel_id: int, key: str, text: str) -> Posted | None:
        now = self.clock()
        self._prune(now)
        return self._posted.get((channel_id, key, text))

    def claim(self, channel_id: int, key: str, text: str) -> Posted:
        posted = Posted(self.clock())
        self._posted[(channel_id, key, text)] = posted
        return posted

    def release(self, channel_id: int, key: str, text: str, posted: Posted) -> None:
        if self._posted.get((channel_id, key, text)) is posted:
            del self._posted[(channel_id, key, text)]


def duplicate_message(posted: Posted) -> str:
    where = posted.jump_url or "just above"
    return (
        f"I answered that in this channel a moment ago, so I'm not posting it again: {where}\n"
        "-# Want your own copy? Ask again with public:False."
    )


# -- "did you mean" buttons ----------------------------------------------------------------------
def _custom_id(entry_id: str, *, public: bool, upto: int | None) -> str:
    return f"lore:see:{'p' if public else 'e'}:{'a' if upto is None else upto}:{entry_id}"


class SuggestionButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"lore:see:(?P<vis>[pe]):(?P<upto>a|\d{1,3}):(?P<entry>[a-z0-9-]{1,80})",
):
    """Answers one entry for whoever presses it, gated by the presser's own horizon.

    Everything it needs is in its ``custom_id`` (the entry, whether the question was asked
    publicly, and the ``upto`` the asker gave, if any), so it keeps working after a restart."""

    def __init__(self, entry_id: str, label: str, *, public: bool, upto: int | None) -> None:
        super().__init__(
            discord.ui.Button(
                label=common.clip(label, BUTTON_LABEL_LIMIT) or entry_id,
                style=discord.ButtonStyle.secondary,
                custom_id=_custom_id(entry_id, public=public, upto=upto),
            )
        )
        self.entry_id = entry_id
        self.public = public
        self.upto = upto

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> SuggestionButton:
        upto = None if match["upto"] == "a" else int(match["upto"])
        return cls(match["entry"], item.label or match["entry"], public=match["vis"] == "p", upto=upto)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:  # type: ignore[override]
        cog = interaction.client.get_cog(LoreCog.__cog_name__)
        if not isinstance(cog, LoreCog):
            await common.send_quietly(interaction, "Answers are not available right now; please try again shortly.")
            return
        await cog.answer_pressed(interaction, self.entry_id, public=self.public, upto=self.upto)


class SuggestionView(discord.ui.View):
    """Up to three "did you mean" buttons, labelled with entry questions the asker may see."""

    def __init__(self, suggestions: Sequence[Suggestion], *, public: bool, upto: int | None) -> None:
        super().__init__(timeout=None)
        for suggestion in suggestions[:MAX_BUTTONS]:
            if SuggestionButton.__discord_ui_compiled_template__.fullmatch(
                _custom_id(suggestion.entry_id, public=public, upto=upto)
            ):
                self.add_item(SuggestionButton(suggestion.entry_id, suggestion.question, public=public, upto=upto))
        # The buttons are dynamic items registered by the cog, so discord.py need not track this
        # view. Stopping it keeps discord.py from doing so: when a tracked ephemeral view times
        # out, discord.py would unregister the dynamic item class for every message.
        self.stop()


# -- the cog -------------------------------------------------------------------------------------
class LoreCog(commands.Cog, name="Lore"):
    def __init__(self, bot: LoreBot) -> None:
        self.bot = bot
        self.cooldown = common.UserCooldown(ASK_RATE, ASK_WINDOW)
        self.recent = RecentAnswers(DUPLICATE_WINDOW)
        episodes = common.episode_count(bot)
        common.set_option_range(self.ask, "upto", min_value=0, max_value=episodes)
        common.set_option_range(self.mystery, "upto", min_value=0, max_value=episodes)
        common.set_option_range(self.episode, "number", min_value=1, max_value=episodes)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(SuggestionButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(SuggestionButton)

    # -- /ask ----------------------------------------------------------------------------------------
    @app_commands.command(name="ask", description="Ask a Metallic Rouge lore question; answers are spoiler-safe")
    @app_commands.describe(
        question="Your question, e.g. who is Rouge's mother?",
        upto="Only use what is revealed up to this episode (default: your /progress)",
        public="Show the answer to everyone (default) or only to you",
    )
    async def ask(
        self,
        interaction: discord.Interaction[Any],
        question: app_commands.Range[str, 1, MAX_QUESTION_CHARS],
        upto: Optional[app_commands.Range[int, 0]] = None,  # noqa: UP007 - discord.py reads it
        public: bool = True,
    ) -> None:
        if not await self._allow(interaction):
            return
        lore = common.lore_of(interaction)
        h = common.horizon(interaction, upto)
        free = common.spoiler_free(interaction)
        # An autocomplete choice sends the entry's id; anything else is a typed question.
        entry = lore.kb.entry(question.strip())
        if entry is not None:
            answer = lore.answer_entry(entry, upto=h.upto, spoiler_free=free)
        else:
            answer = lore.ask(question, upto=h.upto, spoiler_free=free)
        log.debug("ask guild=%s status=%s entry=%s score=%.1f", interaction.guild_id, answer.status.value,
                  answer.entry.id if answer.entry else None, answer.score)
        await self._deliver(interaction, answer, h, public=public, question=question, asked_upto=upto)

    @ask.autocomplete("question")
    async def question_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        """Entry questions matching what is typed, never one past the asker's horizon."""
        try:
            lore = common.lore_of(interaction)
            h = common.horizon(interaction, _typed_upto(interaction))
            entries = lore.suggest(current or "", upto=h.upto, limit=AUTOCOMPLETE_LIMIT)
            return [_entry_choice(entry) for entry in entries if len(entry.id) <= CHOICE_LIMIT]
        except Exception:  # a failure here must still answer; Discord shows "loading failed" otherwise
            log.exception("autocomplete for /ask failed")
            return []

    # -- /mystery ------------------------------------------------------------------------------------
    @app_commands.command(name="mystery", description="What the show has revealed so far about one of its mysteries")
    @app_commands.describe(
        topic="The mystery, e.g. mother",
        upto="Only use what is revealed up to this episode (default: your /progress)",
        public="Show the answer to everyone (default) or only to you",
    )
    async def mystery(
        self,
        interaction: discord.Interaction[Any],
        topic: app_commands.Range[str, 1, MAX_TOPIC_CHARS],
        upto: Optional[app_commands.Range[int, 0]] = None,  # noqa: UP007
        public: bool = True,
    ) -> None:
        if not await self._allow(interaction):
            return
        lore = common.lore_of(interaction)
        h = common.horizon(interaction, upto)
        answer = lore.mystery(topic, upto=h.upto, spoiler_free=common.spoiler_free(interaction))
        if answer.status is Verdict.UNKNOWN:
            known = [e.mystery for e in lore.matcher.complete_mystery("", lore.clamp_upto(h.upto)) if e.mystery]
            if known:
                answer = Answer(answer.status, answer.text + "\n-# Mysteries I know: " + ", ".join(escape(k) for k in known))
        await self._deliver(interaction, answer, h, public=public, question=topic, asked_upto=upto)

    @mystery.autocomplete("topic")
    async def topic_autocomplete(self, interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
        try:
            lore = common.lore_of(interaction)
            h = common.horizon(interaction, _typed_upto(interaction))
            entries = lore.matcher.complete_mystery(current or "", lore.clamp_upto(h.upto), limit=AUTOCOMPLETE_LIMIT)
            return [
                app_commands.Choice(name=common.clip(f"{e.mystery}: {e.question}", CHOICE_LIMIT), value=e.mystery)
                for e in entries
                if e.mystery and len(e.mystery) <= CHOICE_LIMIT
            ]
        except Exception:
            log.exception("autocomplete for /mystery failed")
            return []

    # -- /episode ------------------------------------------------------------------------------------
    @app_commands.command(name="episode", description="An episode's title and what it reveals, under spoiler bars")
    @app_commands.describe(number="The episode number", public="Show the answer to everyone (default) or only to you")
    async def episode(
        self,
        interaction: discord.Interaction[Any],
        number: app_commands.Range[int, 1],
        public: bool = True,
    ) -> None:
        if not await self._allow(interaction):
            return
        lore = common.lore_of(interaction)
        h = common.horizon(interaction)
        answer = lore.episode(number, upto=h.upto, spoiler_free=common.spoiler_free(interaction))
        if answer.status is Verdict.ANSWERED:
            await self._post(interaction, answer.text, key=f"episode:{number}", public=public)
        elif answer.status is Verdict.WITHHELD:
            await common.send(interaction, answer.text + common.progress_hint(h), ephemeral=True)
        else:
            await common.send(interaction, answer.text, ephemeral=True)

    # -- buttons -------------------------------------------------------------------------------------
    async def answer_pressed(
        self, interaction: discord.Interaction[Any], entry_id: str, *, public: bool, upto: int | None
    ) -> None:
        """A "did you mean" press: answer the entry for the presser, within their own progress and
        within the ``upto`` the question was asked with, whichever is earlier."""
        try:
            if not await self._allow(interaction):
                return
            lore = common.lore_of(interaction)
            entry = lore.kb.entry(entry_id)
            if entry is None:
                await common.send(
                    interaction,
                    "I no longer know that one (the knowledge changed since). Please ask again with /ask.",
                    ephemeral=True,
                )
                return
            saved = common.saved_progress(interaction)
            if saved is not None and (upto is None or saved < upto):
                h = Horizon(saved, "progress")
            else:
                h = Horizon(upto, "series" if upto is None else "option")
            answer = lore.answer_entry(entry, upto=h.upto, spoiler_free=common.spoiler_free(interaction))
            await self._deliver(interaction, answer, h, public=public, question=entry.question, asked_upto=upto)
        except Exception as error:
            await common.report_unexpected(interaction, error, where=f"'did you mean' button for {entry_id}")

    # -- shared --------------------------------------------------------------------------------------
    async def _allow(self, interaction: discord.Interaction[Any]) -> bool:
        wait = self.cooldown.hit(interaction.user.id)
        if wait:
            await common.send(interaction, self.cooldown.message(wait), ephemeral=True)
            return False
        return True

    async def _deliver(
        self,
        interaction: discord.Interaction[Any],
        answer: Answer,
        h: Horizon,
        *,
        public: bool,
        question: str,
        asked_upto: int | None,
    ) -> None:
        storage = self.bot.storage
        guild_id = interaction.guild_id
        if answer.status is Verdict.ANSWERED and answer.entry is not None:
            view = common.read_more(interaction, answer.entry, h) if public else None
            await self._post(interaction, answer.text, key=f"entry:{answer.entry.id}", public=public, view=view)
            storage.bump(guild_id, "answered")
        elif answer.status is Verdict.SUGGEST and answer.suggestions:
            view = SuggestionView(answer.suggestions, public=public, upto=asked_upto)
            await common.send(interaction, answer.text, ephemeral=not public, view=view)
            storage.bump(guild_id, "suggested")
        elif answer.status is Verdict.WITHHELD:
            await common.send(interaction, answer.text + common.progress_hint(h), ephemeral=True)
            storage.bump(guild_id, "withheld")
        else:
            await common.send(interaction, answer.text, ephemeral=True)
            if question.strip():
                synonyms = common.lore_of(interaction).kb.series.synonyms
                storage.record_miss(guild_id, question, normalize(question, synonyms))
                storage.bump(guild_id, "missed")

    async def _post(
        self,
        interaction: discord.Interaction[Any],
        text: str,
        *,
        key: str,
        public: bool,
        view: discord.ui.View | None = None,
    ) -> None:
        """Post an answer; a public one already posted in this channel just now is pointed to."""
        channel_id = interaction.channel_id
        if not public or channel_id is None:
            await common.send(interaction, text, ephemeral=not public, view=view)
            return
        earlier = self.recent.earlier(channel_id, key, text)
        if earlier is not None:
            await common.send(interaction, duplicate_message(earlier), ephemeral=True)
            return
        posted = self.recent.claim(channel_id, key, text)
        try:
            posted.jump_url = await common.send(interaction, text, ephemeral=False, view=view)
        except BaseException:
            self.recent.release(channel_id, key, text, posted)
            raise


def _typed_upto(interaction: discord.Interaction[Any]) -> int | None:
    """The ``upto`` option as typed so far during autocomplete (None when absent or not a number)."""
    value = getattr(interaction.namespace, "upto", None)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _entry_choice(entry: Entry) -> app_commands.Choice[str]:
    return app_commands.Choice(name=common.clip(entry.question, CHOICE_LIMIT) or entry.id, value=entry.id)


async def setup(bot: LoreBot) -> None:
    common.install_error_handler(bot)
    await bot.add_cog(LoreCog(bot))
