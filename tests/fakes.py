"""Fake Discord objects for driving cog callbacks in unit tests, with no network at all.

The fakes record what a cog sends and refuse what Discord refuses (a second response to one
interaction, a follow-up before any response, content over 2000 characters, more than 25
autocomplete choices, a button label over 80 characters...), so a test fails where Discord would.

Typical use::

    bot = await make_bot(extensions=("bot.cogs.lore",))          # a real LoreBot, never logged in
    cog = bot.get_cog("Lore")
    interaction = FakeInteraction(bot, user=FakeMember(7), guild=FakeGuild(100))
    await cog.ask.callback(cog, interaction, question="who is rouge's mom")
    message = interaction.last                                  # a FakeMessage
    assert message.content.startswith("**Who is Rouge's mother?**")
    assert message.ephemeral is False and message.mentions_none

    # through discord.py's own machinery (checks, option transformers, error handlers):
    await invoke(bot, interaction, "ask", question="...")
    choices = await autocomplete(bot, interaction, "ask", "question", "rou")
    await press(FakeInteraction(bot, user=other), interaction.last, label="Who is Gene's father?")

Users and members are duck-typed (they are not ``discord.Member`` instances): cogs should read
``interaction.user.roles`` / ``guild_permissions`` / ``interaction.permissions`` and
``interaction.guild``, not ``isinstance``-check them. ``invoke``/``autocomplete``/``press`` use a
few private discord.py helpers (the ones ``CommandTree._call`` and the view store use) so the
path matches what the library does with a real interaction.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import discord
from discord import app_commands
from discord.utils import MISSING

from bot.app import LoreBot
from bot.config import Config
from bot.knowledge.store import KnowledgeStore
from bot.storage import Storage

ROOT = Path(__file__).resolve().parent.parent
MINI_KNOWLEDGE = ROOT / "tests" / "data" / "mini"

MESSAGE_LIMIT = 2000
AUTOCOMPLETE_LIMIT = 25
CHOICE_NAME_LIMIT = 100
CHOICE_VALUE_LIMIT = 100
BUTTON_LABEL_LIMIT = 80
CUSTOM_ID_LIMIT = 100

_snowflakes = itertools.count(1_200_000_000_000_000_000)


def snowflake() -> int:
    """A fresh, increasing Discord-like id."""
    return next(_snowflakes)


class DiscordRejected(AssertionError):
    """The fake refused a request the way Discord would (the test should fail)."""


# -- the bot -------------------------------------------------------------------------------------
def make_config(data_dir: Path | None = None, **overrides: Any) -> Config:
    values: dict[str, Any] = {"token": "fake-token-for-tests", "knowledge_dir": MINI_KNOWLEDGE}
    if data_dir is not None:
        values["data_dir"] = data_dir
    values.update(overrides)
    return Config(**values)


#: the ``start_bot`` fixture (tests/conftest.py): ``await start_bot(*extensions, **config_overrides)``
StartBot = Callable[..., Awaitable[LoreBot]]


async def make_bot(
    *,
    knowledge_dir: Path | str = MINI_KNOWLEDGE,
    storage: Storage | None = None,
    extensions: Iterable[str] = (),
    config: Config | None = None,
) -> LoreBot:
    """A real :class:`LoreBot` (never logged in) with the given extensions loaded.

    Close it with :func:`close_bot` (``bot.close()`` expects a bot that has logged in)."""
    config = config or make_config(knowledge_dir=Path(knowledge_dir))
    bot = LoreBot(config, KnowledgeStore.open(knowledge_dir), storage or Storage.in_memory())
    for extension in extensions:
        await bot.load_extension(extension)
    return bot


async def close_bot(bot: LoreBot) -> None:
    """Unload the extensions (running their ``cog_unload``) and close the storage."""
    for extension in list(bot.extensions):
        await bot.unload_extension(extension)
    await bot.storage.close()


def copy_knowledge(dest: Path, source: Path = MINI_KNOWLEDGE) -> Path:
    """A writable copy of a knowledge folder (for reload and teach tests); returns ``dest``."""
    import shutil

    dest.mkdir(parents=True, exist_ok=True)
    for path in source.iterdir():
        if path.is_file():
            shutil.copy2(path, dest / path.name)
    return dest


class FakeClock:
    """A clock for cooldowns and time windows: ``clock()`` reads it, ``advance()`` moves it."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


