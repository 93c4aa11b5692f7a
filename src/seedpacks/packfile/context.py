"""What a generator kind sees while it compiles: its column, the columns before it, and where
to report a problem; values of the file converted to a column's type."""

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from seedpacks.packfile.problems import Path, Problems

if TYPE_CHECKING:
    from seedpacks.packfile.document import Column, Table

T = TypeVar("T")

NUMERIC = ("integer", "bigint", "decimal")
_INT_RANGE = {"integer": 2**31, "bigint": 2**63}


class Refused(Exception):
    """A value that cannot be used; the problem is already reported."""


@dataclass
class Context:
    table: "Table"
    column: "Column"
    position: int
    # The path of the kind's arguments: ("tables", 0, "columns", 2, "generate", "choice").
    path: Path
    problems: Problems
    tables: dict[str, "Table"]
    # Rows of this table at the largest scale.
    max_rows: int

    def problem(self, message: str, *at: Any) -> None:
        self.problems.add((*self.path, *at), message)

    def earlier(self, name: str, *at: Any) -> "Column | None":
        """Return the column `name` declared before this one, or report why it cannot be read."""
        names = [c.name for c in self.table.columns]
        if name not in names:
            self.problem(f"unknown column '{name}'; known: {', '.join(names)}", *at)
            return None
        if names.index(name) >= self.position:
            where = "is this column" if names.index(name) == self.position else "comes after it"
            self.problem(
                f"column '{name}' {where}: {self.column.name} reads only columns declared "
                "before it",
                *at,
            )
            return None
        return self.table.columns[names.index(name)]

    def bound(self) -> float | None:
        """Return the largest magnitude this column's type stores, None when unbounded."""
        if self.column.type == "decimal":
            return float(10 ** (14 - self.column.decimals))
        limit = _INT_RANGE.get(self.column.type)
        return float(limit) if limit else None

    def within(self, number: float, *at: Any) -> None:
        limit = self.bound()
        if limit is not None and not -limit < number < limit:
            self.problem(f"{number:g} does not fit a {self.column.type} column", *at)

    def convert(self, value: Any, *at: Any, column: "Column | None" = None) -> Any:
        """Return `value` as column `column` (default this one) stores it; Refused if it cannot."""
        target = column or self.column
        if value is None:
            if not target.nullable or target.name in self.table.primary_key:
                self.problem(f"null in {target.name}, which is not nullable", *at)
                raise Refused
            return None
        try:
            return convert_value(value, target.type)
        except (TypeError, ValueError) as exc:
            self.problem(
                f"{_shown(value)} is not {a(target.type)} value of {target.name}{exc}", *at
            )
            raise Refused from None

    def keyed(
        self, options: Sequence[Any], column: "Column", value: Callable[[Any, int], T]
    ) -> dict[Any, T]:
        """Return {each option's `when` as `column` stores it (None for NULL): value(option, i)},
        reporting a `when` listed twice."""
        keyed: dict[Any, T] = {}
        for i, option in enumerate(options):
            key = (
                None
                if option.when is None
                else self.convert(option.when, "options", i, "when", column=column)
            )
            if key in keyed:
                self.problem(f"when {option.when!r} is listed twice", "options", i, "when")
            keyed[key] = value(option, i)
        return keyed


def a(word: str) -> str:
    """Return `word` with its indefinite article."""
    return f"{'an' if word[0] in 'aeiou' else 'a'} {word}"


def _shown(value: Any) -> str:
    return json.dumps(value) if isinstance(value, str | bool) else repr(value)


def convert_value(value: Any, kind: str) -> Any:
    """Return a file's value as a column of type `kind` holds it (TypeError, ValueError: no)."""
    if kind == "json":
        return json.dumps(value)
    if isinstance(value, dict | list):
        raise TypeError("")
    if kind == "text":
        if isinstance(value, bool):
            raise TypeError(" (true and false are not text: quote them)")
        return str(value)
    if kind == "boolean":
        if not isinstance(value, bool):
            raise TypeError(" (write true or false)")
        return value
    if kind in _INT_RANGE:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError("")
        if isinstance(value, float) and not value.is_integer():
            raise ValueError(" (not a whole number)")
        if abs(value) >= _INT_RANGE[kind]:
            raise ValueError(" (out of range)")
        return int(value)
    if kind == "decimal":
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            raise TypeError("")
        return float(value)
    shape = " (write it as YYYY-MM-DD" + (")" if kind == "date" else " or YYYY-MM-DD hh:mm:ss)")
    if not isinstance(value, str):
        raise TypeError(shape)
    try:
        return date.fromisoformat(value) if kind == "date" else datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(shape) from None
