"""Configuration from environment variables, checked up front with plain-words errors."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(Exception):
    """One or more settings are wrong; the message lists each with what to do."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class Config:
    token: str = field(repr=False)  # never printed, never logged
    knowledge_dir: Path = Path("knowledge")
    data_dir: Path = Path("data")
    api_base: str | None = None
    dev_guild_id: int | None = None
    log_level: str = "INFO"
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None
    #: a file the bot touches while connected, for container health checks
    health_file: Path | None = None
    #: the server whose moderators maintain the knowledge every server sees (bot.governance)
    home_guild_id: int | None = None
    #: users who maintain the knowledge from any server they moderate (bot.governance)
    maintainer_ids: frozenset[int] = frozenset()
    #: where the lore site (``python -m bot site``) is hosted; answers then link to it
    site_url: str | None = None

    @property
    def database_path(self) -> Path:
        return self.data_dir / "lore.sqlite3"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Config:
        env = os.environ if environ is None else environ
        problems: list[str] = []

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        token = get("DISCORD_TOKEN")
        if token is None:
            problems.append(
                "DISCORD_TOKEN is not set: create a bot in the Discord developer portal and put its token "
                "in DISCORD_TOKEN (see README, 'Run it on Discord')"
            )
        else:
            if token.lower().startswith("bot "):
                token = token[4:].strip()
            if any(ch.isspace() or not ch.isprintable() for ch in token):
                problems.append(
                    "DISCORD_TOKEN contains a line break, a space or another invisible character: copy the token "
                    "again from the developer portal and put it on one line, with nothing around it"
                )

        def integer(name: str, *, minimum: int = 0) -> int | None:
            raw = get(name)
            if raw is None:
                return None
            try:
                value = int(raw)
            except ValueError:
                problems.append(f"{name} must be a whole number, not {raw!r}")
                return None
            if value < minimum:
                problems.append(f"{name} must be at least {minimum}, not {value}")
                return None
            return value

        def http_url(name: str, example: str) -> str | None:
            raw = get(name)
            if raw is None:
                return None
            parsed = urlparse(raw)
            if parsed.scheme not in ("http", "https") or not parsed.netloc:
                problems.append(f"{name} must be an http(s) URL such as {example}, not {raw!r}")
                return None
            return raw.rstrip("/")

        api_base = http_url("DISCORD_API_BASE", "https://discord.com/api/v10")

        log_level = (get("LOG_LEVEL") or "INFO").upper()
        if log_level not in LOG_LEVELS:
            problems.append(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {log_level!r}")
            log_level = "INFO"

        shard_count = integer("SHARD_COUNT", minimum=1)
        shard_ids: tuple[int, ...] | None = None
        raw_ids = get("SHARD_IDS")
        if raw_ids is not None:
            try:
                shard_ids = tuple(int(part) for part in raw_ids.replace(" ", "").split(",") if part)
            except ValueError:
                problems.append(f"SHARD_IDS must be shard numbers separated by commas, such as 0,1, not {raw_ids!r}")
            else:
                if shard_count is None:
                    problems.append("SHARD_IDS needs SHARD_COUNT too (the total number of shards)")
                elif any(not 0 <= shard < shard_count for shard in shard_ids) or not shard_ids:
                    problems.append(f"SHARD_IDS must be numbers from 0 to {shard_count - 1}, not {raw_ids!r}")
                elif len(set(shard_ids)) != len(shard_ids):
                    twice = sorted({shard for shard in shard_ids if shard_ids.count(shard) > 1})
                    problems.append(
                        f"SHARD_IDS lists shard {', '.join(map(str, twice))} more than once ({raw_ids!r}): "
                        "each shard must run in exactly one session"
                    )

        maintainer_ids: frozenset[int] = frozenset()
        raw_maintainers = get("MAINTAINER_IDS")
        if raw_maintainers is not None:
            parts = [part.strip() for part in raw_maintainers.split(",") if part.strip()]
            wrong = [part for part in parts if not _is_snowflake(part)]
            if wrong or not parts:
                problems.append(
                    "MAINTAINER_IDS must be Discord user ids separated by commas, such as "
                    f"123456789012345678,234567890123456789; {(wrong or [raw_maintainers])[0]!r} is not one"
                )
            else:
                maintainer_ids = frozenset(int(part) for part in parts)

        health = get("HEALTH_FILE")
        config = cls(
            token=token or "",
            knowledge_dir=Path(get("KNOWLEDGE_DIR") or "knowledge"),
            data_dir=Path(get("DATA_DIR") or "data"),
            api_base=api_base,
            dev_guild_id=integer("DEV_GUILD_ID", minimum=1),
            log_level=log_level,
            shard_count=shard_count,
            shard_ids=shard_ids,
            health_file=Path(health) if health else None,
            home_guild_id=integer("HOME_GUILD_ID", minimum=1),
            maintainer_ids=maintainer_ids,
            site_url=http_url("SITE_URL", "https://lore.example.org/"),
        )
        if problems:
            raise ConfigError(problems)
        return config

    def logging_level(self) -> int:
        return getattr(logging, self.log_level)


def _is_snowflake(text: str) -> bool:
    """A Discord id: digits only, not zero."""
    return text.isascii() and text.isdigit() and int(text) > 0
