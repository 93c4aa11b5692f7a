"""The main pairwise dependencies of a profiled file, kept only where they are clear.

- numeric with numeric: Spearman's rho; columns with |rho| >= STRONG_RHO to another one form a
  Gaussian copula whose matrix is 2 sin(pi rho / 6) of every pair (the normal correlation with
  that rank correlation), nudged to the nearest positive definite matrix;
- category with category: Cramer's V, bias-corrected (Bergsma 2013); a column with V >=
  STRONG_V to an earlier one draws its value by that parent (the strongest);
- numeric by category: the share of the numeric column's rank variance the category explains
  (eta squared on ranks); a column with eta2 >= STRONG_ETA2 takes quantiles per category.

A file of fewer than MIN_ROWS rows gets none: too few rows to tell a dependency from chance.
"""

from dataclasses import dataclass

import numpy as np
import polars as pl

from seedpacks.packfile.profile import Profile

MIN_ROWS = 30
STRONG_RHO = 0.3
STRONG_V = 0.3
STRONG_ETA2 = 0.1
# A parent has at most this many values, and each has this many rows to get its own
# distribution (the others share the column's marginal).
MAX_PARENT_VALUES = 50
MIN_GROUP_ROWS = 30


@dataclass(frozen=True)
class Parent:
    """An earlier column that the column's distribution follows, and how strongly."""

    column: str
    measure: str  # "Cramer's V" or "eta2"
    strength: float


@dataclass(frozen=True)
class CopulaFit:
    columns: tuple[str, ...]
    rho: tuple[tuple[float, ...], ...]  # Spearman, as measured
    correlation: tuple[tuple[float, ...], ...]  # the copula's normal correlation


def spearman(x: pl.Series, y: pl.Series) -> tuple[float, int]:
    """Return Spearman's rho over the rows where both are known, and that row count."""
    both = pl.DataFrame({"x": x.to_physical(), "y": y.to_physical()}).drop_nulls()
    if both.height < 3:
        return 0.0, both.height
    ranks = both.select(pl.all().cast(pl.Float64).rank("average"))
    rho = ranks.select(pl.corr("x", "y")).item()
    return (0.0 if rho is None or np.isnan(rho) else float(rho)), both.height


def cramers_v(x: pl.Series, y: pl.Series) -> float:
    """Return the bias-corrected Cramer's V of two categorical columns (NULL a category)."""
    _, rows = np.unique(x.cast(pl.String).fill_null("\x00").to_numpy(), return_inverse=True)
    _, cols = np.unique(y.cast(pl.String).fill_null("\x00").to_numpy(), return_inverse=True)
    table = np.zeros((rows.max() + 1, cols.max() + 1)) if len(rows) else np.zeros((0, 0))
    np.add.at(table, (rows, cols), 1.0)
    n = table.sum()
    r, k = table.shape
    if n < 2 or r < 2 or k < 2:
        return 0.0
    expected = table.sum(axis=1, keepdims=True) @ table.sum(axis=0, keepdims=True) / n
    phi2 = float(((table - expected) ** 2 / expected).sum() / n)
    phi2 = max(0.0, phi2 - (k - 1) * (r - 1) / (n - 1))
    r_c = r - (r - 1) ** 2 / (n - 1)
    k_c = k - (k - 1) ** 2 / (n - 1)
    denominator = min(k_c - 1, r_c - 1)
    return float(np.sqrt(phi2 / denominator)) if denominator > 0 else 0.0


def eta_squared(category: pl.Series, numeric: pl.Series) -> float:
    """Return the share of the numeric column's rank variance explained by the category."""
    frame = pl.DataFrame({"c": category.cast(pl.String), "x": numeric.to_physical()})
    frame = frame.drop_nulls("x").fill_null("\x00")
    if frame.height < 3:
        return 0.0
    frame = frame.with_columns(pl.col("x").cast(pl.Float64).rank("average"))
    total = float(frame["x"].var(ddof=0) or 0.0)  # type: ignore[arg-type]
    if total == 0:
        return 0.0
    means = frame.group_by("c").agg(pl.col("x").mean().alias("m"), pl.len().alias("n"))
    grand = float(frame["x"].mean())  # type: ignore[arg-type]
    between = float((means["n"] * (means["m"] - grand) ** 2).sum()) / frame.height
    return between / total


