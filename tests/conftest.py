"""Fixtures shared by the unit tests."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

#: the small knowledge base the unit tests use (made-up text, real structure)
MINI = Path(__file__).parent / "data" / "mini"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A writable copy of the small knowledge base, at tmp_path/knowledge."""
    target = tmp_path / "knowledge"
    shutil.copytree(MINI, target)
    return target


@pytest_asyncio.fixture
async def bot() -> AsyncIterator[Any]:
    """A real LoreBot (never logged in) with the user-facing cogs loaded, over the small knowledge."""
    from tests.fakes import close_bot, make_bot

    bot = await make_bot(extensions=("bot.cogs.lore", "bot.cogs.progress"))
    yield bot
    await close_bot(bot)
