"""Heartbeat for container health checks: ``HEALTH_FILE`` is fresh only while every shard is connected.

``python -m bot health`` (see :mod:`bot.health`) reads the file's age. The file is removed at start-up
(a file left by an earlier run must not vouch for this one), when a shard disconnects, and when the bot
shuts down, so the check fails as soon as the bot is not really serving.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from discord.ext import commands, tasks

from bot.health import HEARTBEAT_INTERVAL, clear_heartbeat, write_heartbeat

if TYPE_CHECKING:
    from bot.app import LoreBot

log = logging.getLogger(__name__)


class Health(commands.Cog):
    def __init__(self, bot: commands.Bot, path: Path | None) -> None:
        self.bot = bot
        self.path = path
        self._last_error: str | None = None
        self._healthy = False

    async def cog_load(self) -> None:
        if self.path is None:
            log.info("HEALTH_FILE is not set; no heartbeat is written (the health check cannot pass)")
            return
        self._clear()
        self.heartbeat.start()

    async def cog_unload(self) -> None:
        self.heartbeat.cancel()
        self._clear()

    @tasks.loop(seconds=HEARTBEAT_INTERVAL)
    async def heartbeat(self) -> None:
        try:
            self.beat()
        except Exception:  # an error here must not stop the loop: the check would then fail for good
            log.exception("heartbeat failed")

    @heartbeat.before_loop
    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()

    def connected_shards(self) -> list[int] | None:
        """The connected shard ids, or None when the bot is not ready or any of its shards is down."""
        bot: Any = self.bot
        if not bot.is_ready() or bot.is_closed():
            return None
        shards = getattr(bot, "shards", None)
        if not shards:  # a plain (unsharded) client: ready and open is all there is
            return [0]
        if any(shard.is_closed() for shard in shards.values()):
            return None
        return sorted(shards)

    def beat(self) -> bool:
        """Refresh the heartbeat when connected, remove it when not; True when it was refreshed."""
        if self.path is None:
            return False
        shards = self.connected_shards()
        if shards is None:
            if self._healthy:
                log.warning("not connected to Discord; health check will fail until the bot reconnects")
            self._clear()
            return False
        latency = self.bot.latency
        try:
            write_heartbeat(
                self.path,
                {
                    "shards": shards,
                    "guilds": len(self.bot.guilds),
                    "latency_ms": round(latency * 1000) if math.isfinite(latency) else None,
                },
            )
        except OSError as error:
            message = f"cannot write the heartbeat {self.path}: {error.strerror or error}"
            if message != self._last_error:  # say it once, not every beat
                log.warning(message)
                self._last_error = message
            self._healthy = False
            return False
        if not self._healthy:
            log.info("connected; heartbeat at %s every %gs", self.path, HEARTBEAT_INTERVAL)
        self._last_error = None
        self._healthy = True
        return True

    def _clear(self) -> None:
        self._healthy = False
        if self.path is None:
            return
        try:
            clear_heartbeat(self.path)
        except OSError as error:
            log.warning("cannot remove the heartbeat %s: %s", self.path, error.strerror or error)

    @commands.Cog.listener()
    async def on_shard_disconnect(self, shard_id: int) -> None:
        if self.path is not None and self._healthy:
            log.warning("shard %s disconnected; health check fails until it is back", shard_id)
        self._clear()

    @commands.Cog.listener()
    async def on_shard_ready(self, shard_id: int) -> None:
        self.beat()

    @commands.Cog.listener()
    async def on_shard_resumed(self, shard_id: int) -> None:
        self.beat()


async def setup(bot: LoreBot) -> None:
    await bot.add_cog(Health(bot, bot.config.health_file))
