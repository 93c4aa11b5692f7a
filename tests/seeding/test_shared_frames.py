"""A small load's tables generated once and looked up by the other threads: the same rows."""

import threading

import numpy as np
import polars as pl
import pytest

from seedpacks.packs.registry import PACKS
from seedpacks.seeding.generate import Generator
from seedpacks.seeding.validate import table_order


def _streams(generator: Generator, tables: list[str]) -> dict[str, list[pl.DataFrame]]:
    """Generate every table on a thread of its own and the history on this one, as a load."""
    chunks: dict[str, list[pl.DataFrame]] = {}

    def run(table: str) -> None:
        chunks[table] = list(generator.chunks(table))

    threads = [threading.Thread(target=run, args=(table,)) for table in tables]
    for thread in threads:
        thread.start()
    chunks["interactions"] = list(generator.interaction_chunks())
    for thread in threads:
        thread.join()
    return chunks


@pytest.mark.parametrize("key", sorted(PACKS))
def test_shared_tables_give_the_rows_each_thread_generates_alone(key: str) -> None:
    pack = PACKS[key]
    tables = table_order(pack)
    shared = Generator(pack, seed=42, scale=1)
    for table in tables:
        shared.share(table)
    got = _streams(shared, tables)
    alone = Generator(pack, seed=42, scale=1)
    expected = {table: list(alone.chunks(table)) for table in tables}
    expected["interactions"] = list(alone.interaction_chunks())
    assert got.keys() == expected.keys()
    for name, frames in expected.items():
        assert len(got[name]) == len(frames), name
        assert all(a.equals(b) for a, b in zip(got[name], frames, strict=True)), name


def test_a_lookup_waiting_for_a_failed_generation_generates_its_rows_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pack = PACKS["retail"]
    customers = pack.ground_truth.customer_table
    generator = Generator(pack, seed=42, scale=1)
    generator.share(customers)
    rows = generator.rows(customers)
    started, fail = threading.Event(), threading.Event()
    real = generator._frame

    def failing(table: str, idx: np.ndarray) -> pl.DataFrame:
        if threading.current_thread().name == "owner":
            started.set()
            fail.wait()
            raise RuntimeError("generation failed")
        return real(table, idx)

    monkeypatch.setattr(generator, "_frame", failing)
    errors: list[BaseException] = []

    def own() -> None:
        try:
            generator.frame(customers, np.arange(rows))
        except RuntimeError as exc:
            errors.append(exc)

    owner = threading.Thread(target=own, name="owner")
    owner.start()
    assert started.wait(10)
    idx = np.array([5, 3, 5, rows - 1])
    threading.Timer(0.05, fail.set).start()  # fails while the lookup below waits for it
    got = generator.columns(customers, [pack.ground_truth.customer_id], idx)
    owner.join()
    assert len(errors) == 1
    alone = Generator(pack, seed=42, scale=1)
    expected = alone.columns(customers, [pack.ground_truth.customer_id], idx)
    assert got[pack.ground_truth.customer_id].equals(expected[pack.ground_truth.customer_id])
