"""SQLite storage: per-server settings, per-user progress, unanswered questions, moderator log.

What is stored (the README repeats this for users):

* per server: the spoiler-free horizon, the mod-log channel, the moderator role, answer counts;
* per channel: whether the bot answers @mentions there (``/lore-admin mentions``);
* per user: the episode they have watched up to, and when they set it (``/forget-me`` deletes it);
* unanswered questions: the question text (normalised for counting), how often and when it was
  asked, per server; never who asked;
* moderator actions: who did what, when (an audit trail for the server's moderators);
* proposals: knowledge changes a moderator of another server proposed to the maintainers
  (:mod:`bot.governance`), with who proposed them and how they were decided;
* edits of the knowledge made from Discord: who, when, which entry, and the entry's lines in its
  file before and after (``/lore-admin history entry:`` and ``undo``).

:class:`Storage` is synchronous (the CLI and tests use it directly). The bot uses it through
:class:`AsyncStorage`, which runs every query in a worker thread with a deadline, so a database
that another process keeps locked never freezes the event loop: the caller gets
:class:`StorageBusy` in time to tell the user to try again. The database is opened in WAL mode;
reads use their own connection, so they do not wait behind a write.

The database file is watched: when it is deleted or replaced while the bot runs, the bot writes
what it still holds back to disk (it keeps the file open) and says so in the log at error level,
instead of going on saving into a file nobody will see again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from bot.governance import DECIDING, MAX_PENDING_PER_GUILD, PENDING, Proposal

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
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
CREATE INDEX IF NOT EXISTS unanswered_most_asked ON unanswered (guild_id, resolved, count DESC, last_asked DESC);
CREATE INDEX IF NOT EXISTS audit_log_by_guild ON audit_log (guild_id, id);
CREATE TABLE IF NOT EXISTS proposals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    guild_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    created_at REAL NOT NULL,
    decided_at REAL,
    decided_by INTEGER,
    note TEXT,
    channel_id INTEGER,
    message_id INTEGER
);
CREATE INDEX IF NOT EXISTS proposals_by_status ON proposals (status, guild_id);
CREATE TABLE IF NOT EXISTS knowledge_edits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    guild_id INTEGER,
    user_id INTEGER,
    entry_id TEXT NOT NULL,
    action TEXT NOT NULL,
    file TEXT NOT NULL,
    before TEXT NOT NULL,
    after TEXT NOT NULL,
    undoes INTEGER,
    undone_by INTEGER
);
CREATE INDEX IF NOT EXISTS knowledge_edits_by_entry ON knowledge_edits (entry_id, id);
"""

#: unanswered questions kept per server: the most asked; old single hits go first
MAX_UNANSWERED_PER_GUILD = 500
#: pruning runs when a server has this many more than the cap (not at every new question)
UNANSWERED_SLACK = 50
#: a question asked once and not again for this long is pruned first
STALE_SINGLE_HIT = 90 * 24 * 3600.0
#: how long a caller waits for the database before it is told the storage is busy (seconds);
#: well inside Discord's 3-second window for answering an interaction
STORAGE_WAIT = 1.5
#: how long a read waits for the writes queued before it to land (seconds); they only take this
#: long when the database is busy
READ_AFTER_WRITE_WAIT = 0.25
#: how often the database file's identity is checked when nothing is written (seconds)
FILE_CHECK_INTERVAL = 5.0

T = TypeVar("T")

#: guild id used for direct messages and the CLI
NO_GUILD = 0


class StorageError(Exception):
    """The database cannot be used; the message says why in plain words."""


class StorageBusy(StorageError):
    """The database stayed locked (by another process, or a long write) past the caller's deadline.

    Nothing was read or written; the caller tells the user to try again in a moment."""


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


@dataclass(frozen=True, slots=True)
class KnowledgeEdit:
    """One edit of an entry made from Discord. ``before``/``after`` are the entry's lines in
    ``file`` ("" before: the edit created the entry)."""

    id: int
    at: float
    guild_id: int | None
    user_id: int | None
    entry_id: str
    action: str
    file: str
    before: str
    after: str
    #: the edit this one undid (an undo), and the undo that undid this one
    undoes: int | None = None
    undone_by: int | None = None


