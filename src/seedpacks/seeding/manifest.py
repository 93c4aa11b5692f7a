"""Content fingerprints: per table, the row count and the sum of its rows' 64-bit hashes.

The sum needs no order: PostgreSQL computes it in one scan (in parallel where the server
allows), with no sort and no row leaving the server. A row's hash is
`hashint8extended(hash_record_extended(row, 0), 0)` (PostgreSQL 14 and later), computed from
the stored values, not their text: no output setting (DateStyle, TimeZone, extra_float_digits)
or collation changes it. `hash_record_extended` alone is a linear mix of the columns' hashes, so
its sum over rows would be the sum of each column's sums: two rows trading a value would not
show. Hashing it again mixes the columns within the row. These are the hash functions hash
partitioning stores rows by, kept stable across versions; they follow the machine's byte order,
so the sums are the same on every little-endian server (x86-64, ARM64). A changed, added or
removed row changes the sum unless 64-bit hashes collide. Anyone can check a table:

    SELECT count(*), sum(hashint8extended(hash_record_extended(t, 0), 0))
    FROM "<schema>"."<table>" AS t;

and the history with HISTORY_CHECK (README, "Determinism").
"""

from collections.abc import Callable
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from seedpacks.packs.model import Pack, Table
from seedpacks.seeding import timing

# The pack's history without its surrogate key (row numbers), tenant or pack.
HISTORY_CHECK = (
    "SELECT count(*), sum(hashint8extended(hash_record_extended("
    "(customer_id, offer_id, creative_id, channel_id, outcome, occurred_at), 0), 0))"
    " FROM {table} WHERE tenant_id = {tenant} AND dataset_key = {key}"
)
TABLE_CHECK = (
    "SELECT count(*), sum(hashint8extended(hash_record_extended(t, 0), 0)) FROM {table} AS t"
)


def _digest(conn: psycopg.Connection, query: sql.Composed, *, name: str) -> dict[str, Any]:
    row = timing.execute(conn, query, label=f"{name}: manifest").fetchone()
    rows, total = row if row else (0, None)
    return {"rows": int(rows), "hashSum": str(total or 0)}


def table_query(table: Table, pg_schema: str) -> sql.Composed:
    """Return the query of the table's {rows, hashSum}: TABLE_CHECK on it."""
    return sql.SQL(TABLE_CHECK).format(table=sql.Identifier(pg_schema, table.name))


def history_digest(
    conn: psycopg.Connection,
    *,
    tenant: str,
    dataset_key: str,
    table: str = "interactions",
) -> dict[str, Any]:
    """Return {rows, hashSum} of the tenant's pack history (in `table`)."""
    query = sql.SQL(HISTORY_CHECK).format(
        table=sql.Identifier(table), tenant=sql.Literal(tenant), key=sql.Literal(dataset_key)
    )
    return _digest(conn, query, name="interactions")


def refresh_after_upload(
    conn: psycopg.Connection, *, tenant: str, pack: Pack, table: Table, pg_schema: str
) -> dict[str, Any]:
    """Re-fingerprint an uploaded table (and the history it may have pruned) in the stored
    manifest, marking the table's entry as uploaded rather than generated."""
    entries = {
        table.name: {
            **_digest(conn, table_query(table, pg_schema), name=table.name),
            "source": "upload",
        },
        "interactions": history_digest(conn, tenant=tenant, dataset_key=pack.key),
    }
    conn.execute(
        "UPDATE loaded_datasets SET manifest = manifest || %s"
        " WHERE tenant_id = %s AND dataset_key = %s",
        (Jsonb(entries), tenant, pack.key),
    )
    return entries


def manifest(
    conn: psycopg.Connection,
    *,
    tenant: str,
    pack: Pack,
    pg_schema: str,
    history_table: str = "interactions",
    on_rows: Callable[[int], None] = lambda done: None,
) -> dict[str, Any]:
    """Return {table: {rows, hashSum}} for the pack's tables and its interaction history."""
    result: dict[str, Any] = {}
    done = 0
    for table in pack.tables:
        result[table.name] = _digest(conn, table_query(table, pg_schema), name=table.name)
        done += result[table.name]["rows"]
        on_rows(done)
    result["interactions"] = history_digest(
        conn, tenant=tenant, dataset_key=pack.key, table=history_table
    )
    on_rows(done + result["interactions"]["rows"])
    return result
