"""Every write to a knowledge file from the bot: locked, compare-and-swap, atomic.

Three things can change a knowledge file while the bot edits it: a moderator saving it by hand,
another bot process (the sharded deployment runs several on one folder), and another task of
this process. So an edit from the bot

* holds an ``fcntl`` lock on a lock file in the knowledge folder (:data:`LOCK_NAME`; it works
  across processes and across threads, and is re-entrant within one thread, so a caller can hold
  it around a whole read-edit-validate-undo sequence);
* reads the file, applies the edit to its text, and writes the result to a temporary file
  (fsynced) next to it;
* checks, right before the swap, that the file is still byte for byte what was read. If a hand
  edit slipped in, the edit is redone on the new text (a few times at most), so the hand edit is
  kept; if the file keeps changing, :class:`EditConflict` says so and nothing is written;
* swaps the temporary file in with ``os.replace``: readers and the watcher see the old file or
  the new one, never half of one.

:func:`restore_if_unchanged` is the undo: it puts the old bytes back only if the file is still
exactly what the bot wrote, so an undo never throws away somebody else's later edit.

Nothing here imports discord; teach and every edit from Discord go through this module.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

#: The lock file in the knowledge folder. A dot-name with a non-YAML suffix: the loader and the
#: watcher ignore it. It is never deleted (deleting a lock file races with the next locker).
LOCK_NAME = ".lore-write.lock"
#: How many times an edit is redone on a file that changed under it before giving up.
EDIT_ATTEMPTS = 3
#: How long to wait for another writer (another process's teach) to finish.
LOCK_TIMEOUT = 10.0


class EditConflict(Exception):
    """The file kept changing while the bot tried to edit it, or the lock stayed taken."""


@dataclass(frozen=True, slots=True)
class WriteResult:
    path: Path
    #: the file as it was right before the bot's write (including any hand edit that came first)
    before: bytes
    #: the file as the bot wrote it
    after: bytes

    @property
    def changed(self) -> bool:
        return self.before != self.after


# -- the lock ------------------------------------------------------------------------------------
_held = threading.local()


def _held_folders() -> dict[str, int]:
    if not hasattr(_held, "folders"):
        _held.folders = {}
    return _held.folders  # type: ignore[no-any-return]


@contextmanager
def knowledge_lock(folder: str | Path, *, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the knowledge folder's write lock (across processes; re-entrant in one thread).

    Raises :class:`EditConflict` when another writer keeps it for ``timeout`` seconds, and
    ``OSError`` when the lock file cannot be created (a read-only folder)."""
    key = os.path.realpath(folder)
    held = _held_folders()
    if held.get(key):
        held[key] += 1
        try:
            yield
        finally:
            held[key] -= 1
        return
    fd = os.open(os.path.join(key, LOCK_NAME), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o664)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise EditConflict(
                        f"another edit of the knowledge has been running for over {timeout:g} seconds; "
                        "try again in a moment"
                    ) from None
                time.sleep(0.02)
        held[key] = 1
        try:
            yield
        finally:
            held.pop(key, None)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


# -- writing -------------------------------------------------------------------------------------
def edit_knowledge_file(
    path: str | Path,
    edit: Callable[[str], str],
    *,
    attempts: int = EDIT_ATTEMPTS,
    before_replace: Callable[[Path], None] | None = None,
) -> WriteResult:
    """Apply ``edit`` to the text of ``path`` and write the result atomically, under the lock.

    ``edit`` gets the file's text exactly as stored (UTF-8, line endings untouched) and returns
    the new text; it may be called again on newer text when the file changed under it, and may
    raise to refuse (nothing is written then). ``before_replace`` runs right before the
    compare-and-swap (tests use it to slip a hand edit in at the worst moment).
    """
    path = Path(path)
    with knowledge_lock(path.parent):
        for _ in range(max(1, attempts)):
            before = path.read_bytes()
            after = edit(before.decode("utf-8")).encode("utf-8")
            if after == before:
                return WriteResult(path, before, after)
            temp = _temporary_copy(path, after)
            try:
                if before_replace is not None:
                    before_replace(path)
                if _read_or_none(path) != before:
                    continue  # a hand edit came in: redo the edit on the new text
                os.replace(temp, path)
                temp = None
                _sync_folder(path.parent)
                return WriteResult(path, before, after)
            finally:
                if temp is not None:
                    with suppress(OSError):
                        os.unlink(temp)
    raise EditConflict(
        f"{path.name} changed {attempts} times while the bot was editing it, so nothing was written; "
        "save your hand edits, then try again"
    )


def restore_if_unchanged(path: str | Path, written: bytes, old: bytes) -> bool:
    """Undo: put ``old`` back only if the file still holds exactly ``written`` (what the bot wrote).

    Returns False, leaving the file alone, when somebody changed it since."""
    path = Path(path)
    with knowledge_lock(path.parent):
        if _read_or_none(path) != written:
            return False
        temp = _temporary_copy(path, old)
        try:
            if _read_or_none(path) != written:
                return False
            os.replace(temp, path)
            temp = None
            _sync_folder(path.parent)
            return True
        finally:
            if temp is not None:
                with suppress(OSError):
                    os.unlink(temp)


def _read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _temporary_copy(path: Path, data: bytes) -> str:
    """``data`` in an fsynced temporary file next to ``path``, with ``path``'s permissions."""
    try:
        mode: int | None = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mode = None
    # A dot-name with a non-YAML suffix: the loader and the watcher both ignore it.
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temp_name, mode)
    except BaseException:
        with suppress(OSError):
            os.unlink(temp_name)
        raise
    return temp_name


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every file system allows it)."""
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
