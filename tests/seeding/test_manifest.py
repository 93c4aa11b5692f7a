"""copy_out, under the fingerprints: the same bytes as psycopg's COPY, errors as psycopg's."""

import hashlib

import psycopg
import pytest

from seedpacks.seeding.manifest import copy_out

_AWKWARD = (
    "SELECT g AS id, CASE WHEN g % 7 = 0 THEN NULL ELSE 'tab\tnew\nline \\ back ' || g END AS t,"
    " 'ünï ☕ ' || repeat('x', g % 300) AS u, g * 1.5 AS n FROM generate_series(1, 5000) g"
)


def _psycopg_copy(conn: psycopg.Connection, statement: str) -> tuple[str, int]:
    sha = hashlib.sha256()
    with conn.cursor() as cur:
        with cur.copy(statement) as copy:
            for block in copy:
                sha.update(block)
        return sha.hexdigest(), cur.rowcount


def test_copy_out_hands_over_the_bytes_and_count_psycopg_reads(database_url: str) -> None:
    statement = f"COPY ({_AWKWARD} ORDER BY id) TO STDOUT"
    with psycopg.connect(database_url) as conn:
        with pytest.raises(psycopg.ProgrammingError, match="transaction"):
            copy_out(conn, statement.encode(), print)  # psycopg would have sent BEGIN first
        conn.execute("SELECT 1")
        sha = hashlib.sha256()
        rows = copy_out(conn, statement.encode(), sha.update)
        assert (sha.hexdigest(), rows) == _psycopg_copy(conn, statement)
        assert rows == 5000
        empty: list[bytes] = []
        assert copy_out(conn, b"COPY (SELECT 1 WHERE false) TO STDOUT", empty.append) == 0
        assert empty == []
        # Still the caller's transaction, usable as after any statement.
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
        assert conn.execute("SELECT 41 + 1").fetchone() == (42,)


def test_an_error_midway_is_raised_as_psycopg_raises_it(database_url: str) -> None:
    with psycopg.connect(database_url) as conn:
        conn.execute("SELECT 1")
        seen: list[bytes] = []
        with pytest.raises(psycopg.errors.DivisionByZero):
            copy_out(
                conn,
                b"COPY (SELECT 10 / (3 - g) FROM generate_series(1, 5) g) TO STDOUT",
                seen.append,
            )
        assert [bytes(b) for b in seen] == [b"5\n", b"10\n"]
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR
        conn.rollback()
        conn.execute("SELECT 1")
        with pytest.raises(psycopg.errors.UndefinedTable):
            copy_out(conn, b"COPY (SELECT * FROM no_such_table) TO STDOUT", seen.append)
        conn.rollback()
        assert conn.execute("SELECT 1").fetchone() == (1,)
