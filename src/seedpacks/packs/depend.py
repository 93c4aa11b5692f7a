"""Dependencies between columns, declared as data: parameters that follow another column, and
generators that say what they depend on.

A parameter of a generator (a mean, a bound, a rate) is a number or one of the small records
below, evaluated per row from columns generated earlier in the same row:

    gen.truncnormal(mean=By("gender", {"F": 71_300, "M": 61_200}, default=63_300),
                    sd=20_000, low=30_000,
                    high=Steps("age", ((35, 75_000), (45, 100_000)), 120_000))

Correlation between numeric columns is declared on the table as a `Copula` (model.py); the
describe endpoint lists both kinds per table.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import polars as pl


class Rows(Protocol):
    """What a parameter reads: the block's earlier columns (see gen.Block)."""

    def __len__(self) -> int: ...

    def __getitem__(self, column: str) -> pl.Series: ...


@dataclass(frozen=True)
class By:
    """A value chosen by another column's value (`default` for values not listed and NULL)."""

    column: str
    values: Mapping[Any, float]
    default: float

    def __call__(self, b: Rows) -> np.ndarray:
        keys = b[self.column]
        out = np.full(len(b), float(self.default))
        for key, value in self.values.items():
            out[(keys == key).fill_null(False).to_numpy()] = value
        return out

    def describe(self) -> str:
        listed = ", ".join(f"{k}: {v:g}" for k, v in self.values.items())
        return f"by {self.column} ({listed}; otherwise {self.default:g})"


@dataclass(frozen=True)
class Steps:
    """A value by bands of a numeric column: the first (upto, value) with column <= upto, else
    `default` (also for NULL)."""

    column: str
    steps: tuple[tuple[float, float], ...]
    default: float

    def __call__(self, b: Rows) -> np.ndarray:
        x = b[self.column].cast(pl.Float64).to_numpy()
        out = np.full(len(b), float(self.default))
        done = np.isnan(x)
        for upto, value in self.steps:
            hit = ~done & (x <= upto)
            out[hit] = value
            done |= hit
        return out

    def describe(self) -> str:
        bands = ", ".join(f"{self.column} <= {u:g}: {v:g}" for u, v in self.steps)
        return f"by bands of {self.column} ({bands}; otherwise {self.default:g})"


@dataclass(frozen=True)
class Linear:
    """base + slope * (column - center); NULL counts as the center."""

    column: str
    slope: float
    center: float
    base: float

    def __call__(self, b: Rows) -> np.ndarray:
        x = b[self.column].cast(pl.Float64).to_numpy()
        return self.base + self.slope * np.nan_to_num(x - self.center, nan=0.0)

    def describe(self) -> str:
        return f"{self.base:g} {self.slope:+g} per unit of {self.column} above {self.center:g}"


@dataclass(frozen=True)
class Sum:
    """The sum of several parameters (e.g. a base by one column plus a slope in another)."""

    parts: tuple["Param", ...]

    def __call__(self, b: Rows) -> np.ndarray:
        return sum((value(p, b) for p in self.parts), np.zeros(len(b)))

    def describe(self) -> str:
        return " plus ".join(describe(p) for p in self.parts)


@dataclass(frozen=True)
class Computed:
    """A value computed per row by a function of earlier columns (a pack file's expression),
    with the columns it reads and its rule in words."""

    function: Callable[[Any], np.ndarray]
    on: tuple[str, ...]
    rule: str

    def __call__(self, b: Rows) -> np.ndarray:
        return self.function(b)

    def describe(self) -> str:
        return self.rule


Param = float | int | By | Steps | Linear | Sum | Computed


def value(param: Param, b: Rows) -> np.ndarray:
    """Return the parameter's value for each row of `b`."""
    if isinstance(param, int | float):
        return np.full(len(b), float(param))
    return param(b)


def columns_of(param: Param) -> tuple[str, ...]:
    """Return the columns a parameter reads."""
    if isinstance(param, Sum):
        return tuple(dict.fromkeys(c for p in param.parts for c in columns_of(p)))
    if isinstance(param, By | Steps | Linear):
        return (param.column,)
    if isinstance(param, Computed):
        return param.on
    return ()


def describe(param: Param) -> str:
    return f"{param:g}" if isinstance(param, int | float) else param.describe()


@dataclass(frozen=True)
class Dependent:
    """A generator that declares what it depends on: the columns it reads and the rule, in words.

    Every generator reading earlier columns is one of these, so that `describe` can list a
    table's dependencies without reading code.
    """

    function: Callable[[Any], np.ndarray | pl.Series]
    on: tuple[str, ...]
    rule: str
    # Named random streams shared with other columns (e.g. values missing together).
    shares: tuple[str, ...] = field(default=())

    def __call__(self, b: Any) -> np.ndarray | pl.Series:
        return self.function(b)


def depends(
    on: tuple[str, ...] | str, rule: str, *, shares: tuple[str, ...] = ()
) -> Callable[[Callable[[Any], np.ndarray | pl.Series]], Dependent]:
    """Declare that a pack's own generator function reads `on`, following `rule`."""
    columns = (on,) if isinstance(on, str) else tuple(on)

    def wrap(function: Callable[[Any], np.ndarray | pl.Series]) -> Dependent:
        return Dependent(function, columns, rule, shares)

    return wrap