def _free_name(path: Path) -> Path:
    """``path``, or ``path-2``, ``path-3``... : a name no earlier kept file already has."""
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}-{number}")
    return candidate


class Storage:
    """The database, synchronously. Not for the event loop: the bot goes through :class:`AsyncStorage`."""

    def __init__(self, connection: sqlite3.Connection, path: Path | None) -> None:
        self._db = connection
        self.path = path
        #: a second connection for reads (the same one in memory), so reads never queue behind a write
        self._reader = self._open_reader(path) if path is not None else connection
        self._identity = _file_identity(path) if path is not None else None

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
            db.execute(f"PRAGMA busy_timeout={int(STORAGE_WAIT * 1000)}")
            # Damaged pages deep in the file only fail when a query reaches them, which would then
            # fail every command of the users stored there; find them now (a few ms) instead.
            found = [row[0] for row in db.execute("PRAGMA quick_check")]
            if found != ["ok"]:
                raise sqlite3.DatabaseError("; ".join(found[:3]))
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise sqlite3.DatabaseError(
                    f"the database was written by a newer version of the bot (schema {version})"
                )
            db.executescript(_SCHEMA)
            if version < SCHEMA_VERSION:
                db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            # A press of Accept that never finished (the bot stopped meanwhile) may be pressed again.
            db.execute("UPDATE proposals SET status = ? WHERE status = ?", (PENDING, DECIDING))
        except sqlite3.Error:
            db.close()
            raise
        return db

    @staticmethod
    def _open_reader(path: Path) -> sqlite3.Connection:
        reader = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        reader.execute("PRAGMA query_only=1")
        reader.execute(f"PRAGMA busy_timeout={int(STORAGE_WAIT * 1000)}")
        return reader

    def set_patience(self, seconds: float, *, reading: bool) -> None:
        """How long the next query may wait for another process's lock (SQLite's busy timeout)."""
        connection = self._reader if reading else self._db
        connection.execute(f"PRAGMA busy_timeout={max(1, int(seconds * 1000))}")

    def close(self) -> None:
        """Flush and close (a WAL checkpoint folds pending writes into the main file)."""
        with suppress(StorageError):
            self.check_file()  # a deleted file is written back first, or what it holds is lost now
        try:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:  # pragma: no cover - closing anyway
            pass
        if self._reader is not self._db:
            self._reader.close()
        self._db.close()

    # -- the database file -----------------------------------------------------------------------
    def check_file(self) -> bool:
        """Whether the database file is still the one the bot opened; if not, put things right.

        Deleted: what the bot still holds (it keeps the file open) is written back to the path.
        Replaced by another file: that file is used from now on, and what the bot held is kept
        beside it. Both are logged at error level. Returns True when the file was fine.
        Raises :class:`StorageError` when the data cannot be written back (nothing is saved then)."""
        if self.path is None:
            return True
        current = _file_identity(self.path)
        if current is not None and current == self._identity:
            return True
        try:
            self._recover(replaced=current is not None)
        except (OSError, sqlite3.Error) as error:
            raise StorageError(
                f"the database file {self.path} was deleted or replaced while the bot was running, and "
                f"writing it back failed: {getattr(error, 'strerror', None) or error}"
            ) from None
        return False

    def _recover(self, *, replaced: bool) -> None:
        assert self.path is not None
        path = self.path
        path.parent.mkdir(parents=True, exist_ok=True)
        copy = _free_name(path.with_name(f"{path.name}.rescued-{time.strftime('%Y%m%d-%H%M%S')}"))
        target = sqlite3.connect(str(copy))
        try:
            self._db.backup(target)  # a consistent copy of everything the open file holds
        finally:
            target.close()
        # Close the old file: with it go its -wal and -shm, which belong to it, not to a new file.
        if self._reader is not self._db:
            self._reader.close()
        self._db.close()
        if replaced:
            log.error(
                "The database file %s was replaced while the bot was running; the bot now uses the new file. "
                "What the bot held until now is kept in %s (copy it back, with the bot stopped, if the "
                "replacement was a mistake).",
                path, copy,
            )
        else:
            for suffix in ("-wal", "-shm"):
                with suppress(FileNotFoundError):
                    os.unlink(path.with_name(path.name + suffix))
            os.replace(copy, path)
            log.error(
                "The database file %s was deleted while the bot was running. Everything it held was still "
                "open in the bot and has been written back to %s; nothing was lost. Stop the bot before "
                "moving or deleting its database.",
                path, path,
            )
        self._db = self._connect(path)
        self._reader = self._open_reader(path)
        self._identity = _file_identity(path)

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

    def _write(self, sql: str, parameters: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        """One write statement, into the file the bot opened (checked first)."""
        self.check_file()
        return self._db.execute(sql, parameters)

    # -- server settings -------------------------------------------------------------------------
    def guild_settings(self, guild_id: int | None) -> GuildSettings:
        gid = guild_id or NO_GUILD
        row = self._reader.execute(
            "SELECT spoiler_free, modlog_channel_id, mod_role_id FROM guild_settings WHERE guild_id = ?",
            (gid,),
        ).fetchone()
        return GuildSettings(gid, *row) if row else GuildSettings(gid)

    def _set_guild(self, guild_id: int, column: str, value: int | None) -> None:
        assert column in ("spoiler_free", "modlog_channel_id", "mod_role_id")
        self.check_file()
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
        row = self._reader.execute("SELECT episode FROM user_progress WHERE user_id = ?", (user_id,)).fetchone()
        return row[0] if row else None

    def progress_and_spoiler_free(self, user_id: int, guild_id: int | None) -> tuple[int | None, int]:
        """A user's progress and a server's spoiler-free horizon in one query (autocomplete runs
        on every keystroke, and lists for a user without progress stop at the server's horizon)."""
        row = self._db.execute(
            "SELECT (SELECT episode FROM user_progress WHERE user_id = ?), "
            "(SELECT spoiler_free FROM guild_settings WHERE guild_id = ?)",
            (user_id, guild_id or NO_GUILD),
        ).fetchone()
        return row[0], row[1] or 0

    def set_progress(self, user_id: int, episode: int) -> None:
        self._write(
            "INSERT INTO user_progress (user_id, episode, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(user_id) DO UPDATE SET episode = excluded.episode, updated_at = excluded.updated_at",
            (user_id, episode, time.time()),
        )

    def forget_user(self, user_id: int) -> bool:
        """Delete everything stored about a user; True if there was anything."""
        cursor = self._write("DELETE FROM user_progress WHERE user_id = ?", (user_id,))
        return cursor.rowcount > 0

    # -- unanswered questions --------------------------------------------------------------------
    def record_miss(self, guild_id: int | None, question: str, normalized: str) -> None:
        """Count an unanswered question; a server keeps its :data:`MAX_UNANSWERED_PER_GUILD` most asked."""
        now = time.time()
        gid = guild_id or NO_GUILD
        key = (normalized or question.strip().lower())[:300]
        self.check_file()
        with self._transaction() as db:
            db.execute(
                "INSERT INTO unanswered (guild_id, normalized, question, first_asked, last_asked) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(guild_id, normalized) DO UPDATE SET "
                "count = count + 1, last_asked = excluded.last_asked, question = excluded.question, resolved = 0",
                (gid, key, question.strip()[:300], now, now),
            )
            (rows,) = db.execute("SELECT COUNT(*) FROM unanswered WHERE guild_id = ?", (gid,)).fetchone()
            if rows > MAX_UNANSWERED_PER_GUILD + UNANSWERED_SLACK:
                self._prune_misses(db, gid, rows, now)

    @staticmethod
    def _prune_misses(db: sqlite3.Connection, guild_id: int, rows: int, now: float) -> None:
        """Down to the cap: resolved questions first, then old single hits, then the least asked."""
        db.execute(
            "DELETE FROM unanswered WHERE rowid IN (SELECT rowid FROM unanswered WHERE guild_id = ? "
            "ORDER BY resolved DESC, (count = 1 AND last_asked < ?) DESC, count ASC, last_asked ASC LIMIT ?)",
            (guild_id, now - STALE_SINGLE_HIT, rows - MAX_UNANSWERED_PER_GUILD),
        )

    def top_misses(self, guild_id: int | None, limit: int = 10) -> list[Miss]:
        rows = self._reader.execute(
            "SELECT question, normalized, count, last_asked FROM unanswered "
            "WHERE guild_id = ? AND resolved = 0 ORDER BY count DESC, last_asked DESC LIMIT ?",
            (guild_id or NO_GUILD, limit),
        ).fetchall()
        return [Miss(*row) for row in rows]

    def resolve_miss(self, guild_id: int | None, normalized: str) -> None:
        self._write(
            "UPDATE unanswered SET resolved = 1 WHERE guild_id = ? AND normalized = ?",
            (guild_id or NO_GUILD, normalized),
        )

    def miss_count(self, guild_id: int | None) -> int:
        row = self._reader.execute(
            "SELECT COALESCE(SUM(count), 0) FROM unanswered WHERE guild_id = ?", (guild_id or NO_GUILD,)
        ).fetchone()
        return int(row[0])

    # -- counters and audit ----------------------------------------------------------------------
    def bump(self, guild_id: int | None, name: str, by: int = 1) -> None:
        self._write(
            "INSERT INTO counters (guild_id, name, value) VALUES (?, ?, ?) "
            "ON CONFLICT(guild_id, name) DO UPDATE SET value = value + excluded.value",
            (guild_id or NO_GUILD, name, by),
        )

    def counter(self, guild_id: int | None, name: str) -> int:
        row = self._reader.execute(
            "SELECT value FROM counters WHERE guild_id = ? AND name = ?", (guild_id or NO_GUILD, name)
        ).fetchone()
        return int(row[0]) if row else 0

    def audit(self, guild_id: int | None, user_id: int | None, action: str, detail: str) -> None:
        self._write(
            "INSERT INTO audit_log (at, guild_id, user_id, action, detail) VALUES (?, ?, ?, ?, ?)",
            (time.time(), guild_id, user_id, action, detail),
        )
        log.info("moderator action: guild=%s user=%s %s: %s", guild_id, user_id, action, detail)

    # -- knowledge edits -------------------------------------------------------------------------
    def record_edit(
        self,
        *,
        guild_id: int | None,
        user_id: int | None,
        entry_id: str,
        action: str,
        file: str,
        before: str,
        after: str,
        undoes: int | None = None,
    ) -> int:
        """Store an edit; an undo (``undoes``) also marks the edit it undid. Returns the edit's id."""
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO knowledge_edits (at, guild_id, user_id, entry_id, action, file, before, after, undoes) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (time.time(), guild_id, user_id, entry_id, action, file, before, after, undoes),
            )
            edit_id = int(cursor.lastrowid or 0)
            if undoes is not None:
                db.execute("UPDATE knowledge_edits SET undone_by = ? WHERE id = ?", (edit_id, undoes))
        return edit_id

    def entry_edits(self, entry_id: str, limit: int = 10) -> list[KnowledgeEdit]:
        """The edits of one entry, newest first."""
        rows = self._reader.execute(
            f"SELECT {_EDIT_COLUMNS} FROM knowledge_edits WHERE entry_id = ? ORDER BY id DESC LIMIT ?",
            (entry_id, limit),
        ).fetchall()
        return [KnowledgeEdit(*row) for row in rows]

    def last_undoable_edit(self, entry_id: str) -> KnowledgeEdit | None:
        """The newest edit of the entry that is neither an undo nor undone: what undo reverts."""
        row = self._reader.execute(
            f"SELECT {_EDIT_COLUMNS} FROM knowledge_edits WHERE entry_id = ? AND undoes IS NULL AND undone_by IS NULL "
            "ORDER BY id DESC LIMIT 1",
            (entry_id,),
        ).fetchone()
        return KnowledgeEdit(*row) if row else None

    def audit_trail(self, guild_id: int | None, limit: int = 20) -> list[AuditRecord]:
        rows = self._reader.execute(
            "SELECT at, guild_id, user_id, action, detail FROM audit_log WHERE guild_id IS ? "
            "ORDER BY id DESC LIMIT ?",
            (guild_id, limit),
        ).fetchall()
        return [AuditRecord(*row) for row in rows]

    # -- proposals (bot.governance) --------------------------------------------------------------
    def add_proposal(
        self, kind: str, payload: Mapping[str, Any], guild_id: int, user_id: int
    ) -> tuple[Proposal, bool]:
        """Store a pending proposal; returns it and True, or the same change already pending and False.

        Raises :class:`ProposalLimit` when the server already has its pending proposals' worth."""
        encoded = json.dumps(dict(payload), sort_keys=True, ensure_ascii=False)
        self.check_file()
        with self._transaction() as db:
            same = db.execute(
                "SELECT id FROM proposals WHERE kind = ? AND payload = ? AND status IN (?, ?)",
                (kind, encoded, PENDING, DECIDING),
            ).fetchone()
            if same is None:
                (pending,) = db.execute(
                    "SELECT COUNT(*) FROM proposals WHERE guild_id = ? AND status IN (?, ?)",
                    (guild_id, PENDING, DECIDING),
                ).fetchone()
                if pending >= MAX_PENDING_PER_GUILD:
                    raise ProposalLimit(pending)
                cursor = db.execute(
                    "INSERT INTO proposals (kind, payload, guild_id, user_id, created_at) VALUES (?, ?, ?, ?, ?)",
                    (kind, encoded, guild_id, user_id, time.time()),
                )
                proposal_id = int(cursor.lastrowid or 0)
            else:
                proposal_id = int(same[0])
            found = self._proposal(db, proposal_id)
        assert found is not None
        return found, same is None

    def proposal(self, proposal_id: int) -> Proposal | None:
        return self._proposal(self._reader, proposal_id)

    @staticmethod
    def _proposal(db: sqlite3.Connection, proposal_id: int) -> Proposal | None:
        row = db.execute(
            f"SELECT {_PROPOSAL_COLUMNS} FROM proposals WHERE id = ?", (proposal_id,)
        ).fetchone()
        return _proposal_of(row) if row else None

    def proposals(self, *, status: str | None = PENDING, limit: int = 25) -> list[Proposal]:
        """Proposals with ``status`` (None: any), oldest first."""
        rows = self._reader.execute(
            f"SELECT {_PROPOSAL_COLUMNS} FROM proposals WHERE ? IS NULL OR status = ? ORDER BY id LIMIT ?",
            (status, status, limit),
        ).fetchall()
        return [_proposal_of(row) for row in rows]

    def set_proposal_message(self, proposal_id: int, channel_id: int, message_id: int) -> None:
        self._write(
            "UPDATE proposals SET channel_id = ?, message_id = ? WHERE id = ?", (channel_id, message_id, proposal_id)
        )

    def claim_proposal(self, proposal_id: int, user_id: int) -> Proposal | None:
        """Take a pending proposal for deciding; None when it is not pending (decided, or being decided)."""
        cursor = self._write(
            "UPDATE proposals SET status = ?, decided_by = ? WHERE id = ? AND status = ?",
            (DECIDING, user_id, proposal_id, PENDING),
        )
        return self._proposal(self._db, proposal_id) if cursor.rowcount == 1 else None

    def decide_proposal(self, proposal_id: int, status: str, user_id: int, note: str | None = None) -> None:
        """Record the decision on a claimed proposal (``PENDING`` puts it back, with ``note`` saying why)."""
        decided_at = None if status == PENDING else time.time()
        self._write(
            "UPDATE proposals SET status = ?, decided_by = ?, decided_at = ?, note = ? WHERE id = ?",
            (status, None if status == PENDING else user_id, decided_at, note, proposal_id),
        )


