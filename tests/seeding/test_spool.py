"""The summaries' spool: frames back in order from memory and disk, the same load either way."""

from datetime import datetime

import polars as pl
import pytest
from psycopg_pool import ConnectionPool

from seedpacks.packs.registry import PACKS
from seedpacks.seeding import spool
from seedpacks.seeding.spool import SummarySpool
from tests.seeding.test_determinism import load, rolled_back


def _frame(offer: str, rows: int, positives: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "customer_id": [f"c{offer}{i}" for i in range(rows)],
            "offer_id": [offer] * rows,
            "channel_id": ["web"] * rows,
            "impressions": [2] * rows,
            "positives": [positives] * rows,
            "negatives": [2 - positives] * rows,
            "last_contact_at": [datetime(2024, 1, 1 + i % 28) for i in range(rows)],
        }
    )


def test_frames_come_back_in_order_from_memory_then_disk() -> None:
    frames = [_frame("a", 3, 1), _frame("b", 4, 2), _frame("a", 5, 0)]
    summaries = SummarySpool(in_memory_rows=3)
    for frame in frames:
        summaries.add(frame)
    assert summaries._file is not None  # the second frame went to disk
    back = list(summaries.frames())
    assert len(back) == 3
    for got, sent in zip(back, frames, strict=True):
        assert got.equals(sent)
    assert list(summaries.frames())[2].equals(frames[2])  # readable more than once
    assert summaries.rows == 12
    assert summaries.outcomes() == {"a": (3, 3 + 10), "b": (8, 0)}
    summaries.close()
    assert list(summaries.frames()) == []


def _summaries(conn, tenant: str) -> list[tuple]:
    return conn.execute(
        "SELECT customer_id, offer_id, channel_id, impressions, positives, negatives,"
        " last_contact_at FROM interaction_summaries WHERE tenant_id = %s ORDER BY 1, 2, 3",
        (tenant,),
    ).fetchall()


def _models(conn, tenant: str) -> list[tuple]:
    return conn.execute(
        "SELECT id, state FROM algorithm_models WHERE tenant_id = %s ORDER BY id", (tenant,)
    ).fetchall()


def test_a_load_whose_summaries_go_to_disk_stores_the_same_summaries_and_models(
    pool: ConnectionPool, database_url: str, tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = PACKS["starbucks"]
    with rolled_back(database_url) as conn:
        load(conn, f"{tenant}-m", pack, scale=2)
        monkeypatch.setattr(spool, "IN_MEMORY_ROWS", 100)
        load(conn, f"{tenant}-d", pack, scale=2)
        in_memory, on_disk = _summaries(conn, f"{tenant}-m"), _summaries(conn, f"{tenant}-d")
        assert len(in_memory) > 1000
        assert on_disk == in_memory
        assert _models(conn, f"{tenant}-d") == _models(conn, f"{tenant}-m")
