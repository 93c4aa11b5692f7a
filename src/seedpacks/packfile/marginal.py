"""A profiled column's generator mapping: its marginal, or its distribution by a parent column.

Categories appear as values with their shares; numbers, dates and timestamps only as
quantile points (never a row's values), ids as an id generator of the same shape.
"""

import re
from typing import Any

import numpy as np
import polars as pl

from seedpacks.packfile.dependence import MIN_GROUP_ROWS, Parent
from seedpacks.packfile.profile import Profile

# Past this many distinct values the rarest are pooled into OTHER.
MAX_VALUES = 50
OTHER = "other"
# pattern_id needs an id space this much larger than the file (loads may scale up).
_PATTERN_ROOM = 1000
_HEX = re.compile(r"^[0-9a-f]+$")


def point_count(rows: int) -> int:
    """Return how many quantile points describe a column of `rows` known values."""
    return 21 if rows < 200 else 51 if rows < 2000 else 101


def kept_values(profile: Profile, values: pl.Series) -> list[Any]:
    """Return the values a category keeps: all, or the most frequent when there are too many."""
    counts = values.drop_nulls().value_counts(sort=True)
    kept = counts[values.name].to_list()
    if len(kept) > MAX_VALUES:
        kept = kept[: MAX_VALUES - 1]
    if profile.type in ("integer", "bigint", "boolean"):
        kept = sorted(kept)  # ordered: a copula's draw maps to them in order
    return kept


def shares(values: pl.Series, kept: list[Any]) -> tuple[list[Any], list[float]]:
    """Return (values, percent shares) of the known values, the others pooled into OTHER."""
    known = values.drop_nulls()
    total = len(known)
    counts = dict(zip(*known.value_counts().to_dict(as_series=False).values(), strict=True))
    out_values = [v for v in kept if counts.get(v, 0)]
    weights = [_percent(counts[v], total) for v in out_values]
    rest = total - sum(counts[v] for v in out_values)
    if rest > 0:
        if OTHER in out_values:
            weights[out_values.index(OTHER)] += _percent(rest, total)
        else:
            out_values.append(OTHER)
            weights.append(_percent(rest, total))
    return out_values, weights


def _percent(count: int, total: int) -> float:
    return max(round(100 * count / total, 3), 0.001)


def quantile_points(profile: Profile, values: pl.Series) -> list[Any]:
    """Return the column's quantile points at equally spaced probabilities."""
    known = values.drop_nulls()
    physical = known.to_physical().cast(pl.Float64).to_numpy()
    points = np.quantile(physical, np.linspace(0, 1, point_count(len(physical))))
    if profile.type == "date":
        return [np.datetime64(int(np.floor(p)), "D").item().isoformat() for p in points]
    if profile.type == "timestamp":
        return [
            np.datetime64(int(np.floor(p)), "us").astype("M8[s]").item().isoformat() for p in points
        ]
    digits = profile.decimals + 2
    return [round(float(p), digits) for p in points]


def generator(
    profile: Profile,
    values: pl.Series,
    *,
    parent: Parent | None = None,
    parent_values: pl.Series | None = None,
) -> dict[str, Any]:
    """Return the generator mapping of a category or numeric column."""
    if profile.role == "category":
        kept = kept_values(profile, values)
        marginal = shares(values, kept)
        if parent is None or parent_values is None:
            return {"choice": {"values": marginal[0], "weights": marginal[1]}}
        options = [
            {"when": key, "values": group[0], "weights": group[1]}
            for key, rows in _groups(parent_values, values)
            if (group := shares(rows, kept))[0]
        ]
        default = {"values": marginal[0], "weights": marginal[1]}
        return {"choice_by": {"column": parent.column, "options": options, "default": default}}
    # Rounded as the column is (its decimals), by the kind's default.
    points = quantile_points(profile, values)
    if parent is None or parent_values is None:
        return {"quantiles": {"points": points}}
    options = [
        {"when": key, "points": quantile_points(profile, rows)}
        for key, rows in _groups(parent_values, values)
    ]
    return {
        "quantiles_by": {"column": parent.column, "options": options, "default": {"points": points}}
    }


def _groups(keys: pl.Series, values: pl.Series) -> list[tuple[Any, pl.Series]]:
    """Return (parent value, the column's values there) for parent values with enough rows."""
    frame = pl.DataFrame({"k": keys, "v": values})
    out = []
    for (key,), rows in frame.group_by("k", maintain_order=True):
        known = rows["v"].drop_nulls()
        if len(known) >= MIN_GROUP_ROWS:
            out.append((key, known.rename(values.name)))
    return sorted(out, key=lambda kv: (kv[0] is None, str(kv[0])))


def id_generator(profile: Profile, values: pl.Series) -> dict[str, Any]:
    """Return an id generator shaped like the column's ids (hex, a pattern, numbers, a code)."""
    if profile.type in ("integer", "bigint"):
        return {"row_number": {"start": 1}}
    text = values.cast(pl.String)
    lengths = text.str.len_chars()
    same_length = lengths.min() == lengths.max()
    width = int(lengths.max() or 0)  # type: ignore[arg-type]
    if same_length and 16 <= width <= 32 and text.str.contains(_HEX.pattern).all():
        return {"hex_id": {"width": width}}
    shapes = text.str.replace_all(r"[0-9]", "9").str.replace_all(r"[A-Z]", "A").unique()
    if len(shapes) == 1 and _pattern_fits(shapes[0], len(values)):
        return {"pattern_id": shapes[0]}
    prefix = "".join(ch for ch in profile.name.upper() if ch.isalpha())[:2] or "ID"
    digits = max(6, len(str(len(values) * _PATTERN_ROOM)))
    return {"formatted_id": {"prefix": prefix, "width": digits}}


def _pattern_fits(shape: str, rows: int) -> bool:
    """Return whether ids of `shape` ("9" a digit, "A" a capital) give room for scaled loads."""
    if "9" not in shape and "A" not in shape:
        return False
    space = 10 ** shape.count("9") * 26 ** shape.count("A")
    return rows * _PATTERN_ROOM <= space < 1 << 42
