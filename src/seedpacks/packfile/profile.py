"""Profile one text column of a customer file: its type, missing share and role.

Types are tried from the narrowest (boolean) to text, on every non-missing value, with the
spellings an upload of the same file reads (seeding/upload_mapping.py): so the inferred table's
CSV mapping takes the file back.
"""

import re
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

from seedpacks.packs.model import ColumnType

# Spellings of "unknown" counted as missing (compared lower case); blank cells always are.
SENTINELS = ("na", "n/a", "nan", "null", "none", "?")
_BOOLEANS = (("yes", "no"), ("true", "false"), ("y", "n"), ("t", "f"))
_INTEGER = r"^[+-]?\d+$"
_DECIMAL = r"^[+-]?(\d+\.?\d*|\.\d+)$"
_DATES = {
    "%Y-%m-%d": r"^\d{4}-\d{2}-\d{2}$",
    "%Y%m%d": r"^\d{8}$",
    "%d/%m/%Y": r"^\d{1,2}/\d{1,2}/\d{4}$",
    "%m/%d/%Y": r"^\d{1,2}/\d{1,2}/\d{4}$",
}
_TIMESTAMPS = {
    "%Y-%m-%d %H:%M:%S": r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$",
    "%Y-%m-%dT%H:%M:%S": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$",
}
# Whole numbers with at most this many distinct values, each seen four times on average, are
# categories (0/1 flags, counts of children).
FEW_VALUES = 12
# A file with fewer rows says too little for a unique column alone to make an id: its name
# must say so too.
ID_EVIDENCE_ROWS = 20
_ID_NAME = re.compile(r"(^|_)(id|uuid|guid|key|code|number|no|ref)$")
# Values holding a run of 16 hex digits or more (a hash, a UUID) identify something: such a
# column is generated as ids even where values repeat (ids of another table), never copied.
_HEX_RUN = r"[0-9a-fA-F]{16,}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
_DECIMALS_CAP = 6
_BIG_INTEGER = 2**31 - 1
# numeric(14, d) holds fewer than 14 - d integer digits (seeding/upload_mapping.sql_type).
_NUMERIC_DIGITS = 14

Role = Literal["id", "category", "numeric"]


@dataclass(frozen=True)
class Profile:
    """What the file says about one column."""

    header: str
    name: str
    type: ColumnType
    role: Role
    rows: int
    missing: float
    # The file's spellings of "unknown", e.g. ("NA",); blanks are always unknown.
    sentinels: tuple[str, ...] = ()
    decimals: int = 0
    # The upload's parsing hints: {"true": [...], "false": [...]} or {"date_formats": [...]}.
    parse: dict[str, Any] = field(default_factory=dict)
    distinct: int = 0

    @property
    def unique(self) -> bool:
        """Return whether every row has a value of its own (a primary key can be made of it)."""
        return self.missing == 0 and self.distinct == self.rows


def profile_column(header: str, name: str, text: pl.Series) -> tuple[Profile, pl.Series]:
    """Return the column's profile and its values typed (NULL where missing)."""
    lowered = text.str.to_lowercase()
    unknown = lowered.is_in(list(SENTINELS)).fill_null(False)
    sentinels = tuple(sorted(set(text.filter(unknown).to_list())))
    values = pl.Series(name, text).set(unknown, None) if unknown.any() else text.rename(name)
    present = values.drop_nulls()
    column_type, typed, hints = _infer_type(values, present)
    missing = typed.null_count() / len(typed)
    distinct = typed.drop_nulls().n_unique()
    decimals = _decimals(present, typed) if column_type == "decimal" else 0
    role = _role(name, column_type, typed, distinct)
    profile = Profile(
        header, name, column_type, role, len(typed), missing, sentinels, decimals, hints, distinct
    )
    return profile, typed


