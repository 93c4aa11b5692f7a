"""Segments as PostgreSQL views over a pack table, and their customer counts."""

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


def create_view(conn: psycopg.Connection, *, pg_schema: str, segment: Segment) -> int:
    """Create the segment's view and return how many customers it holds."""
    where = sql.SQL(" AND ").join(filter_sql(f) for f in segment.filters) or sql.SQL("true")
    view = sql.Identifier(pg_schema, segment.view_name)
    conn.execute(
        sql.SQL("CREATE VIEW {} AS SELECT * FROM {} WHERE {}").format(
            view, sql.Identifier(pg_schema, segment.table), where
        )
    )
    return count_view(conn, pg_schema=pg_schema, view_name=segment.view_name)


def count_view(conn: psycopg.Connection, *, pg_schema: str, view_name: str) -> int:
    row = conn.execute(
        sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(pg_schema, view_name))
    ).fetchone()
    return int(row[0]) if row else 0


def refresh_counts(conn: psycopg.Connection, *, tenant: str, dataset_key: str) -> int:
    """Recount every segment of the tenant's pack (after an upload); return the total."""
    total = 0
    rows = conn.execute(
        "SELECT s.id, d.pg_schema, s.view_name FROM segments s"
        " JOIN data_schemas d ON d.tenant_id = s.tenant_id AND d.id = s.schema_id"
        " WHERE s.tenant_id = %s AND s.dataset_key = %s",
        (tenant, dataset_key),
    ).fetchall()
    for segment_id, pg_schema, view_name in rows:
        count = count_view(conn, pg_schema=pg_schema, view_name=view_name)
        conn.execute(
            "UPDATE segments SET customer_count = %s WHERE tenant_id = %s AND id = %s",
            (count, tenant, segment_id),
        )
        total += count
    return total
