"""Who maintains the knowledge (HOME_GUILD_ID, MAINTAINER_IDS) and the proposals queue in storage."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Config, ConfigError
from bot.governance import (
    ACCEPTED,
    ALIAS,
    MAX_PENDING_PER_GUILD,
    PENDING,
    REJECTED,
    Maintainers,
    Proposal,
    alias_payload,
    apply,
)
from bot.knowledge.loader import load_knowledge
from bot.storage import ProposalLimit, Storage

HOME, OTHER = 1000, 2000
MAINTAINER, MODERATOR = 7, 8


def test_config_reads_the_home_server_and_the_maintainers() -> None:
    config = Config.from_env({"DISCORD_TOKEN": "x", "HOME_GUILD_ID": "1000", "MAINTAINER_IDS": " 7, 9 ,"})
    assert config.home_guild_id == 1000
    assert config.maintainer_ids == frozenset({7, 9})
    assert Config.from_env({"DISCORD_TOKEN": "x"}).maintainer_ids == frozenset()


@pytest.mark.parametrize("value", ["7;9", "seven", "7, -9", "7 9"])
def test_malformed_maintainer_ids_are_one_clear_line(value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Config.from_env({"DISCORD_TOKEN": "x", "MAINTAINER_IDS": value})
    [problem] = caught.value.problems
    assert problem.startswith("MAINTAINER_IDS must be Discord user ids separated by commas, such as ")
    assert problem.endswith(" is not one") and "\n" not in problem


def test_maintainers_are_home_moderators_and_listed_users() -> None:
    maintainers = Maintainers(HOME, frozenset({MAINTAINER}))
    assert maintainers.includes(MODERATOR, HOME, moderator_there=True)
    assert not maintainers.includes(MODERATOR, HOME, moderator_there=False)
    assert not maintainers.includes(MODERATOR, OTHER, moderator_there=True)  # a moderator elsewhere proposes
    assert maintainers.includes(MAINTAINER, OTHER, moderator_there=True)
    assert maintainers.takes_proposals


def test_without_a_home_server_only_listed_users_maintain() -> None:
    maintainers = Maintainers(None, frozenset({MAINTAINER}))
    assert maintainers.includes(MAINTAINER, OTHER, moderator_there=True)
    assert not maintainers.includes(MODERATOR, OTHER, moderator_there=True)
    assert not maintainers.takes_proposals
    assert "no home server is set (HOME_GUILD_ID)" in maintainers.describe()
    assert "nobody may change the knowledge from Discord" in Maintainers().describe()
    assert "the moderators of the home server 1000 (HOME_GUILD_ID) and the users 7 (MAINTAINER_IDS)" in (
        Maintainers(HOME, frozenset({MAINTAINER})).describe()
    )


def test_proposals_are_stored_deduplicated_capped_and_decided_once(tmp_path: Path) -> None:
    storage = Storage.open(tmp_path / "lore.sqlite3")
    payload = alias_payload("rouge-mother", "the lady who built rouge", None)
    first, created = storage.add_proposal(ALIAS, payload, OTHER, MODERATOR)
    assert created
    assert (first.status, first.kind, dict(first.payload)) == (PENDING, ALIAS, payload)
    assert first.summary == "add the alias 'the lady who built rouge' to 'rouge-mother'"
    again, created = storage.add_proposal(ALIAS, payload, OTHER, MODERATOR + 1)
    assert (again.id, created) == (first.id, False)  # the same change proposed twice waits once

    storage.set_proposal_message(first.id, 55, 66)
    claimed = storage.claim_proposal(first.id, MAINTAINER)
    assert claimed is not None and (claimed.channel_id, claimed.message_id) == (55, 66)
    assert storage.claim_proposal(first.id, MAINTAINER) is None  # a second press does nothing
    storage.decide_proposal(first.id, ACCEPTED, MAINTAINER, "taught")
    decided = storage.proposal(first.id)
    assert decided is not None and (decided.status, decided.decided_by, decided.note) == (ACCEPTED, MAINTAINER, "taught")
    assert storage.claim_proposal(first.id, MAINTAINER) is None

    # one server cannot flood the maintainers
    for number in range(MAX_PENDING_PER_GUILD):
        storage.add_proposal(ALIAS, alias_payload("rouge", f"phrase {number}", None), OTHER, MODERATOR)
    with pytest.raises(ProposalLimit):
        storage.add_proposal(ALIAS, alias_payload("rouge", "one too many", None), OTHER, MODERATOR)
    storage.add_proposal(ALIAS, alias_payload("rouge", "from a third server", None), 3000, MODERATOR)
    storage.close()


def test_a_proposal_being_decided_when_the_bot_stopped_is_pending_again(tmp_path: Path) -> None:
    path = tmp_path / "lore.sqlite3"
    storage = Storage.open(path)
    proposal, _ = storage.add_proposal(ALIAS, alias_payload("rouge", "red one", None), OTHER, MODERATOR)
    assert storage.claim_proposal(proposal.id, MAINTAINER) is not None
    storage.close()
    reopened = Storage.open(path)
    assert [p.id for p in reopened.proposals()] == [proposal.id]
    reopened.decide_proposal(proposal.id, REJECTED, MAINTAINER)
    assert reopened.proposals() == []


def test_applying_an_alias_proposal_teaches_it(folder: Path) -> None:
    proposal = Proposal(1, ALIAS, alias_payload("rouge-mother", "the lady who built the red android", None), OTHER, MODERATOR)
    applied = apply(folder, proposal)
    assert applied.ok, applied.message
    aliases = [a.text for a in load_knowledge(folder).entry("rouge-mother").aliases]
    assert "the lady who built the red android" in aliases
    unknown = apply(folder, Proposal(2, "rename", {}, OTHER, MODERATOR))
    assert not unknown.ok and "kind 'rename'" in unknown.message
    # a fan's correction is made by a maintainer in the edit form (bot.cogs.corrections), never by itself
    correction = apply(folder, Proposal(3, "correction", {"entry": "rouge", "what": "x", "source": "y"}, OTHER, MODERATOR))
    assert not correction.ok and "edit form" in correction.message
