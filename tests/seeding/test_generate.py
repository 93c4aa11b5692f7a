"""The history in customer order holds the same rows as the history in row order."""

import polars as pl
import pytest

from seedpacks.packs.registry import PACKS
from seedpacks.seeding.generate import Generator


@pytest.mark.parametrize("key", ["starbucks", "uci-bank"])
def test_customer_ordered_chunks_hold_the_history_in_customer_order_per_window(key: str) -> None:
    pack = PACKS[key]
    generator = Generator(pack, seed=5, scale=3)
    window = pack.ground_truth.interactions * 2
    chunks = list(generator.customer_ordered_chunks(window, chunk_rows=97))
    everything = pl.concat(chunks)
    in_row_order = pl.concat(generator.interaction_chunks())
    assert everything.sort(everything.columns).equals(in_row_order.sort(in_row_order.columns))
    for start in range(0, everything.height, window):
        ids = everything["customer_id"][start : start + window]
        assert ids.is_sorted()
    if pack.table(pack.ground_truth.customer_table).scales:  # windows hold their own customers
        owners = pl.concat(
            chunk.select("customer_id").unique().with_columns(chunk=n)
            for n, chunk in enumerate(chunks)
        )
        assert owners["customer_id"].is_unique().all()  # a customer's rows stay in one chunk
