"""Column generators: small factories a pack composes, each vectorised over a block of rows."""

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import numpy as np
import polars as pl

from scipy import special

from seedpacks.packs import rng
from seedpacks.packs.depend import Dependent, Param, columns_of, describe, value
from seedpacks.packs.model import Copula, Generator

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
                    rng.normal(rng.stream_key(self.pack, self.seed, self.table, copula.name, j),
                               self.idx)
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


def row_number(start: int = 1) -> Generator:
    return lambda b: b.idx.astype(np.int64) + start


def formatted_id(prefix: str, width: int = 6, start: int = 1) -> Generator:
    """Return ids like `C000001`."""

    def gen(b: Block) -> pl.Series:
        digits = pl.Series((b.idx + start).astype(np.int64)).cast(pl.String).str.zfill(width)
        return prefix + digits

    return gen


def hex_id(width: int = 32) -> Generator:
    """Random lowercase hex ids, the same as `rng.hex_strings` (built without Python strings)."""

    def gen(b: Block) -> pl.Series:
        words = np.stack([rng.bits(b.key(), b.idx, 0), rng.bits(b.key(), b.idx, 1)], axis=1)
        text = words.astype(">u8").tobytes().hex().encode()
        series = pl.Series(np.frombuffer(text, dtype="S32")).cast(pl.String)
        return series if width == 32 else series.str.slice(0, width)

    return gen


def fixed(values: Sequence[Any]) -> Generator:
    """Take row i's value from a fixed list (for small reference tables such as a portfolio)."""
    series = pl.Series(list(values), strict=False)
    return lambda b: series.gather(b.idx)


def integers(low: int, high: int) -> Generator:
    """Uniform integers in [low, high]."""
    return lambda b: (low + np.floor(b.uniform() * (high - low + 1))).astype(np.int64)


def normal(
    mean: float, sd: float, *, low: float, high: float, decimals: int | None = 0
) -> Generator:
    """Normal values clipped to [low, high]; integers when decimals is None or 0."""

    def gen(b: Block) -> np.ndarray:
        x = np.clip(mean + sd * b.normal(), low, high)
        if not decimals:
            return np.rint(x).astype(np.int64)
        return np.round(x, decimals)

    return gen


def lognormal(
    median: float, sigma: float, *, low: float, high: float, decimals: int = 2
) -> Generator:
    def gen(b: Block) -> np.ndarray:
        x = median * np.exp(sigma * b.normal())
        return np.round(np.clip(x, low, high), decimals)

    return gen


def choice(values: Sequence[Any], weights: Sequence[float] | None = None) -> Generator:
    """Draw from `values` with the given relative weights."""
    options = pl.Series(list(values))
    w = np.ones(len(options)) if weights is None else np.asarray(weights, dtype=np.float64)
    cumulative = np.cumsum(w / w.sum())
    cumulative[-1] = 1.0

    def gen(b: Block) -> pl.Series:
        return options.gather(np.searchsorted(cumulative, b.uniform(), side="right"))

    return gen


def dates(start: date, end: date, *, weights_by_year: dict[int, float] | None = None) -> Generator:
    """Dates in [start, end], uniform or weighted by calendar year."""
    first = np.datetime64(start, "D")
    last = np.datetime64(end, "D")

    def gen(b: Block) -> np.ndarray:
        if not weights_by_year:
            span = (last - first).astype(np.int64) + 1
            return first + np.floor(b.uniform() * span).astype(np.int64)
        years = np.array(sorted(weights_by_year))
        w = np.array([weights_by_year[y] for y in years], dtype=np.float64)
        cumulative = np.cumsum(w / w.sum())
        cumulative[-1] = 1.0
        year = years[np.searchsorted(cumulative, b.uniform(0), side="right")]
        year_start = np.maximum(
            (year - 1970).astype("datetime64[Y]").astype("datetime64[D]"), first
        )
        year_end = np.minimum(
            (year + 1 - 1970).astype("datetime64[Y]").astype("datetime64[D]"), last + 1
        )
        span = (year_end - year_start).astype(np.int64)
        return year_start + np.floor(b.uniform(1) * span).astype(np.int64)

    return gen


def timestamps(start: datetime, days: int) -> Generator:
    first = np.datetime64(start, "s")

    def gen(b: Block) -> np.ndarray:
        return (first + np.floor(b.uniform() * days * 86400).astype(np.int64)).astype("M8[us]")

    return gen