# -- guilds, channels, users ---------------------------------------------------------------------
@dataclass(eq=False)
class FakeRole:
    id: int = field(default_factory=snowflake)
    name: str = "role"
    position: int = 1

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"

    def __str__(self) -> str:
        return self.name


@dataclass(eq=False)
class FakeUser:
    """A user outside any guild (direct messages)."""

    id: int = field(default_factory=snowflake)
    name: str = "fan"
    bot: bool = False

    @property
    def display_name(self) -> str:
        return self.name

    @property
    def global_name(self) -> str:
        return self.name

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    def __str__(self) -> str:
        return self.name


@dataclass(eq=False)
class FakeMember(FakeUser):
    """A guild member: ``roles`` and ``guild_permissions`` (a real :class:`discord.Permissions`)."""

    guild: FakeGuild | None = None
    roles: list[FakeRole] = field(default_factory=list)
    guild_permissions: discord.Permissions = field(default_factory=discord.Permissions.none)
    nick: str | None = None

    @property
    def display_name(self) -> str:
        return self.nick or self.name

    def get_role(self, role_id: int) -> FakeRole | None:
        return next((role for role in self.roles if role.id == role_id), None)


def moderator(user_id: int | None = None, **kwargs: Any) -> FakeMember:
    """A member with Manage Server."""
    return FakeMember(
        id=user_id or snowflake(), guild_permissions=discord.Permissions(manage_guild=True), **kwargs
    )


@dataclass(eq=False)
class FakeChannel:
    id: int = field(default_factory=snowflake)
    name: str = "general"
    guild: FakeGuild | None = None
    type: discord.ChannelType = discord.ChannelType.text
    #: messages posted with ``channel.send`` (not interaction replies)
    messages: list[FakeMessage] = field(default_factory=list)

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    @property
    def jump_url(self) -> str:
        return f"https://discord.com/channels/{self.guild.id if self.guild else '@me'}/{self.id}"

    def permissions_for(self, member: Any) -> discord.Permissions:
        return getattr(member, "guild_permissions", discord.Permissions.none())

    def get_partial_message(self, message_id: int) -> FakeMessage:
        """A message the bot posted here (``channel.send``), to edit it later."""
        found = next((m for m in self.messages if m.id == message_id), None)
        if found is None:
            raise DiscordRejected(f"no message {message_id} in #{self.name}: Discord answers 404 Unknown Message")
        return found

    async def send(self, content: Any = None, **kwargs: Any) -> FakeMessage:
        message = _message(self, content, kwargs, via="channel", ephemeral=False)
        self.messages.append(message)
        return message

    def __str__(self) -> str:
        return self.name


@dataclass(eq=False)
class FakeGuild:
    id: int = field(default_factory=snowflake)
    name: str = "Metallic Rouge fans"
    roles: list[FakeRole] = field(default_factory=list)
    channels: list[FakeChannel] = field(default_factory=list)
    members: list[FakeMember] = field(default_factory=list)
    owner_id: int | None = None

    def __post_init__(self) -> None:
        for channel in self.channels:
            channel.guild = self

    def get_role(self, role_id: int) -> FakeRole | None:
        return next((role for role in self.roles if role.id == role_id), None)

    def get_channel(self, channel_id: int) -> FakeChannel | None:
        return next((channel for channel in self.channels if channel.id == channel_id), None)

    def get_member(self, user_id: int) -> FakeMember | None:
        return next((member for member in self.members if member.id == user_id), None)

    def add_channel(self, channel: FakeChannel | None = None, **kwargs: Any) -> FakeChannel:
        channel = channel or FakeChannel(**kwargs)
        channel.guild = self
        self.channels.append(channel)
        return channel

    @property
    def text_channels(self) -> list[FakeChannel]:
        return [c for c in self.channels if c.type is discord.ChannelType.text]


# -- messages ------------------------------------------------------------------------------------
@dataclass(eq=False)
class FakeInteractionMetadata:
    id: int
    user: Any
    type: discord.InteractionType = discord.InteractionType.application_command


