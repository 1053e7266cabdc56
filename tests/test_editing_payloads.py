"""The forms (modals) and buttons of editing and corrections, as Discord receives them: checked
against Discord's OpenAPI description and every length limit, at their largest."""

from __future__ import annotations

from typing import Any

import discord
import jsonschema
import pytest
import pytest_asyncio

from bot.app import LoreBot
import sys
from types import ModuleType

from bot.knowledge.editing import fields as forms
from bot.knowledge.editing.change import ENTRY_NEW, REVEAL_EDIT
from tests.fakes import StartBot
from test_command_definitions import SPEC, SPEC_PATH

MODAL_INPUTS, INPUT_CHARS, LABEL_CHARS, CUSTOM_ID_CHARS, DESCRIPTION_CHARS, TITLE_CHARS = 5, 4000, 45, 100, 100, 45
BUTTON_LABEL_CHARS, SELECT_OPTIONS, OPTION_LABEL_CHARS = 80, 25, 100

needs_spec = pytest.mark.skipif(SPEC is None, reason=f"Discord's OpenAPI description is not at {SPEC_PATH}")


def _validator(name: str) -> jsonschema.Draft202012Validator:
    assert SPEC is not None
    return jsonschema.Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": SPEC["components"]})


def schema_errors(name: str, body: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in _validator(name).iter_errors(body)]


def limit_problems(modal: discord.ui.Modal) -> list[str]:
    """Discord's limits for a modal, whatever the schema says."""
    data = modal.to_dict()
    found = []
    if not 1 <= len(data["title"]) <= TITLE_CHARS:
        found.append(f"title of {len(data['title'])} characters")
    if not 1 <= len(data["custom_id"]) <= CUSTOM_ID_CHARS:
        found.append("modal custom_id length")
    if not 1 <= len(data["components"]) <= MODAL_INPUTS:
        found.append(f"{len(data['components'])} inputs")
    for row in data["components"]:
        box = row["component"] if row["type"] == 18 else row["components"][0]  # a label, or an action row
        label = row.get("label") or box.get("label") or ""
        if not 1 <= len(label) <= LABEL_CHARS:
            found.append(f"label {label!r}")
        if len(row.get("description") or "") > DESCRIPTION_CHARS:
            found.append(f"description of {len(row['description'])} characters")
        if len(box.get("value") or "") > min(INPUT_CHARS, box.get("max_length") or INPUT_CHARS):
            found.append(f"value of {len(box['value'])} characters in {box['custom_id']}")
        if not 1 <= len(box["custom_id"]) <= CUSTOM_ID_CHARS:
            found.append(f"custom_id {box['custom_id']!r}")
        if (box.get("max_length") or 0) > INPUT_CHARS:
            found.append(f"max_length {box['max_length']}")
    return found


def component_problems(view: discord.ui.View) -> list[str]:
    found = []
    for row in view.to_components():
        for item in row["components"]:
            if not 1 <= len(item.get("custom_id") or "x") <= CUSTOM_ID_CHARS:
                found.append(f"custom_id {item.get('custom_id')!r}")
            if len(item.get("label") or "") > BUTTON_LABEL_CHARS:
                found.append(f"label {item['label']!r}")
            options = item.get("options") or []
            if len(options) > SELECT_OPTIONS:
                found.append(f"{len(options)} options")
            found += [f"option {o['label']!r}" for o in options if not 1 <= len(o["label"]) <= OPTION_LABEL_CHARS]
    return found


@pytest_asyncio.fixture
async def cog(start_bot: StartBot) -> Any:
    bot: LoreBot = await start_bot("bot.cogs.admin", "bot.cogs.editing", "bot.cogs.corrections", home_guild_id=1)
    editing = bot.get_cog("Editing")
    assert editing is not None
    return editing


def editing() -> ModuleType:
    """The modules as the extensions loaded them (loading an extension imports it anew)."""
    return sys.modules["bot.cogs.editing"]


def corrections() -> ModuleType:
    return sys.modules["bot.cogs.corrections"]


