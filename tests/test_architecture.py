"""The core stays plain Python, and the shipped JSON Schemas agree with the loader."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DISCORD_LAYER = {"app.py", "cogs"}


def core_modules() -> list[Path]:
    return [
        path
        for path in (ROOT / "bot").rglob("*.py")
        if path.relative_to(ROOT / "bot").parts[0] not in DISCORD_LAYER
    ]


@pytest.mark.parametrize("path", core_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_core_module_does_not_import_discord(path: Path) -> None:
    tree = ast.parse(path.read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module.split(".")[0])
            if node.module == "bot":
                imported |= {f"bot.{alias.name}" for alias in node.names}
    assert "discord" not in imported
    assert not any(name.startswith(("bot.app", "bot.cogs")) for name in imported if name.startswith("bot."))


def _schema(name: str) -> dict:
    return json.loads((ROOT / "knowledge" / "schema" / name).read_text())


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.yaml"))


@pytest.mark.parametrize("folder", [ROOT / "knowledge", ROOT / "tests" / "data" / "mini"], ids=["knowledge", "mini"])
def test_valid_files_pass_the_editor_schema(folder: Path) -> None:
    files = _yaml_files(folder)
    assert files
    for path in files:
        data = yaml.safe_load(path.read_text())
        schema = _schema("series.schema.json" if "series" in data else "entries.schema.json")
        jsonschema.validate(data, schema)


def test_shipped_files_reference_their_schema() -> None:
    for path in _yaml_files(ROOT / "knowledge"):
        first = path.read_text().splitlines()[0]
        assert re.fullmatch(r"# yaml-language-server: \$schema=schema/(series|entries)\.schema\.json", first), path


@pytest.mark.parametrize("name", ["wrong_types.yaml", "unknown_key.yaml", "episode_out_of_range.yaml"])
def test_editor_schema_flags_broken_files_while_typing(name: str) -> None:
    data = yaml.safe_load((ROOT / "tests" / "data" / "broken" / name).read_text())
    validator = jsonschema.Draft202012Validator(_schema("entries.schema.json"))
    assert list(validator.iter_errors(data))


def test_cross_file_rules_are_left_to_the_loader() -> None:
    """A mystery key used twice spans files: the schema accepts the file, the loader refuses it."""
    data = yaml.safe_load((ROOT / "tests" / "data" / "broken" / "mystery_clash.yaml").read_text())
    jsonschema.validate(data, _schema("entries.schema.json"))
