"""Journey tables: rows generated customer by customer, whole scale units at a time.

A journey's `build` gets the `Units` below and returns the units' rows, each customer's
together and in time order, exactly `Table.rows` rows per unit. Row i of the table is then row
i % rows of unit i // rows: the row count stays declared, and a unit's rows depend on pack,
seed, table and that unit only, so a smaller scale's rows stay the prefix of a larger one.
"""

from collections.abc import Callable, Iterable

import numpy as np
import polars as pl

from seedpacks.packs import rng
from seedpacks.packs.model import Table


class Units:
    """Whole scale units of a journey table's customers, and random draws keyed for them."""

    def __init__(
        self,
        *,
        pack: str,
        seed: int,
        table: Table,
        first: int,
        count: int,
        customers_per_unit: int,
        lookup: Callable[[str, Iterable[str], np.ndarray], dict[str, pl.Series]],
    ) -> None:
        self.pack, self.seed, self.table = pack, seed, table
        self.first, self.count = first, count
        self.customers_per_unit = customers_per_unit
        self.rows_per_unit = table.rows
        self._lookup = lookup
        # Customer row numbers of these units, in order.
        self.customer_rows = np.arange(
            first * customers_per_unit, (first + count) * customers_per_unit, dtype=np.int64
        )

    def __len__(self) -> int:
        return len(self.customer_rows)

    def unit_of(self, customer: np.ndarray) -> np.ndarray:
        """Return the position (0 .. count-1) of each customer's unit, from its index here."""
        return customer // self.customers_per_unit

    def customers(self, columns: Iterable[str]) -> dict[str, pl.Series]:
        """Return columns of the customer table for these units' customers, in order."""
        assert self.table.journey is not None
        return self._lookup(self.table.journey.customers, columns, self.customer_rows)

    def lookup(self, table: str, columns: Iterable[str], idx: np.ndarray) -> dict[str, pl.Series]:
        """Return columns of another table of the pack at the given row numbers."""
        return self._lookup(table, columns, idx)

    def _key(self, lane: str) -> np.uint64:
        return rng.stream_key(self.pack, self.seed, self.table.name, "journey", lane)

    def uniform(self, lane: str, slots: int = 1) -> np.ndarray:
        """Return customers x slots floats in [0, 1), keyed by customer row number and slot."""
        idx = self.customer_rows[:, None] * slots + np.arange(slots)[None, :]
        return rng.uniform(self._key(lane), idx.ravel()).reshape(len(self), slots)

    def normal(self, lane: str, slots: int = 1) -> np.ndarray:
        """Return customers x slots standard normals, keyed like `uniform`."""
        idx = self.customer_rows[:, None] * slots + np.arange(slots)[None, :]
        return rng.normal(self._key(lane), idx.ravel()).reshape(len(self), slots)

    def uniform_at(self, lane: str, member: np.ndarray, slot: np.ndarray, slots: int) -> np.ndarray:
        """Return the draws of `uniform(lane, slots)` at (member, slot) pairs only."""
        idx = self.customer_rows[member] * slots + slot
        return rng.uniform(self._key(lane), idx)

    def normal_at(self, lane: str, member: np.ndarray, slot: np.ndarray, slots: int) -> np.ndarray:
        """Return the draws of `normal(lane, slots)` at (member, slot) pairs only."""
        idx = self.customer_rows[member] * slots + slot
        return rng.normal(self._key(lane), idx)

    def unit_uniform(self, lane: str, size: int) -> np.ndarray:
        """Return units x size floats in [0, 1), keyed by unit number and position."""
        units = np.arange(self.first, self.first + self.count, dtype=np.int64)
        idx = units[:, None] * size + np.arange(size)[None, :]
        return rng.uniform(self._key(lane), idx.ravel()).reshape(self.count, size)


def exactly(u: np.ndarray, k: int) -> np.ndarray:
    """Return a mask choosing exactly `k` of each row's slots: those with the smallest draws
    (a simple random sample of k slots per unit, so a unit's total is fixed)."""
    chosen = np.zeros(u.shape, dtype=bool)
    if k <= 0:
        return chosen
    if k >= u.shape[1]:
        return ~chosen
    picked = np.argpartition(u, k - 1, axis=1)[:, :k]
    np.put_along_axis(chosen, picked, True, axis=1)
    return chosen


def allocate(weights: np.ndarray, totals: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Split each unit's `totals[j]` events over its customers in proportion to `weights`
    (units x customers), multinomially, from one sorted draw per event: `u` is units x
    max(totals) floats in [0, 1). Return units x customers counts summing to the totals."""
    units, customers = weights.shape
    counts = np.zeros((units, customers), dtype=np.int64)
    cumulative = np.cumsum(weights, axis=1)
    for j in range(units):
        points = u[j, : totals[j]] * cumulative[j, -1]
        owner = np.minimum(np.searchsorted(cumulative[j], points, side="right"), customers - 1)
        counts[j] = np.bincount(owner, minlength=customers)
    return counts


def check_units(frame: pl.DataFrame, units: Units) -> pl.DataFrame:
    """Return `frame` after checking the journey kept its declared rows per unit."""
    expected = units.count * units.rows_per_unit
    if frame.height != expected:
        raise ValueError(
            f"journey of {units.table.name} built {frame.height} rows for {units.count} units;"
            f" the table declares {units.rows_per_unit} per unit"
        )
    return frame
