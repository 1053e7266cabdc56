"""SQLite storage: per-server settings, per-user progress, unanswered questions, moderator log.

What is stored (the README repeats this for users):

* per server: the spoiler-free horizon, the mod-log channel, the moderator role, answer counts;
* per channel: whether the bot answers @mentions there (``/lore-admin mentions``);
* per user: the episode they have watched up to, and when they set it (``/forget-me`` deletes it);
* unanswered questions: the question text (normalised for counting), how often and when it was
  asked, per server; never who asked;
* moderator actions: who did what, when (an audit trail for the server's moderators).

Queries are tiny and local, so they run synchronously; the database is opened in WAL mode.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS guild_settings (
    guild_id INTEGER PRIMARY KEY,
    spoiler_free INTEGER NOT NULL DEFAULT 0,
    modlog_channel_id INTEGER,
    mod_role_id INTEGER
);
CREATE TABLE IF NOT EXISTS user_progress (
    user_id INTEGER PRIMARY KEY,
    episode INTEGER NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS unanswered (
    guild_id INTEGER NOT NULL,
    normalized TEXT NOT NULL,
    question TEXT NOT NULL,
    count INTEGER NOT NULL DEFAULT 1,
    first_asked REAL NOT NULL,
    last_asked REAL NOT NULL,
    resolved INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, normalized)
);
CREATE TABLE IF NOT EXISTS counters (
    guild_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    value INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, name)
);
CREATE TABLE IF NOT EXISTS channel_settings (
    channel_id INTEGER PRIMARY KEY,
    guild_id INTEGER NOT NULL,
    mentions_enabled INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    guild_id INTEGER,
    user_id INTEGER,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
"""

#: guild id used for direct messages and the CLI
NO_GUILD = 0


class StorageError(Exception):
    """The database cannot be used; the message says why in plain words."""


@dataclass(frozen=True, slots=True)
class GuildSettings:
    guild_id: int
    spoiler_free: int = 0
    modlog_channel_id: int | None = None
    mod_role_id: int | None = None


@dataclass(frozen=True, slots=True)
class Miss:
    question: str
    normalized: str
    count: int
    last_asked: float


@dataclass(frozen=True, slots=True)
class AuditRecord:
    at: float
    guild_id: int | None
    user_id: int | None
    action: str
    detail: str


def _free_name(path: Path) -> Path:
    """``path``, or ``path-2``, ``path-3``... : a name no earlier kept file already has."""
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}-{number}")
    return candidate


