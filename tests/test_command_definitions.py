"""The slash commands the bot registers satisfy Discord's rules, checked on the real command tree.

The bot is built with every extension of ``bot.app.EXTENSIONS`` loaded, and the payload it would
send to ``PUT /applications/{id}/commands`` is checked:

* against the request schema in Discord's OpenAPI description (``/work/shared/specs``, when
  present; the limits below are then read from it too);
* against the rules the schema cannot express: names are lower case and match
  ``^[-_\\p{L}\\p{N}]{1,32}$``, no two commands and no two options of one command share a name,
  required options come first, an autocomplete option has no fixed choices, and a command's
  names, descriptions and choices total at most 4000 characters.

The checker is itself tested on broken payloads, so a rule that stops working fails here.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import pytest_asyncio

from bot.app import EXTENSIONS
from tests.fakes import StartBot

#: Discord's OpenAPI description lies in shared/ beside the checkout (locally and in CI).
SPEC_PATH = Path(__file__).resolve().parent.parent.parent / "shared" / "specs" / "discord-openapi.json"

SUBCOMMAND, GROUP = 1, 2
STRING, INTEGER, NUMBER = 3, 4, 10
CHAT_INPUT = 1
MAX_COMMAND_CHARS = 4000  # Discord: name + description + every option's, per command
MAX_GLOBAL_COMMANDS = 100
#: our own, stricter than Discord's 6000 for string choice values (autocomplete sends entry ids)
MAX_STRING_CHOICE_VALUE = 100


@dataclass(frozen=True)
class Limits:
    name_min: int = 1
    name_max: int = 32
    description_min: int = 1
    description_max: int = 100
    options_max: int = 25
    choices_max: int = 25
    choice_name_max: int = 100
    string_length_max: int = 6000


def _spec() -> dict[str, Any] | None:
    try:
        return json.loads(SPEC_PATH.read_text())  # type: ignore[no-any-return]
    except OSError:
        return None


def limits_from_spec(spec: dict[str, Any]) -> Limits:
    schemas = spec["components"]["schemas"]
    command = schemas["ApplicationCommandCreateRequest"]["properties"]
    option = schemas["ApplicationCommandStringOption"]["properties"]
    choice = schemas["ApplicationCommandOptionStringChoice"]["properties"]
    return Limits(
        name_min=command["name"]["minLength"],
        name_max=command["name"]["maxLength"],
        description_min=option["description"]["minLength"],
        description_max=option["description"]["maxLength"],
        options_max=command["options"]["maxItems"],
        choices_max=option["choices"]["maxItems"],
        choice_name_max=choice["name"]["maxLength"],
        string_length_max=option["max_length"]["maximum"],
    )


SPEC = _spec()
LIMITS = limits_from_spec(SPEC) if SPEC else Limits()


# -- the checker ---------------------------------------------------------------------------------
def valid_name(name: Any, limits: Limits = LIMITS) -> bool:
    """Discord's ``^[-_\\p{L}\\p{N}]{1,32}$``, lower case (Python's ``re`` has no ``\\p``)."""
    return (
        isinstance(name, str)
        and limits.name_min <= len(name) <= limits.name_max
        and name == name.lower()
        and all(ch in "-_" or unicodedata.category(ch)[0] in "LN" for ch in name)
    )


def _length(value: Any) -> int:
    return len(str(value)) if value is not None else 0


def command_chars(command: dict[str, Any]) -> int:
    """Characters Discord counts towards the 4000 per command."""
    total = _length(command.get("name")) + _length(command.get("description"))
    for option in command.get("options") or []:
        total += command_chars(option)
        for choice in option.get("choices") or []:
            total += _length(choice.get("name")) + _length(choice.get("value"))
    return total


def _check_options(where: str, options: list[dict[str, Any]], limits: Limits) -> Iterator[str]:
    if len(options) > limits.options_max:
        yield f"{where}: {len(options)} options; Discord allows {limits.options_max}"
    names = [o.get("name") for o in options]
    for name in sorted({n for n in names if names.count(n) > 1}):
        yield f"{where}: two options are named {name!r}"
    seen_optional = False
    for option in options:
        name = option.get("name")
        here = f"{where} {name}"
        if not valid_name(name, limits):
            yield f"{here}: option name {name!r} is not 1-{limits.name_max} lower-case letters, digits, - or _"
        description = option.get("description") or ""
        if not limits.description_min <= len(description) <= limits.description_max:
            yield f"{here}: description of {len(description)} characters; Discord allows {limits.description_min}-{limits.description_max}"
        kind = option.get("type")
        if kind in (SUBCOMMAND, GROUP):
            children = option.get("options") or []
            if kind == GROUP and any(child.get("type") != SUBCOMMAND for child in children):
                yield f"{here}: a subcommand group may only hold subcommands"
            if kind == SUBCOMMAND and any(child.get("type") in (SUBCOMMAND, GROUP) for child in children):
                yield f"{here}: a subcommand cannot hold subcommands"
            yield from _check_options(here, children, limits)
            continue
        if option.get("required"):
            if seen_optional:
                yield f"{here}: a required option after an optional one"
        else:
            seen_optional = True
        choices = option.get("choices") or []
        if len(choices) > limits.choices_max:
            yield f"{here}: {len(choices)} choices; Discord allows {limits.choices_max}"
        if choices and option.get("autocomplete"):
            yield f"{here}: an option cannot have both choices and autocomplete"
        for choice in choices:
            if not 1 <= _length(choice.get("name")) <= limits.choice_name_max:
                yield f"{here}: choice name {choice.get('name')!r} is not 1-{limits.choice_name_max} characters"
            if kind == STRING and _length(choice.get("value")) > MAX_STRING_CHOICE_VALUE:
                yield f"{here}: choice value over {MAX_STRING_CHOICE_VALUE} characters"
        if kind in (INTEGER, NUMBER) and option.get("min_value") is not None and option.get("max_value") is not None:
            if option["min_value"] > option["max_value"]:
                yield f"{here}: min_value {option['min_value']} is above max_value {option['max_value']}"
        if kind == STRING:
            low, high = option.get("min_length"), option.get("max_length")
            if high is not None and not 1 <= high <= limits.string_length_max:
                yield f"{here}: max_length {high} is outside 1-{limits.string_length_max}"
            if low is not None and high is not None and low > high:
                yield f"{here}: min_length {low} is above max_length {high}"


def problems(payload: list[dict[str, Any]], limits: Limits = LIMITS) -> list[str]:
    """Every way ``payload`` (a list of command definitions) breaks Discord's rules."""
    found: list[str] = []
    chat = [c for c in payload if c.get("type", CHAT_INPUT) == CHAT_INPUT]
    if len(chat) > MAX_GLOBAL_COMMANDS:
        found.append(f"{len(chat)} slash commands; Discord allows {MAX_GLOBAL_COMMANDS}")
    names = [c.get("name") for c in chat]
    for name in sorted({n for n in names if names.count(n) > 1}):
        found.append(f"two commands are named {name!r}")
    for command in chat:
        name = command.get("name")
        where = f"/{name}"
        if not valid_name(name, limits):
            found.append(f"{where}: command name {name!r} is not 1-{limits.name_max} lower-case letters, digits, - or _")
        description = command.get("description") or ""
        if not limits.description_min <= len(description) <= limits.description_max:
            found.append(
                f"{where}: description of {len(description)} characters; Discord allows {limits.description_min}-{limits.description_max}"
            )
        found += _check_options(where, command.get("options") or [], limits)
        chars = command_chars(command)
        if chars > MAX_COMMAND_CHARS:
            found.append(f"{where}: {chars} characters in names, descriptions and choices; Discord allows {MAX_COMMAND_CHARS}")
    return found


