"""Binary COPY stores exactly what the CSV path stores, for every column type it encodes."""

from collections.abc import Iterator
from datetime import date, datetime

import polars as pl
import psycopg
import pytest
from psycopg import sql

from seedpacks.seeding import binary
from seedpacks.seeding.copy import column_types, copy_frames

COLUMNS = (
    "small smallint, n integer, big bigint, amount numeric(14, 2), whole numeric(10, 0),"
    " fine numeric(12, 4), flag boolean, day date, at timestamp, at_tz timestamptz,"
    " x float8, t text, v varchar(20)"
)


def _frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "small": [1, -32768, 32767, None, 0, 7],
            "n": [1, -2_147_483_648, 2_147_483_647, None, 0, -5],
            "big": [1, -(2**63), 2**63 - 1, None, 0, 12_345_678_901],
            "amount": [12.3, -0.05, 999_999_999_999.99, None, -0.0, 65_000.0],
            "whole": [65_000.0, -1.0, 9_999_999_999.0, None, 0.0, 123.0],
            "fine": [0.0001, -12.3456, 12_345_678.9012, None, 1e-4, 0.5],
            "flag": [True, False, True, None, False, True],
            "day": [date(2013, 7, 29), date(1999, 12, 31), date(2000, 1, 1), None] * 1
            + [date(1900, 3, 1), date(2100, 2, 28)],
            "at": [
                datetime(2018, 7, 26, 23, 59, 59, 999_999),  # the CSV keeps whole seconds
                datetime(1999, 12, 31, 23, 59, 59),
                datetime(2000, 1, 1),
                None,
                datetime(1969, 12, 31, 23, 59, 59, 500_000),
                datetime(2030, 1, 1, 12, 0, 0),
            ],
            "x": [1.5, -3.0, 1e-7, None, 0.0, 1e300],
            "t": ["plain", 'tab\there, "quoted"', "back\\slash\nline", None, "", "café ☕ 東京"],
            "v": ["a", "", None, "ü" * 20, "x,y", "z"],
        }
    ).with_columns(pl.col("at").alias("at_tz"))


def _load(
    conn: psycopg.Connection,
    name: str,
    frames: list[pl.DataFrame],
    from_rows: int,
    columns: str = COLUMNS,
) -> None:
    conn.execute(
        sql.SQL("CREATE TEMP TABLE {} ({})").format(sql.Identifier(name), sql.SQL(columns))
    )
    table = sql.Identifier(name)
    rows = copy_frames(conn, table=table, frames=iter(frames), binary_from_rows=from_rows)
    assert rows == sum(f.height for f in frames)


def _rows(conn: psycopg.Connection, name: str) -> list[tuple[object, ...]]:
    query = sql.SQL("SELECT * FROM {} ORDER BY ctid").format(sql.Identifier(name))
    return conn.execute(query).fetchall()