def numeric_copula(
    profiles: list[Profile], typed: dict[str, pl.Series], *, without: frozenset[str] = frozenset()
) -> CopulaFit | None:
    """Return the copula over the numeric columns strongly rank-correlated with another."""
    numeric = [
        p.name
        for p in profiles
        if p.role != "id" and p.type in ("integer", "bigint", "decimal") and p.name not in without
    ]
    if not numeric or len(typed[numeric[0]]) < MIN_ROWS:
        return None
    rho = np.eye(len(numeric))
    for i, a in enumerate(numeric):
        for j in range(i + 1, len(numeric)):
            value, pairs = spearman(typed[a], typed[numeric[j]])
            rho[i, j] = rho[j, i] = value if pairs >= MIN_ROWS else 0.0
    strong = [i for i in range(len(numeric)) if (np.abs(rho[i]) >= STRONG_RHO).sum() > 1]
    if len(strong) < 2:
        return None
    chosen = rho[np.ix_(strong, strong)]
    correlation = positive_definite(2 * np.sin(np.pi * chosen / 6))
    return CopulaFit(
        tuple(numeric[i] for i in strong),
        tuple(tuple(round(float(v), 3) for v in row) for row in chosen),
        tuple(tuple(float(v) for v in row) for row in correlation),
    )


def positive_definite(matrix: np.ndarray, *, floor: float = 1e-3) -> np.ndarray:
    """Return the nearest correlation matrix whose eigenvalues are at least `floor`, rounded
    to 3 decimals (shrunk towards the identity until the rounded matrix is still one)."""
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    fixed = vectors @ np.diag(np.maximum(values, floor)) @ vectors.T
    scale = np.sqrt(np.diag(fixed))
    fixed = fixed / np.outer(scale, scale)
    eye = np.eye(len(matrix))
    for shrink in np.linspace(1.0, 0.0, 101):
        candidate = np.round(eye + shrink * (fixed - eye), 3)
        if np.linalg.eigvalsh(candidate).min() > 0:
            return candidate
    return eye


def parents(profiles: list[Profile], typed: dict[str, pl.Series]) -> dict[str, Parent]:
    """Return, per column, the earlier categorical column it follows most clearly, if any."""
    if not profiles or profiles[0].rows < MIN_ROWS:
        return {}
    found: dict[str, Parent] = {}
    for position, child in enumerate(profiles):
        if child.role == "id" or child.type == "json":
            continue
        best: Parent | None = None
        for parent in profiles[:position]:
            if parent.role != "category" or not 2 <= parent.distinct <= MAX_PARENT_VALUES:
                continue
            if child.role == "category":
                strength, measure, bar = (
                    cramers_v(typed[parent.name], typed[child.name]),
                    "V",
                    STRONG_V,
                )
            else:
                strength = eta_squared(typed[parent.name], typed[child.name])
                measure, bar = "eta2", STRONG_ETA2
            if strength >= bar and (best is None or strength > best.strength):
                best = Parent(parent.name, measure, round(strength, 2))
        if best is not None:
            found[child.name] = best
    return found


def settle(
    profiles: list[Profile], typed: dict[str, pl.Series]
) -> tuple[dict[str, Parent], CopulaFit | None]:
    """Return the columns' parents and the copula, each numeric column in one of them only.

    A copula column whose values also follow a category draws within that category, which
    the copula's draw knows nothing of: the two together weaken the rank correlation. So a
    column keeps the stronger of the two, eta2 against its largest rho squared.
    """
    found = parents(profiles, typed)
    copula = numeric_copula(profiles, typed)
    if copula is None:
        return found, None
    dropped = set()
    for i, column in enumerate(copula.columns):
        parent = found.get(column)
        if parent is None:
            continue
        strongest = max(abs(r) for j, r in enumerate(copula.rho[i]) if j != i)
        if parent.strength > strongest**2:
            dropped.add(column)
        else:
            del found[column]
    if dropped:
        copula = numeric_copula(profiles, typed, without=frozenset(dropped))
    return found, copula


def missing_together(profiles: list[Profile], typed: dict[str, pl.Series]) -> list[list[str]]:
    """Return groups of columns unknown in (nearly) the same rows: Jaccard >= 0.9 of their
    NULL rows, each column missing in at least 1% of the rows."""
    candidates = [p.name for p in profiles if p.missing >= 0.01 and p.role != "id"]
    masks = {name: typed[name].is_null().to_numpy() for name in candidates}
    groups: list[list[str]] = []
    for name in candidates:
        for group in groups:
            head = masks[group[0]]
            union = (head | masks[name]).sum()
            if union and (head & masks[name]).sum() / union >= 0.9:
                group.append(name)
                break
        else:
            groups.append([name])
    return [g for g in groups if len(g) > 1]
