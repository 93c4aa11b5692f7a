"""Generator kinds: a column's `generate` mapping names one kind, whose arguments compile to the
same `seedpacks.packs.gen` factory a Python pack calls with them.

To add a kind: a factory in packs/gen.py, its argument model in arguments.py, its builder here
and a row of `KINDS`; the document and the JSON Schema follow the table, and docs/pack-files.md
gets a section with an example (tests/packfile/test_docs.py compiles it).
"""

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, create_model, model_validator

from seedpacks.packfile.arguments import (
    ChoiceBy,
    ChoiceByColumns,
    Dates,
    FormattedId,
    HexId,
    Integers,
    LogNormal,
    Normal,
    Period,
    ReferenceArgs,
    RowNumber,
    Timestamps,
    TruncNormal,
    Weighted,
)
from seedpacks.packfile.context import NUMERIC, Context, Refused, convert_value
from seedpacks.packfile.derived_kinds import ChoiceByBands, choice_by_bands, compute
from seedpacks.packfile.params import ExpressionParam, Param, compile_param, constants
from seedpacks.packfile.quantile_kinds import Quantiles, QuantilesBy, quantiles, quantiles_by
from seedpacks.packfile.sources import source
from seedpacks.packs import gen
from seedpacks.packs.depend import Dependent
from seedpacks.packs.model import Generator


def _weighted(ctx: Context, w: Weighted, *at: Any) -> tuple[list[Any], list[float]]:
    """Return the values converted to the column's type and their weights, checked."""
    weights = w.weights if w.weights is not None else [1.0] * len(w.values)
    if len(weights) != len(w.values):
        ctx.problem(f"{len(w.values)} values but {len(weights)} weights", *at, "weights")
        raise Refused
    if any(x < 0 for x in weights) or sum(weights) <= 0:
        ctx.problem("weights must be 0 or more, and not all 0", *at, "weights")
        raise Refused
    return [ctx.convert(v, *at, "values", i) for i, v in enumerate(w.values)], weights


def _ordered(ctx: Context, low: Any, high: Any, *at: Any) -> None:
    if low > high:
        ctx.problem(f"low {low} is above high {high}", *at)
        raise Refused


def _row_number(a: RowNumber, ctx: Context) -> Generator:
    ctx.within(a.start + ctx.max_rows, "start")
    return gen.row_number(a.start)


def _pattern_id(pattern: str, ctx: Context) -> Generator:
    space = 1
    for ch in pattern:
        space *= {"9": 10, "A": 26}.get(ch, 1)
    if space >= 1 << 42 or space < ctx.max_rows:
        ctx.problem(
            f"the pattern makes {space:,} ids; the table needs {ctx.max_rows:,} at the largest "
            "scale, and a pattern makes fewer than 2^42 ('9' a digit, 'A' a letter)"
        )
        raise Refused
    return gen.pattern_id(pattern)


def _fixed(values: list[JsonValue], ctx: Context) -> Generator:
    if ctx.table.scales or ctx.table.rows != len(values):
        ctx.problem(
            f"fixed gives {len(values)} values: the table must have scales: false and rows: "
            f"{len(values)} (it has rows: {ctx.table.rows}, "
            f"scales: {str(ctx.table.scales).lower()})"
        )
        raise Refused
    return gen.fixed([ctx.convert(v, i) for i, v in enumerate(values)])


def _integers(a: Integers, ctx: Context) -> Generator:
    _ordered(ctx, a.low, a.high)
    ctx.within(a.low, "low")
    ctx.within(a.high, "high")
    return gen.integers(a.low, a.high)


def _normal(a: Normal, ctx: Context) -> Generator:
    _ordered(ctx, a.low, a.high)
    ctx.within(a.low, "low")
    ctx.within(a.high, "high")
    return gen.normal(a.mean, a.sd, low=a.low, high=a.high, decimals=a.decimals)


def _truncnormal(a: TruncNormal, ctx: Context) -> Generator:
    mean, sd, low, high = (
        compile_param(getattr(a, k), ctx, k) for k in ("mean", "sd", "low", "high")
    )
    if any(s <= 0 for s in constants(a.sd)):
        ctx.problem("sd must be above 0", "sd")
        raise Refused
    if isinstance(low, float | int) and isinstance(high, float | int):
        _ordered(ctx, low, high)
    for name in ("low", "high"):
        for number in constants(getattr(a, name)):
            ctx.within(number, name)
    return gen.truncnormal(mean, sd, low=low, high=high, decimals=a.decimals)


def _lognormal(a: LogNormal, ctx: Context) -> Generator:
    _ordered(ctx, a.low, a.high)
    ctx.within(a.low, "low")
    ctx.within(a.high, "high")
    median, sigma = compile_param(a.median, ctx, "median"), compile_param(a.sigma, ctx, "sigma")
    if isinstance(median, float | int) and isinstance(sigma, float | int):
        return gen.lognormal(median, sigma, low=a.low, high=a.high, decimals=a.decimals)
    return gen.lognormal_by(median, sigma, low=a.low, high=a.high, decimals=a.decimals)