@dataclass(eq=False)
class FakeMessage:
    id: int
    content: str | None
    channel: FakeChannel | None
    #: "response", "followup", "channel" (channel.send), "reply" (message.reply) or "edit"
    via: str
    ephemeral: bool = False
    allowed_mentions: discord.AllowedMentions | None = None
    view: discord.ui.View | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    interaction_metadata: FakeInteractionMetadata | None = None
    deleted: bool = False
    #: every version of the content, oldest first (edits append)
    history: list[str | None] = field(default_factory=list)
    #: the message this one replies to (``message.reply``), and whether the reply pings its author
    reference: Any = None
    mention_author: bool | None = None
    suppress_embeds: bool = False

    @property
    def guild(self) -> FakeGuild | None:
        return self.channel.guild if self.channel else None

    @property
    def jump_url(self) -> str:
        guild = self.guild.id if self.guild else "@me"
        channel = self.channel.id if self.channel else 0
        return f"https://discord.com/channels/{guild}/{channel}/{self.id}"

    @property
    def flags(self) -> discord.MessageFlags:
        flags = discord.MessageFlags()
        flags.ephemeral = self.ephemeral
        return flags

    @property
    def mentions_none(self) -> bool:
        """True when the message was sent with ``AllowedMentions.none()`` (nobody can be pinged)."""
        am = self.allowed_mentions
        return (
            am is not None
            and am.to_dict() == {"parse": []}
            and not am.replied_user
        )

    @property
    def components(self) -> list[dict[str, Any]]:
        return self.view.to_components() if self.view is not None else []

    @property
    def buttons(self) -> list[discord.ui.Item[Any]]:
        """The view's buttons (dynamic items unwrapped), in display order."""
        return [_unwrap(item) for item in _walk(self.view) if isinstance(_unwrap(item), discord.ui.Button)]

    @property
    def button_labels(self) -> list[str | None]:
        return [button.label for button in self.buttons]  # type: ignore[attr-defined]

    async def edit(self, **kwargs: Any) -> FakeMessage:
        if "content" in kwargs:
            self.content = kwargs["content"]
            _check_content(self.content)
            self.history.append(self.content)
        if "view" in kwargs:
            self.view = kwargs["view"]
            _check_view(self.view)
        return self

    async def delete(self, *, delay: float | None = None) -> None:
        self.deleted = True


def _walk(view: discord.ui.View | None) -> list[discord.ui.Item[Any]]:
    if view is None:
        return []
    walk = getattr(view, "walk_children", None)
    return list(walk()) if walk else list(view.children)


def _unwrap(item: discord.ui.Item[Any]) -> discord.ui.Item[Any]:
    return item.item if isinstance(item, discord.ui.DynamicItem) else item


def _check_content(content: Any) -> None:
    if content is not None and len(str(content)) > MESSAGE_LIMIT:
        raise DiscordRejected(f"content is {len(str(content))} characters; Discord allows {MESSAGE_LIMIT}")
    if content is not None and not str(content).strip():
        raise DiscordRejected("content is blank; Discord refuses an empty message")


def _check_view(view: Any) -> None:
    if view is None or view is MISSING:
        return
    rows = view.to_components()
    if len(rows) > 5:
        raise DiscordRejected(f"{len(rows)} action rows; Discord allows 5")
    for row in rows:
        for component in row.get("components", []):
            label = component.get("label")
            if label is not None and len(label) > BUTTON_LABEL_LIMIT:
                raise DiscordRejected(f"button label of {len(label)} characters; Discord allows {BUTTON_LABEL_LIMIT}")
            custom_id = component.get("custom_id")
            if custom_id is not None and not 1 <= len(custom_id) <= CUSTOM_ID_LIMIT:
                raise DiscordRejected(f"custom_id {custom_id!r} is not 1-{CUSTOM_ID_LIMIT} characters")


def _message(
    channel: FakeChannel | None,
    content: Any,
    kwargs: dict[str, Any],
    *,
    via: str,
    ephemeral: bool,
    metadata: FakeInteractionMetadata | None = None,
) -> FakeMessage:
    if kwargs.get("embed") not in (None, MISSING) and kwargs.get("embeds") not in (None, MISSING):
        raise TypeError("cannot mix embed and embeds keyword arguments")
    _check_content(content)
    view = kwargs.get("view")
    view = None if view is MISSING else view
    _check_view(view)
    embeds = [e for e in [kwargs.get("embed")] if e not in (None, MISSING)]
    embeds += list(kwargs.get("embeds") or [])
    allowed = kwargs.get("allowed_mentions")
    text = None if content is None else str(content)
    return FakeMessage(
        id=snowflake(),
        content=text,
        channel=channel,
        via=via,
        ephemeral=ephemeral,
        allowed_mentions=None if allowed is MISSING else allowed,
        view=view,
        embeds=embeds,
        interaction_metadata=metadata,
        history=[text],
    )