def _largest_draft(form: str, *, with_errors: bool = True) -> Any:
    """A draft with every box full and a long error under each (what a form can be at most)."""
    boxes = editing().BOXES
    full = {name: ("x" * (boxes[name][3] - 8) + "\nline @ 8")[: boxes[name][3]] for name in boxes}
    errors = {name: ["a very long problem " * 20] for name in boxes}
    return editing().Draft(
        ENTRY_NEW if form == "entry" else REVEAL_EDIT, 1, 1, "entries.yaml", entry_id="e" * 80, episode=13,
        entry_values={n: full[n] for n in forms.ENTRY_FIELDS}, reveal_values={n: full[n] for n in forms.REVEAL_FIELDS},
        errors=errors if with_errors else {},
    )


@pytest.mark.asyncio
@pytest.mark.parametrize("with_errors", [True, False])
@pytest.mark.parametrize("form", ["entry", "reveal"])
async def test_edit_forms_fit_discords_limits_at_their_largest(cog: Any, form: str, with_errors: bool) -> None:
    modal = cog.modal(_largest_draft(form, with_errors=with_errors), form)
    assert limit_problems(modal) == []
    assert len(modal.to_dict()["components"]) == (5 if form == "entry" else 2)
    if SPEC is not None:
        assert schema_errors("ModalInteractionCallbackRequest", {"type": 9, "data": modal.to_dict()}) == []


@pytest.mark.asyncio
async def test_the_suggestion_form_fits(cog: Any) -> None:
    modal = corrections().SuggestModal(cog.bot.get_cog("Corrections"), "e" * 80)
    assert limit_problems(modal) == []
    if SPEC is not None:
        assert schema_errors("ModalInteractionCallbackRequest", {"type": 9, "data": modal.to_dict()}) == []


@pytest.mark.asyncio
async def test_buttons_and_menus_fit(cog: Any) -> None:
    draft = _largest_draft("entry")
    fix = editing().DraftView(cog, draft)
    fix.add_form_buttons()
    fix.add_cancel()
    fixes: Any = cog.bot.get_cog("Corrections")
    views = [
        editing().PreviewView(cog, draft, at=13, episodes=13),
        editing().PreviewView(cog, draft, at=None, episodes=40),
        fix,
        corrections().decision_view(10**18 - 1),
        fixes.answer_view("e" * 80),
        corrections().PartView(fixes, None, [discord.SelectOption(label="l" * 100, value=str(n)) for n in range(25)]),  # type: ignore[arg-type]
    ]
    for view in views:
        assert component_problems(view) == [], view
        if SPEC is not None:
            body = {"type": 4, "data": {"content": "x", "components": view.to_components(), "flags": 64}}
            assert schema_errors("CreateMessageInteractionCallbackRequest", body) == [], view


def test_a_longer_entry_id_gets_no_button_rather_than_a_broken_one() -> None:
    from bot.cogs.corrections import CorrectionsCog

    assert CorrectionsCog.answer_view(None, "e" * 81) is None  # type: ignore[arg-type]


class _Payload:
    """A modal payload as is, for what discord.py itself would not build."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def to_dict(self) -> dict[str, Any]:
        return self.data


@needs_spec
def test_the_checker_catches_what_discord_refuses() -> None:
    row = {"type": 18, "label": "l" * 46, "description": "d" * 101,
           "component": {"type": 4, "custom_id": "c" * 101, "style": 1, "value": "v" * 4001}}
    data = {"title": "t" * 46, "custom_id": "m", "components": [dict(row) for _ in range(6)]}
    found = limit_problems(_Payload(data))  # type: ignore[arg-type]
    assert {"title of 46 characters", "6 inputs", "label '" + "l" * 46 + "'", "description of 101 characters",
            "value of 4001 characters in " + "c" * 101, "custom_id '" + "c" * 101 + "'"} <= set(found)
    assert schema_errors("ModalInteractionCallbackRequest", {"type": 9, "data": data})
    assert component_problems(corrections_free_view()) == ["custom_id '" + "x" * 101 + "'", "label '" + "b" * 81 + "'"]


def corrections_free_view() -> discord.ui.View:
    view = discord.ui.View()
    view.add_item(discord.ui.Button(label="b" * 81, custom_id="x" * 101))
    return view
