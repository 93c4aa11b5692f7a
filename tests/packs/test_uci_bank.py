"""The uci-bank clients reproduce bank-additional-full.csv's joint structure at its size.

Scale 42 gives 42,000 clients (the file has 41,188). Tolerances are 4 standard errors of the
figure at the size of the group it is measured on; generation is deterministic, so a figure
that passes once passes always.
"""

import math
from functools import cache

import numpy as np
import polars as pl

from seedpacks.packs.registry import PACKS
from seedpacks.packs.truth import feature_matrix, probabilities
from seedpacks.packs.uci_bank.truth import FEATURES, GROUND_TRUTH
from seedpacks.seeding.generate import Generator

SCALE = 42


@cache
def clients() -> pl.DataFrame:
    """Return the generated clients at scale 42, with y as 0/1 in `yes`."""
    df = pl.concat(Generator(PACKS["uci-bank"], seed=42, scale=SCALE).chunks("bank_customers"))
    return df.with_columns(yes=pl.col("y").eq("yes").cast(pl.Int64))


def assert_rate(part: pl.DataFrame, expected: float) -> None:
    """Assert the subscription rate of `part` is within 4 binomial standard errors."""
    error = math.sqrt(expected * (1 - expected) / part.height)
    observed = float(part["yes"].mean() or 0.0)
    assert abs(observed - expected) <= 4 * error, (observed, expected, error, part.height)


def assert_mean(values: pl.Series, expected: float) -> None:
    """Assert a mean is within 4 standard errors (the sample's sd over root n)."""
    error = float(values.std() or 0.0) / math.sqrt(values.len())
    assert abs(float(values.mean() or 0.0) - expected) <= 4 * error, (values.mean(), expected)


def assert_correlation(df: pl.DataFrame, a: str, b: str, expected: float) -> None:
    """Assert Pearson's r is within 4 standard errors, (1 - r^2) / sqrt(n)."""
    error = (1 - expected**2) / math.sqrt(df.height)
    observed = df.select(pl.corr(a, b)).item()
    assert abs(observed - expected) <= 4 * error, (a, b, observed, expected, error)


def test_the_issue_figures_of_subscription() -> None:
    df = clients()
    assert df.height >= 41_188
    assert_rate(df, 0.113)
    assert_rate(df.filter(pl.col("poutcome") == "success"), 0.65)
    assert_rate(df.filter(pl.col("job") == "student"), 0.29)
    assert_rate(df.filter(pl.col("job") == "retired"), 0.23)
    assert_rate(df.filter(pl.col("contact") == "cellular"), 0.147)
    assert_rate(df.filter(pl.col("contact") == "telephone"), 0.052)
    assert_correlation(df, "euribor3m", "yes", -0.31)


def test_subscription_is_drawn_from_the_ground_truth() -> None:
    """Per contact type and per job, the rate of y is what the truth predicts for those clients."""
    df = clients()
    arm = df["contact"].replace_strict({"cellular": 0, "telephone": 1}, default=2).fill_null(2)
    columns = {f.column: df[f.column] for f in FEATURES}
    p = probabilities(GROUND_TRUTH, feature_matrix(GROUND_TRUTH, columns), arm.to_numpy())
    with_p = df.with_columns(p=pl.Series(p))
    for key in ("contact", "job", "month", "poutcome"):
        per = with_p.group_by(key).agg(
            observed=pl.col("yes").mean(),
            expected=pl.col("p").mean(),
            se=(pl.col("p") * (1 - pl.col("p"))).sum().sqrt() / pl.len(),
        )
        for row in per.iter_rows(named=True):
            assert abs(row["observed"] - row["expected"]) <= 4 * row["se"], row


def test_long_calls_and_earlier_contacts_sell_more_calls_this_campaign_less() -> None:
    df = clients()
    assert_correlation(df, "duration", "yes", 0.405)
    assert_mean(df.filter(pl.col("y") == "yes")["duration"], 553)
    assert_mean(df.filter(pl.col("y") == "no")["duration"], 221)
    rate = {k: float(v) for k, v in df.group_by("previous").agg(pl.col("yes").mean()).rows()}
    assert rate[0] < rate[1] < rate[2]
    assert_rate(df.filter(pl.col("previous") == 0), 0.088)
    assert_rate(df.filter(pl.col("previous") == 1), 0.212)
    calls = [
        df.filter(pl.col("campaign").is_between(lo, hi)) for lo, hi in ((1, 1), (3, 4), (8, 99))
    ]
    assert_rate(calls[0], 0.130)
    low = [float(part["yes"].mean() or 0.0) for part in calls]
    assert low[0] > low[1] > low[2]