# -- messages people write (for on_message listeners and message context menus) ------------------
def log_in_as(bot: Any, user: FakeUser) -> FakeUser:
    """Make ``bot.user`` the given user, as after READY (a bot in unit tests never logs in)."""
    bot._connection.user = user
    return user


def http_error(status: int = 403, text: str = "Missing Permissions") -> discord.HTTPException:
    """The exception discord.py raises when Discord refuses a request (Forbidden for 403)."""
    from types import SimpleNamespace

    response = SimpleNamespace(status=status, reason=text)
    kind = discord.Forbidden if status == 403 else discord.NotFound if status == 404 else discord.HTTPException
    return kind(response, text)  # type: ignore[arg-type]


@dataclass(eq=False)
class FakeUserMessage:
    """A message someone wrote, as a listener or a message context menu receives it.

    ``reply`` records the bot's reply (a :class:`FakeMessage` with ``reference`` set) and refuses
    what Discord refuses; set ``reply_error`` to make Discord refuse the reply (no permission,
    the message was deleted meanwhile)."""

    content: str
    author: FakeUser
    channel: FakeChannel
    mentions: list[FakeUser] = field(default_factory=list)
    role_mentions: list[FakeRole] = field(default_factory=list)
    mention_everyone: bool = False
    webhook_id: int | None = None
    type: discord.MessageType = discord.MessageType.default
    id: int = field(default_factory=snowflake)
    #: the bot's replies to this message, in order
    replies: list[FakeMessage] = field(default_factory=list)
    reply_error: Exception | None = None

    @property
    def guild(self) -> FakeGuild | None:
        return self.channel.guild

    @property
    def jump_url(self) -> str:
        return f"{self.channel.jump_url}/{self.id}"

    async def reply(self, content: Any = None, **kwargs: Any) -> FakeMessage:
        if self.reply_error is not None:
            raise self.reply_error
        message = _message(self.channel, content, kwargs, via="reply", ephemeral=False)
        message.reference = self
        message.mention_author = kwargs.get("mention_author")
        message.suppress_embeds = bool(kwargs.get("suppress_embeds"))
        self.replies.append(message)
        self.channel.messages.append(message)
        return message


def user_message(
    content: str,
    *,
    author: FakeUser | None = None,
    channel: FakeChannel | None = None,
    guild: FakeGuild | None = None,
    dm: bool = False,
    mentions: Iterable[FakeUser] = (),
    **kwargs: Any,
) -> FakeUserMessage:
    """A message written in ``channel`` (a new #general of ``guild``, or a DM channel with ``dm``)."""
    if channel is None:
        if dm:
            channel = FakeChannel(name="dm", type=discord.ChannelType.private)
        else:
            guild = guild or FakeGuild()
            channel = guild.add_channel(name="general")
    if author is None:
        author = FakeUser() if channel.guild is None else FakeMember(guild=channel.guild)
    return FakeUserMessage(content, author, channel, mentions=list(mentions), **kwargs)


# -- interactions --------------------------------------------------------------------------------
class FakeNamespace:
    """Like :class:`discord.app_commands.Namespace`: options by name; a missing one reads as None."""

    def __init__(self, **options: Any) -> None:
        self.__dict__.update(options)

    def __getattr__(self, name: str) -> Any:
        return None

    def __getitem__(self, key: str) -> Any:
        return self.__dict__[key]

    def __contains__(self, key: str) -> bool:
        return key in self.__dict__

    def __iter__(self):  # type: ignore[no-untyped-def]
        yield from self.__dict__.items()

    def __repr__(self) -> str:
        return f"<FakeNamespace {self.__dict__!r}>"


@dataclass(eq=False)
class FakeCallbackResponse:
    """What ``InteractionResponse.send_message`` returns (discord.py >= 2.5)."""

    id: int
    type: discord.InteractionResponseType
    message_id: int | None = None
    resource: FakeMessage | None = None


