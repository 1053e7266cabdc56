"""Proof that FakeDiscord works with a plain discord.py ``commands.Bot`` (defined here, not the project's).

Each test starts a fresh fake on 127.0.0.1 and, where needed, a bot whose HTTP client points at it
(``discord.http.Route.BASE``) and whose gateway URL comes from ``GET /gateway/bot`` (discord.py's
plain Client ignores that endpoint, so the bot patches ``DiscordWebSocket.DEFAULT_GATEWAY`` - the
same thing the real bot must do). A trace on the bot's aiohttp session refuses anything that would
leave loopback and records every URL, which the harness compares with what the fake received.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import time
from typing import Any, AsyncIterator, Awaitable, Callable, List, Optional

import aiohttp
import discord
import pytest
import yarl
from discord import app_commands
from discord.ext import commands
from discord.gateway import DiscordWebSocket

from .fake_discord import FakeDiscord, Permissions, default_spec_path, loopback_guard_trace

pytestmark = [pytest.mark.timeout(30)]

STEP = 8.0  # upper bound for any single wait in these tests
SPEC = default_spec_path()


class Harness:
    def __init__(self, fake: FakeDiscord, bot: commands.Bot, urls: List[str]) -> None:
        self.fake = fake
        self.bot = bot
        self.urls = urls
        self.ready = asyncio.Event()
        self.resumed = 0
        self.errors: List[BaseException] = []


@contextlib.asynccontextmanager
async def running_bot(fake: FakeDiscord, setup: Optional[Callable[[commands.Bot], Awaitable[None]]] = None, *,
                      intents: Optional[discord.Intents] = None) -> AsyncIterator[Harness]:
    """Start a commands.Bot against ``fake`` and stop it (and restore discord.py's globals) after."""
    saved_base = discord.http.Route.BASE
    saved_gateway = DiscordWebSocket.DEFAULT_GATEWAY
    urls: List[str] = []

    class Bot(commands.Bot):
        async def setup_hook(self) -> None:
            # What the real bot must do: the gateway URL from /gateway/bot becomes the default, so
            # that a fresh IDENTIFY (also after INVALID_SESSION) never goes to gateway.discord.gg.
            _, url, _ = await self.http.get_bot_gateway()
            DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
            if setup is not None:
                await setup(self)

        async def before_identify_hook(self, shard_id: Optional[int], *, initial: bool = False) -> None:
            # discord.py sleeps 5 s before every re-IDENTIFY (identify rate limit); not needed here.
            return None

    discord.http.Route.BASE = fake.api_base
    bot = Bot(command_prefix=commands.when_mentioned, intents=intents or discord.Intents.default(),
              http_trace=loopback_guard_trace(urls), guild_ready_timeout=0.1)
    h = Harness(fake, bot, urls)

    async def on_ready() -> None:
        h.ready.set()

    async def on_resumed() -> None:
        h.resumed += 1

    async def on_app_command_error(interaction: discord.Interaction, error: Exception) -> None:
        h.errors.append(error)

    bot.add_listener(on_ready)
    bot.add_listener(on_resumed)
    bot.tree.on_error = on_app_command_error  # type: ignore[assignment]
    task = asyncio.create_task(bot.start(fake.token))
    try:
        waiter = asyncio.create_task(h.ready.wait())
        done, _ = await asyncio.wait({waiter, task}, timeout=STEP, return_when=asyncio.FIRST_COMPLETED)
        if waiter not in done:
            waiter.cancel()
            if task in done:
                task.result()  # raise what made the bot stop
            raise AssertionError("the bot did not become ready in time")
        yield h
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(bot.close(), STEP)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, STEP)
        if not task.done():
            task.cancel()
        discord.http.Route.BASE = saved_base
        DiscordWebSocket.DEFAULT_GATEWAY = saved_gateway
    # Nothing left loopback, and every HTTP request the bot made reached the fake.
    assert urls, "the trace saw no requests"
    for url in urls:
        u = yarl.URL(url)
        assert u.host == "127.0.0.1" and u.port == fake.port, url
    bot_rest = collections.Counter(yarl.URL(u).path_qs for u in urls if u.startswith("http"))
    received = collections.Counter(r.path for r in fake.requests)
    missing = bot_rest - received
    assert not missing, f"requests the fake never saw: {missing}"
    if SPEC is not None:  # what discord.py sent and what the fake answered fit Discord's OpenAPI description
        fake.assert_openapi_conformance(SPEC)


def guild_obj(fake: FakeDiscord) -> discord.Object:
    assert fake.guild is not None
    return discord.Object(int(fake.guild.id))


async def raw(fake: FakeDiscord, method: str, path: str, *, json: Any = None, auth: bool = True,
              params: Optional[dict] = None) -> tuple[int, Any, aiohttp.ClientResponse]:
    headers = {"Authorization": f"Bot {fake.token}"} if auth else {}
    async with aiohttp.ClientSession() as s:
        async with s.request(method, fake.api_base + path, json=json, headers=headers, params=params,
                             timeout=aiohttp.ClientTimeout(total=STEP)) as r:
            body = await r.json() if r.headers.get("Content-Type") == "application/json" else await r.text()
            return r.status, body, r


# --------------------------------------------------------------------------------------------------
# REST without a bot


