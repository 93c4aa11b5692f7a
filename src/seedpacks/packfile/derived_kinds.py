"""Generator kinds that derive a column from earlier ones: `choice_by_bands` (weights by bands
of a number column) and `compute` (an expression, expression.py)."""

from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from seedpacks.packfile.arguments import Weighted
from seedpacks.packfile.context import NUMERIC, Context, Refused
from seedpacks.packfile.params import ExpressionParam, compile_expression_param
from seedpacks.packs import gen
from seedpacks.packs.block import Block
from seedpacks.packs.depend import Dependent
from seedpacks.packs.model import Generator

Weigh = Callable[..., tuple[list[Any], list[float]]]


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


class Band(Weighted):
    upto: float = Field(description="the band holds the rows with column <= upto (and above the "
                        "band before)")  # fmt: skip


class ChoiceByBands(_Args):
    column: str = Field(description="an earlier number column")
    bands: list[Band] = Field(min_length=1, max_length=100, description="upto increasing")
    default: Weighted = Field(description="rows above the last band, and NULL")


def _band_of(column: str, uptos: tuple[float, ...]) -> Callable[[Block], np.ndarray]:
    """Return each row's band: the first with column <= upto; -1 above the last and NULL."""

    def band(b: Block) -> np.ndarray:
        x = b[column].cast(pl.Float64).to_numpy()
        out = np.full(len(b), -1, dtype=np.int64)
        done = np.isnan(x)
        for i, upto in enumerate(uptos):
            hit = ~done & (x <= upto)
            out[hit] = i
            done |= hit
        return out

    return band


def choice_by_bands(a: ChoiceByBands, ctx: Context, weighted: Weigh) -> Generator:
    """Return `gen.choice_by` keyed by the band of an earlier number column."""
    column = ctx.earlier(a.column, "column")
    if column is None:
        raise Refused
    if column.type not in NUMERIC:
        ctx.problem(f"column '{a.column}' is {column.type}; bands need a number column", "column")
        raise Refused
    uptos = tuple(band.upto for band in a.bands)
    if any(later <= earlier for earlier, later in zip(uptos, uptos[1:], strict=False)):
        ctx.problem("the bands' upto must increase from band to band", "bands")
        raise Refused
    options = {i: weighted(ctx, band, "bands", i) for i, band in enumerate(a.bands)}
    default = weighted(ctx, a.default, "default")
    inner = gen.choice_by(_band_of(a.column, uptos), options, default)
    listed = "; ".join(
        f"{a.column} <= {band.upto:g}: "
        + ", ".join(f"{v} {w:g}" for v, w in zip(*options[i], strict=True))
        for i, band in enumerate(a.bands)
    )
    return Dependent(inner, (a.column,), f"weights of each value by bands of {a.column} ({listed})")


def compute(a: ExpressionParam, ctx: Context) -> Generator:
    """Return the expression's values as the column's type: whole numbers rounded to the
    nearest, booleans true where not 0; NaN (from a NULL) is NULL."""
    computed = compile_expression_param(a, ctx)
    kind = ctx.column.type

    def generate(b: Block) -> np.ndarray | pl.Series:
        x = computed(b)
        unknown = np.isnan(x)
        if kind == "boolean":
            values: np.ndarray = x != 0
        elif kind in ("integer", "bigint"):
            limit = 2.0**31 if kind == "integer" else 2.0**63
            whole = np.rint(np.where(unknown, 0.0, x))
            if not (np.abs(whole) < limit).all():
                raise ValueError(f"compute gave {whole[np.abs(whole) >= limit][0]:g}: too large "
                                 f"for an {kind} column")  # fmt: skip
            values = whole.astype(np.int64)
        else:
            if np.isinf(x).any():
                raise ValueError("compute gave an infinite value")
            values = x
        if unknown.any():
            return pl.Series(values).scatter(np.flatnonzero(unknown), None)
        return values

    return Dependent(generate, computed.on, f"computed: {computed.rule}")
