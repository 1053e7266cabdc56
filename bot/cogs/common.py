"""What every cog shares: the asker's horizon, replies that can ping nobody, the per-user
cooldown, and the error handler that leaves no interaction unanswered.

Discord shows "The application did not respond" when an interaction gets no answer within
3 seconds, so every failure path here still answers, ephemerally, in plain words.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.answering import render
from bot.storage import StorageBusy, StorageError
from bot.knowledge.model import Entry
from bot.site.urls import entry_url, site_horizon

if TYPE_CHECKING:
    from bot.app import LoreBot
    from bot.answering.lore import Lore

#: the cogs clip labels with common.clip (re-exported from the core)
clip = render.clip

log = logging.getLogger(__name__)

#: Set ``interaction.extras[ERROR_HANDLED] = True`` in a command's or cog's own error handler
#: once it has answered the user: the tree-wide handler then stays quiet instead of answering twice.
ERROR_HANDLED = "lore_error_handled"

APOLOGY = (
    "Sorry, something went wrong on my side while answering that. "
    "It has been logged; please try again in a moment."
)
COMMAND_CHANGED = (
    "This command was just updated. Give Discord a minute to refresh it, then try again."
)
STORAGE_BUSY = "My storage is busy right now, so nothing was saved or changed. Please try again in a moment."
STORAGE_DOWN = (
    "My storage is not working right now, so nothing was saved or changed. "
    "The bot's operator has been told in the log; please try again later."
)

#: Discord's names for the permissions a moderator is most likely to miss.
PERMISSION_NAMES = {
    "manage_guild": "Manage Server",
    "manage_channels": "Manage Channels",
    "manage_messages": "Manage Messages",
    "manage_roles": "Manage Roles",
    "administrator": "Administrator",
    "send_messages": "Send Messages",
    "embed_links": "Embed Links",
    "view_channel": "View Channel",
}


def no_mentions() -> discord.AllowedMentions:
    """Every message the bot sends: it can never ping @everyone, a role or a user."""
    return discord.AllowedMentions.none()


# -- who is asking, and how far they have watched ------------------------------------------------
@dataclass(frozen=True, slots=True)
class Horizon:
    """How far the asker has watched. ``upto`` None: the whole series (spoilers in bars)."""

    upto: int | None
    #: "option" (the command's ``upto``), "progress" (saved with /progress) or "series"
    source: str

    @property
    def from_progress(self) -> bool:
        return self.source == "progress"


def lore_of(interaction: discord.Interaction[Any]) -> Lore:
    """The knowledge being served right now (a hot reload swaps it between interactions)."""
    return interaction.client.knowledge.lore  # type: ignore[attr-defined, no-any-return]


def episode_count(bot: LoreBot) -> int:
    return bot.knowledge.lore.kb.series.episode_count


async def saved_progress(interaction: discord.Interaction[Any]) -> int | None:
    return await interaction.client.storage.progress(interaction.user.id)  # type: ignore[attr-defined, no-any-return]


async def horizon(interaction: discord.Interaction[Any], upto: int | None = None) -> Horizon:
    """The asker's horizon: the command's ``upto``, else their saved progress, else everything."""
    if upto is not None:
        return Horizon(upto, "option")
    saved = await saved_progress(interaction)
    if saved is not None:
        return Horizon(saved, "progress")
    return Horizon(None, "series")


async def listing_horizon(interaction: discord.Interaction[Any], upto: int | None = None) -> tuple[Horizon, int]:
    """The asker's horizon and the server's spoiler-free episode, in at most one query: for
    autocomplete, whose choices (no spoiler bars possible) stop at the server's horizon for an
    asker with no progress. The spoiler-free episode is 0 when ``upto`` is given (it is unused)."""
    if upto is not None:
        return Horizon(upto, "option"), 0
    storage = interaction.client.storage  # type: ignore[attr-defined]
    saved, free = await storage.progress_and_spoiler_free(interaction.user.id, interaction.guild_id)
    return (Horizon(saved, "progress") if saved is not None else Horizon(None, "series")), free


async def spoiler_free(interaction: discord.Interaction[Any]) -> int:
    """The server's spoiler-free horizon (0 in direct messages: everything is a spoiler)."""
    settings = await interaction.client.storage.guild_settings(interaction.guild_id)  # type: ignore[attr-defined]
    return settings.spoiler_free  # type: ignore[no-any-return]


def progress_hint(h: Horizon) -> str:
    """Why an answer stops where it does, when the limit came from saved progress."""
    if not h.from_progress:
        return ""
    return f"\n-# You told me you have watched up to episode {h.upto}; change that with /progress."


