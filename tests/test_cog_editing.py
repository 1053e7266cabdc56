"""Editing the knowledge from Discord (bot/cogs/editing.py), driven through discord.py's own
machinery with fake interactions: forms, errors next to their box, preview, save, history, undo."""

from __future__ import annotations

from pathlib import Path

import discord
import pytest
import pytest_asyncio

from bot.app import LoreBot
from bot.cogs.corrections import decision_view
from bot.knowledge.loader import load_knowledge
from tests.fakes import (
    FakeChannel,
    FakeGuild,
    FakeInteraction,
    FakeMember,
    FakeMessage,
    autocomplete,
    choose,
    invoke,
    StartBot,
    moderator,
    press,
    submit_modal,
)

WAIT = 5.0


@pytest_asyncio.fixture
async def bot(start_bot: StartBot, guild: FakeGuild) -> LoreBot:
    """The bot with ``guild`` as its home server: that server's moderators maintain the knowledge."""
    return await start_bot(
        "bot.cogs.admin", "bot.cogs.editing", "bot.cogs.lore", "bot.cogs.progress", home_guild_id=guild.id
    )


@pytest.fixture
def maintainer(guild: FakeGuild) -> FakeMember:
    return moderator(guild=guild)


def new_interaction(bot: LoreBot, guild: FakeGuild, user: FakeMember) -> FakeInteraction:
    return FakeInteraction(bot, user=user, guild=guild, channel=guild.channels[0] if guild.channels else None)


async def open_form(bot: LoreBot, guild: FakeGuild, user: FakeMember, command: str, **options: object) -> FakeInteraction:
    interaction = new_interaction(bot, guild, user)
    await invoke(bot, interaction, command, **options)
    return interaction


def boxes(modal: discord.ui.Modal) -> dict[str, str]:
    """The form's boxes by label: what is typed in them."""
    found = {}
    for row in modal.to_dict()["components"]:
        found[row["label"]] = row["component"].get("value") or ""
    return found


def descriptions(modal: discord.ui.Modal) -> dict[str, str]:
    return {row["label"]: row.get("description") or "" for row in modal.to_dict()["components"]}


async def submit(bot: LoreBot, guild: FakeGuild, user: FakeMember, modal: discord.ui.Modal, **by_label: str) -> FakeInteraction:
    interaction = new_interaction(bot, guild, user)
    await submit_modal(interaction, modal, by_label)
    return interaction


async def press_button(bot: LoreBot, guild: FakeGuild, user: FakeMember, message: FakeMessage, label: str) -> FakeInteraction:
    interaction = new_interaction(bot, guild, user)
    await press(interaction, message, label=label)
    return interaction


async def ask(bot: LoreBot, question: str, upto: int | None = None) -> str:
    interaction = FakeInteraction(bot, user=FakeMember(), guild=FakeGuild())
    await invoke(bot, interaction, "ask", question=question, upto=upto, public=False)
    return interaction.last.content or ""


# -- reveal edit: the whole way --------------------------------------------------------------------
@pytest.mark.asyncio
async def test_correct_a_sentence_preview_save_then_undo_byte_for_byte(
    bot: LoreBot, guild: FakeGuild, maintainer: FakeMember, folder: Path
) -> None:
    path = folder / "entries.yaml"
    original = path.read_bytes()
    opened = await open_form(bot, guild, maintainer, "lore-admin reveal edit", entry="rouge-mother", episode=8)
    modal = opened.response.modal
    assert modal is not None, [m.content for m in opened.sent]
    assert boxes(modal) == {
        "What fans learn in this episode": "Her mother is the scientist Eva Cristella.",
        "Sources, one per line": "review of episode 8",
    }
    submitted = await submit(
        bot, guild, maintainer, modal,
        **{"What fans learn in this episode": "Her mother is Eva Cristella, a scientist."},
    )
    preview, diff = submitted.sent
    assert preview.ephemeral and diff.ephemeral
    assert "Preview, not saved yet." in preview.content
    assert "||Her mother is Eva Cristella, a scientist.|| (ep 8)" in preview.content
    assert "-        text: Her mother is the scientist Eva Cristella.\n+        text: Her mother is Eva Cristella, a scientist." in diff.content
    assert path.read_bytes() == original  # a preview writes nothing

    at_five = new_interaction(bot, guild, maintainer)
    await choose(at_five, preview, ["5"])
    assert "watched up to episode 5" in preview.content and "Eva" not in preview.content

    saved = await press_button(bot, guild, maintainer, preview, "Save")
    assert preview.content.startswith("Saved: edited the episode 8 reveal of 'rouge-mother' in `")
    assert "entries.yaml:3`" in preview.content
    after = path.read_bytes()
    assert after == original.replace(b"Her mother is the scientist Eva Cristella.", b"Her mother is Eva Cristella, a scientist.")
    assert "Her mother is Eva Cristella, a scientist." in await ask(bot, "who is rouge's mother")
    assert saved.sent == [] and preview.view is None

    history = await open_form(bot, guild, maintainer, "lore-admin history", entry="rouge-mother")
    listing, change = history.sent
    assert "edited the episode 8 reveal of 'rouge-mother' in entries.yaml" in listing.content
    assert "+        text: Her mother is Eva Cristella, a scientist." in change.content

    undone = await open_form(bot, guild, maintainer, "lore-admin undo", entry="rouge-mother")
    assert undone.sent[0].content.startswith("Undone: edited the episode 8 reveal of 'rouge-mother'")
    assert path.read_bytes() == original
    assert "Her mother is the scientist Eva Cristella." in await ask(bot, "who is rouge's mother")

    nothing_left = await open_form(bot, guild, maintainer, "lore-admin undo", entry="rouge-mother")
    assert "no edit of 'rouge-mother' made from Discord to undo" in nothing_left.last.content


