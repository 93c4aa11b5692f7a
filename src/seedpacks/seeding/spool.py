"""A load's interaction summaries, kept until their COPY: in memory while small, then on disk.

Starbucks at scale 1000 summarises its 4.5M history rows into 4.2M summary rows (a member
seldom gets one offer twice on one channel): 430 MB of frames, which the process held until
the history's COPY was done. Past `IN_MEMORY_ROWS` the frames go to a temporary file as Arrow
IPC streams and come back one at a time for their COPY, so memory holds a chunk, not all.
"""

import io
import tempfile
from collections.abc import Iterator
from typing import IO

import polars as pl

# Summary rows kept in memory before the spool writes to disk: scale-1 to scale-50 loads of
# every pack never touch the disk.
IN_MEMORY_ROWS = 250_000


class SummarySpool:
    """Summary frames in the order added, with each offer's positives and negatives so far."""

    def __init__(self, *, in_memory_rows: int | None = None) -> None:
        self._limit = IN_MEMORY_ROWS if in_memory_rows is None else in_memory_rows
        self._memory: list[pl.DataFrame] = []
        self._memory_rows = 0
        self._file: IO[bytes] | None = None
        self._spans: list[tuple[int, int]] = []  # (offset, length) of each spilled frame
        self.rows = 0
        self._outcomes: dict[str, list[int]] = {}

    def add(self, frame: pl.DataFrame) -> None:
        """Keep `frame` (columns of history.SUMMARY_COLUMNS) for the COPY."""
        self.rows += frame.height
        per_offer = frame.group_by("offer_id").agg(pl.col("positives", "negatives").sum())
        for offer, positives, negatives in per_offer.iter_rows():
            totals = self._outcomes.setdefault(offer, [0, 0])
            totals[0] += int(positives)
            totals[1] += int(negatives)
        if self._file is None and self._memory_rows + frame.height <= self._limit:
            self._memory.append(frame)
            self._memory_rows += frame.height
            return
        if self._file is None:
            # Closed by close(), which the load calls on every path out.
            self._file = tempfile.TemporaryFile(prefix="seedpacks-summaries-")  # noqa: SIM115
        buffer = io.BytesIO()
        frame.write_ipc_stream(buffer)
        data = buffer.getvalue()
        self._spans.append((self._file.tell(), len(data)))
        self._file.write(data)

    def outcomes(self) -> dict[str, tuple[int, int]]:
        """Return {offer id: (positives, negatives)} over every frame added."""
        return {offer: (p, n) for offer, (p, n) in self._outcomes.items()}

    def frames(self) -> Iterator[pl.DataFrame]:
        """Yield the frames in the order added, those on disk read back one at a time."""
        yield from self._memory
        if self._file is None:
            return
        self._file.flush()
        for offset, length in self._spans:
            self._file.seek(offset)
            yield pl.read_ipc_stream(io.BytesIO(self._file.read(length)))

    def close(self) -> None:
        """Drop the frames and the temporary file."""
        self._memory.clear()
        if self._file is not None:
            self._file.close()
            self._file = None
        self._spans.clear()
