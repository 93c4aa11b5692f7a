"""Per-tenant names and locks: a PostgreSQL schema of its own, one seed operation at a time."""

import hashlib
import re
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

# Namespaces of the two-key advisory locks (pg_locks shows them as classid): one seed operation
# per tenant at a time; and the tenant's pack data, which decisions share and seed operations own.
# The second key is the tenant's number in tenant_lock_ids, given once per tenant id: two tenants
# never share a key, so one tenant's operation never blocks another's (a hash of the id could).
_SEED_LOCK_CLASS = 0x5EED
_DATA_LOCK_CLASS = 0x5EEC


def tenant_schema(tenant: str) -> str:
    """Return the PostgreSQL schema holding `tenant`'s pack tables and views.

    Readable where the id allows, unique whatever characters it holds, always within the
    63-byte identifier limit.
    """
    slug = re.sub(r"[^a-z0-9]+", "_", tenant.lower()).strip("_")[:40]
    digest = hashlib.sha256(tenant.encode()).hexdigest()[:12]
    return f"t_{slug}_{digest}" if slug else f"t_{digest}"


def register_tenant(pool: ConnectionPool, *, tenant: str) -> None:
    """Give `tenant` its lock number if it has none yet, committed before any lock is taken.

    Committed on its own: inserted inside the operation's transaction, a second operation's
    insert of the same tenant would wait for the first to end instead of answering 409.
    """
    with pool.connection() as conn:
        # Selecting first: an INSERT that meets a conflict still spends an identity value.
        conn.execute(
            "INSERT INTO tenant_lock_ids (tenant_id) SELECT %s"
            " WHERE NOT EXISTS (SELECT 1 FROM tenant_lock_ids WHERE tenant_id = %s)"
            " ON CONFLICT (tenant_id) DO NOTHING",
            (tenant, tenant),
        )


def try_lock_tenant(conn: psycopg.Connection, tenant: str) -> bool:
    """Take the tenant's seed lock for the current transaction, or return False at once.

    Having it, wait for the tenant's decisions in flight (they hold its data lock shared, for
    milliseconds) and hold the data lock until the transaction ends, so no decision reads tables
    this operation drops or rows it deletes. The tenant must be registered (register_tenant).
    """
    row = conn.execute(
        "SELECT pg_try_advisory_xact_lock(%s, lock_id), lock_id"
        " FROM tenant_lock_ids WHERE tenant_id = %s",
        (_SEED_LOCK_CLASS, tenant),
    ).fetchone()
    if row is None:
        raise RuntimeError(f"tenant {tenant!r} has no lock number: call register_tenant first")
    if not row[0]:
        return False
    conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (_DATA_LOCK_CLASS, row[1]))
    return True


def try_share_data_lock(conn: psycopg.Connection, tenant: str) -> psycopg.Cursor[Any]:
    """Send the query taking the tenant's data lock shared for the transaction if it is free.

    Its one value reads true when taken, and for a tenant without a lock number: no seed
    operation has ever locked that one (the migration numbered every tenant with a pack loaded).
    Returned unread, so that in a pipeline it shares a round trip with the next query.
    """
    return conn.execute(
        "SELECT coalesce(pg_try_advisory_xact_lock_shared(%s,"
        " (SELECT lock_id FROM tenant_lock_ids WHERE tenant_id = %s)), true)",
        (_DATA_LOCK_CLASS, tenant),
    )


def try_session_lock(conn: psycopg.Connection, *, lock_class: int, tenant: str) -> bool:
    """Take the tenant's lock of `lock_class` for the session, or return False at once."""
    row = conn.execute(
        "SELECT pg_try_advisory_lock(%s,"
        " (SELECT lock_id FROM tenant_lock_ids WHERE tenant_id = %s))",
        (lock_class, tenant),
    ).fetchone()
    return bool(row and row[0])


def session_unlock(conn: psycopg.Connection, *, lock_class: int, tenant: str) -> None:
    """Release the tenant's session lock of `lock_class` taken by try_session_lock."""
    conn.execute(
        "SELECT pg_advisory_unlock(%s, (SELECT lock_id FROM tenant_lock_ids WHERE tenant_id = %s))",
        (lock_class, tenant),
    )


def lock_held(conn: psycopg.Connection, *, lock_class: int, tenant: str) -> bool:
    """Return whether any session (any process) holds the tenant's lock of `lock_class` now."""
    row = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
        " AND classid = %s::oid AND objsubid = 2"
        " AND objid = (SELECT lock_id FROM tenant_lock_ids WHERE tenant_id = %s)::oid)",
        (lock_class, tenant),
    ).fetchone()
    return bool(row and row[0])


def tenant_lock_held(conn: psycopg.Connection, tenant: str) -> bool:
    """Return whether any session (any process) holds the tenant's seed lock right now."""
    return lock_held(conn, lock_class=_SEED_LOCK_CLASS, tenant=tenant)
