"""Marginals given by their quantiles: a piecewise-linear inverse CDF, whole or per category.

A profiled file's numeric column is declared by its quantiles at equally spaced probabilities
(0, 1/n, ..., 1), never by its values: a row's draw u goes through the linear interpolation of
those points. The draw is lane 0's uniform, so a Gaussian copula correlates the column.
"""

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import numpy as np

from seedpacks.packs.block import Block
from seedpacks.packs.depend import Dependent
from seedpacks.packs.model import Generator

Point = float | int | date | datetime
_EPOCH_DAY = np.datetime64("1970-01-01", "D")
_EPOCH_SECOND = np.datetime64("1970-01-01T00:00:00", "s")
_EPOCH_DATE = date(1970, 1, 1)
_EPOCH_TIME = datetime(1970, 1, 1)


def _grid(points: Sequence[Any]) -> tuple[str, np.ndarray]:
    """Return the points' kind ("number", "date" or "timestamp") and their values as floats."""
    if len(points) < 2:
        raise ValueError("quantiles: give at least two points (the minimum and the maximum)")
    kinds = {_kind(p) for p in points}
    kind = kinds.pop()
    if kinds or kind is None:
        raise ValueError("quantiles: points must be all numbers, all dates or all timestamps")
    grid = [_number(p) for p in points]
    values = np.asarray(grid, dtype=np.float64)
    if not np.isfinite(values).all():
        raise ValueError("quantiles: points must be finite")
    if (np.diff(values) < 0).any():
        raise ValueError("quantiles: points must not decrease")
    return kind, values


def _kind(point: Point) -> str | None:
    if isinstance(point, datetime):
        return "timestamp"
    if isinstance(point, date):
        return "date"
    if isinstance(point, int | float) and not isinstance(point, bool):
        return "number"
    return None


def _number(point: Point) -> float:
    """Return a point as a number: days or seconds since 1970 for dates and timestamps."""
    if isinstance(point, datetime):
        return (point.replace(tzinfo=None) - _EPOCH_TIME).total_seconds()
    if isinstance(point, date):
        return float(point.toordinal() - _EPOCH_DATE.toordinal())
    return float(point)


def _draw(kind: str, grid: np.ndarray, u: np.ndarray, decimals: int | None) -> np.ndarray:
    """Map uniforms through the piecewise-linear inverse CDF and type the result."""
    x = np.interp(u * (len(grid) - 1), np.arange(len(grid)), grid)
    if kind == "date":
        return _EPOCH_DAY + np.floor(x).astype(np.int64)
    if kind == "timestamp":
        return (_EPOCH_SECOND + np.floor(x).astype(np.int64)).astype("M8[us]")
    if not decimals:
        return np.rint(x).astype(np.int64)
    return np.round(x, decimals)


def quantiles(points: Sequence[Point], *, decimals: int | None = None) -> Generator:
    """Values whose quantiles at probabilities 0, 1/n, ..., 1 are `points` (n + 1 of them),
    linear in between; whole numbers when decimals is None or 0, dates or timestamps when the
    points are."""
    kind, grid = _grid(points)
    return lambda b: _draw(kind, grid, b.uniform(), decimals)


def quantiles_by(
    by: str,
    options: Mapping[Any, Sequence[Point]],
    default: Sequence[Point],
    *,
    decimals: int | None = None,
) -> Generator:
    """Values whose quantile points are chosen per row by an earlier column's value (None for
    NULL); rows whose value is not listed take `default`'s points."""
    kind, fallback = _grid(default)
    grids = {}
    for key, points in options.items():
        own, grid = _grid(points)
        if own != kind:
            raise ValueError(f"quantiles_by: the points for {key!r} are not {kind}s like default's")
        grids[key] = grid

    def gen(b: Block) -> np.ndarray:
        keys = b[by]
        u = b.uniform()
        out = _draw(kind, fallback, u, decimals)
        for key, grid in grids.items():
            hit = (keys.is_null() if key is None else (keys == key).fill_null(False)).to_numpy()
            out[hit] = _draw(kind, grid, u[hit], decimals)
        return out

    listed = ", ".join(f"{key}: median {_median(grid, kind)}" for key, grid in grids.items())
    rule = f"quantiles by {by} ({listed}; otherwise median {_median(fallback, kind)})"
    return Dependent(gen, (by,), rule)


def _median(grid: np.ndarray, kind: str) -> str:
    x = float(np.interp((len(grid) - 1) / 2, np.arange(len(grid)), grid))
    if kind == "date":
        return str(_EPOCH_DAY + int(x))
    if kind == "timestamp":
        return str(_EPOCH_SECOND + int(x))
    return f"{x:g}"
