"""Turn a pack's table declarations into deterministic polars frames, chunk by chunk."""

import functools
import threading
from collections.abc import Iterable, Iterator

import numpy as np
import polars as pl

from seedpacks.packs import rng
from seedpacks.packs.gen import Block, as_series
from seedpacks.packs.model import Column, ColumnType, Creative, Pack
from seedpacks.packs.truth import feature_matrix, probabilities, weight_matrix
from seedpacks.seeding import journeys
from seedpacks.seeding.whole import Whole, all_rows

POLARS_TYPES: dict[ColumnType, pl.DataType] = {
    "text": pl.String(),
    "integer": pl.Int64(),
    "bigint": pl.Int64(),
    "decimal": pl.Float64(),
    "boolean": pl.Boolean(),
    "date": pl.Date(),
    "timestamp": pl.Datetime("us"),
    "json": pl.String(),
}

CHUNK_ROWS = 100_000


class Generator:
    """Generates any column of any table of a pack at any row numbers, for one seed and scale."""

    def __init__(self, pack: Pack, *, seed: int, scale: int) -> None:
        self.pack, self.seed, self.scale = pack, seed, scale
        # Per thread and table, the rows last looked up there and their block, so that the
        # columns of one chunk reading the same referenced rows (a client's id, then its
        # calls, then its answer) generate them once: {table: (rows as bytes, block, columns
        # generated)}. Per thread: a block is extended in place, and streams of one load may
        # be generated on threads of their own.
        self._local = threading.local()
        # Tables shared(): generated whole once, looked up from that frame by other threads.
        self._whole: dict[str, Whole] = {}

    def rows(self, table: str) -> int:
        return self.pack.table(table).rows_at(self.scale)

    def unit_rows(self, table: str) -> int | None:
        """Return `table`'s rows per unit of scale, or None when it does not scale."""
        spec = self.pack.table(table)
        return spec.rows if spec.scales else None

    def share(self, table: str) -> None:
        """Let other threads' lookups of `table` wait for its frame when it is generated in one
        chunk (a small load), rather than generate the same rows again alongside it.

        At scale 1, retail's customers were generated three times, by their own stream, the
        orders' and the history's, and starbucks' history built the offers its events had. A
        row's values depend only on its number: the frame's rows are the ones a lookup would
        generate. A lookup waits for the thread generating it (seeding/whole.py); a failed
        generation, or none started in time, leaves each lookup to generate its rows itself.
        """
        if self.rows(table) <= self.chunk_rows(table):
            self._whole[table] = Whole()

    def _shared(self, table: str) -> pl.DataFrame | None:
        """Return the shared frame of `table` once another thread has generated it, or None."""
        whole = self._whole.get(table)
        return whole.wait() if whole is not None else None

    def _block(self, table: str, idx: np.ndarray) -> Block:
        return Block(
            pack=self.pack.key,
            seed=self.seed,
            scale=self.scale,
            table=table,
            idx=idx,
            table_rows=self.rows,
            lookup=self.column,
            unit_rows=self.unit_rows,
            copulas=self.pack.table(table).copulas,
        )

    def _fill(self, block: Block, start: int = 0, stop: int | None = None) -> None:
        """Generate the block's columns from number `start` to before `stop`, in order."""
        for col in self.pack.table(block.table).columns[start:stop]:
            block.column = col.name
            block.values[col.name] = _typed(col, col.generate(block), len(block))

    def column(self, table: str, column: str, idx: np.ndarray) -> pl.Series:
        """Return `table.column` at the given row numbers."""
        return self.columns(table, [column], idx)[column]

    def columns(self, table: str, names: Iterable[str], idx: np.ndarray) -> dict[str, pl.Series]:
        """Return several columns of `table` at the given row numbers.

        References draw rows repeatedly (3 events per customer); each distinct row is
        generated once and gathered, since a row's values depend only on its number. The
        block is kept for the next call at the same rows, which adds the columns it lacks.
        """
        wanted = set(names)
        if self.pack.table(table).journey is not None:
            journey = self._journey_rows(table, idx)
            return {name: journey[name] for name in wanted}
        shared = self._shared(table)
        if shared is not None:
            return {name: shared[name].gather(idx) for name in wanted}
        order = [c.name for c in self.pack.table(table).columns]
        needed = 1 + max(order.index(name) for name in wanted)
        unique, inverse = _unique(idx)
        rows = idx if len(unique) > 0.8 * len(idx) else unique
        key = rows.tobytes()
        cache: dict[str, tuple[bytes, Block, int]] = self._local.__dict__.setdefault("recent", {})
        recent = cache.get(table)
        if recent is not None and recent[0] == key:
            _, block, done = recent
        else:
            block, done = self._block(table, rows), 0
        if done < needed:
            self._fill(block, done, needed)
            done = needed
        cache[table] = (key, block, done)
        if rows is idx:
            return {name: block[name] for name in wanted}
        return {name: block[name].gather(inverse) for name in wanted}

    def frame(self, table: str, idx: np.ndarray) -> pl.DataFrame:
        """Return every column of `table` at the given row numbers."""
        spec = self.pack.table(table)
        if spec.journey is not None:
            return self._journey_rows(table, idx).select(c.name for c in spec.columns)
        whole = self._whole.get(table)
        if whole is None or not all_rows(idx, self.rows(table)) or not whole.claim():
            return self._frame(table, idx)
        frame = None
        try:
            frame = self._frame(table, idx)
        finally:
            whole.finish(frame)
        return frame

    def _frame(self, table: str, idx: np.ndarray) -> pl.DataFrame:
        block = self._block(table, idx)
        self._fill(block)
        return pl.DataFrame(list(block.values.values()))

    def _journey_rows(self, table: str, idx: np.ndarray) -> pl.DataFrame:
        """Return a journey table's rows at the given row numbers, hidden columns included."""
        per_unit = self.pack.table(table).rows
        if len(idx) == 0:
            return self._journey(table, 0, 1).clear()
        first = int(idx.min()) // per_unit
        frame = self._journey(table, first, int(idx.max()) // per_unit - first + 1)
        offsets = idx.astype(np.int64) - first * per_unit
        if offsets[-1] - offsets[0] == len(offsets) - 1 and np.all(np.diff(offsets) == 1):
            return frame.slice(int(offsets[0]), len(offsets))
        return frame[offsets]

    def _journey(
        self, table: str, first: int, count: int, *, impressions: bool = False
    ) -> pl.DataFrame:
        """Return the rows of `count` scale units from unit `first` (the last ones, per thread,
        kept: the table's chunks and the history read the same units), or only their
        impressions when the journey can build those alone."""
        cache: dict[tuple[str, bool], tuple[tuple[int, int], pl.DataFrame]]
        cache = self._local.__dict__.setdefault("journeys", {})
        recent = cache.get((table, impressions))
        if recent is not None and recent[0] == (first, count):
            return recent[1]
        spec = self.pack.table(table)
        assert spec.journey is not None
        per_unit = self.unit_rows(spec.journey.customers)
        assert per_unit is not None  # validate: journeys follow a customer table that scales
        units = journeys.Units(
            pack=self.pack.key,
            seed=self.seed,
            table=spec,
            first=first,
            count=count,
            customers_per_unit=per_unit,
            lookup=self.columns,
        )
        whole = self._whole.get(table) if (first, count) == (0, self.scale) else None
        if impressions and whole is not None:
            shared = self._shared(table)  # all rows, the impressions among them in their order
            if shared is not None:
                return shared
        if impressions and spec.journey.impressions is not None:
            frame = spec.journey.impressions(units)
        elif whole is not None and whole.claim():
            built = None
            try:
                frame = built = journeys.check_units(spec.journey.build(units), units)
            finally:
                whole.finish(built)
        else:
            frame = journeys.check_units(spec.journey.build(units), units)
        cache[(table, impressions)] = ((first, count), frame)
        return frame

    def chunk_rows(self, table: str) -> int:
        """Return the rows per chunk of `table`: CHUNK_ROWS, or whole scale units of a journey
        table (each unit's customers are built together, once)."""
        spec = self.pack.table(table)
        if spec.journey is not None:
            return max(1, CHUNK_ROWS // spec.rows) * spec.rows
        return CHUNK_ROWS

    def history_chunk_rows(self) -> int:
        """Return the rows per chunk of the history: whole scale units when each unit's
        history goes to that unit's customers (so chunks summarise on their own)."""
        per_unit = self.pack.ground_truth.interactions
        if self.unit_rows(self.pack.ground_truth.customer_table) is None:
            return CHUNK_ROWS
        return max(1, CHUNK_ROWS // per_unit) * per_unit

    def chunks(self, table: str, chunk_rows: int | None = None) -> Iterator[pl.DataFrame]:
        """Yield the whole table in row order, `chunk_rows` rows at a time (by default
        `chunk_rows(table)`)."""
        chunk_rows = chunk_rows or self.chunk_rows(table)
        total = self.rows(table)
        for start in range(0, total, chunk_rows):
            yield self.frame(table, np.arange(start, min(start + chunk_rows, total)))

    def interaction_chunks(self, chunk_rows: int | None = None) -> Iterator[pl.DataFrame]:
        """Yield the interaction history, sampled from the pack's ground truth (or taken from
        its journeys), `chunk_rows` rows at a time (by default `history_chunk_rows()`)."""
        chunk_rows = chunk_rows or self.history_chunk_rows()
        truth = self.pack.ground_truth
        total = truth.interactions * self.scale
        for start in range(0, total, chunk_rows):
            yield self.interactions(np.arange(start, min(start + chunk_rows, total)))

    def _draw(self, lane: str, idx: np.ndarray) -> np.ndarray:
        key = rng.stream_key(self.pack.key, self.seed, "interactions", lane)
        return rng.uniform(key, idx)

    def _customers(self, idx: np.ndarray) -> np.ndarray:
        """Return the customer row number of each interaction row number."""
        truth = self.pack.ground_truth
        per_unit = self.unit_rows(truth.customer_table)
        if per_unit is None:
            customers = np.floor(self._draw("customer", idx) * self.rows(truth.customer_table))
        else:  # scale unit k's interactions go to unit k's customers: prefix-stable
            customers = idx // truth.interactions * per_unit + np.floor(
                self._draw("customer", idx) * per_unit
            )
        return customers.astype(np.int64)

    def interactions(self, idx: np.ndarray) -> pl.DataFrame:
        """Return the interactions at the given row numbers."""
        truth = self.pack.ground_truth
        if truth.history_from is not None:
            return self._journey_interactions(idx)

        def draw(lane: str) -> np.ndarray:
            return self._draw(lane, idx)

        customers = self._customers(idx)
        arms = np.floor(draw("arm") * len(truth.arms)).astype(np.int64)
        needed = {truth.customer_id} | {f.column for f in truth.features}
        columns = self.columns(truth.customer_table, needed, customers)
        p = probabilities(truth, feature_matrix(truth, columns), arms, self._weights)
        positive = draw("outcome") < p
        offers = pl.Series([arm.offer for arm in truth.arms], dtype=pl.String)
        channels = pl.Series([arm.channel for arm in truth.arms], dtype=pl.String)
        creatives, first, arm_bounds = self._arm_creatives
        # Each arm's creatives sit together in `creatives` from `first[arm]`, in pack order;
        # an arm with one creative always shows it, the others draw by their weights.
        creative_pick = draw("creative")
        chosen = first[arms]
        for a, bounds in arm_bounds.items():
            rows = np.flatnonzero(arms == a)
            chosen[rows] += np.minimum(
                np.searchsorted(bounds, creative_pick[rows], side="right"), len(bounds) - 1
            )
        start = np.datetime64(truth.start, "s")
        occurred = start + np.floor(draw("time") * truth.days * 86400).astype(np.int64)
        outcome = pl.Series([truth.negative_outcome, truth.positive_outcome], dtype=pl.String)
        return pl.DataFrame(
            {
                "id": pl.Series(idx.astype(np.int64) + 1),  # below decisions' (migration 0010)
                "customer_id": columns[truth.customer_id].cast(pl.String),
                "offer_id": offers.gather(arms),
                "creative_id": creatives.gather(chosen),
                "channel_id": channels.gather(arms),
                "outcome": outcome.gather(positive.astype(np.int64)),
                "occurred_at": pl.Series(occurred.astype("datetime64[us]")),
            }
        )

    def _journey_interactions(self, idx: np.ndarray) -> pl.DataFrame:
        """Return the interactions at the given row numbers: the journey table's impressions,
        row for row (scale unit k's interactions are unit k's impressions, in row order)."""
        truth = self.pack.ground_truth
        source = truth.history_from
        assert source is not None
        per_unit = truth.interactions
        first = int(idx.min()) // per_unit if len(idx) else 0
        count = int(idx.max()) // per_unit - first + 1 if len(idx) else 1
        frame = self._journey(source.table, first, count, impressions=True)
        frame = frame.filter(pl.col(source.impression))
        if frame.height != count * per_unit:
            raise ValueError(
                f"journey of {source.table} gave {frame.height} impressions for {count} units;"
                f" the ground truth declares {per_unit} per unit"
            )
        rows = frame[idx.astype(np.int64) - first * per_unit]
        offers, channels = rows[source.offer], rows[source.channel]
        start = np.datetime64(truth.start, "s")
        hours = rows[source.at].cast(pl.Int64).to_numpy()
        occurred = start + hours * 3600
        outcome = pl.Series([truth.negative_outcome, truth.positive_outcome], dtype=pl.String)
        positive = rows[source.positive].cast(pl.Int64).to_numpy()
        return pl.DataFrame(
            {
                "id": pl.Series(idx.astype(np.int64) + 1),
                "customer_id": rows[source.customer].cast(pl.String),
                "offer_id": offers,
                "creative_id": self._pick_creatives(offers, channels, self._draw("creative", idx)),
                "channel_id": channels,
                "outcome": outcome.gather(positive),
                "occurred_at": pl.Series(occurred.astype("datetime64[us]")),
            }
        )

    def _pick_creatives(self, offers: pl.Series, channels: pl.Series, u: np.ndarray) -> pl.Series:
        """Return a creative of each row's offer and channel, drawn by the creatives' weights."""
        options: dict[str, list[Creative]] = {}
        for creative in self.pack.creatives:
            options.setdefault(f"{creative.offer}\x1f{creative.channel}", []).append(creative)
        pairs = list(options)
        code = (
            (offers + "\x1f" + channels)
            .replace_strict(pairs, list(range(len(pairs))), return_dtype=pl.Int64)
            .to_numpy()
        )
        ids = pl.Series([c.id for pair in pairs for c in options[pair]], dtype=pl.String)
        chosen = np.zeros(len(code), dtype=np.int64)
        first = 0
        for j, pair in enumerate(pairs):
            mine = options[pair]
            rows = np.flatnonzero(code == j)
            weights = np.cumsum([max(c.weight, 0) for c in mine], dtype=np.float64)
            pick = np.searchsorted(weights / weights[-1], u[rows], side="right")
            chosen[rows] = first + np.minimum(pick, len(mine) - 1)
            first += len(mine)
        return ids.gather(chosen)

    @functools.cached_property
    def _weights(self) -> tuple[np.ndarray, np.ndarray]:
        return weight_matrix(self.pack.ground_truth)

    @functools.cached_property
    def _arm_creatives(self) -> tuple[pl.Series, np.ndarray, dict[int, np.ndarray]]:
        """Return every arm's creative ids (arm after arm), where each arm's ids start, and for
        each arm with several creatives the cumulative weight shares a uniform draw picks by."""
        options: dict[tuple[str, str], list[Creative]] = {}
        for creative in self.pack.creatives:
            options.setdefault((creative.offer, creative.channel), []).append(creative)
        ids: list[str] = []
        first, bounds = [], {}
        for a, arm in enumerate(self.pack.ground_truth.arms):
            mine = options.get((arm.offer, arm.channel), [])
            first.append(len(ids))
            ids += [c.id for c in mine]
            if len(mine) > 1:
                weights = np.cumsum([max(c.weight, 0) for c in mine], dtype=np.float64)
                bounds[a] = weights / weights[-1]
        return pl.Series(ids, dtype=pl.String), np.array(first, dtype=np.int64), bounds


def _unique(idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return np.unique(idx, return_inverse=True), in linear time when the rows lie close together.

    References draw rows from one scale unit's block of the table (3 events per customer):
    marking the range beats sorting the chunk, a tenth of generating a starbucks event.
    """
    if len(idx) == 0:
        return np.unique(idx, return_inverse=True)
    low, high = int(idx.min()), int(idx.max())
    if high - low > 4 * len(idx):
        return np.unique(idx, return_inverse=True)
    present = np.zeros(high - low + 1, dtype=bool)
    offsets = idx - low
    present[offsets] = True
    position = np.cumsum(present) - 1
    return np.flatnonzero(present) + low, position[offsets]


def _typed(col: Column, values: object, length: int) -> pl.Series:
    series = as_series(values)  # type: ignore[arg-type]
    if len(series) != length:
        raise ValueError(
            f"generator of column {col.name} returned {len(series)} values for {length} rows"
        )
    return series.cast(POLARS_TYPES[col.type]).alias(col.name)
