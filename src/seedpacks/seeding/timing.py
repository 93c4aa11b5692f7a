"""Seconds per statement of a load's keys, indexes, ANALYZEs and fingerprints, for benchmarks.

Off unless something records (`recording()`, bench/bench_load.py --statements): `execute` is
then `conn.execute` after one list test. While a recording is open, each labelled statement waits
for its own result before the next is sent (a nested pipeline block syncs on exit, outside one it
is a round trip), so its seconds are the server's work on it and not the statements queued
before or after it in the same pipeline; every open recording, of any thread, gets (label,
seconds) once per statement run.
"""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql

_lock = threading.Lock()
_recordings: list[list[tuple[str, float]]] = []


@contextmanager
def recording() -> Iterator[list[tuple[str, float]]]:
    """Collect (label, seconds) of every labelled statement run until the block ends."""
    found: list[tuple[str, float]] = []
    with _lock:
        _recordings.append(found)
    try:
        yield found
    finally:
        with _lock:  # by identity: two recordings may hold equal lists
            del _recordings[next(i for i, r in enumerate(_recordings) if r is found)]


def execute(
    conn: psycopg.Connection,
    statement: sql.Composed,
    params: tuple[Any, ...] | None = None,
    *,
    label: str,
) -> psycopg.Cursor[Any]:
    """Run `statement` on `conn`; while a recording is open, time it under `label`."""
    if not _recordings:
        return conn.execute(statement, params)
    start = time.perf_counter()
    with conn.pipeline():  # nested in the caller's pipeline, or one of its own: waits for it
        cursor = conn.execute(statement, params)
    seconds = time.perf_counter() - start
    with _lock:
        for found in _recordings:
            found.append((label, seconds))
    return cursor


def columns_label(table: str, kind: str, columns: tuple[str, ...]) -> str:
    """Return a statement's label: `starbucks_events: INDEX (person)`."""
    return f"{table}: {kind} ({', '.join(columns)})"