class FakeResponse:
    """``interaction.response``: one response per interaction, as on Discord."""

    def __init__(self, interaction: FakeInteraction) -> None:
        self._interaction = interaction
        self.type: discord.InteractionResponseType | None = None
        self.deferred_ephemeral: bool | None = None
        self.thinking: bool = False
        self.choices: list[app_commands.Choice[Any]] | None = None
        self.modal: discord.ui.Modal | None = None

    def is_done(self) -> bool:
        return self.type is not None

    def _claim(self, kind: discord.InteractionResponseType) -> None:
        if self.type is not None:
            raise discord.InteractionResponded(self._interaction)  # type: ignore[arg-type]
        self.type = kind

    async def send_message(
        self,
        content: Any = None,
        *,
        ephemeral: bool = False,
        **kwargs: Any,
    ) -> FakeCallbackResponse:
        if self._interaction.type is discord.InteractionType.autocomplete:
            raise DiscordRejected("an autocomplete interaction can only be answered with choices")
        interaction = self._interaction
        message = _message(
            interaction.channel,
            content,
            kwargs,
            via="response",
            ephemeral=ephemeral,
            metadata=FakeInteractionMetadata(interaction.id, interaction.user, interaction.type),
        )
        self._claim(discord.InteractionResponseType.channel_message)
        interaction.sent.append(message)
        interaction.original = message
        return FakeCallbackResponse(interaction.id, self.type, message.id, message)  # type: ignore[arg-type]

    async def defer(self, *, ephemeral: bool = False, thinking: bool = False) -> FakeCallbackResponse | None:
        interaction = self._interaction
        if interaction.type is discord.InteractionType.component and not thinking:
            self._claim(discord.InteractionResponseType.deferred_message_update)
            if interaction.original is None:
                interaction.original = interaction.message
        else:
            self._claim(discord.InteractionResponseType.deferred_channel_message)
            self.thinking = True
        self.deferred_ephemeral = ephemeral
        return FakeCallbackResponse(interaction.id, self.type)  # type: ignore[arg-type]

    async def autocomplete(self, choices: Sequence[app_commands.Choice[Any]]) -> None:
        if self._interaction.type is not discord.InteractionType.autocomplete:
            raise DiscordRejected("autocomplete choices answer an autocomplete interaction only")
        check_choices(choices)
        self._claim(discord.InteractionResponseType.autocomplete_result)
        self.choices = list(choices)

    async def edit_message(self, *, content: Any = MISSING, view: Any = MISSING, **kwargs: Any) -> None:
        interaction = self._interaction
        if interaction.message is None:
            raise DiscordRejected("edit_message answers a component or modal interaction only")
        self._claim(discord.InteractionResponseType.message_update)
        if interaction.original is None:  # Discord: @original is now the message the component is on
            interaction.original = interaction.message
        if content is not MISSING:
            await interaction.message.edit(content=content)
        if view is not MISSING:
            await interaction.message.edit(view=view)
        interaction.edits.append(interaction.message)

    async def send_modal(self, modal: discord.ui.Modal) -> None:
        if self._interaction.type is discord.InteractionType.modal_submit:
            raise DiscordRejected("a modal cannot be answered with another modal")
        check_modal(modal)
        self._claim(discord.InteractionResponseType.modal)
        self.modal = modal

    async def pong(self) -> None:
        self._claim(discord.InteractionResponseType.pong)


class FakeFollowup:
    """``interaction.followup``: only after the interaction has been answered or deferred."""

    def __init__(self, interaction: FakeInteraction) -> None:
        self._interaction = interaction

    async def send(
        self,
        content: Any = None,
        *,
        ephemeral: bool = False,
        wait: bool = False,
        **kwargs: Any,
    ) -> FakeMessage | None:
        interaction = self._interaction
        if not interaction.response.is_done():
            raise DiscordRejected("a follow-up before any response: Discord answers 404 Unknown Webhook")
        if interaction.response.type is discord.InteractionResponseType.autocomplete_result:
            raise DiscordRejected("an autocomplete interaction has no follow-ups")
        # The first follow-up after a deferral replaces the "thinking" message, with its visibility.
        if interaction.response.thinking and not any(m.via == "followup" for m in interaction.sent):
            ephemeral = bool(interaction.response.deferred_ephemeral)
        message = _message(
            interaction.channel,
            content,
            kwargs,
            via="followup",
            ephemeral=ephemeral,
            metadata=FakeInteractionMetadata(interaction.id, interaction.user, interaction.type),
        )
        interaction.sent.append(message)
        if interaction.original is None:
            interaction.original = message
        return message if wait else None


