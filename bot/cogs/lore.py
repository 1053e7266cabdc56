"""The everyday commands: /ask, /mystery, /episode, and the "did you mean" buttons.

Replies are public by default: they are spoiler-safe (every reveal names its episode, and text
past the server's horizon is in spoiler bars), and one public answer serves everyone reading the
channel. ``public:False`` makes a reply visible to the asker only. Replies that help nobody else
("I can't answer that as of episode N", cooldown, "already answered above") are always ephemeral.

Every reply comes from the core (``bot.answering.lore``), made from the knowledge as the asker's
horizon knows it; this layer only chooses where it goes. Whether the whole series would have
answered a question the asker's horizon could not is looked at only for the server's counters and
the moderators' list of unanswered questions, never for what the asker is shown.
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
from bot.answering.lore import MAX_QUESTION_CHARS, Answer, Choice, Lore, Suggestion
from bot.answering.matcher import Verdict
from bot.answering.normalize import normalize
from bot.knowledge.model import Entry

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
        cog = await common.cog_or_notice(interaction, LoreCog.__cog_name__, "Answers")
        if cog is None:
            return
        await cog.answer_pressed(interaction, self.entry_id, public=self.public, upto=self.upto)


class SuggestionView(discord.ui.View):
    """Up to three "did you mean" buttons, labelled with entry questions the asker may see, or
    with numbers when a question must stay in spoiler bars (it is then listed, barred, in the text)."""

    def __init__(self, suggestions: Sequence[Suggestion], *, public: bool, upto: int | None) -> None:
        super().__init__(timeout=None)
        for suggestion in suggestions[:MAX_BUTTONS]:
            if SuggestionButton.__discord_ui_compiled_template__.fullmatch(
                _custom_id(suggestion.entry_id, public=public, upto=upto)
            ):
                self.add_item(SuggestionButton(suggestion.entry_id, suggestion.button_label, public=public, upto=upto))
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
        h = await common.horizon(interaction, upto)
        free = await common.spoiler_free(interaction)
        # An autocomplete choice sends the entry's id; the core answers that entry (if the
        # asker's horizon has it) and reads anything else as a typed question.
        answer = lore.ask(question, upto=h.upto, spoiler_free=free)
        log.debug("ask guild=%s status=%s entry=%s score=%.1f", interaction.guild_id, answer.status.value,
                  answer.entry.id if answer.entry else None, answer.score)
        await self._deliver(interaction, answer, h, public=public, question=question, asked_upto=upto)

    @ask.autocomplete("question")
    async def question_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        """Entry questions matching what is typed, never one past the asker's horizon (or, with
        no progress, the server's spoiler-free episode: a choice cannot hold spoiler bars)."""
        try:
            lore = common.lore_of(interaction)
            h, free = await common.listing_horizon(interaction, _typed_upto(interaction))
            choices = lore.complete(current or "", upto=h.upto, spoiler_free=free, limit=AUTOCOMPLETE_LIMIT)
            return [_choice(choice) for choice in choices]
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
        h = await common.horizon(interaction, upto)
        answer = lore.mystery(topic, upto=h.upto, spoiler_free=await common.spoiler_free(interaction))
        await self._deliver(interaction, answer, h, public=public, question=topic, asked_upto=upto, mystery=True)

    @mystery.autocomplete("topic")
    async def topic_autocomplete(self, interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
        try:
            lore = common.lore_of(interaction)
            h, free = await common.listing_horizon(interaction, _typed_upto(interaction))
            choices = lore.complete_mystery(current or "", upto=h.upto, spoiler_free=free, limit=AUTOCOMPLETE_LIMIT)
            return [_choice(choice) for choice in choices]
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
        h = await common.horizon(interaction)
        answer = lore.episode(number, upto=h.upto, spoiler_free=await common.spoiler_free(interaction))
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
            saved = await common.saved_progress(interaction)
            if saved is not None and (upto is None or saved < upto):
                h = Horizon(saved, "progress")
            else:
                h = Horizon(upto, "series" if upto is None else "option")
            answer = lore.answer_entry(entry_id, upto=h.upto, spoiler_free=await common.spoiler_free(interaction))
            if answer.status is not Verdict.ANSWERED:
                # Not in the knowledge at the presser's horizon (later, or removed since): one reply.
                await common.send(interaction, answer.text + common.progress_hint(h), ephemeral=True)
                if lore.kb.entry(entry_id) is not None:
                    await self.bot.storage.bump(interaction.guild_id, "withheld")
                return
            await self._deliver(interaction, answer, h, public=public, question=entry_id, asked_upto=upto)
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
        mystery: bool = False,
    ) -> None:
        storage = self.bot.storage
        guild_id = interaction.guild_id
        if answer.status is Verdict.ANSWERED and answer.entry is not None:
            view = self._answer_view(interaction, answer.entry, h) if public else None
            await self._post(interaction, answer.text, key=f"entry:{answer.entry.id}", public=public, view=view)
            await storage.bump(guild_id, "answered")
            for part in answer.unanswered:  # "who is naomi and who is zorblax": the second is a miss
                await self._record_miss(interaction, part, h, mystery=False)
        elif answer.status is Verdict.SUGGEST and answer.suggestions:
            view = SuggestionView(answer.suggestions, public=public, upto=asked_upto)
            await common.send(interaction, answer.text, ephemeral=not public, view=view)
            await storage.bump(guild_id, "suggested")
        else:
            await common.send(interaction, answer.text + common.progress_hint(h), ephemeral=True)
            if question.strip():
                await self._record_miss(interaction, question, h, mystery=mystery)

    async def _record_miss(self, interaction: discord.Interaction[Any], question: str, h: Horizon, *, mystery: bool) -> None:
        """Note a question the asker got no answer to: for the moderators when the knowledge lacks
        it, as withheld when a later episode answers it (the asker's reply is the same)."""
        storage = self.bot.storage
        lore = common.lore_of(interaction)
        if lore.clamp_upto(h.upto) is not None and _answered_later(lore, question, mystery=mystery):
            await storage.bump(interaction.guild_id, "withheld")  # a spoiler, not a gap in the knowledge
            return
        await storage.record_miss(interaction.guild_id, question, normalize(question, lore.kb.series.synonyms))
        await storage.bump(interaction.guild_id, "missed")

    def _answer_view(self, interaction: discord.Interaction[Any], entry: Entry, h: Horizon) -> discord.ui.View | None:
        """Buttons under a public answer: "Read more" on the lore site (with SITE_URL) and
        "Suggest a correction" (bot.cogs.corrections), whichever are there."""
        view = common.read_more(interaction, entry, h)
        make = getattr(self.bot.get_cog("Corrections"), "answer_view", None)
        extra = make(entry.id) if make is not None else None
        if view is None or extra is None:
            return view or extra
        for item in extra.children:
            view.add_item(item)
        return view

    async def _post(
        self, interaction: discord.Interaction[Any], text: str, *, key: str, public: bool, view: discord.ui.View | None = None
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


def _choice(choice: Choice) -> app_commands.Choice[str]:
    return app_commands.Choice(name=choice.name, value=choice.value)


def _answered_later(lore: Lore, question: str, *, mystery: bool) -> bool:
    """Whether the whole series answers what the asker's horizon could not. For the counters and
    the moderators' unanswered list only: the asker's reply never depends on it."""
    answer = lore.mystery(question) if mystery else lore.ask(question)
    return answer.status is Verdict.ANSWERED


async def setup(bot: LoreBot) -> None:
    common.install_error_handler(bot)
    await bot.add_cog(LoreCog(bot))
