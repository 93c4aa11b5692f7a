"""COPY helpers: polars frames and small row lists into PostgreSQL."""

import contextlib
import io
import itertools
import queue
import threading
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from typing import Any

import polars as pl
import psycopg
from psycopg import sql

# Blocks of about this many bytes go to the server per write() call.
WRITE_BLOCK = 1 << 20
# Chunks rendered ahead of the one being written: bounds memory to a few chunks.
AHEAD = 2


def render_csv(frame: pl.DataFrame) -> bytes:
    """Return the frame as COPY-ready CSV (no header, NULL as \\N, timestamps without zone)."""
    buffer = io.BytesIO()
    frame.write_csv(
        buffer, include_header=False, null_value="\\N", datetime_format="%Y-%m-%d %H:%M:%S"
    )
    return buffer.getvalue()


def _copy_statement(table: sql.Composable, columns: Sequence[str], freeze: bool) -> sql.Composed:
    names = sql.SQL(", ").join(sql.Identifier(name) for name in columns)
    options = sql.SQL(", FREEZE" if freeze else "")
    return sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv, NULL '\\N'{})").format(
        table, names, options
    )


def _write(copy: psycopg.Copy, data: bytes) -> None:
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


def _rendered(frames: Iterator[pl.DataFrame]) -> Generator[tuple[list[str], int, bytes]]:
    """Yield (columns, rows, CSV) per frame, generating and rendering on a thread of its own.

    numpy and polars release the GIL for their bulk work, so the next chunk is generated while
    the server ingests this one. The queue is bounded, and so is the memory.
    """
    done = object()
    ready: queue.Queue[Any] = queue.Queue(maxsize=AHEAD)
    stop = threading.Event()

    def hand_over(item: Any) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for frame in frames:
                if not hand_over((frame.columns, frame.height, render_csv(frame))):
                    return
            hand_over(done)
        except BaseException as exc:  # handed to the consumer, which raises it
            hand_over(exc)

    worker = threading.Thread(target=produce, name="seedpacks-render", daemon=True)
    worker.start()
    try:
        while (item := ready.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()


def copy_frames(
    conn: psycopg.Connection,
    *,
    table: sql.Composable,
    frames: Iterator[pl.DataFrame],
    on_rows: Callable[[int], None] = lambda done: None,
    freeze: bool = False,
) -> int:
    """COPY a stream of frames with the same columns in one COPY; return the rows written.

    `freeze` writes the rows frozen; only for a table created in the current transaction.
    """
    done = 0
    with contextlib.closing(_rendered(frames)) as chunks:
        first = next(chunks, None)
        if first is None:
            return 0
        statement = _copy_statement(table, first[0], freeze)
        with conn.cursor() as cur, cur.copy(statement) as copy:
            for _, rows, data in itertools.chain([first], chunks):
                _write(copy, data)
                done += rows
                on_rows(done)
    return done


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
