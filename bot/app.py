"""The Discord layer's entry point: the bot class and ``python -m bot run``."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import signal
import sys

import aiohttp
import discord
import yarl
from discord.ext import commands
from discord.gateway import DiscordWebSocket

from bot.config import Config, ConfigError
from bot.governance import Maintainers
from bot.knowledge.store import KnowledgeStore
from bot.knowledge.loader import KnowledgeError, more_problems
from bot.logs import setup_logging
from bot.storage import AsyncStorage, Storage, StorageError

log = logging.getLogger(__name__)

EXTENSIONS = (
    "bot.cogs.lore",
    "bot.cogs.progress",
    "bot.cogs.admin",
    "bot.cogs.proposals",
    "bot.cogs.editing",  # after admin: it adds its commands to /lore-admin
    "bot.cogs.corrections",  # after editing: Accept opens its forms
    "bot.cogs.health",
    "bot.cogs.chat",
)


class LoreBot(commands.AutoShardedBot):
    """The bot: knowledge, storage and configuration hang off it; cogs reach them via ``self.bot``."""

    def __init__(self, config: Config, knowledge: KnowledgeStore, storage: Storage) -> None:
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False  # no voice: no warning at every start
        intents = discord.Intents.none()
        intents.guilds = True  # channels and roles for the mod-log
        # MESSAGE_CREATE in servers and in DMs, for @mentions and DMs (bot/cogs/chat.py). No
        # privileged intent: Discord gives a bot the content of messages that mention it, of DMs
        # and of the message a context menu is used on without MESSAGE_CONTENT.
        intents.guild_messages = True
        intents.dm_messages = True
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
            shard_count=config.shard_count,
            shard_ids=list(config.shard_ids) if config.shard_ids is not None else None,
            chunk_guilds_at_startup=False,
            member_cache_flags=discord.MemberCacheFlags.none(),
            max_messages=None,  # no message cache: nothing reads old messages
        )
        self.config = config
        self.knowledge = knowledge
        #: the database, off the event loop: every call is awaited (bot.storage.AsyncStorage)
        self.storage = AsyncStorage(storage)
        #: who may change the knowledge every server sees (bot.governance)
        self.maintainers = Maintainers.from_config(config)

    async def setup_hook(self) -> None:
        log.info("knowledge maintainers: %s", self.maintainers.describe())
        self.storage.start_watching()
        if self.config.api_base:
            await self._route_gateway()
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        await self.sync_commands()

    async def on_message(self, message: discord.Message, /) -> None:
        """No prefix commands: a message is for the chat cog's listener alone (``commands.Bot``
        would otherwise read every mention as a command and log "command not found")."""

    async def _route_gateway(self) -> None:
        """Connect the gateway where ``DISCORD_API_BASE``'s ``/gateway/bot`` says, not to discord.gg."""
        _, url, _ = await self.http.get_bot_gateway()
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
        log.info("gateway routed to %s", url)

    async def sync_commands(self) -> None:
        """Register the slash commands with Discord, only when they changed since the last sync."""
        guild = discord.Object(self.config.dev_guild_id) if self.config.dev_guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        payload = [command.to_dict(self.tree) for command in self.tree.get_commands(guild=guild)]
        digest = hashlib.sha256(
            json.dumps([payload, self.config.api_base, self.config.dev_guild_id], sort_keys=True).encode()
        ).hexdigest()
        marker = self.config.data_dir / "commands.sha256"
        try:
            if marker.read_text().strip() == digest:
                log.info("slash commands unchanged; not syncing")
                return
        except OSError:
            pass
        synced = await self.tree.sync(guild=guild)
        where = f"server {self.config.dev_guild_id}" if guild else "all servers (may take up to an hour to show)"
        log.info("synced %d slash commands to %s", len(synced), where)
        try:
            marker.write_text(digest)
        except OSError as error:
            log.warning("could not remember the command sync: %s", error)

    async def close(self) -> None:
        try:
            await super().close()
        finally:
            await self.storage.close()
            log.info("shut down cleanly")


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def run() -> int:
    """``python -m bot run``: configuration errors and a rejected token are one line each."""
    try:
        config = Config.from_env()
    except ConfigError as error:
        for problem in error.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    setup_logging(config.logging_level(), secrets=(config.token,))
    try:
        knowledge = KnowledgeStore.open(config.knowledge_dir)
    except KnowledgeError as error:
        if error.total == 1:  # one line: the problem itself (an unreadable folder, a missing series...)
            return _fail(f"KNOWLEDGE_DIR {error.problems[0]}; fix it and start again")
        for problem in error.problems:
            print(problem, file=sys.stderr)
        if error.omitted:
            print(more_problems(error.omitted), file=sys.stderr)
        return _fail(f"the knowledge in {config.knowledge_dir} is not valid ({error.total} problems); fix it and start again")
    try:
        storage = Storage.open(config.database_path)
    except StorageError as error:
        return _fail(str(error))
    if config.api_base:
        discord.http.Route.BASE = config.api_base
    bot = LoreBot(config, knowledge, storage)
    try:
        asyncio.run(_serve(bot))
    except discord.LoginFailure:
        return _fail("Discord rejected DISCORD_TOKEN (401 Unauthorized): copy the bot token again from the developer portal")
    except discord.PrivilegedIntentsRequired:  # pragma: no cover - we ask for none
        return _fail("Discord refused the requested intents")
    except (aiohttp.ClientError, OSError) as error:  # exit 1, not 2: a restart may well succeed
        where = f"DISCORD_API_BASE ({config.api_base})" if config.api_base else "Discord"
        print(f"error: cannot reach {where}: {error}; check the network and try again", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


async def _serve(bot: LoreBot) -> None:
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stopping.set)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - non-Unix
            pass
    async with bot:
        runner = asyncio.create_task(bot.start(bot.config.token))
        stopper = asyncio.create_task(stopping.wait())
        done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if stopper in done:
            log.info("stop signal received; closing the gateway")
            await bot.close()
        stopper.cancel()
        await runner  # re-raises a login failure