def schema_errors(payload: list[dict[str, Any]]) -> list[str]:
    """Where ``payload`` does not fit Discord's request schema for creating a command."""
    assert SPEC is not None
    validator = jsonschema.Draft202012Validator(
        {"$ref": "#/components/schemas/ApplicationCommandCreateRequest", "components": SPEC["components"]}
    )
    errors = []
    for command in payload:
        body = dict(command)
        # discord.py sends the permission bit set as a string, which Discord accepts; the
        # schema describes the number.
        if isinstance(body.get("default_member_permissions"), str):
            body["default_member_permissions"] = int(body["default_member_permissions"])
        for error in validator.iter_errors(body):
            errors.append(f"/{command.get('name')}: {'/'.join(map(str, error.absolute_path))}: {error.message[:200]}")
    return errors


# -- the real tree -------------------------------------------------------------------------------
@pytest_asyncio.fixture
async def bot(start_bot: StartBot) -> Any:
    return await start_bot(*EXTENSIONS)


def payload_of(bot: Any) -> list[dict[str, Any]]:
    return [command.to_dict(bot.tree) for command in bot.tree.get_commands()]


@pytest.mark.asyncio
async def test_every_extension_loads_and_registers_its_commands(bot: Any) -> None:
    assert set(bot.extensions) == set(EXTENSIONS)
    names = {c["name"] for c in payload_of(bot)}
    assert {"ask", "mystery", "episode", "progress", "forget-me"} <= names
    if "bot.cogs.admin" in EXTENSIONS:
        assert "lore-admin" in names


