"""Content fingerprints: per table, the row count and a SHA-256 of its rows in canonical order.

Canonical means the same bytes on any server: rows in primary-key order compared bytewise
(COLLATE "C", whatever the database's collation), dates in ISO form, timestamps in UTC.
"""

import hashlib
import select
from collections.abc import Callable
from typing import Any, NoReturn

import psycopg
from psycopg import pq, sql
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
    statement = sql.SQL("COPY ({}) TO STDOUT").format(query).as_bytes(conn)
    rows = copy_out(conn, statement, sha.update)
    return {"rows": rows, "sha256": sha.hexdigest()}


def copy_out(conn: psycopg.Connection, statement: bytes, sink: Callable[[memoryview], Any]) -> int:
    """Run a COPY ... TO STDOUT, hand each row's bytes to `sink`; return the rows copied.

    psycopg's Copy.read() runs a generator and a wait per row: 0.7 us of Python a row, most of
    a small table's fingerprint and about a second of a million-customer load's. This drives
    libpq directly, waiting only when no row has arrived, and leaves the connection as a
    finished statement does. Run it in a transaction (psycopg's BEGIN is not sent for it), or
    in autocommit mode.
    """
    pgconn = conn.pgconn
    if not conn.autocommit and pgconn.transaction_status == pq.TransactionStatus.IDLE:
        raise psycopg.ProgrammingError("copy_out runs in the caller's transaction: begin one")
    with conn.lock:
        pgconn.send_query(statement)
        result = _result(conn)
        if result is None or result.status != pq.ExecStatus.COPY_OUT:
            _raise(conn, result)
        while True:
            size, data = pgconn.get_copy_data(1)
            if size > 0:
                sink(data)
            elif size == 0:  # nothing buffered: wait for the socket
                select.select([pgconn.socket], [], [])
                pgconn.consume_input()
            elif size == -1:  # the end; the statement's result follows
                break
            else:
                raise psycopg.OperationalError(pgconn.get_error_message())
        rows, failed = -1, None
        while (result := _result(conn)) is not None:
            if result.status == pq.ExecStatus.COMMAND_OK:
                rows = result.command_tuples if result.command_tuples is not None else -1
            else:
                failed = failed or result
        if failed is not None:
            _raise(conn, failed)
    return rows


def _result(conn: psycopg.Connection) -> pq.abc.PGresult | None:
    pgconn = conn.pgconn
    pgconn.consume_input()
    while pgconn.is_busy():
        select.select([pgconn.socket], [], [])
        pgconn.consume_input()
    return pgconn.get_result()


def _raise(conn: psycopg.Connection, result: pq.abc.PGresult | None) -> NoReturn:
    """Raise the server's error as psycopg would, after reading the statement's last result."""
    while _result(conn) is not None:
        pass
    if result is None or result.status != pq.ExecStatus.FATAL_ERROR:
        raise psycopg.ProgrammingError(f"unexpected result of a COPY TO: {result}")
    raise psycopg.errors.error_from_result(result, encoding=conn.info.encoding)


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