@pytest.mark.asyncio
async def test_an_invalid_form_writes_nothing_and_puts_the_error_under_its_box(
    bot: LoreBot, guild: FakeGuild, maintainer: FakeMember, folder: Path
) -> None:
    path = folder / "entries.yaml"
    original = path.read_bytes()
    opened = await open_form(bot, guild, maintainer, "lore-admin entry edit", entry="rouge")
    modal = opened.response.modal
    assert modal is not None
    typed = "rouge\nrouge redstar\nwho is the main character\ngene dad\nred girl @ soon"
    first = await submit(bot, guild, maintainer, modal, **{"Other phrasings, one per line": typed})
    assert "after @ comes the episode number" in first.last.content
    assert path.read_bytes() == original

    fix = await press_button(bot, guild, maintainer, first.last, "Fix it")
    reopened = fix.response.modal
    assert reopened is not None
    assert boxes(reopened)["Other phrasings, one per line"] == typed  # nothing typed is lost
    assert descriptions(reopened)["Other phrasings, one per line"].startswith("⚠ 'red girl @ soon': after @")

    second = await submit(bot, guild, maintainer, reopened, **{"Other phrasings, one per line": typed.replace(" @ soon", " @ 4")})
    assert "is already claimed by 'gene-father'" in second.last.content
    assert "**Other phrasings, one per line**" in second.last.content
    assert path.read_bytes() == original
    fix_again = await press_button(bot, guild, maintainer, second.last, "Fix it")
    assert fix_again.response.modal is not None
    assert "already claimed by 'gene-father'" in descriptions(fix_again.response.modal)["Other phrasings, one per line"]


@pytest.mark.asyncio
async def test_create_an_entry_with_its_first_reveal(bot: LoreBot, guild: FakeGuild, maintainer: FakeMember, folder: Path) -> None:
    path = folder / "entries.yaml"
    original = path.read_text()
    opened = await open_form(bot, guild, maintainer, "lore-admin entry new", file="entries.yaml", episode=6)
    modal = opened.response.modal
    assert modal is not None
    step = await submit(bot, guild, maintainer, modal, **{
        "Question": "Who is Naomi Orthmann?",
        "Other phrasings, one per line": "naomi\nrouges partner",
        "See also: entry ids, one per line": "rouge",
        "Tags (optional)": "characters",
    })
    assert "Now what fans learn in episode 6" in step.last.content
    reveal_form = await press_button(bot, guild, maintainer, step.last, "Write the episode 6 reveal")
    assert reveal_form.response.modal is not None
    done = await submit(bot, guild, maintainer, reveal_form.response.modal, **{
        "What fans learn in this episode": "Naomi is Rouge's partner in the field.",
        "Sources, one per line": "review of episode 6",
    })
    preview = done.sent[0]
    assert "Created the entry 'who-is-naomi-orthmann'" in preview.content
    await press_button(bot, guild, maintainer, preview, "Save")
    text = path.read_text()
    assert text.startswith(original)
    assert text[len(original):] == (
        "  - id: who-is-naomi-orthmann\n"
        "    question: Who is Naomi Orthmann?\n"
        "    aliases:\n"
        "      - naomi\n"
        "      - rouges partner\n"
        "    tags: [characters]\n"
        "    see_also: [rouge]\n"
        "    reveals:\n"
        "      - episode: 6\n"
        "        text: Naomi is Rouge's partner in the field.\n"
        "        sources:\n"
        "          - review of episode 6\n"
    )
    assert "||Naomi is Rouge's partner in the field.|| (ep 6)" in await ask(bot, "who is naomi")
    assert "I can't answer “who is naomi” as of episode 5" in await ask(bot, "who is naomi", upto=5)
    await open_form(bot, guild, maintainer, "lore-admin undo", entry="who-is-naomi-orthmann")
    assert path.read_text() == original