@pytest.mark.asyncio
async def test_rest_basics_content_type_auth_and_unknown_routes() -> None:
    async with FakeDiscord() as fake:
        status, body, r = await raw(fake, "GET", "/users/@me")
        assert status == 200 and body["id"] == fake.application_id and body["bot"] is True
        assert r.headers["Content-Type"] == "application/json"  # exactly; discord.py parses only this

        status, body, r = await raw(fake, "GET", "/users/@me", auth=False)
        assert (status, body) == (401, {"message": "401: Unauthorized", "code": 0})
        assert r.headers["Content-Type"] == "application/json"

        status, body, _ = await raw(fake, "GET", "/gateway/bot")
        assert status == 200 and body["url"] == fake.gateway_url and body["shards"] == 1
        assert set(body["session_start_limit"]) == {"total", "remaining", "reset_after", "max_concurrency"}

        status, body, _ = await raw(fake, "GET", "/oauth2/applications/@me")
        assert status == 200 and body["id"] == fake.application_id and body["interactions_endpoint_url"] is None

        status, body, _ = await raw(fake, "GET", "/guilds/1/bans")
        assert status == 404 and body["message"] == "404: Not Found"

        kinds = [v.kind for v in fake.take_violations()]
        assert kinds == ["unauthorized", "unknown_route"]
        fake.assert_no_violations()


# --------------------------------------------------------------------------------------------------
# login, READY, GUILD_CREATE


@pytest.mark.asyncio
async def test_login_ready_and_guild_create() -> None:
    intents = discord.Intents.default()
    intents.members = True  # privileged: GUILD_CREATE then lists every member
    async with FakeDiscord(heartbeat_interval=1000) as fake:
        async with running_bot(fake, intents=intents) as h:
            bot = h.bot
            assert bot.user is not None and str(bot.user.id) == fake.application_id
            assert bot.application_id == int(fake.application_id)
            guild = bot.get_guild(int(fake.guild.id))
            assert guild is not None and guild.name == "Test Guild"
            assert {c.name for c in guild.text_channels} == {"general", "mod-log"}
            assert {"@everyone", "Moderator", "LoreBot"} <= {r.name for r in guild.roles}
            assert guild.member_count == 4 and guild.me is not None
            assert guild.get_member(int(fake.moderator["id"])).guild_permissions.manage_guild

            assert fake.identify_count == 1 and fake.resume_count == 0 and fake.connection_count == 1
            conn = fake.current_connection
            assert conn is not None and conn.compression == "zlib-stream"  # discord.py asked for it
            assert conn.query["v"] == "10" and conn.query["encoding"] == "json"
            assert fake.identify_payloads[0]["intents"] == intents.value

            await fake.wait_for(lambda: fake.heartbeat_count >= 2, timeout=STEP, what="two heartbeats")
            assert bot.latency != float("inf")  # (its value races with the heartbeat thread)

            paths = [r.route for r in fake.requests]
            assert paths[:3] == ["/users/@me", "/oauth2/applications/@me", "/gateway/bot"]
            assert all(r.status == 200 for r in fake.requests)
        fake.assert_no_violations()
        assert not fake.gateway_ready  # the bot closed with 1000: the session is gone


@pytest.mark.asyncio
async def test_plain_text_frames_are_accepted() -> None:
    async with FakeDiscord(heartbeat_interval=1000, gateway_compression=False) as fake:
        async with running_bot(fake) as h:
            guild = h.bot.get_guild(int(fake.guild.id))
            assert guild is not None and guild.member_count == 4
            assert [m.id for m in guild.members] == [h.bot.user.id]  # no members intent: only the bot
            assert fake.current_connection.compression is None
        fake.assert_no_violations()


# --------------------------------------------------------------------------------------------------
# application commands


