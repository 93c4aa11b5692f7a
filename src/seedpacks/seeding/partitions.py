"""Each tenant's interaction history is a partition of its own of `interactions` (migration 0007).

A load builds the tenant's next partition as a bare table in its transaction: COPY FREEZE into
it, keys after the rows, as for the pack tables. `install` attaches it just before commit.
Attaching takes SHARE UPDATE EXCLUSIVE on the parent, which decisions (reads and inserts through
the parent) do not conflict with; two loads of different tenants do, so they queue at that last
step only. Dropping a partition takes ACCESS EXCLUSIVE on the parent: every tenant's decisions
wait for it. A removal therefore drops last, and a forced replace drops the old partition in
`install`, so that lock is held only from the drop to the commit, milliseconds; a load or
removal that finds another tenant's load between attach and commit waits for that commit.
"""

import hashlib

import psycopg
from psycopg import sql

PARENT = "interactions"


def partition_name(tenant: str) -> str:
    """Return the name of `tenant`'s history partition (migration 0007 computes it in SQL)."""
    return f"{PARENT}_{hashlib.sha256(tenant.encode()).hexdigest()[:16]}"


def _indexes(table: str) -> tuple[str, str]:
    """Return the names of a partition's primary-key index and customer index."""
    return f"{table}_pkey", f"{table}_customer"


def create(conn: psycopg.Connection, *, tenant: str) -> str:
    """Create the tenant's next partition, bare, in the current transaction; return its name.

    The CHECK states the partition's bound, so attaching it need not scan the rows.
    """
    name = f"{partition_name(tenant)}_next"
    conn.execute(
        sql.SQL(
            "CREATE TABLE {} (LIKE {} INCLUDING DEFAULTS, CONSTRAINT tenant_only"
            " CHECK (tenant_id = {}))"
        ).format(sql.Identifier(name), sql.Identifier(PARENT), sql.Literal(tenant))
    )
    return name


def add_keys(conn: psycopg.Connection, *, name: str) -> None:
    """Build the parent's key and index on a filled partition, then ANALYZE it."""
    table = sql.Identifier(name)
    key, customer = (sql.Identifier(index) for index in _indexes(name))
    conn.execute(
        sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY (tenant_id, id)").format(table, key)
    )
    conn.execute(
        sql.SQL("CREATE INDEX {} ON {} (tenant_id, customer_id, occurred_at)").format(
            customer, table
        )
    )
    conn.execute(sql.SQL("ANALYZE {}").format(table))


def install(conn: psycopg.Connection, *, tenant: str, name: str) -> None:
    """Attach table `name` as the tenant's partition, dropping the one it replaces; do it last."""
    final = partition_name(tenant)
    drop(conn, tenant=tenant)
    conn.execute(
        sql.SQL("ALTER TABLE {} RENAME TO {}").format(sql.Identifier(name), sql.Identifier(final))
    )
    for old, new in zip(_indexes(name), _indexes(final), strict=True):
        conn.execute(
            sql.SQL("ALTER INDEX {} RENAME TO {}").format(sql.Identifier(old), sql.Identifier(new))
        )
    conn.execute(
        sql.SQL("ALTER TABLE {} ATTACH PARTITION {} FOR VALUES IN ({})").format(
            sql.Identifier(PARENT), sql.Identifier(final), sql.Literal(tenant)
        )
    )


def drop(conn: psycopg.Connection, *, tenant: str) -> None:
    """Drop the tenant's partition, if it has one (ACCESS EXCLUSIVE on the parent: do it last)."""
    conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(partition_name(tenant))))