def test_ages_follow_marital_status_and_job() -> None:
    df = clients()
    assert_mean(df.filter(pl.col("marital") == "single")["age"], 33.7)
    assert_mean(df.filter(pl.col("job") == "student")["age"], 26.5)
    assert_mean(df.filter(pl.col("job") == "retired")["age"], 62.0)
    married = df.filter(pl.col("marital") == "married")["age"].mean()
    assert_mean(df.filter(pl.col("marital") == "married")["age"], 42.3)
    assert float(married or 0) > 33.7 + 5
    assert df["age"].min() >= 17 and df["age"].max() <= 98
    assert [df["age"].quantile(q, "lower") for q in (0.25, 0.5, 0.75)] == [32, 38, 47]


def test_education_follows_the_job() -> None:
    df = clients()

    def share(job: str, pattern: str) -> pl.DataFrame:
        part = df.filter(pl.col("job") == job)
        hits = part["education"].str.contains(pattern).fill_null(False)
        return part.with_columns(yes=hits.cast(pl.Int64))

    assert_rate(share("management", "^university.degree$"), 0.703)
    assert_rate(share("admin.", "^university.degree$"), 0.556)
    assert_rate(share("blue-collar", "^basic"), 0.799)
    # Within a job, older clients had less schooling.
    assert_mean(df.filter(pl.col("education") == "basic.4y")["age"], 47.6)


def test_the_economy_is_a_function_of_the_calls_period() -> None:
    df = clients()
    indicators = ["emp_var_rate", "cons_conf_idx", "nr_employed"]
    per_period = df.group_by("cons_price_idx").agg(pl.col([*indicators, "month"]).n_unique())
    assert per_period.height == 26
    assert (per_period.select(pl.col([*indicators, "month"]) == 1).to_numpy()).all()
    for a, b in (("euribor3m", "emp_var_rate"), ("euribor3m", "nr_employed")):
        assert df.select(pl.corr(a, b)).item() > 0.9
    assert df.select(pl.corr("emp_var_rate", "nr_employed")).item() > 0.9
    # The Euribor moves within a month; the quarterly indicators do not.
    may = df.filter(pl.col("month") == "may")
    assert may["euribor3m"].n_unique() > 10
    within = df.group_by("cons_price_idx").agg(pl.col("euribor3m").std()).drop_nulls()
    assert (within["euribor3m"] > 0).mean() > 0.8


def test_the_may_campaign_called_housing_loan_holders_and_sold_little() -> None:
    df = clients()
    may = df.filter(pl.col("month") == "may")
    error = math.sqrt(0.334 * 0.666 / df.height)
    assert abs(may.height / df.height - 0.334) <= 4 * error
    assert_rate(may, 0.064)
    known = df.filter(pl.col("housing").is_not_null())
    in_may = known.filter(pl.col("month") == "may")["housing"].eq("yes")
    other = known.filter(pl.col("month") != "may")["housing"].eq("yes")
    gap = float(in_may.mean() or 0) - float(other.mean() or 0)
    error = math.sqrt(0.25 / in_may.len() + 0.25 / other.len())
    assert gap > 4 * error


def test_never_called_before_means_pdays_999_and_nonexistent() -> None:
    df = clients()
    never = df["previous"] == 0
    assert ((df["poutcome"] == "nonexistent") == never).all()
    assert (df.filter(never)["pdays"] == 999).all()
    assert df.filter(pl.col("pdays") != 999)["previous"].min() > 0  # type: ignore[operator]
    for value, expected in ((df["pdays"] == 999, 0.963), (never, 0.863)):
        error = math.sqrt(expected * (1 - expected) / df.height)
        assert abs(float(value.mean() or 0) - expected) <= 4 * error
    # The fixed line was the phone of the first months: most of May 2008's calls.
    may_2008 = df.filter(pl.col("nr_employed") == 5191.0)
    assert float(may_2008["contact"].eq("telephone").mean() or 0) > 0.7
    assert np.isclose(float(df["contact"].is_null().mean() or 0), 0.0)
