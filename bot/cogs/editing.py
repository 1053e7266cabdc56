"""Maintainers edit the knowledge from Discord: entries and reveals, with preview, history and undo.

The commands hang under ``/lore-admin`` (the Admin cog's group): ``entry new|edit``,
``reveal add|edit|remove`` and ``undo``; ``/lore-admin history entry:`` shows an entry's edits.

A form (a modal) is filled in, read (:mod:`bot.knowledge.editing.fields`), applied to the entry's
file and validated with the whole folder (:mod:`bot.knowledge.editing.change`) before anything is
written. Problems come back next to the box they concern (in the box's description when the form
is opened again with "Fix it", with everything the maintainer typed still in it). A valid change
is previewed privately, as a fan would be answered, and written only on Save, through the locked,
compare-and-swap, atomic write; the knowledge is reloaded at once, the edit is stored (who, when,
the entry before and after) and the mod-log gets one line.

Only the knowledge's maintainers may edit (every server reads the same files); anyone else is
told so. Everything here is ephemeral and never pings anyone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.answering.render import escape, fit
from bot.cogs import common
from bot.knowledge.editing import fields as forms
from bot.knowledge.editing.change import (
    ENTRY_EDIT,
    ENTRY_NEW,
    REVEAL_ADD,
    REVEAL_EDIT,
    REVEAL_REMOVE,
    UNDO,
    Change,
    ChangeRefused,
    Prepared,
    file_diff,
    prepare,
    preview,
    save,
)
from bot.knowledge.editing.fields import GENERAL, FieldErrors
from bot.knowledge.loader import MAX_QUESTION_CHARS, MAX_REVEAL_CHARS, iter_knowledge_files
from bot.knowledge.model import Entry
from bot.storage import KnowledgeEdit

if TYPE_CHECKING:
    from bot.app import LoreBot

log = logging.getLogger(__name__)

LIMIT = 2000
#: Discord's limits for a form (modal)
MODAL_INPUTS = 5
INPUT_CHARS = 4000
LABEL_CHARS = 45
DESCRIPTION_CHARS = 100
TITLE_CHARS = 45
#: how long a draft (its form, preview and buttons) stays usable
DRAFT_TIMEOUT = 900.0

REFUSAL = (
    "Only the knowledge's maintainers can change it from Discord (every server reads the same "
    "files): the moderators of the bot's home server and the people its host lists as maintainers. "
    "Ask one of them, or suggest a correction under an answer."
)

#: box -> (label, hint shown under it, multi-line, most characters)
BOXES: dict[str, tuple[str, str, bool, int]] = {
    forms.QUESTION: ("Question", "How fans ask it. Shown without spoiler bars: it must give nothing away.", False, MAX_QUESTION_CHARS),
    forms.ALIASES: ("Other phrasings, one per line", "A phrasing that names a twist gets its episode: 'is eva rouges mother @ 8'.", True, INPUT_CHARS),
    forms.MYSTERY: ("Mystery key (optional)", "One lower-case word for /mystery, like 'mother'. Leave empty for none.", False, 100),
    forms.SEE_ALSO: ("See also: entry ids, one per line", "A link that hints at a twist gets its episode: 'eva-cristella @ 8'.", True, INPUT_CHARS),
    forms.TAGS: ("Tags (optional)", "Words separated by commas, like 'characters, rouge'.", False, 400),
    forms.TEXT: ("What fans learn in this episode", "In your own words; line breaks become spaces.", True, MAX_REVEAL_CHARS),
    forms.SOURCES: ("Sources, one per line", "At least one: a URL or an article title.", True, INPUT_CHARS),
}
FIELD_NAMES = {name: label for name, (label, *_) in BOXES.items()} | {GENERAL: "The change"}


# -- drafts: what a maintainer is changing, kept while they fill in, preview and save ------------
@dataclass
class Draft:
    kind: str
    user_id: int
    guild_id: int | None
    file: str
    entry_id: str | None = None
    episode: int | None = None
    unconfirmed: bool | None = None
    #: the boxes as typed (None: this kind has no such form)
    entry_values: dict[str, str] | None = None
    reveal_values: dict[str, str] | None = None
    errors: FieldErrors = field(default_factory=dict)
    #: the validated change being previewed; its entry lines are what Save expects to replace
    prepared: Prepared | None = None
    #: the fan's correction this draft answers (accepted from the mod-log)
    proposal_id: int | None = None
    #: the server's spoiler-free horizon, for the preview
    spoiler_free: int = 0

    def forms(self) -> list[str]:
        return [name for name, values in (("entry", self.entry_values), ("reveal", self.reveal_values)) if values is not None]

    def change(self) -> Change:
        """The change the boxes describe; ChangeRefused with the errors per box if they cannot be read."""
        errors: FieldErrors = {}
        entry_draft = reveal_draft = None
        if self.entry_values is not None:
            entry_draft, found = forms.parse_entry(self.entry_values)
            errors.update(found)
        if self.reveal_values is not None:
            reveal_draft, found = forms.parse_reveal(self.reveal_values, unconfirmed=self.unconfirmed)
            errors.update(found)
        entry_id = self.entry_id
        if self.kind == ENTRY_NEW and not entry_id and entry_draft is not None:
            entry_id = forms.slug(entry_draft.question)
            if not entry_id:
                forms.add_error(errors, forms.QUESTION, "the question needs letters or digits to make an id from")
        if errors:
            raise ChangeRefused(errors)
        assert entry_id is not None
        if self.kind == ENTRY_NEW and reveal_draft is not None and reveal_draft.unconfirmed is None:
            reveal_draft = forms.RevealDraft(reveal_draft.text, reveal_draft.sources, False)
        return Change(self.kind, entry_id, self.file, self.episode, entry_draft, reveal_draft)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _box_description(name: str, errors: FieldErrors) -> str:
    found = errors.get(name)
    if found:
        return _clip("⚠ " + " · ".join(found), DESCRIPTION_CHARS)
    return BOXES[name][1]


class DraftModal(discord.ui.Modal):
    """A form of up to five boxes, prefilled with ``values``; errors shown under their boxes."""

    def __init__(self, cog: EditingCog, draft: Draft, form: str, title: str) -> None:
        super().__init__(title=_clip(title, TITLE_CHARS), timeout=DRAFT_TIMEOUT)
        self.cog, self.draft, self.form = cog, draft, form
        values = (draft.entry_values if form == "entry" else draft.reveal_values) or {}
        self.inputs: dict[str, discord.ui.TextInput[Any]] = {}
        for name in forms.ENTRY_FIELDS if form == "entry" else forms.REVEAL_FIELDS:
            label, _, multiline, most = BOXES[name]
            box: discord.ui.TextInput[Any] = discord.ui.TextInput(
                style=discord.TextStyle.paragraph if multiline else discord.TextStyle.short,
                default=values.get(name) or None,
                required=name in (forms.QUESTION, forms.TEXT, forms.SOURCES),
                max_length=most,
                custom_id=f"lore-edit:{name}",
            )
            self.inputs[name] = box
            self.add_item(discord.ui.Label(text=label, description=_box_description(name, draft.errors), component=box))

    def values(self) -> dict[str, str]:
        return {name: box.value or "" for name, box in self.inputs.items()}

    async def on_submit(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        if self.form == "entry":
            self.draft.entry_values = self.values()
        else:
            self.draft.reveal_values = self.values()
        await self.cog.submitted(interaction, self.draft, self.form)

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:  # type: ignore[override]
        await common.report_unexpected(interaction, error, where="an editing form")


def too_long_for_a_form(values: Mapping[str, str]) -> str | None:
    for name, value in values.items():
        if len(value) > BOXES[name][3]:
            return (
                f"{FIELD_NAMES[name]} holds {len(value)} characters; a Discord form box holds {BOXES[name][3]}. "
                "Edit this entry in its file instead."
            )
    return None


class DraftView(discord.ui.View):
    """Buttons on a draft's private messages; only the maintainer who started it may press them."""

    def __init__(self, cog: EditingCog, draft: Draft) -> None:
        super().__init__(timeout=DRAFT_TIMEOUT)
        self.cog, self.draft = cog, draft

    async def interaction_check(self, interaction: discord.Interaction) -> bool:  # type: ignore[override]
        if interaction.user.id != self.draft.user_id:
            await common.send_quietly(interaction, "This draft belongs to someone else.")
            return False
        return True

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: Any) -> None:  # type: ignore[override]
        await common.report_unexpected(interaction, error, where="an editing button")

    def add_form_buttons(self, *, label: str = "Fix it") -> None:
        """One button per form of the draft, reopening it with what was typed."""
        kinds = self.draft.forms()
        for form in kinds:
            self.add_opener(form, label if len(kinds) == 1 else f"{label}: the {form}")

    def add_opener(self, form: str, label: str) -> None:
        button: discord.ui.Button[DraftView] = discord.ui.Button(label=label, style=discord.ButtonStyle.primary)

        async def open_form(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(self.cog.modal(self.draft, form))

        button.callback = open_form  # type: ignore[method-assign]
        self.add_item(button)

    def add_cancel(self) -> None:
        button: discord.ui.Button[DraftView] = discord.ui.Button(label="Cancel", style=discord.ButtonStyle.secondary)
        button.callback = self._cancel  # type: ignore[method-assign]
        self.add_item(button)

    async def _cancel(self, interaction: discord.Interaction) -> None:
        self.stop()
        await interaction.response.edit_message(content="Cancelled; nothing was written.", view=None)


class PreviewView(DraftView):
    """Save / Cancel / Edit again, and the episode the preview is shown at."""

    def __init__(self, cog: EditingCog, draft: Draft, *, at: int | None, episodes: int) -> None:
        super().__init__(cog, draft)
        self.at = at
        picker: discord.ui.Select[PreviewView] = discord.ui.Select(
            placeholder="Preview at another episode",
            options=[discord.SelectOption(label="A fan with no progress set", value="none", default=at is None)]
            + [
                discord.SelectOption(label=f"A fan who has watched up to episode {n}", value=str(n), default=at == n)
                for n in range(0, min(episodes, 23) + 1)
            ],
        )
        picker.callback = self._pick  # type: ignore[method-assign]
        self.add_item(picker)
        removing = draft.kind == REVEAL_REMOVE
        save_button: discord.ui.Button[PreviewView] = discord.ui.Button(
            label="Remove the reveal" if removing else "Save",
            style=discord.ButtonStyle.danger if removing else discord.ButtonStyle.success,
        )
        save_button.callback = self._save  # type: ignore[method-assign]
        self.add_item(save_button)
        self.add_cancel()
        if draft.forms():
            self.add_form_buttons(label="Edit again")

    async def _pick(self, interaction: discord.Interaction) -> None:
        value = (interaction.data or {}).get("values", ["none"])[0]  # type: ignore[union-attr]
        at = None if value == "none" else int(value)
        self.stop()  # the preview is shown again with a new view
        await self.cog.show_preview(interaction, self.draft, at=at, edit=True)

    async def _save(self, interaction: discord.Interaction) -> None:
        self.stop()
        await self.cog.save_draft(interaction, self.draft)


# -- the cog -------------------------------------------------------------------------------------
class _MaintainersGroup(app_commands.Group):
    """A subcommand group of /lore-admin whose commands only maintainers may use."""

    def __init__(self, cog: EditingCog, *, name: str, description: str) -> None:
        super().__init__(name=name, description=description)
        self.cog = cog

    async def interaction_check(self, interaction: discord.Interaction) -> bool:  # type: ignore[override]
        return await self.cog.check_maintainer(interaction)

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:  # type: ignore[override]
        await self.cog.command_error(interaction, error)


class EntryCommands(_MaintainersGroup):
    def __init__(self, cog: EditingCog) -> None:
        super().__init__(cog, name="entry", description="Create or edit a knowledge entry (maintainers)")

    @app_commands.command(name="new", description="Create an entry: a form for its question, phrasings and links")
    @app_commands.describe(
        file="The knowledge file to add it to",
        episode="The episode of its first reveal (0: production facts)",
        id="Its id, lower-case words with dashes (default: made from the question)",
    )
    async def new(self, interaction: discord.Interaction, file: str, episode: app_commands.Range[int, 0, 999], id: str | None = None) -> None:
        await self.cog.start_new_entry(interaction, file, episode, id)

    @app_commands.command(name="edit", description="Edit an entry's question, phrasings, mystery key, links and tags")
    @app_commands.describe(entry="The entry")
    async def edit(self, interaction: discord.Interaction, entry: str) -> None:
        await self.cog.start_entry_edit(interaction, entry)

    @new.autocomplete("file")
    async def _file_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return self.cog.file_choices(current)

    @edit.autocomplete("entry")
    async def _entry_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await self.cog.entry_choices(interaction, current)


class RevealCommands(_MaintainersGroup):
    def __init__(self, cog: EditingCog) -> None:
        super().__init__(cog, name="reveal", description="Add, edit or remove what an episode reveals (maintainers)")

    @app_commands.command(name="add", description="Add what an episode reveals about an entry")
    @app_commands.describe(entry="The entry", episode="The episode (0: production facts)", unconfirmed="The sources are weak or disagree")
    async def add(self, interaction: discord.Interaction, entry: str, episode: app_commands.Range[int, 0, 999], unconfirmed: bool = False) -> None:
        await self.cog.start_reveal(interaction, REVEAL_ADD, entry, episode, unconfirmed)

    @app_commands.command(name="edit", description="Correct what an episode reveals about an entry")
    @app_commands.describe(entry="The entry", episode="The reveal's episode", unconfirmed="Mark it unconfirmed (or not); default: as it is")
    async def edit(self, interaction: discord.Interaction, entry: str, episode: app_commands.Range[int, 0, 999], unconfirmed: bool | None = None) -> None:
        await self.cog.start_reveal(interaction, REVEAL_EDIT, entry, episode, unconfirmed)

    @app_commands.command(name="remove", description="Remove one reveal of an entry (asks first)")
    @app_commands.describe(entry="The entry", episode="The reveal's episode")
    async def remove(self, interaction: discord.Interaction, entry: str, episode: app_commands.Range[int, 0, 999]) -> None:
        await self.cog.start_reveal(interaction, REVEAL_REMOVE, entry, episode, None)

    @add.autocomplete("entry")
    @edit.autocomplete("entry")
    @remove.autocomplete("entry")
    async def _entry_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await self.cog.entry_choices(interaction, current)


class EditingCog(commands.Cog, name="Editing"):
    def __init__(self, bot: LoreBot) -> None:
        self.bot = bot
        self._attached: list[app_commands.Command[Any, ..., Any] | app_commands.Group] = []
        #: called after each save with (interaction, draft, "path:line") (bot.cogs.corrections)
        self.saved_hooks: list[Callable[[discord.Interaction, Draft, str], Awaitable[None]]] = []

    # -- wiring into /lore-admin ---------------------------------------------------------------
    def _admin_group(self) -> app_commands.Group:
        admin = self.bot.get_cog("Admin")
        group = getattr(admin, "admin", None)
        if not isinstance(group, app_commands.Group):
            raise RuntimeError("bot.cogs.editing needs bot.cogs.admin loaded first (it adds to /lore-admin)")
        return group

    async def cog_load(self) -> None:
        group = self._admin_group()
        undo = app_commands.Command(
            name="undo",
            description="Undo the last edit of an entry made from Discord (maintainers)",
            callback=self.undo_command,
        )
        undo.autocomplete("entry")(self._undo_autocomplete)  # the cog is its binding: its checks and errors below
        self._attached = [EntryCommands(self), RevealCommands(self), undo]
        for command in self._attached:
            group.add_command(command)

    async def cog_unload(self) -> None:
        admin = self.bot.get_cog("Admin")
        group = getattr(admin, "admin", None)
        if isinstance(group, app_commands.Group):
            for command in self._attached:
                group.remove_command(command.name)
        self._attached = []

    # -- who may edit --------------------------------------------------------------------------
    async def is_maintainer(self, interaction: discord.Interaction) -> bool:
        """The knowledge's maintainers (bot.governance, as the Admin cog decides it for teach and reload)."""
        admin = self.bot.get_cog("Admin")
        check = getattr(admin, "is_maintainer", None)
        return check is not None and bool(await check(interaction))

    async def check_maintainer(self, interaction: discord.Interaction) -> bool:
        if not await self.is_maintainer(interaction):
            log.info("refused a knowledge edit for user %s in guild %s", interaction.user.id, interaction.guild_id)
            raise app_commands.CheckFailure(REFUSAL)
        return True

    async def command_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        interaction.extras[common.ERROR_HANDLED] = True
        message, unexpected = common.explain(error)
        if unexpected:
            original = getattr(error, "original", error)
            log.error("error in a knowledge edit", exc_info=(type(original), original, original.__traceback__))
        await common.send_quietly(interaction, message)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:  # type: ignore[override]
        return await self.check_maintainer(interaction)  # /lore-admin undo (the groups check themselves)

    async def cog_app_command_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await self.command_error(interaction, error)

    # -- choices -------------------------------------------------------------------------------
    def file_choices(self, current: str) -> list[app_commands.Choice[str]]:
        typed = current.strip().lower()
        names = [p.name for p in iter_knowledge_files(self.bot.knowledge.folder) if p.name in self._entry_files()]
        return [app_commands.Choice(name=n, value=n) for n in names if typed in n.lower()][:25]

    def _entry_files(self) -> set[str]:
        return {e.path.name for e in self.bot.knowledge.lore.kb.entries.values() if e.path is not None}

    async def entry_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        if not await self.is_maintainer(interaction):
            return []
        lore = self.bot.knowledge.lore
        typed = current.strip().lower()
        found: list[Entry] = [e for e in lore.kb.entries.values() if e.id.startswith(typed)] if typed else list(lore.kb.entries.values())
        if typed:
            found += [e for e in lore.suggest(current, limit=25) if e not in found]
        return [app_commands.Choice(name=common.clip(f"{e.id} · {e.question}", 100), value=e.id) for e in found[:25]]

    async def _undo_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await self.entry_choices(interaction, current)

    # -- starting a draft ----------------------------------------------------------------------
    def modal(self, draft: Draft, form: str) -> DraftModal:
        verb = {ENTRY_NEW: "New", ENTRY_EDIT: "Edit", REVEAL_ADD: "New", REVEAL_EDIT: "Edit"}.get(draft.kind, "Edit")
        if form == "entry":
            title = f"{verb} entry" + (f": {draft.entry_id}" if draft.entry_id else "")
        else:
            title = f"{verb} ep {draft.episode} reveal" + (f": {draft.entry_id}" if draft.entry_id else "")
        return DraftModal(self, draft, form, title)

    def _draft(self, interaction: discord.Interaction, kind: str, file: str, **kwargs: Any) -> Draft:
        return Draft(kind, interaction.user.id, interaction.guild_id, file, **kwargs)

    async def _horizon(self, draft: Draft) -> None:
        settings = await self.bot.storage.guild_settings(draft.guild_id)
        draft.spoiler_free = settings.spoiler_free

    def _entry(self, entry_id: str) -> Entry | None:
        return self.bot.knowledge.lore.kb.entry(entry_id.strip())

    async def start_new_entry(self, interaction: discord.Interaction, file: str, episode: int, entry_id: str | None) -> None:
        count = self.bot.knowledge.lore.kb.series.episode_count
        if not 0 <= episode <= count:
            await common.send(interaction, f"Choose episode 0 to {count}. Nothing was changed.", ephemeral=True)
            return
        if file not in self._entry_files():
            choices = ", ".join(sorted(self._entry_files()))
            await common.send(interaction, f"'{escape(file)}' is not a file of entries; choose one of: {escape(choices)}.", ephemeral=True)
            return
        draft = self._draft(interaction, ENTRY_NEW, file, entry_id=(entry_id or "").strip().lower() or None, episode=episode,
                            entry_values={name: "" for name in forms.ENTRY_FIELDS})
        await interaction.response.send_modal(self.modal(draft, "entry"))

    async def start_entry_edit(self, interaction: discord.Interaction, entry_id: str, *, proposal_id: int | None = None) -> None:
        entry = self._entry(entry_id)
        if entry is None or entry.path is None:
            await common.send(interaction, f"There is no entry '{escape(entry_id)}'.", ephemeral=True)
            return
        values = forms.entry_values(entry)
        problem = too_long_for_a_form(values)
        if problem:
            await common.send(interaction, escape(problem), ephemeral=True)
            return
        draft = self._draft(interaction, ENTRY_EDIT, entry.path.name, entry_id=entry.id, entry_values=values, proposal_id=proposal_id)
        await interaction.response.send_modal(self.modal(draft, "entry"))

    async def start_reveal(self, interaction: discord.Interaction, kind: str, entry_id: str, episode: int,
                           unconfirmed: bool | None, *, proposal_id: int | None = None, extra_source: str | None = None) -> None:
        entry = self._entry(entry_id)
        if entry is None or entry.path is None:
            await common.send(interaction, f"There is no entry '{escape(entry_id)}'.", ephemeral=True)
            return
        count = self.bot.knowledge.lore.kb.series.episode_count
        if not 0 <= episode <= count:
            await common.send(interaction, f"Choose episode 0 to {count}. Nothing was changed.", ephemeral=True)
            return
        existing = next((r for r in entry.reveals if r.episode == episode), None)
        if kind == REVEAL_ADD and existing is not None:
            await common.send(interaction, f"'{escape(entry.id)}' already has an episode {episode} reveal; use /lore-admin reveal edit.", ephemeral=True)
            return
        if kind != REVEAL_ADD and existing is None:
            shown = ", ".join(str(r.episode) for r in entry.reveals)
            await common.send(interaction, f"'{escape(entry.id)}' has no episode {episode} reveal (it has episodes {shown}).", ephemeral=True)
            return
        draft = self._draft(interaction, kind, entry.path.name, entry_id=entry.id, episode=episode, unconfirmed=unconfirmed,
                            proposal_id=proposal_id)
        if kind == REVEAL_REMOVE:
            await self.check_and_preview(interaction, draft)
            return
        values = forms.reveal_values(existing) if existing is not None else {forms.TEXT: "", forms.SOURCES: ""}
        if extra_source and extra_source not in values[forms.SOURCES].splitlines():
            values[forms.SOURCES] = "\n".join(filter(None, [values[forms.SOURCES], extra_source]))
        problem = too_long_for_a_form(values)
        if problem:
            await common.send(interaction, escape(problem), ephemeral=True)
            return
        draft.reveal_values = values
        await interaction.response.send_modal(self.modal(draft, "reveal"))

    # -- a form came back ----------------------------------------------------------------------
    async def submitted(self, interaction: discord.Interaction, draft: Draft, form: str) -> None:
        if draft.kind == ENTRY_NEW and form == "entry" and draft.reveal_values is None:
            # Only the entry's boxes so far: read them, then ask for the first reveal.
            entry_draft, errors = forms.parse_entry(draft.entry_values or {})
            if entry_draft is not None and not draft.entry_id and not forms.slug(entry_draft.question):
                forms.add_error(errors, forms.QUESTION, "the question needs letters or digits to make an id from")
            if errors:
                await self.show_errors(interaction, draft, ChangeRefused(errors))
                return
            draft.errors = {}
            draft.reveal_values = {forms.TEXT: "", forms.SOURCES: ""}
            view = DraftView(self, draft)
            view.add_opener("reveal", f"Write the episode {draft.episode} reveal")
            view.add_cancel()
            await common.send(
                interaction,
                f"The entry's boxes are read. Now what fans learn in episode {draft.episode}: every entry needs a first reveal.",
                ephemeral=True, view=view,
            )
            return
        await self.check_and_preview(interaction, draft)

    async def check_and_preview(self, interaction: discord.Interaction, draft: Draft) -> None:
        try:
            change = draft.change()
        except ChangeRefused as refused:
            await self.show_errors(interaction, draft, refused)
            return
        await common.think_privately(interaction)
        draft.entry_id = change.entry_id
        try:
            draft.prepared = await asyncio.to_thread(prepare, self.bot.knowledge.folder, change)
        except ChangeRefused as refused:
            await self.show_errors(interaction, draft, refused)
            return
        draft.errors = {}
        await self._horizon(draft)
        at = draft.episode if draft.kind != ENTRY_EDIT else None
        await self.show_preview(interaction, draft, at=at, edit=False)

    async def show_errors(self, interaction: discord.Interaction, draft: Draft, refused: ChangeRefused, *, edit: bool = False) -> None:
        """The problems by box, with a button that reopens each form as it was typed."""
        draft.errors = refused.errors
        lines = ["**Not saved: the change needs fixing.** Nothing was written. The problems, by box:"]
        for name, messages in refused.errors.items():
            for message in messages:
                lines.append(f"- **{FIELD_NAMES.get(name, name)}**: {escape(message)}")
        if draft.forms():
            lines.append("-# Your text is kept: press the button to open the form again, with each problem under its box.")
        view = DraftView(self, draft)
        view.add_form_buttons()
        view.add_cancel()
        if edit:
            await interaction.edit_original_response(content=fit(lines), view=view)
        else:
            await common.send(interaction, fit(lines), ephemeral=True, view=view)

    def preview_text(self, draft: Draft, at: int | None) -> str:
        prepared = draft.prepared
        assert prepared is not None
        free = draft.spoiler_free
        change = prepared.change
        head = f"**Preview, not saved yet.** {escape(_capital(change.describe()))} in `{escape(prepared.where)}`."
        who = "a fan with no progress set" if at is None else f"a fan who has watched up to episode {at}"
        answer = preview(prepared.kb, change.entry_id, episode=at, spoiler_free=free)
        body = f"{head}\nWhat {who} is answered on this server:\n" + _quote(answer)
        tail = "-# Save writes the file; the change is live at once. Cancel writes nothing."
        return _clip(f"{body}\n{tail}", LIMIT)

    async def show_preview(self, interaction: discord.Interaction, draft: Draft, *, at: int | None, edit: bool) -> None:
        text = self.preview_text(draft, at)
        episodes = self.bot.knowledge.lore.kb.series.episode_count
        view = PreviewView(self, draft, at=at, episodes=episodes)
        if edit:
            await interaction.response.edit_message(content=text, view=view)
            return
        await common.send(interaction, text, ephemeral=True, view=view)
        assert draft.prepared is not None
        await common.send(interaction, _diff_message(draft.prepared.diff()), ephemeral=True)

    # -- saving --------------------------------------------------------------------------------
    async def save_draft(self, interaction: discord.Interaction, draft: Draft) -> None:
        assert draft.prepared is not None
        await interaction.response.edit_message(content="Saving…", view=None)
        try:
            prepared = await self.write(draft.prepared.change, expected_before=draft.prepared.before_block)
        except ChangeRefused as refused:
            await self.show_errors(interaction, draft, refused, edit=True)
            return
        edit_id = await self.record(interaction, prepared)
        where = prepared.where
        await interaction.edit_original_response(
            content=f"Saved: {escape(prepared.change.describe())} in `{escape(where)}`. It is live now.\n"
            f"-# Undo it with /lore-admin undo entry:{escape(prepared.change.entry_id)} (edit #{edit_id}).",
        )
        for hook in list(self.saved_hooks):
            try:
                await hook(interaction, draft, where)
            except Exception:
                log.exception("a hook after saving %s failed", prepared.change.describe())

    async def write(self, change: Change, *, expected_before: str | None) -> Prepared:
        """Save ``change`` and reload the knowledge at once (not waiting for the file watcher)."""
        store = self.bot.knowledge
        reloader = getattr(self.bot.get_cog("Admin"), "reloader", None)
        lock = reloader.lock if reloader is not None else asyncio.Lock()
        async with lock:
            prepared = await asyncio.to_thread(save, store.folder, change, expected_before=expected_before)
            outcome = await asyncio.to_thread(store.reload)
        if not outcome.ok:  # pragma: no cover - the change was validated under the lock
            log.warning("saved %s but the reload failed: %s", change.describe(), outcome.report())
        return prepared

    async def record(self, interaction: discord.Interaction, prepared: Prepared, *, undoes: int | None = None) -> int:
        """Store the edit (history, audit trail) and post the one mod-log line."""
        change = prepared.change
        edit_id: int = await self.bot.storage.record_edit(
            guild_id=interaction.guild_id, user_id=interaction.user.id, entry_id=change.entry_id,
            action=change.kind if change.episode is None else f"{change.kind} {change.episode}",
            file=prepared.path.name, before=prepared.before_block, after=prepared.after_block,
            undoes=undoes,
        )
        await self.bot.storage.audit(interaction.guild_id, interaction.user.id, "edit", f"{change.describe()} in {prepared.where}")
        line = f"✏️ <@{interaction.user.id}> {escape(change.describe())} · `{escape(prepared.where)}`"
        asyncio.get_running_loop().create_task(self.post_modlog(interaction.guild_id, line))
        return edit_id

    async def post_modlog(self, guild_id: int | None, line: str) -> None:
        admin = self.bot.get_cog("Admin")
        post = getattr(admin, "post_modlog", None)
        if post is None:
            return
        targets = [g for g in dict.fromkeys([self.bot.maintainers.home_guild_id, guild_id]) if g is not None]
        for target in targets:
            await post(target, [line])

    # -- undo and history ----------------------------------------------------------------------
    async def undo_command(self, interaction: discord.Interaction, entry: str) -> None:
        entry_id = entry.strip()
        last = await self.bot.storage.last_undoable_edit(entry_id)
        if last is None:
            await common.send(interaction, f"There is no edit of '{escape(entry_id)}' made from Discord to undo.", ephemeral=True)
            return
        await common.think_privately(interaction)
        change = Change(UNDO, entry_id, last.file, restore=last.before, expected=last.after)
        try:
            prepared = await self.write(change, expected_before=None)
        except ChangeRefused as refused:
            message = " ".join(m for messages in refused.errors.values() for m in messages)
            await common.send(interaction, f"**Not undone.** {escape(message)}", ephemeral=True)
            return
        await self.record(interaction, prepared, undoes=last.id)
        what = "removed the entry it created" if not last.before else f"put back '{escape(entry_id)}' as it was before"
        await common.send(
            interaction,
            f"Undone: {escape(_action_words(last))} by <@{last.user_id}> <t:{int(last.at)}:R>; {what} in `{escape(prepared.where if prepared.line else prepared.path.name)}`.",
            ephemeral=True,
        )
        await common.send(interaction, _diff_message(prepared.diff()), ephemeral=True)

    async def history_messages(self, entry_id: str) -> list[str]:
        """``/lore-admin history entry:``: the entry's edits from Discord, newest first, with diffs."""
        edits: list[KnowledgeEdit] = await self.bot.storage.entry_edits(entry_id, limit=10)
        if not edits:
            return [f"No edits of '{escape(entry_id)}' were made from Discord (edits made in the files are in git, if the knowledge is kept there)."]
        lines = [f"**Edits of '{escape(entry_id)}' from Discord**, newest first:"]
        for edit in edits:
            state = " (undone)" if edit.undone_by else ""
            lines.append(f"#{edit.id} <t:{int(edit.at)}:f> <@{edit.user_id}> · {escape(_action_words(edit))} in {escape(edit.file)}{state}")
        messages = ["\n".join(lines)]
        latest = edits[0]
        messages.append(_diff_message(file_diff(latest.before, latest.after, f"{latest.file} (#{latest.id})"), head=f"Edit #{latest.id}:"))
        return messages


def _action_words(edit: KnowledgeEdit) -> str:
    """A stored edit's action ("reveal add 5") in words ("added the episode 5 reveal of 'x'")."""
    for kind in (ENTRY_NEW, ENTRY_EDIT, REVEAL_ADD, REVEAL_EDIT, REVEAL_REMOVE, UNDO):
        if edit.action.startswith(kind):
            rest = edit.action[len(kind) :].strip()
            return Change(kind, edit.entry_id, edit.file, int(rest) if rest.isdigit() else None).describe()
    return edit.action


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


def _diff_message(diff: str, *, head: str = "The change in the file:") -> str:
    if not diff:
        return f"{head} no change."
    room = LIMIT - len(head) - len("\n```diff\n\n```") - 1
    body = diff.replace("```", "`\u200b``")
    if len(body) > room:
        body = body[: room - 2] + "\n…"
    return f"{head}\n```diff\n{body}\n```"


async def setup(bot: LoreBot) -> None:
    await bot.add_cog(EditingCog(bot))