class Storage:
    def __init__(self, connection: sqlite3.Connection, path: Path | None) -> None:
        self._db = connection
        self.path = path

    @classmethod
    def open(cls, path: str | Path) -> Storage:
        """Open (or create) the database. A corrupt file is moved aside, never overwritten."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StorageError(f"cannot create the data folder {path.parent}: {error.strerror or error}") from None
        try:
            return cls(cls._connect(path), path)
        except sqlite3.OperationalError as error:  # locked by another process, unreadable: not corrupt
            raise StorageError(f"cannot open the database {path}: {error}") from None
        except sqlite3.DatabaseError as error:
            if not path.exists():
                raise StorageError(f"cannot open the database {path}: {error}") from None
            aside = _free_name(path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}"))
            path.rename(aside)
            for suffix in ("-wal", "-shm"):
                extra = path.with_name(path.name + suffix)
                if extra.exists():
                    extra.rename(aside.with_name(aside.name + suffix))
            log.error(
                "The database %s could not be read (%s). It was moved to %s so nothing in it is lost; "
                "a new, empty database was started. Restore from a backup by stopping the bot and "
                "copying a good file back to %s.",
                path, error, aside, path,
            )
            return cls(cls._connect(path), path)
        except sqlite3.Error as error:
            raise StorageError(f"cannot open the database {path}: {error}") from None

    @classmethod
    def in_memory(cls) -> Storage:
        return cls(cls._connect(":memory:"), None)

    @staticmethod
    def _connect(target: Path | str) -> sqlite3.Connection:
        db = sqlite3.connect(str(target), isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA busy_timeout=5000")
            # Damaged pages deep in the file only fail when a query reaches them, which would then
            # fail every command of the users stored there; find them now (a few ms) instead.
            found = [row[0] for row in db.execute("PRAGMA quick_check")]
            if found != ["ok"]:
                raise sqlite3.DatabaseError("; ".join(found[:3]))
            db.executescript(_SCHEMA)
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            elif version > SCHEMA_VERSION:
                raise sqlite3.DatabaseError(
                    f"the database was written by a newer version of the bot (schema {version})"
                )
        except sqlite3.Error:
            db.close()
            raise
        return db

    def close(self) -> None:
        """Flush and close (a WAL checkpoint folds pending writes into the main file)."""
        try:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:  # pragma: no cover - closing anyway
            pass
        self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        else:
            self._db.execute("COMMIT")

    # -- server settings -------------------------------------------------------------------------
    def guild_settings(self, guild_id: int | None) -> GuildSettings:
        gid = guild_id or NO_GUILD
        row = self._db.execute(
            "SELECT spoiler_free, modlog_channel_id, mod_role_id FROM guild_settings WHERE guild_id = ?",
            (gid,),
        ).fetchone()
        return GuildSettings(gid, *row) if row else GuildSettings(gid)

    def _set_guild(self, guild_id: int, column: str, value: int | None) -> None:
        assert column in ("spoiler_free", "modlog_channel_id", "mod_role_id")
        with self._transaction() as db:
            db.execute("INSERT OR IGNORE INTO guild_settings (guild_id) VALUES (?)", (guild_id,))
            db.execute(f"UPDATE guild_settings SET {column} = ? WHERE guild_id = ?", (value, guild_id))

    def set_spoiler_free(self, guild_id: int, episode: int) -> None:
        self._set_guild(guild_id, "spoiler_free", episode)

    def set_modlog_channel(self, guild_id: int, channel_id: int | None) -> None:
        self._set_guild(guild_id, "modlog_channel_id", channel_id)

    def set_mod_role(self, guild_id: int, role_id: int | None) -> None:
        self._set_guild(guild_id, "mod_role_id", role_id)

    # -- channel settings ------------------------------------------------------------------------
    def mentions_enabled(self, channel_id: int) -> bool:
        """Whether the bot answers messages that mention it in this channel (on unless turned off)."""
        row = self._db.execute(
            "SELECT mentions_enabled FROM channel_settings WHERE channel_id = ?", (channel_id,)
        ).fetchone()
        return bool(row[0]) if row else True

    def set_mentions_enabled(self, guild_id: int, channel_id: int, enabled: bool) -> None:
        self._db.execute(
            "INSERT INTO channel_settings (channel_id, guild_id, mentions_enabled) VALUES (?, ?, ?) "
            "ON CONFLICT(channel_id) DO UPDATE SET mentions_enabled = excluded.mentions_enabled",
            (channel_id, guild_id, int(enabled)),
        )

    # -- user progress ---------------------------------------------------------------------------
    def progress(self, user_id: int) -> int | None:
        row = self._db.execute("SELECT episode FROM user_progress WHERE user_id = ?", (user_id,)).fetchone()
        return row[0] if row else None

    def set_progress(self, user_id: int, episode: int) -> None:
        self._db.execute(
            "INSERT INTO user_progress (user_id, episode, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(user_id) DO UPDATE SET episode = excluded.episode, updated_at = excluded.updated_at",
            (user_id, episode, time.time()),
        )

    def forget_user(self, user_id: int) -> bool:
        """Delete everything stored about a user; True if there was anything."""
        cursor = self._db.execute("DELETE FROM user_progress WHERE user_id = ?", (user_id,))
        return cursor.rowcount > 0

    # -- unanswered questions --------------------------------------------------------------------
    def record_miss(self, guild_id: int | None, question: str, normalized: str) -> None:
        now = time.time()
        key = normalized or question.strip().lower()
        self._db.execute(
            "INSERT INTO unanswered (guild_id, normalized, question, first_asked, last_asked) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(guild_id, normalized) DO UPDATE SET "
            "count = count + 1, last_asked = excluded.last_asked, question = excluded.question, resolved = 0",
            (guild_id or NO_GUILD, key, question.strip()[:300], now, now),
        )

    def top_misses(self, guild_id: int | None, limit: int = 10) -> list[Miss]:
        rows = self._db.execute(
            "SELECT question, normalized, count, last_asked FROM unanswered "
            "WHERE guild_id = ? AND resolved = 0 ORDER BY count DESC, last_asked DESC LIMIT ?",
            (guild_id or NO_GUILD, limit),
        ).fetchall()
        return [Miss(*row) for row in rows]

    def resolve_miss(self, guild_id: int | None, normalized: str) -> None:
        self._db.execute(
            "UPDATE unanswered SET resolved = 1 WHERE guild_id = ? AND normalized = ?",
            (guild_id or NO_GUILD, normalized),
        )

    def miss_count(self, guild_id: int | None) -> int:
        row = self._db.execute(
            "SELECT COALESCE(SUM(count), 0) FROM unanswered WHERE guild_id = ?", (guild_id or NO_GUILD,)
        ).fetchone()
        return int(row[0])

    # -- counters and audit ----------------------------------------------------------------------
    def bump(self, guild_id: int | None, name: str, by: int = 1) -> None:
        self._db.execute(
            "INSERT INTO counters (guild_id, name, value) VALUES (?, ?, ?) "
            "ON CONFLICT(guild_id, name) DO UPDATE SET value = value + excluded.value",
            (guild_id or NO_GUILD, name, by),
        )

    def counter(self, guild_id: int | None, name: str) -> int:
        row = self._db.execute(
            "SELECT value FROM counters WHERE guild_id = ? AND name = ?", (guild_id or NO_GUILD, name)
        ).fetchone()
        return int(row[0]) if row else 0

    def audit(self, guild_id: int | None, user_id: int | None, action: str, detail: str) -> None:
        self._db.execute(
            "INSERT INTO audit_log (at, guild_id, user_id, action, detail) VALUES (?, ?, ?, ?, ?)",
            (time.time(), guild_id, user_id, action, detail),
        )
        log.info("moderator action: guild=%s user=%s %s: %s", guild_id, user_id, action, detail)

    def audit_trail(self, guild_id: int | None, limit: int = 20) -> list[AuditRecord]:
        rows = self._db.execute(
            "SELECT at, guild_id, user_id, action, detail FROM audit_log WHERE guild_id IS ? "
            "ORDER BY id DESC LIMIT ?",
            (guild_id, limit),
        ).fetchall()
        return [AuditRecord(*row) for row in rows]
