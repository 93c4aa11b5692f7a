"""The declared distributions hold on generated data, within sampling error (no database)."""

import math
from datetime import date
from functools import cache

import polars as pl

from seedpacks.packs.registry import PACKS
from seedpacks.seeding.generate import Generator

SCALE = 20


@cache
def sample(key: str, table: str, seed: int = 42) -> pl.DataFrame:
    """Return the whole table of pack `key` at scale 20."""
    return pl.concat(Generator(PACKS[key], seed=seed, scale=SCALE).chunks(table))


def assert_share(observed: float, expected: float, n: int, sigmas: float = 4.0) -> None:
    """Assert a proportion is within `sigmas` binomial standard errors of the expected one."""
    error = math.sqrt(expected * (1 - expected) / n)
    assert abs(observed - expected) <= sigmas * error, (observed, expected, error)


def test_starbucks_profiles_look_like_the_public_profile_file() -> None:
    df = sample("starbucks", "starbucks_customers")
    assert df.height == 1000 * SCALE
    unknown = df["age"].is_null()
    # Unknown profiles (age 118 in the file) lack age, gender and income together.
    assert (unknown == df["gender"].is_null()).all() and (unknown == df["income"].is_null()).all()
    assert_share(unknown.mean(), 0.128, df.height)
    known = df.filter(~unknown)
    assert known["age"].min() >= 18 and known["age"].max() <= 101
    assert abs(known["age"].median() - 55) <= 1.5
    assert known["income"].min() >= 30_000 and known["income"].max() <= 120_000
    assert abs(known["income"].median() - 64_000) <= 2_000
    shares = known["gender"].value_counts(normalize=True).to_dict(as_series=False)
    gender = dict(zip(shares["gender"], shares["proportion"], strict=True))
    for value, expected in (("M", 0.572), ("F", 0.413), ("O", 0.015)):
        assert_share(gender[value], expected, known.height)
    assert df["became_member_on"].min() >= date(2013, 1, 1)
    assert df["became_member_on"].max() <= date(2018, 12, 31)
    by_year = df["became_member_on"].dt.year().value_counts(normalize=True)
    assert by_year.sort("proportion")["became_member_on"][-1] == 2017


def test_starbucks_events_carry_what_their_kind_needs() -> None:
    """Transactions have an amount and no offer; offer events an offer; completed offers its
    portfolio reward (the reward column follows the offer column's draw)."""
    df = sample("starbucks", "starbucks_events")
    rewards = {
        p["id"]: float(p["reward"]) for p in sample("starbucks", "starbucks_offers").to_dicts()
    }
    transaction = df["event"] == "transaction"
    assert (df["amount"].is_null() == ~transaction).all()
    assert (df["offer_id"].is_null() == transaction).all()
    completed = df.filter(pl.col("event") == "offer completed")
    assert completed.height > 0
    assert completed["reward"].to_list() == [rewards[o] for o in completed["offer_id"]]
    assert df.filter(pl.col("event") != "offer completed")["reward"].is_null().all()


def test_uci_bank_clients_look_like_bank_additional_full() -> None:
    df = sample("uci-bank", "bank_customers")
    assert df.height == 1000 * SCALE
    assert_share((df["y"] == "yes").mean(), 0.113, df.height)
    assert_share(df["job"].eq_missing("blue-collar").mean(), 0.225, df.height)
    assert_share(df["marital"].eq_missing("married").mean(), 0.605, df.height)
    assert_share(df["education"].eq_missing("university.degree").mean(), 0.295, df.height)
    assert_share(df["contact"].eq_missing("cellular").mean(), 0.635, df.height)
    assert_share((df["month"] == "may").mean(), 0.334, df.height)
    assert df["age"].min() >= 17 and df["age"].max() <= 98 and df["age"].median() == 38
    # Never contacted before: pdays 999, no previous contacts and outcome 'nonexistent'.
    never = df["previous"] == 0
    assert_share(never.mean(), 0.863, df.height)
    assert (df.filter(never)["pdays"] == 999).all() and (
        never == (df["poutcome"] == "nonexistent")
    ).all()
    # The target follows the file's strongest signals: call length and a previous success.
    rate = df.group_by("poutcome").agg(pl.col("y").eq("yes").mean()).to_dict(as_series=False)
    by_outcome = dict(zip(rate["poutcome"], rate["y"], strict=True))
    assert by_outcome["success"] > 3 * by_outcome["failure"]
    median = df.group_by("y").agg(pl.col("duration").median()).to_dict(as_series=False)
    by_y = dict(zip(median["y"], median["duration"], strict=True))
    assert by_y["yes"] > 2 * by_y["no"]
    assert set(df["day_of_week"].unique()) == {"mon", "tue", "wed", "thu", "fri"}
    assert df["day"].min() >= 1 and df["day"].max() <= 31


