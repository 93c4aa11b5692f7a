"""Content fingerprints: per table, the row count and a SHA-256 of its rows in canonical order."""

import hashlib
from typing import Any

import psycopg
from psycopg import sql

from seedpacks.packs.model import Pack

# The pack's history without surrogate keys, in an order that does not depend on insertion.
_HISTORY = (
    "SELECT customer_id, offer_id, creative_id, channel_id, outcome,"
    " to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') FROM interactions"
    " WHERE tenant_id = {tenant} AND dataset_key = {key}"
    " ORDER BY occurred_at, customer_id, offer_id, channel_id, outcome, creative_id"
)


def _digest(conn: psycopg.Connection, query: sql.Composable) -> dict[str, Any]:
    sha, rows = hashlib.sha256(), 0
    with conn.cursor() as cur, cur.copy(sql.SQL("COPY ({}) TO STDOUT").format(query)) as copy:
        for block in copy:
            sha.update(block)
            rows += bytes(block).count(b"\n")
    return {"rows": rows, "sha256": sha.hexdigest()}


def manifest(
    conn: psycopg.Connection, *, tenant: str, pack: Pack, pg_schema: str
) -> dict[str, Any]:
    """Return {table: {rows, sha256}} for the pack's tables and its interaction history."""
    result: dict[str, Any] = {}
    for table in pack.tables:
        order = sql.SQL(", ").join(map(sql.Identifier, table.primary_key))
        result[table.name] = _digest(
            conn,
            sql.SQL("SELECT * FROM {} ORDER BY {}").format(
                sql.Identifier(pg_schema, table.name), order
            ),
        )
    result["interactions"] = _digest(
        conn, sql.SQL(_HISTORY).format(tenant=sql.Literal(tenant), key=sql.Literal(pack.key))
    )
    return result