class FakeInteraction:
    """A slash command, autocomplete or component interaction as a cog sees it."""

    def __init__(
        self,
        client: Any,
        *,
        user: FakeUser | None = None,
        guild: FakeGuild | None = None,
        channel: FakeChannel | None = None,
        type: discord.InteractionType = discord.InteractionType.application_command,
        namespace: FakeNamespace | None = None,
        data: dict[str, Any] | None = None,
        message: FakeMessage | None = None,
        locale: discord.Locale = discord.Locale.american_english,
        dm: bool = False,
    ) -> None:
        self.client = client
        if guild is None and not dm:
            guild = FakeGuild()
        self.guild = guild
        if channel is None:
            channel = FakeChannel(name="general" if guild else "dm", guild=guild,
                                  type=discord.ChannelType.text if guild else discord.ChannelType.private)
            if guild is not None:
                guild.add_channel(channel)
        elif guild is not None and channel.guild is None:
            guild.add_channel(channel)
        self.channel = channel
        if user is None:
            user = FakeMember(guild=guild) if guild is not None else FakeUser()
        elif isinstance(user, FakeMember) and user.guild is None:
            user.guild = guild
        self.user = user
        if isinstance(user, FakeMember) and guild is not None and user not in guild.members:
            guild.members.append(user)
        self.id = snowflake()
        self.application_id = 1_100_000_000_000_000_001
        self.token = f"fake-interaction-token-{self.id}"
        self.type = type
        self.namespace = namespace or FakeNamespace()
        self.data: dict[str, Any] = data or {}
        self.message = message
        self.locale = locale
        self.guild_locale = locale if guild else None
        self.created_at = datetime.datetime.now(datetime.timezone.utc)
        self.extras: dict[Any, Any] = {}
        self.command: Any = None
        self.command_failed = False
        self.response = FakeResponse(self)
        self.followup = FakeFollowup(self)
        #: every message sent for this interaction (response first, then follow-ups), in order
        self.sent: list[FakeMessage] = []
        #: messages edited through ``response.edit_message`` / ``edit_original_response``
        self.edits: list[FakeMessage] = []
        self.original: FakeMessage | None = None
        #: overrides ``app_permissions`` (None: the bot may view, send, embed and read history)
        self.bot_permissions: discord.Permissions | None = None

    # -- what cogs read ----------------------------------------------------------------------------
    @property
    def guild_id(self) -> int | None:
        return self.guild.id if self.guild else None

    @property
    def channel_id(self) -> int | None:
        return self.channel.id if self.channel else None

    @property
    def permissions(self) -> discord.Permissions:
        if self.guild is None:
            return discord.Permissions._dm_permissions()
        return self.channel.permissions_for(self.user) if self.channel else discord.Permissions.none()

    @property
    def app_permissions(self) -> discord.Permissions:
        """The bot's permissions in the channel (set ``bot_permissions`` to change them)."""
        if self.bot_permissions is not None:
            return self.bot_permissions
        return discord.Permissions(send_messages=True, embed_links=True, view_channel=True, read_message_history=True)

    def is_expired(self) -> bool:
        return False

    def is_guild_integration(self) -> bool:
        return self.guild is not None

    async def original_response(self) -> FakeMessage:
        if self.original is None:
            raise DiscordRejected("no original response yet: Discord answers 404 Unknown Message")
        return self.original

    async def edit_original_response(self, *, content: Any = MISSING, view: Any = MISSING, **kwargs: Any) -> FakeMessage:
        message = await self.original_response()
        if content is not MISSING:
            await message.edit(content=content)
        if view is not MISSING:
            await message.edit(view=view)
        self.edits.append(message)
        return message

    async def delete_original_response(self) -> None:
        (await self.original_response()).deleted = True

    # -- what tests read ---------------------------------------------------------------------------
    @property
    def last(self) -> FakeMessage:
        """The last message sent for this interaction; fails the test when there is none."""
        if not self.sent:
            raise AssertionError("the interaction was never answered with a message")
        return self.sent[-1]

    @property
    def answered(self) -> bool:
        return self.response.is_done()

    def __repr__(self) -> str:
        return f"<FakeInteraction id={self.id} type={self.type.name} user={self.user.id}>"


