"""Hot reload: watch the knowledge folder and swap in new knowledge shortly after a save.

The watching itself is done by watchfiles (inotify and friends, no polling loop of ours). Two
tasks cooperate:

* the *watcher* turns file-system events into "the folder changed" marks. It restarts itself
  when the folder is deleted, re-created or swapped for another one (an inotify watch follows
  the old directory, so a replaced folder would otherwise go silent);
* the *worker* waits until the folder has been quiet for ``settle`` seconds, reloads, and hands
  the :class:`~bot.knowledge.store.ReloadOutcome` to the callback. If the folder changed again
  while it was loading, the outcome is not reported and the newest state is loaded instead, so
  an editor's two-step save (truncate, then write) cannot leave a false alarm behind.

A reload either swaps in wholly valid knowledge or keeps the last good version
(:meth:`KnowledgeStore.reload`); reloads never overlap (one lock, shared with ``teach``).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
from collections.abc import Awaitable, Callable
from contextlib import suppress
from pathlib import Path

import watchfiles

from bot.knowledge.store import KnowledgeStore, ReloadOutcome
from bot.knowledge.loader import YAML_SUFFIXES

log = logging.getLogger(__name__)

OutcomeCallback = Callable[[ReloadOutcome], Awaitable[None] | None]

#: (device, inode) of the folder, or None when it is missing
_Identity = tuple[int, int] | None
#: name -> (size, mtime) of every knowledge file, to see a change that raced a load
_Fingerprint = frozenset[tuple[str, int, int]]


def _identity(folder: Path) -> _Identity:
    try:
        info = folder.stat()
    except OSError:
        return None
    return (info.st_dev, info.st_ino) if os.path.isdir(folder) else None


def _fingerprint(folder: Path) -> _Fingerprint:
    found: set[tuple[str, int, int]] = set()
    try:
        with os.scandir(folder) as entries:
            for item in entries:
                if _is_knowledge_name(item.name):
                    with suppress(OSError):
                        info = item.stat()
                        found.add((item.name, info.st_size, info.st_mtime_ns))
    except OSError:
        pass
    return frozenset(found)


def _is_knowledge_name(name: str) -> bool:
    return not name.startswith(".") and name.lower().endswith(YAML_SUFFIXES)


class KnowledgeReloader:
    """Watches ``store.folder`` and reloads ``store`` after each burst of changes.

    ``on_outcome`` is called (and awaited when it is a coroutine function) with every outcome of
    a reload the watcher triggered. ``settle`` is the quiet time, in seconds, a burst of changes
    must be followed by before a reload; ``check_every`` bounds how long a deleted or replaced
    folder goes unnoticed when no event says so.
    """

    def __init__(
        self,
        store: KnowledgeStore,
        on_outcome: OutcomeCallback | None = None,
        *,
        settle: float = 0.3,
        check_every: float = 1.0,
    ) -> None:
        self.store = store
        self.on_outcome = on_outcome
        self.settle = settle
        self.check_every = check_every
        #: held during every reload and every write to the folder (teach), so they never overlap
        self.lock = asyncio.Lock()
        self._generation = 0
        self._last_change = 0.0
        self._dirty = asyncio.Event()
        self._stop = asyncio.Event()
        self._watcher: asyncio.Task[None] | None = None
        self._worker: asyncio.Task[None] | None = None
        #: set while a watch is active (the watcher has subscribed to events), for tests and logs
        self.watching = asyncio.Event()

    @property
    def folder(self) -> Path:
        return Path(os.path.abspath(self.store.folder))

    @property
    def running(self) -> bool:
        return self._watcher is not None and not self._watcher.done()

    async def __aenter__(self) -> KnowledgeReloader:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._watcher = asyncio.create_task(self._watch(), name="knowledge-watcher")
        self._worker = asyncio.create_task(self._work(), name="knowledge-reloader")
        log.info("watching %s for knowledge changes", self.folder)

    async def stop(self) -> None:
        """Stop watching; returns once both tasks have ended (a reload in progress is awaited)."""
        self._stop.set()
        tasks = [task for task in (self._watcher, self._worker) if task is not None]
        if self._worker is not None:
            self._worker.cancel()
        if tasks:
            # The watch thread sees the stop event within one watchfiles step; cancel as a fallback.
            _, pending = await asyncio.wait(tasks, timeout=self.check_every + 2)
            for task in pending:
                task.cancel()
            for task in tasks:
                with suppress(asyncio.CancelledError, Exception):
                    await task
        self._watcher = self._worker = None
        self.watching.clear()

    async def reload_now(self) -> ReloadOutcome:
        """Reload at once (``/lore-admin reload``); the caller reports the outcome itself."""
        async with self.lock:
            return await asyncio.to_thread(self.store.reload)

    # -- watcher ---------------------------------------------------------------------------------
    def _mark_dirty(self) -> None:
        self._generation += 1
        self._last_change = asyncio.get_running_loop().time()
        self._dirty.set()

    def _relevant(self, change: watchfiles.Change, path: str) -> bool:
        target = Path(path)
        if target == self.folder:
            return True
        # "..data" is how Kubernetes swaps a mounted ConfigMap's files all at once.
        return target.parent == self.folder and (_is_knowledge_name(target.name) or target.name.startswith(".."))

    async def _watch(self) -> None:
        while not self._stop.is_set():
            folder = self.folder
            identity = _identity(folder)
            if identity is None:
                log.warning("the knowledge folder %s is missing; serving the last good knowledge", folder)
                self._mark_dirty()  # reported once as "no such folder"
                await self._wait_for_folder(folder)
                if not self._stop.is_set():
                    log.info("the knowledge folder %s is back", folder)
                    self._mark_dirty()
                continue
            try:
                async for changes in watchfiles.awatch(
                    folder,
                    watch_filter=self._relevant,
                    recursive=False,
                    step=50,
                    debounce=400,
                    rust_timeout=int(self.check_every * 1000),
                    yield_on_timeout=True,
                    stop_event=self._stop,
                ):
                    self.watching.set()
                    if changes:
                        self._mark_dirty()
                    if _identity(folder) != identity:
                        self._mark_dirty()  # deleted or swapped for another folder: watch anew
                        break
            except (FileNotFoundError, NotADirectoryError):
                pass  # it vanished as the watch started; the loop sees it missing
            except Exception:  # a watcher failure must not end hot reload for good
                log.exception("the knowledge watcher failed; restarting it")
                await self._sleep(self.check_every)
            finally:
                self.watching.clear()

    async def _wait_for_folder(self, folder: Path) -> None:
        """Wait, by watching the nearest existing parent, until ``folder`` exists again."""
        while not self._stop.is_set() and _identity(folder) is None:
            parent = folder.parent
            while not parent.is_dir() and parent != parent.parent:
                parent = parent.parent
            try:
                async for _ in watchfiles.awatch(
                    parent,
                    watch_filter=None,
                    recursive=False,
                    step=50,
                    rust_timeout=int(self.check_every * 1000),
                    yield_on_timeout=True,
                    stop_event=self._stop,
                ):
                    self.watching.set()
                    if _identity(folder) is not None:
                        return
            except Exception:  # the parent went too: look again shortly
                await self._sleep(self.check_every)
            finally:
                self.watching.clear()

    async def _sleep(self, seconds: float) -> None:
        with suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)

    # -- worker ----------------------------------------------------------------------------------
    async def _work(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._dirty.wait()
            while (remaining := self._last_change + self.settle - loop.time()) > 0:
                await asyncio.sleep(remaining)
            self._dirty.clear()
            generation = self._generation
            before = _fingerprint(self.folder)
            try:
                outcome = await self.reload_now()
            except Exception:
                log.exception("reloading the knowledge failed unexpectedly; still serving the last good version")
                continue
            if generation != self._generation or before != _fingerprint(self.folder):
                # The folder changed while it was read: that state is already stale; load the newest.
                self._mark_dirty()
                continue
            await self._report(outcome)

    async def _report(self, outcome: ReloadOutcome) -> None:
        if self.on_outcome is None:
            return
        try:
            result = self.on_outcome(outcome)
            if inspect.isawaitable(result):
                await result
        except Exception:
            log.exception("reporting a knowledge reload failed")