@pytest.mark.asyncio
async def test_registered_commands_follow_discords_rules(bot: Any) -> None:
    assert problems(payload_of(bot)) == []


@pytest.mark.skipif(SPEC is None, reason=f"Discord's OpenAPI description is not at {SPEC_PATH}")
@pytest.mark.asyncio
async def test_registered_commands_fit_discords_request_schema(bot: Any) -> None:
    assert schema_errors(payload_of(bot)) == []


@pytest.mark.asyncio
async def test_episode_options_are_bounded_by_the_knowledge(bot: Any) -> None:
    episodes = bot.knowledge.lore.kb.series.episode_count
    by_name = {c["name"]: {o["name"]: o for o in c["options"]} for c in payload_of(bot) if c["name"] in
               ("ask", "mystery", "episode", "progress")}
    assert (by_name["ask"]["upto"]["min_value"], by_name["ask"]["upto"]["max_value"]) == (0, episodes)
    assert (by_name["mystery"]["upto"]["min_value"], by_name["mystery"]["upto"]["max_value"]) == (0, episodes)
    assert (by_name["episode"]["number"]["min_value"], by_name["episode"]["number"]["max_value"]) == (1, episodes)
    progress_set = {o["name"]: o for o in by_name["progress"]["set"]["options"]}
    assert (progress_set["episode"]["min_value"], progress_set["episode"]["max_value"]) == (0, episodes)
    assert by_name["ask"]["question"]["max_length"] == 300
    assert by_name["ask"]["question"]["autocomplete"] is True
    assert by_name["mystery"]["topic"]["autocomplete"] is True


@pytest.mark.asyncio
async def test_the_everyday_commands_look_as_documented(bot: Any) -> None:
    """docs/commands.md describes exactly these options."""
    shape: dict[str, list[tuple[str, int, bool]]] = {}
    for c in payload_of(bot):
        if c["name"] == "lore-admin" or c.get("type", CHAT_INPUT) != CHAT_INPUT:
            continue
        subcommands = [o for o in c["options"] if o["type"] == SUBCOMMAND]
        for command in subcommands or [c]:
            name = f"{c['name']} {command['name']}" if subcommands else c["name"]
            shape[name] = [(o["name"], o["type"], o["required"]) for o in command["options"]]
    assert shape == {
        "ask": [("question", STRING, True), ("upto", INTEGER, False), ("public", 5, False)],
        "mystery": [("topic", STRING, True), ("upto", INTEGER, False), ("public", 5, False)],
        "episode": [("number", INTEGER, True), ("public", 5, False)],
        "progress set": [("episode", INTEGER, True)],
        "progress show": [],
        "progress clear": [],
        "forget-me": [],
        "suggest": [("entry", STRING, True)],
    }
    docs = (Path(__file__).resolve().parent.parent / "docs" / "commands.md").read_text()
    for name in shape:
        assert f"`/{name}" in docs, name


MESSAGE_COMMAND = 3


