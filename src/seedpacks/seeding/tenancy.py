"""Per-tenant names and locks: a PostgreSQL schema of its own, one seed operation at a time."""

import functools
import hashlib
import re

import psycopg

# Namespaces of the two-key advisory locks (pg_locks shows them as classid): one seed operation
# per tenant at a time; and the tenant's pack data, which decisions share and seed operations own.
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


@functools.lru_cache(maxsize=4096)
def _lock_key(tenant: str) -> int:
    return int.from_bytes(hashlib.sha256(tenant.encode()).digest()[:4], "big") & 0x7FFFFFFF


def try_lock_tenant(conn: psycopg.Connection, tenant: str) -> bool:
    """Take the tenant's seed lock for the current transaction, or return False at once.

    Having it, wait for the tenant's decisions in flight (they hold its data lock shared, for
    milliseconds) and hold the data lock until the transaction ends, so no decision reads tables
    this operation drops or rows it deletes.
    """
    row = conn.execute(
        "SELECT pg_try_advisory_xact_lock(%s, %s)", (_SEED_LOCK_CLASS, _lock_key(tenant))
    ).fetchone()
    if not (row and row[0]):
        return False
    conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", data_lock(tenant))
    return True


def data_lock(tenant: str) -> tuple[int, int]:
    """Return the (class, key) of the tenant's data lock, for `pg_*advisory*_lock*(class, key)`."""
    return _DATA_LOCK_CLASS, _lock_key(tenant)


def tenant_lock_held(conn: psycopg.Connection, tenant: str) -> bool:
    """Return whether any session (any process) holds the tenant's seed lock right now."""
    row = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
        " AND classid = %s::oid AND objid = %s::oid AND objsubid = 2)",
        (_SEED_LOCK_CLASS, _lock_key(tenant)),
    ).fetchone()
    return bool(row and row[0])
