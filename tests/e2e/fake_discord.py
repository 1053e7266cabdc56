"""A fake Discord (REST API v10 + gateway websocket) on 127.0.0.1 for end-to-end tests.

It serves just enough of Discord for a discord.py 2.x bot that uses application commands, and it
rejects what Discord rejects (with Discord's own status codes and error bodies), recording every
such rejection as a protocol *violation* that a test can assert on.

Typical use (see ``test_fake_discord.py`` for complete examples)::

    async with FakeDiscord(heartbeat_interval=1000) as fake:
        # the bot process gets DISCORD_API_BASE=fake.api_base and DISCORD_TOKEN=fake.token
        ...
        await fake.wait_for_ready_session(timeout=10)
        await fake.wait_for_commands(timeout=10)
        rec = await fake.send_slash_command("lore", {"question": "who is Rouge?"})
        body = await rec.response(timeout=5)          # {"type": 4, "data": {...}}
        fake.assert_no_violations()

Everything listens on 127.0.0.1 only; every wait has a timeout.

Run standalone (handy to point a manually started bot at it)::

    python -m tests.e2e.fake_discord --duration 600
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import copy
import datetime as _dt
import fnmatch
import hashlib
import importlib.util
import json
import logging
import re
import secrets
import socket
import time
import unicodedata
import zlib
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from aiohttp import WSMsgType, web

try:  # discord.py asks for zstd-stream when a zstd decompressor is importable
    import zstandard as _zstd  # type: ignore
except Exception:  # pragma: no cover - optional
    _zstd = None

__all__ = [
    "FakeDiscord",
    "FakeGuild",
    "InteractionRecord",
    "CallbackAttempt",
    "RequestRecord",
    "Violation",
    "GatewayConnection",
    "Permissions",
    "InteractionDropped",
    "loopback_guard_trace",
    "NonLoopbackRequest",
]

log = logging.getLogger("fake_discord")

DISCORD_EPOCH_MS = 1420070400000
API_VERSION = 10
API_PREFIX = f"/api/v{API_VERSION}"
JSON = "application/json"


class Permissions:
    """Permission bits (https://discord.com/developers/docs/topics/permissions)."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_AUDIT_LOG = 1 << 7
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    CONNECT = 1 << 20
    SPEAK = 1 << 21
    CHANGE_NICKNAME = 1 << 26
    MANAGE_ROLES = 1 << 28
    USE_APPLICATION_COMMANDS = 1 << 31
    SEND_MESSAGES_IN_THREADS = 1 << 38
    MODERATE_MEMBERS = 1 << 40
    ALL = (1 << 53) - 1

    #: What @everyone gets in a new server (close to Discord's default).
    DEFAULT_EVERYONE = (
        CREATE_INSTANT_INVITE | ADD_REACTIONS | VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES
        | READ_MESSAGE_HISTORY | MENTION_EVERYONE | USE_EXTERNAL_EMOJIS | CONNECT | SPEAK | CHANGE_NICKNAME
        | USE_APPLICATION_COMMANDS | SEND_MESSAGES_IN_THREADS
    )
    MODERATOR = (
        KICK_MEMBERS | BAN_MEMBERS | MANAGE_CHANNELS | MANAGE_GUILD | VIEW_AUDIT_LOG | MANAGE_MESSAGES
        | MANAGE_ROLES | MODERATE_MEMBERS
    )
    BOT = VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES | READ_MESSAGE_HISTORY | USE_EXTERNAL_EMOJIS | ADD_REACTIONS


# Gateway intents (the privileged ones must be enabled in the developer portal).
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT

# Message flags
FLAG_SUPPRESS_EMBEDS = 1 << 2
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7
FLAG_SUPPRESS_NOTIFICATIONS = 1 << 12
FLAG_IS_VOICE_MESSAGE = 1 << 13
FLAG_IS_COMPONENTS_V2 = 1 << 15

# Interaction types and callback types
INTERACTION_PING = 1
INTERACTION_APPLICATION_COMMAND = 2
INTERACTION_MESSAGE_COMPONENT = 3
INTERACTION_AUTOCOMPLETE = 4
INTERACTION_MODAL_SUBMIT = 5

CALLBACK_TYPES = (1, 4, 5, 6, 7, 8, 9, 12, 13)  # InteractionCallbackTypes in the OpenAPI description
VALID_CALLBACKS = {
    INTERACTION_APPLICATION_COMMAND: {4, 5, 9, 12},
    INTERACTION_MESSAGE_COMPONENT: {4, 5, 6, 7, 9, 12},
    INTERACTION_AUTOCOMPLETE: {8},
    INTERACTION_MODAL_SUBMIT: {4, 5, 6, 7},
}

GATEWAY_CLOSE_MESSAGES = {
    4000: "Unknown error",
    4001: "Unknown opcode",
    4002: "Decode error",
    4003: "Not authenticated",
    4004: "Authentication failed",
    4005: "Already authenticated",
    4007: "Invalid seq",
    4008: "Rate limited",
    4009: "Session timed out",
    4010: "Invalid shard",
    4011: "Sharding required",
    4012: "Invalid API version",
    4013: "Invalid intent(s)",
    4014: "Disallowed intent(s)",
}
#: Close codes after which Discord will not accept a RESUME of the session.
SESSION_KILLING_CLOSE_CODES = {1000, 1001, 4004, 4007, 4009, 4010, 4011, 4012, 4013, 4014}

MESSAGE_CONTENT_LIMIT = 2000
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
INTERACTION_TOKEN_LIFETIME = 15 * 60.0

_MISSING: Any = object()


# ----------------------------------------------------------------------------------------------
# records


@dataclass
class Violation:
    """Something the bot did that Discord would reject (or a route the fake does not know)."""

    kind: str
    message: str
    method: str = ""
    path: str = ""
    status: int = 0
    detail: Any = None
    at: float = field(default_factory=time.time)

    def __str__(self) -> str:
        where = f" [{self.method} {self.path} -> {self.status}]" if self.method else ""
        extra = f" {json.dumps(self.detail)[:600]}" if self.detail is not None else ""
        return f"{self.kind}: {self.message}{where}{extra}"


@dataclass
class RequestRecord:
    """One HTTP request the fake received."""

    method: str
    path: str
    route: Optional[str]
    query: Dict[str, str]
    headers: Dict[str, str]
    json: Any
    files: List[Dict[str, Any]]
    status: int = 0
    at: float = field(default_factory=time.time)
    response: Any = None  # the JSON body the fake answered with (None for 204)


@dataclass
class CallbackAttempt:
    """One POST /interactions/{id}/{token}/callback, accepted or not."""

    status: int
    body: Any
    at: float  # loop time
    error: Optional[dict] = None

    @property
    def accepted(self) -> bool:
        return 200 <= self.status < 300


class InteractionDropped(Exception):
    """The interaction's gateway event was lost (its session was replaced before delivery)."""


class NonLoopbackRequest(AssertionError):
    """Raised by :func:`loopback_guard_trace` when a client tries to leave 127.0.0.0/8."""


class InteractionRecord:
    """What happened to one interaction the fake sent: dispatch, callback(s), follow-ups, edits."""

    def __init__(self, fake: "FakeDiscord", payload: dict, deadline: float) -> None:
        self._fake = fake
        self.payload: dict = payload
        self.id: str = payload["id"]
        self.token: str = payload["token"]
        self.type: int = payload["type"]
        self.deadline: float = deadline
        self.created_at: float = fake._now()
        self.dispatched_at: Optional[float] = None
        self.delivery_count: int = 0
        self.seq: Optional[int] = None
        self.queued: bool = False
        self.dropped: bool = False
        self.attempts: List[CallbackAttempt] = []
        self.callback: Optional[dict] = None
        self.callback_at: Optional[float] = None
        self.original: Optional[dict] = None
        self.original_is_loading: bool = False
        self.followups: List[dict] = []
        self.edits: List[dict] = []
        self.deleted: List[str] = []
        self.modal: Optional[dict] = None
        self.autocomplete_choices: Optional[List[dict]] = None
        #: For a modal submit: the interaction whose callback opened the modal (if known).
        self.triggered_by: Optional["InteractionRecord"] = None

    # -- state -------------------------------------------------------------------------------
    @property
    def acknowledged(self) -> bool:
        return self.callback is not None

    @property
    def callback_type(self) -> Optional[int]:
        return None if self.callback is None else self.callback.get("type")

    @property
    def latency(self) -> Optional[float]:
        """Seconds between the first delivery over the gateway and the accepted callback."""
        if self.callback_at is None or self.dispatched_at is None:
            return None
        return self.callback_at - self.dispatched_at

    @property
    def rejected_attempts(self) -> List[CallbackAttempt]:
        return [a for a in self.attempts if not a.accepted]

    @property
    def messages(self) -> List[dict]:
        """The response message (if any) followed by the follow-ups, in their current state."""
        out = [self.original] if self.original is not None else []
        return out + [m for m in self.followups if m is not self.original]

    # -- waits -------------------------------------------------------------------------------
    async def response(self, timeout: float = 5.0) -> dict:
        """The accepted callback body ``{"type": ..., "data": ...}``; raises on timeout/drop."""

        def ready() -> bool:
            return self.callback is not None or self.dropped

        try:
            await self._fake.wait_for(ready, timeout=timeout, what=f"a callback for interaction {self.id}")
        except asyncio.TimeoutError:
            rejected = [(a.status, a.error) for a in self.rejected_attempts]
            raise asyncio.TimeoutError(
                f"no accepted callback for interaction {self.id} within {timeout}s "
                f"(delivered={self.delivery_count}, rejected attempts={rejected})"
            ) from None
        if self.callback is None:
            raise InteractionDropped(f"interaction {self.id} was never delivered (session replaced)")
        return self.callback

    async def wait_attempt(self, count: int = 1, timeout: float = 5.0) -> CallbackAttempt:
        """Wait for the ``count``-th callback attempt, accepted or rejected."""
        await self._fake.wait_for(lambda: len(self.attempts) >= count, timeout=timeout,
                                  what=f"{count} callback attempt(s) for interaction {self.id}")
        return self.attempts[count - 1]

    async def wait_followups(self, count: int = 1, timeout: float = 5.0) -> List[dict]:
        await self._fake.wait_for(lambda: len(self.followups) >= count, timeout=timeout,
                                  what=f"{count} follow-up(s) for interaction {self.id}")
        return list(self.followups)

    async def wait_edits(self, count: int = 1, timeout: float = 5.0) -> List[dict]:
        await self._fake.wait_for(lambda: len(self.edits) >= count, timeout=timeout,
                                  what=f"{count} edit(s) for interaction {self.id}")
        return list(self.edits)

    async def wait_original(self, predicate: Optional[Callable[[dict], bool]] = None,
                            timeout: float = 5.0) -> dict:
        """Wait until the original response message exists, is not 'thinking', and matches."""

        def ok() -> bool:
            if self.original is None or self.original_is_loading:
                return False
            return predicate is None or bool(predicate(self.original))

        await self._fake.wait_for(ok, timeout=timeout, what=f"the original response of interaction {self.id}")
        assert self.original is not None
        return self.original

    def __repr__(self) -> str:
        return (f"<InteractionRecord id={self.id} type={self.type} delivered={self.delivery_count} "
                f"callback={self.callback_type} attempts={len(self.attempts)} followups={len(self.followups)}>")


class _ApiError(Exception):
    def __init__(self, status: int, code: int, message: str, *, errors: Optional[dict] = None,
                 kind: str = "rejected", detail: Any = None, violation: bool = True,
                 headers: Optional[Dict[str, str]] = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        self.kind = kind
        self.detail = detail
        self.violation = violation
        self.headers = headers or {}

    def body(self) -> dict:
        out: Dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            out["errors"] = self.errors
        return out


class _Errors:
    """Collects Discord-style nested form errors: {"0": {"name": {"_errors": [...]}}}."""

    def __init__(self) -> None:
        self.tree: Dict[str, Any] = {}
        self.flat: List[str] = []

    def add(self, path: Sequence[Any], code: str, message: str) -> None:
        node = self.tree
        for part in path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})
        self.flat.append(f"{'.'.join(map(str, path)) or '<root>'}: {message}")

    def __bool__(self) -> bool:
        return bool(self.flat)

    def raise_if_any(self, kind: str = "invalid_form_body") -> None:
        if self.flat:
            raise _ApiError(400, 50035, "Invalid Form Body", errors=self.tree, kind=kind, detail=self.flat)


# ----------------------------------------------------------------------------------------------
# helpers


def _iso(ts: Optional[float] = None) -> str:
    d = _dt.datetime.fromtimestamp(time.time() if ts is None else ts, _dt.timezone.utc)
    return d.isoformat(timespec="microseconds")


class _Snowflakes:
    def __init__(self) -> None:
        self._inc = 0

    def __call__(self) -> str:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        self._inc = (self._inc + 1) & 0xFFF
        return str((ms << 22) | (1 << 17) | (1 << 12) | self._inc)


_NAME_EXTRA_RANGES = ((0x0900, 0x097F), (0x0E00, 0x0E7F))  # Devanagari, Thai (\p{sc=Deva}, \p{sc=Thai})


def valid_chat_input_name(name: Any) -> bool:
    """Discord's ``^[-_\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]{1,32}$`` plus the lower-case rule."""
    if not isinstance(name, str) or not 1 <= len(name) <= 32:
        return False
    for ch in name:
        if ch in "-_":
            continue
        if unicodedata.category(ch)[0] in "LN":
            continue
        if any(lo <= ord(ch) <= hi for lo, hi in _NAME_EXTRA_RANGES):
            continue
        return False
    return name == name.lower()


def _truthy(v: Optional[str]) -> bool:
    return v is not None and v.lower() in ("1", "true", "yes")