def test_uci_bank_call_log_agrees_with_the_clients() -> None:
    clients = sample("uci-bank", "bank_customers")
    calls = sample("uci-bank", "bank_campaigns").join(
        clients.select("id", "campaign", "y"), left_on="customer_id", right_on="id"
    )
    assert calls.height == 1000 * SCALE
    assert (calls["attempt"] <= calls["campaign"]).all()
    subscribed = calls.filter(pl.col("outcome") == "subscribed")
    assert subscribed.height and (subscribed["y"] == "yes").all()
    assert (subscribed["attempt"] == subscribed["campaign"]).all()


def test_telco_customers_look_like_the_ibm_churn_file() -> None:
    df = sample("telco", "telco_customers")
    assert df.height == 1000 * SCALE
    assert df["customer_id"].n_unique() == df.height
    assert df["customer_id"].str.contains(r"^\d{4}-[A-Z]{5}$").all()
    assert_share(df["churn"].mean(), 0.265, df.height)
    assert df["tenure"].min() == 0 and df["tenure"].max() == 72
    assert abs(df["tenure"].mean() - 32.4) <= 1.5
    charges = df["monthly_charges"]
    assert charges.min() >= 18.25 and charges.max() <= 118.75 and abs(charges.mean() - 64.8) <= 2
    # TotalCharges is blank exactly for customers in their first month, else ~ tenure x monthly.
    assert (df["total_charges"].is_null() == (df["tenure"] == 0)).all()
    billed = df.filter(pl.col("tenure") > 0)
    ratio = billed["total_charges"] / (billed["tenure"] * billed["monthly_charges"])
    assert ratio.min() > 0.849 and ratio.max() < 1.151 and abs(ratio.median() - 1) <= 0.01
    contract = df["contract"].value_counts(normalize=True).to_dict(as_series=False)
    shares = dict(zip(contract["contract"], contract["proportion"], strict=True))
    for value, expected in (("Month-to-month", 0.55), ("One year", 0.209), ("Two year", 0.241)):
        assert_share(shares[value], expected, df.height)
    no_internet = df["internet_service"] == "No"
    assert_share(no_internet.mean(), 0.217, df.height)
    assert ((df["online_security"] == "No internet service") == no_internet).all()
    assert ((df["multiple_lines"] == "No phone service") == ~df["phone_service"]).all()
    # Churn concentrates where the file has it: month-to-month far above two-year contracts.
    churn = df.group_by("contract").agg(pl.col("churn").mean()).to_dict(as_series=False)
    by_contract = dict(zip(churn["contract"], churn["churn"], strict=True))
    assert by_contract["Month-to-month"] > 10 * by_contract["Two year"]


def test_banking_holdings_follow_life_stage_and_means() -> None:
    df = sample("banking", "banking_customers")
    assert df["customer_id"].n_unique() == df.height
    assert df["credit_score"].min() >= 300 and df["credit_score"].max() <= 850
    prime_age = df.filter(pl.col("age").is_between(30, 62))["has_mortgage"].mean()
    assert prime_age > 2 * df.filter(pl.col("age") < 30)["has_mortgage"].mean()
    rich, poor = df["annual_income"] >= 60000, df["annual_income"] < 25000
    assert df.filter(rich)["credit_score"].mean() > df.filter(poor)["credit_score"].mean() + 30
    young = df.filter(pl.col("age") < 35)["digital_active"].mean()
    assert young > df.filter(pl.col("age") >= 65)["digital_active"].mean() + 0.3
    # Pay credits are positive, every other transaction is a debit of its customer.
    txns = sample("banking", "banking_transactions")
    credits = ("salary", "pension", "benefits", "allowance")
    assert (txns["category"].is_in(credits) == (txns["amount"] > 0)).all()
    assert set(txns["customer_id"].unique()) <= set(df["customer_id"])


def test_retail_shoppers_and_orders_hang_together() -> None:
    shoppers = sample("retail", "retail_customers")
    tiers = shoppers.group_by("loyalty_tier").agg(pl.col("orders_12m").mean())
    orders_by_tier = dict(zip(*tiers.to_dict(as_series=False).values(), strict=True))
    assert orders_by_tier["platinum"] > orders_by_tier["gold"] > orders_by_tier["bronze"]
    assert (shoppers["spend_12m"] >= 0).all()
    assert (shoppers.filter(pl.col("orders_12m") == 0)["days_since_last_order"] >= 365).all()
    orders = sample("retail", "retail_orders").join(
        shoppers.select("customer_id", "favourite_department"), on="customer_id"
    )
    assert orders.height == 4000 * SCALE
    favourite = (orders["department"] == orders["favourite_department"]).mean()
    assert_share(favourite, 0.6 + 0.4 / 6, orders.height)
    returns = orders.group_by("department").agg(pl.col("returned").mean())
    rate = dict(zip(*returns.to_dict(as_series=False).values(), strict=True))
    assert rate["fashion"] > 5 * rate["grocery"]