def read_more(interaction: discord.Interaction[Any], entry: Entry, h: Horizon) -> discord.ui.View | None:
    """A "Read more" link button to ``entry``'s page on the lore site at the asker's horizon
    (the whole-series tree, reveals behind spoilers, when no progress is known); None without
    ``SITE_URL``. A link button makes no embed and needs no handler."""
    site_url = interaction.client.config.site_url  # type: ignore[attr-defined]
    if not site_url:
        return None
    count = interaction.client.knowledge.lore.kb.series.episode_count  # type: ignore[attr-defined]
    shown = site_horizon(h.upto, count)
    label = "Read more (whole series, spoilers hidden)" if shown is None else f"Read more (as of episode {shown})"
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label=label, url=entry_url(site_url, entry.id, h.upto, count)))
    return view


def set_option_range(
    command: app_commands.Command[Any, ..., Any],
    name: str,
    *,
    min_value: int | None = None,
    max_value: int | None = None,
) -> None:
    """Bound an integer option at run time (e.g. by the knowledge's episode count).

    discord.py reads bounds from annotations only; this swaps the option's parameter record
    for a copy with new bounds, on this command object alone (a cog instance's copy)."""
    params = command._params  # noqa: SLF001 - no public setter exists
    params[name] = dataclasses.replace(params[name], min_value=min_value, max_value=max_value)


# -- sending -------------------------------------------------------------------------------------
def _jump_url(interaction: discord.Interaction[Any], callback: Any) -> str | None:
    resource = getattr(callback, "resource", None)
    url = getattr(resource, "jump_url", None)
    if isinstance(url, str):
        return url
    message_id = getattr(callback, "message_id", None)
    if message_id is None or interaction.channel_id is None:
        return None
    guild = interaction.guild_id or "@me"
    return f"https://discord.com/channels/{guild}/{interaction.channel_id}/{message_id}"


async def send(
    interaction: discord.Interaction[Any],
    content: str,
    *,
    ephemeral: bool,
    view: discord.ui.View | None = None,
) -> str | None:
    """Answer the interaction, or follow up when it is already answered; never pings anyone.

    Returns the message's jump URL when Discord says which message it made. Link previews are
    suppressed: a reply never unfurls a link someone slipped into a question."""
    kwargs: dict[str, Any] = {"ephemeral": ephemeral, "allowed_mentions": no_mentions(), "suppress_embeds": True}
    if view is not None:
        kwargs["view"] = view
    if interaction.response.is_done():
        message = await interaction.followup.send(content, wait=True, **kwargs)
        return getattr(message, "jump_url", None)
    callback = await interaction.response.send_message(content, **kwargs)
    return _jump_url(interaction, callback)


async def think_privately(interaction: discord.Interaction[Any]) -> None:
    """Answer "thinking", privately, unless the interaction is answered already: the reply then
    follows up (:func:`send`) and may take longer than Discord's 3 s for a first answer."""
    if not interaction.response.is_done():
        await interaction.response.defer(ephemeral=True, thinking=True)


def decision_button(verb: str, custom_id: str) -> discord.ui.Button[Any]:
    """Accept (green) or Reject (red) under a post in the mod-log; the ``custom_id`` is the
    persistent item's (a ``DynamicItem``), so a press works after a restart."""
    accept = verb == "accept"
    return discord.ui.Button(
        label="Accept" if accept else "Reject",
        style=discord.ButtonStyle.success if accept else discord.ButtonStyle.danger,
        custom_id=custom_id,
    )


def decision_view(*items: discord.ui.Item[Any]) -> discord.ui.View:
    """A view holding persistent items only: the dynamic items registered by their cog answer the
    presses, so discord.py need not track the view (stopped, it does not)."""
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    view.stop()
    return view


async def cog_or_notice(interaction: discord.Interaction[Any], name: str, what: str) -> Any:
    """The cog ``name`` that answers a persistent item's press, or None after telling the
    presser that ``what`` (for instance "Corrections") is not available right now."""
    cog = interaction.client.get_cog(name)  # type: ignore[attr-defined]
    if cog is None:
        await send_quietly(interaction, f"{what} are not available right now; please try again shortly.")
    return cog


async def send_quietly(interaction: discord.Interaction[Any], content: str) -> None:
    """An ephemeral notice on a path that is already failing: a failure to send is only logged."""
    if interaction.type is discord.InteractionType.autocomplete:
        return  # autocomplete can only answer with choices; Discord shows its own error
    try:
        await send(interaction, content, ephemeral=True)
    except (discord.HTTPException, discord.InteractionResponded) as error:
        log.warning("could not tell the user about an error (interaction %s): %s", interaction.id, error)


# -- errors --------------------------------------------------------------------------------------
def _permission_names(names: list[str]) -> str:
    return ", ".join(PERMISSION_NAMES.get(n, n.replace("_", " ").title()) for n in names)


