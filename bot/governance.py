"""Who may change the knowledge every server sees, and what happens when someone else tries.

The knowledge is one for all servers, so a change to it (teach, reload, and every edit made from
Discord) is a change for every server. Only the knowledge's **maintainers** make such changes:

* the moderators of the **home server** (``HOME_GUILD_ID``): members with Manage Server (or
  Administrator) or the home server's moderator role (``/lore-admin modrole`` there);
* the users listed in ``MAINTAINER_IDS``, from any server where they may use ``/lore-admin``.

Without ``HOME_GUILD_ID`` only ``MAINTAINER_IDS`` may change the knowledge. Moderators of other
servers **propose** instead: their change becomes a :class:`Proposal` (stored, and posted in the
home server's mod-log with Accept and Reject buttons); nobody sees it until a maintainer accepts.
Per-server settings (horizon, mod-log, moderator role) stay with each server's own moderators.

A proposal has a ``kind`` and a JSON ``payload``; :data:`APPLIERS` maps each kind to the function
that makes the change, so a new kind (fans' corrections, say) is one more entry there plus its
describer. Nothing here imports discord.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.knowledge.loader import Problem

#: a proposal kind: add an alias (payload: entry, alias, episode)
ALIAS = "alias"
#: a proposal kind: a fan's correction of an answer (payload: entry, what, source); a maintainer
#: makes it in the edit form that Accept opens (bot.cogs.corrections), so it has no applier
CORRECTION = "correction"

PENDING = "pending"
#: claimed by a maintainer's press, being applied (set back to pending if the bot stops meanwhile)
DECIDING = "deciding"
ACCEPTED = "accepted"
REJECTED = "rejected"

#: pending proposals one server may have at once: a server cannot flood the maintainers
MAX_PENDING_PER_GUILD = 10


@dataclass(frozen=True, slots=True)
class Maintainers:
    """The knowledge's maintainers, from ``HOME_GUILD_ID`` and ``MAINTAINER_IDS``."""

    home_guild_id: int | None = None
    user_ids: frozenset[int] = frozenset()

    @classmethod
    def from_config(cls, config: Any) -> Maintainers:
        return cls(config.home_guild_id, frozenset(config.maintainer_ids))

    def includes(self, user_id: int, guild_id: int | None, *, moderator_there: bool) -> bool:
        """Whether the user may change the knowledge: listed, or a moderator of the home server.

        ``moderator_there``: the user is a moderator of ``guild_id`` (the server they act in)."""
        if user_id in self.user_ids:
            return True
        return self.home_guild_id is not None and guild_id == self.home_guild_id and moderator_there

    @property
    def takes_proposals(self) -> bool:
        """Proposals need a home server: they are posted in its mod-log."""
        return self.home_guild_id is not None

    def describe(self) -> str:
        """One line for the start-up log and ``/lore-admin stats``."""
        users = ", ".join(str(u) for u in sorted(self.user_ids))
        listed = f"the users {users} (MAINTAINER_IDS)" if self.user_ids else ""
        if self.home_guild_id is not None:
            home = f"the moderators of the home server {self.home_guild_id} (HOME_GUILD_ID)"
            who = f"{home} and {listed}" if listed else home
            return (
                f"the knowledge every server sees is changed only by {who}; moderators of other servers "
                "propose changes, which wait in the home server's mod-log for a maintainer to accept them"
            )
        if listed:
            return (
                f"the knowledge every server sees is changed only by {listed}; no home server is set "
                "(HOME_GUILD_ID), so moderators of other servers cannot propose changes"
            )
        return (
            "nobody may change the knowledge from Discord: set HOME_GUILD_ID (the home server, whose "
            "moderators maintain it) or MAINTAINER_IDS; the files can still be edited by hand"
        )


@dataclass(frozen=True, slots=True)
class Proposal:
    """A change proposed by a moderator of a server that does not maintain the knowledge."""

    id: int
    kind: str
    payload: Mapping[str, Any]
    #: the proposer's server and user
    guild_id: int
    user_id: int
    status: str = PENDING
    created_at: float = 0.0
    decided_at: float | None = None
    decided_by: int | None = None
    #: why it was decided so (or why applying it failed last)
    note: str | None = None
    #: the post in the home server's mod-log, once posted
    channel_id: int | None = None
    message_id: int | None = None

    @property
    def summary(self) -> str:
        return describe(self.kind, self.payload)


@dataclass(frozen=True, slots=True)
class Applied:
    """What applying a proposal did: ``ok``, a message in plain words, the problems if not ok."""

    ok: bool
    message: str
    problems: tuple[Problem, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)


# -- kinds ---------------------------------------------------------------------------------------
def alias_payload(entry_id: str, alias: str, episode: int | None) -> dict[str, Any]:
    return {"entry": entry_id, "alias": alias, "episode": episode}


def _describe_alias(payload: Mapping[str, Any]) -> str:
    episode = payload.get("episode")
    where = f" (matched from episode {episode} on)" if episode is not None else ""
    return f"add the alias '{payload.get('alias')}'{where} to '{payload.get('entry')}'"


def _apply_alias(folder: Path, payload: Mapping[str, Any]) -> Applied:
    from bot.knowledge.teach import teach_alias  # teach pulls in ruamel; only needed here

    result = teach_alias(folder, str(payload["entry"]), str(payload["alias"]), episode=payload.get("episode"))
    return Applied(result.ok, result.message, result.problems)


def correction_payload(entry_id: str, what: str, source: str) -> dict[str, Any]:
    return {"entry": entry_id, "what": " ".join(what.split()), "source": " ".join(source.split())}


def _describe_correction(payload: Mapping[str, Any]) -> str:
    what = str(payload.get("what", ""))
    return f"correct '{payload.get('entry')}': {what if len(what) <= 120 else what[:119] + '…'}"


def _apply_correction(folder: Path, payload: Mapping[str, Any]) -> Applied:
    return Applied(False, "A correction is made by a maintainer, in the edit form that Accept opens.")


#: kind -> (describe the change in plain words, apply it to the knowledge folder)
DESCRIBERS: dict[str, Callable[[Mapping[str, Any]], str]] = {ALIAS: _describe_alias, CORRECTION: _describe_correction}
APPLIERS: dict[str, Callable[[Path, Mapping[str, Any]], Applied]] = {ALIAS: _apply_alias, CORRECTION: _apply_correction}


def describe(kind: str, payload: Mapping[str, Any]) -> str:
    describer = DESCRIBERS.get(kind)
    return describer(payload) if describer else f"a change of an unknown kind '{kind}'"


def apply(folder: Path, proposal: Proposal) -> Applied:
    """Make the proposed change (blocking: call it in a thread, holding the reloader's lock)."""
    applier = APPLIERS.get(proposal.kind)
    if applier is None:
        return Applied(False, f"This bot does not know how to apply a proposal of kind '{proposal.kind}'.")
    return applier(folder, proposal.payload)
