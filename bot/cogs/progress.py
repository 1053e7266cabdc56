"""/progress and /forget-me: how far a fan has watched, and deleting it.

A user's progress is the only thing the bot stores about them (the unanswered-question log keeps
questions, never who asked). Every reply here is ephemeral: it concerns the user alone.

Discord does not allow a command that takes options to also have subcommands, so clearing is an
option of the same command: ``/progress clear:True``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Optional

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs import common

if TYPE_CHECKING:
    from bot.app import LoreBot

log = logging.getLogger(__name__)


class ProgressCog(commands.Cog, name="Progress"):
    def __init__(self, bot: LoreBot) -> None:
        self.bot = bot
        common.set_option_range(self.progress, "episode", min_value=0, max_value=common.episode_count(bot))

    @app_commands.command(name="progress", description="Tell me how far you have watched; my answers to you stop there")
    @app_commands.describe(
        episode="The last episode you have watched (0: none yet)",
        clear="True: forget your progress (answers then cover the whole series, in spoiler bars)",
    )
    async def progress(
        self,
        interaction: discord.Interaction[Any],
        episode: Optional[app_commands.Range[int, 0]] = None,  # noqa: UP007 - discord.py reads it
        clear: bool = False,
    ) -> None:
        storage = self.bot.storage
        user_id = interaction.user.id
        total = common.episode_count(self.bot)
        if clear and episode is not None:
            await self._say(interaction, "Choose one: `episode` to save how far you have watched, or `clear:True` to forget it.")
            return
        if clear:
            had = storage.progress(user_id) is not None
            storage.forget_user(user_id)
            if had:
                log.info("user %s cleared their progress", user_id)
                text = (
                    "Forgotten: I no longer know how far you have watched. My answers to you now cover "
                    "the whole series, with later reveals in spoiler bars."
                )
            else:
                text = "I didn't have your progress saved, so there was nothing to forget."
            await self._say(interaction, text)
            return
        if episode is None:
            await self._say(interaction, _current(storage.progress(user_id), total))
            return
        if episode < 0:
            await self._say(interaction, f"Episodes run from 1 to {total} (0 if you have not started); {episode} is not one of them.")
            return
        storage.set_progress(user_id, episode)
        await self._say(interaction, _saved(episode, total))

    @app_commands.command(name="forget-me", description="Delete everything this bot stores about you")
    async def forget_me(self, interaction: discord.Interaction[Any]) -> None:
        user_id = interaction.user.id
        removed = self.bot.storage.forget_user(user_id)
        lore_cog = self.bot.get_cog("Lore")
        cooldown = getattr(lore_cog, "cooldown", None)
        if isinstance(cooldown, common.UserCooldown):
            cooldown.forget(user_id)
        if removed:
            log.info("user %s asked to be forgotten; their data was deleted", user_id)
            text = (
                "Done: I deleted everything I stored about you (how far you have watched). "
                "I keep nothing else about you; unanswered questions are logged without who asked."
            )
        else:
            text = (
                "I had nothing stored about you. The only thing I ever store about a person is how far "
                "they have watched, and only after /progress."
            )
        await self._say(interaction, text)

    @staticmethod
    async def _say(interaction: discord.Interaction[Any], text: str) -> None:
        await common.send(interaction, text, ephemeral=True)


def _saved(episode: int, total: int) -> str:
    change = "Change it any time with /progress, or forget it with /progress clear:True."
    if episode == 0:
        return (
            "Saved: you haven't started watching yet. I'll only tell you things that aren't from an "
            f"episode (production, cast and staff). {change}"
        )
    if episode >= total:
        return (
            f"Saved: you have watched all {total} episodes. My answers to you cover the whole series, "
            f"with reveals past this server's spoiler-free episode still in spoiler bars. {change}"
        )
    return (
        f"Saved: you have watched up to episode {episode} of {total}. My answers to you leave out "
        f"anything revealed after episode {episode}, and so do my suggestions. {change}"
    )


def _current(saved: int | None, total: int) -> str:
    if saved is None:
        return (
            "You haven't told me how far you have watched, so my answers to you cover the whole series "
            "(later reveals in spoiler bars). Set it with /progress episode:<n>."
        )
    if saved >= total:
        return f"You have told me you have watched all {total} episodes. Change it with /progress episode:<n>."
    return (
        f"You have told me you have watched up to episode {saved} of {total}; my answers to you stop there. "
        "Change it with /progress episode:<n>, or forget it with /progress clear:True."
    )


async def setup(bot: LoreBot) -> None:
    common.install_error_handler(bot)
    await bot.add_cog(ProgressCog(bot))
