"""The retail pack's stated dependencies hold at scale 20 (20,000 shoppers, 80,000 orders),
each within four standard errors of its sampling error."""

import math
from datetime import date
from functools import cache

import numpy as np
import polars as pl
import pytest
from scipy import special, stats

from seedpacks.packs.registry import PACKS
from seedpacks.seeding.generate import Generator

SCALE = 20
SIGMAS = 4.0
AS_OF, FIRST_DAY = date(2024, 7, 1), date(2024, 1, 1)
# The figures the docstrings state (retail/customers.py, retail/tables.py), written out again
# here so that a changed figure fails a test.
TIERS = ("bronze", "silver", "gold", "platinum")
DEPARTMENTS = ("electronics", "fashion", "home", "beauty", "sports", "grocery")
SIGNUPS = ((date(2018, 1, 1), date(2018, 12, 31), 9), (date(2019, 1, 1), date(2019, 12, 31), 11),
           (date(2020, 1, 1), date(2020, 12, 31), 17), (date(2021, 1, 1), date(2021, 12, 31), 16),
           (date(2022, 1, 1), date(2022, 12, 31), 15), (date(2023, 1, 1), date(2023, 12, 31), 19),
           (date(2024, 1, 1), date(2024, 6, 30), 13))  # fmt: skip
TIER_BY_TENURE = {"new": (80, 16, 3, 1), "established": (52, 30, 14, 4), "long": (40, 33, 20, 7)}
FAVOURITE = {"F young": (8, 36, 12, 26, 8, 10), "F older": (6, 30, 24, 18, 5, 17),
             "M young": (30, 18, 8, 5, 24, 15), "M older": (22, 15, 20, 4, 15, 24),
             "O young": (14, 26, 18, 14, 10, 18), "O older": (14, 26, 18, 14, 10, 18)}  # fmt: skip
TIER_ORDERS = {"bronze": 4.0, "silver": 10.0, "gold": 20.0, "platinum": 40.0}
NO_ORDER_SHARE = 0.25
TIER_ORDER_VALUE = {"bronze": 45.0, "silver": 55.0, "gold": 66.0, "platinum": 80.0}
RETURN_RATE = {"electronics": 0.08, "fashion": 0.28, "home": 0.07, "beauty": 0.03,
               "sports": 0.12, "grocery": 0.01}  # fmt: skip
FROM_FAVOURITE = 0.6
ONE_ITEM = {"electronics": 0.70, "fashion": 0.35, "home": 0.45, "beauty": 0.30, "sports": 0.50,
            "grocery": 0.08}  # fmt: skip
DEPARTMENT_FACTOR = {"electronics": 1.8, "fashion": 0.95, "home": 1.15, "beauty": 0.6,
                     "sports": 1.0, "grocery": 0.85}  # fmt: skip


@cache
def table(name: str) -> pl.DataFrame:
    return pl.concat(Generator(PACKS["retail"], seed=42, scale=SCALE).chunks(name))


