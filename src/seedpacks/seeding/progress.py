"""The progress row (tenant, "seed", "seed_progress"), written on a connection of its own.

Writes commit at once, so pollers see them while the load's transaction is still open.
"""

import time
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from seedpacks.seeding.tenancy import tenant_lock_held

NAMESPACE, KEY = "seed", "seed_progress"
IDLE: dict[str, Any] = {"status": "idle", "step": "", "progress": 0}


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
        self.started = time.time()
        self._last_write = 0.0
        self.listeners: list[Any] = []

    def _write(self, status: str, *, force: bool = False, **extra: Any) -> None:
        now = time.monotonic()
        if not force and now - self._last_write < 0.2:
            return
        self._last_write = now
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
        if self._pool is not None:
            with self._pool.connection() as conn:
                write_progress(conn, tenant=self.tenant, value=value)

    def start(self) -> None:
        # A poller never sees a running operation without a step: until the first step is
        # entered, the operation is at its first declared one.
        self.step_name = self.step_name or self._first
        self._write("running", force=True)

    def step(self, name: str, *, rows_total: int = 0) -> None:
        """Enter step `name`; an undeclared step (e.g. a removal inside a replace) keeps the bar."""
        self.step_name = name
        self.percent = self._start.get(name, self.percent)
        self.rows_done, self.rows_total = 0, rows_total
        self._write("running", force=True)

    def rows(self, done: int) -> None:
        """Report rows done within the current step."""
        self.rows_done = done
        if self.rows_total:
            fraction = min(done / self.rows_total, 1.0)
            start = self._start.get(self.step_name, self.percent)
            self.percent = start + fraction * self._weight.get(self.step_name, 0.0)
        self._write("running")

    def completed(self, **extra: Any) -> None:
        self.step_name, self.percent, self.rows_total = "Done", 100, 0
        self._write("completed", force=True, finishedAt=time.time(), **extra)

    def failed(self, reason: str) -> None:
        self._write("failed", force=True, error=reason, finishedAt=time.time())
