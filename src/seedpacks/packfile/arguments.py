"""The arguments of each generator kind, as the file gives them (see kinds.py)."""

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from seedpacks.packfile.params import Param


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


class RowNumber(_Args):
    start: int = 1


class FormattedId(_Args):
    prefix: str = Field(default="", max_length=40)
    width: int = Field(default=6, ge=1, le=20)
    start: int = Field(default=1, ge=0)


class HexId(_Args):
    width: int = Field(default=32, ge=16, le=32, description="16 or more: ids that never meet")


class Integers(_Args):
    low: int
    high: int


class Normal(_Args):
    mean: float
    sd: float = Field(gt=0)
    low: float
    high: float
    decimals: int | None = Field(default=0, ge=0, le=12, description="0 or null: whole numbers")


class TruncNormal(_Args):
    mean: Param
    sd: Param
    low: Param
    high: Param
    decimals: int | None = Field(
        default=0, ge=-3, le=12, description="-1, -3: rounded to tens, thousands"
    )


class LogNormal(_Args):
    median: Param
    sigma: Param = Field(description="the log-sd")
    low: float
    high: float
    decimals: int = Field(default=2, ge=0, le=12)


class Weighted(_Args):
    values: list[JsonValue] = Field(min_length=1)
    weights: list[float] | None = Field(default=None, description="relative; equal when left out")


class Option(Weighted):
    when: JsonValue = Field(description="the value of the column (null: NULL)")


class ChoiceBy(_Args):
    column: str = Field(
        description="an earlier column, or ref.column: a column of the row the earlier "
        "reference column ref points at"
    )
    options: list[Option] = Field(min_length=1)
    default: Weighted | None = Field(default=None, description="rows whose value is not listed")


class Options(Weighted):
    when: list[JsonValue] = Field(description="one value per column")


class ChoiceByColumns(_Args):
    columns: list[str] = Field(min_length=1, description="earlier columns")
    options: list[Options] = Field(min_length=1)
    default: Weighted | None = None


class Dates(_Args):
    start: date
    end: date
    weights_by_year: dict[int, float] | None = None


class Period(_Args):
    first: date
    last: date
    weight: float = Field(ge=0)


class Timestamps(_Args):
    start: datetime
    days: int = Field(ge=1, le=36_600)


class ReferenceArgs(_Args):
    table: str
    column: str
    stream: str | None = Field(
        default=None,
        pattern=r"^[a-z_][a-z0-9_]{0,62}$",
        description="draw the row from this named stream (as a Python pack's uniform_named)",
    )
