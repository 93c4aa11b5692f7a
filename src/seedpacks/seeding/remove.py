"""Exact removal: what one pack's load created for a tenant, in reverse dependency order."""

import psycopg
from psycopg import sql

from seedpacks.seeding import ddl, entities, partitions
from seedpacks.seeding.progress import Progress

STEP_HISTORY = "Removing interaction history"
STEP_TABLES = "Dropping segment views and pack tables"
STEP_ENTITIES = "Removing offers, channels, creatives, rules and models"
REMOVE_STEPS = [(STEP_HISTORY, 3), (STEP_TABLES, 2), (STEP_ENTITIES, 1)]


def _delete(conn: psycopg.Connection, table: str, *, tenant: str, dataset_key: str) -> int:
    cur = conn.execute(
        sql.SQL("DELETE FROM {} WHERE tenant_id = %s AND dataset_key = %s").format(
            sql.Identifier(table)
        ),
        (tenant, dataset_key),
    )
    return cur.rowcount


def remove_pack(
    conn: psycopg.Connection,
    *,
    tenant: str,
    dataset_key: str,
    progress: Progress,
    drop_history: bool = True,
) -> dict[str, int]:
    """Delete the pack's rows, views and tables for `tenant`; return what was removed, by kind.

    Works from what the database records the load created, so it removes exactly that even when
    the pack's declaration has changed since. The caller owns the transaction. The history
    partitions are dropped last (that locks the shared parents until commit); a forced replace
    passes `drop_history=False` and the new load's partitions take their place at its end.
    """
    counts: dict[str, int] = {}
    progress.step(STEP_HISTORY)
    counts["runs"] = _delete(conn, "decision_runs", tenant=tenant, dataset_key=dataset_key)
    # The history and summaries go with their partitions, dropped at the end.
    for parent, key in (
        (partitions.SUMMARIES, "interactionSummaries"),
        (partitions.HISTORY, "interactions"),
    ):
        counts[key] = partitions.count_rows(conn, parent, tenant=tenant)

    progress.step(STEP_TABLES)
    views = conn.execute(
        "SELECT d.pg_schema, s.view_name, s.customer_count FROM segments s"
        " JOIN data_schemas d ON d.tenant_id = s.tenant_id AND d.id = s.schema_id"
        " WHERE s.tenant_id = %s AND s.dataset_key = %s ORDER BY s.id",
        (tenant, dataset_key),
    ).fetchall()
    counts["segmentCustomers"] = sum(int(count) for _, _, count in views)
    for pg_schema, view_name, _ in views:
        conn.execute(sql.SQL("DROP VIEW IF EXISTS {}").format(sql.Identifier(pg_schema, view_name)))
    tables = conn.execute(
        "SELECT pg_schema, table_name FROM data_schemas"
        " WHERE tenant_id = %s AND dataset_key = %s ORDER BY id",
        (tenant, dataset_key),
    ).fetchall()
    schemas = set()
    for pg_schema, table_name in tables:
        target = sql.Identifier(pg_schema, table_name)
        row = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(target)).fetchone()
        counts[f"{table_name}_rows"] = int(row[0]) if row else 0
        conn.execute(sql.SQL("DROP TABLE {}").format(target))
        schemas.add(pg_schema)

    progress.step(STEP_ENTITIES)
    for kind in reversed(entities.load_order()):
        counts[kind.count_key] = _delete(conn, kind.table, tenant=tenant, dataset_key=dataset_key)
    for pg_schema in sorted(schemas):
        ddl.drop_schema_if_empty(conn, pg_schema)
    conn.execute(
        "DELETE FROM loaded_datasets WHERE tenant_id = %s AND dataset_key = %s",
        (tenant, dataset_key),
    )
    if drop_history:
        partitions.drop(conn, tenant=tenant)
    return counts
