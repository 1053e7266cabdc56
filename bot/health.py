"""The container health check: a heartbeat file the running bot refreshes while it is connected.

The bot (``bot.cogs.health``) rewrites ``HEALTH_FILE`` every :data:`HEARTBEAT_INTERVAL` seconds while
it is logged in and every shard's gateway is open, and deletes it when a shard disconnects or the bot
shuts down. ``python -m bot health`` (the Docker ``HEALTHCHECK``) passes only while that file is
younger than ``--max-age``: a missing file means "not connected", a stale one means "stuck".

A file rather than an HTTP endpoint: nothing to bind, no port to publish, and it works the same under
Docker, systemd or a plain shell. Plain Python, no discord import, so the check starts fast.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

#: seconds between two heartbeats of a healthy bot
HEARTBEAT_INTERVAL = 20.0
#: a heartbeat older than this fails the check (three missed beats)
DEFAULT_MAX_AGE = 60.0


@dataclass(frozen=True, slots=True)
class HealthStatus:
    ok: bool
    #: one line for a person (or ``docker inspect``): why it passed or failed
    reason: str


def check(path: str | Path | None, max_age: float = DEFAULT_MAX_AGE, *, now: float | None = None) -> HealthStatus:
    """Is the heartbeat at ``path`` younger than ``max_age`` seconds?"""
    if path is None or not str(path).strip():
        return HealthStatus(
            False,
            "unhealthy: HEALTH_FILE is not set, so the bot writes no heartbeat "
            "(set HEALTH_FILE for both the bot and the check; the Docker image uses /tmp/lore-bot.health)",
        )
    path = Path(path)
    try:
        modified = path.stat().st_mtime
    except FileNotFoundError:
        return HealthStatus(False, f"unhealthy: no heartbeat at {path} (the bot is not connected to Discord, or not running)")
    except OSError as error:
        return HealthStatus(False, f"unhealthy: cannot read the heartbeat {path}: {error.strerror or error}")
    age = max(0.0, (time.time() if now is None else now) - modified)
    if age > max_age:
        return HealthStatus(
            False,
            f"unhealthy: the heartbeat at {path} is {age:.0f}s old, more than {max_age:g}s "
            "(the bot is stuck or has stopped)",
        )
    return HealthStatus(True, f"healthy: heartbeat {age:.0f}s old{_describe(path)}")


def _describe(path: Path) -> str:
    """What the bot wrote into the heartbeat (shards, servers), if readable; never fails the check."""
    try:
        details = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    if not isinstance(details, dict):
        return ""
    parts = []
    shards = details.get("shards")
    if isinstance(shards, list):
        parts.append(f"{len(shards)} shard{'s' if len(shards) != 1 else ''} connected")
    guilds = details.get("guilds")
    if isinstance(guilds, int):
        parts.append(f"{guilds} server{'s' if guilds != 1 else ''}")
    return f" ({', '.join(parts)})" if parts else ""


def write_heartbeat(path: str | Path, details: Mapping[str, Any]) -> None:
    """Replace the heartbeat atomically (temporary file + rename): the check never reads half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"time": time.time(), "pid": os.getpid(), **details}, handle)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def clear_heartbeat(path: str | Path) -> None:
    """Remove the heartbeat so the check fails at once (disconnected, shutting down, starting up)."""
    try:
        Path(path).unlink()
    except FileNotFoundError:
        pass


def seconds(value: str) -> float:
    """argparse type for ``--max-age``: a positive number of seconds."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a number of seconds") from None
    if not number > 0 or number == float("inf"):
        raise argparse.ArgumentTypeError("--max-age must be a positive number of seconds")
    return number


def main(path: str | None, max_age: float | None, out: TextIO, err: TextIO) -> int:
    """``python -m bot health``: one line; exit 0 when healthy, 1 otherwise (Docker reserves 2)."""
    if path is None:
        path = os.environ.get("HEALTH_FILE")
    status = check(path, DEFAULT_MAX_AGE if max_age is None else max_age)
    print(status.reason, file=out if status.ok else err)
    return 0 if status.ok else 1
