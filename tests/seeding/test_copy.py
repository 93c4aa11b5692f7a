"""Frames go through COPY unchanged, whatever their strings hold."""

from datetime import datetime
from typing import Any

import polars as pl
import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool

from seedpacks.packs.registry import PACKS
from seedpacks.seeding import entities
from seedpacks.seeding.copy import copy_frame, copy_frames, insert_rows


def test_strings_with_tabs_line_breaks_quotes_and_backslashes_arrive_as_written(
    database_url: str,
) -> None:
    # Among them the markers COPY could take for NULL: only None may arrive as NULL.
    texts = ["plain", "tab\there", "line\nbreak", 'a, "quoted"', "back\\slash", "\\N", "", None]
    frame = pl.DataFrame(
        {
            "n": range(len(texts)),
            "t": pl.Series(texts, dtype=pl.String),
            "j": ['{"a": "say \\"hi\\""}'] * len(texts),
            "at": [datetime(2020, 1, 2, 3, 4, 5)] * len(texts),
            "x": [1.5, None, 2.25, 0.0, -3.0, 7.0, 1e-7, None],
        }
    )
    with psycopg.connect(database_url) as conn, conn.transaction(force_rollback=True):
        conn.execute("SET LOCAL TimeZone = 'UTC'")
        conn.execute("CREATE TEMP TABLE t (n int, t text, j jsonb, at timestamptz, x numeric)")
        table = sql.Identifier("t")
        assert copy_frame(conn, table=table, frame=frame) == len(texts)
        assert copy_frames(conn, table=table, frames=iter([frame, frame])) == 2 * len(texts)
        rows = conn.execute("SELECT n, t, j->>'a', at, x::float8 FROM t ORDER BY n, ctid")
        got = rows.fetchall()
    expected = [
        (n, text, 'say "hi"', datetime(2020, 1, 2, 3, 4, 5), x)
        for n, (text, x) in enumerate(zip(texts, frame["x"], strict=True))
    ]
    assert [(n, t, j, at.replace(tzinfo=None), x) for n, t, j, at, x in got] == [
        row for row in expected for _ in range(3)
    ]


def _stored(conn: psycopg.Connection, kind: entities.Kind, tenant: str) -> list[Any]:
    names = sql.SQL(", ").join(map(sql.Identifier, ("dataset_key", *kind.columns)))
    query = sql.SQL("SELECT {} FROM {} WHERE tenant_id = %s ORDER BY 1, 2").format(
        names, sql.Identifier(kind.table)
    )
    return conn.execute(query, (tenant,)).fetchall()


def test_entity_rows_inserted_as_json_are_the_rows_copy_stores(pool: ConnectionPool) -> None:
    # insert_rows replaced a COPY per kind: every kind of every built-in pack must store the
    # same values as COPY's text of the same Python values (numerics, dates, NULLs, JSON, lists).
    kinds = entities.load_order()
    with pool.connection() as conn, conn.transaction(force_rollback=True):
        for pack in PACKS.values():
            inserted, copied = f"json-{pack.key}", f"copy-{pack.key}"
            for kind in kinds:
                columns = ("tenant_id", "dataset_key", *kind.columns)
                rows = list(entities.rows_with_keys(kind, pack, tenant=inserted, pg_schema="s"))
                with conn.pipeline():
                    sent = insert_rows(conn, table=kind.table, columns=columns, rows=rows)
                assert sent == len(rows)
                statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.Identifier(kind.table), sql.SQL(", ").join(map(sql.Identifier, columns))
                )
                with conn.cursor() as cur, cur.copy(statement) as copy:
                    for row in entities.rows_with_keys(kind, pack, tenant=copied, pg_schema="s"):
                        copy.write_row(row)
            for kind in kinds:
                expected = _stored(conn, kind, copied)
                assert len(expected) == sum(1 for _ in kind.rows(pack, "s"))
                assert _stored(conn, kind, inserted) == expected, (pack.key, kind.table)
