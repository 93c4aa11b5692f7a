"""Content fingerprints: per table, the row count and a SHA-256 of its rows in canonical order.

Canonical means the same bytes on any server: rows in primary-key order compared bytewise
(COLLATE "C", whatever the database's collation), dates in ISO form, timestamps in UTC.
"""

import hashlib
from collections.abc import Callable
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from seedpacks.packs.model import Pack, Table

# The pack's history without surrogate keys, in an order that does not depend on insertion.
_HISTORY = (
    "SELECT customer_id, offer_id, creative_id, channel_id, outcome,"
    " to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') FROM {table}"
    " WHERE tenant_id = {tenant} AND dataset_key = {key}"
    ' ORDER BY occurred_at, customer_id COLLATE "C", offer_id COLLATE "C",'
    ' channel_id COLLATE "C", outcome COLLATE "C", creative_id COLLATE "C"'
)
# Output settings that change COPY's text; pinned for this transaction only.
_CANONICAL = (
    "SET LOCAL DateStyle = 'ISO, YMD'",
    "SET LOCAL IntervalStyle = 'postgres'",
    "SET LOCAL TimeZone = 'UTC'",
    "SET LOCAL extra_float_digits = 1",
    "SET LOCAL bytea_output = 'hex'",
)


def _digest(conn: psycopg.Connection, query: sql.Composable) -> dict[str, Any]:
    sha = hashlib.sha256()
    with conn.cursor() as cur:
        with cur.copy(sql.SQL("COPY ({}) TO STDOUT").format(query)) as copy:
            for block in copy:
                sha.update(block)
        rows = cur.rowcount  # from the server's "COPY n"
    return {"rows": rows, "sha256": sha.hexdigest()}


def _order(table: Table) -> sql.Composable:
    text = {col.name for col in table.columns if col.type in ("text", "json")}
    return sql.SQL(", ").join(
        sql.SQL('{} COLLATE "C"' if name in text else "{}").format(sql.Identifier(name))
        for name in table.primary_key
    )


def table_query(table: Table, pg_schema: str) -> sql.Composable:
    """Return the query whose COPY output is the table's canonical content."""
    return sql.SQL("SELECT * FROM {} ORDER BY {}").format(
        sql.Identifier(pg_schema, table.name), _order(table)
    )


def _pin_output(conn: psycopg.Connection) -> None:
    for setting in _CANONICAL:
        conn.execute(setting)  # type: ignore[arg-type]  # constant text


def history_digest(
    conn: psycopg.Connection,
    *,
    tenant: str,
    dataset_key: str,
    table: str = "interactions",
) -> dict[str, Any]:
    """Return {rows, sha256} of the tenant's pack history (in `table`) in canonical order."""
    _pin_output(conn)
    query = sql.SQL(_HISTORY).format(
        table=sql.Identifier(table), tenant=sql.Literal(tenant), key=sql.Literal(dataset_key)
    )
    return _digest(conn, query)


def refresh_after_upload(
    conn: psycopg.Connection, *, tenant: str, pack: Pack, table: Table, pg_schema: str
) -> dict[str, Any]:
    """Re-fingerprint an uploaded table (and the history it may have pruned) in the stored
    manifest, marking the table's entry as uploaded rather than generated."""
    _pin_output(conn)
    entries = {
        table.name: {**_digest(conn, table_query(table, pg_schema)), "source": "upload"},
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
    """Return {table: {rows, sha256}} for the pack's tables and its interaction history."""
    _pin_output(conn)
    result: dict[str, Any] = {}
    done = 0
    for table in pack.tables:
        result[table.name] = _digest(conn, table_query(table, pg_schema))
        done += result[table.name]["rows"]
        on_rows(done)
    result["interactions"] = history_digest(
        conn, tenant=tenant, dataset_key=pack.key, table=history_table
    )
    on_rows(done + result["interactions"]["rows"])
    return result
