"""Column generators: small factories a pack composes, each vectorised over a block of rows."""

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import numpy as np
import polars as pl
from scipy import special

from seedpacks.packs import rng
from seedpacks.packs.block import Block, Lookup, as_series, referenced_rows
from seedpacks.packs.depend import Dependent, Param, columns_of, describe, value
from seedpacks.packs.ids import formatted_id, hex_id, pattern_id, row_number
from seedpacks.packs.marginals import quantiles, quantiles_by
from seedpacks.packs.model import Generator

__all__ = [
    "Block",
    "Lookup",
    "as_series",
    "referenced_rows",
    "formatted_id",
    "hex_id",
    "pattern_id",
    "row_number",
    "quantiles",
    "quantiles_by",
]


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


def reference(table: str, column: str, *, stream: str | None = None) -> Generator:
    """A value of `table.column` from a uniformly drawn row of that table; with `stream`, the
    row is drawn from that named stream, which other columns share to read the same row."""

    def gen(b: Block) -> pl.Series:
        u = b.uniform() if stream is None else b.uniform_named(stream)
        return b.lookup(table, column, referenced_rows(b, table, u))

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
    if isinstance(inner, Dependent):  # what the values follow still holds where they are known
        return Dependent(
            null_where(inner, unknown),
            inner.on,
            f"{inner.rule}; {rule}",
            shares=(*inner.shares, stream),
        )
    return Dependent(null_where(inner, unknown), (), rule, shares=(stream,))


def periods(spans: Sequence[tuple[date, date, float]]) -> Generator:
    """Dates from consecutive (first, last, weight) periods: a period by weight, then a day in
    it uniformly (e.g. sign-ups that bunch in some half years)."""
    first = np.array([np.datetime64(a, "D") for a, _, _ in spans])
    length = np.array(
        [(np.datetime64(b, "D") - np.datetime64(a, "D")).astype(np.int64) + 1 for a, b, _ in spans]
    )
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


def chance(probability: Param) -> Generator:
    """True with a probability that may follow earlier columns (e.g. Steps by age)."""

    def gen(b: Block) -> np.ndarray:
        return b.uniform() < np.clip(value(probability, b), 0.0, 1.0)

    on = columns_of(probability)
    return Dependent(gen, on, f"true with probability {describe(probability)}") if on else gen


def lognormal_by(
    median: Param, sigma: Param, *, low: float, high: float, decimals: int = 2
) -> Generator:
    """Lognormal values clipped to [low, high], whose median and log-sd may follow earlier
    columns; the draw is lane 0's normal, so a copula correlates it."""

    def gen(b: Block) -> np.ndarray:
        x = value(median, b) * np.exp(value(sigma, b) * b.normal())
        return np.round(np.clip(x, low, high), decimals)

    on = tuple(dict.fromkeys((*columns_of(median), *columns_of(sigma))))
    if not on:
        return gen
    return Dependent(gen, on, f"lognormal, median {describe(median)}, log-sd {describe(sigma)}")


def weighted_rows(
    b: Block, table: str, u: np.ndarray, weight: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    """Map floats in [0, 1) to row numbers of `table`, each row drawn with probability
    proportional to `weight(rows)` among the rows of its scale unit (prefix-stable like
    `referenced_rows`): e.g. orders falling to shoppers by how often they buy."""
    target = b.unit_rows(table)
    own = b.unit_rows(b.table)
    size = b.rows(table) if target is None else target
    if target is None or not own:
        unit = np.zeros(len(u), dtype=np.int64)
    else:
        unit = b.idx.astype(np.int64) // own
    units, position = np.unique(unit, return_inverse=True)
    rows = (units[:, None] * size + np.arange(size)).ravel()
    w = np.asarray(weight(rows), dtype=np.float64).reshape(len(units), size)
    picked = np.empty(len(u), dtype=np.int64)
    for i in range(len(units)):
        cumulative = np.cumsum(w[i])
        if cumulative[-1] <= 0:
            raise ValueError(
                f"weighted_rows: a scale unit of {table} has no row of positive weight"
            )
        mine = position == i
        at = np.searchsorted(cumulative, u[mine] * cumulative[-1], side="right")
        picked[mine] = rows[i * size + np.minimum(at, size - 1)]
    return picked


def choice_by_columns(
    by: Sequence[str],
    options: Mapping[tuple[Any, ...], tuple[Sequence[Any], Sequence[float]]],
    default: tuple[Sequence[Any], Sequence[float]] | None = None,
) -> Generator:
    """Draw from a distribution chosen per row by the values of several earlier columns.

    `options` maps a tuple of values, one per column of `by`, to (values, relative weights),
    like `choice_by`; rows whose tuple is not listed draw from `default`.
    """
    columns = tuple(by)
    keys = list(options)

    def cell(b: Block) -> np.ndarray:
        codes = np.full(len(b), -1, dtype=np.int64)
        for code, key in enumerate(keys):
            hit = np.ones(len(b), dtype=bool)
            for column, wanted in zip(columns, key, strict=True):
                hit &= (b[column] == wanted).fill_null(False).to_numpy()
            codes[hit & (codes < 0)] = code
        if default is None and (codes < 0).any():
            row = int(np.flatnonzero(codes < 0)[0])
            unlisted = tuple(b[column][row] for column in columns)
            raise ValueError(f"choice_by_columns: no options for {columns} = {unlisted}")
        return codes

    by_code = {code: options[key] for code, key in enumerate(keys)}
    inner = choice_by(cell, by_code, default)
    listed = "; ".join(
        "/".join(map(str, key))
        + ": "
        + ", ".join(f"{v} {w:g}" for v, w in zip(*options[key], strict=True))
        for key in keys
    )
    return Dependent(inner, columns, f"weights of each value by {', '.join(columns)} ({listed})")
