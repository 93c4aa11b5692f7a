"""The banking pack's stated dependencies hold at scale 20 (20,000 customers, 100,000
transactions), each within four standard errors of its sampling error."""

import math
from functools import cache

import numpy as np
import polars as pl
import pytest
from scipy import stats

from seedpacks.packs.registry import PACKS
from seedpacks.seeding.generate import Generator

SCALE = 20
SIGMAS = 4.0
# The figures the docstrings state (banking/customers.py, banking/tables.py), written out
# again here so that a changed figure fails a test.
EMPLOYMENT = ("employed", "self_employed", "retired", "student", "unemployed")
INCOME = {"retired": (21_000, 0.45), "student": (9_000, 0.5), "unemployed": (12_000, 0.4)}
REFUSED_BELOW = 580
CREDITS = {"employed": "salary", "self_employed": "salary", "retired": "pension",
           "unemployed": "benefits", "student": "allowance"}  # fmt: skip
DEBITS = {"groceries": (45, 0.3), "dining": (28, 0.5), "shopping": (60, 0.5),
          "utilities": (85, 0.2), "transfer": (150, 0.5), "cash": (60, 0.2),
          "travel": (320, 0.7), "housing": (950, 0.6)}  # fmt: skip


@cache
def table(name: str) -> pl.DataFrame:
    return pl.concat(Generator(PACKS["banking"], seed=42, scale=SCALE).chunks(name))


def customers() -> pl.DataFrame:
    return table("banking_customers")


def assert_share(flags: pl.Series, expected: float) -> None:
    """Assert a share of true values is within SIGMAS binomial standard errors."""
    n = flags.len()
    error = math.sqrt(expected * (1 - expected) / n)
    assert abs(flags.mean() - expected) <= SIGMAS * error, (flags.mean(), expected, n)


def assert_mean(values: pl.Series, expected: float) -> None:
    error = values.std() / math.sqrt(values.len())
    assert abs(values.mean() - expected) <= SIGMAS * error, (values.mean(), expected, error)


def assert_log_median(values: pl.Series, median: float, sigma: float) -> None:
    """Assert a lognormal sample's median: its log has the normal median's error, 1.2533
    sigma / sqrt(n)."""
    error = 1.2533 * sigma / math.sqrt(values.len())
    observed = math.log(values.median())  # type: ignore[arg-type]
    assert abs(observed - math.log(median)) <= SIGMAS * error, (values.median(), median)


def between(column: str, low: float, high: float) -> pl.Expr:
    return pl.col(column).is_between(low, high)


def test_age_and_employment_follow_life_stage() -> None:
    df = customers()
    assert df["age"].min() >= 18 and df["age"].max() <= 90
    a, b = (18 - 47) / 17, (90 - 47) / 17
    assert_mean(df["age"].cast(pl.Float64), stats.truncnorm(a, b, loc=47, scale=17).mean())
    for band, shares in (
        ((18, 24), (0.55, 0.03, 0.0, 0.34, 0.08)),
        ((25, 65), (0.74, 0.14, 0.03, 0.01, 0.08)),
        ((66, 90), (0.10, 0.08, 0.82, 0.0, 0.0)),
    ):
        stage = df.filter(between("age", *band))["employment_status"]
        for status, share in zip(EMPLOYMENT, shares, strict=True):
            if share:
                assert_share(stage == status, share)
            else:
                assert not (stage == status).any()


@pytest.mark.parametrize(
    ("band", "factor"),
    [((18, 21), 0.62), ((22, 29), 0.86), ((30, 39), 1.06), ((40, 49), 1.13),
     ((50, 59), 1.07), ((60, 90), 0.93)],
)  # fmt: skip
def test_earnings_rise_to_mid_career_and_fall_after(band: tuple[int, int], factor: float) -> None:
    employed = customers().filter(pl.col("employment_status") == "employed", between("age", *band))
    assert_log_median(employed["annual_income"], 32_000 * factor, 0.5)


def test_income_without_work_follows_the_status() -> None:
    df = customers()
    for status in ("retired", "student", "unemployed"):
        median, sigma = INCOME[status]
        assert_log_median(df.filter(pl.col("employment_status") == status)["annual_income"],
                          median, sigma)  # fmt: skip


def test_credit_scores_by_age_are_experians_means_by_generation() -> None:
    df = customers()
    assert df["credit_score"].min() >= 300 and df["credit_score"].max() <= 850
    for band, mean in (((18, 26), 680), ((27, 42), 690), ((43, 58), 709), ((59, 77), 745),
                       ((78, 90), 760)):  # fmt: skip
        assert_mean(df.filter(between("age", *band))["credit_score"].cast(pl.Float64), mean)


def test_income_and_credit_score_are_joined_by_the_copula() -> None:
    """Among the employed aged 30-39 (one earnings factor, one score mean) both columns are
    monotone maps of their copula draws: Spearman (6 / pi) asin(0.35 / 2)."""
    band = customers().filter(pl.col("employment_status") == "employed", between("age", 30, 39))
    rho = band.select(pl.corr("annual_income", "credit_score", method="spearman")).item()
    expected = 6 / math.pi * math.asin(0.35 / 2)
    # Fisher's z of a Spearman correlation has a standard error of sqrt(1.06 / (n - 3)).
    error = math.sqrt(1.06 / (band.height - 3))
    assert abs(math.atanh(rho) - math.atanh(expected)) <= SIGMAS * error, (rho, expected)