def _choice(a: Weighted, ctx: Context) -> Generator:
    values, weights = _weighted(ctx, a)
    return gen.choice(values, None if a.weights is None else weights)


def _choice_by(a: ChoiceBy, ctx: Context) -> Generator:
    read = source(ctx, a.column, "column")
    if read is None:
        raise Refused
    column = read.column
    options = ctx.keyed(a.options, column, lambda o, i: _weighted(ctx, o, "options", i))
    default = _weighted(ctx, a.default, "default") if a.default else None
    if default is None:
        _covered(ctx, [column], {(k,) for k in options})
    if "." not in a.column:
        return gen.choice_by(a.column, options, default)
    # A column of the referenced row: keyed by its values, depending on the reference.
    inner = gen.choice_by(read.read, options, default)
    listed = "; ".join(
        f"{key}: " + ", ".join(f"{v} {w:g}" for v, w in zip(*weights, strict=True))
        for key, weights in options.items()
    )
    return Dependent(inner, read.on, f"weights of each value by {a.column} ({listed})")


def _choice_by_columns(a: ChoiceByColumns, ctx: Context) -> Generator:
    columns = [ctx.earlier(name, "columns", i) for i, name in enumerate(a.columns)]
    if None in columns:
        raise Refused
    options: dict[tuple[Any, ...], tuple[Sequence[Any], Sequence[float]]] = {}
    for i, option in enumerate(a.options):
        if len(option.when) != len(columns):
            ctx.problem(
                f"when has {len(option.when)} values for {len(columns)} columns",
                "options",
                i,
                "when",
            )
            raise Refused
        key = tuple(
            ctx.convert(v, "options", i, "when", j, column=c)
            for j, (v, c) in enumerate(zip(option.when, columns, strict=True))
        )
        options[key] = _weighted(ctx, option, "options", i)
    default = _weighted(ctx, a.default, "default") if a.default else None
    if default is None:
        _covered(ctx, [c for c in columns if c is not None], set(options))
    return gen.choice_by_columns(a.columns, options, default)


def _covered(ctx: Context, columns: list[Any], listed: set[tuple[Any, ...]]) -> None:
    """Without a default, every value the columns can take needs options: a row of a value not
    listed would fail the load."""
    sets = [_values_of(column) for column in columns]
    names = ", ".join(c.name for c in columns)
    if any(values is None for values in sets):
        ctx.problem(
            f"give a default: {names} can take values not listed in a file, and a row of a "
            "value without options would fail the load",
            "options",
        )
        return
    missing = set(itertools.product(*sets)) - listed  # type: ignore[arg-type]
    unlisted = sorted(repr(v[0]) if len(v) == 1 else repr(v) for v in missing)
    if unlisted:
        shown = ", ".join(unlisted[:10]) + (", ..." if len(unlisted) > 10 else "")
        ctx.problem(f"give a default, or options for these values of {names}: {shown}", "options")


def _values_of(column: Any) -> set[Any] | None:
    """Return every value a column's generator can give (None: not a short known list)."""
    kind = kind_of(column.generate)
    args = getattr(column.generate, kind)
    given: list[Any]
    if kind == "choice":
        given = list(args.values)
    elif kind == "fixed":
        given = list(args)
    elif kind in ("choice_by", "choice_by_columns"):
        given = [
            v for o in (*args.options, *([args.default] if args.default else [])) for v in o.values
        ]
    elif kind == "choice_by_bands":
        given = [v for o in (*args.bands, args.default) for v in o.values]
    elif kind == "chance":
        given = [True, False]
    elif kind == "integers" and args.high - args.low < 10_000:
        given = list(range(args.low, args.high + 1))
    else:
        return None
    try:
        values = {None if v is None else convert_value(v, column.type) for v in given}
    except (TypeError, ValueError):
        return None
    if column.missing or column.missing_together:
        values.add(None)
    return values


def _dates(a: Dates, ctx: Context) -> Generator:
    if a.start > a.end:
        ctx.problem(f"start {a.start} is after end {a.end}")
        raise Refused
    if a.weights_by_year is not None:
        outside = [y for y in a.weights_by_year if not a.start.year <= y <= a.end.year]
        if (
            outside
            or any(w < 0 for w in a.weights_by_year.values())
            or sum(a.weights_by_year.values()) <= 0
        ):
            ctx.problem(
                f"weights_by_year needs years from {a.start.year} to {a.end.year} and weights "
                "of 0 or more, not all 0",
                "weights_by_year",
            )
            raise Refused
    return gen.dates(a.start, a.end, weights_by_year=a.weights_by_year)


def _periods(spans: list[Period], ctx: Context) -> Generator:
    for i, span in enumerate(spans):
        if span.first > span.last:
            ctx.problem(f"first {span.first} is after last {span.last}", i)
            raise Refused
    if sum(span.weight for span in spans) <= 0:
        ctx.problem("the weights are all 0")
        raise Refused
    return gen.periods([(s.first, s.last, s.weight) for s in spans])


def _timestamps(a: Timestamps, ctx: Context) -> Generator:
    if a.start.tzinfo is not None:
        ctx.problem("start is a local time: give it without a time zone", "start")
        raise Refused
    return gen.timestamps(a.start, a.days)


