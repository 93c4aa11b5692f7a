"""Marginals given by their quantile points (no database)."""

from datetime import date, datetime

import numpy as np
import polars as pl
import pytest
from scipy import stats

from seedpacks.packs import gen
from seedpacks.packs.depend import Dependent
from seedpacks.packs.model import Copula


def _block(rows: int, *, copulas: tuple[Copula, ...] = ()) -> gen.Block:
    b = gen.Block(
        pack="test",
        seed=3,
        scale=1,
        table="t",
        idx=np.arange(rows, dtype=np.int64),
        table_rows=lambda _: rows,
        lookup=lambda *_: pl.Series([]),
        copulas=copulas,
    )
    b.values["plan"] = pl.Series(["basic" if i % 4 else "premium" for i in range(rows)])
    b.column = "x"
    return b


def test_quantiles_reproduce_their_points() -> None:
    points = [0.0, 1.0, 1.0, 4.0, 20.0]  # a point mass at 1, a long tail
    x = gen.quantiles(points, decimals=2)(_block(40_000))
    assert x.min() >= 0 and x.max() <= 20
    measured = np.quantile(x, [0.25, 0.5, 0.625, 0.875])
    # The steep last segment (64 units per unit of probability) magnifies sampling error.
    assert measured == pytest.approx([1.0, 1.0, 2.5, 12.0], abs=0.5)
    assert np.mean(x == 1.0) == pytest.approx(0.25, abs=0.01)


def test_quantiles_give_whole_numbers_dates_and_timestamps() -> None:
    b = _block(1000)
    whole = gen.quantiles([18, 30, 90])(b)
    assert whole.dtype == np.int64 and whole.min() >= 18 and whole.max() <= 90
    days = gen.quantiles([date(2020, 1, 1), date(2020, 12, 31)])(b)
    assert days.dtype == np.dtype("M8[D]")
    assert days.min() >= np.datetime64("2020-01-01") and days.max() <= np.datetime64("2020-12-31")
    at = gen.quantiles([datetime(2024, 1, 1), datetime(2024, 1, 2, 12)])(b)
    assert at.dtype == np.dtype("M8[us]") and at.max() < np.datetime64("2024-01-02T12:00:01")


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ([1.0], "at least two"),
        ([3.0, 2.0], "must not decrease"),
        ([1.0, date(2020, 1, 1)], "all numbers"),
        ([0.0, float("inf")], "finite"),
    ],
)
def test_quantiles_refuse_points_that_are_no_distribution(points: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        gen.quantiles(points)


def test_a_copula_correlates_quantile_columns() -> None:
    copula = Copula("c", ("x", "y"), ((1.0, 0.8), (0.8, 1.0)))
    b = _block(20_000, copulas=(copula,))
    x = gen.quantiles([0, 1, 2, 50, 100], decimals=1)(b)
    b.values["x"] = pl.Series(x)
    b.column = "y"
    y = gen.quantiles([-5.0, 0.0, 3.0], decimals=3)(b)
    rho = stats.spearmanr(x, y).statistic
    assert rho == pytest.approx(6 / np.pi * np.arcsin(0.4), abs=0.03)


def test_quantiles_by_take_each_category_its_points() -> None:
    generator = gen.quantiles_by("plan", {"premium": [100, 150, 200]}, [10, 20, 30], decimals=0)
    assert isinstance(generator, Dependent) and generator.on == ("plan",)
    assert "premium: median 150" in generator.rule
    b = _block(8000)
    frame = pl.DataFrame({"plan": b["plan"], "x": generator(b)})
    premium = frame.filter(pl.col("plan") == "premium")["x"]
    basic = frame.filter(pl.col("plan") == "basic")["x"]
    assert premium.min() >= 100 and basic.max() <= 30
    assert premium.median() == pytest.approx(150, abs=5)
    assert basic.median() == pytest.approx(20, abs=1)


def test_quantiles_by_refuse_points_of_another_kind() -> None:
    with pytest.raises(ValueError, match="not numbers"):
        gen.quantiles_by("plan", {"premium": [date(2020, 1, 1), date(2021, 1, 1)]}, [1, 2])
