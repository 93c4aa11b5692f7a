"""The per-tenant sliding-window rate limit of load and upload calls, kept in PostgreSQL."""

import math

import psycopg

from seedpacks.errors import RateLimited


def check_rate_limit(conn: psycopg.Connection, *, tenant: str, limit: int, window: int) -> None:
    """Count this call against the tenant's window, or raise RateLimited with the wait.

    A limit of 0 (or less) turns the limit off, e.g. for QA running many loads in a row.
    """
    if limit <= 0:
        return
    with conn.transaction():
        # Serialise the tenant's counters across processes for the length of this transaction.
        conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 7243))", (tenant,))
        conn.execute(
            "DELETE FROM seed_rate_events WHERE tenant_id = %s"
            " AND at <= clock_timestamp() - make_interval(secs => %s)",
            (tenant, window),
        )
        row = conn.execute(
            "SELECT count(*), EXTRACT(EPOCH FROM min(at) + make_interval(secs => %s)"
            " - clock_timestamp()) FROM seed_rate_events WHERE tenant_id = %s",
            (window, tenant),
        ).fetchone()
        assert row is not None
        used, wait = row
        if used >= limit:
            raise RateLimited(limit=limit, window=window, retry_after=max(1, math.ceil(wait)))
        conn.execute("INSERT INTO seed_rate_events (tenant_id) VALUES (%s)", (tenant,))