def _strip_none(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


def loopback_guard_trace(seen: Optional[List[str]] = None):
    """An ``aiohttp.TraceConfig`` that records every URL a client session requests and raises
    :class:`NonLoopbackRequest` before anything leaves 127.0.0.0/8 / localhost.

    discord.py accepts it as ``Client(http_trace=...)``; that session carries REST calls, the
    gateway websocket, interaction webhooks and CDN reads.
    """
    import aiohttp

    trace = aiohttp.TraceConfig()

    async def on_request_start(session, ctx, params) -> None:  # noqa: ARG001
        url = str(params.url)
        if seen is not None:
            seen.append(url)
        host = params.url.host or ""
        if not (host == "localhost" or host.startswith("127.") or host == "::1"):
            raise NonLoopbackRequest(f"refusing a request to a non-loopback host: {url}")

    trace.on_request_start.append(on_request_start)
    return trace


# ----------------------------------------------------------------------------------------------
# guild model


class FakeGuild:
    """A guild as the fake knows it. Roles, channels and members are stored as Discord payloads."""

    def __init__(self, fake: "FakeDiscord", name: str, owner: dict, *, guild_id: Optional[str] = None,
                 everyone_permissions: int = Permissions.DEFAULT_EVERYONE, locale: str = "en-US") -> None:
        self._fake = fake
        self.id: str = guild_id or fake._snowflake()
        self.name = name
        self.owner_id: str = owner["id"]
        self.locale = locale
        self.features: List[str] = []
        self.roles: Dict[str, dict] = {}
        self.channels: Dict[str, dict] = {}
        self.members: Dict[str, dict] = {}
        self.joined_at = _iso()
        self.roles[self.id] = self._role_payload(self.id, "@everyone", everyone_permissions, 0)
        self.add_member(owner)

    @staticmethod
    def _role_payload(rid: str, name: str, permissions: int, position: int, **extra: Any) -> dict:
        role = {
            "id": rid, "name": name, "description": None, "permissions": str(permissions), "position": position,
            "color": 0, "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False, "managed": False, "mentionable": False, "icon": None, "unicode_emoji": None, "flags": 0,
        }
        role.update(extra)
        return role

    # -- building ----------------------------------------------------------------------------
    def add_role(self, name: str, permissions: int = 0, *, position: Optional[int] = None, **extra: Any) -> dict:
        rid = self._fake._snowflake()
        pos = position if position is not None else len(self.roles)
        self.roles[rid] = self._role_payload(rid, name, permissions, pos, **extra)
        return self.roles[rid]

    def add_text_channel(self, name: str, *, topic: Optional[str] = None, parent_id: Optional[str] = None,
                         overwrites: Sequence[dict] = (), channel_type: int = 0, nsfw: bool = False) -> dict:
        cid = self._fake._snowflake()
        ch = {
            "id": cid, "type": channel_type, "guild_id": self.id, "name": name, "position": len(self.channels),
            "permission_overwrites": [dict(o) for o in overwrites], "parent_id": parent_id, "topic": topic,
            "nsfw": nsfw, "last_message_id": None, "rate_limit_per_user": 0, "flags": 0,
        }
        self.channels[cid] = ch
        self._fake._channel_guild[cid] = self
        return ch

    def add_member(self, user: dict, roles: Iterable[Union[str, dict]] = (), *, nick: Optional[str] = None) -> dict:
        self._fake._users.setdefault(user["id"], user)
        member = {
            "user": user, "nick": nick, "avatar": None, "banner": None, "roles": [self._role_id(r) for r in roles],
            "joined_at": _iso(), "premium_since": None, "deaf": False, "mute": False, "flags": 0, "pending": False,
            "communication_disabled_until": None, "avatar_decoration_data": None,
        }
        self.members[user["id"]] = member
        return member

    def set_overwrite(self, channel: Union[str, dict], target: Union[str, dict], *, allow: int = 0, deny: int = 0,
                      member: bool = False) -> None:
        """Set a permission overwrite (role by default, ``member=True`` for a user) on a channel."""
        ch = self.channels[self._channel_id(channel)]
        tid = target["id"] if isinstance(target, dict) else str(target)
        ch["permission_overwrites"] = [o for o in ch["permission_overwrites"] if o["id"] != tid]
        ch["permission_overwrites"].append({"id": tid, "type": 1 if member else 0, "allow": str(allow), "deny": str(deny)})

    # -- lookups -----------------------------------------------------------------------------
    def role(self, name: str) -> dict:
        for r in self.roles.values():
            if r["name"] == name:
                return r
        raise KeyError(f"no role named {name!r} in guild {self.name!r}")

    def channel(self, name: str) -> dict:
        for c in self.channels.values():
            if c["name"] == name:
                return c
        raise KeyError(f"no channel named {name!r} in guild {self.name!r}")

    def member(self, user: Union[str, dict]) -> dict:
        return self.members[user["id"] if isinstance(user, dict) else str(user)]

    def _role_id(self, r: Union[str, dict]) -> str:
        if isinstance(r, dict):
            return r["id"]
        r = str(r)
        if r in self.roles:
            return r
        return self.role(r)["id"]

    def _channel_id(self, c: Union[str, dict]) -> str:
        if isinstance(c, dict):
            return c["id"]
        c = str(c)
        return c if c in self.channels else self.channel(c)["id"]

    @property
    def everyone(self) -> dict:
        return self.roles[self.id]

    # -- permissions -------------------------------------------------------------------------
    def permissions_for(self, user_id: str, channel_id: Optional[str] = None,
                        roles: Optional[Iterable[str]] = None) -> int:
        """Discord's permission algorithm (base permissions, then channel overwrites)."""
        if user_id == self.owner_id:
            return Permissions.ALL
        member = self.members.get(user_id)
        role_ids = list(roles) if roles is not None else (member["roles"] if member else [])
        perms = int(self.everyone["permissions"])
        for rid in role_ids:
            role = self.roles.get(rid)
            if role:
                perms |= int(role["permissions"])
        if perms & Permissions.ADMINISTRATOR:
            return Permissions.ALL
        ch = self.channels.get(channel_id) if channel_id else None
        if ch:
            ows = {o["id"]: o for o in ch.get("permission_overwrites", [])}
            e = ows.get(self.id)
            if e:
                perms &= ~int(e["deny"])
                perms |= int(e["allow"])
            allow = deny = 0
            for rid in role_ids:
                o = ows.get(rid)
                if o and int(o.get("type", 0)) == 0:
                    allow |= int(o["allow"])
                    deny |= int(o["deny"])
            perms &= ~deny
            perms |= allow
            m = ows.get(user_id)
            if m and int(m.get("type", 1)) == 1:
                perms &= ~int(m["deny"])
                perms |= int(m["allow"])
            if not perms & Permissions.VIEW_CHANNEL:
                return 0
        return perms

    # -- payloads ----------------------------------------------------------------------------
    def create_payload(self, intents: int = INTENT_GUILD_MEMBERS) -> dict:
        """The GUILD_CREATE event data for this guild. Like Discord, ``members`` lists everyone only
        with the GUILD_MEMBERS intent; otherwise just the bot (and nobody in voice)."""
        channels = []
        for c in self.channels.values():
            c2 = dict(c)
            c2.pop("guild_id", None)  # Discord omits it inside GUILD_CREATE
            channels.append(c2)
        system = next(iter(self.channels), None)
        return {
            "id": self.id, "name": self.name, "icon": None, "icon_hash": None, "splash": None,
            "discovery_splash": None, "banner": None, "description": None, "owner_id": self.owner_id,
            "afk_channel_id": None, "afk_timeout": 300, "widget_enabled": False, "widget_channel_id": None,
            "verification_level": 1, "default_message_notifications": 1, "explicit_content_filter": 2,
            "features": list(self.features), "mfa_level": 0, "application_id": None, "system_channel_id": system,
            "system_channel_flags": 0, "rules_channel_id": None, "max_presences": None, "max_members": 500000,
            "vanity_url_code": None, "premium_tier": 0, "premium_subscription_count": 0,
            "preferred_locale": self.locale, "public_updates_channel_id": None, "max_video_channel_users": 25,
            "max_stage_video_channel_users": 50, "nsfw_level": 0, "nsfw": False, "premium_progress_bar_enabled": False,
            "safety_alerts_channel_id": None, "incidents_data": None, "latest_onboarding_question_id": None,
            "hub_type": None, "home_header": None, "version": int(time.time() * 1000),
            "roles": [dict(r) for r in self.roles.values()], "emojis": [], "stickers": [],
            # GUILD_CREATE extras
            "joined_at": self.joined_at, "large": len(self.members) >= 250, "unavailable": False, "lazy": True,
            "member_count": len(self.members), "voice_states": [],
            "members": [dict(m) for uid, m in self.members.items()
                        if intents & INTENT_GUILD_MEMBERS or uid == self._fake.bot_user["id"]],
            "channels": channels, "threads": [], "presences": [], "stage_instances": [],
            "guild_scheduled_events": [], "soundboard_sounds": [], "embedded_activities": [],
            "activity_instances": [], "application_command_counts": {},
        }

    def rest_payload(self) -> dict:
        p = self.create_payload()
        for k in ("joined_at", "large", "unavailable", "lazy", "member_count", "voice_states", "members", "channels",
                  "threads", "presences", "stage_instances", "guild_scheduled_events", "soundboard_sounds",
                  "embedded_activities", "activity_instances", "application_command_counts"):
            p.pop(k, None)
        p["region"] = "deprecated"
        return p


# ----------------------------------------------------------------------------------------------
# gateway


class _Session:
    def __init__(self, sid: str, intents: int, shard: Optional[list]) -> None:
        self.id = sid
        self.intents = intents
        self.shard = shard
        self.seq = 0
        self.buffer: deque = deque(maxlen=2000)  # (frame, record or None)
        self.conn: Optional[GatewayConnection] = None
        self.invalid = False
        self.lock = asyncio.Lock()
        self.created_at = time.time()


class GatewayConnection:
    """One websocket connection to the fake gateway."""

    def __init__(self, fake: "FakeDiscord", number: int, ws: web.WebSocketResponse, request: web.Request) -> None:
        self.number = number
        self.ws = ws
        self.transport = request.transport
        self.path = request.path
        self.query = dict(request.query)
        self.compression: Optional[str] = None
        requested = self.query.get("compress")
        if requested == "zlib-stream" and fake.gateway_compression:
            self.compression = "zlib-stream"
            self._zlib = zlib.compressobj()
        elif requested == "zstd-stream" and fake.gateway_compression and _zstd is not None:
            self.compression = "zstd-stream"
            self._zstd = _zstd.ZstdCompressor().compressobj()
        self.session: Optional[_Session] = None
        self.identified = False
        self.resumed = False
        self.opened_at = time.time()
        self.closed_at: Optional[float] = None
        self.close_code: Optional[int] = None
        self.closed_by: Optional[str] = None  # "client", "server", "abort"
        self.heartbeats = 0
        self.last_heartbeat: Optional[float] = None
        self.received_ops: List[int] = []
        self.sent: List[Tuple[int, Optional[str], Optional[int]]] = []  # (op, t, s)
        self.send_times: deque = deque(maxlen=200)
        self.lock = asyncio.Lock()

    @property
    def open(self) -> bool:
        return not self.ws.closed and self.closed_at is None

    async def send(self, frame: dict) -> bool:
        """Send one frame; the caller serialises with ``self.lock``. Returns False if it could not."""
        if not self.open:
            return False
        data = json.dumps(frame, separators=(",", ":"), ensure_ascii=False)
        try:
            if self.compression == "zlib-stream":
                await self.ws.send_bytes(self._zlib.compress(data.encode()) + self._zlib.flush(zlib.Z_SYNC_FLUSH))
            elif self.compression == "zstd-stream":
                await self.ws.send_bytes(self._zstd.compress(data.encode()) + self._zstd.flush(1))  # FLUSH_BLOCK
            else:
                await self.ws.send_str(data)
        except (ConnectionError, RuntimeError, OSError) as exc:
            log.debug("gateway send failed on connection %s: %r", self.number, exc)
            return False
        self.sent.append((frame.get("op"), frame.get("t"), frame.get("s")))
        return True

    def __repr__(self) -> str:
        return (f"<GatewayConnection #{self.number} path={self.path} open={self.open} identified={self.identified} "
                f"resumed={self.resumed} close_code={self.close_code} by={self.closed_by}>")


# ----------------------------------------------------------------------------------------------
# the fake


@dataclass
class _Injection:
    method: str
    route: str
    remaining: int
    status: int
    retry_after: float = 0.0
    is_global: bool = False
    scope: str = "user"
    body: Optional[dict] = None
    hits: int = 0

    def matches(self, method: str, template: Optional[str], path: str) -> bool:
        if self.remaining <= 0 or self.method not in ("*", method):
            return False
        if "{" in self.route:
            return template == self.route
        return fnmatch.fnmatchcase(path, self.route)


Handler = Callable[["_Req"], Awaitable[Tuple[int, Any]]]


@dataclass
class _Req:
    method: str
    path: str
    params: Dict[str, str]
    query: Dict[str, str]
    json: Any
    files: List[Dict[str, Any]]
    headers: Any
    route: str


class FakeDiscord:
    """A fake Discord API v10 + gateway on 127.0.0.1.

    Parameters
    ----------
    token: the bot token the fake accepts (``Authorization: Bot <token>`` and gateway IDENTIFY).
    heartbeat_interval: milliseconds, sent in HELLO (Discord uses 41250; tests use ~1000-5000).
    callback_deadline: seconds after creation within which an interaction must be answered (3.0).
    gateway_compression: honour ``compress=zlib-stream`` (True) or always send plain text frames.
    allowed_intents: privileged intents enabled "in the developer portal"; ``None`` allows all,
        otherwise IDENTIFY asking for other privileged intents is closed with 4014.
    default_guild: create "Test Guild" with #general, #mod-log, roles Moderator and the bot's role,
        and the members owner, alice (plain user), mod (Moderator) and the bot.
    echo_message_events: dispatch MESSAGE_CREATE/UPDATE/DELETE for messages the bot makes
        (when its intents ask for guild messages, or DM messages in a DM), as Discord does.

    Messages people write are sent with :meth:`post_message` (a channel, a reply, a DM, a webhook);
    the bot receives them as Discord sends them: only with the matching intent, and without their
    content unless the bot has MESSAGE_CONTENT, is mentioned, or is in the DM. DM channels are made
    with :meth:`open_dm`; a DM interaction (``dm=True``) happens in the user's DM channel.
    """

    def __init__(self, *, token: Optional[str] = None, bot_name: str = "LoreBot", heartbeat_interval: int = 41250,
                 callback_deadline: float = 3.0, gateway_compression: bool = True,
                 allowed_intents: Optional[int] = None, default_guild: bool = True,
                 echo_message_events: bool = True, application_flags: int = 1 << 23) -> None:
        self._snowflake = _Snowflakes()
        self.application_id: str = self._snowflake()
        if token is None:
            prefix = base64.urlsafe_b64encode(self.application_id.encode()).decode().rstrip("=")
            token = f"{prefix}.{secrets.token_urlsafe(4)}.{secrets.token_urlsafe(27)}"
        self.token: str = token
        self.heartbeat_interval = heartbeat_interval
        self.callback_deadline = callback_deadline
        self.gateway_compression = gateway_compression
        self.allowed_intents = allowed_intents
        self.echo_message_events = echo_message_events
        self.application_flags = application_flags
        #: False: swallow heartbeats without op 11 ACK (a zombie connection, from the client's side).
        self.ack_heartbeats = True
        #: Seconds to wait before sending HELLO on a new connection (a slow gateway). While a client
        #: waits, events for its session are buffered and replayed after RESUME.
        self.hello_delay = 0.0

        self.host = "127.0.0.1"
        self.port: Optional[int] = None
        self._runner: Optional[web.AppRunner] = None
        self._started = False

        # state
        self._users: Dict[str, dict] = {}
        self.guilds: Dict[str, FakeGuild] = {}
        self._channel_guild: Dict[str, FakeGuild] = {}
        self.bot_user: dict = self.create_user(bot_name, bot=True, user_id=self.application_id, discriminator="4321")
        self.global_commands: List[dict] = []
        self.guild_commands: Dict[str, List[dict]] = {}
        self.interactions: Dict[str, InteractionRecord] = {}
        self._interactions_by_token: Dict[str, InteractionRecord] = {}
        self._messages: Dict[str, dict] = {}
        self._message_meta: Dict[str, dict] = {}
        self.message_log: List[dict] = []  # {"kind", "message", "interaction_id", "at"}
        #: messages people wrote (post_message), by id, as written (full content)
        self._user_messages: Dict[str, dict] = {}
        #: DM channels with the bot (open_dm), by channel id and by the user's id
        self.dm_channels: Dict[str, dict] = {}
        self._dm_by_user: Dict[str, dict] = {}
        self._files: Dict[str, Tuple[bytes, str, str]] = {}

        # observation
        self.violations: List[Violation] = []
        self.requests: List[RequestRecord] = []
        self.rate_limited: List[RequestRecord] = []
        self._injections: List[_Injection] = []
        self.connections: List[GatewayConnection] = []
        self.sessions: Dict[str, _Session] = {}
        self._session: Optional[_Session] = None
        self._pending: List[Tuple[str, dict, Optional[InteractionRecord]]] = []
        self.identify_count = 0
        self.resume_count = 0
        self.failed_resume_count = 0
        self.heartbeat_count = 0
        self.identify_payloads: List[dict] = []
        self.presence_updates: List[dict] = []
        self.command_puts: List[dict] = []  # {"guild_id", "body", "status"}
        self._change = asyncio.Event()
        self._tasks: set = set()

        self.owner = self.create_user("owner")
        self.user = self.create_user("alice", global_name="Alice")
        self.moderator = self.create_user("mod", global_name="Moddy")
        self.guild: Optional[FakeGuild] = None
        if default_guild:
            g = self.add_guild("Test Guild", owner=self.owner)
            g.add_text_channel("general", topic="General chat")
            g.add_text_channel("mod-log", topic="Moderation log")
            mod_role = g.add_role("Moderator", Permissions.MODERATOR)
            bot_role = g.add_role(bot_name, Permissions.BOT, managed=True, tags={"bot_id": self.application_id})
            g.add_member(self.bot_user, [bot_role])
            g.add_member(self.user)
            g.add_member(self.moderator, [mod_role])

    # ------------------------------------------------------------------------------------------
    # lifecycle

    async def start(self) -> "FakeDiscord":
        if self._started:
            return self
        self._change = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("GET", "/gateway", self._ws_handler)
        app.router.add_route("GET", "/resume-gateway", self._ws_handler)
        app.router.add_route("GET", "/attachments/{channel_id}/{attachment_id}/{filename}", self._attachment_handler)
        app.router.add_route("GET", "/cdn/{tail:.*}", self._cdn_handler)
        app.router.add_route("*", "/{tail:.*}", self._http_handler)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=2.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        self.port = sock.getsockname()[1]
        site = web.SockSite(self._runner, sock)
        await site.start()
        self._started = True
        log.info("fake discord listening on %s (gateway %s)", self.api_base, self.gateway_url)
        return self

    async def stop(self) -> None:
        if not self._started:
            return
        self._started = False
        for conn in list(self.connections):
            if conn.open:
                try:
                    await asyncio.wait_for(conn.ws.close(code=1001, message=b"fake discord stopping"), 2.0)
                except Exception:
                    if conn.transport is not None:
                        conn.transport.abort()
        for t in list(self._tasks):
            t.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=2.0)
        if self._runner is not None:
            await asyncio.wait_for(self._runner.cleanup(), 10.0)
            self._runner = None

    async def __aenter__(self) -> "FakeDiscord":
        return await self.start()

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()

    # ------------------------------------------------------------------------------------------
    # addresses

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        """What to put into ``discord.http.Route.BASE`` (DISCORD_API_BASE)."""
        return f"{self.base_url}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """What GET /gateway/bot returns; discord.py appends ``?v=10&encoding=json&compress=...``."""
        return f"ws://{self.host}:{self.port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}/resume-gateway"

    def env(self, token_var: str = "DISCORD_TOKEN", base_var: str = "DISCORD_API_BASE",
            guild_var: Optional[str] = "DISCORD_GUILD_ID") -> Dict[str, str]:
        """Environment variables for a bot process pointed at this fake."""
        out = {base_var: self.api_base, token_var: self.token}
        if guild_var and self.guild is not None:
            out[guild_var] = self.guild.id
        return out

    @property
    def cdn_base(self) -> str:
        """A loopback stand-in for ``discord.asset.Asset.BASE`` (serves a 1x1 PNG for anything)."""
        return f"{self.base_url}/cdn"

    # ------------------------------------------------------------------------------------------
    # world building

    def create_user(self, username: str, *, global_name: Optional[str] = None, bot: bool = False,
                    user_id: Optional[str] = None, discriminator: str = "0") -> dict:
        uid = user_id or self._snowflake()
        user = {
            "id": uid, "username": username, "discriminator": discriminator, "global_name": global_name,
            "avatar": None, "avatar_decoration_data": None, "collectibles": None, "primary_guild": None,
            "public_flags": 0, "flags": 0, "banner": None, "accent_color": None,
        }
        if bot:
            user["bot"] = True
        self._users[uid] = user
        return user

    def add_guild(self, name: str, *, owner: Optional[dict] = None, guild_id: Optional[str] = None,
                  everyone_permissions: int = Permissions.DEFAULT_EVERYONE, locale: str = "en-US") -> FakeGuild:
        """Add a guild (before the bot connects; afterwards also call ``announce_guild``)."""
        g = FakeGuild(self, name, owner or self.owner, guild_id=guild_id, everyone_permissions=everyone_permissions,
                      locale=locale)
        self.guilds[g.id] = g
        if self.guild is None:
            self.guild = g
        return g

    async def announce_guild(self, guild: FakeGuild) -> None:
        """Dispatch GUILD_CREATE for a guild added while the bot is connected (the bot 'joins' it)."""
        if self.bot_user["id"] not in guild.members:
            guild.add_member(self.bot_user)
        sess = self._session
        payload = guild.create_payload(sess.intents if sess else INTENT_GUILD_MEMBERS)
        # A join omits "unavailable" (discord.py: absent -> on_guild_join, False -> on_guild_available).
        payload.pop("unavailable", None)
        await self.dispatch("GUILD_CREATE", payload)

    async def set_member_roles(self, user: Union[str, dict], roles: Iterable[Union[str, dict]],
                               guild: Optional[FakeGuild] = None) -> dict:
        """Change a member's roles and dispatch GUILD_MEMBER_UPDATE (if the members intent is on)."""
        g = guild or self._default_guild()
        member = g.member(user)
        member["roles"] = [g._role_id(r) for r in roles]
        sess = self._session
        if sess is not None and sess.intents & INTENT_GUILD_MEMBERS:
            await self.dispatch("GUILD_MEMBER_UPDATE", dict(member, guild_id=g.id))
        return member

    def _default_guild(self) -> FakeGuild:
        if self.guild is None:
            raise RuntimeError("the fake has no guild; call add_guild() first")
        return self.guild

    def _guild_of(self, guild: Any) -> Optional[FakeGuild]:
        if guild is None:
            return None
        if isinstance(guild, FakeGuild):
            return guild
        gid = guild["id"] if isinstance(guild, dict) else str(guild)
        return self.guilds[gid]

    def _user_of(self, user: Any) -> dict:
        if user is None:
            return self.user
        if isinstance(user, dict):
            self._users.setdefault(user["id"], user)
            return self._users[user["id"]]
        return self._users[str(user)]

    def get_channel(self, channel_id: str) -> Optional[dict]:
        g = self._channel_guild.get(str(channel_id))
        return g.channels.get(str(channel_id)) if g else None

    # ------------------------------------------------------------------------------------------
    # observation helpers

    def _now(self) -> float:
        return asyncio.get_running_loop().time()

    def _notify(self) -> None:
        ev = self._change
        self._change = asyncio.Event()
        ev.set()

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0, what: str = "a condition") -> Any:
        """Wait (bounded by ``timeout``) until ``predicate()`` is truthy; returns its value."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise asyncio.TimeoutError(f"timed out after {timeout}s waiting for {what}")
            ev = self._change
            try:
                await asyncio.wait_for(ev.wait(), min(remaining, 0.5))
            except asyncio.TimeoutError:
                pass

    def record_violation(self, kind: str, message: str, **kw: Any) -> Violation:
        v = Violation(kind, message, **kw)
        self.violations.append(v)
        log.warning("fake discord violation: %s", v)
        self._notify()
        return v

    def take_violations(self, kind: Optional[str] = None) -> List[Violation]:
        """Remove and return the violations of a kind (all when None) - for tests that provoke them."""
        taken = [v for v in self.violations if kind is None or v.kind == kind]
        self.violations = [v for v in self.violations if not (kind is None or v.kind == kind)]
        return taken

    def clear_violations(self) -> None:
        self.violations.clear()

    def assert_no_violations(self) -> None:
        if self.violations:
            lines = "\n  ".join(str(v) for v in self.violations)
            raise AssertionError(f"{len(self.violations)} Discord protocol violation(s):\n  {lines}")

    async def wait_for_violation(self, kind: Optional[str] = None, timeout: float = 5.0) -> Violation:
        return await self.wait_for(
            lambda: next((v for v in self.violations if kind is None or v.kind == kind), None),
            timeout=timeout, what=f"a violation of kind {kind!r}")

    @property
    def connection_count(self) -> int:
        return len(self.connections)

    @property
    def open_connections(self) -> List[GatewayConnection]:
        return [c for c in self.connections if c.open]

    @property
    def current_connection(self) -> Optional[GatewayConnection]:
        sess = self._session
        if sess is not None and sess.conn is not None and sess.conn.open:
            return sess.conn
        return None

    @property
    def gateway_ready(self) -> bool:
        """True while an identified/resumed connection is open."""
        return self.current_connection is not None

    @property
    def session_id(self) -> Optional[str]:
        return self._session.id if self._session else None

    @property
    def sequence(self) -> int:
        return self._session.seq if self._session else 0

    async def wait_for_ready_session(self, timeout: float = 10.0) -> GatewayConnection:
        """Wait until the bot is identified (or resumed) on an open connection."""
        return await self.wait_for(lambda: self.current_connection, timeout=timeout, what="a READY gateway session")

    async def wait_for_identify(self, count: int = 1, timeout: float = 10.0) -> None:
        await self.wait_for(lambda: self.identify_count >= count and self.current_connection, timeout=timeout,
                            what=f"{count} IDENTIFY(s)")

    async def wait_for_resume(self, count: int = 1, timeout: float = 10.0) -> None:
        await self.wait_for(lambda: self.resume_count >= count and self.current_connection, timeout=timeout,
                            what=f"{count} RESUME(s)")

    async def wait_for_connections(self, count: int, timeout: float = 10.0) -> None:
        await self.wait_for(lambda: len(self.connections) >= count, timeout=timeout,
                            what=f"{count} gateway connection(s)")

    async def wait_for_commands(self, guild: Any = None, count: int = 1, timeout: float = 10.0) -> List[dict]:
        """Wait until at least ``count`` commands are registered (globally, or in ``guild``)."""
        def get() -> Optional[List[dict]]:
            cmds = self.commands(guild)
            return cmds if len(cmds) >= count else None

        return await self.wait_for(get, timeout=timeout, what=f"{count} registered command(s)")

    async def wait_for_message(self, predicate: Optional[Callable[[dict], bool]] = None, *,
                               channel: Any = None, kind: Optional[str] = None, timeout: float = 5.0) -> dict:
        """Wait for a message (current state) the bot made, e.g. in the mod-log channel."""
        def find() -> Optional[dict]:
            for m in self.find_messages(channel=channel, kind=kind):
                if predicate is None or predicate(m):
                    return m
            return None

        return await self.wait_for(find, timeout=timeout, what="a matching message")

    # commands ----------------------------------------------------------------------------------
    def commands(self, guild: Any = None) -> List[dict]:
        """Registered commands: global when ``guild`` is None, else that guild's."""
        if guild is None:
            return list(self.global_commands)
        g = self._guild_of(guild)
        return list(self.guild_commands.get(g.id if g else str(guild), []))

    def find_command(self, name: str, guild: Any = _MISSING, type: int = 1) -> Optional[dict]:
        """Find a registered command by name: the guild's first (default guild), then global."""
        g = self._default_guild() if guild is _MISSING and self.guild else self._guild_of(None if guild is _MISSING else guild)
        if g is not None:
            for c in self.guild_commands.get(g.id, []):
                if c["name"] == name and c["type"] == type:
                    return c
        for c in self.global_commands:
            if c["name"] == name and c["type"] == type:
                return c
        return None

    # messages ----------------------------------------------------------------------------------
    @property
    def messages(self) -> List[dict]:
        """Every message the bot made (channel messages, responses, follow-ups), current state."""
        return list(self._messages.values())

    def find_messages(self, *, channel: Any = None, kind: Optional[str] = None,
                      include_ephemeral: bool = True) -> List[dict]:
        """Messages filtered by channel (id, payload or name in the default guild) and kind:
        "channel" (POST /channels/{id}/messages), "response" (interaction callback), "followup"."""
        cid = None
        if channel is not None:
            if isinstance(channel, dict):
                cid = channel["id"]
            else:
                cid = str(channel)
                if not cid.isdigit():
                    cid = self._default_guild().channel(cid)["id"]
        out = []
        for mid, m in self._messages.items():
            meta = self._message_meta.get(mid, {})
            if cid is not None and m["channel_id"] != cid:
                continue
            if kind is not None and meta.get("kind") != kind:
                continue
            if not include_ephemeral and m.get("flags", 0) & FLAG_EPHEMERAL:
                continue
            out.append(m)
        return out

    # rate limits / faults ---------------------------------------------------------------------
    def rate_limit_once(self, method: str, route: str, *, retry_after: float = 0.5, times: int = 1,
                        is_global: bool = False, scope: str = "user") -> _Injection:
        """Answer the next ``times`` matching requests with 429 (+ retry_after, X-RateLimit-*, Via).

        ``route`` is a template as Discord documents it ("/channels/{channel_id}/messages",
        "/interactions/{interaction_id}/{interaction_token}/callback", "/webhooks/{webhook_id}/{webhook_token}")
        or a glob on the concrete path ("/channels/123/messages")."""
        inj = _Injection(method.upper(), route, times, 429, retry_after=retry_after, is_global=is_global, scope=scope)
        self._injections.append(inj)
        return inj

    def fail_once(self, method: str, route: str, *, status: int = 500, times: int = 1,
                  body: Optional[dict] = None) -> _Injection:
        """Answer the next ``times`` matching requests with ``status`` (e.g. 500/502 - discord.py retries)."""
        inj = _Injection(method.upper(), route, times, status, body=body)
        self._injections.append(inj)
        return inj

    def check_openapi(self, spec_path: Optional[str] = None) -> List[str]:
        """Validate every recorded JSON request body (what the bot sent) and response body (what
        the fake answered) against Discord's OpenAPI description. Returns the problems found.

        ``spec_path`` defaults to $DISCORD_OPENAPI_SPEC or ``shared/specs/discord-openapi.json``
        next to the repository. Needs ``jsonschema`` (raises RuntimeError when it or the file is missing).
        """
        validators = _openapi_validators(spec_path)
        problems: List[str] = []
        for rec in self.requests:
            if rec.route is None:
                continue
            op = validators.operation(rec.route, rec.method)
            if op is None:
                problems.append(f"{rec.method} {rec.route}: not in the OpenAPI description")
                continue
            # Bodies the fake rejected are already violations; one it accepted must fit the spec.
            if rec.json is not None and 200 <= rec.status < 300:
                for err in validators.request_errors(op, rec.json):
                    problems.append(f"request {rec.method} {rec.path}: {err}")
            if rec.response is not None and rec.status:
                body = rec.response
                if rec.status >= 400 and isinstance(body, dict):
                    # The spec types the nested _errors[].code as integer; Discord sends strings
                    # ("BASE_TYPE_REQUIRED", as in its docs) and discord.py reads only "message".
                    body = {k: v for k, v in body.items() if k != "errors"}
                for err in validators.response_errors(op, rec.status, body):
                    problems.append(f"response {rec.status} to {rec.method} {rec.path}: {err}")
        return problems

    def assert_openapi_conformance(self, spec_path: Optional[str] = None) -> None:
        problems = self.check_openapi(spec_path)
        if problems:
            raise AssertionError("bodies that do not match Discord's OpenAPI description:\n  " + "\n  ".join(problems[:50]))

    # ------------------------------------------------------------------------------------------
    # gateway controls

    def _require_conn(self) -> GatewayConnection:
        conn = self.current_connection
        if conn is None:
            raise RuntimeError("no identified gateway connection is open")
        return conn

    async def _send_op(self, conn: GatewayConnection, op: int, d: Any) -> bool:
        async with conn.lock:
            return await conn.send({"op": op, "d": d, "s": None, "t": None})

    async def gateway_send_reconnect(self) -> GatewayConnection:
        """Send op 7 RECONNECT; the client should close and RESUME on resume_gateway_url."""
        conn = self._require_conn()
        await self._send_op(conn, 7, None)
        return conn

    async def gateway_invalid_session(self, resumable: bool = False) -> GatewayConnection:
        """Send op 9 INVALID_SESSION. Not resumable: the session is dead, the client must IDENTIFY."""
        conn = self._require_conn()
        if not resumable and conn.session is not None:
            self._kill_session(conn.session)
        await self._send_op(conn, 9, resumable)
        return conn

    async def gateway_request_heartbeat(self) -> GatewayConnection:
        """Send op 1 HEARTBEAT (Discord asking for an immediate heartbeat)."""
        conn = self._require_conn()
        await self._send_op(conn, 1, self.sequence or None)
        return conn

    async def gateway_close(self, code: int = 4000, reason: Optional[str] = None) -> GatewayConnection:
        """Close the current gateway connection with ``code`` (4000 is resumable; 4007/4009 kill the
        session; 4004/4010-4014 make discord.py give up)."""
        conn = self._require_conn()
        if code in SESSION_KILLING_CLOSE_CODES and conn.session is not None:
            self._kill_session(conn.session)
        await self._close_conn(conn, code, reason or GATEWAY_CLOSE_MESSAGES.get(code, ""))
        return conn

    async def gateway_abort(self) -> GatewayConnection:
        """Drop the TCP connection without a close frame (like a network failure)."""
        conn = self._require_conn()
        conn.closed_by = "abort"
        conn.close_code = 1006
        if conn.transport is not None:
            conn.transport.abort()
        await self.wait_for(lambda: not conn.open or conn.ws.closed, timeout=5.0, what="the aborted connection to end")
        return conn

    async def dispatch(self, event: str, data: Any) -> Optional[int]:
        """Send a DISPATCH (op 0) event in the current session (buffered for RESUME). Returns its seq,
        or None when queued until the next READY."""
        return await self._dispatch(event, data)

    async def _close_conn(self, conn: GatewayConnection, code: int, reason: str) -> None:
        if conn.closed_by is None:
            conn.closed_by = "server"
            conn.close_code = code
        try:
            await asyncio.wait_for(conn.ws.close(code=code, message=reason.encode()[:120]), 3.0)
        except Exception:
            if conn.transport is not None:
                conn.transport.abort()
        self._notify()

    def _close_conn_soon(self, conn: GatewayConnection, code: int, reason: str) -> None:
        task = asyncio.ensure_future(self._close_conn(conn, code, reason))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _kill_session(self, sess: _Session) -> None:
        sess.invalid = True
        if self._session is sess:
            self._session = None
        # Events the session never delivered are lost; interactions among them fail for the user.
        for frame, rec in sess.buffer:
            if rec is not None and rec.delivery_count == 0 and not rec.dropped:
                rec.dropped = True
        self._notify()

    # ------------------------------------------------------------------------------------------
    # dispatch

    async def _dispatch(self, event: str, data: Any, record: Optional[InteractionRecord] = None) -> Optional[int]:
        sess = self._session
        if sess is None or sess.invalid:
            self._pending.append((event, data, record))
            if record is not None:
                record.queued = True
            self._notify()
            return None
        async with sess.lock:
            sess.seq += 1
            seq = sess.seq
            frame = {"op": 0, "t": event, "s": seq, "d": data}
            sess.buffer.append((frame, record))
            if record is not None:
                record.seq = seq
            conn = sess.conn
            delivered = False
            if conn is not None and conn.open:
                async with conn.lock:
                    delivered = await conn.send(frame)
            if record is not None:
                if delivered:
                    self._mark_delivered(record)
                else:
                    record.queued = True
        self._notify()
        return seq

    def _mark_delivered(self, record: InteractionRecord) -> None:
        record.delivery_count += 1
        if record.dispatched_at is None:
            record.dispatched_at = self._now()

    async def _flush_pending(self) -> None:
        pending, self._pending = self._pending, []
        for event, data, rec in pending:
            await self._dispatch(event, data, rec)

    # ------------------------------------------------------------------------------------------
    # websocket

    async def _ws_handler(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(timeout=3.0, autoping=True, compress=False, max_msg_size=16 * 1024 * 1024)
        await ws.prepare(request)
        conn = GatewayConnection(self, len(self.connections) + 1, ws, request)
        self.connections.append(conn)
        self._notify()
        q = conn.query
        if q.get("v") not in (None, str(API_VERSION)):
            self.record_violation("gateway_version", f"gateway v={q.get('v')} (expected {API_VERSION})", path=request.path_qs)
        if q.get("encoding") not in (None, "json"):
            self.record_violation("gateway_encoding", f"encoding={q.get('encoding')} (the fake speaks json)", path=request.path_qs)
        try:
            if self.hello_delay > 0:
                await asyncio.sleep(self.hello_delay)
            hello = {"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval,
                                     "_trace": ['["gateway-prd-fake-127-0-0-1",{"micros":0}]']}, "s": None, "t": None}
            async with conn.lock:
                await conn.send(hello)
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await self._on_ws_message(conn, msg.data)
                elif msg.type == WSMsgType.BINARY:
                    try:
                        text = msg.data.decode("utf-8")
                    except UnicodeDecodeError:
                        text = ""
                    await self._on_ws_message(conn, text)
                elif msg.type == WSMsgType.ERROR:
                    break
                if ws.closed:
                    break
        except (asyncio.CancelledError, ConnectionError):
            pass
        finally:
            conn.closed_at = time.time()
            if conn.closed_by is None:
                conn.closed_by = "client"
                conn.close_code = ws.close_code
            sess = conn.session
            if sess is not None:
                if sess.conn is conn:
                    sess.conn = None
                if conn.closed_by == "client" and conn.close_code in (1000, 1001):
                    # Discord: closing with 1000/1001 invalidates the session.
                    self._kill_session(sess)
            self._notify()
        return ws

    async def _on_ws_message(self, conn: GatewayConnection, text: str) -> None:
        try:
            payload = json.loads(text)
            op = payload["op"]
        except (ValueError, KeyError, TypeError):
            self.record_violation("gateway_decode", f"undecodable gateway payload: {text[:200]!r}")
            await self._close_conn(conn, 4002, "Decode error")
            return
        conn.received_ops.append(op)
        now = time.time()
        conn.send_times.append(now)
        recent = [t for t in conn.send_times if now - t < 60.0]
        if len(recent) > 120:
            self.record_violation("gateway_rate_limited", "more than 120 gateway payloads in 60 s")
            await self._close_conn(conn, 4008, "Rate limited")
            return
        d = payload.get("d")
        if op == 1:
            conn.heartbeats += 1
            conn.last_heartbeat = now
            self.heartbeat_count += 1
            if self.ack_heartbeats:
                await self._send_op(conn, 11, None)
            self._notify()
        elif op == 2:
            await self._on_identify(conn, d if isinstance(d, dict) else {})
        elif op == 6:
            await self._on_resume(conn, d if isinstance(d, dict) else {})
        elif op in (3, 4, 8):
            if conn.session is None:
                self.record_violation("gateway_not_authenticated", f"op {op} before IDENTIFY")
                await self._close_conn(conn, 4003, "Not authenticated")
                return
            if op == 3:
                self.presence_updates.append(d)
            elif op == 8:
                await self._on_request_members(conn, d if isinstance(d, dict) else {})
            self._notify()
        else:
            self.record_violation("gateway_unknown_opcode", f"unknown opcode {op}")
            await self._close_conn(conn, 4001, "Unknown opcode")

    async def _on_identify(self, conn: GatewayConnection, d: dict) -> None:
        self.identify_payloads.append(d)
        if conn.session is not None:
            self.record_violation("gateway_already_authenticated", "IDENTIFY twice on one connection")
            await self._close_conn(conn, 4005, "Already authenticated")
            return
        if d.get("token") != self.token:
            self.record_violation("gateway_auth_failed", "IDENTIFY with a wrong token")
            await self._close_conn(conn, 4004, "Authentication failed")
            return
        props = d.get("properties")
        if not isinstance(props, dict) or not {"os", "browser", "device"} <= set(props):
            self.record_violation("gateway_decode", "IDENTIFY without properties {os, browser, device}", detail=props)
            await self._close_conn(conn, 4002, "Decode error")
            return
        intents = d.get("intents")
        if not isinstance(intents, int) or intents < 0 or intents >= (1 << 26):
            self.record_violation("gateway_invalid_intents", f"IDENTIFY with intents={intents!r}")
            await self._close_conn(conn, 4013, "Invalid intent(s)")
            return
        if self.allowed_intents is not None and intents & PRIVILEGED_INTENTS & ~self.allowed_intents:
            self.record_violation("gateway_disallowed_intents", f"privileged intents {intents & PRIVILEGED_INTENTS:#x} not enabled")
            await self._close_conn(conn, 4014, "Disallowed intent(s)")
            return
        shard = d.get("shard")
        if shard is not None and (not isinstance(shard, list) or len(shard) != 2 or not 0 <= shard[0] < shard[1]):
            self.record_violation("gateway_invalid_shard", f"shard={shard!r}")
            await self._close_conn(conn, 4010, "Invalid shard")
            return
        old = self._session
        if old is not None:
            self._kill_session(old)
        sess = _Session(secrets.token_hex(16), intents, shard)
        self.sessions[sess.id] = sess
        self._session = sess
        sess.conn = conn
        conn.session = sess
        conn.identified = True
        self.identify_count += 1
        me = dict(self.bot_user, verified=True, mfa_enabled=False, email=None, locale="en-US", premium_type=0, bio="")
        ready = {
            "v": API_VERSION, "user_settings": {}, "user": me,
            "guilds": [{"id": g.id, "unavailable": True} for g in self.guilds.values() if self.bot_user["id"] in g.members],
            "session_id": sess.id, "session_type": "normal", "resume_gateway_url": self.resume_gateway_url,
            "application": {"id": self.application_id, "flags": self.application_flags},
            "private_channels": [], "relationships": [], "presences": [], "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["us-east", "us-central"], "auth": {},
            "_trace": ['["gateway-prd-fake-127-0-0-1",{"micros":0}]'],
        }
        if shard is not None:
            ready["shard"] = shard
        await self._dispatch("READY", ready)
        for g in self.guilds.values():
            if self.bot_user["id"] in g.members:
                await self._dispatch("GUILD_CREATE", g.create_payload(intents))
        await self._flush_pending()
        self._notify()

    async def _on_resume(self, conn: GatewayConnection, d: dict) -> None:
        if conn.session is not None:
            self.record_violation("gateway_already_authenticated", "RESUME on an authenticated connection")
            await self._close_conn(conn, 4005, "Already authenticated")
            return
        if d.get("token") != self.token:
            self.record_violation("gateway_auth_failed", "RESUME with a wrong token")
            await self._close_conn(conn, 4004, "Authentication failed")
            return
        sess = self.sessions.get(str(d.get("session_id")))
        seq = d.get("seq")
        oldest = sess.buffer[0][0]["s"] if sess is not None and sess.buffer else 1
        if sess is None or sess.invalid or sess is not self._session or not isinstance(seq, int) or seq < oldest - 1:
            # Discord answers an unresumable session with INVALID_SESSION(false).
            self.failed_resume_count += 1
            await self._send_op(conn, 9, False)
            self._notify()
            return
        if seq > sess.seq:
            self.record_violation("gateway_invalid_seq", f"RESUME with seq {seq} > last sent {sess.seq}")
            self._kill_session(sess)
            await self._close_conn(conn, 4007, "Invalid seq")
            return
        old = sess.conn
        if old is not None and old is not conn and old.open:
            self._close_conn_soon(old, 4000, "Session resumed elsewhere")
        async with sess.lock:
            sess.conn = conn
            conn.session = sess
            conn.resumed = True
            async with conn.lock:
                for frame, rec in list(sess.buffer):
                    if frame["s"] > seq:
                        if await conn.send(frame) and rec is not None:
                            self._mark_delivered(rec)
                sess.seq += 1
                frame = {"op": 0, "t": "RESUMED", "s": sess.seq, "d": {"_trace": ['["gateway-prd-fake",{"micros":0}]']}}
                sess.buffer.append((frame, None))
                await conn.send(frame)
        self.resume_count += 1
        self._notify()

    async def _on_request_members(self, conn: GatewayConnection, d: dict) -> None:
        gids = d.get("guild_id")
        for gid in gids if isinstance(gids, list) else [gids]:
            g = self.guilds.get(str(gid))
            if g is None:
                continue
            members = list(g.members.values())
            user_ids = d.get("user_ids")
            not_found: List[str] = []
            if user_ids:
                ids = [str(u) for u in (user_ids if isinstance(user_ids, list) else [user_ids])]
                members = [m for m in members if m["user"]["id"] in ids]
                not_found = [u for u in ids if u not in g.members]
            elif d.get("query"):
                q = str(d["query"]).lower()
                members = [m for m in members if m["user"]["username"].lower().startswith(q)]
            limit = d.get("limit") or 0
            if limit:
                members = members[:limit]
            chunk = {"guild_id": g.id, "members": members, "chunk_index": 0, "chunk_count": 1, "not_found": not_found}
            if d.get("nonce") is not None:
                chunk["nonce"] = d["nonce"]
            if d.get("presences"):
                chunk["presences"] = []
            await self._dispatch("GUILD_MEMBERS_CHUNK", chunk)

    # ------------------------------------------------------------------------------------------
    # interactions (test side)

    def _new_interaction_token(self, iid: str) -> str:
        raw = f"interaction:{iid}:{secrets.token_urlsafe(90)}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def _resolve_channel(self, g: Optional[FakeGuild], channel: Any) -> dict:
        if g is None:
            raise ValueError("a channel needs a guild (use dm=True for a DM)")
        if channel is None:
            return next(iter(g.channels.values()))
        if isinstance(channel, dict):
            return g.channels[channel["id"]]
        return g.channels[g._channel_id(channel)]

    def build_interaction(self, type: int, data: Optional[dict] = None, *, guild: Any = _MISSING, channel: Any = None,
                          user: Any = None, roles: Optional[Iterable[Union[str, dict]]] = None,
                          permissions: Optional[int] = None, message: Optional[dict] = None,
                          locale: str = "en-US", guild_locale: Optional[str] = None,
                          app_permissions: Optional[int] = None, dm: bool = False,
                          extra: Optional[dict] = None, guild_id: Any = None, channel_id: Any = None) -> dict:
        """Build a realistic INTERACTION_CREATE payload (see ``send_interaction``)."""
        if guild_id is not None:
            guild = guild_id
        if channel_id is not None:
            channel = channel_id
        iid = self._snowflake()
        u = self._user_of(user)
        payload: Dict[str, Any] = {
            "id": iid, "application_id": self.application_id, "type": type, "token": self._new_interaction_token(iid),
            "version": 1, "locale": locale, "entitlements": [], "entitlement_sku_ids": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if data is not None:
            payload["data"] = data
        if dm:
            dm_channel = self.open_dm(u)
            payload.update({
                "channel_id": dm_channel["id"],
                "channel": copy.deepcopy(dm_channel),
                "user": u, "context": 1, "authorizing_integration_owners": {"0": "0"},
                "app_permissions": str(Permissions.BOT | Permissions.USE_APPLICATION_COMMANDS),
            })
        else:
            g = self._default_guild() if guild is _MISSING else self._guild_of(guild)
            if g is None:
                raise ValueError("guild=None: pass dm=True for a DM interaction")
            ch = self._resolve_channel(g, channel)
            if u["id"] not in g.members:
                g.add_member(u)
            member = copy.deepcopy(g.members[u["id"]])
            role_ids = [g._role_id(r) for r in roles] if roles is not None else list(member["roles"])
            member["roles"] = role_ids
            perms = permissions if permissions is not None else g.permissions_for(u["id"], ch["id"], role_ids)
            member["permissions"] = str(perms)
            member["unusual_dm_activity_until"] = None
            bot_perms = app_permissions if app_permissions is not None else g.permissions_for(self.bot_user["id"], ch["id"])
            channel_payload = dict(ch, permissions=str(perms))
            payload.update({
                "guild_id": g.id, "guild": {"id": g.id, "locale": g.locale, "features": list(g.features)},
                "channel_id": ch["id"], "channel": channel_payload, "member": member,
                "guild_locale": guild_locale or g.locale, "app_permissions": str(bot_perms), "context": 0,
                "authorizing_integration_owners": {"0": g.id},
            })
        if message is not None:
            payload["message"] = message
        if extra:
            payload.update(extra)
        return payload

    async def send_interaction(self, type: int, data: Optional[dict] = None, *, deadline: Optional[float] = None,
                               payload: Optional[dict] = None, triggered_by: Optional[InteractionRecord] = None,
                               **kw: Any) -> InteractionRecord:
        """Dispatch INTERACTION_CREATE and return its :class:`InteractionRecord`.

        ``type``: 2 application command, 3 component, 4 autocomplete, 5 modal submit.
        Keywords (see ``build_interaction``): guild (FakeGuild/id; default guild), channel (payload,
        id or name; default first channel), user (payload or id; default ``fake.user``), roles
        (override the member's roles, names or ids), permissions (override the computed member
        permissions), message (for components), locale, guild_locale, app_permissions, dm=True,
        extra (merged into the payload). ``deadline`` overrides ``callback_deadline``.
        When the gateway is down the event is queued (buffered for RESUME, or sent after READY).
        """
        if payload is None:
            payload = self.build_interaction(type, data, **kw)
        rec = InteractionRecord(self, payload, self.callback_deadline if deadline is None else deadline)
        rec.triggered_by = triggered_by
        self.interactions[rec.id] = rec
        self._interactions_by_token[rec.token] = rec
        await self._dispatch("INTERACTION_CREATE", payload, rec)
        return rec

    def _command_options_payload(self, cmd_options: List[dict], values: Dict[str, Any], g: Optional[FakeGuild],
                                 resolved: Dict[str, dict], focused: Optional[str] = None) -> List[dict]:
        by_name = {o["name"]: o for o in cmd_options}
        for o in cmd_options:
            if focused is None and o.get("required") and o["name"] not in values and o["type"] not in (1, 2):
                raise ValueError(f"required option {o['name']!r} missing (Discord's client would not send this)")
        out = []
        for name, value in values.items():
            opt = by_name.get(name)
            if opt is None:
                raise ValueError(f"option {name!r} is not registered (known: {sorted(by_name)})")
            t = opt["type"]
            entry: Dict[str, Any] = {"name": name, "type": t}
            if name == focused:
                entry["value"] = "" if value is None else str(value)
                entry["focused"] = True
            elif t == 6:
                u = self._user_of(value)
                entry["value"] = u["id"]
                resolved.setdefault("users", {})[u["id"]] = u
                if g is not None and u["id"] in g.members:
                    m = dict(g.members[u["id"]])
                    m.pop("user", None)
                    m["permissions"] = str(g.permissions_for(u["id"]))
                    resolved.setdefault("members", {})[u["id"]] = m
            elif t == 7:
                assert g is not None
                ch = self._resolve_channel(g, value)
                entry["value"] = ch["id"]
                resolved.setdefault("channels", {})[ch["id"]] = {
                    "id": ch["id"], "name": ch["name"], "type": ch["type"], "parent_id": ch["parent_id"],
                    "permissions": str(g.permissions_for(self.user["id"], ch["id"])), "flags": 0}
            elif t == 8:
                assert g is not None
                rid = g._role_id(value)
                entry["value"] = rid
                resolved.setdefault("roles", {})[rid] = dict(g.roles[rid])
            elif t == 4:
                entry["value"] = int(value)
            elif t == 10:
                entry["value"] = float(value)
            elif t == 5:
                entry["value"] = bool(value)
            else:
                entry["value"] = value
            out.append(entry)
        return out

    def _command_data(self, name: str, options: Optional[Dict[str, Any]], g: Optional[FakeGuild],
                      guild_arg: Any, focused: Optional[str] = None) -> dict:
        parts = name.split()
        cmd = self.find_command(parts[0], guild=guild_arg)
        if cmd is None:
            raise ValueError(f"command {parts[0]!r} is not registered (global or in the guild)")
        data: Dict[str, Any] = {"id": cmd["id"], "name": cmd["name"], "type": 1}
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        resolved: Dict[str, dict] = {}
        opts_def = cmd.get("options") or []
        container = data
        for sub in parts[1:]:
            sub_def = next((o for o in opts_def if o["name"] == sub and o["type"] in (1, 2)), None)
            if sub_def is None:
                raise ValueError(f"no subcommand {sub!r} in {name!r}")
            entry: Dict[str, Any] = {"name": sub, "type": sub_def["type"], "options": []}
            container.setdefault("options", []).append(entry)
            container = entry
            opts_def = sub_def.get("options") or []
        built = self._command_options_payload(opts_def, options or {}, g, resolved, focused)
        if built or container is not data:
            container["options"] = built
        if resolved:
            data["resolved"] = resolved
        return data

    def _check_can_use(self, cmd: dict, g: Optional[FakeGuild], kw: Dict[str, Any]) -> None:
        """Discord's client does not offer a command the user may not use; refuse like it would."""
        if kw.pop("force", False):
            return
        contexts = cmd.get("contexts")
        if kw.get("dm"):
            if contexts is not None and 1 not in contexts or cmd.get("dm_permission") is False or cmd.get("guild_id"):
                raise PermissionError(f"command {cmd['name']!r} is not available in DMs")
            return
        if contexts is not None and 0 not in contexts:
            raise PermissionError(f"command {cmd['name']!r} is not available in guilds")
        dmp = cmd.get("default_member_permissions")
        if dmp is None or g is None:
            return
        u = self._user_of(kw.get("user"))
        if kw.get("permissions") is not None:
            perms = int(kw["permissions"])
        else:
            roles = kw.get("roles")
            role_ids = [g._role_id(r) for r in roles] if roles is not None else None
            perms = g.permissions_for(u["id"], None, role_ids)
        needed = int(dmp)
        if perms & Permissions.ADMINISTRATOR or perms == Permissions.ALL:
            return
        if needed == 0 or perms & needed != needed:
            raise PermissionError(f"{u['username']} lacks default_member_permissions {needed:#x} of "
                                  f"{cmd['name']!r}; Discord would not show it (pass force=True to send anyway)")

    def _normalise_kw(self, kw: Dict[str, Any]) -> Tuple[Any, Optional[FakeGuild]]:
        if kw.get("guild_id") is not None:
            kw["guild"] = kw.pop("guild_id")
        guild_arg = kw.get("guild", _MISSING)
        g = None if kw.get("dm") else (self._default_guild() if guild_arg is _MISSING else self._guild_of(guild_arg))
        return guild_arg, g

    async def send_slash_command(self, name: str, options: Optional[Dict[str, Any]] = None, **kw: Any) -> InteractionRecord:
        """Invoke a registered chat-input command like a user would. ``name`` may include subcommands
        ("lore ask"); ``options`` maps option names to values (users/channels/roles as payloads, ids or
        names). Keywords as for ``send_interaction``, plus ``force=True`` to skip the check that the
        user may see the command (default_member_permissions, contexts)."""
        guild_arg, g = self._normalise_kw(kw)
        data = self._command_data(name, options, g, _MISSING if guild_arg is _MISSING else guild_arg)
        self._check_can_use(self.find_command(data["name"], guild=guild_arg), g, kw)
        return await self.send_interaction(INTERACTION_APPLICATION_COMMAND, data, **kw)

    async def send_autocomplete(self, name: str, options: Optional[Dict[str, Any]] = None, *, focused: str,
                                **kw: Any) -> InteractionRecord:
        """Autocomplete for a registered command; ``focused`` names the option being typed, its value
        in ``options`` is the partial text (default "")."""
        guild_arg, g = self._normalise_kw(kw)
        opts = dict(options or {})
        opts.setdefault(focused, "")
        data = self._command_data(name, opts, g, _MISSING if guild_arg is _MISSING else guild_arg, focused=focused)
        self._check_can_use(self.find_command(data["name"], guild=guild_arg), g, kw)
        return await self.send_interaction(INTERACTION_AUTOCOMPLETE, data, **kw)

    async def send_context_menu(self, name: str, target: Union[dict, str], *, kind: int = 2, **kw: Any) -> InteractionRecord:
        """Invoke a user (kind=2) or message (kind=3) context menu command on ``target``."""
        guild_arg, g = self._normalise_kw(kw)
        cmd = self.find_command(name, guild=guild_arg, type=kind)
        if cmd is None:
            raise ValueError(f"context menu {name!r} (type {kind}) is not registered")
        self._check_can_use(cmd, g, kw)
        data: Dict[str, Any] = {"id": cmd["id"], "name": name, "type": kind}
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        if kind == 2:
            u = self._user_of(target)
            data["target_id"] = u["id"]
            data["resolved"] = {"users": {u["id"]: u}}
            if g is not None and u["id"] in g.members:
                m = dict(g.members[u["id"]])
                m.pop("user", None)
                m["permissions"] = str(g.permissions_for(u["id"]))
                data["resolved"]["members"] = {u["id"]: m}
        else:
            msg = self.message(target)
            data["target_id"] = msg["id"]
            data["resolved"] = {"messages": {msg["id"]: msg}}
        return await self.send_interaction(INTERACTION_APPLICATION_COMMAND, data, **kw)

    def _find_component(self, message: dict, custom_id: str) -> Optional[dict]:
        stack = list(message.get("components") or [])
        while stack:
            c = stack.pop(0)
            if c.get("custom_id") == custom_id:
                return c
            stack.extend(c.get("components") or [])
            if isinstance(c.get("accessory"), dict):
                stack.append(c["accessory"])
            if isinstance(c.get("component"), dict):
                stack.append(c["component"])
        return None

    def _message_for_component(self, message: Union[dict, str]) -> dict:
        if isinstance(message, dict):
            return self._messages.get(message["id"], message)
        return self._messages[str(message)]

    async def click_button(self, message: Union[dict, str], custom_id: str, **kw: Any) -> InteractionRecord:
        """Click a button on a message the bot sent (``message`` payload or id)."""
        msg = self._message_for_component(message)
        comp = self._find_component(msg, custom_id)
        if comp is None or comp.get("type") != 2:
            raise ValueError(f"message {msg['id']} has no button with custom_id {custom_id!r}")
        if comp.get("disabled"):
            raise ValueError(f"button {custom_id!r} is disabled; a user cannot click it")
        data = {"custom_id": custom_id, "component_type": 2, "id": comp.get("id")}
        kw.setdefault("channel", msg["channel_id"])
        return await self.send_interaction(INTERACTION_MESSAGE_COMPONENT, _strip_none(data), message=copy.deepcopy(msg), **kw)

    async def select_option(self, message: Union[dict, str], custom_id: str, values: List[str], **kw: Any) -> InteractionRecord:
        """Choose ``values`` in a string select menu on a message the bot sent."""
        msg = self._message_for_component(message)
        comp = self._find_component(msg, custom_id)
        if comp is None or comp.get("type") not in (3, 5, 6, 7, 8):
            raise ValueError(f"message {msg['id']} has no select menu with custom_id {custom_id!r}")
        data = {"custom_id": custom_id, "component_type": comp["type"], "values": list(values), "id": comp.get("id")}
        kw.setdefault("channel", msg["channel_id"])
        return await self.send_interaction(INTERACTION_MESSAGE_COMPONENT, _strip_none(data), message=copy.deepcopy(msg), **kw)

    async def submit_modal(self, modal: dict, values: Dict[str, str], *, message: Optional[dict] = None,
                           **kw: Any) -> InteractionRecord:
        """Submit a modal the bot opened (``modal`` = the callback's ``data``, e.g. ``record.modal``)."""
        comps = []
        for row in modal.get("components", []):
            if row.get("type") == 1:
                inner = []
                for c in row.get("components", []):
                    inner.append({"type": c["type"], "id": c.get("id"), "custom_id": c["custom_id"],
                                  "value": values.get(c["custom_id"], c.get("value") or "")})
                comps.append({"type": 1, "id": row.get("id"), "components": inner})
            elif row.get("type") == 18 and isinstance(row.get("component"), dict):
                c = row["component"]
                inner_c: Dict[str, Any] = {"type": c["type"], "id": c.get("id"), "custom_id": c.get("custom_id")}
                if c["type"] == 4:
                    inner_c["value"] = values.get(c["custom_id"], c.get("value") or "")
                else:
                    inner_c["values"] = values.get(c["custom_id"], [])
                comps.append({"type": 18, "id": row.get("id"), "component": inner_c})
        data = {"custom_id": modal["custom_id"], "components": comps}
        origin = next((r for r in reversed(list(self.interactions.values()))
                       if r.modal is not None and r.modal.get("custom_id") == modal.get("custom_id")), None)
        if message is None and origin is not None and origin.type == INTERACTION_MESSAGE_COMPONENT:
            message = origin.payload.get("message")
        return await self.send_interaction(INTERACTION_MODAL_SUBMIT, data, message=message, triggered_by=origin, **kw)

    # ------------------------------------------------------------------------------------------
    # messages people write (gateway MESSAGE_CREATE) and DM channels

    def open_dm(self, user: Any = None) -> dict:
        """The DM channel between the bot and ``user`` (payload, id or None for ``fake.user``)."""
        u = self._user_of(user)
        ch = self._dm_by_user.get(u["id"])
        if ch is None:
            cid = self._snowflake()
            ch = {"id": cid, "type": 1, "last_message_id": None, "flags": 0, "recipients": [u]}
            self.dm_channels[cid] = ch
            self._dm_by_user[u["id"]] = ch
        return ch

    def message(self, message: Union[dict, str]) -> dict:
        """A message by payload or id: one the bot made, or one a person wrote (full content)."""
        mid = message["id"] if isinstance(message, dict) else str(message)
        found = self._messages.get(mid) or self._user_messages.get(mid)
        if found is None:
            if isinstance(message, dict):
                return message
            raise KeyError(f"no message {mid}")
        return found

    def replies_to(self, message: Union[dict, str]) -> List[dict]:
        """The bot's messages that reply to ``message`` (carry a reference to it), oldest first."""
        mid = message["id"] if isinstance(message, dict) else str(message)
        return [m for m in self._messages.values() if (m.get("message_reference") or {}).get("message_id") == mid]

    async def wait_for_reply(self, message: Union[dict, str], timeout: float = 5.0) -> dict:
        """Wait for the bot's reply to ``message``."""
        return await self.wait_for(lambda: next(iter(self.replies_to(message)), None), timeout=timeout,
                                   what=f"a reply to message {message['id'] if isinstance(message, dict) else message}")

    def user_message(self, content: str, *, user: Any = None, channel: Any = None, guild: Any = _MISSING,
                     dm: bool = False, reply_to: Union[dict, str, None] = None, ping_reply: bool = True,
                     webhook: Optional[str] = None) -> dict:
        """Build a message as a person writes it (not sent; see :meth:`post_message`).

        ``channel``: payload, id or name in ``guild`` (default guild, first channel); ``dm=True``: the
        user's DM channel with the bot. Mentions are read from the content like Discord does
        (``<@id>``, ``<@&id>``, ``@everyone``/``@here``). ``reply_to``: a message in the same channel;
        with ``ping_reply`` (Discord's default) its author is added to ``mentions``, as Discord does
        for a reply with the mention on, and the content does not contain it. ``webhook``: the name
        of a webhook that posts the message instead of a user."""
        u = self._user_of(user)
        g: Optional[FakeGuild] = None
        if dm:
            ch = self.open_dm(u)
        else:
            g = self._default_guild() if guild is _MISSING else self._guild_of(guild)
            ch = self._resolve_channel(g, channel)
            if webhook is None and u["id"] not in g.members:  # type: ignore[union-attr]
                g.add_member(u)  # type: ignore[union-attr]
        webhook_id = None
        if webhook is not None:
            webhook_id = self._snowflake()
            u = {"id": webhook_id, "username": webhook, "avatar": None, "discriminator": "0000", "bot": True,
                 "global_name": None, "public_flags": 0, "flags": 0}
        mentions = [self._users[uid] for uid in dict.fromkeys(re.findall(r"<@!?(\d+)>", content)) if uid in self._users]
        roles = [rid for rid in dict.fromkeys(re.findall(r"<@&(\d+)>", content)) if g is not None and rid in g.roles]
        msg: Dict[str, Any] = {
            "type": 0, "content": content, "mentions": mentions, "mention_roles": roles,
            "attachments": [], "embeds": [], "timestamp": _iso(), "edited_timestamp": None, "flags": 0,
            "components": [], "id": self._snowflake(), "channel_id": ch["id"], "author": u, "pinned": False,
            "mention_everyone": g is not None and bool(re.search(r"@(everyone|here)\b", content)), "tts": False,
        }
        if webhook_id is not None:
            msg["webhook_id"] = webhook_id
        if reply_to is not None:
            ref = self.message(reply_to)
            if ref["channel_id"] != ch["id"]:
                raise ValueError("a reply must be in the channel of the message it replies to")
            msg["type"] = 19
            msg["message_reference"] = _strip_none({"type": 0, "message_id": ref["id"], "channel_id": ch["id"],
                                                    "guild_id": g.id if g else None})
            msg["referenced_message"] = copy.deepcopy(ref)
            if ping_reply and all(m["id"] != ref["author"]["id"] for m in mentions):
                mentions.append(ref["author"])
        return msg

    async def post_message(self, content: str, **kw: Any) -> dict:
        """A person (or a webhook) posts a message: it is stored and MESSAGE_CREATE is dispatched to
        the bot as Discord would (see :meth:`gateway_message`). Keywords as for :meth:`user_message`.
        Returns the message as written, usable as a context-menu target or a ``reply_to``."""
        msg = self.user_message(content, **kw)
        self._user_messages[msg["id"]] = msg
        ch = self.get_channel(msg["channel_id"]) or self.dm_channels.get(msg["channel_id"])
        if ch is not None:
            ch["last_message_id"] = msg["id"]
        sess = self._session
        event = self.gateway_message(msg, sess.intents if sess is not None else None)
        if event is not None:
            await self._dispatch("MESSAGE_CREATE", event)
        self._notify()
        return msg

    def gateway_message(self, msg: dict, intents: Optional[int]) -> Optional[dict]:
        """MESSAGE_CREATE for ``msg`` as a session with ``intents`` receives it (None: not at all).

        Guild messages need GUILD_MESSAGES, DMs need DIRECT_MESSAGES. Without MESSAGE_CONTENT the
        content, embeds, attachments and components are empty, except in DMs, in messages that
        mention the bot and in the bot's own messages. (``intents`` None: no session yet; the event
        is queued as written and filtered like this by nobody, which a test should avoid.)"""
        g = self._channel_guild.get(msg["channel_id"])
        bot_id = self.bot_user["id"]
        if intents is not None:
            needed = INTENT_DIRECT_MESSAGES if g is None else INTENT_GUILD_MESSAGES
            if not intents & needed:
                return None
        event = copy.deepcopy(msg)
        readable = (
            intents is None or intents & INTENT_MESSAGE_CONTENT or g is None
            or msg["author"]["id"] == bot_id or any(m["id"] == bot_id for m in msg.get("mentions", []))
        )
        if not readable:
            event.update(content="", embeds=[], attachments=[], components=[])
            event.pop("poll", None)
        if g is not None:
            event["guild_id"] = g.id
            member = g.members.get(msg["author"]["id"])
            if member is not None and "webhook_id" not in msg:
                event["member"] = {k: v for k, v in member.items() if k != "user"}
        return event

    # ------------------------------------------------------------------------------------------
    # HTTP plumbing

    def _routes(self) -> List[Tuple[str, str, Handler, bool]]:
        return [
            ("GET", "/users/@me", self._h_me, True),
            ("GET", "/users/{user_id}", self._h_user, True),
            ("GET", "/oauth2/applications/@me", self._h_app, True),
            ("GET", "/applications/@me", self._h_app, True),
            ("GET", "/gateway", self._h_gateway, False),
            ("GET", "/gateway/bot", self._h_gateway_bot, True),
            ("GET", "/applications/{application_id}/commands", self._h_get_commands, True),
            ("PUT", "/applications/{application_id}/commands", self._h_put_commands, True),
            ("POST", "/applications/{application_id}/commands", self._h_post_command, True),
            ("GET", "/applications/{application_id}/commands/{command_id}", self._h_get_command, True),
            ("DELETE", "/applications/{application_id}/commands/{command_id}", self._h_delete_command, True),
            ("GET", "/applications/{application_id}/guilds/{guild_id}/commands", self._h_get_commands, True),
            ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", self._h_put_commands, True),
            ("POST", "/applications/{application_id}/guilds/{guild_id}/commands", self._h_post_command, True),
            ("GET", "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}", self._h_get_command, True),
            ("DELETE", "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}", self._h_delete_command, True),
            ("POST", "/interactions/{interaction_id}/{interaction_token}/callback", self._h_callback, False),
            ("POST", "/webhooks/{webhook_id}/{webhook_token}", self._h_execute_webhook, False),
            ("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", self._h_webhook_message, False),
            ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", self._h_webhook_message, False),
            ("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", self._h_webhook_message, False),
            ("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", self._h_webhook_message, False),
            ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", self._h_webhook_message, False),
            ("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", self._h_webhook_message, False),
            ("GET", "/channels/{channel_id}", self._h_get_channel, True),
            ("GET", "/channels/{channel_id}/messages", self._h_list_messages, True),
            ("POST", "/channels/{channel_id}/messages", self._h_create_message, True),
            ("GET", "/channels/{channel_id}/messages/{message_id}", self._h_channel_message, True),
            ("PATCH", "/channels/{channel_id}/messages/{message_id}", self._h_channel_message, True),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}", self._h_channel_message, True),
            ("POST", "/channels/{channel_id}/typing", self._h_typing, True),
            ("GET", "/guilds/{guild_id}", self._h_get_guild, True),
            ("GET", "/guilds/{guild_id}/channels", self._h_guild_channels, True),
            ("GET", "/guilds/{guild_id}/roles", self._h_guild_roles, True),
            ("GET", "/guilds/{guild_id}/members/{user_id}", self._h_guild_member, True),
        ]

    _compiled: Optional[List[Tuple[str, str, "re.Pattern[str]", Handler, bool]]] = None

    def _match(self, method: str, path: str) -> Tuple[Optional[Tuple[str, Handler, bool]], Dict[str, str], bool]:
        if self._compiled is None:
            compiled = []
            for m, tmpl, h, auth in self._routes():
                rx = "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(tmpl)) + "$"
                compiled.append((m, tmpl, re.compile(rx), h, auth))
            self._compiled = compiled
        path_known = False
        for m, tmpl, rx, h, auth in self._compiled:
            mo = rx.match(path)
            if mo:
                if m == method:
                    return (tmpl, h, auth), mo.groupdict(), True
                path_known = True
        return None, {}, path_known

    def _rl_headers(self, template: Optional[str], params: Dict[str, str]) -> Dict[str, str]:
        bucket = hashlib.sha1((template or "unknown").encode()).hexdigest()[:32]
        return {
            "X-RateLimit-Bucket": bucket, "X-RateLimit-Limit": "50", "X-RateLimit-Remaining": "49",
            "X-RateLimit-Reset": f"{time.time() + 1.0:.3f}", "X-RateLimit-Reset-After": "1.000",
        }

    def _json_response(self, status: int, body: Any, headers: Optional[Dict[str, str]] = None) -> web.Response:
        h = {"Via": "1.1 google", "Content-Type": JSON}
        if headers:
            h.update(headers)
        return web.Response(status=status, body=json.dumps(body, ensure_ascii=False).encode(), headers=h)

    async def _read_body(self, request: web.Request) -> Tuple[Any, List[Dict[str, Any]]]:
        ctype = request.content_type
        if request.method in ("GET", "DELETE") and not request.can_read_body:
            return None, []
        if ctype.startswith("multipart/"):
            payload: Any = None
            files: List[Dict[str, Any]] = []
            reader = await request.multipart()
            for _ in range(64):
                part = await reader.next()
                if part is None:
                    break
                name = part.name or ""
                if name == "payload_json":
                    try:
                        payload = json.loads(await part.text())
                    except ValueError:
                        raise _ApiError(400, 50109, "The request body contains invalid JSON.", kind="invalid_json")
                else:
                    data = await part.read(decode=False)
                    files.append({"field": name, "filename": part.filename or name, "data": bytes(data),
                                  "content_type": part.headers.get("Content-Type", "application/octet-stream")})
            return payload, files
        raw = await request.read()
        if not raw:
            return None, []
        if ctype != JSON:
            raise _ApiError(400, 50035, "Invalid Form Body", kind="bad_content_type",
                            detail=f"body sent with Content-Type {ctype!r}")
        try:
            return json.loads(raw), []
        except ValueError:
            raise _ApiError(400, 50109, "The request body contains invalid JSON.", kind="invalid_json")

    async def _http_handler(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        method = request.method
        rec = RequestRecord(method, request.path_qs, None, dict(request.query),
                            {k: v for k, v in request.headers.items()}, None, [])
        self.requests.append(rec)
        try:
            if not path.startswith(API_PREFIX + "/"):
                raise _ApiError(404, 0, "404: Not Found", kind="unknown_route",
                                detail=f"{method} {path} (discord.py should use {API_PREFIX})")
            sub = path[len(API_PREFIX):]
            match, params, path_known = self._match(method, sub)
            if match is None:
                if path_known:
                    raise _ApiError(405, 0, "405: Method Not Allowed", kind="unknown_route", detail=f"{method} {sub}")
                raise _ApiError(404, 0, "404: Not Found", kind="unknown_route", detail=f"{method} {sub}")
            template, handler, needs_auth = match
            rec.route = template
            for inj in self._injections:
                if inj.matches(method, template, sub):
                    inj.remaining -= 1
                    inj.hits += 1
                    return self._injected_response(inj, rec, template, params)
            if needs_auth:
                auth = request.headers.get("Authorization")
                if auth != f"Bot {self.token}":
                    raise _ApiError(401, 0, "401: Unauthorized", kind="unauthorized",
                                    detail="missing Authorization" if auth is None else "wrong token or scheme")
            body, files = await self._read_body(request)
            rec.json = body
            rec.files = [{k: v for k, v in f.items() if k != "data"} for f in files]
            req = _Req(method, sub, params, dict(request.query), body, files, request.headers, template)
            status, out = await handler(req)
            rec.status = status
            headers = self._rl_headers(template, params)
            if out is None:
                return web.Response(status=status, headers=dict(headers, Via="1.1 google"))
            rec.response = copy.deepcopy(out)
            return self._json_response(status, out, headers)
        except _ApiError as err:
            rec.status = err.status
            rec.response = err.body()
            if err.violation:
                self.record_violation(err.kind, err.message, method=method, path=request.path_qs, status=err.status,
                                      detail=err.detail if err.detail is not None else err.errors)
            return self._json_response(err.status, err.body(), err.headers)
        finally:
            self._notify()

    def _injected_response(self, inj: _Injection, rec: RequestRecord, template: str, params: Dict[str, str]) -> web.Response:
        rec.status = inj.status
        if inj.status != 429:
            return self._json_response(inj.status, inj.body or {"message": "500: Internal Server Error", "code": 0})
        self.rate_limited.append(rec)
        headers = self._rl_headers(template, params)
        rec.response = {"message": "You are being rate limited.", "retry_after": inj.retry_after,
                        "global": inj.is_global, "code": 0}
        headers.update({
            "X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": f"{inj.retry_after:.3f}",
            "X-RateLimit-Reset": f"{time.time() + inj.retry_after:.3f}", "Retry-After": str(max(1, round(inj.retry_after))),
            "X-RateLimit-Scope": "global" if inj.is_global else inj.scope,
        })
        if inj.is_global:
            headers["X-RateLimit-Global"] = "true"
        body = {"message": "You are being rate limited.", "retry_after": inj.retry_after, "global": inj.is_global, "code": 0}
        return self._json_response(429, body, headers)

    def _record_plain(self, request: web.Request, status: int) -> None:
        self.requests.append(RequestRecord(request.method, request.path_qs, None, dict(request.query),
                                           dict(request.headers), None, [], status))
        self._notify()

    async def _attachment_handler(self, request: web.Request) -> web.StreamResponse:
        f = self._files.get(request.match_info["attachment_id"])
        self._record_plain(request, 404 if f is None else 200)
        if f is None:
            return web.Response(status=404, text="Not Found")
        data, ctype, _ = f
        return web.Response(status=200, body=data, headers={"Content-Type": ctype})

    async def _cdn_handler(self, request: web.Request) -> web.StreamResponse:
        self._record_plain(request, 200)
        png = base64.b64decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
        return web.Response(status=200, body=png, headers={"Content-Type": "image/png"})

    # ------------------------------------------------------------------------------------------
    # REST handlers: users, application, gateway

    async def _h_me(self, req: _Req) -> Tuple[int, Any]:
        return 200, dict(self.bot_user, verified=True, mfa_enabled=False, email=None, locale="en-US",
                         premium_type=0, bio="")

    async def _h_user(self, req: _Req) -> Tuple[int, Any]:
        u = self._users.get(req.params["user_id"])
        if u is None:
            raise _ApiError(404, 10013, "Unknown User", kind="unknown_user", violation=False)
        return 200, u

    async def _h_app(self, req: _Req) -> Tuple[int, Any]:
        return 200, {
            "id": self.application_id, "name": self.bot_user["username"], "icon": None, "description": "",
            "summary": "", "type": None, "hook": True, "bot_public": True, "bot_require_code_grant": False,
            "verify_key": hashlib.sha256(self.application_id.encode()).hexdigest(), "flags": self.application_flags,
            "flags_new": str(self.application_flags), "redirect_uris": [], "interactions_endpoint_url": None,
            "role_connections_verification_url": None, "event_webhooks_url": None, "event_webhooks_status": 1,
            "event_webhooks_types": [], "owner": self.owner, "team": None, "bot": self.bot_user,
            "approximate_guild_count": len(self.guilds), "approximate_user_install_count": 0,
            "approximate_user_authorization_count": 0, "explicit_content_filter": 0, "eligible_oauth2_scopes": [],
            "rpc_origins": [], "tags": [], "integration_types_config": {"0": {}},
            "install_params": {"scopes": ["bot", "applications.commands"], "permissions": str(Permissions.BOT)},
        }

    async def _h_gateway(self, req: _Req) -> Tuple[int, Any]:
        return 200, {"url": self.gateway_url}

    async def _h_gateway_bot(self, req: _Req) -> Tuple[int, Any]:
        return 200, {
            "url": self.gateway_url, "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": max(0, 1000 - self.identify_count),
                                    "reset_after": 86400000, "max_concurrency": 1},
        }

    # ------------------------------------------------------------------------------------------
    # REST handlers: application commands

    def _check_app(self, req: _Req) -> Optional[FakeGuild]:
        if req.params["application_id"] != self.application_id:
            raise _ApiError(403, 50001, "Missing Access", kind="wrong_application",
                            detail=f"application id {req.params['application_id']} is not {self.application_id}")
        gid = req.params.get("guild_id")
        if gid is None:
            return None
        g = self.guilds.get(gid)
        if g is None or self.bot_user["id"] not in g.members:
            raise _ApiError(403, 50001, "Missing Access", kind="unknown_guild", detail=f"guild {gid}")
        return g

    def _command_list(self, g: Optional[FakeGuild]) -> List[dict]:
        return self.global_commands if g is None else self.guild_commands.setdefault(g.id, [])

    async def _h_get_commands(self, req: _Req) -> Tuple[int, Any]:
        g = self._check_app(req)
        return 200, copy.deepcopy(self._command_list(g))

    async def _h_get_command(self, req: _Req) -> Tuple[int, Any]:
        g = self._check_app(req)
        for c in self._command_list(g):
            if c["id"] == req.params["command_id"]:
                return 200, copy.deepcopy(c)
        raise _ApiError(404, 10063, "Unknown application command", kind="unknown_command")

    async def _h_delete_command(self, req: _Req) -> Tuple[int, Any]:
        g = self._check_app(req)
        cmds = self._command_list(g)
        for i, c in enumerate(cmds):
            if c["id"] == req.params["command_id"]:
                del cmds[i]
                return 204, None
        raise _ApiError(404, 10063, "Unknown application command", kind="unknown_command")

    async def _h_put_commands(self, req: _Req) -> Tuple[int, Any]:
        g = self._check_app(req)
        body = req.json
        entry = {"guild_id": g.id if g else None, "body": body, "status": 0}
        self.command_puts.append(entry)
        errs = _Errors()
        if not isinstance(body, list):
            errs.add((), "BASE_TYPE_ARRAY", "Must be an array.")  # "null" is accepted by the spec too
            if body is not None:
                errs.raise_if_any()
            body = []
        validate_commands(body, errs, guild=g is not None)
        try:
            errs.raise_if_any()
            counts: Dict[int, int] = {}
            for c in body:
                counts[c.get("type") or 1] = counts.get(c.get("type") or 1, 0) + 1
            for ctype, limit in ((1, 100), (2, 15), (3, 15)):
                if counts.get(ctype, 0) > limit:
                    raise _ApiError(400, 30032, f"Maximum number of application commands reached ({limit})",
                                    kind="too_many_commands", detail=f"{counts[ctype]} commands of type {ctype}")
        except _ApiError as e:
            entry["status"] = e.status
            raise
        old = {(c["type"], c["name"]): c for c in self._command_list(g)}
        stored = [self._stored_command(c, old, g) for c in body]
        if g is None:
            self.global_commands = stored
        else:
            self.guild_commands[g.id] = stored
        entry["status"] = 200
        return 200, copy.deepcopy(stored)

    async def _h_post_command(self, req: _Req) -> Tuple[int, Any]:
        g = self._check_app(req)
        body = req.json
        errs = _Errors()
        if not isinstance(body, dict):
            errs.add((), "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            errs.raise_if_any()
        # validate as a one-element list, but report errors without the index
        sub = _Errors()
        validate_commands([body], sub, guild=g is not None)
        if sub:
            raise _ApiError(400, 50035, "Invalid Form Body", errors=sub.tree.get("0", sub.tree),
                            kind="invalid_form_body", detail=sub.flat)
        cmds = self._command_list(g)
        old = {(c["type"], c["name"]): c for c in cmds}
        ctype = body.get("type") or 1
        if (ctype, body.get("name")) not in old and sum(1 for c in cmds if c["type"] == ctype) >= (100 if ctype == 1 else 15):
            raise _ApiError(400, 30032, "Maximum number of application commands reached", kind="too_many_commands")
        stored = self._stored_command(body, old, g)
        status = 200 if (ctype, body.get("name")) in old else 201
        cmds[:] = [c for c in cmds if (c["type"], c["name"]) != (ctype, body.get("name"))] + [stored]
        return status, copy.deepcopy(stored)

    def _stored_command(self, c: dict, old: Dict[Tuple[int, str], dict], g: Optional[FakeGuild]) -> dict:
        ctype = c.get("type") or 1
        prev = old.get((ctype, c["name"]))
        dmp = c.get("default_member_permissions")
        out: Dict[str, Any] = {
            "id": prev["id"] if prev else self._snowflake(), "application_id": self.application_id,
            "version": self._snowflake(), "default_member_permissions": None if dmp is None else str(dmp),
            "type": ctype, "name": c["name"], "name_localizations": c.get("name_localizations"),
            "description": c.get("description") or "", "description_localizations": c.get("description_localizations"),
            "nsfw": bool(c.get("nsfw")),
            "integration_types": c.get("integration_types") or [0],
            "contexts": c.get("contexts"),
        }
        if c.get("options"):
            out["options"] = [_normalise_option(o) for o in c["options"]]
        if g is None:
            out["dm_permission"] = True if c.get("dm_permission") is None else bool(c["dm_permission"])
        else:
            out["guild_id"] = g.id
        if prev is not None:
            same = {k: v for k, v in prev.items() if k != "version"} == {k: v for k, v in out.items() if k != "version"}
            if same:
                out["version"] = prev["version"]
        return out

    # ------------------------------------------------------------------------------------------
    # REST handlers: interactions

    def _interaction_for_token(self, webhook_id: str, token: str) -> InteractionRecord:
        rec = self._interactions_by_token.get(token)
        if webhook_id != self.application_id or rec is None:
            raise _ApiError(404, 10015, "Unknown Webhook", kind="unknown_webhook",
                            detail=f"webhook {webhook_id} with an unknown token")
        if self._now() - rec.created_at > INTERACTION_TOKEN_LIFETIME:
            raise _ApiError(401, 50027, "Invalid Webhook Token", kind="expired_interaction_token")
        return rec

    def _interaction_metadata(self, rec: InteractionRecord, depth: int = 0) -> Dict[str, Any]:
        """MessageResponse.interaction_metadata as the OpenAPI description defines it per type."""
        p = rec.payload
        u = p.get("member", {}).get("user") or p.get("user") or {}
        meta: Dict[str, Any] = {"id": rec.id, "type": rec.type, "user": u,
                                "authorizing_integration_owners": p.get("authorizing_integration_owners", {})}
        data = p.get("data") or {}
        if rec.type == INTERACTION_APPLICATION_COMMAND:
            target = data.get("target_id")
            if data.get("type") == 2 and target:
                meta["target_user"] = ((data.get("resolved") or {}).get("users") or {}).get(target) or self._users.get(target)
            elif data.get("type") == 3 and target:
                meta["target_message_id"] = target
        elif rec.type == INTERACTION_MESSAGE_COMPONENT:
            meta["interacted_message_id"] = (p.get("message") or {}).get("id") or "0"
        elif rec.type == INTERACTION_MODAL_SUBMIT:
            origin = rec.triggered_by
            if origin is not None and depth == 0 and origin.type in (2, 3):
                meta["triggering_interaction_metadata"] = self._interaction_metadata(origin, depth + 1)
            else:  # unknown origin: say it came from a slash command
                meta["triggering_interaction_metadata"] = {
                    "id": self._snowflake(), "type": 2, "user": u,
                    "authorizing_integration_owners": meta["authorizing_integration_owners"]}
        if depth and rec.original is not None:
            meta["original_response_message_id"] = rec.original["id"]
        return _strip_none(meta)

    def _interaction_message_base(self, rec: InteractionRecord) -> Dict[str, Any]:
        p = rec.payload
        u = p.get("member", {}).get("user") or p.get("user") or {}
        data = p.get("data") or {}
        meta = self._interaction_metadata(rec)
        return {"application_id": self.application_id, "webhook_id": self.application_id, "interaction_metadata": meta,
                "interaction": {"id": rec.id, "type": rec.type, "name": data.get("name", ""), "user": u}}

    async def _h_callback(self, req: _Req) -> Tuple[int, Any]:
        rec = self.interactions.get(req.params["interaction_id"])
        if rec is None or rec.token != req.params["interaction_token"]:
            raise _ApiError(404, 10062, "Unknown interaction", kind="unknown_interaction",
                            detail=f"interaction {req.params['interaction_id']}")
        now = self._now()
        try:
            status, out = await self._callback(rec, req, now)
        except _ApiError as e:
            rec.attempts.append(CallbackAttempt(e.status, req.json, now, e.body()))
            raise
        rec.attempts.append(CallbackAttempt(status, req.json, now))
        return status, out

    async def _callback(self, rec: InteractionRecord, req: _Req, now: float) -> Tuple[int, Any]:
        if rec.acknowledged:
            raise _ApiError(400, 40060, "Interaction has already been acknowledged.", kind="already_acknowledged",
                            detail=f"interaction {rec.id} was answered with type {rec.callback_type}")
        elapsed = now - rec.created_at
        if elapsed > rec.deadline:
            raise _ApiError(404, 10062, "Unknown interaction", kind="late_callback",
                            detail=f"callback {elapsed:.3f}s after the interaction was created (limit {rec.deadline}s)")
        body = req.json
        errs = _Errors()
        if not isinstance(body, dict):
            errs.add((), "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            errs.raise_if_any()
        ctype = body.get("type")
        if ctype not in CALLBACK_TYPES:
            errs.add(("type",), "BASE_TYPE_CHOICES", f"Value must be one of {{{', '.join(map(str, CALLBACK_TYPES))}}}.")
            errs.raise_if_any(kind="unknown_callback_type")
        if ctype not in VALID_CALLBACKS.get(rec.type, set()):
            errs.add(("type",), "INTERACTION_CALLBACK_TYPE_INVALID",
                     f"Interaction callback type {ctype} is not valid for interaction type {rec.type}")
            errs.raise_if_any(kind="invalid_callback_type")
        data = body.get("data")
        p = rec.payload
        channel_id = p.get("channel_id") or ""
        component_msg = p.get("message")
        result: Dict[str, Any] = {"id": rec.id, "type": rec.type}
        resource: Optional[Dict[str, Any]] = None
        if ctype in (4, 5):
            data = data if isinstance(data, dict) else {}
            if ctype == 4:
                validate_message(data, errs, ("data",), interaction=True)
                errs.raise_if_any()
                if _message_is_empty(data, req.files):
                    raise _ApiError(400, 50006, "Cannot send an empty message", kind="empty_message")
            else:
                allowed = FLAG_EPHEMERAL | FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS | FLAG_IS_COMPONENTS_V2
                if int(data.get("flags") or 0) & ~allowed:
                    errs.add(("data", "flags"), "MESSAGE_FLAGS_INVALID", "Invalid flags for a deferred response")
                    errs.raise_if_any()
            flags = int(data.get("flags") or 0)
            if rec.type == INTERACTION_APPLICATION_COMMAND:
                msg_type = 20 if (p.get("data") or {}).get("type", 1) == 1 else 23  # CHAT_INPUT / CONTEXT_MENU
            else:
                msg_type = 0
            extra = self._interaction_message_base(rec)
            if ctype == 4:
                msg = self._make_message(channel_id, data, req.files, msg_type=msg_type,
                                         flags=flags & (FLAG_EPHEMERAL | FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS | FLAG_IS_COMPONENTS_V2),
                                         extra=extra)
                rec.original_is_loading = False
            else:
                msg = self._make_message(channel_id, {"content": ""}, [], msg_type=msg_type,
                                         flags=FLAG_LOADING | (flags & FLAG_EPHEMERAL), extra=extra)
                rec.original_is_loading = True
            rec.original = msg
            self._store_message(msg, "response", rec)
            result.update({"response_message_id": msg["id"], "response_message_loading": ctype == 5,
                           "response_message_ephemeral": bool(msg["flags"] & FLAG_EPHEMERAL)})
            if ctype == 4:
                resource = {"type": 4, "message": msg}
            await self._echo("MESSAGE_CREATE", msg)
        elif ctype in (6, 7):
            if not component_msg:
                errs.add(("type",), "INTERACTION_CALLBACK_TYPE_INVALID",
                         "This interaction has no message to update (types 6/7 need a component message)")
                errs.raise_if_any(kind="invalid_callback_type")
            target = self._messages.get(component_msg["id"])
            if target is None:  # a message the fake did not create: adopt the copy from the payload
                target = copy.deepcopy(component_msg)
                self._store_message(target, "external", None)
            rec.original = target
            rec.original_is_loading = False
            if ctype == 7:
                data = data if isinstance(data, dict) else {}
                validate_message(data, errs, ("data",), interaction=True, partial=True)
                errs.raise_if_any()
                self._apply_edit(target, data, req.files)
                rec.edits.append({"message_id": target["id"], "via": "callback", "body": data})
                resource = {"type": 7, "message": target}
                await self._echo("MESSAGE_UPDATE", target)
            result.update({"response_message_id": target["id"], "response_message_loading": False,
                           "response_message_ephemeral": bool(target.get("flags", 0) & FLAG_EPHEMERAL)})
        elif ctype == 8:
            validate_autocomplete(data, errs)
            errs.raise_if_any()
            rec.autocomplete_choices = list((data or {}).get("choices") or [])
        elif ctype == 9:
            validate_modal(data, errs)
            errs.raise_if_any()
            rec.modal = data
        elif ctype in (12, 13):
            pass
        rec.callback = body
        rec.callback_at = now
        self._notify()
        if not _truthy(req.query.get("with_response")):
            return 204, None
        out: Dict[str, Any] = {"interaction": result}
        if resource is not None:
            out["resource"] = resource
        return 200, out

    async def _h_execute_webhook(self, req: _Req) -> Tuple[int, Any]:
        rec = self._interaction_for_token(req.params["webhook_id"], req.params["webhook_token"])
        if not rec.acknowledged:
            raise _ApiError(404, 10015, "Unknown Webhook", kind="followup_before_ack",
                            detail=f"follow-up for interaction {rec.id} before its initial response")
        body = req.json if isinstance(req.json, dict) else {}
        errs = _Errors()
        validate_message(body, errs, (), interaction=True)
        if len(body.get("username") or "x") > 80:
            errs.add(("username",), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 80 in length.")
        errs.raise_if_any()
        if _message_is_empty(body, req.files):
            raise _ApiError(400, 50006, "Cannot send an empty message", kind="empty_message")
        if rec.original is not None and rec.original_is_loading:
            # The first follow-up after a deferred (type 5) response replaces the "thinking" message.
            msg = rec.original
            self._apply_edit(msg, body, req.files, edited=False)
            msg["flags"] = msg.get("flags", 0) & ~FLAG_LOADING
            rec.original_is_loading = False
            rec.followups.append(msg)
            self._message_meta[msg["id"]]["followup"] = True
            await self._echo("MESSAGE_UPDATE", msg)
        else:
            flags = int(body.get("flags") or 0) & (FLAG_EPHEMERAL | FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS | FLAG_IS_COMPONENTS_V2)
            extra = self._interaction_message_base(rec)
            msg = self._make_message(rec.payload.get("channel_id") or "", body, req.files, msg_type=0, flags=flags, extra=extra)
            rec.followups.append(msg)
            self._store_message(msg, "followup", rec)
            await self._echo("MESSAGE_CREATE", msg)
        self._notify()
        if _truthy(req.query.get("wait")):
            return 200, msg
        return 204, None

    async def _h_webhook_message(self, req: _Req) -> Tuple[int, Any]:
        rec = self._interaction_for_token(req.params["webhook_id"], req.params["webhook_token"])
        mid = req.params.get("message_id")
        if mid is None:  # @original
            msg = rec.original
            if msg is None:
                raise _ApiError(404, 10008, "Unknown Message", kind="unknown_message",
                                detail=f"@original of interaction {rec.id} before any response",
                                violation=req.method != "GET")
        else:
            msg = next((m for m in rec.messages if m["id"] == mid), None)
            if msg is None:
                raise _ApiError(404, 10008, "Unknown Message", kind="unknown_message", detail=f"message {mid}")
        if req.method == "GET":
            return 200, msg
        if req.method == "DELETE":
            self._delete_message(msg["id"])
            rec.deleted.append(msg["id"])
            if msg is rec.original:
                rec.original = None
            rec.followups = [m for m in rec.followups if m["id"] != msg["id"]]
            self._notify()
            return 204, None
        body = req.json if isinstance(req.json, dict) else {}
        errs = _Errors()
        validate_message(body, errs, (), interaction=True, partial=True)
        errs.raise_if_any()
        self._apply_edit(msg, body, req.files)
        if msg is rec.original and rec.original_is_loading:
            msg["flags"] = msg.get("flags", 0) & ~FLAG_LOADING
            rec.original_is_loading = False
        rec.edits.append({"message_id": msg["id"], "via": "webhook", "body": body})
        self.message_log.append({"kind": "edit", "message": copy.deepcopy(msg), "interaction_id": rec.id, "at": time.time()})
        await self._echo("MESSAGE_UPDATE", msg)
        self._notify()
        return 200, msg

    # ------------------------------------------------------------------------------------------
    # REST handlers: channels, guilds

    def _channel_or_404(self, cid: str) -> Tuple[dict, Optional[FakeGuild]]:
        """A guild channel the bot is in, with its guild; or a DM channel of the bot, with None."""
        if cid in self.dm_channels:
            return self.dm_channels[cid], None
        g = self._channel_guild.get(cid)
        if g is None or cid not in g.channels:
            raise _ApiError(404, 10003, "Unknown Channel", kind="unknown_channel", detail=f"channel {cid}")
        if self.bot_user["id"] not in g.members:
            raise _ApiError(403, 50001, "Missing Access", kind="missing_access", detail=f"not in guild {g.id}")
        return g.channels[cid], g

    def _require_perms(self, g: Optional[FakeGuild], cid: str, needed: int, what: str) -> None:
        if g is None:  # a DM: no permissions apply
            return
        perms = g.permissions_for(self.bot_user["id"], cid)
        if not perms & Permissions.VIEW_CHANNEL:
            raise _ApiError(403, 50001, "Missing Access", kind="missing_access", detail=f"{what} in channel {cid}")
        if perms & needed != needed:
            raise _ApiError(403, 50013, "Missing Permissions", kind="missing_permissions",
                            detail=f"{what} in channel {cid} needs {needed:#x}, has {perms:#x}")

    async def _h_get_channel(self, req: _Req) -> Tuple[int, Any]:
        ch, g = self._channel_or_404(req.params["channel_id"])
        return 200, dict(ch, guild_id=g.id) if g is not None else dict(ch)

    async def _h_typing(self, req: _Req) -> Tuple[int, Any]:
        ch, g = self._channel_or_404(req.params["channel_id"])
        self._require_perms(g, ch["id"], Permissions.SEND_MESSAGES, "typing")
        return 204, None

    async def _h_list_messages(self, req: _Req) -> Tuple[int, Any]:
        ch, g = self._channel_or_404(req.params["channel_id"])
        self._require_perms(g, ch["id"], Permissions.READ_MESSAGE_HISTORY, "read history")
        msgs = [m for m in self.find_messages(channel=ch["id"], include_ephemeral=False)]
        msgs.sort(key=lambda m: int(m["id"]), reverse=True)
        try:
            limit = max(1, min(100, int(req.query.get("limit", "50"))))
        except ValueError:
            limit = 50
        if "before" in req.query:
            msgs = [m for m in msgs if int(m["id"]) < int(req.query["before"])]
        if "after" in req.query:
            msgs = [m for m in msgs if int(m["id"]) > int(req.query["after"])]
        return 200, msgs[:limit]

    async def _h_create_message(self, req: _Req) -> Tuple[int, Any]:
        ch, g = self._channel_or_404(req.params["channel_id"])
        body = req.json if isinstance(req.json, dict) else {}
        needed = Permissions.SEND_MESSAGES
        if req.files:
            needed |= Permissions.ATTACH_FILES
        self._require_perms(g, ch["id"], needed, "send a message")
        errs = _Errors()
        validate_message(body, errs, (), interaction=False)
        ref = body.get("message_reference")
        referenced: Optional[dict] = None
        if isinstance(ref, dict) and ref.get("message_id"):
            mid = str(ref["message_id"])
            referenced = self._messages.get(mid) or self._user_messages.get(mid)
            reply = int(ref.get("type") or 0) == 0  # type 1 forwards a message from elsewhere
            if reply and referenced is not None and (referenced["channel_id"] != ch["id"]
                                                     or str(ref.get("channel_id") or ch["id"]) != ch["id"]):
                errs.add(("message_reference",), "REPLIES_CANNOT_REFERENCE_OTHER_CHANNEL",
                         "Cannot reply to a message in a different channel")
            elif referenced is None and ref.get("fail_if_not_exists", True):
                errs.add(("message_reference",), "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")
        errs.raise_if_any()
        if referenced is not None and int(ref.get("type") or 0) == 0:  # Discord: a reply needs Read Message History
            self._require_perms(g, ch["id"], Permissions.READ_MESSAGE_HISTORY, "reply to a message")
        if _message_is_empty(body, req.files):
            raise _ApiError(400, 50006, "Cannot send an empty message", kind="empty_message")
        flags = int(body.get("flags") or 0) & (FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS | FLAG_IS_COMPONENTS_V2)
        extra: Dict[str, Any] = {}
        if body.get("nonce") is not None:
            extra["nonce"] = body["nonce"]
        msg_type = 0
        if referenced is not None:
            msg_type = 19
            extra["message_reference"] = _strip_none({"type": 0, "message_id": referenced["id"], "channel_id": ch["id"],
                                                      "guild_id": g.id if g is not None else None})
            extra["referenced_message"] = copy.deepcopy(referenced)
        msg = self._make_message(ch["id"], body, req.files, msg_type=msg_type, flags=flags, extra=extra)
        self._store_message(msg, "channel", None)
        ch["last_message_id"] = msg["id"]
        await self._echo("MESSAGE_CREATE", msg)
        return 200, msg

    async def _h_channel_message(self, req: _Req) -> Tuple[int, Any]:
        ch, g = self._channel_or_404(req.params["channel_id"])
        msg = self._messages.get(req.params["message_id"])
        if msg is None or msg["channel_id"] != ch["id"] or msg.get("flags", 0) & FLAG_EPHEMERAL:
            raise _ApiError(404, 10008, "Unknown Message", kind="unknown_message", violation=req.method != "GET",
                            detail=f"message {req.params['message_id']}")
        if req.method == "GET":
            self._require_perms(g, ch["id"], Permissions.READ_MESSAGE_HISTORY, "read a message")
            return 200, msg
        if req.method == "DELETE":
            if msg["author"]["id"] != self.bot_user["id"]:
                self._require_perms(g, ch["id"], Permissions.MANAGE_MESSAGES, "delete another user's message")
            self._delete_message(msg["id"])
            await self._echo("MESSAGE_DELETE", _strip_none({"id": msg["id"], "channel_id": ch["id"],
                                                             "guild_id": g.id if g is not None else None}), raw=True)
            return 204, None
        if msg["author"]["id"] != self.bot_user["id"]:
            raise _ApiError(403, 50005, "Cannot edit a message authored by another user", kind="edit_foreign_message")
        body = req.json if isinstance(req.json, dict) else {}
        errs = _Errors()
        validate_message(body, errs, (), interaction=False, partial=True)
        errs.raise_if_any()
        self._apply_edit(msg, body, req.files)
        self.message_log.append({"kind": "edit", "message": copy.deepcopy(msg), "interaction_id": None, "at": time.time()})
        await self._echo("MESSAGE_UPDATE", msg)
        return 200, msg

    def _guild_or_404(self, gid: str) -> FakeGuild:
        g = self.guilds.get(gid)
        if g is None or self.bot_user["id"] not in g.members:
            raise _ApiError(404, 10004, "Unknown Guild", kind="unknown_guild", detail=f"guild {gid}")
        return g

    async def _h_get_guild(self, req: _Req) -> Tuple[int, Any]:
        return 200, self._guild_or_404(req.params["guild_id"]).rest_payload()

    async def _h_guild_channels(self, req: _Req) -> Tuple[int, Any]:
        g = self._guild_or_404(req.params["guild_id"])
        return 200, [dict(c) for c in g.channels.values()]

    async def _h_guild_roles(self, req: _Req) -> Tuple[int, Any]:
        g = self._guild_or_404(req.params["guild_id"])
        return 200, [dict(r) for r in g.roles.values()]

    async def _h_guild_member(self, req: _Req) -> Tuple[int, Any]:
        g = self._guild_or_404(req.params["guild_id"])
        m = g.members.get(req.params["user_id"])
        if m is None:
            raise _ApiError(404, 10007, "Unknown Member", kind="unknown_member", violation=False)
        return 200, m

    # ------------------------------------------------------------------------------------------
    # messages

    def _attachments(self, channel_id: str, declared: Any, files: List[Dict[str, Any]]) -> List[dict]:
        out = []
        declared = declared if isinstance(declared, list) else []
        for f in files:
            m = re.match(r"files\[(\d+)\]", f["field"])
            idx = m.group(1) if m else None
            meta = next((a for a in declared if isinstance(a, dict) and str(a.get("id")) == idx), {})
            if len(f["data"]) > ATTACHMENT_SIZE_LIMIT:
                raise _ApiError(413, 40005, "Request entity too large", kind="attachment_too_large")
            aid = self._snowflake()
            filename = meta.get("filename") or f["filename"]
            self._files[aid] = (f["data"], f["content_type"], filename)
            url = f"{self.base_url}/attachments/{channel_id}/{aid}/{filename}"
            att = {"id": aid, "filename": filename, "size": len(f["data"]), "url": url, "proxy_url": url,
                   "content_type": f["content_type"]}
            if meta.get("description"):
                att["description"] = meta["description"]
            out.append(att)
        return out

    def _mentions(self, body: dict, channel_id: str) -> Tuple[List[dict], List[str], bool]:
        content = body.get("content") or ""
        am = body.get("allowed_mentions")
        g = self._channel_guild.get(channel_id)
        if isinstance(am, dict):
            parse = set(am.get("parse") or [])
            users_ok = lambda uid: "users" in parse or uid in [str(u) for u in (am.get("users") or [])]  # noqa: E731
            roles_ok = lambda rid: "roles" in parse or rid in [str(r) for r in (am.get("roles") or [])]  # noqa: E731
            everyone_ok = "everyone" in parse
        else:
            users_ok = roles_ok = lambda _x: True  # noqa: E731
            everyone_ok = True
        users = []
        for uid in dict.fromkeys(re.findall(r"<@!?(\d+)>", content)):
            if uid in self._users and users_ok(uid):
                users.append(self._users[uid])
        roles = [rid for rid in dict.fromkeys(re.findall(r"<@&(\d+)>", content))
                 if g is not None and rid in g.roles and roles_ok(rid)]
        everyone = everyone_ok and bool(re.search(r"@(everyone|here)", content))
        return users, roles, everyone

    def _make_message(self, channel_id: str, body: dict, files: List[Dict[str, Any]], *, msg_type: int, flags: int,
                      extra: Optional[dict] = None) -> dict:
        users, roles, everyone = self._mentions(body, channel_id)
        msg: Dict[str, Any] = {
            "type": msg_type, "content": body.get("content") or "", "mentions": users, "mention_roles": roles,
            "attachments": self._attachments(channel_id, body.get("attachments"), files),
            "embeds": [_normalise_embed(e) for e in (body.get("embeds") or [])], "timestamp": _iso(),
            "edited_timestamp": None, "flags": flags, "components": _normalise_components(body.get("components") or []),
            "id": self._snowflake(), "channel_id": channel_id, "author": dict(self.bot_user), "pinned": False,
            "mention_everyone": everyone, "tts": bool(body.get("tts")),
        }
        if body.get("poll"):
            msg["poll"] = body["poll"]
        if extra:
            msg.update(extra)
        return msg

    def _apply_edit(self, msg: dict, body: dict, files: List[Dict[str, Any]], edited: bool = True) -> None:
        if "content" in body:
            msg["content"] = body["content"] or ""
            users, roles, everyone = self._mentions(body, msg["channel_id"])
            msg.update(mentions=users, mention_roles=roles, mention_everyone=everyone)
        if "embeds" in body:
            msg["embeds"] = [_normalise_embed(e) for e in (body["embeds"] or [])]
        if "components" in body:
            msg["components"] = _normalise_components(body["components"] or [])
        if "flags" in body and body["flags"] is not None:
            keep = msg.get("flags", 0) & (FLAG_EPHEMERAL | FLAG_LOADING)
            msg["flags"] = keep | (int(body["flags"]) & (FLAG_SUPPRESS_EMBEDS | FLAG_IS_COMPONENTS_V2))
        if "attachments" in body or files:
            keep_ids = {str(a.get("id")) for a in (body.get("attachments") or []) if isinstance(a, dict)}
            kept = [a for a in msg.get("attachments", []) if a["id"] in keep_ids] if "attachments" in body else list(msg.get("attachments", []))
            msg["attachments"] = kept + self._attachments(msg["channel_id"], body.get("attachments"), files)
        if "poll" in body and body["poll"]:
            msg["poll"] = body["poll"]
        if edited:
            msg["edited_timestamp"] = _iso()

    def _store_message(self, msg: dict, kind: str, rec: Optional[InteractionRecord]) -> None:
        self._messages[msg["id"]] = msg
        self._message_meta[msg["id"]] = {"kind": kind, "interaction_id": rec.id if rec else None}
        self.message_log.append({"kind": kind, "message": copy.deepcopy(msg), "interaction_id": rec.id if rec else None,
                                 "at": time.time()})
        self._notify()

    def _delete_message(self, mid: str) -> None:
        msg = self._messages.pop(mid, None)
        if msg is not None:
            self.message_log.append({"kind": "delete", "message": copy.deepcopy(msg),
                                     "interaction_id": self._message_meta.get(mid, {}).get("interaction_id"),
                                     "at": time.time()})
        self._notify()

    async def _echo(self, event: str, msg: dict, raw: bool = False) -> None:
        """MESSAGE_* events for the bot's own messages, as Discord sends them (not for ephemerals)."""
        if not self.echo_message_events:
            return
        sess = self._session
        if sess is None:
            return
        dm = msg["channel_id"] in self.dm_channels
        if not sess.intents & (INTENT_DIRECT_MESSAGES if dm else INTENT_GUILD_MESSAGES):
            return
        if raw:
            await self._dispatch(event, msg)
            return
        if msg.get("flags", 0) & (FLAG_EPHEMERAL | FLAG_LOADING):
            return
        if dm:
            await self._dispatch(event, msg)  # the bot's own message in a DM
            return
        g = self._channel_guild.get(msg["channel_id"])
        if g is None:
            return
        data = dict(msg, guild_id=g.id)
        member = g.members.get(self.bot_user["id"])
        if member is not None:
            data["member"] = {k: v for k, v in member.items() if k != "user"}
        await self._dispatch(event, data)


# ----------------------------------------------------------------------------------------------
# validation (Discord's limits; field names as in the OpenAPI description)


def _check_str(errs: _Errors, path: Sequence[Any], value: Any, lo: int, hi: int, *, required: bool) -> None:
    if value is None:
        if required:
            errs.add(path, "BASE_TYPE_REQUIRED", "This field is required")
        return
    if not isinstance(value, str):
        errs.add(path, "BASE_TYPE_STRING", "Must be a string.")
        return
    if not lo <= len(value) <= hi:
        if lo == 0:
            errs.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {hi} or fewer in length.")
        else:
            errs.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {lo} and {hi} in length.")


def _check_name(errs: _Errors, path: Sequence[Any], name: Any, *, chat_input: bool) -> None:
    if not isinstance(name, str) or not 1 <= len(name) <= 32:
        _check_str(errs, tuple(path) + ("name",), name, 1, 32, required=True)
        return
    if chat_input and not valid_chat_input_name(name):
        errs.add(tuple(path) + ("name",), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")


def _command_size(c: dict) -> int:
    total = len(str(c.get("name") or "")) + len(str(c.get("description") or ""))
    for o in c.get("options") or []:
        if isinstance(o, dict):
            total += _command_size(o)
            for ch in o.get("choices") or []:
                if isinstance(ch, dict):
                    total += len(str(ch.get("name") or "")) + len(str(ch.get("value") or ""))
    return total


def validate_commands(cmds: List[Any], errs: _Errors, *, guild: bool) -> None:
    """Validate a bulk-overwrite body (list of ApplicationCommandUpdateRequest)."""
    if len(cmds) > 130:
        errs.add((), "BASE_TYPE_MAX_LENGTH", "Must be 130 or fewer in length.")
    seen: Dict[Tuple[int, str], int] = {}
    for i, c in enumerate(cmds):
        p: Tuple[Any, ...] = (i,)
        if not isinstance(c, dict):
            errs.add(p, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            continue
        ctype = c.get("type") or 1
        if ctype not in (1, 2, 3, 4):
            errs.add(p + ("type",), "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4}.")
        name = c.get("name")
        _check_name(errs, p, name, chat_input=ctype == 1)
        if ctype == 1:
            _check_str(errs, p + ("description",), c.get("description"), 1, 100, required=True)
        elif c.get("description") not in (None, ""):
            errs.add(p + ("description",), "APPLICATION_COMMAND_INVALID_DESCRIPTION",
                     "Context menu commands cannot have a description")
        for key, limit in (("name_localizations", 32), ("description_localizations", 100)):
            locs = c.get(key)
            if isinstance(locs, dict):
                for loc, text in locs.items():
                    _check_str(errs, p + (key, loc), text, 1, limit, required=True)
        if isinstance(name, str):
            if (ctype, name) in seen:
                errs.add((), "APPLICATION_COMMANDS_DUPLICATE_NAME", f"Application command names must be unique ({name!r})")
            seen[(ctype, name)] = i
        options = c.get("options")
        if options and ctype != 1:
            errs.add(p + ("options",), "APPLICATION_COMMAND_OPTIONS_INVALID", "Only chat input commands can have options")
        elif options is not None:
            _validate_options(errs, p + ("options",), options, depth=0)
        dmp = c.get("default_member_permissions")
        if dmp is not None and not (isinstance(dmp, int) or (isinstance(dmp, str) and dmp.isdigit())):
            errs.add(p + ("default_member_permissions",), "NUMBER_TYPE_COERCE", f"Value \"{dmp}\" is not int.")
        for key, allowed in (("contexts", {0, 1, 2}), ("integration_types", {0, 1})):
            val = c.get(key)
            if val is not None and (not isinstance(val, list) or not val or not set(val) <= allowed or len(set(val)) != len(val)):
                errs.add(p + (key,), "BASE_TYPE_CHOICES", f"Value must be a non-empty set of {sorted(allowed)}.")
        if guild and c.get("integration_types") not in (None, [0]):
            errs.add(p + ("integration_types",), "APPLICATION_COMMAND_INVALID_INTEGRATION_TYPE",
                     "Guild commands can only be installed to guilds")
        if _command_size(c) > 8000:
            errs.add(p, "APPLICATION_COMMAND_TOO_LARGE", "Command exceeds maximum size (8000)")


def _validate_options(errs: _Errors, path: Tuple[Any, ...], options: Any, depth: int, parent: int = 1) -> None:
    if not isinstance(options, list):
        errs.add(path, "BASE_TYPE_ARRAY", "Must be an array.")
        return
    if len(options) > 25:
        errs.add(path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    names: set = set()
    seen_optional = False
    kinds = set()
    for j, o in enumerate(options):
        op = path + (j,)
        if not isinstance(o, dict):
            errs.add(op, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            continue
        t = o.get("type")
        if t not in range(1, 12):
            errs.add(op + ("type",), "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}.")
            continue
        _check_name(errs, op, o.get("name"), chat_input=True)
        _check_str(errs, op + ("description",), o.get("description"), 1, 100, required=True)
        for key, limit in (("name_localizations", 32), ("description_localizations", 100)):
            locs = o.get(key)
            if isinstance(locs, dict):
                for loc, text in locs.items():
                    _check_str(errs, op + (key, loc), text, 1, limit, required=True)
        if o.get("name") in names:
            errs.add(op + ("name",), "APPLICATION_COMMAND_OPTION_NAME_DUPLICATE", "Option names must be unique")
        names.add(o.get("name"))
        if t in (1, 2):
            kinds.add("sub")
            if t == 2 and (depth > 0 or parent != 1):
                errs.add(op + ("type",), "APPLICATION_COMMAND_OPTION_TYPE_INVALID",
                         "Sub-command groups can only be nested in a command")
            if t == 1 and parent == 1 and depth > 0:
                errs.add(op + ("type",), "APPLICATION_COMMAND_OPTION_TYPE_INVALID", "Sub-commands cannot be nested")
            if o.get("required"):
                errs.add(op + ("required",), "APPLICATION_COMMAND_OPTION_REQUIRED_INVALID",
                         "Sub-commands and groups cannot be required")
            sub = o.get("options")
            if sub is not None:
                if t == 2 and any(isinstance(s, dict) and s.get("type") != 1 for s in sub if isinstance(sub, list)):
                    errs.add(op + ("options",), "APPLICATION_COMMAND_OPTION_TYPE_INVALID",
                             "Sub-command groups can only contain sub-commands")
                _validate_options(errs, op + ("options",), sub, depth + 1, parent=t)
            continue
        kinds.add("value")
        if parent == 2:
            errs.add(op + ("type",), "APPLICATION_COMMAND_OPTION_TYPE_INVALID",
                     "Sub-command groups can only contain sub-commands")
        if o.get("required"):
            if seen_optional:
                errs.add(op + ("required",), "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                         "Required options must be placed before non-required options")
        else:
            seen_optional = True
        choices = o.get("choices")
        if choices is not None:
            if t not in (3, 4, 10):
                errs.add(op + ("choices",), "APPLICATION_COMMAND_OPTION_CHOICES_INVALID",
                         "Only string, integer and number options can have choices")
            elif not isinstance(choices, list):
                errs.add(op + ("choices",), "BASE_TYPE_ARRAY", "Must be an array.")
            else:
                if len(choices) > 25:
                    errs.add(op + ("choices",), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
                for k, ch in enumerate(choices):
                    _validate_choice(errs, op + ("choices", k), ch, t)
                if choices and o.get("autocomplete"):
                    errs.add(op + ("autocomplete",), "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_INVALID",
                             "Autocomplete and choices cannot both be set")
        if o.get("autocomplete") and t not in (3, 4, 10):
            errs.add(op + ("autocomplete",), "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_INVALID",
                     "Only string, integer and number options can autocomplete")
        if t == 3:
            for key, lo in (("min_length", 0), ("max_length", 1)):
                v = o.get(key)
                if v is not None and (not isinstance(v, int) or not lo <= v <= 6000):
                    errs.add(op + (key,), "NUMBER_TYPE_MAX" if isinstance(v, int) and v > 6000 else "NUMBER_TYPE_MIN",
                             f"{key} must be between {lo} and 6000.")
    if len(kinds) > 1:
        errs.add(path, "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                 "Sub-command and sub-command group option types are mutually exclusive to all other types")


def _validate_choice(errs: _Errors, path: Tuple[Any, ...], ch: Any, t: int) -> None:
    if not isinstance(ch, dict):
        errs.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return
    _check_str(errs, path + ("name",), ch.get("name"), 1, 100, required=True)
    locs = ch.get("name_localizations")
    if isinstance(locs, dict):
        for loc, text in locs.items():
            _check_str(errs, path + ("name_localizations", loc), text, 1, 100, required=True)
    v = ch.get("value")
    if t == 3:
        if not isinstance(v, str):
            errs.add(path + ("value",), "BASE_TYPE_STRING", "Must be a string.")
        elif len(v) > 100:
            errs.add(path + ("value",), "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
    elif t == 4:
        if not isinstance(v, int) or isinstance(v, bool) or abs(v) > 2 ** 53:
            errs.add(path + ("value",), "NUMBER_TYPE_COERCE", f"Value \"{v}\" is not int.")
    elif t == 10:
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            errs.add(path + ("value",), "NUMBER_TYPE_COERCE", f"Value \"{v}\" is not a number.")


def validate_autocomplete(data: Any, errs: _Errors) -> None:
    if not isinstance(data, dict):
        errs.add(("data",), "BASE_TYPE_REQUIRED", "This field is required")
        return
    choices = data.get("choices")
    if choices is None:
        return
    if not isinstance(choices, list):
        errs.add(("data", "choices"), "BASE_TYPE_ARRAY", "Must be an array.")
        return
    if len(choices) > 25:
        errs.add(("data", "choices"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    for k, ch in enumerate(choices):
        if not isinstance(ch, dict):
            errs.add(("data", "choices", k), "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            continue
        _check_str(errs, ("data", "choices", k, "name"), ch.get("name"), 1, 100, required=True)
        v = ch.get("value")
        if isinstance(v, str):
            if len(v) > 100:
                errs.add(("data", "choices", k, "value"), "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
        elif not isinstance(v, (int, float)) or isinstance(v, bool):
            errs.add(("data", "choices", k, "value"), "BASE_TYPE_REQUIRED", "This field is required")


def validate_modal(data: Any, errs: _Errors) -> None:
    if not isinstance(data, dict):
        errs.add(("data",), "BASE_TYPE_REQUIRED", "This field is required")
        return
    _check_str(errs, ("data", "custom_id"), data.get("custom_id"), 1, 100, required=True)
    _check_str(errs, ("data", "title"), data.get("title"), 1, 45, required=True)
    comps = data.get("components")
    if not isinstance(comps, list) or not 1 <= len(comps) <= 5:
        errs.add(("data", "components"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
        return
    ids: set = set()
    for i, row in enumerate(comps):
        rp = ("data", "components", i)
        if not isinstance(row, dict):
            errs.add(rp, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            continue
        inner = row.get("components") if row.get("type") == 1 else ([row["component"]] if row.get("type") == 18 and isinstance(row.get("component"), dict) else None)
        if row.get("type") == 10:
            continue
        if inner is None or len(inner) != 1:
            errs.add(rp, "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "A modal row holds exactly one input")
            continue
        c = inner[0]
        cp = rp + (("components", 0) if row.get("type") == 1 else ("component",))
        if row.get("type") == 18:
            _check_str(errs, rp + ("label",), row.get("label"), 1, 45, required=True)
        _check_str(errs, cp + ("custom_id",), c.get("custom_id"), 1, 100, required=True)
        if c.get("custom_id") in ids:
            errs.add(cp + ("custom_id",), "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated")
        ids.add(c.get("custom_id"))
        if c.get("type") == 4:
            if row.get("type") == 1:
                _check_str(errs, cp + ("label",), c.get("label"), 1, 45, required=True)
            if c.get("style") not in (1, 2):
                errs.add(cp + ("style",), "BASE_TYPE_CHOICES", "Value must be one of {1, 2}.")
            _check_str(errs, cp + ("placeholder",), c.get("placeholder"), 0, 100, required=False)
            _check_str(errs, cp + ("value",), c.get("value"), 0, 4000, required=False)
            for key, lo in (("min_length", 0), ("max_length", 1)):
                v = c.get(key)
                if v is not None and (not isinstance(v, int) or not lo <= v <= 4000):
                    errs.add(cp + (key,), "NUMBER_TYPE_MAX", f"{key} must be between {lo} and 4000.")
        elif row.get("type") == 1:
            errs.add(cp + ("type",), "COMPONENT_TYPE_INVALID", "Only text inputs can go in a modal action row")


def _embed_text_size(e: dict) -> int:
    n = len(str(e.get("title") or "")) + len(str(e.get("description") or ""))
    n += len(str((e.get("footer") or {}).get("text") or "")) + len(str((e.get("author") or {}).get("name") or ""))
    for f in e.get("fields") or []:
        if isinstance(f, dict):
            n += len(str(f.get("name") or "")) + len(str(f.get("value") or ""))
    return n


def validate_message(body: Any, errs: _Errors, path: Tuple[Any, ...], *, interaction: bool, partial: bool = False) -> None:
    """Content <= 2000, <= 10 embeds (and embed limits), components, allowed_mentions, attachments."""
    if not isinstance(body, dict):
        errs.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return
    flags = body.get("flags") or 0
    if not isinstance(flags, int):
        errs.add(path + ("flags",), "NUMBER_TYPE_COERCE", f"Value \"{flags}\" is not int.")
        flags = 0
    content = body.get("content")
    if content is not None:
        if not isinstance(content, str):
            errs.add(path + ("content",), "BASE_TYPE_STRING", "Must be a string.")
        elif len(content) > MESSAGE_CONTENT_LIMIT:
            errs.add(path + ("content",), "BASE_TYPE_MAX_LENGTH", f"Must be {MESSAGE_CONTENT_LIMIT} or fewer in length.")
    v2 = bool(flags & FLAG_IS_COMPONENTS_V2)
    if v2 and (content or body.get("embeds")):
        errs.add(path + ("content",), "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                 "The 'content' and 'embeds' fields cannot be used when using MessageFlags.IS_COMPONENTS_V2")
    embeds = body.get("embeds")
    if embeds is not None:
        if not isinstance(embeds, list):
            errs.add(path + ("embeds",), "BASE_TYPE_ARRAY", "Must be an array.")
        else:
            if len(embeds) > 10:
                errs.add(path + ("embeds",), "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
            total = 0
            for i, e in enumerate(embeds):
                ep = path + ("embeds", i)
                if not isinstance(e, dict):
                    errs.add(ep, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
                    continue
                total += _embed_text_size(e)
                _check_str(errs, ep + ("title",), e.get("title"), 0, 256, required=False)
                _check_str(errs, ep + ("description",), e.get("description"), 0, 4096, required=False)
                if isinstance(e.get("footer"), dict):
                    _check_str(errs, ep + ("footer", "text"), e["footer"].get("text"), 0, 2048, required=False)
                if isinstance(e.get("author"), dict):
                    _check_str(errs, ep + ("author", "name"), e["author"].get("name"), 0, 256, required=False)
                color = e.get("color")
                if color is not None and (not isinstance(color, int) or not 0 <= color <= 0xFFFFFF):
                    errs.add(ep + ("color",), "NUMBER_TYPE_MAX", "int value should be less than or equal to 16777215.")
                fields = e.get("fields")
                if isinstance(fields, list):
                    if len(fields) > 25:
                        errs.add(ep + ("fields",), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
                    for k, f in enumerate(fields):
                        if isinstance(f, dict):
                            _check_str(errs, ep + ("fields", k, "name"), f.get("name"), 1, 256, required=True)
                            _check_str(errs, ep + ("fields", k, "value"), f.get("value"), 1, 1024, required=True)
            if total > 6000:
                errs.add(path + ("embeds",), "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")
    comps = body.get("components")
    if comps is not None:
        _validate_components(errs, path + ("components",), comps, v2)
    am = body.get("allowed_mentions")
    if isinstance(am, dict):
        parse = am.get("parse") or []
        if not isinstance(parse, list) or not set(parse) <= {"users", "roles", "everyone"}:
            errs.add(path + ("allowed_mentions", "parse"), "BASE_TYPE_CHOICES",
                     "Value must be one of ('roles', 'users', 'everyone').")
        else:
            for key in ("users", "roles"):
                if key in parse and am.get(key):
                    errs.add(path + ("allowed_mentions",), "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                             f"parse:[\"{key}\"] and {key}: [ids] are mutually exclusive.")
                if len(am.get(key) or []) > 100:
                    errs.add(path + ("allowed_mentions", key), "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
    atts = body.get("attachments")
    if isinstance(atts, list) and len(atts) > 10:
        errs.add(path + ("attachments",), "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")


def _validate_components(errs: _Errors, path: Tuple[Any, ...], comps: Any, v2: bool) -> None:
    if not isinstance(comps, list):
        errs.add(path, "BASE_TYPE_ARRAY", "Must be an array.")
        return
    if not v2 and len(comps) > 5:
        errs.add(path, "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
    if v2 and len(comps) > 40:
        errs.add(path, "BASE_TYPE_MAX_LENGTH", "Must be 40 or fewer in length.")
    custom_ids: set = set()

    def visit(c: Any, cp: Tuple[Any, ...], top: bool) -> None:
        if not isinstance(c, dict):
            errs.add(cp, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            return
        t = c.get("type")
        if top and not v2 and t != 1:
            errs.add(cp + ("type",), "UNION_TYPE_CHOICES", "Value of field \"type\" must be one of (1,).")
            return
        if t == 1:
            children = c.get("components")
            if not isinstance(children, list) or not 1 <= len(children) <= 5:
                errs.add(cp + ("components",), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
                children = children if isinstance(children, list) else []
            if any(isinstance(x, dict) and x.get("type") in (3, 5, 6, 7, 8) for x in children) and len(children) > 1:
                errs.add(cp + ("components",), "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                         "The specified component exceeds the maximum width")
            for j, child in enumerate(children):
                if isinstance(child, dict) and child.get("type") in (1, 4):
                    errs.add(cp + ("components", j, "type"), "COMPONENT_TYPE_INVALID",
                             "Component type is not allowed here")
                    continue
                visit(child, cp + ("components", j), False)
        elif t == 2:
            style = c.get("style")
            if style not in (1, 2, 3, 4, 5, 6):
                errs.add(cp + ("style",), "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4, 5, 6}.")
            _check_str(errs, cp + ("label",), c.get("label"), 0, 80, required=False)
            if style == 5:
                _check_str(errs, cp + ("url",), c.get("url"), 1, 512, required=True)
                if c.get("custom_id") is not None:
                    errs.add(cp + ("custom_id",), "BUTTON_COMPONENT_CUSTOM_ID_WITH_URL",
                             "A link button cannot have a custom_id")
            elif style == 6:
                if not c.get("sku_id"):
                    errs.add(cp + ("sku_id",), "BASE_TYPE_REQUIRED", "This field is required")
            else:
                _check_str(errs, cp + ("custom_id",), c.get("custom_id"), 1, 100, required=True)
                if c.get("url") is not None:
                    errs.add(cp + ("url",), "BUTTON_COMPONENT_URL_WITH_CUSTOM_ID", "Only link buttons can have a url")
                if not c.get("label") and not c.get("emoji"):
                    errs.add(cp, "BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED", "A button needs a label or an emoji")
            _dup(c)
        elif t in (3, 5, 6, 7, 8):
            _check_str(errs, cp + ("custom_id",), c.get("custom_id"), 1, 100, required=True)
            _check_str(errs, cp + ("placeholder",), c.get("placeholder"), 0, 150, required=False)
            mn, mx = c.get("min_values", 1), c.get("max_values", 1)
            if not isinstance(mn, int) or not 0 <= mn <= 25:
                errs.add(cp + ("min_values",), "NUMBER_TYPE_MAX", "min_values must be between 0 and 25.")
            if not isinstance(mx, int) or not 1 <= mx <= 25:
                errs.add(cp + ("max_values",), "NUMBER_TYPE_MAX", "max_values must be between 1 and 25.")
            if t == 3:
                opts = c.get("options")
                if not isinstance(opts, list) or not 1 <= len(opts) <= 25:
                    errs.add(cp + ("options",), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 25 in length.")
                else:
                    values = set()
                    for k, o in enumerate(opts):
                        if not isinstance(o, dict):
                            continue
                        _check_str(errs, cp + ("options", k, "label"), o.get("label"), 1, 100, required=True)
                        _check_str(errs, cp + ("options", k, "value"), o.get("value"), 1, 100, required=True)
                        _check_str(errs, cp + ("options", k, "description"), o.get("description"), 0, 100, required=False)
                        if o.get("value") in values:
                            errs.add(cp + ("options", k, "value"), "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED",
                                     "Select option values must be unique")
                        values.add(o.get("value"))
                    if isinstance(mx, int) and mx > len(opts):
                        errs.add(cp + ("max_values",), "SELECT_COMPONENT_MAX_VALUES_TOO_LARGE",
                                 f"max_values must be at most the number of options ({len(opts)})")
            _dup(c)
        elif v2 and t in (9, 10, 11, 12, 13, 14, 17):
            for key in ("components",):
                if isinstance(c.get(key), list):
                    for j, child in enumerate(c[key]):
                        visit(child, cp + (key, j), False)
            if isinstance(c.get("accessory"), dict):
                visit(c["accessory"], cp + ("accessory",), False)
            if t == 10:
                _check_str(errs, cp + ("content",), c.get("content"), 1, 4000, required=True)
        else:
            errs.add(cp + ("type",), "COMPONENT_TYPE_INVALID", f"Component type {t} is not allowed in a message")

    def _dup(c: dict) -> None:
        cid = c.get("custom_id")
        if cid is None:
            return
        if cid in custom_ids:
            errs.add(path, "COMPONENT_CUSTOM_ID_DUPLICATED", f"Component custom id cannot be duplicated ({cid!r})")
        custom_ids.add(cid)

    for i, row in enumerate(comps):
        visit(row, path + (i,), True)


def _message_is_empty(body: dict, files: List[Dict[str, Any]]) -> bool:
    return not (body.get("content") or body.get("embeds") or body.get("components") or files
                or body.get("sticker_ids") or body.get("poll") or body.get("attachments"))


def _normalise_embed(e: Any) -> dict:
    if not isinstance(e, dict):
        return {"type": "rich"}
    out = {k: v for k, v in e.items() if v is not None}
    out.setdefault("type", "rich")
    out.setdefault("content_scan_version", 0)
    if isinstance(out.get("fields"), list):
        out["fields"] = [dict(f, inline=bool(f.get("inline"))) if isinstance(f, dict) else f for f in out["fields"]]
    return out


def _normalise_components(comps: List[Any]) -> List[dict]:
    counter = [0]

    def norm(c: Any) -> Any:
        if not isinstance(c, dict):
            return c
        counter[0] += 1
        out = {k: v for k, v in c.items() if v is not None}
        out.setdefault("id", counter[0])
        if isinstance(out.get("components"), list):
            out["components"] = [norm(x) for x in out["components"]]
        if isinstance(out.get("accessory"), dict):
            out["accessory"] = norm(out["accessory"])
        if out.get("type") in (3, 5, 6, 7, 8):
            out.setdefault("min_values", 1)
            out.setdefault("max_values", 1)
        return out

    return [norm(c) for c in comps]


def _normalise_option(o: Any) -> Any:
    if not isinstance(o, dict):
        return o
    out = {k: v for k, v in o.items() if v is not None}
    if out.get("required") is False:
        out.pop("required")
    if isinstance(out.get("options"), list):
        out["options"] = [_normalise_option(x) for x in out["options"]]
    return out


# ----------------------------------------------------------------------------------------------
# OpenAPI conformance


def default_spec_path() -> Optional[str]:
    """$DISCORD_OPENAPI_SPEC, else shared/specs/discord-openapi.json beside the repository."""
    import os
    from pathlib import Path

    env = os.environ.get("DISCORD_OPENAPI_SPEC")
    if env:
        return env
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "shared" / "specs" / "discord-openapi.json"
        if candidate.is_file():
            return str(candidate)
    return None


class _OpenAPIValidators:
    def __init__(self, spec_path: str) -> None:
        from jsonschema import Draft202012Validator, validators
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        with open(spec_path, encoding="utf-8") as fh:
            self.spec = json.load(fh)
        resource = Resource.from_contents(self.spec, default_specification=DRAFT202012)
        self._registry = Registry().with_resource("urn:discord-openapi", resource)
        self._validator_cls = Draft202012Validator
        strict_type = Draft202012Validator.VALIDATORS["type"]

        def lenient_type(validator: Any, types: Any, instance: Any, schema: dict) -> Any:
            # Discord coerces integer snowflakes in request bodies (discord.py sends ints for ids).
            if (schema.get("format") == "snowflake" and isinstance(instance, int) and not isinstance(instance, bool)
                    and instance >= 0):
                return
            yield from strict_type(validator, types, instance, schema)

        self._request_cls = validators.extend(Draft202012Validator, {"type": lenient_type})
        self._cache: Dict[str, Any] = {}

    def _validator(self, pointer: str, request: bool = False) -> Any:
        key = ("req:" if request else "resp:") + pointer
        v = self._cache.get(key)
        if v is None:
            cls = self._request_cls if request else self._validator_cls
            v = cls({"$ref": "urn:discord-openapi#" + pointer}, registry=self._registry)
            self._cache[key] = v
        return v

    def operation(self, template: str, method: str) -> Optional[Tuple[str, dict]]:
        item = self.spec["paths"].get(template)
        if not item or method.lower() not in item:
            return None
        return f"/paths/{template.replace('~', '~0').replace('/', '~1')}/{method.lower()}", item[method.lower()]

    @staticmethod
    def _errors(validator: Any, body: Any) -> List[str]:
        from jsonschema.exceptions import best_match

        errors = list(validator.iter_errors(body))
        if not errors:
            return []
        e = best_match(errors)
        where = "/".join(str(p) for p in e.absolute_path) or "<root>"
        return [f"{where}: {e.message[:300]}"]

    def request_errors(self, op: Tuple[str, dict], body: Any) -> List[str]:
        pointer, spec = op
        content = (spec.get("requestBody") or {}).get("content") or {}
        if "application/json" not in content:
            return []
        return self._errors(self._validator(pointer + "/requestBody/content/application~1json/schema", request=True), body)

    def response_errors(self, op: Tuple[str, dict], status: int, body: Any) -> List[str]:
        pointer, spec = op
        responses = spec.get("responses") or {}
        key = str(status) if str(status) in responses else f"{str(status)[0]}XX"
        resp = responses.get(key)
        if resp is None:
            return [f"status {status} is not documented for this operation"] if status < 400 else []
        base = f"{pointer}/responses/{key}"
        if "$ref" in resp:
            base = "/" + resp["$ref"].lstrip("#/")
            ref = resp["$ref"].split("/")[-1]
            resp = self.spec["components"]["responses"][ref]
        if "application/json" not in (resp.get("content") or {}):
            return []
        return self._errors(self._validator(base + "/content/application~1json/schema"), body)


_VALIDATORS: Dict[str, _OpenAPIValidators] = {}


def _openapi_validators(spec_path: Optional[str]) -> _OpenAPIValidators:
    path = spec_path or default_spec_path()
    if path is None:
        raise RuntimeError("Discord's OpenAPI description was not found (set DISCORD_OPENAPI_SPEC)")
    if importlib.util.find_spec("jsonschema") is None:  # pragma: no cover
        raise RuntimeError("check_openapi needs the jsonschema package")
    if path not in _VALIDATORS:
        _VALIDATORS[path] = _OpenAPIValidators(path)
    return _VALIDATORS[path]


# ----------------------------------------------------------------------------------------------
# standalone


async def _serve(duration: float, heartbeat: int) -> None:
    async with FakeDiscord(heartbeat_interval=heartbeat) as fake:
        print(f"DISCORD_API_BASE={fake.api_base}")
        print(f"DISCORD_TOKEN={fake.token}")
        print(f"gateway: {fake.gateway_url}  guild: {fake.guild.id if fake.guild else None}", flush=True)
        loop = asyncio.get_running_loop()
        end = loop.time() + duration
        while loop.time() < end:
            await asyncio.sleep(min(1.0, end - loop.time()))
        for v in fake.violations:
            print("VIOLATION", v)


def main(argv: Optional[List[str]] = None) -> None:
    ap = argparse.ArgumentParser(description="Serve a fake Discord on 127.0.0.1 for a while.")
    ap.add_argument("--duration", type=float, default=300.0, help="seconds to serve (default 300)")
    ap.add_argument("--heartbeat", type=int, default=41250, help="heartbeat interval in ms")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    asyncio.run(_serve(args.duration, args.heartbeat))


if __name__ == "__main__":
    main()
