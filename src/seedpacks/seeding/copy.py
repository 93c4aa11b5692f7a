"""COPY helpers: polars frames and small row lists into PostgreSQL."""

import io
from collections.abc import Iterable, Sequence
from typing import Any

import polars as pl
import psycopg
from psycopg import sql

# Blocks of about this many bytes go to the server per write() call.
WRITE_BLOCK = 1 << 20


def copy_frame(conn: psycopg.Connection, *, table: sql.Composable, frame: pl.DataFrame) -> int:
    """COPY a frame (columns named as the table's) as CSV; return the rows written."""
    buffer = io.BytesIO()
    frame.write_csv(
        buffer, include_header=False, null_value="\\N", datetime_format="%Y-%m-%d %H:%M:%S"
    )
    columns = sql.SQL(", ").join(sql.Identifier(name) for name in frame.columns)
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv, NULL '\\N')").format(table, columns)
    view = buffer.getbuffer()
    with conn.cursor() as cur, cur.copy(statement) as copy:
        for offset in range(0, len(view), WRITE_BLOCK):
            copy.write(view[offset : offset + WRITE_BLOCK])
    return frame.height


def copy_rows(
    conn: psycopg.Connection,
    *,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> int:
    """COPY a few rows of Python values into a platform table; return the rows written."""
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    count = 0
    with conn.cursor() as cur, cur.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count
