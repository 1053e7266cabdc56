"""The bot links its answers to the lore site: SITE_URL, and a "Read more" link button on public
answers, to the entry's page at the asker's horizon (``all/`` with no progress)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
import pytest_asyncio

from bot.config import Config, ConfigError
from tests.fakes import FakeGuild, FakeInteraction, FakeMember, close_bot, make_bot, make_config

SITE = "https://lore.example.org/guide"


@pytest_asyncio.fixture
async def linked_bot() -> AsyncIterator[Any]:
    bot = await make_bot(extensions=("bot.cogs.lore", "bot.cogs.progress"), config=make_config(site_url=SITE))
    yield bot
    await close_bot(bot)


def link_buttons(message: Any) -> list[discord.ui.Button[Any]]:
    assert message.view is not None
    return [item for item in message.view.children if isinstance(item, discord.ui.Button)]


def test_site_url_is_read_and_checked() -> None:
    assert Config.from_env({"DISCORD_TOKEN": "x", "SITE_URL": "https://lore.example.org/guide/"}).site_url == SITE
    assert Config.from_env({"DISCORD_TOKEN": "x"}).site_url is None
    with pytest.raises(ConfigError) as caught:
        Config.from_env({"DISCORD_TOKEN": "x", "SITE_URL": "lore.example.org"})
    assert caught.value.problems == [
        "SITE_URL must be an http(s) URL such as https://lore.example.org/, not 'lore.example.org'"
    ]


@pytest.mark.asyncio
async def test_public_answer_links_the_entry_at_the_askers_horizon(linked_bot: Any) -> None:
    cog = linked_bot.get_cog("Lore")
    interaction = FakeInteraction(linked_bot, user=FakeMember(), guild=FakeGuild())
    await cog.ask.callback(cog, interaction, question="who is rouge's mom", upto=5)
    (button,) = link_buttons(interaction.last)
    assert button.url == f"{SITE}/ep/5/entry/rouge-mother.html"
    assert button.label == "Read more (as of episode 5)"
    assert button.style is discord.ButtonStyle.link and button.custom_id is None
    assert "https://" not in interaction.last.content  # no URL in the text, so Discord makes no embed


@pytest.mark.asyncio
async def test_no_progress_links_the_whole_series_with_spoilers_hidden(linked_bot: Any) -> None:
    cog = linked_bot.get_cog("Lore")
    interaction = FakeInteraction(linked_bot, user=FakeMember(), guild=FakeGuild())
    await cog.mystery.callback(cog, interaction, topic="mother")
    (button,) = link_buttons(interaction.last)
    assert button.url == f"{SITE}/all/entry/rouge-mother.html"
    assert button.label == "Read more (whole series, spoilers hidden)"


@pytest.mark.asyncio
async def test_saved_progress_picks_the_tree(linked_bot: Any) -> None:
    cog = linked_bot.get_cog("Lore")
    user = FakeMember()
    linked_bot.storage.sync.set_progress(user.id, 8)
    interaction = FakeInteraction(linked_bot, user=user, guild=FakeGuild())
    await cog.ask.callback(cog, interaction, question="rouge mom")
    (button,) = link_buttons(interaction.last)
    assert button.url == f"{SITE}/ep/8/entry/rouge-mother.html"


@pytest.mark.asyncio
async def test_no_button_without_site_url_or_on_private_and_unanswered_replies(linked_bot: Any, bot: Any) -> None:
    plain = bot.get_cog("Lore")
    interaction = FakeInteraction(bot, user=FakeMember(), guild=FakeGuild())
    await plain.ask.callback(plain, interaction, question="who is rouge's mom")
    assert interaction.last.view is None
    cog = linked_bot.get_cog("Lore")
    private = FakeInteraction(linked_bot, user=FakeMember(), guild=FakeGuild())
    await cog.ask.callback(cog, private, question="who is rouge's mom", public=False)
    assert private.last.view is None
    unknown = FakeInteraction(linked_bot, user=FakeMember(), guild=FakeGuild())
    await cog.ask.callback(cog, unknown, question="who is naruto")
    assert unknown.last.view is None
