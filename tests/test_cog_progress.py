"""/progress set|show|clear and /forget-me: saving how far a fan has watched, and deleting it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakes import FakeClock, FakeInteraction, FakeMember, find_command, invoke

CHANGE = "Change it any time with /progress set, or forget it with /progress clear."


@pytest.fixture
def cog(bot: Any) -> Any:
    found = bot.get_cog("Progress")
    assert found is not None
    return found


async def run(cog: Any, user: FakeMember, subcommand: str, **options: Any) -> str:
    """Run ``/progress <subcommand>`` through discord.py (option transformers, error handlers)."""
    interaction = FakeInteraction(cog.bot, user=user)
    await invoke(cog.bot, interaction, f"progress {subcommand}", **options)
    assert not interaction.command_failed
    assert len(interaction.sent) == 1
    message = interaction.last
    assert message.ephemeral is True, "progress replies concern the user alone"
    assert message.mentions_none
    assert message.content is not None
    return message.content


@pytest.mark.asyncio
async def test_progress_saves_the_episode(bot: Any, cog: Any) -> None:
    user = FakeMember(11)
    text = await run(cog, user, "set", episode=5)
    assert text == (
        "Saved: you have watched up to episode 5 of 13. My answers to you leave out anything revealed "
        f"after episode 5, and so do my suggestions. {CHANGE}"
    )
    assert bot.storage.sync.progress(11) == 5
    assert await run(cog, user, "set", episode=7)
    assert bot.storage.sync.progress(11) == 7


@pytest.mark.asyncio
async def test_progress_zero_and_the_whole_series(bot: Any, cog: Any) -> None:
    assert await run(cog, FakeMember(12), "set", episode=0) == (
        "Saved: you haven't started watching yet. I'll only tell you things that aren't from an episode "
        f"(production, cast and staff). {CHANGE}"
    )
    assert bot.storage.sync.progress(12) == 0
    assert await run(cog, FakeMember(13), "set", episode=13) == (
        "Saved: you have watched all 13 episodes. My answers to you cover the whole series, with reveals "
        f"past this server's spoiler-free episode still in spoiler bars. {CHANGE}"
    )


@pytest.mark.asyncio
async def test_progress_show_says_what_is_saved(bot: Any, cog: Any) -> None:
    user = FakeMember(14)
    assert await run(cog, user, "show") == (
        "You haven't told me how far you have watched, so my answers to you cover the whole series "
        "(later reveals in spoiler bars). Set it with /progress set episode:<n>."
    )
    await run(cog, user, "set", episode=4)
    assert await run(cog, user, "show") == (
        "You have told me you have watched up to episode 4 of 13; my answers to you stop there. "
        "Change it with /progress set episode:<n>, or forget it with /progress clear."
    )


@pytest.mark.asyncio
async def test_progress_clear_forgets_it(bot: Any, cog: Any) -> None:
    user = FakeMember(15)
    await run(cog, user, "set", episode=3)
    assert await run(cog, user, "clear") == (
        "Forgotten: I no longer know how far you have watched. My answers to you now cover the whole "
        "series, with later reveals in spoiler bars."
    )
    assert bot.storage.sync.progress(15) is None
    assert await run(cog, user, "clear") == "I didn't have your progress saved, so there was nothing to forget."


@pytest.mark.asyncio
async def test_show_and_clear_of_one_user_leave_the_others_alone(bot: Any, cog: Any) -> None:
    await run(cog, FakeMember(16), "set", episode=6)
    await run(cog, FakeMember(24), "set", episode=13)
    assert await run(cog, FakeMember(24), "show") == (
        "You have told me you have watched all 13 episodes. Change it with /progress set episode:<n>."
    )
    assert await run(cog, FakeMember(24), "clear") == (
        "Forgotten: I no longer know how far you have watched. My answers to you now cover the whole "
        "series, with later reveals in spoiler bars."
    )
    assert bot.storage.sync.progress(24) is None
    assert bot.storage.sync.progress(16) == 6


@pytest.mark.asyncio
async def test_a_negative_episode_is_refused_clearly(bot: Any, cog: Any) -> None:
    user = FakeMember(17)
    assert await run(cog, user, "set", episode=-1) == "Episodes run from 1 to 13 (0 if you have not started); -1 is not one of them."
    assert bot.storage.sync.progress(17) is None


@pytest.mark.asyncio
async def test_progress_is_per_user_and_shapes_their_answers_only(bot: Any, cog: Any) -> None:
    lore = bot.get_cog("Lore")
    await run(cog, FakeMember(18), "set", episode=5)
    watcher = FakeInteraction(bot, user=FakeMember(18))
    await lore.ask.callback(lore, watcher, question="what is the alter")
    assert watcher.last.content.startswith("I can't answer “what is the alter” as of episode 5.")
    binger = FakeInteraction(bot, user=FakeMember(19))
    await lore.ask.callback(lore, binger, question="what is the alter")
    assert binger.last.content == "**||What is the Alter?||**\n||The Alter is a made-up fixture twist.|| (ep 9)"


@pytest.mark.asyncio
async def test_forget_me_deletes_everything_about_the_user(bot: Any, cog: Any) -> None:
    lore = bot.get_cog("Lore")
    lore.cooldown.clock = FakeClock()
    user = FakeMember(20)
    await run(cog, user, "set", episode=5)
    for _ in range(5):
        await lore.ask.callback(lore, FakeInteraction(bot, user=user), question="gene", public=False)
    interaction = FakeInteraction(bot, user=user)
    await cog.forget_me.callback(cog, interaction)
    assert interaction.last.content == (
        "Done: I deleted everything I stored about you (how far you have watched). "
        "I keep nothing else about you; unanswered questions are logged without who asked."
    )
    assert interaction.last.ephemeral and interaction.last.mentions_none
    assert bot.storage.sync.progress(20) is None
    # nothing left in memory either: the cooldown window starts afresh
    after = FakeInteraction(bot, user=user)
    await lore.ask.callback(lore, after, question="gene", public=False)
    assert after.last.content.startswith("**||Who is Gene's father?||**")  # the whole series again

    again = FakeInteraction(bot, user=user)
    await cog.forget_me.callback(cog, again)
    assert again.last.content == (
        "I had nothing stored about you. The only thing I ever store about a person is how far "
        "they have watched, and only after /progress."
    )


@pytest.mark.asyncio
async def test_forget_me_leaves_other_users_alone(bot: Any, cog: Any) -> None:
    await run(cog, FakeMember(21), "set", episode=5)
    await run(cog, FakeMember(22), "set", episode=9)
    await cog.forget_me.callback(cog, FakeInteraction(bot, user=FakeMember(21)))
    assert bot.storage.sync.progress(21) is None
    assert bot.storage.sync.progress(22) == 9


@pytest.mark.asyncio
async def test_progress_is_a_group_of_set_show_and_clear(bot: Any) -> None:
    """Discord forbids a command with options to have subcommands, so /progress itself has none."""
    payload = bot.tree.get_command("progress").to_dict(bot.tree)
    assert [(o["name"], o["type"]) for o in payload["options"]] == [("set", 1), ("show", 1), ("clear", 1)]
    (episode,) = payload["options"][0]["options"]
    assert (episode["name"], episode["required"], episode["min_value"], episode["max_value"]) == ("episode", True, 0, 13)
    assert payload["options"][1]["options"] == payload["options"][2]["options"] == []
    with pytest.raises(LookupError):
        find_command(bot, "progress")


@pytest.mark.asyncio
async def test_forget_me_runs_through_discord_py(bot: Any, cog: Any) -> None:
    await run(cog, FakeMember(23), "set", episode=8)
    forget = FakeInteraction(bot, user=FakeMember(23))
    await invoke(bot, forget, "forget-me")
    assert forget.last.content.startswith("Done: I deleted everything")
    assert forget.last.ephemeral and forget.last.mentions_none
    assert bot.storage.sync.progress(23) is None