@pytest.fixture
def conn(database_url: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(database_url) as conn, conn.transaction(force_rollback=True):
        conn.execute("SET LOCAL TimeZone = 'UTC'")
        yield conn


def test_every_type_arrives_as_the_csv_path_stores_it(conn: psycopg.Connection) -> None:
    frame = _frame()
    _load(conn, "by_csv", [frame], from_rows=10**9)
    _load(conn, "by_binary", [frame], from_rows=0)
    types = column_types(conn, sql.Identifier("by_binary"))
    assert binary.Encoder(types, from_rows=0).encode(frame) is not None  # it went as binary
    assert _rows(conn, "by_binary") == _rows(conn, "by_csv")
    # and as text, byte for byte (numeric scales, timestamps, floats)
    as_text = "SELECT t::text FROM {} t ORDER BY ctid"
    assert (
        conn.execute(as_text.replace("{}", "by_binary")).fetchall()
        == conn.execute(as_text.replace("{}", "by_csv")).fetchall()
    )


TEXTS = "code text, kind text, n bigint, nothing text, blank text, amount numeric(14, 2), tail text"


def _texts(rows: int) -> pl.DataFrame:
    """Texts of each shape the encoder writes its own way: one byte width with NULLs, a few
    lengths with other fields after them, all NULL, all empty, many lengths at the row's end."""
    return pl.DataFrame(
        {
            "code": [["ab12", None, "éé", "cd34"][i % 4] for i in range(rows)],
            "kind": [
                ["offer received", "transaction", "x", "☕ viewed", "", None][i % 6]
                for i in range(rows)
            ],
            "n": list(range(rows)),
            "nothing": pl.Series([None] * rows, dtype=pl.String),
            "blank": [""] * rows,
            "amount": [[1.5, None, None, -2.25][i % 4] for i in range(rows)],
            "tail": [None if i % 7 == 3 else "ü" * (i % 5) + "t" * (i % 37) for i in range(rows)],
        }
    )


def test_texts_of_every_shape_arrive_as_the_csv_path_stores_them(
    conn: psycopg.Connection,
) -> None:
    # A shorter chunk between two longer ones: the encoder's scratch memory is reused.
    frames = [_texts(300), _texts(7), _texts(120)]
    _load(conn, "texts_by_csv", frames, from_rows=10**9, columns=TEXTS)
    _load(conn, "texts_by_binary", frames, from_rows=0, columns=TEXTS)
    types = column_types(conn, sql.Identifier("texts_by_binary"))
    encoder = binary.Encoder(types, from_rows=0)
    assert all(encoder.encode(frame) is not None for frame in frames)  # they went as binary
    no_rows = encoder.encode(frames[0].head(0))
    assert no_rows is not None and bytes(no_rows) == b""
    assert _rows(conn, "texts_by_binary") == _rows(conn, "texts_by_csv")


def test_a_value_binary_cannot_promise_goes_as_csv_in_the_same_load(
    conn: psycopg.Connection,
) -> None:
    frame = _frame()
    # 0.125 lies on a half: numeric_in rounds the CSV's text away from zero (0.13).
    halves = frame.with_columns(pl.lit(0.125).alias("amount"))
    types = {
        "amount": binary.PgType(binary.NUMERIC, ((14 << 16) | 2) + 4),
    }
    assert binary.Encoder(types, from_rows=0).encode(halves.select("amount")) is None
    _load(conn, "by_csv", [frame, halves, frame], from_rows=10**9)
    _load(conn, "mixed", [frame, halves, frame], from_rows=0)
    assert _rows(conn, "mixed") == _rows(conn, "by_csv")
    amounts = conn.execute("SELECT DISTINCT amount::text FROM mixed WHERE amount > 0.1")
    assert ("0.13",) in amounts.fetchall()


def test_columns_without_a_binary_encoding_keep_the_csv_path() -> None:
    frame = pl.DataFrame({"j": ['{"a": 1}'], "n": [1.5]})
    jsonb = {"j": binary.PgType(3802), "n": binary.PgType(binary.NUMERIC, ((14 << 16) | 2) + 4)}
    assert not binary.Encoder(jsonb, from_rows=0).suits(frame)
    unconstrained = {"n": binary.PgType(binary.NUMERIC)}  # the CSV's own scale would be kept
    assert not binary.Encoder(unconstrained, from_rows=0).suits(frame.select("n"))
    floats_into_integer = {"n": binary.PgType(binary.INT4)}
    assert not binary.Encoder(floats_into_integer, from_rows=0).suits(frame.select("n"))
    assert not binary.Encoder({"n": binary.PgType(binary.FLOAT8)}).suits(frame.select("n"))
    zoned = pl.DataFrame({"at": [datetime(2020, 1, 2)]}).with_columns(
        pl.col("at").dt.replace_time_zone("Europe/Paris")
    )
    at = {"at": binary.PgType(binary.TIMESTAMPTZ)}
    assert not binary.Encoder(at, from_rows=0).suits(zoned)
    assert binary.Encoder(at, from_rows=0).suits(
        zoned.with_columns(pl.col("at").dt.replace_time_zone(None))
    )


def test_out_of_range_integers_are_left_to_the_server_to_refuse(
    conn: psycopg.Connection,
) -> None:
    frame = pl.DataFrame({"n": [1, 2**31]})
    assert binary.Encoder({"n": binary.PgType(binary.INT4)}, from_rows=0).encode(frame) is None
    conn.execute("CREATE TEMP TABLE small_ints (n integer)")
    with pytest.raises(psycopg.errors.NumericValueOutOfRange):
        copy_frames(
            conn, table=sql.Identifier("small_ints"), frames=iter([frame]), binary_from_rows=0
        )
