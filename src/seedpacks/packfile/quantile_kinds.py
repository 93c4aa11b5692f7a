"""Generator kinds of inferred marginals: `quantiles` and `quantiles_by` (packs/marginals.py)."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from seedpacks.packfile.context import Context, Refused
from seedpacks.packs import gen
from seedpacks.packs.model import Generator

_DATES = ("date", "timestamp")


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


class QuantilePoints(_Args):
    points: list[JsonValue] = Field(
        min_length=2,
        description="the values at probabilities 0, 1/n, ..., 1 (n + 1 of them, not decreasing), "
        "linear in between; ISO dates or timestamps in a date or timestamp column",
    )


class Quantiles(QuantilePoints):
    decimals: int | None = Field(
        default=None, ge=0, le=12, description="default: the column's (whole numbers for integers)"
    )


class QuantilesOption(QuantilePoints):
    when: JsonValue = Field(description="the value of the column (null: NULL)")


class QuantilesBy(_Args):
    column: str = Field(description="an earlier column")
    options: list[QuantilesOption] = Field(min_length=1)
    default: QuantilePoints = Field(description="rows whose value is not listed")
    decimals: int | None = Field(default=None, ge=0, le=12)


def _points(ctx: Context, points: list[JsonValue], *at: Any) -> list[Any]:
    """Return quantile points as the column's numbers (fractions allowed) or dates, checked."""
    if ctx.column.type in _DATES:
        return [ctx.convert(v, *at, "points", i) for i, v in enumerate(points)]
    out = []
    for i, v in enumerate(points):
        if isinstance(v, bool) or not isinstance(v, int | float):
            ctx.problem(f"{v!r} is not a number", *at, "points", i)
            raise Refused
        ctx.within(v, *at, "points", i)
        out.append(float(v))
    if any(b < a for a, b in zip(out, out[1:], strict=False)):
        ctx.problem("points must not decrease", *at, "points")
        raise Refused
    return out


def _decimals(ctx: Context, decimals: int | None) -> int | None:
    if decimals is None and ctx.column.type == "decimal":
        return ctx.column.decimals
    return decimals


def quantiles(a: Quantiles, ctx: Context) -> Generator:
    points = _points(ctx, a.points)
    try:
        return gen.quantiles(points, decimals=_decimals(ctx, a.decimals))
    except ValueError as exc:
        ctx.problem(str(exc).removeprefix("quantiles: "), "points")
        raise Refused from None


def quantiles_by(a: QuantilesBy, ctx: Context) -> Generator:
    column = ctx.earlier(a.column, "column")
    if column is None:
        raise Refused
    options = ctx.keyed(a.options, column, lambda o, i: _points(ctx, o.points, "options", i))
    default = _points(ctx, a.default.points, "default")
    try:
        return gen.quantiles_by(a.column, options, default, decimals=_decimals(ctx, a.decimals))
    except ValueError as exc:
        ctx.problem(str(exc).removeprefix("quantiles_by: ").removeprefix("quantiles: "))
        raise Refused from None
