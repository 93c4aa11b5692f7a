"""The telco customers reproduce the IBM Telco Customer Churn file's joint structure (issue 11).

Targets are the public file's figures; tolerances are 4 standard errors of our own sample (8,000
customers, more than the file's 7,043).
"""

import math
from functools import cache

import polars as pl
import pytest

from seedpacks.packs.registry import PACKS
from seedpacks.seeding.generate import Generator

SIGMAS = 4.0


@cache
def customers() -> pl.DataFrame:
    return pl.concat(Generator(PACKS["telco"], seed=42, scale=8).chunks("telco_customers"))


def assert_share(df: pl.DataFrame, when: pl.Expr, of: pl.Expr, expected: float) -> None:
    """Assert P(when | of) is within SIGMAS binomial standard errors of `expected`."""
    group = df.filter(of)
    observed = group.select(when.mean()).item()
    error = math.sqrt(expected * (1 - expected) / group.height)
    assert abs(observed - expected) <= SIGMAS * error, (observed, expected, error)


def assert_mean(values: pl.Series, expected: float) -> None:
    error = values.std() / math.sqrt(values.len())
    assert abs(values.mean() - expected) <= SIGMAS * error, (values.mean(), expected, error)


def assert_correlation(df: pl.DataFrame, a: str, b: str, expected: float) -> None:
    known = df.drop_nulls([a, b])
    observed = known.select(pl.corr(a, b)).item()
    error = (1 - expected**2) / math.sqrt(known.height)
    assert abs(observed - expected) <= SIGMAS * error, (observed, expected, error)


def test_tenure_and_monthly_charges_correlate_and_total_charges_follow_both() -> None:
    df = customers()
    assert_correlation(df, "tenure", "monthly_charges", 0.248)
    assert_correlation(df, "tenure", "total_charges", 0.826)
    assert_correlation(df, "monthly_charges", "total_charges", 0.651)


def test_customers_with_a_partner_stay_longer_and_mostly_have_the_dependents() -> None:
    df = customers()
    partner = pl.col("partner")
    assert_share(df, pl.col("tenure") >= 69, partner, 0.18)
    assert_share(df, pl.col("tenure") >= 69, ~partner, 0.037)
    assert_mean(df.filter(partner)["tenure"], 42.0)
    assert_mean(df.filter(~partner)["tenure"], 23.4)
    assert_share(df, pl.col("dependents"), partner, 0.514)
    assert_share(df, pl.col("dependents"), ~partner, 0.099)


def test_contracts_follow_tenure_tech_support_and_internet() -> None:
    df = customers()
    m2m = pl.col("contract") == "Month-to-month"
    assert_share(df, m2m, pl.col("tech_support") == "No", 0.77)
    assert_share(df, m2m, pl.col("tech_support") == "Yes", 0.33)
    for internet, expected in (("Fiber optic", 0.687), ("DSL", 0.505), ("No", 0.343)):
        assert_share(df, m2m, pl.col("internet_service") == internet, expected)
    for contract, months in (("Month-to-month", 18.0), ("One year", 42.0), ("Two year", 56.7)):
        assert_mean(df.filter(pl.col("contract") == contract)["tenure"], months)


def test_payment_follows_internet_contract_and_tenure() -> None:
    df = customers()
    echeck = pl.col("payment_method") == "Electronic check"
    for internet, expected in (("Fiber optic", 0.515), ("DSL", 0.289), ("No", 0.046)):
        assert_share(df, echeck, pl.col("internet_service") == internet, expected)
    for contract, expected in (("Month-to-month", 0.477), ("Two year", 0.099)):
        assert_share(df, echeck, pl.col("contract") == contract, expected)
    # Mailed checks are the newest customers', automatic payments the long-standing ones'.
    for method, months in (("Mailed check", 21.8), ("Bank transfer (automatic)", 43.7)):
        assert_mean(df.filter(pl.col("payment_method") == method)["tenure"], months)


def test_services_exist_only_with_internet_or_phone_and_set_the_monthly_charges() -> None:
    df = customers()
    no_internet = df["internet_service"] == "No"
    for service in ("online_security", "online_backup", "device_protection", "tech_support",
                    "streaming_tv", "streaming_movies"):  # fmt: skip
        assert ((df[service] == "No internet service") == no_internet).all(), service
    assert ((df["multiple_lines"] == "No phone service") == ~df["phone_service"]).all()
    assert (df.filter(~pl.col("phone_service"))["internet_service"] == "DSL").all()
    charges = df["monthly_charges"]
    # The file's range, 18.25-118.75, nearly reached at both ends.
    assert 18.25 <= charges.min() < 18.75 and 118 < charges.max() <= 118.75
    by_internet = {
        internet: df.filter(pl.col("internet_service") == internet)["monthly_charges"]
        for internet in ("No", "DSL", "Fiber optic")
    }
    assert by_internet["No"].max() < 30 and by_internet["Fiber optic"].min() > 60
    assert_mean(by_internet["No"], 21.08)
    assert by_internet["DSL"].min() > 22 and by_internet["DSL"].max() < 100
    billed = df.filter(pl.col("tenure") > 0)
    ratio = billed["total_charges"] / (billed["tenure"] * billed["monthly_charges"])
    assert (ratio - 1).abs().max() <= 0.151 and abs(ratio.median() - 1) <= 0.005


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        (pl.col("senior_citizen"), 0.417),
        (~pl.col("senior_citizen"), 0.236),
        (pl.col("internet_service") == "No", 0.074),
        (pl.col("internet_service") == "Fiber optic", 0.419),
        (pl.col("internet_service") == "DSL", 0.190),
        (pl.col("payment_method") == "Electronic check", 0.453),
        (pl.col("contract") == "Month-to-month", 0.427),
        (pl.col("contract") == "One year", 0.113),
        (pl.col("contract") == "Two year", 0.028),
        (pl.col("tech_support") == "No", 0.416),
        (pl.col("tenure").is_between(1, 12), 0.474),
        (pl.col("tenure").is_between(13, 24), 0.287),
        (pl.col("tenure").is_between(25, 48), 0.204),
        (pl.col("tenure").is_between(61, 72), 0.066),
        (pl.lit(True), 0.265),
    ],
    ids=lambda x: str(x) if isinstance(x, float) else None,
)
def test_churn_concentrates_where_the_file_has_it(group: pl.Expr, expected: float) -> None:
    assert_share(customers(), pl.col("churn"), group, expected)


def test_nobody_leaves_in_the_first_month() -> None:
    df = customers()
    assert not df.filter(pl.col("tenure") == 0)["churn"].any()