def _reference(a: ReferenceArgs, ctx: Context) -> Generator:
    target = ctx.tables.get(a.table)
    if target is None:
        ctx.problem(f"unknown table '{a.table}'; known: {', '.join(ctx.tables)}", "table")
        raise Refused
    columns = {c.name: c for c in target.columns}
    if a.column not in columns:
        ctx.problem(
            f"unknown column '{a.column}' of {a.table}; known: {', '.join(columns)}", "column"
        )
        raise Refused
    if columns[a.column].type != ctx.column.type:
        ctx.problem(
            f"{a.table}.{a.column} is {columns[a.column].type}; "
            f"{ctx.column.name} is {ctx.column.type}"
        )
    if not any(
        r.column == ctx.column.name and r.table == a.table and r.target == a.column
        for r in ctx.table.references
    ):
        ctx.problem(
            f"declare the reference in the table's references: "
            f"{{column: {ctx.column.name}, table: {a.table}, target: {a.column}}}"
        )
    return gen.reference(a.table, a.column, stream=a.stream)


def _chance(p: Any, ctx: Context) -> Generator:
    return gen.chance(compile_param(p, ctx))


@dataclass(frozen=True)
class Kind:
    args: Any
    build: Callable[[Any, Context], Generator]
    # The column types it fills; None: any (its values are converted to the column's type).
    types: tuple[str, ...] | None
    summary: str
    # Its values never repeat: it may fill a primary key.
    unique: bool = False


DATES = ("date", "timestamp")
KINDS: dict[str, Kind] = {
    "row_number": Kind(RowNumber, _row_number, NUMERIC, "1, 2, 3, ... from start", unique=True),
    "formatted_id": Kind(FormattedId, lambda a, c: gen.formatted_id(a.prefix, a.width, a.start),
                         ("text",), "prefix and a zero-padded number: C000001", unique=True),
    "hex_id": Kind(HexId, lambda a, c: gen.hex_id(a.width), ("text",), "random hex", unique=True),
    "pattern_id": Kind(str, _pattern_id, ("text",),
                       "ids shaped like the pattern, '9' a digit, 'A' a letter", unique=True),
    "fixed": Kind(list[JsonValue], _fixed, None, "row i takes the i-th value", unique=True),
    "integers": Kind(Integers, _integers, NUMERIC, "uniform whole numbers in [low, high]"),
    "normal": Kind(Normal, _normal, NUMERIC, "normal values clipped to [low, high]"),
    "truncnormal": Kind(TruncNormal, _truncnormal, NUMERIC,
                        "normal values truncated to [low, high]; each may follow a column"),
    "lognormal": Kind(LogNormal, _lognormal, NUMERIC, "lognormal values clipped to [low, high]"),
    "choice": Kind(Weighted, _choice, None, "values drawn by relative weights"),
    "choice_by": Kind(ChoiceBy, _choice_by, None, "weights chosen by an earlier column's value"),
    "choice_by_columns": Kind(ChoiceByColumns, _choice_by_columns, None,
                              "weights chosen by several earlier columns' values"),
    "choice_by_bands": Kind(ChoiceByBands, lambda a, c: choice_by_bands(a, c, _weighted), None,
                            "weights chosen by bands of an earlier number column"),
    "dates": Kind(Dates, _dates, DATES, "dates in [start, end], optionally weighted by year"),
    "periods": Kind(list[Period], _periods, DATES, "a period by weight, then a day in it"),
    "timestamps": Kind(Timestamps, _timestamps, DATES, "times in the days from start"),
    "quantiles": Kind(Quantiles, quantiles, NUMERIC + DATES,
                      "values by their quantile points, linear in between (inferred marginals)"),
    "quantiles_by": Kind(QuantilesBy, quantiles_by, NUMERIC + DATES,
                         "quantile points chosen by an earlier column's value"),
    "reference": Kind(ReferenceArgs, _reference, None, "a value of another table's column"),
    "chance": Kind(Param, _chance, ("boolean",), "true with a probability"),
    "compute": Kind(ExpressionParam, compute, (*NUMERIC, "boolean"),
                    "an expression of earlier columns, parameters and draws"),
}  # fmt: skip


def _one_kind(self: BaseModel) -> BaseModel:
    given = [k for k in type(self).model_fields if getattr(self, k) is not None]
    if len(given) != 1:
        named = ", ".join(given) if given else "none"
        raise ValueError(
            f"give exactly one generator kind (given: {named}); kinds: {', '.join(KINDS)}"
        )
    return self


Generate = create_model(  # type: ignore[call-overload]
    "Generate",
    __config__=ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={"minProperties": 1, "maxProperties": 1},
    ),
    __doc__="How a column's values are made: exactly one kind.",
    __validators__={"one_kind": model_validator(mode="after")(_one_kind)},
    **{
        name: (kind.args | None, Field(default=None, description=kind.summary))
        for name, kind in KINDS.items()
    },
)


def kind_of(generate: BaseModel) -> str:
    """Return the one kind a `generate` mapping names."""
    return next(k for k in type(generate).model_fields if getattr(generate, k) is not None)
