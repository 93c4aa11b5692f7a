"""DDL for pack data tables in a tenant's schema: create bare, constrain after the rows are in."""

import psycopg
from psycopg import sql

from seedpacks.packs.model import Column, ColumnType, Table
from seedpacks.seeding import binary, timing

SQL_TYPES: dict[ColumnType, str] = {
    "text": "text",
    "integer": "integer",
    "bigint": "bigint",
    "decimal": "numeric(14, 2)",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamp",
    "json": "jsonb",
}


# The oid of each type above (pg_type), for the COPY encoder (seeding/binary.py).
TYPE_OIDS: dict[ColumnType, int] = {
    "text": binary.TEXT,
    "integer": binary.INT4,
    "bigint": binary.INT8,
    "decimal": binary.NUMERIC,
    "boolean": binary.BOOL,
    "date": binary.DATE,
    "timestamp": binary.TIMESTAMP,
    "json": 3802,  # jsonb, which the encoder leaves to CSV
}
_NUMERIC_PRECISION = 14
_VARHDRSZ = 4  # numeric's type modifier is ((precision << 16) | scale) + VARHDRSZ


def column_types(table: Table) -> dict[str, binary.PgType]:
    """Return each column's type as create_table creates it (pg_attribute's atttypid and
    atttypmod): what the COPY encoder needs, known without asking the server."""
    return {
        col.name: binary.PgType(
            TYPE_OIDS[col.type],
            ((_NUMERIC_PRECISION << 16) | col.decimals) + _VARHDRSZ
            if col.type == "decimal"
            else -1,
        )
        for col in table.columns
    }


def _sql_type(col: Column) -> sql.Composable:
    if col.type == "decimal" and col.decimals != 2:
        return sql.SQL("numeric({}, {})").format(
            sql.Literal(_NUMERIC_PRECISION), sql.Literal(col.decimals)
        )
    return sql.SQL(SQL_TYPES[col.type])


def create_schema(conn: psycopg.Connection, pg_schema: str) -> None:
    conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(pg_schema)))


def bytewise_columns(table: Table) -> set[str]:
    """Return the table's text columns that compare bytewise: its keys and references.

    They hold ids, which are opaque: equality is the same under any collation, and bytewise
    their keys and indexes sort with memcmp instead of strcoll (at scale 1000 the customers' key
    built in 0.5 s instead of 0.9, and an index on the events' `person`, which starbucks no
    longer declares, in 1.6 s instead of 3.0). They also compare with the history's customer
    ids (migration 0006) without a COLLATE.
    """
    ids = {*table.primary_key, *(ref.column for ref in table.references)}
    return {col.name for col in table.columns if col.type == "text" and col.name in ids}


def create_table(
    conn: psycopg.Connection, *, pg_schema: str, table: Table, name: str | None = None
) -> None:
    """Create the table without keys or indexes (they are built after the rows are in)."""
    bytewise = bytewise_columns(table)
    columns = sql.SQL(", ").join(
        sql.SQL("{} {}{}{}").format(
            sql.Identifier(col.name),
            _sql_type(col),
            sql.SQL(' COLLATE "C"' if col.name in bytewise else ""),
            sql.SQL("" if col.nullable and col.name not in table.primary_key else " NOT NULL"),
        )
        for col in table.columns
    )
    conn.execute(
        sql.SQL("CREATE TABLE {} ({})").format(
            sql.Identifier(pg_schema, name or table.name), columns
        )
    )


def add_constraints(
    conn: psycopg.Connection,
    *,
    pg_schema: str,
    table: Table,
    name: str | None = None,
    analyze: bool = True,
) -> None:
    """Add the primary key and indexes, then ANALYZE unless told not to.

    The index builds set the table's row count in pg_class already; ANALYZE adds the column
    statistics, which only plans filtering on the columns need.
    """
    target = sql.Identifier(pg_schema, name or table.name)
    timing.execute(
        conn,
        sql.SQL("ALTER TABLE {} ADD PRIMARY KEY ({})").format(
            target, sql.SQL(", ").join(map(sql.Identifier, table.primary_key))
        ),
        label=timing.columns_label(table.name, "PRIMARY KEY", table.primary_key),
    )
    for columns in table.indexes:
        timing.execute(
            conn,
            sql.SQL("CREATE INDEX ON {} ({})").format(
                target, sql.SQL(", ").join(map(sql.Identifier, columns))
            ),
            label=timing.columns_label(table.name, "INDEX", columns),
        )
    if analyze:
        timing.execute(conn, sql.SQL("ANALYZE {}").format(target), label=f"{table.name}: ANALYZE")


def drop_schema_if_empty(conn: psycopg.Connection, pg_schema: str) -> None:
    row = conn.execute(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = %s",
        (pg_schema,),
    ).fetchone()
    if row and row[0] == 0:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {}").format(sql.Identifier(pg_schema)))
