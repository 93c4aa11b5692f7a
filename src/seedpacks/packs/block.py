"""The block of rows a generator fills: row numbers, earlier columns and their random streams."""

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import polars as pl
from scipy import special

from seedpacks.packs import rng
from seedpacks.packs.model import Copula

Lookup = Callable[[str, str, np.ndarray], pl.Series]


def as_series(values: np.ndarray | pl.Series | Sequence[Any]) -> pl.Series:
    """Return `values` as a polars Series (generators may return numpy arrays)."""
    return values if isinstance(values, pl.Series) else pl.Series(values)


class Block:
    """The rows being generated: row numbers, columns so far, keys of their random streams."""

    def __init__(
        self,
        *,
        pack: str,
        seed: int,
        scale: int,
        table: str,
        idx: np.ndarray,
        table_rows: Callable[[str], int],
        lookup: Lookup,
        unit_rows: Callable[[str], int | None] | None = None,
        copulas: Sequence[Copula] = (),
    ) -> None:
        self.pack, self.seed, self.scale, self.table = pack, seed, scale, table
        self.idx = idx
        self.values: dict[str, pl.Series] = {}
        self.column = ""
        self._table_rows = table_rows
        self._lookup = lookup
        self._unit_rows = unit_rows
        self._copula_of = {col: (c, i) for c in copulas for i, col in enumerate(c.columns)}
        self._joint: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.idx)

    def __getitem__(self, column: str) -> pl.Series:
        return self.values[column]

    def key(self, lane: str = "") -> np.uint64:
        return rng.stream_key(self.pack, self.seed, self.table, self.column, lane)

    def uniform(self, lane: int = 0) -> np.ndarray:
        """Floats in [0, 1); lane 0 of a column in a copula is its correlated draw."""
        if lane == 0 and self.column in self._copula_of:
            return special.ndtr(self._correlated())
        return rng.uniform(self.key(), self.idx, lane)

    def uniform_named(self, name: str) -> np.ndarray:
        """Floats in [0, 1) from a stream named for its purpose, shared by several columns."""
        return rng.uniform(rng.stream_key(self.pack, self.seed, self.table, name), self.idx)

    def normal(self, lane: int = 0) -> np.ndarray:
        """Standard normals; lane 0 of a column in a copula is its correlated draw."""
        if lane == 0 and self.column in self._copula_of:
            return self._correlated()
        return rng.normal(self.key(), self.idx, lane)

    def _correlated(self) -> np.ndarray:
        """Return this column's normal draw of its copula: its row of the Cholesky factor
        times the copula's independent normals (one stream each, shared by its columns)."""
        copula, position = self._copula_of[self.column]
        if copula.name not in self._joint:
            independent = np.stack(
                [
                    rng.normal(
                        rng.stream_key(self.pack, self.seed, self.table, copula.name, j), self.idx
                    )
                    for j in range(len(copula.columns))
                ]
            )
            factor = np.linalg.cholesky(np.asarray(copula.correlation, dtype=np.float64))
            self._joint[copula.name] = factor @ independent
        return self._joint[copula.name][position]

    def rows(self, table: str) -> int:
        """Return how many rows `table` has at this load's scale."""
        return self._table_rows(table)

    def unit_rows(self, table: str) -> int | None:
        """Return `table`'s rows per unit of scale, or None when it does not grow with the scale."""
        return self._unit_rows(table) if self._unit_rows else None

    def lookup(self, table: str, column: str, idx: np.ndarray) -> pl.Series:
        """Return `table.column` at the given row numbers (generated on demand, deterministic)."""
        return self._lookup(table, column, idx)


def referenced_rows(b: Block, table: str, u: np.ndarray) -> np.ndarray:
    """Map floats in [0, 1) to row numbers of `table`, uniformly and prefix-stable.

    When both tables grow with the scale, row i of this table draws from the block of `table`
    that scale unit i // (rows per unit) added, so the rows of a smaller scale reference exactly
    what they referenced there: scaling up keeps them as the prefix.
    """
    target = b.unit_rows(table)
    own = b.unit_rows(b.table)
    if target is None:
        return np.floor(u * b.rows(table)).astype(np.int64)
    unit = b.idx.astype(np.int64) // own if own else np.zeros(len(u), dtype=np.int64)
    return unit * target + np.floor(u * target).astype(np.int64)
