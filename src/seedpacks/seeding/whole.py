"""A table a small load generates whole, once, for the lookups of its other threads."""

import threading

import numpy as np
import polars as pl


class Whole:
    """A table generated whole, in one chunk, on one thread, for the lookups of the others."""

    def __init__(self) -> None:
        self.owner: int | None = None  # the generating thread, once it has started
        self.frame: pl.DataFrame | None = None  # None after done: generation failed
        self.done = threading.Event()


def all_rows(idx: np.ndarray, rows: int) -> bool:
    """Return whether `idx` numbers all `rows` rows in order, 0 to rows - 1."""
    return len(idx) == rows > 0 and int(idx[0]) == 0 and bool(np.all(np.diff(idx) == 1))