def explain(error: app_commands.AppCommandError) -> tuple[str, bool]:
    """The message for the user, and whether the error is unexpected (a bug to log loudly)."""
    if isinstance(error, app_commands.CommandOnCooldown):
        seconds = max(1, math.ceil(error.retry_after))
        return f"You're going a bit fast. Try again in {seconds} second{'s' if seconds != 1 else ''}.", False
    if isinstance(error, app_commands.MissingPermissions):
        return f"You need the {_permission_names(error.missing_permissions)} permission to use this command.", False
    if isinstance(error, app_commands.BotMissingPermissions):
        return (
            f"I'm missing the {_permission_names(error.missing_permissions)} permission here; "
            "ask a server admin to grant it.",
            False,
        )
    if isinstance(error, (app_commands.MissingRole, app_commands.MissingAnyRole)):
        return "You need this server's moderator role to use this command.", False
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command only works in a server, not in direct messages.", False
    if isinstance(error, app_commands.CheckFailure):
        text = str(error)
        if not text or text.startswith("The check functions for"):
            return "You can't use this command here.", False
        return text, False  # a check that raised CheckFailure("plain words") speaks for itself
    if isinstance(error, app_commands.TransformerError):
        return f"I couldn't read the value {str(error.value)[:50]!r}; please check it and try again.", False
    if isinstance(error, (app_commands.CommandNotFound, app_commands.CommandSignatureMismatch)):
        return COMMAND_CHANGED, False
    original = getattr(error, "original", None)
    if isinstance(original, StorageBusy):
        return STORAGE_BUSY, False
    if isinstance(original, StorageError):
        return STORAGE_DOWN, True
    return APOLOGY, True


async def on_app_command_error(interaction: discord.Interaction[Any], error: app_commands.AppCommandError) -> None:
    """The tree-wide handler: log, then answer the user ephemerally unless someone already did."""
    if interaction.extras.get(ERROR_HANDLED):
        return
    message, unexpected = explain(error)
    command = interaction.command.qualified_name if interaction.command else "?"
    if unexpected:
        original = getattr(error, "original", error)
        log.error(
            "error in /%s (guild %s, channel %s, user %s)",
            command, interaction.guild_id, interaction.channel_id, interaction.user.id,
            exc_info=(type(original), original, original.__traceback__),
        )
    else:
        log.info("/%s refused for user %s: %s", command, interaction.user.id, error)
    interaction.extras[ERROR_HANDLED] = True
    await send_quietly(interaction, message)


async def report_unexpected(interaction: discord.Interaction[Any], error: BaseException, *, where: str) -> None:
    """For buttons and other components: discord.py only logs their errors, so answer here."""
    if isinstance(error, StorageBusy):
        log.warning("storage busy in %s (guild %s, user %s)", where, interaction.guild_id, interaction.user.id)
        await send_quietly(interaction, STORAGE_BUSY)
        return
    log.error(
        "error in %s (guild %s, channel %s, user %s)",
        where, interaction.guild_id, interaction.channel_id, interaction.user.id,
        exc_info=(type(error), error, error.__traceback__),
    )
    await send_quietly(interaction, APOLOGY)


def install_error_handler(bot: Any) -> None:
    """Make :func:`on_app_command_error` the tree's error handler (idempotent)."""
    if getattr(bot.tree, "on_error", None) is not on_app_command_error:
        bot.tree.error(on_app_command_error)


# -- cooldown ------------------------------------------------------------------------------------
class UserCooldown:
    """At most ``rate`` uses per ``per`` seconds for each user, over a sliding window."""

    def __init__(self, rate: int = 5, per: float = 60.0, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.per = per
        self.clock = clock
        self._uses: dict[int, deque[float]] = {}
        self._calls = 0

    def hit(self, user_id: int) -> float:
        """Count one use; 0.0 when allowed, else the seconds until the user may go again."""
        now = self.clock()
        self._calls += 1
        if self._calls % 1024 == 0:
            self._sweep(now)
        uses = self._uses.setdefault(user_id, deque())
        while uses and uses[0] <= now - self.per:
            uses.popleft()
        if len(uses) >= self.rate:
            return max(uses[0] + self.per - now, 0.001)
        uses.append(now)
        return 0.0

    def forget(self, user_id: int) -> None:
        self._uses.pop(user_id, None)

    def _sweep(self, now: float) -> None:
        for user_id in [u for u, uses in self._uses.items() if not uses or uses[-1] <= now - self.per]:
            del self._uses[user_id]

    def message(self, retry_after: float) -> str:
        seconds = max(1, math.ceil(retry_after))
        per = "a minute" if self.per == 60 else f"{self.per:g} seconds"
        return (
            f"You're asking faster than I can keep up with. Try again in {seconds} "
            f"second{'s' if seconds != 1 else ''} (up to {self.rate} questions {per} each)."
        )