def test_tenure_never_exceeds_an_adult_life() -> None:
    df = customers()
    assert (df["tenure_years"] <= df["age"] - 18).all() and (df["tenure_years"] <= 40).all()
    # floor(u ** 1.3 * 41) from age 58: its mean is the sum over k of P(u ** 1.3 * 41 >= k).
    adults = df.filter(pl.col("age") >= 58)
    expected = sum(1 - (k / 41) ** (1 / 1.3) for k in range(1, 41))
    assert_mean(adults["tenure_years"].cast(pl.Float64), expected)


def test_digital_banking_falls_with_age() -> None:
    df = customers()
    for band, share in (((18, 24), 0.85), ((25, 34), 0.91), ((35, 44), 0.89), ((45, 54), 0.82),
                        ((55, 64), 0.71), ((65, 74), 0.55), ((75, 90), 0.27)):  # fmt: skip
        assert_share(df.filter(between("age", *band))["digital_active"], share)


def test_credit_cards_follow_the_credit_score() -> None:
    df = customers()
    for band, share in (((300, 579), 0.15), ((580, 669), 0.45), ((670, 739), 0.65),
                        ((740, 850), 0.80)):  # fmt: skip
        assert_share(df.filter(between("credit_score", *band))["has_credit_card"], share)


def test_lending_is_refused_below_580_and_loans_follow_age() -> None:
    df = customers()
    refused = df.filter(pl.col("credit_score") < REFUSED_BELOW)
    assert refused.height > 500
    assert not refused["has_personal_loan"].any() and not refused["has_mortgage"].any()
    lendable = df.filter(pl.col("credit_score") >= REFUSED_BELOW)
    for band, share in (((18, 24), 0.10), ((25, 44), 0.18), ((45, 64), 0.12), ((65, 90), 0.04)):
        assert_share(lendable.filter(between("age", *band))["has_personal_loan"], share)


AGE_BANDS = ((18, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, 74), (75, 90))


def test_mortgages_follow_age_and_income() -> None:
    df = customers().filter(pl.col("credit_score") >= REFUSED_BELOW)
    rates = (0.04, 0.35, 0.52, 0.45, 0.22, 0.06, 0.02)
    incomes = (((0, 19_999), 0.3), ((20_000, 34_999), 1.0), ((35_000, 59_999), 1.3),
               ((60_000, 1e9), 1.5))  # fmt: skip
    cells = 0
    for band, rate in zip(AGE_BANDS, rates, strict=True):
        for income, factor in incomes:
            cell = df.filter(between("age", *band), between("annual_income", *income))
            if cell.height >= 200:
                assert_share(cell["has_mortgage"], min(rate * factor, 0.95))
                cells += 1
    assert cells >= 20


def test_savings_follow_income_and_age_and_insurance_the_mortgage() -> None:
    df = customers()
    incomes = (((0, 14_999), 0.35), ((15_000, 29_999), 0.55), ((30_000, 59_999), 0.70),
               ((60_000, 1e9), 0.85))  # fmt: skip
    for income, share in incomes:
        for ages, extra in (((18, 34), -0.10), ((35, 64), 0.0), ((65, 90), 0.08)):
            cell = df.filter(between("annual_income", *income), between("age", *ages))
            assert_share(cell["has_savings"], share + extra)
    assert_share(df.filter(pl.col("has_mortgage"))["has_insurance"], 0.70)
    assert_share(df.filter(~pl.col("has_mortgage"))["has_insurance"], 0.25)


def test_balances_are_about_45_percent_of_a_months_income() -> None:
    df = customers()
    ratio = df["avg_monthly_balance"] / (df["annual_income"] / 12)
    assert_log_median(ratio, 0.45, 0.8)


def transactions() -> pl.DataFrame:
    return table("banking_transactions").join(
        customers().select("customer_id", "employment_status", "annual_income"),
        on="customer_id",
        validate="m:1",
    )


def test_credits_are_a_months_net_pay_named_by_employment() -> None:
    df = transactions()
    credit = df["category"].is_in(list(CREDITS.values()))
    assert (credit == (df["amount"] > 0)).all()
    credits = df.filter(credit)
    named = credits["employment_status"].replace_strict(CREDITS, return_dtype=pl.String)
    assert (credits["category"] == named).all()
    assert set(credits["category"]) == set(CREDITS.values())
    pay = (credits["annual_income"] / 12 * 0.75).round(2)
    assert ((credits["amount"] - pay).abs() < 0.006).all()


@pytest.mark.parametrize("category", sorted(DEBITS))
def test_debits_grow_with_income_by_the_categorys_elasticity(category: str) -> None:
    """log(-amount) = log(median) + elasticity * log(income / 32,000) + 0.6 z: the OLS slope
    and intercept are within SIGMAS of their standard errors."""
    df = transactions().filter(pl.col("category") == category)
    x = np.log(df["annual_income"].to_numpy() / 32_000)
    y = np.log(-df["amount"].to_numpy())
    slope, intercept = np.polyfit(x, y, 1)
    median, elasticity = DEBITS[category]
    residual = 0.6 / math.sqrt(len(x))
    assert abs(slope - elasticity) <= SIGMAS * residual / x.std(), slope
    se_intercept = residual * math.sqrt(1 + x.mean() ** 2 / x.var())
    assert abs(intercept - math.log(median)) <= SIGMAS * se_intercept, math.exp(intercept)