@cache
def shoppers() -> pl.DataFrame:
    df = table("retail_customers")
    tenure = (pl.lit(AS_OF) - pl.col("signup_date")).dt.total_days()
    return df.with_columns(tenure=tenure, unit=pl.int_range(pl.len()) // 1000)


def assert_share(flags: pl.Series, expected: float) -> None:
    n = flags.len()
    error = math.sqrt(expected * (1 - expected) / n)
    assert abs(flags.mean() - expected) <= SIGMAS * error, (flags.mean(), expected, n)


def assert_mean(values: pl.Series, expected: float) -> None:
    error = values.std() / math.sqrt(values.len())
    assert abs(values.mean() - expected) <= SIGMAS * error, (values.mean(), expected, error)


def test_age_gender_and_signups() -> None:
    df = shoppers()
    assert df["age"].min() >= 18 and df["age"].max() <= 85
    a, b = (18 - 39) / 14, (85 - 39) / 14
    assert_mean(df["age"].cast(pl.Float64), stats.truncnorm(a, b, loc=39, scale=14).mean())
    for gender, share in (("F", 0.56), ("M", 0.42), ("O", 0.02)):
        assert_share(df["gender"] == gender, share)
    total = sum(w for _, _, w in SIGNUPS)
    for first, last, weight in SIGNUPS:
        assert_share(df["signup_date"].is_between(first, last), weight / total)


def test_loyalty_tier_follows_tenure() -> None:
    df = shoppers()
    bands = {"new": (0, 364), "established": (365, 3 * 365 - 1), "long": (3 * 365, 10**6)}
    for band, weights in TIER_BY_TENURE.items():
        cell = df.filter(pl.col("tenure").is_between(*bands[band]))["loyalty_tier"]
        for tier, weight in zip(TIERS, weights, strict=True):
            assert_share(cell == tier, weight / sum(weights))


def test_favourite_department_follows_gender_and_age() -> None:
    df = shoppers().with_columns(
        profile=pl.col("gender") + pl.when(pl.col("age") < 35).then(pl.lit(" young"))
        .otherwise(pl.lit(" older"))
    )  # fmt: skip
    for profile, weights in FAVOURITE.items():
        cell = df.filter(pl.col("profile") == profile)["favourite_department"]
        for department, weight in zip(DEPARTMENTS, weights, strict=True):
            assert_share(cell == department, weight / sum(weights))


def expected_floor(typical: float, sigma: float = 0.5) -> float:
    """E[floor(typical * exp(sigma z))] = sum over k >= 1 of P(typical * exp(sigma z) >= k)."""
    k = np.arange(1, 2000)
    return float(special.ndtr(-np.log(k / typical) / sigma).sum())


@pytest.mark.parametrize("tier", TIERS)
def test_orders_follow_the_tier(tier: str) -> None:
    established = shoppers().filter(pl.col("tenure") >= 365, pl.col("loyalty_tier") == tier)
    mean = expected_floor(TIER_ORDERS[tier])
    if tier == "bronze":
        mean *= 1 - NO_ORDER_SHARE
        zero = NO_ORDER_SHARE + (1 - NO_ORDER_SHARE) * special.ndtr(
            math.log(1 / TIER_ORDERS[tier]) / 0.5
        )
        assert_share(established["orders_12m"] == 0, zero)
    assert_mean(established["orders_12m"].cast(pl.Float64), mean)


def test_the_newly_joined_ordered_on_signing_up() -> None:
    new = shoppers().filter(pl.col("tenure") < 365)
    assert (new["orders_12m"] >= 1).all()
    assert (new["days_since_last_order"] <= new["tenure"]).all()


@pytest.mark.parametrize("tier", TIERS)
def test_order_value_rises_with_tier_and_tenure(tier: str) -> None:
    df = shoppers().filter(pl.col("loyalty_tier") == tier)
    years = df["tenure"] / 365.25
    base = np.log(df["avg_order_value"].to_numpy()) - np.log(1 + 0.04 * years)
    error = 1.2533 * 0.45 / math.sqrt(len(base))
    assert abs(np.median(base) - math.log(TIER_ORDER_VALUE[tier])) <= SIGMAS * error
    assert ((df["spend_12m"] - (df["orders_12m"] * df["avg_order_value"]).round(2)).abs()
            < 0.006).all()  # fmt: skip


def test_the_last_order_gap_is_exponential_of_mean_a_year_over_orders() -> None:
    df = shoppers()
    assert (df["days_since_last_order"] <= df["tenure"]).all()
    assert (df.filter(pl.col("orders_12m") == 0)["days_since_last_order"] >= 365).all()
    assert (df.filter(pl.col("orders_12m") > 0)["days_since_last_order"] <= 364).all()
    # Where no cap binds, floor(gap) < ceil(365 / n) with probability 1 - exp(-ceil(t) / t).
    free = df.filter(pl.col("orders_12m") >= 2, pl.col("tenure") >= 365)
    t = 365 / free["orders_12m"].to_numpy()
    p = 1 - np.exp(-np.ceil(t) / t)
    hit = free["days_since_last_order"].to_numpy() < np.ceil(t)
    assert abs(hit.sum() - p.sum()) <= SIGMAS * math.sqrt((p * (1 - p)).sum())


def test_returns_are_binomial_at_the_favourite_departments_rate() -> None:
    mean = sum(RETURN_RATE.values()) / len(RETURN_RATE)
    rate = pl.col("favourite_department").replace_strict(RETURN_RATE, return_dtype=pl.Float64)
    df = shoppers().with_columns(rate=FROM_FAVOURITE * rate + (1 - FROM_FAVOURITE) * mean)
    assert (df["returns_12m"] <= df["orders_12m"]).all()
    for department in DEPARTMENTS:
        cell = df.filter(pl.col("favourite_department") == department)
        n, p = cell["orders_12m"].to_numpy(), cell["rate"].to_numpy()
        error = math.sqrt((n * p * (1 - p)).sum())
        assert abs(cell["returns_12m"].sum() - (n * p).sum()) <= SIGMAS * error, department


@cache
def orders() -> pl.DataFrame:
    return table("retail_orders").join(shoppers(), on="customer_id", validate="m:1")


def test_no_order_before_signing_up_or_after_the_last_order() -> None:
    df = orders()
    day = df["ordered_at"].dt.date()
    last = df.select(pl.lit(AS_OF) - pl.duration(days=pl.col("days_since_last_order")))
    assert (day >= df["signup_date"]).all() and (day >= FIRST_DAY).all()
    assert (day <= last.to_series()).all() and (day < AS_OF).all()


def test_orders_fall_to_shoppers_by_their_expected_orders() -> None:
    """Each scale unit's 4,000 orders are drawn by expected orders (orders_12m times the share
    of a year active in the half year): per tier, the share of orders is within the error."""
    df = shoppers()
    first = pl.max_horizontal(pl.col("signup_date"), pl.lit(FIRST_DAY))
    end = pl.min_horizontal(
        pl.lit(AS_OF) - pl.duration(days=pl.col("days_since_last_order") - 1), pl.lit(AS_OF)
    )
    active = pl.max_horizontal((end - first).dt.total_days(), pl.lit(0))
    weighted = df.with_columns(w=pl.col("orders_12m") * active / 365)
    weighted = weighted.with_columns(p=pl.col("w") / pl.col("w").sum().over("unit"))
    counts = orders()["customer_id"].value_counts()
    assert counts.height < df.height  # the lapsed and the newest had no order to place
    assert (weighted.filter(pl.col("w") == 0).join(counts, on="customer_id").height) == 0
    for tier in TIERS:
        expected = weighted.filter(pl.col("loyalty_tier") == tier)["p"].sum() / SCALE
        assert_share(orders()["loyalty_tier"] == tier, expected)


def test_repeat_orders_come_sooner_for_the_higher_tiers() -> None:
    gaps = (
        orders()
        .sort("customer_id", "ordered_at")
        .with_columns(gap=pl.col("ordered_at").diff().over("customer_id").dt.total_hours() / 24)
        .drop_nulls("gap")
        .group_by("loyalty_tier")
        .agg(pl.col("gap").median())
    )
    median = dict(zip(gaps["loyalty_tier"], gaps["gap"], strict=True))
    assert median["platinum"] < median["gold"] < median["silver"] < median["bronze"]


def test_baskets_by_department() -> None:
    df = orders()
    for department, one in ONE_ITEM.items():
        cell = df.filter(pl.col("department") == department)
        assert_share(cell["items"] == 1, one)
        assert_share(cell["returned"], RETURN_RATE[department])
    favourite = df["department"] == df["favourite_department"]
    assert_share(favourite, FROM_FAVOURITE + (1 - FROM_FAVOURITE) / len(DEPARTMENTS))


def test_order_value_follows_the_shopper_and_the_basket() -> None:
    """log(total / kept) = log(aov) + 0.5 log(items) + a department's constant + 0.4 z: the OLS
    coefficients are 1 and 0.5 within their errors; a department's mean total is its factor
    times the shopper's average order value."""
    df = orders()
    y = np.log(df["total"].to_numpy()) - np.log(1 - df["discount_pct"].to_numpy() / 100)
    dummies = [(df["department"] == d).to_numpy().astype(float) for d in DEPARTMENTS]
    x = np.column_stack(
        [np.log(df["avg_order_value"].to_numpy()), np.log(df["items"].to_numpy()), *dummies]
    )
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    error = np.sqrt(np.diag(np.linalg.inv(x.T @ x)) * 0.4**2)
    assert abs(coef[0] - 1) <= SIGMAS * error[0], coef[0]
    assert abs(coef[1] - 0.5) <= SIGMAS * error[1], coef[1]
    for department, factor in DEPARTMENT_FACTOR.items():
        cell = df.filter(pl.col("department") == department)
        assert_mean(cell["total"] / (cell["avg_order_value"] * factor), 1.0)


def test_orders_stay_in_the_first_half_of_2024() -> None:
    day = orders()["ordered_at"].dt.date()
    assert day.min() >= date(2024, 1, 1) and day.max() <= date(2024, 6, 30)
