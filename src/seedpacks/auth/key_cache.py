"""Keys a server process has looked up, kept a few seconds: most calls cost no database trip.

A key's row is cached, not its verdict: expiry is checked against the clock at every call, so
a cached key stops working the moment it expires. A revocation is seen when the entry is
looked up again, at most `seconds` later. Concurrent calls with the same uncached key share one
lookup. Unknown keys are cached too, so a client retrying a wrong key costs one lookup per
period; the cache holds at most `max_entries` keys (a flood of made-up keys only evicts).
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from seedpacks.auth import keys
from seedpacks.auth.identity import Identity
from seedpacks.errors import Unauthorized

Lookup = Callable[[bytes], Awaitable[keys.KeyRecord | None]]


class KeyCache:
    """Identities of recently seen keys, for `seconds`, looked up with `lookup` when stale."""

    def __init__(
        self,
        *,
        lookup: Lookup,
        seconds: float,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lookup, self._seconds, self._max, self._clock = lookup, seconds, max_entries, clock
        self._entries: dict[bytes, tuple[float, keys.KeyRecord | None]] = {}
        self._pending: dict[bytes, asyncio.Future[keys.KeyRecord | None]] = {}

    async def identity(self, key: str) -> Identity:
        """Return the identity `key` grants; 401 when it is unknown, revoked or expired."""
        if not keys.well_formed(key):
            raise Unauthorized(keys.UNKNOWN)
        key_digest = keys.digest(key)
        entry = self._entries.get(key_digest)
        if entry is not None and entry[0] > self._clock():
            record = entry[1]
        else:
            record = await self._fetch(key_digest)
        return keys.identity_of(record, now=datetime.now(UTC))

    async def _fetch(self, key_digest: bytes) -> keys.KeyRecord | None:
        # A task of its own: a caller whose request is cancelled does not cancel the lookup
        # the others wait for.
        task = self._pending.get(key_digest)
        if task is None:
            task = asyncio.ensure_future(self._lookup(key_digest))
            self._pending[key_digest] = task
            task.add_done_callback(lambda done: self._looked_up(key_digest, done))
        return await asyncio.shield(task)

    def _looked_up(self, key_digest: bytes, task: "asyncio.Future[keys.KeyRecord | None]") -> None:
        del self._pending[key_digest]
        # exception() also marks a failure as seen: its callers got it.
        if not task.cancelled() and task.exception() is None:
            self._store(key_digest, task.result())

    def _store(self, key_digest: bytes, record: keys.KeyRecord | None) -> None:
        if self._seconds <= 0:
            return
        self._entries.pop(key_digest, None)
        while len(self._entries) >= self._max:
            # Oldest first: dicts keep insertion order.
            del self._entries[next(iter(self._entries))]
        self._entries[key_digest] = (self._clock() + self._seconds, record)
