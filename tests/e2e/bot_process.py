"""Run the real bot (``python -m bot run``, unmodified) as a subprocess against :class:`FakeDiscord`.

The bot gets a copy of the real ``knowledge/`` folder and an empty data folder under a temporary
directory, so a test may edit the knowledge or break the database without touching the tree. Its
stdout (one JSON log record a line) and stderr are collected while it runs. Every wait is bounded,
and :func:`running_bot` always stops the process (SIGTERM, then SIGKILL) when the block ends.

Typical use::

    async with FakeDiscord(heartbeat_interval=2000) as fake:
        async with running_bot(fake, tmp_path) as bot:      # waits until commands are synced
            rec = await fake.send_slash_command("mystery", {"topic": "mother"})
            body = await rec.response(timeout=5)
        assert bot.returncode == 0
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import os
import re
import shutil
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from typing import Any

from .fake_discord import FakeDiscord, FakeGuild

ROOT = Path(__file__).resolve().parents[2]
REAL_KNOWLEDGE = ROOT / "knowledge"

#: Upper bound for the bot to start, log in and sync its commands (it takes about a second).
STARTUP_TIMEOUT = 30.0
#: Upper bound for a graceful stop after SIGTERM, before SIGKILL.
STOP_TIMEOUT = 10.0

#: The commands the bot registers: name -> subcommand names (empty for a plain command or a
#: context menu such as "Answer with lore").
EXPECTED_COMMANDS: dict[str, set[str]] = {
    "ask": set(),
    "mystery": set(),
    "episode": set(),
    "progress": {"set", "show", "clear"},
    "forget-me": set(),
    "lore-admin": {
        "reload", "check", "stats", "horizon", "modlog", "modrole", "unanswered", "teach", "history",
        "entry", "reveal", "undo", "mentions",
    },
    "suggest": set(),
    "Answer with lore": set(),
}

# Bot processes not stopped yet; killed at the end of the session or of the interpreter at the latest.
_LIVE: dict[int, asyncio.subprocess.Process] = {}

#: Figures for the terminal summary (see :func:`report` and conftest.py).
REPORT_LINES: list[str] = []


def report(line: str) -> None:
    """Print ``line`` now (seen with ``pytest -s``) and again in the run's terminal summary."""
    print(line)
    REPORT_LINES.append(line)


@atexit.register
def kill_leftovers() -> None:
    """SIGKILL every bot process a test failed to stop (normally there is none)."""
    for pid in list(_LIVE):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        _LIVE.pop(pid, None)


