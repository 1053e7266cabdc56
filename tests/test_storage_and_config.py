"""Storage keeps what it must and loses nothing; configuration errors are plain words."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from bot.config import Config, ConfigError
from bot.logs import RedactSecrets
from bot.storage import MAX_UNANSWERED_PER_GUILD, UNANSWERED_SLACK, Storage


def test_settings_progress_and_forgetting(tmp_path: Path) -> None:
    storage = Storage.open(tmp_path / "data" / "lore.sqlite3")
    assert storage.guild_settings(1).spoiler_free == 0
    storage.set_spoiler_free(1, 5)
    storage.set_modlog_channel(1, 42)
    assert storage.guild_settings(1).spoiler_free == 5
    assert storage.guild_settings(1).modlog_channel_id == 42
    assert storage.guild_settings(2).spoiler_free == 0
    storage.set_progress(7, 3)
    storage.set_progress(7, 6)
    assert storage.progress(7) == 6
    assert storage.forget_user(7) is True
    assert storage.progress(7) is None
    assert storage.forget_user(7) is False
    storage.close()


def test_data_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "lore.sqlite3"
    storage = Storage.open(path)
    storage.set_progress(1, 4)
    storage.record_miss(9, "Who is Naruto?", "naruto")
    storage.close()
    reopened = Storage.open(path)
    assert reopened.progress(1) == 4
    assert reopened.top_misses(9)[0].question == "Who is Naruto?"


def test_mention_answers_are_on_unless_a_channel_turned_them_off(tmp_path: Path) -> None:
    path = tmp_path / "lore.sqlite3"
    storage = Storage.open(path)
    assert storage.mentions_enabled(500) is True
    storage.set_mentions_enabled(1, 500, False)
    assert storage.mentions_enabled(500) is False and storage.mentions_enabled(501) is True
    storage.close()
    reopened = Storage.open(path)
    assert reopened.mentions_enabled(500) is False
    reopened.set_mentions_enabled(1, 500, True)
    assert reopened.mentions_enabled(500) is True
    reopened.close()


def test_misses_are_counted_per_phrasing_and_never_name_the_asker(tmp_path: Path) -> None:
    storage = Storage.open(tmp_path / "db")
    for _ in range(3):
        storage.record_miss(1, "who is naruto", "naruto")
    storage.record_miss(1, "season 2?", "season 2")
    storage.record_miss(2, "other server", "other server")
    misses = storage.top_misses(1)
    assert [(m.question, m.count) for m in misses] == [("who is naruto", 3), ("season 2?", 1)]
    storage.resolve_miss(1, "naruto")
    assert [m.normalized for m in storage.top_misses(1)] == ["season 2"]
    assert storage.miss_count(1) == 4
    columns = {row[1] for row in storage._db.execute("PRAGMA table_info(unanswered)")}
    assert not any("user" in column for column in columns)


def test_corrupt_database_is_moved_aside_not_overwritten(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "lore.sqlite3"
    path.write_bytes(b"this is not a database, but somebody's data" * 100)
    with caplog.at_level(logging.ERROR):
        storage = Storage.open(path)
    kept = list(tmp_path.glob("lore.sqlite3.corrupt-*"))
    assert len(kept) == 1
    assert kept[0].read_bytes().startswith(b"this is not a database")
    assert "could not be read" in caplog.text and str(kept[0]) in caplog.text
    storage.set_progress(1, 2)  # the new database works
    assert storage.progress(1) == 2


def test_two_corrupt_databases_are_both_kept(tmp_path: Path) -> None:
    path = tmp_path / "lore.sqlite3"
    for text in (b"first broken file" * 100, b"second broken file" * 100):
        path.unlink(missing_ok=True)
        path.write_bytes(text)
        Storage.open(path).close()
        for extra in tmp_path.glob("lore.sqlite3-*"):
            extra.unlink()
    kept = sorted(p.read_bytes()[:18] for p in tmp_path.glob("lore.sqlite3.corrupt-*"))
    assert kept == [b"first broken filef", b"second broken file"]


def test_damaged_pages_deep_in_the_file_are_found_at_start(tmp_path: Path) -> None:
    path = tmp_path / "lore.sqlite3"
    storage = Storage.open(path)
    for user in range(3000):
        storage.set_progress(user, user % 13)
    storage.close()
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 8192] = b"\xff" * 8192
    path.write_bytes(bytes(data))
    reopened = Storage.open(path)
    assert list(tmp_path.glob("lore.sqlite3.corrupt-*"))
    reopened.set_progress(1, 5)
    assert reopened.progress(1) == 5


def test_audit_trail_records_who_did_what(tmp_path: Path) -> None:
    storage = Storage.open(tmp_path / "db")
    storage.audit(1, 99, "horizon", "spoiler-free horizon set to episode 5")
    trail = storage.audit_trail(1)
    assert [(r.user_id, r.action, r.detail) for r in trail] == [
        (99, "horizon", "spoiler-free horizon set to episode 5")
    ]


def test_config_defaults_and_values() -> None:
    config = Config.from_env(
        {"DISCORD_TOKEN": "Bot abc.def", "DEV_GUILD_ID": "123", "LOG_LEVEL": "debug", "DATA_DIR": "/var/lore"}
    )
    assert config.token == "abc.def"
    assert config.dev_guild_id == 123
    assert config.log_level == "DEBUG"
    assert config.knowledge_dir == Path("knowledge")
    assert config.database_path == Path("/var/lore/lore.sqlite3")
    assert "abc.def" not in repr(config)


def test_config_problems_are_all_listed_in_plain_words() -> None:
    with pytest.raises(ConfigError) as caught:
        Config.from_env(
            {"DEV_GUILD_ID": "my server", "LOG_LEVEL": "LOUD", "DISCORD_API_BASE": "localhost:8080", "SHARD_IDS": "0"}
        )
    problems = caught.value.problems
    assert problems[0].startswith("DISCORD_TOKEN is not set")
    assert "DEV_GUILD_ID must be a whole number, not 'my server'" in problems
    assert "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, not 'LOUD'" in problems
    assert any(p.startswith("DISCORD_API_BASE must be an http(s) URL") for p in problems)
    assert "SHARD_IDS needs SHARD_COUNT too (the total number of shards)" in problems


def test_shard_ids_must_fit_the_count() -> None:
    with pytest.raises(ConfigError) as caught:
        Config.from_env({"DISCORD_TOKEN": "x", "SHARD_COUNT": "2", "SHARD_IDS": "1,2"})
    assert caught.value.problems == ["SHARD_IDS must be numbers from 0 to 1, not '1,2'"]
    config = Config.from_env({"DISCORD_TOKEN": "x", "SHARD_COUNT": "4", "SHARD_IDS": "2, 3"})
    assert config.shard_ids == (2, 3)


def test_token_is_redacted_from_logs() -> None:
    record = logging.LogRecord("x", logging.INFO, "f", 1, "connecting with %s", ("secret-token-123",), None)
    RedactSecrets(["secret-token-123"]).filter(record)
    assert record.getMessage() == "connecting with [redacted]"


def test_sqlite_is_the_only_store(tmp_path: Path) -> None:
    storage = Storage.open(tmp_path / "db")
    tables = {row[0] for row in storage._db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"guild_settings", "user_progress", "unanswered", "counters", "audit_log"} <= tables
    assert isinstance(storage._db, sqlite3.Connection)


def test_unanswered_questions_are_capped_per_server_keeping_the_most_asked(tmp_path: Path) -> None:
    """Issue 13, item 7: 100,000 junk questions took 105 MB; now a server keeps its most asked."""
    storage = Storage.open(tmp_path / "db")
    for _ in range(3):
        storage.record_miss(1, "who is naruto", "naruto")
    storage.record_miss(2, "another server's question", "another")
    extra = MAX_UNANSWERED_PER_GUILD + UNANSWERED_SLACK + 25
    for number in range(extra):
        storage.record_miss(1, f"junk {number}", f"junk {number}")
    (rows,) = storage._db.execute("SELECT COUNT(*) FROM unanswered WHERE guild_id = 1").fetchone()
    assert MAX_UNANSWERED_PER_GUILD <= rows <= MAX_UNANSWERED_PER_GUILD + UNANSWERED_SLACK
    assert storage.top_misses(1, limit=1)[0].question == "who is naruto"  # the most asked stays
    assert storage.top_misses(2)[0].question == "another server's question"  # other servers untouched
    plan = " ".join(str(row) for row in storage._db.execute(
        "EXPLAIN QUERY PLAN SELECT question, normalized, count, last_asked FROM unanswered "
        "WHERE guild_id = 1 AND resolved = 0 ORDER BY count DESC, last_asked DESC LIMIT 15"
    ))
    assert "unanswered_most_asked" in plan and "TEMP B-TREE" not in plan  # indexed, no sort of the table
    storage.close()


def test_a_token_with_a_line_break_is_one_clear_line() -> None:
    with pytest.raises(ConfigError) as caught:
        Config.from_env({"DISCORD_TOKEN": "abc.def\nghi"})
    assert caught.value.problems == [
        "DISCORD_TOKEN contains a line break, a space or another invisible character: copy the token "
        "again from the developer portal and put it on one line, with nothing around it"
    ]


def test_a_shard_listed_twice_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        Config.from_env({"DISCORD_TOKEN": "x", "SHARD_COUNT": "2", "SHARD_IDS": "0,0"})
    assert caught.value.problems == [
        "SHARD_IDS lists shard 0 more than once ('0,0'): each shard must run in exactly one session"
    ]