def check_choices(choices: Sequence[app_commands.Choice[Any]]) -> None:
    """Discord's rules for autocomplete results."""
    if len(choices) > AUTOCOMPLETE_LIMIT:
        raise DiscordRejected(f"{len(choices)} autocomplete choices; Discord allows {AUTOCOMPLETE_LIMIT}")
    for choice in choices:
        if not 1 <= len(choice.name) <= CHOICE_NAME_LIMIT:
            raise DiscordRejected(f"choice name {choice.name!r} is not 1-{CHOICE_NAME_LIMIT} characters")
        if isinstance(choice.value, str) and len(choice.value) > CHOICE_VALUE_LIMIT:
            raise DiscordRejected(f"choice value {choice.value!r} is over {CHOICE_VALUE_LIMIT} characters")


MODAL_INPUT_LIMIT = 5
MODAL_TITLE_LIMIT = 45
LABEL_LIMIT = 45
LABEL_DESCRIPTION_LIMIT = 100
TEXT_INPUT_LIMIT = 4000


def check_modal(modal: discord.ui.Modal) -> None:
    """Discord's rules for a modal: a title, at most five inputs, every length limit."""
    payload = modal.to_dict()
    if not 1 <= len(payload["title"]) <= MODAL_TITLE_LIMIT:
        raise DiscordRejected(f"modal title {payload['title']!r} is not 1-{MODAL_TITLE_LIMIT} characters")
    if not 1 <= len(payload["custom_id"]) <= CUSTOM_ID_LIMIT:
        raise DiscordRejected(f"modal custom_id is not 1-{CUSTOM_ID_LIMIT} characters")
    rows = payload["components"]
    if not 1 <= len(rows) <= MODAL_INPUT_LIMIT:
        raise DiscordRejected(f"{len(rows)} components in a modal; Discord allows 1-{MODAL_INPUT_LIMIT}")
    for row in rows:
        inner = row.get("component") or (row.get("components") or [None])[0]
        label = row.get("label") or (inner or {}).get("label")
        if not label or len(label) > LABEL_LIMIT:
            raise DiscordRejected(f"label {label!r} is not 1-{LABEL_LIMIT} characters")
        if len(row.get("description") or "") > LABEL_DESCRIPTION_LIMIT:
            raise DiscordRejected(f"label description of {len(row['description'])} characters; Discord allows {LABEL_DESCRIPTION_LIMIT}")
        value = (inner or {}).get("value") or ""
        if len(value) > min(TEXT_INPUT_LIMIT, (inner or {}).get("max_length") or TEXT_INPUT_LIMIT):
            raise DiscordRejected(f"a text input prefilled with {len(value)} characters, over its limit")
        if not 1 <= len((inner or {}).get("custom_id") or "") <= CUSTOM_ID_LIMIT:
            raise DiscordRejected("a modal input's custom_id is not 1-100 characters")


async def submit_modal(interaction: FakeInteraction, modal: discord.ui.Modal, values: dict[str, str] | None = None) -> None:
    """Submit ``modal`` as ``interaction``'s user: the boxes keep their prefilled text unless
    ``values`` (by the input's custom_id, or the Label's text) says otherwise."""
    values = values or {}
    components = []
    for row in modal.to_dict()["components"]:
        inner = dict(row.get("component") or row["components"][0])
        typed = values.get(inner["custom_id"], values.get(row.get("label", ""), inner.get("value") or ""))
        components.append({"type": 18, "component": {"type": 4, "custom_id": inner["custom_id"], "value": typed}})
    interaction.type = discord.InteractionType.modal_submit
    interaction.data = {"custom_id": modal.custom_id, "components": components}
    await modal._scheduled_task(interaction, components, {})  # type: ignore[arg-type]


async def choose(interaction: FakeInteraction, message: FakeMessage, values: list[str]) -> None:
    """Choose ``values`` in the first select menu of ``message``."""
    select = next(item for item in _walk(message.view) if isinstance(item, discord.ui.Select))
    interaction.type = discord.InteractionType.component
    interaction.message = message
    interaction.data = {"custom_id": select.custom_id, "component_type": 3, "values": values}
    select._refresh_state(interaction, interaction.data)  # type: ignore[arg-type]
    assert message.view is not None
    await message.view._scheduled_task(select, interaction)  # type: ignore[arg-type]