def clean_environment() -> dict[str, str]:
    """Only what a process needs to run: nothing from the developer's shell leaks into the bot."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR", "VIRTUAL_ENV")
    return {k: v for k, v in os.environ.items() if k in keep}


class BotProcess:
    """One ``python -m bot run`` subprocess and what it logged.

    ``workdir`` holds ``knowledge/`` (a copy of ``knowledge``, unless it is None or the folder is
    already there), ``data/`` and the heartbeat file; the bot runs with it as working directory,
    so the paths it reports (``knowledge/mysteries.yaml:25: ...``) are short and predictable.
    ``dev_guild``: the guild the commands are synced to (DEV_GUILD_ID; True: the fake's default
    guild), or None to sync them globally. ``env`` adds or overrides environment variables.
    """

    def __init__(
        self,
        fake: FakeDiscord,
        workdir: Path,
        *,
        knowledge: Path | None = REAL_KNOWLEDGE,
        dev_guild: FakeGuild | None | bool = True,
        env: dict[str, str] | None = None,
    ) -> None:
        self.fake = fake
        self.workdir = workdir
        self.knowledge_dir = workdir / "knowledge"
        self.data_dir = workdir / "data"
        self.health_file = workdir / "lore-bot.health"
        workdir.mkdir(parents=True, exist_ok=True)
        if knowledge is not None and not self.knowledge_dir.exists():
            shutil.copytree(knowledge, self.knowledge_dir)
        self.data_dir.mkdir(exist_ok=True)
        if dev_guild is True:
            dev_guild = fake.guild
        #: where the commands are registered: a guild (DEV_GUILD_ID) or None (global)
        self.command_guild: FakeGuild | None = dev_guild or None
        self.env = {
            **clean_environment(),
            "DISCORD_TOKEN": fake.token,
            "DISCORD_API_BASE": fake.api_base,
            "KNOWLEDGE_DIR": str(self.knowledge_dir),
            "DATA_DIR": str(self.data_dir),
            "HEALTH_FILE": str(self.health_file),
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            # the repository first, so the bot under test is this tree's even without `pip install -e`
            "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
        }
        if self.command_guild is not None:
            self.env["DEV_GUILD_ID"] = self.command_guild.id
        self.env.update(env or {})
        self.process: asyncio.subprocess.Process | None = None
        self.stdout_lines: list[str] = []
        self.stderr_lines: list[str] = []
        self._readers: list[asyncio.Task[None]] = []

    # -- lifecycle -----------------------------------------------------------------------------
    async def start(self, *, wait: bool = True, timeout: float = STARTUP_TIMEOUT) -> BotProcess:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run",
            cwd=self.workdir, env=self.env,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        _LIVE[self.process.pid] = self.process
        assert self.process.stdout is not None and self.process.stderr is not None
        self._readers = [
            asyncio.create_task(self._read(self.process.stdout, self.stdout_lines)),
            asyncio.create_task(self._read(self.process.stderr, self.stderr_lines)),
        ]
        if wait:
            await self.wait_until_serving(timeout)
        return self

    @staticmethod
    async def _read(stream: asyncio.StreamReader, into: list[str]) -> None:
        while True:
            line = await stream.readline()
            if not line:
                return
            into.append(line.decode("utf-8", "replace").rstrip("\n"))

    @property
    def returncode(self) -> int | None:
        return None if self.process is None else self.process.returncode

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def wait_until_serving(self, timeout: float = STARTUP_TIMEOUT) -> None:
        """Until the commands are registered and the bot is ready on the gateway (its heartbeat
        file exists: the health cog writes it on shard ready)."""
        count = len(EXPECTED_COMMANDS)
        await self.wait_for(
            lambda: len(self.fake.commands(self.command_guild)) >= count
            and self.fake.gateway_ready and self.health_file.exists(),
            timeout, "the bot to sync its commands and become ready",
        )

    async def stop(self, timeout: float = STOP_TIMEOUT) -> int | None:
        """SIGTERM (what Docker and systemd send), SIGKILL if it does not end within ``timeout``."""
        process = self.process
        if process is None:
            return None
        try:
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(process.wait(), timeout)
                except asyncio.TimeoutError:
                    with contextlib.suppress(ProcessLookupError):
                        process.kill()
                    await asyncio.wait_for(process.wait(), 5.0)
        finally:
            if process.returncode is None:  # cancelled mid-stop: never leave it running
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
            _LIVE.pop(process.pid, None)
            if self._readers:
                await asyncio.wait(self._readers, timeout=5.0)
                for task in self._readers:
                    task.cancel()
        return process.returncode

    # -- logs ------------------------------------------------------------------------------------
    @property
    def records(self) -> list[dict[str, Any]]:
        """The JSON log records (lines that are not JSON are skipped; see :attr:`stdout_lines`)."""
        out = []
        for line in list(self.stdout_lines):
            with contextlib.suppress(ValueError):
                record = json.loads(line)
                if isinstance(record, dict):
                    out.append(record)
        return out

    @property
    def messages(self) -> list[str]:
        return [str(r.get("message", "")) for r in self.records]

    def errors(self, ignore: Iterable[str] = ()) -> list[dict[str, Any]]:
        """Log records at error level or above, except those whose message contains an ``ignore`` text."""
        skip = tuple(ignore)
        return [
            r for r in self.records
            if r.get("level") in ("error", "critical") and not any(s in str(r.get("message")) for s in skip)
        ]

    def find(self, text: str) -> list[dict[str, Any]]:
        return [r for r in self.records if text in str(r.get("message", ""))]

    def describe(self, tail: int = 40) -> str:
        """The end of both outputs, for an assertion message."""
        out = "\n".join(self.stdout_lines[-tail:])
        err = "\n".join(self.stderr_lines[-tail:])
        return f"exit={self.returncode}\n--- bot stdout (last {tail}) ---\n{out}\n--- bot stderr ---\n{err}"

    async def wait_for_log(self, text: str, timeout: float = 10.0, *, after: int = 0) -> dict[str, Any]:
        """The first log record from index ``after`` on whose message contains ``text``."""
        def found() -> dict[str, Any] | None:
            for record in self.records[after:]:
                if text in str(record.get("message", "")):
                    return record
            return None

        return await self.wait_for(found, timeout, f"a log line containing {text!r}")

    async def wait_for(self, predicate: Callable[[], Any], timeout: float, what: str) -> Any:
        """Poll ``predicate`` (bounded by ``timeout``); fail early, with the logs, if the bot exits."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if self.process is not None and self.process.returncode is not None:
                await asyncio.sleep(0.1)  # let the readers catch the last lines
                raise AssertionError(f"the bot exited while waiting for {what}\n{self.describe()}")
            if time.monotonic() >= deadline:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{self.describe()}")
            await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def running_bot(
    fake: FakeDiscord, workdir: Path, *, wait: bool = True, **kwargs: Any
) -> AsyncIterator[BotProcess]:
    """Start the bot, yield it, and always stop it (SIGTERM, then SIGKILL) afterwards."""
    bot = BotProcess(fake, workdir, **kwargs)
    try:
        await bot.start(wait=wait)
        yield bot
    finally:
        await bot.stop()


