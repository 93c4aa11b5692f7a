"""COPY helpers: polars frames into PostgreSQL, and small row lists in one INSERT each.

Frames go in PostgreSQL's binary format when every column has an exact binary encoding
(seeding/binary.py): the server parses it for about two thirds of the CPU of CSV. Other frames,
and chunks with a value the encoder cannot promise to store as the CSV would, go as CSV.
"""

import datetime
import io
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
import psycopg
from psycopg import sql
from psycopg.abc import Buffer
from psycopg.types.json import Json, Jsonb

from seedpacks.seeding import binary
from seedpacks.seeding.ahead import Ahead

# Blocks of about this many bytes go to the server per write() call.
WRITE_BLOCK = 1 << 20
# Chunks rendered ahead of the one being written: bounds memory to a few chunks (about 11 MB
# each for starbucks events). Four rather than two absorb the renderer's hiccups: the server
# waited less for data, 3M events in 1.59-1.64 s against 1.72-1.79 s (medians of 5-6 runs).
AHEAD = 4


def render_csv(frame: pl.DataFrame) -> bytes:
    """Return the frame as COPY-ready CSV (no header, timestamps without zone).

    NULL is an empty unquoted field, COPY's CSV default, and an empty string is written quoted
    (""): no text value can be taken for NULL, as one spelled \\N would with NULL '\\N'.
    """
    buffer = io.BytesIO()
    frame.write_csv(
        buffer, include_header=False, null_value="", datetime_format="%Y-%m-%d %H:%M:%S"
    )
    return buffer.getvalue()


def _copy_statement(
    table: sql.Composable, columns: Sequence[str], freeze: bool, fmt: str = "csv"
) -> sql.Composed:
    names = sql.SQL(", ").join(sql.Identifier(name) for name in columns)
    freezing = ", FREEZE" if freeze else ""
    options = sql.SQL(f"FORMAT binary{freezing}" if fmt == "binary" else f"FORMAT csv{freezing}")
    return sql.SQL("COPY {} ({}) FROM STDIN ({})").format(table, names, options)


def column_types(conn: psycopg.Connection, table: sql.Composable) -> dict[str, binary.PgType]:
    """Return the type of each column of `table` (a table name, possibly schema-qualified)."""
    name = table.as_string(conn)
    return _column_types(conn, [name])[name]


def tables_column_types(
    conn: psycopg.Connection, tables: Sequence[str]
) -> dict[str, dict[str, binary.PgType]]:
    """Return column_types of each of `tables` (unqualified names), in one round trip."""
    quoted = {name: sql.Identifier(name).as_string(conn) for name in tables}
    found = _column_types(conn, list(quoted.values()))
    return {name: found[quoted[name]] for name in tables}


def _column_types(
    conn: psycopg.Connection, tables: list[str]
) -> dict[str, dict[str, binary.PgType]]:
    """Return {table: {column: type}} of `tables` (names as SQL would write them)."""
    rows = conn.execute(
        "SELECT u.name, a.attname, a.atttypid::int, a.atttypmod FROM unnest(%s::text[]) AS u (name)"
        " JOIN pg_attribute a ON a.attrelid = u.name::regclass"
        " WHERE a.attnum > 0 AND NOT a.attisdropped",
        (tables,),
    ).fetchall()
    found: dict[str, dict[str, binary.PgType]] = {name: {} for name in tables}
    for table, name, oid, typmod in rows:
        found[table][name] = binary.PgType(oid, typmod)
    return found


@dataclass(frozen=True)
class Chunk:
    """A frame rendered for COPY: its columns, rows, format ("binary" or "csv") and bytes."""

    columns: list[str]
    rows: int
    fmt: str
    data: Buffer


def render(frame: pl.DataFrame, encoder: binary.Encoder) -> Chunk:
    """Return the frame rendered for COPY: binary where it pays and is exact, else CSV."""
    if encoder.suits(frame):
        data = encoder.encode(frame)
        if data is not None:
            return Chunk(frame.columns, frame.height, "binary", data)
    return Chunk(frame.columns, frame.height, "csv", render_csv(frame))


def _write(copy: psycopg.Copy, data: Buffer) -> None:
    view = memoryview(data)
    for offset in range(0, len(view), WRITE_BLOCK):
        copy.write(view[offset : offset + WRITE_BLOCK])


def copy_frame(
    conn: psycopg.Connection, *, table: sql.Composable, frame: pl.DataFrame, freeze: bool = False
) -> int:
    """COPY a frame (columns named as the table's) as CSV; return the rows written."""
    with conn.cursor() as cur, cur.copy(_copy_statement(table, frame.columns, freeze)) as copy:
        _write(copy, render_csv(frame))
    return frame.height


def copy_frames(
    conn: psycopg.Connection,
    *,
    table: sql.Composable,
    frames: Iterator[pl.DataFrame | Chunk],
    on_rows: Callable[[int], None] = lambda done: None,
    freeze: bool = False,
    encoder: binary.Encoder | None = None,
    binary_from_rows: int = binary.FROM_ROWS,
) -> int:
    """COPY a stream of frames with the same columns; return the rows written.

    Frames are rendered with `encoder` (by default one for the table's column types, which
    costs a round trip); a stream may start with chunks rendered already (a load renders each
    table's first chunk while the server creates the tables). Consecutive chunks of one format
    share a COPY (one in all, unless a chunk has to fall back to CSV). `freeze` writes the rows
    frozen; only for a table created in this transaction.
    """
    done = 0
    if encoder is None:
        encoder = binary.Encoder(column_types(conn, table), from_rows=binary_from_rows)
    # Rendered on a thread of their own while the server ingests the chunk before.
    rendered = (f if isinstance(f, Chunk) else render(f, encoder) for f in frames)
    with Ahead(rendered, depth=AHEAD, name="render") as chunks:
        for fmt, run in itertools.groupby(chunks, key=lambda chunk: chunk.fmt):
            first = next(run)
            statement = _copy_statement(table, first.columns, freeze, fmt)
            with conn.cursor() as cur, cur.copy(statement) as copy:
                if fmt == "binary":
                    copy.write(binary.SIGNATURE)
                for chunk in itertools.chain([first], run):
                    _write(copy, chunk.data)
                    done += chunk.rows
                    on_rows(done)
                if fmt == "binary":
                    copy.write(binary.TRAILER)
    return done


def _json_value(value: Any) -> Any:
    """Return `value` as json.dumps writes it: a JSON wrapper's object, a date in ISO 8601."""
    if isinstance(value, Json | Jsonb):
        return value.obj
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(f"no JSON form for {type(value).__name__}")


def insert_rows(
    conn: psycopg.Connection,
    *,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> int:
    """INSERT a few rows of Python values into a platform table; return the rows sent.

    One statement whose one parameter is the rows as a JSON array of objects, which the server
    reads into the table's row type (json_populate_recordset: each value through its column's
    input function, as COPY's text would be). Unlike COPY, which waits for the server twice,
    it queues in a pipeline: a load sends its entities' thirteen tables in one round trip.
    """
    target = sql.Identifier(table)
    names = sql.SQL(", ").join(map(sql.Identifier, columns))
    records = [dict(zip(columns, row, strict=True)) for row in rows]
    statement = sql.SQL(
        "INSERT INTO {} ({}) SELECT {} FROM json_populate_recordset(NULL::{}, %s::json)"
    ).format(target, names, names, target)
    conn.execute(statement, (json.dumps(records, default=_json_value, allow_nan=False),))
    return len(records)
