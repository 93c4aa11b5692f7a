"""A table a small load generates whole, once, for the lookups of its other threads."""

import threading

import numpy as np
import polars as pl

# A lookup waits at most this long for a thread to start generating the table it reads (each
# stream of a load starts on a thread of its own at once), then generates its rows itself.
CLAIM_WAIT = 1.0


class Whole:
    """A table generated whole, in one chunk, by the first thread to claim it, for the others.

    Declared before its streams start (Generator.share), so that a lookup that comes first
    waits for the stream's thread instead of generating the same rows alongside it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner: int | None = None
        self._claimed = threading.Event()
        self._done = threading.Event()
        self._frame: pl.DataFrame | None = None

    def claim(self) -> bool:
        """Make this thread the one that generates the table, if none is yet."""
        with self._lock:
            if self._owner is not None:
                return False
            self._owner = threading.get_ident()
        self._claimed.set()
        return True

    def finish(self, frame: pl.DataFrame | None) -> None:
        """Hand the claimed table's frame to the waiting lookups (None: generation failed)."""
        self._frame = frame
        self._done.set()

    def wait(self) -> pl.DataFrame | None:
        """Return the frame once the claiming thread has generated it; None to the claiming
        thread itself, when no thread claimed the table in time, or when generation failed."""
        me = threading.get_ident()
        if self._owner == me or not self._claimed.wait(CLAIM_WAIT) or self._owner == me:
            return None
        self._done.wait()
        return self._frame


def all_rows(idx: np.ndarray, rows: int) -> bool:
    """Return whether `idx` numbers all `rows` rows in order, 0 to rows - 1."""
    return len(idx) == rows > 0 and int(idx[0]) == 0 and bool(np.all(np.diff(idx) == 1))
