"""/progress set|show|clear and /forget-me: how far a fan has watched, and deleting it.

A user's progress is the only thing the bot stores about them (the unanswered-question log keeps
questions, never who asked). Every reply here is ephemeral: it concerns the user alone.

/progress is a command group: Discord does not allow a command that takes options to also have
subcommands, so saving, showing and forgetting are three subcommands of it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs import common

if TYPE_CHECKING:
    from bot.app import LoreBot

log = logging.getLogger(__name__)


class ProgressCog(commands.Cog, name="Progress"):
    progress = app_commands.Group(
        name="progress", description="How far you have watched; my answers to you stop there"
    )

    def __init__(self, bot: LoreBot) -> None:
        self.bot = bot
        common.set_option_range(self.progress_set, "episode", min_value=0, max_value=common.episode_count(bot))

    @progress.command(name="set", description="Tell me how far you have watched; my answers to you stop there")
    @app_commands.describe(episode="The last episode you have watched (0: none yet)")
    async def progress_set(self, interaction: discord.Interaction[Any], episode: app_commands.Range[int, 0]) -> None:
        total = common.episode_count(self.bot)
        if episode < 0:
            await self._say(interaction, f"Episodes run from 1 to {total} (0 if you have not started); {episode} is not one of them.")
            return
        await self.bot.storage.set_progress(interaction.user.id, episode)
        await self._say(interaction, _saved(episode, total))

    @progress.command(name="show", description="What I have saved about how far you have watched")
    async def progress_show(self, interaction: discord.Interaction[Any]) -> None:
        saved = await self.bot.storage.progress(interaction.user.id)
        await self._say(interaction, _current(saved, common.episode_count(self.bot)))

    @progress.command(name="clear", description="Forget how far you have watched (answers then cover everything, in spoiler bars)")
    async def progress_clear(self, interaction: discord.Interaction[Any]) -> None:
        storage = self.bot.storage
        user_id = interaction.user.id
        had = await storage.progress(user_id) is not None
        await storage.forget_user(user_id)
        if had:
            log.info("user %s cleared their progress", user_id)
            text = (
                "Forgotten: I no longer know how far you have watched. My answers to you now cover "
                "the whole series, with later reveals in spoiler bars."
            )
        else:
            text = "I didn't have your progress saved, so there was nothing to forget."
        await self._say(interaction, text)

    @app_commands.command(name="forget-me", description="Delete everything this bot stores about you")
    async def forget_me(self, interaction: discord.Interaction[Any]) -> None:
        user_id = interaction.user.id
        removed = await self.bot.storage.forget_user(user_id)
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
    change = "Change it any time with /progress set, or forget it with /progress clear."
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
            "(later reveals in spoiler bars). Set it with /progress set episode:<n>."
        )
    if saved >= total:
        return f"You have told me you have watched all {total} episodes. Change it with /progress set episode:<n>."
    return (
        f"You have told me you have watched up to episode {saved} of {total}; my answers to you stop there. "
        "Change it with /progress set episode:<n>, or forget it with /progress clear."
    )


async def setup(bot: LoreBot) -> None:
    common.install_error_handler(bot)
    await bot.add_cog(ProgressCog(bot))