@pytest.mark.asyncio
async def test_add_then_remove_a_reveal_with_confirmation(bot: LoreBot, guild: FakeGuild, maintainer: FakeMember, folder: Path) -> None:
    opened = await open_form(bot, guild, maintainer, "lore-admin reveal add", entry="late-twist", episode=12, unconfirmed=True)
    assert opened.response.modal is not None
    done = await submit(bot, guild, maintainer, opened.response.modal, **{
        "What fans learn in this episode": "The Alter turn out to be made-up too.",
        "Sources, one per line": "review of episode 12\nsecond review",
    })
    await press_button(bot, guild, maintainer, done.sent[0], "Save")
    entry = load_knowledge(folder).entry("late-twist")
    assert entry is not None and [(r.episode, r.unconfirmed) for r in entry.reveals] == [(9, False), (12, True)]

    asked = await open_form(bot, guild, maintainer, "lore-admin reveal remove", entry="late-twist", episode=12)
    confirm = asked.sent[0]
    assert asked.response.modal is None and "Removed the episode 12 reveal" in confirm.content
    assert "Remove the reveal" in confirm.button_labels
    assert len(load_knowledge(folder).entry("late-twist").reveals) == 2  # type: ignore[union-attr]
    await press_button(bot, guild, maintainer, confirm, "Remove the reveal")
    assert len(load_knowledge(folder).entry("late-twist").reveals) == 1  # type: ignore[union-attr]


@pytest.mark.asyncio
async def test_only_maintainers_may_edit(bot: LoreBot, guild: FakeGuild, folder: Path) -> None:
    original = (folder / "entries.yaml").read_bytes()
    other_server = FakeGuild()
    for user, where in ((FakeMember(guild=guild), guild), (moderator(guild=other_server), other_server)):
        refused = await open_form(bot, where, user, "lore-admin reveal edit", entry="rouge-mother", episode=8)
        assert refused.response.modal is None
        assert "Only the knowledge's maintainers can change it" in refused.last.content
        assert await autocomplete(bot, new_interaction(bot, where, user), "lore-admin entry edit", "entry", "rou") == []
        undo = await open_form(bot, where, user, "lore-admin undo", entry="rouge-mother")
        assert "Only the knowledge's maintainers can change it" in undo.last.content
    assert (folder / "entries.yaml").read_bytes() == original


@pytest.mark.asyncio
async def test_a_change_of_the_entry_after_the_preview_refuses_the_save(
    bot: LoreBot, guild: FakeGuild, maintainer: FakeMember, folder: Path
) -> None:
    path = folder / "entries.yaml"
    opened = await open_form(bot, guild, maintainer, "lore-admin reveal edit", entry="rouge", episode=1)
    assert opened.response.modal is not None
    done = await submit(bot, guild, maintainer, opened.response.modal, **{"What fans learn in this episode": "Discord's version."})
    hand = path.read_text().replace("Rouge Redstar is a Nean girl", "Rouge Redstar is a young Nean")
    path.write_text(hand)
    await press_button(bot, guild, maintainer, done.sent[0], "Save")
    assert path.read_text() == hand  # the hand edit of the same entry is not overwritten
    assert "was changed by someone else since your preview; nothing was saved" in done.sent[0].content
    assert "Fix it" in done.sent[0].button_labels


# -- fans' corrections -----------------------------------------------------------------------------
@pytest_asyncio.fixture
async def fixing_bot(start_bot: StartBot, guild: FakeGuild, monkeypatch: pytest.MonkeyPatch) -> tuple[LoreBot, FakeChannel, list[str]]:
    """The whole editing set, the home server's mod-log at hand, and DMs recorded."""
    lore_bot = await start_bot(
        "bot.cogs.admin", "bot.cogs.editing", "bot.cogs.corrections", "bot.cogs.lore", "bot.cogs.progress",
        home_guild_id=guild.id,
    )
    modlog = guild.add_channel(name="mod-log")
    await lore_bot.storage.set_modlog_channel(guild.id, modlog.id)
    monkeypatch.setattr(lore_bot, "get_channel", {modlog.id: modlog}.get)
    dms: list[str] = []

    class Fan:
        async def send(self, text: str, **kwargs: object) -> None:
            dms.append(text)

    monkeypatch.setattr(lore_bot, "get_user", lambda user_id: Fan())
    return lore_bot, modlog, dms