_EDIT_COLUMNS = "id, at, guild_id, user_id, entry_id, action, file, before, after, undoes, undone_by"


class ProposalLimit(StorageError):
    """A server has as many pending proposals as it may have."""

    def __init__(self, pending: int) -> None:
        self.pending = pending
        super().__init__(f"{pending} proposals from this server are already waiting for the maintainers")


_PROPOSAL_COLUMNS = (
    "id, kind, payload, guild_id, user_id, status, created_at, decided_at, decided_by, note, channel_id, message_id"
)


def _proposal_of(row: tuple[Any, ...]) -> Proposal:
    proposal_id, kind, payload, *rest = row
    try:
        decoded = json.loads(payload)
    except ValueError:
        decoded = {}
    return Proposal(proposal_id, kind, decoded if isinstance(decoded, dict) else {}, *rest)


def _file_identity(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_dev, info.st_ino)


# -- the bot's way in: off the event loop, with a deadline ------------------------------------------
class AsyncStorage:
    """:class:`Storage` for async code: the same method names, awaited.

    Writes run one at a time in a writer thread, reads in a reader thread (on their own connection,
    so they never wait behind a write). Every call has a deadline (:data:`STORAGE_WAIT`): a call
    still queued at its deadline is dropped, and SQLite's own wait for a lock is cut to what is left,
    so the caller gets :class:`StorageBusy` in time and a write reported as not saved never happens
    later. Statistics (``bump``, ``record_miss``) are best effort: when the storage is busy they are
    skipped with a warning, never failing the answer they count.
    """

    def __init__(self, storage: Storage, *, wait: float = STORAGE_WAIT) -> None:
        self.sync = storage
        self.wait = wait
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="storage-write")
        # In memory there is one connection: reads and writes share the one thread.
        self._reader = self._writer if storage.path is None else ThreadPoolExecutor(1, thread_name_prefix="storage-read")
        self._watch: asyncio.Task[None] | None = None
        #: writes not finished yet (reads wait a little for them)
        self._writes: set[asyncio.Future[Any]] = set()

    @property
    def path(self) -> Path | None:
        return self.sync.path

    # -- running ---------------------------------------------------------------------------------
    async def _call(self, reading: bool, function: Callable[..., T], *args: Any) -> T:
        deadline = time.monotonic() + self.wait

        def job() -> T:
            for attempt in (1, 2):
                left = deadline - time.monotonic()
                if left <= 0.01:
                    raise StorageBusy("the storage stayed busy past the deadline")
                try:
                    self.sync.set_patience(left, reading=reading)
                    return function(*args)
                except sqlite3.OperationalError as error:
                    if "locked" in str(error) or "busy" in str(error):
                        raise StorageBusy(str(error)) from None
                    raise
                except sqlite3.ProgrammingError:  # the reader was reopened under us (file recovered)
                    if attempt == 2:
                        raise
            raise AssertionError("unreachable")

        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._reader if reading else self._writer, job)
        try:
            return await asyncio.wait_for(future, self.wait + 1.0)
        except asyncio.TimeoutError:
            raise StorageBusy("the storage did not answer in time") from None

    async def _read(self, function: Callable[..., T], *args: Any) -> T:
        # A read sees the writes made before it (a miss recorded just now is listed), unless
        # they are stuck on a busy database: then it does not wait for them long.
        if self._writes:
            await asyncio.wait(set(self._writes), timeout=READ_AFTER_WRITE_WAIT)
        return await self._call(True, function, *args)

    async def _write(self, function: Callable[..., T], *args: Any) -> T:
        write = asyncio.ensure_future(self._call(False, function, *args))
        self._writes.add(write)
        write.add_done_callback(self._writes.discard)
        return await write

    async def _best_effort(self, what: str, function: Callable[..., None], *args: Any) -> None:
        try:
            await self._write(function, *args)
        except StorageError as error:
            log.warning("not recorded (%s): %s", what, error)

    def start_watching(self, every: float = FILE_CHECK_INTERVAL) -> None:
        """Check the database file's identity every ``every`` seconds, even when nothing is written."""
        if self._watch is None and self.sync.path is not None:
            self._watch = asyncio.get_running_loop().create_task(self._watch_file(every), name="storage-file-check")

    async def _watch_file(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            try:
                await self._write(self.sync.check_file)
            except StorageBusy:
                pass
            except StorageError as error:
                log.error("%s", error)

    async def close(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            with suppress(asyncio.CancelledError):
                await self._watch
            self._watch = None
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._writer, self.sync.close)
        self._writer.shutdown(wait=False)
        if self._reader is not self._writer:
            self._reader.shutdown(wait=False)

    # -- the same names as Storage ----------------------------------------------------------------
    async def guild_settings(self, guild_id: int | None) -> GuildSettings:
        return await self._read(self.sync.guild_settings, guild_id)

    async def set_spoiler_free(self, guild_id: int, episode: int) -> None:
        await self._write(self.sync.set_spoiler_free, guild_id, episode)

    async def set_modlog_channel(self, guild_id: int, channel_id: int | None) -> None:
        await self._write(self.sync.set_modlog_channel, guild_id, channel_id)

    async def set_mod_role(self, guild_id: int, role_id: int | None) -> None:
        await self._write(self.sync.set_mod_role, guild_id, role_id)

    async def progress(self, user_id: int) -> int | None:
        return await self._read(self.sync.progress, user_id)

    async def mentions_enabled(self, channel_id: int) -> bool:
        return await self._read(self.sync.mentions_enabled, channel_id)

    async def set_mentions_enabled(self, guild_id: int, channel_id: int, enabled: bool) -> None:
        await self._write(self.sync.set_mentions_enabled, guild_id, channel_id, enabled)

    async def progress_and_spoiler_free(self, user_id: int, guild_id: int | None) -> tuple[int | None, int]:
        return await self._read(self.sync.progress_and_spoiler_free, user_id, guild_id)

    async def set_progress(self, user_id: int, episode: int) -> None:
        await self._write(self.sync.set_progress, user_id, episode)

    async def forget_user(self, user_id: int) -> bool:
        return await self._write(self.sync.forget_user, user_id)

    async def record_miss(self, guild_id: int | None, question: str, normalized: str) -> None:
        await self._best_effort("an unanswered question", self.sync.record_miss, guild_id, question, normalized)

    async def top_misses(self, guild_id: int | None, limit: int = 10) -> list[Miss]:
        return await self._read(self.sync.top_misses, guild_id, limit)

    async def resolve_miss(self, guild_id: int | None, normalized: str) -> None:
        await self._write(self.sync.resolve_miss, guild_id, normalized)

    async def miss_count(self, guild_id: int | None) -> int:
        return await self._read(self.sync.miss_count, guild_id)

    async def bump(self, guild_id: int | None, name: str, by: int = 1) -> None:
        await self._best_effort(f"counter {name}", self.sync.bump, guild_id, name, by)

    async def counter(self, guild_id: int | None, name: str) -> int:
        return await self._read(self.sync.counter, guild_id, name)

    async def audit(self, guild_id: int | None, user_id: int | None, action: str, detail: str) -> None:
        await self._write(self.sync.audit, guild_id, user_id, action, detail)

    async def audit_trail(self, guild_id: int | None, limit: int = 20) -> list[AuditRecord]:
        return await self._read(self.sync.audit_trail, guild_id, limit)

    async def record_edit(self, **edit: Any) -> int:
        return await self._write(lambda: self.sync.record_edit(**edit))

    async def entry_edits(self, entry_id: str, limit: int = 10) -> list[KnowledgeEdit]:
        return await self._read(self.sync.entry_edits, entry_id, limit)

    async def last_undoable_edit(self, entry_id: str) -> KnowledgeEdit | None:
        return await self._read(self.sync.last_undoable_edit, entry_id)

    async def add_proposal(
        self, kind: str, payload: Mapping[str, Any], guild_id: int, user_id: int
    ) -> tuple[Proposal, bool]:
        return await self._write(self.sync.add_proposal, kind, payload, guild_id, user_id)

    async def proposal(self, proposal_id: int) -> Proposal | None:
        return await self._read(self.sync.proposal, proposal_id)

    async def proposals(self, *, status: str | None = PENDING, limit: int = 25) -> list[Proposal]:
        return await self._read(lambda: self.sync.proposals(status=status, limit=limit))

    async def set_proposal_message(self, proposal_id: int, channel_id: int, message_id: int) -> None:
        await self._write(self.sync.set_proposal_message, proposal_id, channel_id, message_id)

    async def claim_proposal(self, proposal_id: int, user_id: int) -> Proposal | None:
        return await self._write(self.sync.claim_proposal, proposal_id, user_id)

    async def decide_proposal(self, proposal_id: int, status: str, user_id: int, note: str | None = None) -> None:
        await self._write(self.sync.decide_proposal, proposal_id, status, user_id, note)
