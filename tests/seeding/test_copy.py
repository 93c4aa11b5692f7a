"""Frames go through COPY unchanged, whatever their strings hold."""

from datetime import datetime

import polars as pl
import psycopg
from psycopg import sql

from seedpacks.seeding.copy import copy_frame, copy_frames


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