def reference(table: str, column: str) -> Generator:
    """A value of `table.column` from a uniformly drawn row of that table."""

    def gen(b: Block) -> pl.Series:
        return b.lookup(table, column, referenced_rows(b, table, b.uniform()))

    return gen


def null_where(inner: Generator, condition: Callable[[Block], np.ndarray]) -> Generator:
    """Values of `inner`, NULL (None) where `condition` holds."""

    def gen(b: Block) -> pl.Series:
        mask = np.asarray(condition(b), dtype=bool)
        return as_series(inner(b)).scatter(np.flatnonzero(mask), None)

    return gen


def null_fraction(inner: Generator, fraction: float) -> Generator:
    """Values of `inner`, NULL for about `fraction` of the rows (its own random lane)."""
    return null_where(inner, lambda b: rng.uniform(b.key("null"), b.idx) < fraction)


def derived(function: Callable[[Block], np.ndarray | pl.Series]) -> Generator:
    """A column computed from columns generated earlier in the same row."""
    return function


Keys = Callable[[Block], np.ndarray | pl.Series]


def choice_by(
    by: str | Keys,
    options: Mapping[Any, tuple[Sequence[Any], Sequence[float]]],
    default: tuple[Sequence[Any], Sequence[float]] | None = None,
) -> Generator:
    """Draw from a distribution chosen per row by an earlier column's value (or a key function).

    `options` maps a key (None for NULL) to (values, relative weights); rows whose key is not
    listed draw from `default`. One pass per key, never per row.
    """
    table = dict(options)
    if default is not None:
        table[_DEFAULT] = default
    values: list[Any] = []
    for vals, _ in table.values():
        values += [v for v in vals if v not in values]
    prepared = {}
    for key, (vals, weights) in table.items():
        w = np.asarray(weights, dtype=np.float64)
        cumulative = np.cumsum(w / w.sum())
        cumulative[-1] = 1.0
        prepared[key] = (cumulative, np.array([values.index(v) for v in vals], dtype=np.int64))
    series = pl.Series(values)

    def gen(b: Block) -> pl.Series:
        keys = as_series(b[by] if isinstance(by, str) else by(b))
        u = b.uniform()
        codes = np.full(len(b), -1, dtype=np.int64)
        for key, (cumulative, value_codes) in prepared.items():
            if key is _DEFAULT:
                continue
            hit = keys.is_null() if key is None else (keys == key).fill_null(False)
            mask = hit.to_numpy()
            codes[mask] = value_codes[np.searchsorted(cumulative, u[mask], side="right")]
        rest = codes < 0
        if rest.any():
            if _DEFAULT not in prepared:
                missing = keys.filter(pl.Series(rest)).unique().head(3).to_list()
                raise ValueError(f"choice_by: no options for keys {missing}")
            cumulative, value_codes = prepared[_DEFAULT]
            codes[rest] = value_codes[np.searchsorted(cumulative, u[rest], side="right")]
        return series.gather(codes)

    if isinstance(by, str):
        listed = "; ".join(
            f"{key}: " + ", ".join(f"{v} {w:g}" for v, w in zip(*table[key], strict=True))
            for key in table
            if key is not _DEFAULT
        )
        return Dependent(gen, (by,), f"weights of each value by {by} ({listed})")
    return gen


