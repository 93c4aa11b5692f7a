"""Conditions over customer attributes: `{field, operator, value}` as rules and scorecards use.

Values from JSON meet typed database values here: a rule's "2017-01-01" compares with a date
column as a date, its 50000 with a numeric column as a number.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

OPERATORS = (
    "=",
    "==",
    "!=",
    ">",
    ">=",
    "<",
    "<=",
    "in",
    "not_in",
    "is_null",
    "not_null",
    "between",
    "contains",
)


def _coerce(actual: Any, wanted: Any) -> Any:
    """Return `wanted` as the type of `actual` where the two differ only by JSON's lack of types."""
    if wanted is None or actual is None:
        return wanted
    if isinstance(actual, datetime) and isinstance(wanted, str):
        parsed = datetime.fromisoformat(wanted)
        if parsed.tzinfo is None and actual.tzinfo is not None:
            parsed = parsed.replace(tzinfo=actual.tzinfo)
        return parsed
    if isinstance(actual, date) and isinstance(wanted, str):
        return date.fromisoformat(wanted[:10])
    if isinstance(actual, bool) and isinstance(wanted, str):
        return wanted.strip().lower() in ("true", "1", "yes")
    if isinstance(actual, int | float) and isinstance(wanted, str):
        try:
            return float(wanted)
        except ValueError:
            return wanted
    if isinstance(actual, str) and isinstance(wanted, int | float) and not isinstance(wanted, bool):
        return str(wanted)
    return wanted


def plain(value: Any) -> Any:
    """Return a database value as a plain comparable Python value (numerics as float)."""
    return float(value) if isinstance(value, Decimal) else value


def holds(actual: Any, operator: str, wanted: Any = None) -> bool:
    """Return whether `actual <operator> wanted`; comparisons with an unknown value are false."""
    actual = plain(actual)
    if operator == "is_null":
        return actual is None
    if operator == "not_null":
        return actual is not None
    if actual is None:
        return False
    try:
        if operator in ("in", "not_in"):
            found = actual in [_coerce(actual, w) for w in (wanted or [])]
            return found if operator == "in" else not found
        if operator == "between":
            low, high = (_coerce(actual, w) for w in wanted)
            return bool(low <= actual <= high)
        if operator == "contains":
            return str(wanted).lower() in str(actual).lower()
        target = _coerce(actual, wanted)
        if operator in ("=", "=="):
            return bool(actual == target)
        if operator == "!=":
            return bool(actual != target)
        if operator == ">":
            return bool(actual > target)
        if operator == ">=":
            return bool(actual >= target)
        if operator == "<":
            return bool(actual < target)
        if operator == "<=":
            return bool(actual <= target)
    except (TypeError, ValueError):
        return False
    raise ValueError(f"unknown operator {operator!r}")


def number(value: Any) -> float:
    """Return a value as a model input: numbers as floats, booleans as 0/1, the rest as 0."""
    value = plain(value)
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    return 0.0
