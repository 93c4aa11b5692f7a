"""Simulations started over HTTP run as background jobs, one per tenant at a time.

A simulation of thousands of decisions outlasts an HTTP request, so the API starts it and answers
202 with the job's id at once; the job's state lives in PostgreSQL (platform_settings, namespace
"simulation"), so any server process can answer a poll. The thread running a job holds a
session-level advisory lock for the tenant: a second start while it runs is 409, and a job left
`running` by a process that died reads as failed (nobody holds its lock any more).

A process runs at most `slots` simulations at once (SEEDPACKS_MAX_SIMULATIONS; past it, 503 with
Retry-After), and each holds two pooled connections while it runs: its lock's, which also writes
its progress, and the one its decisions run on. So simulations take at most twice that many of
the pool's connections, and leave the rest to everything else.
"""

import logging
import threading
import uuid
from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from seedpacks.decisioning import simulate as simulation
from seedpacks.decisioning.setup import loaded
from seedpacks.errors import Conflict, NotFound, SeedError, ServerBusy
from seedpacks.seeding.tenancy import lock_held, register_tenant, session_unlock, try_session_lock

log = logging.getLogger(__name__)
NAMESPACE = "simulation"
_LOCK_CLASS = 0x5EEF
RETRY_BUSY_SECONDS = 10


def _running(pool: ConnectionPool, tenant: str) -> bool:
    with pool.connection() as conn:
        return lock_held(conn, lock_class=_LOCK_CLASS, tenant=tenant)


def _store(conn: psycopg.Connection, tenant: str, job: str, value: dict[str, Any]) -> None:
    conn.execute(
        "INSERT INTO platform_settings (tenant_id, namespace, key, value)"
        " VALUES (%s, %s, %s, %s) ON CONFLICT (tenant_id, namespace, key)"
        " DO UPDATE SET value = excluded.value, updated_at = clock_timestamp()",
        (tenant, NAMESPACE, job, Jsonb(value)),
    )


def _write(pool: ConnectionPool, tenant: str, job: str, value: dict[str, Any]) -> None:
    with pool.connection() as conn:
        _store(conn, tenant, job, value)


def start(
    pool: ConnectionPool, *, tenant: str, slots: threading.Semaphore, **arguments: Any
) -> dict[str, Any]:
    """Start a simulation of the tenant's loaded pack in the background; return its job.

    It runs in one of `slots` (taken here, given back when it ends); 503 when none is free.
    """
    with pool.connection() as conn:
        dataset_key = loaded(conn, tenant=tenant).dataset_key
    register_tenant(pool, tenant=tenant)
    if _running(pool, tenant):
        raise Conflict(
            "A simulation is already running for this tenant; poll it and start another after."
        )
    if not slots.acquire(blocking=False):
        raise ServerBusy(
            "This server runs as many simulations as it may at once "
            f"(SEEDPACKS_MAX_SIMULATIONS); try again in {RETRY_BUSY_SECONDS} s.",
            retry_after=RETRY_BUSY_SECONDS,
        )
    try:
        job = uuid.uuid4().hex
        state = {"simulationId": job, "status": "running", "datasetKey": dataset_key, **arguments}
        _write(pool, tenant, job, state)
        thread = threading.Thread(
            target=_run,
            args=(pool, slots, tenant, job, state, arguments),
            daemon=True,
            name=f"sim-{job}",
        )
        thread.start()
    except BaseException:
        slots.release()
        raise
    return state


def _run(
    pool: ConnectionPool,
    slots: threading.Semaphore,
    tenant: str,
    job: str,
    state: dict[str, Any],
    arguments: dict[str, Any],
) -> None:
    try:
        _run_in_slot(pool, tenant, job, state, arguments)
    finally:
        slots.release()


def _run_in_slot(
    pool: ConnectionPool, tenant: str, job: str, state: dict[str, Any], arguments: dict[str, Any]
) -> None:
    try:
        with pool.connection() as lock_conn:
            if not try_session_lock(lock_conn, lock_class=_LOCK_CLASS, tenant=tenant):
                raise Conflict("Another simulation started for this tenant at the same time.")
            try:
                result = simulation.simulate(
                    pool,
                    tenant=tenant,
                    # On the lock's connection, idle meanwhile: a third one per simulation could
                    # find the pool taken by the second ones of others, and wait for ever.
                    on_progress=lambda done: _store(
                        lock_conn, tenant, job, {**state, "decisionsDone": done}
                    ),
                    **arguments,
                )
            finally:
                session_unlock(lock_conn, lock_class=_LOCK_CLASS, tenant=tenant)
        _write(pool, tenant, job, {**state, "status": "completed", "result": result.as_json()})
    except SeedError as exc:
        _write(pool, tenant, job, {**state, "status": "failed", "message": exc.message})
    except Exception as exc:
        log.exception("simulation %s failed for tenant %s", job, tenant)
        _write(pool, tenant, job, {**state, "status": "failed", "message": f"{exc}"})


def read(pool: ConnectionPool, *, tenant: str, job: str) -> dict[str, Any]:
    """Return a simulation job's state; 404 when the tenant has no such job."""
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT value FROM platform_settings"
            " WHERE tenant_id = %s AND namespace = %s AND key = %s",
            (tenant, NAMESPACE, job),
        ).fetchone()
    if row is None:
        raise NotFound(f"No simulation '{job}' for this tenant.", simulationId=job)
    state: dict[str, Any] = row[0]
    if state.get("status") == "running" and not _running(pool, tenant):
        # Between the row and the lock there is a moment where neither is written yet.
        with pool.connection() as conn:
            again = conn.execute(
                "SELECT value, clock_timestamp() - updated_at > interval '5 seconds'"
                " FROM platform_settings WHERE tenant_id = %s AND namespace = %s AND key = %s",
                (tenant, NAMESPACE, job),
            ).fetchone()
        if again and again[0].get("status") == "running" and again[1]:
            return {**again[0], "status": "failed", "message": "The process running it stopped."}
        if again:
            state = again[0]
    return state