@pytest.mark.asyncio
async def test_a_fans_correction_goes_to_the_maintainers_and_back(
    fixing_bot: tuple[LoreBot, FakeChannel, list[str]], guild: FakeGuild, maintainer: FakeMember, folder: Path
) -> None:
    bot, modlog, dms = fixing_bot
    fan_server = FakeGuild()
    fan = FakeMember(guild=fan_server)
    asked = FakeInteraction(bot, user=fan, guild=fan_server)
    await invoke(bot, asked, "ask", question="who is rouge redstar")
    answer = asked.last
    assert not answer.ephemeral and answer.button_labels == ["Suggest a correction"]
    private = FakeInteraction(bot, user=fan, guild=fan_server)
    await invoke(bot, private, "ask", question="who is gene's father", public=False)
    assert private.last.button_labels == []  # only under public answers

    pressed = FakeInteraction(bot, user=fan, guild=fan_server)
    await press(pressed, answer, label="Suggest a correction")
    form = pressed.response.modal
    assert form is not None
    sent = FakeInteraction(bot, user=fan, guild=fan_server)
    await submit_modal(sent, form, {"lore-fix:what": "She is an android, not a girl.", "lore-fix:source": "https://example.org/ep1"})
    assert "sent to the maintainers" in sent.last.content and sent.last.ephemeral
    assert sent.response.thinking  # answered before posting: the mod-log may be rate limited past 3 s
    post = modlog.messages[-1]
    assert "Correction #" in post.content and "She is an android, not a girl." in post.content
    assert post.button_labels == ["Accept", "Reject"] and post.mentions_none

    outsider = FakeInteraction(bot, user=FakeMember(guild=guild), guild=guild)
    await press(outsider, post, label="Accept")
    assert "Only the knowledge's maintainers" in outsider.last.content

    accept = new_interaction(bot, guild, maintainer)
    await press(accept, post, label="Accept")
    which = accept.last
    assert which.ephemeral
    pick = new_interaction(bot, guild, maintainer)
    await choose(pick, which, ["1"])
    modal = pick.response.modal
    assert modal is not None
    assert boxes(modal)["Sources, one per line"] == "review of episode 1\nhttps://example.org/ep1"
    done = await submit(bot, guild, maintainer, modal, **{
        "What fans learn in this episode": "Rouge Redstar is an android who hunts the Immortal Nine.",
    })
    await press_button(bot, guild, maintainer, done.sent[0], "Save")
    assert "android who hunts" in (folder / "entries.yaml").read_text()
    assert "✅ Accepted by" in post.content and post.view is None
    assert dms == ["Thanks for your suggested correction: the maintainers accepted it, and the answer is corrected."]


@pytest.mark.asyncio
async def test_corrections_are_rate_limited_and_rejections_reported(
    fixing_bot: tuple[LoreBot, FakeChannel, list[str]], guild: FakeGuild, maintainer: FakeMember
) -> None:
    bot, modlog, dms = fixing_bot
    fan = FakeMember(guild=guild)
    replies = []
    for number in range(4):
        opened = FakeInteraction(bot, user=fan, guild=guild)
        await invoke(bot, opened, "suggest", entry="rouge")
        assert opened.response.modal is not None
        sent = FakeInteraction(bot, user=fan, guild=guild)
        await submit_modal(sent, opened.response.modal, {"lore-fix:what": f"Wrong {number}", "lore-fix:source": "ep 1"})
        replies.append(sent.last.content)
    assert "sent to the maintainers" in replies[2] and "Nothing was sent" in replies[3]
    assert len(modlog.messages) == 3
    await bot.storage.set_progress(fan.id, 3)  # an entry past the fan's progress is not offered, nor opened
    spoiler = FakeInteraction(bot, user=fan, guild=guild)
    await invoke(bot, spoiler, "suggest", entry="late-twist")
    assert spoiler.response.modal is None and "I don't know that answer" in spoiler.last.content

    reject = new_interaction(bot, guild, maintainer)
    await press(reject, modlog.messages[0], label="Reject")
    assert "❌ Rejected by" in modlog.messages[0].content
    assert dms == ["Thanks for your suggested correction. The maintainers looked at it and kept the answer as it is."]
    # a second press on the same post (another maintainer's stale window) changes nothing
    stale = await modlog.send("stale copy", view=decision_view(1))
    again = new_interaction(bot, guild, maintainer)
    await press(again, stale, label="Accept")
    assert again.last.content == "Correction #1 is already rejected." and len(dms) == 1