async def setup_commands(bot: commands.Bot) -> None:
    fake_guild = discord.Object(int(bot._fake_guild_id))  # type: ignore[attr-defined]

    @app_commands.command(name="ping", description="Answer with pong")
    @app_commands.describe(text="what to echo")
    async def ping(interaction: discord.Interaction, text: str) -> None:
        await interaction.response.send_message(f"pong: {text}")
        msg = await interaction.original_response()
        await interaction.followup.send(f"follow-up to {msg.id}", ephemeral=True)
        await interaction.edit_original_response(content=f"pong: {text} (edited)")

    @app_commands.command(name="slow", description="Defer, then follow up")
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await asyncio.sleep(0.2)
        await interaction.followup.send("done thinking")

    @app_commands.command(name="lore", description="Ask about the lore")
    async def lore(interaction: discord.Interaction, question: str) -> None:
        await interaction.response.send_message(f"answer to {question}")

    @lore.autocomplete("question")
    async def lore_auto(interaction: discord.Interaction, current: str) -> List[app_commands.Choice[str]]:
        items = ["rouge", "rouge's past", "naomi", "jill"]
        return [app_commands.Choice(name=i, value=i) for i in items if i.startswith(current)]

    class More(discord.ui.View):
        @discord.ui.button(label="More", custom_id="more", style=discord.ButtonStyle.primary)
        async def more(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
            await interaction.response.edit_message(content="expanded", view=None)

    @app_commands.command(name="menu", description="A message with a button")
    async def menu(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("collapsed", view=More(timeout=30))

    @app_commands.command(name="about", description="A global command")
    async def about(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("about", ephemeral=True)

    for cmd in (ping, slow, lore, menu):
        bot.tree.add_command(cmd, guild=fake_guild)
    bot.tree.add_command(about)


def command_bot_setup(fake: FakeDiscord) -> Callable[[commands.Bot], Awaitable[None]]:
    async def setup(bot: commands.Bot) -> None:
        bot._fake_guild_id = fake.guild.id  # type: ignore[attr-defined]
        await setup_commands(bot)
    return setup


@pytest.mark.asyncio
async def test_sync_slash_command_response_followup_and_edit() -> None:
    async with FakeDiscord(heartbeat_interval=1000) as fake:
        async with running_bot(fake, command_bot_setup(fake)) as h:
            synced = await h.bot.tree.sync(guild=guild_obj(fake))
            synced_global = await h.bot.tree.sync()
            assert {c.name for c in synced} == {"ping", "slow", "lore", "menu"}
            assert [c.name for c in synced_global] == ["about"]
            stored = {c["name"]: c for c in fake.commands(fake.guild)}
            assert {str(c.id) for c in synced} == {c["id"] for c in stored.values()}
            assert stored["ping"]["options"][0] == {"type": 3, "name": "text", "description": "what to echo",
                                                    "required": True}
            assert [c["name"] for c in fake.commands()] == ["about"]
            # a re-sync keeps the ids (Discord matches commands by name)
            again = await h.bot.tree.sync(guild=guild_obj(fake))
            assert {c.id for c in again} == {c.id for c in synced}

            rec = await fake.send_slash_command("ping", {"text": "hi"})
            body = await rec.response(timeout=STEP)
            assert body["type"] == 4 and body["data"]["content"] == "pong: hi"
            assert rec.latency is not None and 0 <= rec.latency < 3.0
            await rec.wait_followups(1, timeout=STEP)
            await rec.wait_edits(1, timeout=STEP)
            assert rec.original["content"] == "pong: hi (edited)" and rec.original["edited_timestamp"]
            assert rec.followups[0]["content"] == f"follow-up to {rec.original['id']}"
            assert rec.followups[0]["flags"] & 64  # ephemeral

            slow = await fake.send_slash_command("slow")
            assert (await slow.response(timeout=STEP))["type"] == 5
            original = await slow.wait_original(timeout=STEP)
            assert original["content"] == "done thinking" and not original["flags"] & 128

            about = await fake.send_slash_command("about")
            body = await about.response(timeout=STEP)
            assert body["data"]["flags"] == 64 and body["data"]["content"] == "about"
            assert not h.errors
        fake.assert_no_violations()


@pytest.mark.asyncio
async def test_autocomplete_and_button_component() -> None:
    async with FakeDiscord(heartbeat_interval=1000) as fake:
        async with running_bot(fake, command_bot_setup(fake)) as h:
            await h.bot.tree.sync(guild=guild_obj(fake))

            auto = await fake.send_autocomplete("lore", {"question": "rou"}, focused="question")
            body = await auto.response(timeout=STEP)
            assert body["type"] == 8
            assert [c["value"] for c in body["data"]["choices"]] == ["rouge", "rouge's past"]
            assert auto.autocomplete_choices == body["data"]["choices"]

            menu = await fake.send_slash_command("menu")
            body = await menu.response(timeout=STEP)
            assert body["data"]["components"][0]["components"][0]["custom_id"] == "more"
            message = menu.original
            click = await fake.click_button(message, "more", user=fake.moderator)
            body = await click.response(timeout=STEP)
            assert body["type"] == 7 and body["data"]["content"] == "expanded"
            assert fake.find_messages(kind="response")[-1]["content"] == "expanded"
            assert message["components"] == []  # view=None removed the button
            assert click.payload["member"]["user"]["id"] == fake.moderator["id"]
            assert not h.errors
        fake.assert_no_violations()


# --------------------------------------------------------------------------------------------------
# gateway resilience


async def answer_after_reconnect(fake: FakeDiscord) -> None:
    rec = await fake.send_slash_command("ping", {"text": "again"})
    assert (await rec.response(timeout=STEP))["data"]["content"] == "pong: again"


@pytest.mark.asyncio
async def test_resume_after_close_4000_replays_buffered_events() -> None:
    async with FakeDiscord(heartbeat_interval=1000) as fake:
        async with running_bot(fake, command_bot_setup(fake)) as h:
            await h.bot.tree.sync(guild=guild_obj(fake))
            seq_before = fake.sequence
            fake.hello_delay = 0.5  # hold the bot off for a moment so the interaction has to wait
            await fake.gateway_close(4000)
            rec = await fake.send_slash_command("ping", {"text": "queued"}, deadline=5.0)
            assert rec.queued and rec.delivery_count == 0
            await fake.wait_for_resume(1, timeout=STEP)
            fake.hello_delay = 0.0
            assert (await rec.response(timeout=STEP))["data"]["content"] == "pong: queued"
            assert rec.delivery_count == 1 and rec.seq == seq_before + 1
            assert fake.identify_count == 1 and fake.connection_count == 2
            assert fake.connections[1].path == "/resume-gateway"  # discord.py used resume_gateway_url
            await fake.wait_for(lambda: h.resumed >= 1, timeout=STEP, what="on_resumed")
            await answer_after_reconnect(fake)
        fake.assert_no_violations()


@pytest.mark.asyncio
async def test_resume_after_raw_tcp_abort() -> None:
    async with FakeDiscord(heartbeat_interval=1000) as fake:
        async with running_bot(fake, command_bot_setup(fake)) as h:
            await h.bot.tree.sync(guild=guild_obj(fake))
            old = await fake.gateway_abort()
            assert old.closed_by == "abort"
            await fake.wait_for_resume(1, timeout=STEP)
            assert fake.identify_count == 1
            await answer_after_reconnect(fake)
        fake.assert_no_violations()


@pytest.mark.asyncio
async def test_reconnect_opcode_7() -> None:
    async with FakeDiscord(heartbeat_interval=1000) as fake:
        async with running_bot(fake, command_bot_setup(fake)) as h:
            await h.bot.tree.sync(guild=guild_obj(fake))
            old = await fake.gateway_send_reconnect()
            await fake.wait_for_resume(1, timeout=STEP)
            assert old.closed_by == "client" and old.close_code == 4000  # discord.py closes, then resumes
            assert fake.identify_count == 1
            await answer_after_reconnect(fake)
        fake.assert_no_violations()


@pytest.mark.asyncio
async def test_invalid_session_resumable_and_not() -> None:
    async with FakeDiscord(heartbeat_interval=1000) as fake:
        async with running_bot(fake, command_bot_setup(fake)) as h:
            await h.bot.tree.sync(guild=guild_obj(fake))
            first_session = fake.session_id

            await fake.gateway_invalid_session(resumable=False)
            await fake.wait_for_identify(2, timeout=STEP)
            second_session = fake.session_id
            assert second_session != first_session and fake.resume_count == 0
            # discord.py reset its gateway to DiscordWebSocket.DEFAULT_GATEWAY: it must be the fake's
            assert fake.connections[-1].path == "/gateway"
            await answer_after_reconnect(fake)

            await fake.gateway_invalid_session(resumable=True)
            await fake.wait_for_resume(1, timeout=STEP)
            assert fake.session_id == second_session and fake.identify_count == 2
            await answer_after_reconnect(fake)

            # a close that kills the session: discord.py tries RESUME, gets op 9, identifies anew
            await fake.gateway_close(4009)
            await fake.wait_for_identify(3, timeout=STEP)
            assert fake.connections[-1].path == "/resume-gateway"  # discord.py keeps the last resume URL
            assert fake.failed_resume_count == 1
            await answer_after_reconnect(fake)
        fake.assert_no_violations()


@pytest.mark.asyncio
async def test_interaction_sent_before_the_bot_connects_is_delivered_after_ready() -> None:
    async with FakeDiscord(heartbeat_interval=1000) as fake:
        data = {"id": "123", "name": "about", "type": 1}
        rec = await fake.send_interaction(2, data, deadline=STEP)
        assert rec.queued

        async def setup(bot: commands.Bot) -> None:
            @bot.tree.command(name="about", description="A global command")
            async def about(interaction: discord.Interaction) -> None:
                await interaction.response.send_message("about")

        async with running_bot(fake, setup):
            assert (await rec.response(timeout=STEP))["data"]["content"] == "about"
            assert rec.delivery_count == 1
        fake.assert_no_violations()


# --------------------------------------------------------------------------------------------------
# rate limits


@pytest.mark.asyncio
async def test_429_then_success() -> None:
    async with FakeDiscord(heartbeat_interval=1000) as fake:
        async with running_bot(fake, command_bot_setup(fake)) as h:
            await h.bot.tree.sync(guild=guild_obj(fake))
            channel = h.bot.get_channel(int(fake.guild.channel("mod-log")["id"]))
            fake.rate_limit_once("POST", "/channels/{channel_id}/messages", retry_after=0.4)
            t0 = time.monotonic()
            msg = await asyncio.wait_for(channel.send("user asked something unknown"), STEP)
            assert time.monotonic() - t0 >= 0.35
            assert len(fake.rate_limited) == 1
            assert [m["id"] for m in fake.find_messages(channel="mod-log")] == [str(msg.id)]
            tries = [r for r in fake.requests if r.route == "/channels/{channel_id}/messages"]
            assert [r.status for r in tries] == [429, 200]

            # the interaction webhook adapter retries too
            fake.rate_limit_once("POST", "/interactions/{interaction_id}/{interaction_token}/callback", retry_after=0.2)
            rec = await fake.send_slash_command("lore", {"question": "rouge"})
            assert (await rec.response(timeout=STEP))["data"]["content"] == "answer to rouge"
            assert len(fake.rate_limited) == 2 and rec.latency >= 0.2
        fake.assert_no_violations()


# --------------------------------------------------------------------------------------------------
# what Discord rejects


@pytest.mark.asyncio
async def test_rejects_overlong_message_from_channel_send_and_interaction() -> None:
    async with FakeDiscord(heartbeat_interval=1000) as fake:

        async def setup(bot: commands.Bot) -> None:
            @bot.tree.command(name="long", description="Too long an answer")
            async def long(interaction: discord.Interaction) -> None:
                await interaction.response.send_message("x" * 2001)

        async with running_bot(fake, setup) as h:
            await h.bot.tree.sync()
            channel = h.bot.get_channel(int(fake.guild.channel("mod-log")["id"]))
            with pytest.raises(discord.HTTPException) as exc:
                await channel.send("y" * 2001)
            assert exc.value.status == 400 and exc.value.code == 50035
            assert "2000 or fewer" in str(exc.value)
            assert fake.find_messages(channel="mod-log") == []
            await channel.send("y" * 2000)  # the limit itself is fine

            rec = await fake.send_slash_command("long")
            attempt = await rec.wait_attempt(1, timeout=STEP)
            assert attempt.status == 400 and attempt.error["errors"]["data"]["content"]["_errors"][0]["code"] == \
                "BASE_TYPE_MAX_LENGTH"
            assert not rec.acknowledged
            await fake.wait_for(lambda: h.errors, timeout=STEP, what="the bot's command error")
            assert isinstance(h.errors[0].__cause__, discord.HTTPException) or isinstance(h.errors[0], discord.HTTPException)
        assert [v.kind for v in fake.take_violations()] == ["invalid_form_body", "invalid_form_body"]
        fake.assert_no_violations()


@pytest.mark.asyncio
async def test_rejects_bad_command_definitions() -> None:
    async with FakeDiscord(heartbeat_interval=1000) as fake:
        async with running_bot(fake) as h:
            http = h.bot.http
            app, gid = fake.application_id, fake.guild.id

            async def put(cmds: list) -> discord.HTTPException:
                with pytest.raises(discord.HTTPException) as exc:
                    await http.bulk_upsert_guild_commands(app, gid, payload=cmds)
                return exc.value

            err = await put([{"name": "Bad Name", "description": "has a space and capitals"}])
            assert (err.status, err.code) == (400, 50035) and "Command name is invalid" in str(err)
            err = await put([{"name": "a", "description": "d" * 101}])
            assert "Must be between 1 and 100 in length" in str(err)
            err = await put([{"name": "dup", "description": "one"}, {"name": "dup", "description": "two"}])
            assert "unique" in str(err)
            err = await put([{"name": "opts", "description": "x", "options": [
                {"type": 3, "name": "later", "description": "optional"},
                {"type": 3, "name": "first", "description": "required", "required": True}]}])
            assert "Required options must be placed before non-required options" in str(err)
            err = await put([{"name": "many", "description": "x", "options": [
                {"type": 3, "name": "pick", "description": "y",
                 "choices": [{"name": f"c{i}", "value": f"c{i}"} for i in range(26)]}]}])
            assert "25 or fewer" in str(err)
            err = await put([{"name": "opt", "description": "x",
                              "options": [{"type": 3, "name": f"o{i}", "description": "y"} for i in range(26)]}])
            assert "25 or fewer" in str(err)
            with pytest.raises(discord.HTTPException) as exc:
                await http.bulk_upsert_global_commands(app, payload=[
                    {"name": f"cmd{i}", "description": "x"} for i in range(101)])
            assert exc.value.code == 30032
            assert fake.commands(fake.guild) == [] and fake.commands() == []

            # discord.py surfaces the form errors as CommandSyncFailure when syncing a tree
            h.bot.tree.add_command(app_commands.Command(name="ok", description="d" * 100, callback=_noop))
            assert [c.name for c in await h.bot.tree.sync()] == ["ok"]
            h.bot.tree.get_command("ok").description = "d" * 101
            with pytest.raises(app_commands.CommandSyncFailure):
                await h.bot.tree.sync()
        kinds = [v.kind for v in fake.take_violations()]
        assert kinds.count("invalid_form_body") == 7 and kinds.count("too_many_commands") == 1
        fake.assert_no_violations()


async def _noop(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("ok")


@pytest.mark.asyncio
async def test_rejects_double_acknowledgement_and_late_callback() -> None:
    async with FakeDiscord(heartbeat_interval=1000) as fake:

        async def setup(bot: commands.Bot) -> None:
            @bot.tree.command(name="quick", description="Answers at once")
            async def quick(interaction: discord.Interaction) -> None:
                await interaction.response.send_message("first")

            @bot.tree.command(name="sleepy", description="Answers too late")
            async def sleepy(interaction: discord.Interaction) -> None:
                await asyncio.sleep(0.6)
                await interaction.response.send_message("too late")

        async with running_bot(fake, setup) as h:
            await h.bot.tree.sync()
            rec = await fake.send_slash_command("quick")
            await rec.response(timeout=STEP)
            # a second answer (e.g. a second bot process handling the same event)
            status, body, _ = await raw(fake, "POST", f"/interactions/{rec.id}/{rec.token}/callback",
                                        json={"type": 4, "data": {"content": "second"}}, auth=False)
            assert (status, body["code"]) == (400, 40060)
            assert body["message"] == "Interaction has already been acknowledged."
            assert [a.status for a in rec.attempts] == [200, 400]

            late = await fake.send_slash_command("sleepy", deadline=0.3)
            attempt = await late.wait_attempt(1, timeout=STEP)
            assert attempt.status == 404 and attempt.error == {"message": "Unknown interaction", "code": 10062}
            await fake.wait_for(lambda: h.errors, timeout=STEP, what="the bot's command error")
            assert isinstance(h.errors[0].__cause__, discord.NotFound)

            status, body, _ = await raw(fake, "POST", f"/interactions/{late.id}/{late.token}/callback",
                                        json={"type": 42}, auth=False)
            assert status == 404  # still late; an unknown type on a live one is a form error:
            fresh = await fake.send_interaction(2, {"id": "1", "name": "nothing-registered", "type": 1})
            status, body, _ = await raw(fake, "POST", f"/interactions/{fresh.id}/{fresh.token}/callback",
                                        json={"type": 42}, auth=False)
            assert status == 400 and body["errors"]["type"]["_errors"][0]["code"] == "BASE_TYPE_CHOICES"
        kinds = [v.kind for v in fake.take_violations()]
        assert kinds == ["already_acknowledged", "late_callback", "late_callback", "unknown_callback_type"]
        fake.assert_no_violations()


@pytest.mark.asyncio
async def test_rejects_component_and_embed_limits_and_big_autocomplete() -> None:
    async with FakeDiscord(heartbeat_interval=1000) as fake:
        channel_id = fake.guild.channel("general")["id"]

        def row(*buttons: dict) -> dict:
            return {"type": 1, "components": list(buttons)}

        def button(i: int, label: str = "ok", custom_id: Optional[str] = None) -> dict:
            return {"type": 2, "style": 1, "label": label, "custom_id": custom_id or f"b{i}"}

        cases = {
            "label over 80": ({"components": [row(button(0, label="l" * 81))]}, "components.0.components.0.label"),
            "custom_id over 100": ({"components": [row(button(0, custom_id="c" * 101))]},
                                   "components.0.components.0.custom_id"),
            "six rows": ({"content": "x", "components": [row(button(i)) for i in range(6)]}, "components"),
            "six buttons": ({"components": [row(*[button(i) for i in range(6)])]}, "components.0.components"),
            "eleven embeds": ({"embeds": [{"title": str(i)} for i in range(11)]}, "embeds"),
        }
        for name, (payload, where) in cases.items():
            status, body, _ = await raw(fake, "POST", f"/channels/{channel_id}/messages", json=payload)
            assert (status, body["code"]) == (400, 50035), name
            node = body["errors"]
            for part in where.split("."):
                node = node[part]
            assert node["_errors"], name
        status, body, _ = await raw(fake, "POST", f"/channels/{channel_id}/messages", json={"content": ""})
        assert (status, body["code"]) == (400, 50006)
        ok = {"content": "fine", "components": [row(*[button(i) for i in range(5)]) for _ in range(1)]}
        status, body, _ = await raw(fake, "POST", f"/channels/{channel_id}/messages", json=ok)
        assert status == 200 and body["components"][0]["components"][4]["custom_id"] == "b4"
        assert len(fake.take_violations("invalid_form_body")) == 5
        assert len(fake.take_violations("empty_message")) == 1

        async def setup(bot: commands.Bot) -> None:
            @bot.tree.command(name="big", description="Autocompletes too much")
            async def big(interaction: discord.Interaction, q: str) -> None:
                await interaction.response.send_message(q)

            @big.autocomplete("q")
            async def big_auto(interaction: discord.Interaction, current: str) -> List[app_commands.Choice[str]]:
                return [app_commands.Choice(name=f"n{i}", value=f"v{i}") for i in range(30)]

        async with running_bot(fake, setup) as h:
            await h.bot.tree.sync()
            rec = await fake.send_autocomplete("big", focused="q")
            attempt = await rec.wait_attempt(1, timeout=STEP)
            assert attempt.status == 400 and "choices" in attempt.error["errors"]["data"]
            assert not rec.acknowledged
        assert [v.kind for v in fake.take_violations()] == ["invalid_form_body"]
        fake.assert_no_violations()


# --------------------------------------------------------------------------------------------------
# modals, selects, option types, context menus, permissions


@pytest.mark.asyncio
async def test_modal_select_user_option_context_menu_and_permissions() -> None:
    async with FakeDiscord(heartbeat_interval=1000) as fake:

        class Teach(discord.ui.Modal, title="Teach the bot"):
            answer = discord.ui.TextInput(label="Answer", custom_id="answer", style=discord.TextStyle.paragraph)

            async def on_submit(self, interaction: discord.Interaction) -> None:
                await interaction.response.send_message(f"learned: {self.answer.value}", ephemeral=True)

        class Pick(discord.ui.View):
            @discord.ui.select(custom_id="episode", options=[discord.SelectOption(label=f"Ep {i}", value=str(i))
                                                             for i in range(1, 4)])
            async def episode(self, interaction: discord.Interaction, select: discord.ui.Select) -> None:
                await interaction.response.send_message(f"up to episode {select.values[0]}")

        async def setup(bot: commands.Bot) -> None:
            @bot.tree.command(name="teach", description="Moderators teach an answer")
            @app_commands.default_permissions(manage_guild=True)
            async def teach(interaction: discord.Interaction) -> None:
                await interaction.response.send_modal(Teach())

            @bot.tree.command(name="progress", description="Pick an episode")
            async def progress(interaction: discord.Interaction) -> None:
                await interaction.response.send_message("pick one", view=Pick(timeout=30))

            @bot.tree.command(name="whois", description="Describe a member")
            async def whois(interaction: discord.Interaction, member: discord.Member) -> None:
                await interaction.response.send_message(
                    f"{member.name} roles={[r.name for r in member.roles[1:]]} mod={interaction.permissions.manage_guild}")

            @bot.tree.context_menu(name="Ask about")
            async def ask_about(interaction: discord.Interaction, user: discord.User) -> None:
                await interaction.response.send_message(f"asked about {user.name}")

        async with running_bot(fake, setup) as h:
            await h.bot.tree.sync()
            assert fake.find_command("teach")["default_member_permissions"] == str(Permissions.MANAGE_GUILD)

            with pytest.raises(PermissionError):
                await fake.send_slash_command("teach")  # alice is no moderator: Discord hides it
            rec = await fake.send_slash_command("teach", user=fake.moderator)
            body = await rec.response(timeout=STEP)
            assert body["type"] == 9 and body["data"]["title"] == "Teach the bot"
            submitted = await fake.submit_modal(rec.modal, {"answer": "Rouge is an android"}, user=fake.moderator)
            body = await submitted.response(timeout=STEP)
            assert body["data"]["content"] == "learned: Rouge is an android" and body["data"]["flags"] == 64

            rec = await fake.send_slash_command("progress")
            await rec.response(timeout=STEP)
            chosen = await fake.select_option(rec.original, "episode", ["2"])
            assert (await chosen.response(timeout=STEP))["data"]["content"] == "up to episode 2"

            rec = await fake.send_slash_command("whois", {"member": fake.moderator}, user=fake.moderator)
            assert (await rec.response(timeout=STEP))["data"]["content"] == "mod roles=['Moderator'] mod=True"
            rec = await fake.send_slash_command("whois", {"member": fake.user}, roles=["Moderator"])
            assert (await rec.response(timeout=STEP))["data"]["content"] == "alice roles=[] mod=True"

            rec = await fake.send_context_menu("Ask about", fake.moderator)
            assert (await rec.response(timeout=STEP))["data"]["content"] == "asked about mod"
            assert not h.errors

            # the bot may not post in #mod-log once its role is denied SEND_MESSAGES there
            modlog = fake.guild.channel("mod-log")
            fake.guild.set_overwrite(modlog, fake.guild.role("LoreBot"), deny=Permissions.SEND_MESSAGES)
            with pytest.raises(discord.Forbidden) as exc:
                await h.bot.get_channel(int(modlog["id"])).send("nope")
            assert exc.value.code == 50013
            await h.bot.get_channel(int(fake.guild.channel("general")["id"])).send("still fine here")
            found = await fake.wait_for_message(lambda m: m["content"] == "still fine here", channel="general")
            assert found["author"]["id"] == fake.application_id
        assert [v.kind for v in fake.take_violations()] == ["missing_permissions"]
        fake.assert_no_violations()


# --------------------------------------------------------------------------------------------------
# every route, checked against Discord's OpenAPI description


@pytest.mark.asyncio
@pytest.mark.skipif(SPEC is None, reason="shared/specs/discord-openapi.json not found")
async def test_every_route_answers_as_the_openapi_description_says() -> None:
    async with FakeDiscord() as fake:
        g, app = fake.guild, fake.application_id
        general = g.channel("general")["id"]
        calls = [("GET", "/users/@me"), ("GET", f"/users/{fake.user['id']}"), ("GET", "/oauth2/applications/@me"),
                 ("GET", "/applications/@me"), ("GET", "/gateway"), ("GET", "/gateway/bot"),
                 ("GET", f"/channels/{general}"), ("GET", f"/guilds/{g.id}"), ("GET", f"/guilds/{g.id}/channels"),
                 ("GET", f"/guilds/{g.id}/roles"), ("GET", f"/guilds/{g.id}/members/{fake.user['id']}"),
                 ("POST", f"/channels/{general}/typing")]
        for method, path in calls:
            status, body, _ = await raw(fake, method, path)
            assert status in (200, 204), (path, body)

        cmd = {"name": "lore", "description": "Ask", "options": [
            {"type": 3, "name": "question", "description": "what", "required": True, "autocomplete": True},
            {"type": 4, "name": "upto", "description": "episode", "choices": [{"name": "one", "value": 1}]}]}
        for base in (f"/applications/{app}/commands", f"/applications/{app}/guilds/{g.id}/commands"):
            status, body, _ = await raw(fake, "PUT", base, json=[cmd])
            assert status == 200 and body[0]["options"][0]["autocomplete"] is True
            status, extra, _ = await raw(fake, "POST", base, json={"name": "Ask about", "type": 2})
            assert status == 201
            assert (await raw(fake, "GET", base))[0] == 200
            assert (await raw(fake, "GET", f"{base}/{extra['id']}"))[0] == 200
            assert (await raw(fake, "DELETE", f"{base}/{extra['id']}"))[0] == 204

        status, msg, _ = await raw(fake, "POST", f"/channels/{general}/messages", json={
            "content": f"hi <@{fake.user['id']}>", "allowed_mentions": {"parse": []},
            "embeds": [{"title": "t", "fields": [{"name": "a", "value": "b"}], "color": 0xFF0000}],
            "components": [{"type": 1, "components": [{"type": 2, "style": 5, "label": "docs", "url": "https://example.org"},
                                                      {"type": 2, "style": 1, "label": "More", "custom_id": "more"}]}]})
        assert status == 200 and msg["mentions"] == []  # allowed_mentions suppressed the ping
        for method, body in (("GET", None), ("PATCH", {"content": "edited"}), ("DELETE", None)):
            status, _, _ = await raw(fake, method, f"/channels/{general}/messages/{msg['id']}", json=body)
            assert status in (200, 204)
        assert (await raw(fake, "GET", f"/channels/{general}/messages", params={"limit": "5"}))[0] == 200

        rec = await fake.send_interaction(2, {"id": "1", "name": "lore", "type": 1}, deadline=STEP)
        cb = f"/interactions/{rec.id}/{rec.token}/callback"
        status, body, _ = await raw(fake, "POST", cb, json={"type": 5}, auth=False, params={"with_response": "true"})
        assert status == 200 and body["interaction"]["response_message_loading"] is True
        hook = f"/webhooks/{app}/{rec.token}"
        status, first, _ = await raw(fake, "POST", hook, json={"content": "answer"}, auth=False, params={"wait": "true"})
        assert status == 200 and first["id"] == rec.original["id"]  # replaced the "thinking" message
        status, second, _ = await raw(fake, "POST", hook, json={"content": "more", "flags": 64}, auth=False,
                                      params={"wait": "true"})
        assert status == 200 and second["flags"] == 64
        for method, body in (("GET", None), ("PATCH", {"content": "answer!"})):
            assert (await raw(fake, method, f"{hook}/messages/@original", json=body, auth=False))[0] == 200
            assert (await raw(fake, method, f"{hook}/messages/{second['id']}", json=body, auth=False))[0] == 200
        assert (await raw(fake, "DELETE", f"{hook}/messages/{second['id']}", auth=False))[0] == 204
        assert (await raw(fake, "DELETE", f"{hook}/messages/@original", auth=False))[0] == 204
        status, body, _ = await raw(fake, "POST", hook, json={"content": "x"}, auth=False, params={"wait": "true"})
        assert status == 200

        fake.assert_no_violations()
        assert fake.check_openapi(SPEC) == []
        fake.requests[0].response.pop("username")  # and the check does notice a broken body
        assert fake.check_openapi(SPEC) == ["response 200 to GET /api/v10/users/@me: <root>: 'username' is a required property"]


@pytest.mark.asyncio
async def test_file_uploads_in_channel_message_and_interaction_response() -> None:
    async with FakeDiscord(heartbeat_interval=1000) as fake:

        async def setup(bot: commands.Bot) -> None:
            @bot.tree.command(name="export", description="Send a file")
            async def export(interaction: discord.Interaction) -> None:
                import io
                await interaction.response.send_message("here", file=discord.File(io.BytesIO(b"a,b\n1,2\n"), "lore.csv"))

        async with running_bot(fake, setup) as h:
            await h.bot.tree.sync()
            import io
            channel = h.bot.get_channel(int(fake.guild.channel("mod-log")["id"]))
            sent = await channel.send("report", file=discord.File(io.BytesIO(b"hello"), "report.txt"))
            assert sent.attachments[0].filename == "report.txt" and sent.attachments[0].size == 5
            assert await sent.attachments[0].read() == b"hello"  # served by the fake, on loopback

            rec = await fake.send_slash_command("export")
            body = await rec.response(timeout=STEP)
            assert body["type"] == 4 and body["data"]["attachments"][0]["filename"] == "lore.csv"
            assert rec.original["attachments"][0]["size"] == 8
            assert any(r.files for r in fake.requests if r.route and "callback" in r.route)
        fake.assert_no_violations()


@pytest.mark.asyncio
async def test_dm_interaction_5xx_retry_heartbeat_request_and_live_guild_changes() -> None:
    intents = discord.Intents.default()
    intents.members = True
    async with FakeDiscord(heartbeat_interval=1000) as fake:
        joined: List[discord.Guild] = []

        async def setup(bot: commands.Bot) -> None:
            @bot.tree.command(name="where", description="Where am I")
            async def where(interaction: discord.Interaction) -> None:
                kind = "dm" if interaction.guild_id is None else "guild"
                await interaction.response.send_message(f"{kind} {interaction.user.name}")

            async def on_guild_join(guild: discord.Guild) -> None:
                joined.append(guild)

            bot.add_listener(on_guild_join)

        async with running_bot(fake, setup, intents=intents) as h:
            await h.bot.tree.sync()
            rec = await fake.send_slash_command("where", dm=True)
            assert (await rec.response(timeout=STEP))["data"]["content"] == "dm alice"
            assert rec.payload["context"] == 1 and "member" not in rec.payload

            fake.fail_once("POST", "/channels/{channel_id}/messages", status=502)
            await h.bot.get_channel(int(fake.guild.channel("general")["id"])).send("after a 502")  # retried
            assert [r.status for r in fake.requests if r.route == "/channels/{channel_id}/messages"] == [502, 200]

            beats = fake.heartbeat_count
            await fake.gateway_request_heartbeat()
            await fake.wait_for(lambda: fake.heartbeat_count > beats, timeout=STEP, what="an answer to op 1")

            await fake.set_member_roles(fake.user, ["Moderator"])
            member = h.bot.get_guild(int(fake.guild.id)).get_member(int(fake.user["id"]))
            await fake.wait_for(lambda: [r.name for r in member.roles[1:]] == ["Moderator"], timeout=STEP,
                                what="the role change to reach the bot")

            other = fake.add_guild("Second Guild")
            other.add_text_channel("lobby")
            await fake.announce_guild(other)
            await fake.wait_for(lambda: joined, timeout=STEP, what="on_guild_join")
            assert joined[0].name == "Second Guild" and joined[0].text_channels[0].name == "lobby"
            rec = await fake.send_slash_command("where", guild=other)
            assert (await rec.response(timeout=STEP))["data"]["content"] == "guild alice"
        fake.assert_no_violations()


@pytest.mark.asyncio
async def test_messages_people_write_reach_the_bot_as_discord_sends_them() -> None:
    """MESSAGE_CREATE needs the guild/DM messages intent; without MESSAGE_CONTENT the text arrives
    only for messages that mention the bot and for DMs. Replies need Read Message History and must
    stay in the channel of the message they answer; DM channels take replies too."""
    from .fake_discord import INTENT_DIRECT_MESSAGES, INTENT_GUILD_MESSAGES, INTENT_GUILDS

    intents = discord.Intents.default()  # guild and DM messages; no message content
    async with FakeDiscord(heartbeat_interval=1000) as fake:
        seen: List[discord.Message] = []

        async def setup(bot: commands.Bot) -> None:
            async def on_message(message: discord.Message) -> None:
                if message.author.id != bot.user.id:  # type: ignore[union-attr]
                    seen.append(message)

            bot.add_listener(on_message)

        async with running_bot(fake, setup, intents=intents) as h:
            me = fake.bot_user["id"]
            mentioned = await fake.post_message(f"<@{me}> who is rouge?")
            plain = await fake.post_message("who is rouge?")
            dm = await fake.post_message("who is gene?", dm=True)
            await fake.wait_for(lambda: len(seen) == 3, timeout=STEP, what="three messages")
            assert [(m.content, m.guild is None) for m in seen] == [
                (f"<@{me}> who is rouge?", False), ("", False), ("who is gene?", True),
            ]
            assert [u.id for u in seen[0].mentions] == [int(me)]

            answer = await seen[0].reply("Rouge is the heroine.", mention_author=False)
            assert fake.replies_to(mentioned)[0]["id"] == str(answer.id)
            follow = await fake.post_message("and gene?", reply_to=fake.replies_to(mentioned)[0])
            assert follow["mentions"] == [fake.bot_user] and follow["type"] == 19
            await seen[2].reply("Gene is Rouge's brother.")
            assert fake.replies_to(dm)[0]["channel_id"] == fake.open_dm(fake.user)["id"]

            general = h.bot.get_channel(int(fake.guild.channel("general")["id"]))
            other = h.bot.get_channel(int(fake.guild.channel("mod-log")["id"]))
            with pytest.raises(discord.HTTPException) as exc:  # a reply to a message in another channel
                await other.send("wrong place", reference=discord.MessageReference(
                    message_id=int(plain["id"]), channel_id=int(other.id)))
            assert exc.value.status == 400
            bot_role = fake.guild.role(fake.bot_user["username"])
            fake.guild.set_overwrite("general", bot_role, deny=Permissions.READ_MESSAGE_HISTORY)
            with pytest.raises(discord.Forbidden):
                await seen[1].reply("no history, no reply")
            await general.send("a plain message still works")
        assert [v.kind for v in fake.take_violations()] == ["invalid_form_body", "missing_permissions"]
        fake.assert_no_violations()

        # the intents decide whether a message reaches the bot at all
        assert fake.gateway_message(plain, INTENT_GUILDS) is None
        assert fake.gateway_message(dm, INTENT_GUILDS | INTENT_GUILD_MESSAGES) is None
        assert fake.gateway_message(dm, INTENT_DIRECT_MESSAGES)["content"] == "who is gene?"
        assert fake.gateway_message(plain, INTENT_GUILD_MESSAGES | (1 << 15))["content"] == "who is rouge?"