@pytest.mark.asyncio
async def test_the_message_context_menu_looks_as_documented(bot: Any) -> None:
    """ "Answer with lore" (Apps on any message): a message command, no description, no options."""
    menus = [c for c in payload_of(bot) if c.get("type") == MESSAGE_COMMAND]
    assert [(c["name"], c.get("description", ""), c.get("options", [])) for c in menus] == [("Answer with lore", "", [])]
    docs = (Path(__file__).resolve().parent.parent / "docs" / "commands.md").read_text()
    assert "### \"Answer with lore\"" in docs


# -- the checker catches what Discord refuses ----------------------------------------------------
def _good() -> dict[str, Any]:
    return {
        "name": "ask",
        "description": "Ask a question",
        "type": 1,
        "options": [
            {"type": STRING, "name": "question", "description": "The question", "required": True},
            {"type": INTEGER, "name": "upto", "description": "Episode", "required": False, "min_value": 0, "max_value": 13},
        ],
    }


def _broken(change: Any) -> list[dict[str, Any]]:
    command = _good()
    change(command)
    return [command]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda c: c.update(name="Ask"), "/Ask: command name 'Ask' is not 1-32"),
        (lambda c: c.update(name="ask me"), "command name 'ask me' is not"),
        (lambda c: c.update(name="a" * 33), "is not 1-32"),
        (lambda c: c.update(name=""), "command name '' is not"),
        (lambda c: c.update(description=""), "/ask: description of 0 characters"),
        (lambda c: c.update(description="x" * 101), "/ask: description of 101 characters; Discord allows 1-100"),
        (lambda c: c["options"].append(dict(c["options"][1])), "/ask: two options are named 'upto'"),
        (lambda c: c["options"][0].update(name="Question"), "option name 'Question' is not"),
        (lambda c: c["options"][1].update(description="y" * 101), "/ask upto: description of 101 characters"),
        (lambda c: c["options"].extend(
            {"type": 5, "name": f"o{n}", "description": "d", "required": False} for n in range(24)
        ), "/ask: 26 options; Discord allows 25"),
        (lambda c: c["options"][1].update(choices=[{"name": str(n), "value": n} for n in range(26)]),
         "/ask upto: 26 choices; Discord allows 25"),
        (lambda c: c["options"][0].update(autocomplete=True, choices=[{"name": "a", "value": "a"}]),
         "cannot have both choices and autocomplete"),
        (lambda c: c["options"][0].update(choices=[{"name": "n" * 101, "value": "a"}]), "is not 1-100 characters"),
        (lambda c: c["options"][0].update(choices=[{"name": "long", "value": "v" * 101}]), "choice value over 100"),
        (lambda c: c["options"].reverse(), "/ask question: a required option after an optional one"),
        (lambda c: c["options"][1].update(min_value=14), "min_value 14 is above max_value 13"),
        (lambda c: c["options"][0].update(max_length=6001), "max_length 6001 is outside"),
        (lambda c: c.update(options=[
            {"type": SUBCOMMAND, "name": f"s{n}", "description": "d" * 100,
             "options": [{"type": STRING, "name": f"o{m}", "description": "d" * 100} for m in range(20)]}
            for n in range(2)
        ]), "characters in names, descriptions and choices; Discord allows 4000"),
    ],
)
def test_checker_refuses_what_discord_refuses(change: Any, expected: str) -> None:
    assert problems([_good()]) == []
    found = problems(_broken(change))
    assert any(expected in problem for problem in found), found


def test_checker_refuses_two_commands_with_one_name() -> None:
    assert problems([_good(), _good()]) == ["two commands are named 'ask'"]


def test_checker_accepts_unicode_letters_and_digits() -> None:
    assert valid_name("épisode-2_版")
    assert not valid_name("épisode!")
    assert not valid_name("Épisode")


@pytest.mark.skipif(SPEC is None, reason=f"Discord's OpenAPI description is not at {SPEC_PATH}")
def test_limits_come_from_discords_description() -> None:
    assert limits_from_spec(SPEC) == Limits()  # type: ignore[arg-type]
    assert schema_errors([_good()]) == []
    bad = _good()
    bad["options"][0]["description"] = "x" * 101
    assert schema_errors([bad])