_DEFAULT = object()
_RADIX = {"9": "0123456789", "A": "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def pattern_id(pattern: str) -> Generator:
    """Unique ids shaped like `pattern` ("9" a digit, "A" a capital letter, others literal).

    Row numbers go through a seed-keyed bijection of the pattern's id space, so ids look random
    yet never collide (e.g. "9999-AAAAA" gives ids like the IBM Telco file's "7590-VHVEG").
    """
    slots = [(i, _RADIX[ch]) for i, ch in enumerate(pattern) if ch in _RADIX]
    space = int(np.prod([len(alphabet) for _, alphabet in slots], dtype=object))
    if space >= 1 << 42:  # keeps the split multiplication below within 64 bits
        raise ValueError(f"pattern {pattern!r} has too many slots")
    # A golden-ratio multiplier spreads consecutive row numbers over every position of the id.
    multiplier = next(m for m in range(int(space * 0.6180339887), space) if np.gcd(m, space) == 1)
    hi, lo = divmod(multiplier, 1 << 20)

    def gen(b: Block) -> pl.Series:
        if len(b) and int(b.idx.max()) >= space:
            raise ValueError(f"pattern {pattern!r} has only {space} ids")
        offset = np.uint64(int(b.key()) % space)
        x = (b.idx.astype(np.uint64) + offset) % np.uint64(space)
        # (multiplier * x) mod space without overflowing 64 bits: split the multiplier.
        n = np.uint64(space)
        v = (np.uint64(hi) * x) % n
        v = (v * np.uint64(1 << 20)) % n
        v = (v + (np.uint64(lo) * x) % n) % n
        chars = [pl.Series([ch] * len(b), dtype=pl.String) for ch in pattern]
        for position, alphabet in reversed(slots):
            radix = np.uint64(len(alphabet))
            digit = (v % radix).astype(np.int64)
            v //= radix
            chars[position] = pl.Series(list(alphabet)).gather(digit)
        text = chars[0]
        for part in chars[1:]:
            text = text + part
        return text

    return gen


def bernoulli(logit: Callable[[Block], np.ndarray]) -> Generator:
    """True with probability sigmoid(logit(block)): a flag driven by earlier columns."""

    def gen(b: Block) -> np.ndarray:
        return b.uniform() < 1.0 / (1.0 + np.exp(-np.asarray(logit(b), dtype=np.float64)))

    return gen


def truncnormal(
    mean: Param, sd: Param, *, low: Param, high: Param, decimals: int | None = 0
) -> Generator:
    """Normal values truncated to [low, high] (not clipped: no pile-up at a bound), where each
    parameter may follow earlier columns (seedpacks.packs.depend); integers when decimals is
    None or 0, rounded to tens or thousands when it is -1 or -3.

    The row's draw goes through the truncated normal's quantile function, so a copula's rank
    correlation survives bounds that differ from row to row.
    """
    params = (mean, sd, low, high)

    def gen(b: Block) -> np.ndarray:
        m, s, lo, hi = (value(p, b) for p in params)
        a, z = special.ndtr((lo - m) / s), special.ndtr((hi - m) / s)
        u = np.clip(a + b.uniform() * (z - a), 1e-12, 1 - 1e-12)
        x = np.clip(m + s * special.ndtri(u), lo, hi)
        if not decimals:
            return np.clip(np.rint(x), np.ceil(lo), np.floor(hi)).astype(np.int64)
        step = 10.0**-decimals
        # Rounded to the step, yet within the bounds: a bound off the grid rounds inwards.
        return np.clip(np.round(x, decimals), np.ceil(lo / step) * step, np.floor(hi / step) * step)

    on = tuple(dict.fromkeys(c for p in params for c in columns_of(p)))
    if not on:
        return gen
    rule = (
        f"normal, mean {describe(mean)}, sd {describe(sd)}, "
        f"truncated to [{describe(low)}, {describe(high)}]"
    )
    return Dependent(gen, on, rule)


def missing_together(inner: Generator, stream: str, share: float) -> Generator:
    """Values of `inner`, NULL in the same rows as every column using the same `stream`: about
    `share` of the rows (e.g. a profile whose age, gender and income are all unknown)."""

    def unknown(b: Block) -> np.ndarray:
        return b.uniform_named(stream) < share

    rule = f"NULL for {share:.1%} of rows, the same rows as the other columns of '{stream}'"
    return Dependent(null_where(inner, unknown), (), rule, shares=(stream,))


def periods(spans: Sequence[tuple[date, date, float]]) -> Generator:
    """Dates from consecutive (first, last, weight) periods: a period by weight, then a day in
    it uniformly (e.g. sign-ups that bunch in some half years)."""
    first = np.array([np.datetime64(a, "D") for a, _, _ in spans])
    length = np.array([(np.datetime64(b, "D") - np.datetime64(a, "D")).astype(np.int64) + 1
                       for a, b, _ in spans])
    w = np.array([weight for _, _, weight in spans], dtype=np.float64)
    cumulative = np.cumsum(w / w.sum())
    cumulative[-1] = 1.0

    def gen(b: Block) -> np.ndarray:
        period = np.searchsorted(cumulative, b.uniform(0), side="right")
        return first[period] + np.floor(b.uniform(1) * length[period]).astype(np.int64)

    return gen


def from_journey() -> Generator:
    """A column of a journey table: its values come from the table's journey, not per row."""

    def gen(b: Block) -> np.ndarray:
        raise TypeError(f"{b.table}.{b.column} is generated by the table's journey")

    return Dependent(gen, (), "from each customer's journey (see the table's journey)")
