"""Fixtures shared by the unit tests."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import pytest_asyncio

if TYPE_CHECKING:
    from tests.fakes import StartBot

#: the small knowledge base the unit tests use (made-up text, real structure)
MINI = Path(__file__).parent / "data" / "mini"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A writable copy of the small knowledge base, at tmp_path/knowledge."""
    target = tmp_path / "knowledge"
    shutil.copytree(MINI, target)
    return target


@pytest.fixture
def guild() -> Any:
    """A fake server (tests.fakes.FakeGuild) for the cog tests."""
    from tests.fakes import FakeGuild

    return FakeGuild()


@pytest_asyncio.fixture
async def bot() -> AsyncIterator[Any]:
    """A real LoreBot (never logged in) with the user-facing cogs loaded, over the small knowledge."""
    from tests.fakes import close_bot, make_bot

    bot = await make_bot(extensions=("bot.cogs.lore", "bot.cogs.progress"))
    yield bot
    await close_bot(bot)


@pytest_asyncio.fixture
async def start_bot(folder: Path) -> AsyncIterator[StartBot]:
    """Start real LoreBots (never logged in) over ``folder`` with the given extensions loaded;
    keyword arguments override the config (``home_guild_id=guild.id`` makes that server's
    moderators the knowledge's maintainers). Every bot started is closed afterwards, and closing
    must unload every extension and cog (stopping the reloader and any other background work)."""
    from tests.fakes import close_bot, make_bot, make_config

    started: list[Any] = []

    async def start(*extensions: str, **config: Any) -> Any:
        bot = await make_bot(
            knowledge_dir=folder, extensions=extensions, config=make_config(knowledge_dir=folder, **config)
        )
        started.append(bot)
        return bot

    yield start
    for bot in reversed(started):
        await asyncio.wait_for(close_bot(bot), 5.0)
        assert not bot.extensions and not bot.cogs