def new_member(fake: FakeDiscord, name: str, guild: FakeGuild | None = None, roles: Iterable[Any] = ()) -> dict:
    """A fresh user who is a member of ``guild`` (default: the fake's guild). Fresh users keep
    tests apart: the bot's per-user cooldown and saved progress belong to one user."""
    user = fake.create_user(name)
    (guild or fake.guild).add_member(user, list(roles))  # type: ignore[union-attr]
    return user


# -- reading what the bot answered ---------------------------------------------------------------
EPHEMERAL = 1 << 6
#: Generous bound for one answer: the fake itself refuses a callback later than 3 s.
ANSWER_TIMEOUT = 5.0


def assert_no_pings(data: dict) -> None:
    """The message was sent with mentions switched off: it can ping nobody, whatever it says."""
    allowed = data.get("allowed_mentions")
    assert isinstance(allowed, dict), f"no allowed_mentions in {data!r}"
    assert allowed.get("parse") == [], allowed
    assert not allowed.get("users") and not allowed.get("roles") and not allowed.get("replied_user"), allowed


async def reply(rec: Any, timeout: float = ANSWER_TIMEOUT) -> dict:
    """The message an interaction was answered with (callback type 4), checked to ping nobody."""
    body = await rec.response(timeout=timeout)
    assert body["type"] == 4, f"expected a message reply (4), got callback {body!r}"
    data = body["data"]
    assert_no_pings(data)
    return data


async def deferred_reply(rec: Any, timeout: float = ANSWER_TIMEOUT) -> dict:
    """The message a deferred interaction (callback type 5, "thinking") was answered with: its
    first follow-up, as the fake made it. The callback itself must come within Discord's 3 s."""
    body = await rec.response(timeout=timeout)
    assert body["type"] == 5, f"expected a deferred reply (5), got callback {body!r}"
    [message, *_] = await rec.wait_followups(1, timeout=timeout)
    assert message["mentions"] == [] and message["mention_everyone"] is False, message
    return message


#: the episode named beside a reveal: "(ep 5)", "(production info)", "(ep 7, unconfirmed)"
EPISODE_TAG = re.compile(r"\((?:ep (\d+)|production info)(?:, unconfirmed)?\)")


def episodes_shown(text: str) -> list[int]:
    """The episode numbers named beside reveals, e.g. ``(ep 5)``; production info counts as 0."""
    return [int(m.group(1) or 0) for m in EPISODE_TAG.finditer(text)]


def is_ephemeral(data: dict) -> bool:
    return bool(int(data.get("flags") or 0) & EPHEMERAL)


def buttons(message: dict) -> list[dict]:
    """The buttons of a message, in order."""
    found = []
    for row in message.get("components") or []:
        for item in row.get("components") or []:
            if item.get("type") == 2:
                found.append(item)
    return found
