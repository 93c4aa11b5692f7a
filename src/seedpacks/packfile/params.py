"""Parameters of a generator that follow an earlier column: a number, or `by`, `steps`,
`linear`, `sum` or `expression`, compiled to `seedpacks.packs.depend`'s records."""

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Discriminator, Field, Tag

from seedpacks.packfile.context import NUMERIC, Context, Refused
from seedpacks.packs import depend

# Tags of the union's members; they show in pydantic's error locations and are dropped there.
TAG = "~"


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


def _plain(key: Any) -> Any:
    if key is None:
        raise ValueError("a NULL takes the default: leave it out")
    return key


# A value of the column: text, a number or true/false, converted to the column's type later.
Key = Annotated[Any, AfterValidator(_plain)]


class ByParam(_Doc):
    """A value chosen by an earlier column's value."""

    by: str = Field(description="an earlier column")
    values: dict[Key, float] = Field(description="value per column value")
    default: float = Field(description="for values not listed, and NULL")


class StepsParam(_Doc):
    """A value by bands of an earlier numeric column: the first band with column <= upto."""

    steps: str = Field(description="an earlier numeric column")
    bands: list[tuple[float, float]] = Field(min_length=1, description="[[upto, value], ...]")
    default: float = Field(description="above the last band, and NULL")


class LinearParam(_Doc):
    """base + slope * (column - center); NULL counts as the center."""

    linear: str = Field(description="an earlier numeric column")
    slope: float
    center: float = 0.0
    base: float


class SumParam(_Doc):
    """The sum of several parameters."""

    sum: "list[Param]" = Field(min_length=2)


class ExpressionParam(_Doc):
    """A value computed per row by an expression (expression.py) of earlier columns, of the
    parameters named in `with`, and of the columns of rows that reference columns point at."""

    expression: str = Field(
        min_length=1,
        max_length=2000,
        description="numbers, names, + - * / **, comparisons, and, or, not, and the functions "
        "min, max, clip, round, floor, ceil, exp, log, sqrt, abs, where, uniform, normal",
    )
    with_: "dict[str, Param]" = Field(
        default={}, alias="with", max_length=20, description="parameters named in the expression"
    )


_KEYS = ("by", "steps", "linear", "sum", "expression")


def _kind(value: Any) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{TAG}number"
    if isinstance(value, dict):
        return next((f"{TAG}{k}" for k in _KEYS if k in value), None)
    if isinstance(value, BaseModel):
        return f"{TAG}{next(iter(type(value).model_fields))}"
    return None


Param = Annotated[
    Annotated[float, Tag(f"{TAG}number")]
    | Annotated[ByParam, Tag(f"{TAG}by")]
    | Annotated[StepsParam, Tag(f"{TAG}steps")]
    | Annotated[LinearParam, Tag(f"{TAG}linear")]
    | Annotated[SumParam, Tag(f"{TAG}sum")]
    | Annotated[ExpressionParam, Tag(f"{TAG}expression")],
    Discriminator(
        _kind,
        custom_error_type="param",
        custom_error_message="expected a number, or a mapping with by, steps, linear, sum or "
        "expression",
    ),
]
SumParam.model_rebuild()
ExpressionParam.model_rebuild()


def compile_param(p: Any, ctx: Context, *at: Any) -> depend.Param:
    """Return the depend record of `p`, its columns checked (Refused when one cannot be read)."""
    if isinstance(p, float | int):
        return p
    if isinstance(p, SumParam):
        return depend.Sum(tuple(compile_param(q, ctx, *at, "sum", i) for i, q in enumerate(p.sum)))
    if isinstance(p, ExpressionParam):
        return compile_expression_param(p, ctx, *at)
    name = p.by if isinstance(p, ByParam) else p.steps if isinstance(p, StepsParam) else p.linear
    field = next(iter(type(p).model_fields))
    column = ctx.earlier(name, *at, field)
    if column is None:
        raise Refused
    if isinstance(p, ByParam):
        values = {ctx.convert(k, *at, "values", k, column=column): v for k, v in p.values.items()}
        return depend.By(name, values, p.default)
    if column.type not in (*NUMERIC, "boolean"):
        ctx.problem(f"column '{name}' is {column.type}; {field} needs a number column", *at, field)
        raise Refused
    if isinstance(p, StepsParam):
        return depend.Steps(name, tuple((upto, v) for upto, v in p.bands), p.default)
    return depend.Linear(name, p.slope, p.center, p.base)


def constants(p: Any) -> list[float]:
    """Return every number a parameter can take (a linear one's are open-ended: none)."""
    if isinstance(p, float | int):
        return [float(p)]
    if isinstance(p, SumParam | ExpressionParam):
        return []
    if isinstance(p, ByParam):
        return [*p.values.values(), p.default]
    if isinstance(p, StepsParam):
        return [*(v for _, v in p.bands), p.default]
    return []


def compile_expression_param(p: ExpressionParam, ctx: Context, *at: Any) -> depend.Computed:
    """Return the expression as a depend record; its `with` parameters compiled first."""
    from seedpacks.packfile.expression import compile_expression  # it reads parameters

    params = {name: compile_param(q, ctx, *at, "with", name) for name, q in p.with_.items()}
    function, on = compile_expression(p.expression, params, ctx, *at)
    named = "; ".join(f"{name} = {depend.describe(q)}" for name, q in params.items())
    return depend.Computed(function, on, p.expression + (f" where {named}" if named else ""))