def _infer_type(values: pl.Series, present: pl.Series) -> tuple[ColumnType, pl.Series, dict]:
    if present.is_empty():
        return "text", values, {}
    lowered = present.str.to_lowercase()
    for true, false in _BOOLEANS:
        if lowered.is_in([true, false]).all():
            seen = present.unique().sort().to_list()
            hints = {
                "true": _spellings(seen, true, false),
                "false": _spellings(seen, false, true),
            }
            return "boolean", values.str.to_lowercase() == true, hints
    if present.str.contains(_INTEGER).all():
        eight_digits = present.str.len_chars().max() == 8
        if eight_digits and (dates := _as_dates(values, "%Y%m%d")) is not None:
            return "date", dates, {"date_formats": ["%Y%m%d"]}
        typed = values.cast(pl.Int64, strict=False)
        if typed.null_count() == values.null_count():
            big = int(typed.abs().max())  # type: ignore[arg-type]
            return ("bigint" if big > _BIG_INTEGER else "integer"), typed, {}
    if present.str.contains(_DECIMAL).all():
        typed = values.cast(pl.Float64, strict=False)
        if typed.null_count() == values.null_count():
            return "decimal", typed, {}
    for formats, kind in ((_DATES, "date"), (_TIMESTAMPS, "timestamp")):
        for fmt, pattern in formats.items():
            if present.str.contains(pattern).all():
                parsed = _as_dates(values, fmt, timestamp=kind == "timestamp")
                if parsed is not None:
                    return kind, parsed, {"date_formats": [fmt]}  # type: ignore[return-value]
    return "text", values, {}


def _spellings(seen: list[str], word: str, other: str) -> list[str]:
    """Return the file's spellings of `word`; when it has none, `word` written like `other`."""
    own = [v for v in seen if v.lower() == word]
    if own:
        return own
    written = next(v for v in seen if v.lower() == other)
    if written.isupper():
        return [word.upper()]
    return [word.capitalize() if written[0].isupper() else word]


def _as_dates(values: pl.Series, fmt: str, *, timestamp: bool = False) -> pl.Series | None:
    """Return the values parsed with `fmt` when all of them are dates of 1900-2100, else None."""
    if timestamp:
        parsed = values.str.strptime(pl.Datetime("us"), fmt, strict=False)
    else:
        parsed = values.str.strptime(pl.Date, fmt, strict=False)
    if parsed.null_count() != values.null_count():
        return None
    years = parsed.dt.year().drop_nulls()
    if years.is_empty() or years.min() < 1900 or years.max() > 2100:  # type: ignore[operator]
        return None
    return parsed


def _decimals(present: pl.Series, typed: pl.Series) -> int:
    """Return the most digits after the point that the values show, within what numeric(14, d)
    holds of the largest value, and at least 1 (a decimal column of whole values: "7.0")."""
    after = present.str.extract(r"\.(\d*)$").str.len_chars().fill_null(0)
    shown = min(int(after.max() or 0), _DECIMALS_CAP)  # type: ignore[arg-type]
    digits = len(str(int(float(typed.abs().max() or 0))))  # type: ignore[arg-type]
    return max(1, min(shown, _NUMERIC_DIGITS - 1 - digits))


def _role(name: str, column_type: ColumnType, typed: pl.Series, distinct: int) -> Role:
    """Return "id" for a column unique per row or of identifiers, else "category" or "numeric"."""
    rows = len(typed)
    unique = typed.null_count() == 0 and distinct == rows and rows > 1
    named = bool(_ID_NAME.search(name))
    evident = named or (rows >= ID_EVIDENCE_ROWS and column_type == "text")
    if unique and evident and column_type in ("text", "integer", "bigint"):
        return "id"
    if column_type == "text" and typed.drop_nulls().str.contains(_HEX_RUN).all():
        return "id"
    if column_type in ("boolean", "text"):
        return "category"
    if column_type in ("integer", "bigint") and distinct <= min(FEW_VALUES, rows // 4):
        return "category"
    return "numeric"
