"""End to end: with SITE_URL set, the real bot's public answer carries a "Read more" link button
that the fake Discord accepts as Discord would (a link button: style 5, a url, no custom_id)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .bot_process import buttons, is_ephemeral, new_member, reply, running_bot
from .fake_discord import FakeDiscord, default_spec_path

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(60)]


async def test_public_answer_has_a_read_more_link_to_the_lore_site(tmp_path: Path) -> None:
    async with FakeDiscord(heartbeat_interval=2000) as fake:
        async with running_bot(fake, tmp_path, env={"SITE_URL": "https://lore.example.org/"}) as bot:
            user = new_member(fake, "site-fan")
            rec = await fake.send_slash_command("ask", {"question": "who is rouge's mom", "upto": 5}, user=user)
            data = await reply(rec)
            assert not is_ephemeral(data) and data["content"].startswith("**Who is Rouge's mother?**")
            # "Read more" (a link) sits beside "Suggest a correction" (bot.cogs.corrections)
            (button,) = [b for b in buttons(data) if "url" in b]
            assert [b["label"] for b in buttons(data) if "url" not in b] == ["Suggest a correction"]
            assert button["style"] == 5 and "custom_id" not in button
            assert button["url"] == "https://lore.example.org/ep/5/entry/rouge-mother.html"
            assert "https://" not in data["content"]
            fake.assert_no_violations()
            assert bot.errors() == [], bot.describe()
            spec = default_spec_path()
            if spec is not None and os.path.isfile(spec):
                fake.assert_openapi_conformance(spec)
