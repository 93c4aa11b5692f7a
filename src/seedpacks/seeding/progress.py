"""The progress row (tenant, "seed", "seed_progress"), written on a connection of its own.

Writes commit at once, so pollers see them while the load's transaction is still open. The
start and the outcome are written before the operation goes on or returns; the steps and rows
in between by a thread of its own, newest first and at most every WRITE_EVERY seconds: a
scale-1 load runs its ten steps in about as many milliseconds as it would spend writing them.
"""

import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from seedpacks.seeding.tenancy import tenant_lock_held

NAMESPACE, KEY = "seed", "seed_progress"
IDLE: dict[str, Any] = {"status": "idle", "step": "", "progress": 0}
# Pollers read the row every few hundred milliseconds at most; newer values replace older ones.
WRITE_EVERY = 0.2

log = logging.getLogger(__name__)


def _now() -> str:
    # ISO 8601 in UTC, as every other time the API answers (decidedAt, occurredAt).
    return datetime.now(UTC).isoformat()


def write_progress(conn: psycopg.Connection, *, tenant: str, value: dict[str, Any]) -> None:
    """Upsert the tenant's progress row (the connection must be in autocommit mode)."""
    # synchronous_commit off, for this one statement's transaction: a progress row lost to a
    # server crash is harmless (the dead-process check replaces it), and a load writes one per
    # step, each of which would otherwise wait for a WAL flush.
    conn.execute(
        "INSERT INTO platform_settings (tenant_id, namespace, key, value)"
        " SELECT %s, %s, %s, %s FROM (SELECT set_config('synchronous_commit', 'off', true)) s"
        " ON CONFLICT (tenant_id, namespace, key)"
        " DO UPDATE SET value = EXCLUDED.value, updated_at = clock_timestamp()",
        (tenant, NAMESPACE, KEY, Jsonb(value)),
    )


def read_progress(conn: psycopg.Connection, *, tenant: str) -> dict[str, Any]:
    """Return the tenant's progress; a `running` row whose process is gone reads as `failed`."""
    row = conn.execute(
        "SELECT value FROM platform_settings WHERE tenant_id = %s AND namespace = %s AND key = %s",
        (tenant, NAMESPACE, KEY),
    ).fetchone()
    if row is None:
        return dict(IDLE)
    value: dict[str, Any] = dict(row[0])
    # A running operation holds the tenant lock until its transaction ends; without it, the
    # process that wrote "running" died before it could write the outcome.
    if value.get("status") == "running" and not tenant_lock_held(conn, tenant):
        value["status"] = "failed"
        value["error"] = (
            "The process running this operation stopped before it finished; "
            "nothing it did was kept."
        )
    return value


class _Writer:
    """Writes the latest value handed to it on a thread of its own, at most every `every` s.

    Handing over never waits for the database; a value not yet written when a newer one comes
    is dropped. `close` waits for a write in flight, so the caller's own final write lands last.
    """

    def __init__(self, write: Callable[[dict[str, Any]], None], every: float) -> None:
        self._write, self._every = write, every
        self._changed = threading.Condition()
        self._pending: dict[str, Any] | None = None
        self._closed = False
        self._thread: threading.Thread | None = None

    def post(self, value: dict[str, Any]) -> None:
        with self._changed:
            if self._closed:
                return
            self._pending = value
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="seedpacks-progress", daemon=True
                )
                self._thread.start()
            self._changed.notify()

    def close(self) -> None:
        with self._changed:
            self._closed, self._pending = True, None
            self._changed.notify()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._pending is not None or self._closed)
                if self._closed:
                    return
                value, self._pending = self._pending, None
            assert value is not None
            try:
                self._write(value)
            except Exception:  # a lost progress value must not fail the operation
                log.warning(
                    "could not write progress for %s", value.get("datasetKey"), exc_info=True
                )
            with self._changed:
                self._changed.wait_for(lambda: self._closed, timeout=self._every)


class Progress:
    """Reports one operation's steps and rows to the progress row; throttles frequent updates."""

    def __init__(
        self,
        pool: ConnectionPool | None,
        *,
        tenant: str,
        dataset_key: str,
        operation: str,
        steps: Sequence[tuple[str, float]],
        unit: str = "rows",
    ) -> None:
        self._pool = pool
        # What rows() counts within a step: "rows", or "bytes" for an upload being received.
        self.unit = unit
        self.tenant = tenant
        self.base = {"datasetKey": dataset_key, "operation": operation}
        total = sum(weight for _, weight in steps) or 1.0
        self._start: dict[str, float] = {}
        self._weight: dict[str, float] = {}
        done = 0.0
        for name, weight in steps:
            self._start[name] = done / total * 100
            self._weight[name] = weight / total * 100
            done += weight
        self.step_name = ""
        self._first = steps[0][0] if steps else "Starting"
        self.percent = 0.0
        self.rows_done = 0
        self.rows_total = 0
        self.started = _now()
        self._last_rows = 0.0
        self._writer = _Writer(self._store, WRITE_EVERY) if pool is not None else None
        self.listeners: list[Any] = []

    def _store(self, value: dict[str, Any]) -> None:
        assert self._pool is not None
        with self._pool.connection() as conn:
            write_progress(conn, tenant=self.tenant, value=value)

    def _report(self, status: str, *, now: bool = False, final: bool = False, **extra: Any) -> None:
        """Tell the listeners, and store the value: at once when `now`, after anything still
        being written and last when `final` (the outcome), else through the writer thread."""
        value = {
            "status": status,
            "step": self.step_name,
            "progress": int(self.percent),
            **self.base,
            "startedAt": self.started,
            **extra,
        }
        if self.rows_total:
            value |= {f"{self.unit}Done": self.rows_done, f"{self.unit}Total": self.rows_total}
        for listener in self.listeners:
            listener(value)
        if self._writer is None:
            return
        if final:
            self._writer.close()
        if now or final:
            self._store(value)
        else:
            self._writer.post(value)

    def start(self) -> None:
        # A poller never sees a running operation without a step: until the first step is
        # entered, the operation is at its first declared one. Stored before the work begins.
        self.step_name = self.step_name or self._first
        self._report("running", now=True)

    def step(self, name: str, *, rows_total: int = 0) -> None:
        """Enter step `name`; an undeclared step (e.g. a removal inside a replace) keeps the bar."""
        self.step_name = name
        self.percent = self._start.get(name, self.percent)
        self.rows_done, self.rows_total = 0, rows_total
        self._report("running")

    def rows(self, done: int) -> None:
        """Report rows done within the current step (to listeners at most every WRITE_EVERY s)."""
        self.rows_done = done
        if self.rows_total:
            fraction = min(done / self.rows_total, 1.0)
            start = self._start.get(self.step_name, self.percent)
            self.percent = start + fraction * self._weight.get(self.step_name, 0.0)
        now = time.monotonic()
        if now - self._last_rows >= WRITE_EVERY:
            self._last_rows = now
            self._report("running")

    def completed(self, **extra: Any) -> None:
        self.step_name, self.percent, self.rows_total = "Done", 100, 0
        self._report("completed", final=True, finishedAt=_now(), **extra)

    def failed(self, reason: str) -> None:
        self._report("failed", final=True, error=reason, finishedAt=_now())