# -- running commands the way discord.py does --------------------------------------------------
def find_command(bot: Any, qualified_name: str) -> app_commands.Command[Any, ..., Any]:
    """A slash command by its full name, e.g. ``"ask"`` or ``"lore-admin horizon"``."""
    parts = qualified_name.split()
    found: Any = bot.tree.get_command(parts[0])
    for part in parts[1:]:
        found = found.get_command(part) if found is not None else None
    if not isinstance(found, app_commands.Command):
        raise LookupError(f"no slash command /{qualified_name}")
    return found


async def invoke(bot: Any, interaction: FakeInteraction, qualified_name: str, /, **options: Any) -> None:
    """Run a slash command as ``CommandTree._call`` does: checks, option transformers, the
    command's, the cog's and the tree's error handlers. ``options`` use the names users see."""
    command = find_command(bot, qualified_name)
    interaction.type = discord.InteractionType.application_command
    interaction.command = command
    interaction.namespace = FakeNamespace(**options)
    interaction.data = {"name": command.root_parent.name if command.root_parent else command.name, "type": 1}
    if not await bot.tree.interaction_check(interaction):
        interaction.command_failed = True
        return
    try:
        await command._invoke_with_namespace(interaction, interaction.namespace)  # type: ignore[arg-type]
    except app_commands.AppCommandError as error:
        interaction.command_failed = True
        await command._invoke_error_handlers(interaction, error)  # type: ignore[arg-type]
        await bot.tree.on_error(interaction, error)


async def autocomplete(
    bot: Any,
    interaction: FakeInteraction,
    qualified_name: str,
    option: str,
    current: Any,
    /,
    **others: Any,
) -> list[app_commands.Choice[Any]]:
    """Ask for autocomplete choices as Discord does while ``option`` is being typed; returns the
    choices the bot answered with (checked against Discord's limits)."""
    command = find_command(bot, qualified_name)
    interaction.type = discord.InteractionType.autocomplete
    interaction.command = command
    interaction.namespace = FakeNamespace(**{**others, option: current})
    await command._invoke_autocomplete(interaction, option, interaction.namespace)  # type: ignore[arg-type]
    if interaction.response.choices is None:
        raise AssertionError("autocomplete was never answered (Discord shows 'Loading options failed')")
    return interaction.response.choices


async def press(
    interaction: FakeInteraction,
    message: FakeMessage,
    *,
    label: str | None = None,
    custom_id: str | None = None,
) -> None:
    """Press a button of ``message`` as ``interaction``'s user.

    A dynamic item is rebuilt from its ``custom_id`` (as after a restart) and run the way
    discord.py's view store runs it; a plain view item goes through the view's checks and
    ``on_error``."""
    items = _walk(message.view)
    target = None
    for item in items:
        inner = _unwrap(item)
        if (label is not None and getattr(inner, "label", None) == label) or (
            custom_id is not None and getattr(inner, "custom_id", None) == custom_id
        ):
            target = item
            break
    if target is None:
        raise LookupError(f"no button {label or custom_id!r}; the message has {message.button_labels}")
    inner = _unwrap(target)
    interaction.type = discord.InteractionType.component
    interaction.message = message
    interaction.data = {"custom_id": inner.custom_id, "component_type": 2}  # type: ignore[attr-defined]
    if isinstance(target, discord.ui.DynamicItem):
        factory = type(target)
        match = factory.__discord_ui_compiled_template__.fullmatch(inner.custom_id)  # type: ignore[attr-defined]
        if match is None:
            raise AssertionError(f"custom_id {inner.custom_id!r} does not match {factory.__name__}'s template")  # type: ignore[attr-defined]
        item = await factory.from_custom_id(interaction, inner, match)  # type: ignore[arg-type]
        item._view = message.view
        if not await item.interaction_check(interaction):  # type: ignore[arg-type]
            return
        # discord.py logs and swallows an exception here; so do we, then the test sees no answer.
        try:
            await item.callback(interaction)  # type: ignore[arg-type]
        except Exception:  # pragma: no cover - mirrors discord.py
            import logging

            logging.getLogger("tests.fakes").exception("dynamic item callback failed")
        return
    view = message.view
    assert view is not None
    await view._scheduled_task(target, interaction)  # type: ignore[arg-type]
