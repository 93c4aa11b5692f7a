"""Segments as PostgreSQL views over a pack table, and their customer counts."""

from collections.abc import Sequence

import psycopg
from psycopg import sql

from seedpacks.packs.model import Filter, Segment

_COMPARISONS = {"=", "!=", ">", ">=", "<", "<="}


def filter_sql(flt: Filter) -> sql.Composable:
    """Render one filter; values become quoted literals (a view cannot take parameters)."""
    column = sql.Identifier(flt.field)
    if flt.operator in _COMPARISONS:
        return sql.SQL("{} {} {}").format(column, sql.SQL(flt.operator), sql.Literal(flt.value))
    if flt.operator in ("in", "not_in"):
        values = sql.SQL(", ").join(sql.Literal(v) for v in flt.value)
        negate = sql.SQL("NOT ") if flt.operator == "not_in" else sql.SQL("")
        return sql.SQL("{} {}IN ({})").format(column, negate, values)
    if flt.operator == "is_null":
        return sql.SQL("{} IS NULL").format(column)
    if flt.operator == "not_null":
        return sql.SQL("{} IS NOT NULL").format(column)
    raise ValueError(f"unknown filter operator {flt.operator!r}")


def create_views(
    conn: psycopg.Connection, *, tenant: str, pg_schema: str, segments: Sequence[Segment]
) -> int:
    """Create the segments' views, store their customer counts; return the total."""
    with conn.pipeline():  # DDL without a result: no round trip each
        for segment in segments:
            where = sql.SQL(" AND ").join(filter_sql(f) for f in segment.filters) or sql.SQL("true")
            conn.execute(
                sql.SQL("CREATE VIEW {} AS SELECT * FROM {} WHERE {}").format(
                    sql.Identifier(pg_schema, segment.view_name),
                    sql.Identifier(pg_schema, segment.table),
                    where,
                )
            )
    return _store_counts(conn, tenant, [(s.id, pg_schema, s.view_name) for s in segments])


def refresh_counts(conn: psycopg.Connection, *, tenant: str, dataset_key: str) -> int:
    """Recount every segment of the tenant's pack (after an upload); return the total."""
    rows = conn.execute(
        "SELECT s.id, d.pg_schema, s.view_name FROM segments s"
        " JOIN data_schemas d ON d.tenant_id = s.tenant_id AND d.id = s.schema_id"
        " WHERE s.tenant_id = %s AND s.dataset_key = %s",
        (tenant, dataset_key),
    ).fetchall()
    return _store_counts(conn, tenant, rows)


def _store_counts(
    conn: psycopg.Connection, tenant: str, views: Sequence[tuple[str, str, str]]
) -> int:
    """Count the customers of each (segment id, schema, view) and store them, in one statement;
    return the total."""
    if not views:
        return 0
    counted = sql.SQL(", ").join(
        sql.SQL("({}, (SELECT count(*) FROM {}))").format(
            sql.Literal(segment_id), sql.Identifier(pg_schema, view_name)
        )
        for segment_id, pg_schema, view_name in views
    )
    rows = conn.execute(
        sql.SQL(
            "UPDATE segments s SET customer_count = c.n FROM (VALUES {}) AS c (id, n)"
            " WHERE s.tenant_id = %s AND s.id = c.id RETURNING s.customer_count"
        ).format(counted),
        (tenant,),
    ).fetchall()
    return sum(int(n) for (n,) in rows)
