"""Retail shoppers: profile, loyalty tier, buying habits, consents and favourite department.

The dependencies an e-commerce analyst expects, as of 1 July 2024 (the figures are the pack's
choices, reasoned from how online retail behaves; sources in the comments):

- Age: a normal of mean 39 and sd 14 truncated to 18-85 (online shoppers are younger than the
  adult population); gender F 56%, M 42%, O 2% (women place more online orders).
- Sign-ups by year: 2018 9%, 2019 11%, 2020 17% and 2021 16% (the pandemic's move online),
  2022 15%, 2023 19%, first half of 2024 13%.
- Loyalty tier by tenure (tiers are earned by spend over time): joined within a year bronze
  80%, silver 16%, gold 3%, platinum 1%; one to three years 52/30/14/4; longer 40/33/20/7
  (about 53/28/14/5 overall).
- Favourite department by gender and age: women under 35 electronics 8, fashion 36, home 12,
  beauty 26, sports 8, grocery 10 (percent); women 35+ 6/30/24/18/5/17; men under 35
  30/18/8/5/24/15; men 35+ 22/15/20/4/15/24; others 14/26/18/14/10/18.
- Orders in the last 12 months by tier: a typical 4 (bronze), 10 (silver), 20 (gold) and 40
  (platinum, weekly shoppers) times a lognormal factor (log-sd 0.5), rounded down; prorated
  by the months since sign-up for those who joined within the year, who placed at least
  their first order on the day they signed up. A quarter of bronze shoppers of more than a
  year bought nothing.
- Average order value (USD) rises with tier and tenure: lognormal (log-sd 0.45) around 45
  (bronze), 55 (silver), 66 (gold) or 80 (platinum), 4% more per year since sign-up.
- Days since the last order: an exponential gap of mean 365 / orders (at most 364 for those who
  ordered within the year), 365 or more for those who did not, and never more than the days
  since sign-up.
- Returns: each of the year's orders is returned with its department's rate, six in ten from
  the favourite department (fashion 28%, sports 12%, electronics 8%, home 7%, beauty 3%,
  grocery 1%: apparel's online return rates run at 20-30%), so returns_12m is binomial.
"""

from datetime import date

import numpy as np
import polars as pl
from scipy import stats

from seedpacks.packs import gen
from seedpacks.packs.depend import depends
from seedpacks.packs.model import Column, CsvColumn, CsvMapping, Table

CUSTOMERS = "retail_customers"
DEPARTMENTS = ("electronics", "fashion", "home", "beauty", "sports", "grocery")
TIERS = ("bronze", "silver", "gold", "platinum")
FLAG = CsvColumn(parse={"true": ["Yes", "Y", "1"], "false": ["No", "N", "0"]})
AS_OF = date(2024, 7, 1)
SIGNUPS = (
    (date(2018, 1, 1), date(2018, 12, 31), 9),
    (date(2019, 1, 1), date(2019, 12, 31), 11),
    (date(2020, 1, 1), date(2020, 12, 31), 17),
    (date(2021, 1, 1), date(2021, 12, 31), 16),
    (date(2022, 1, 1), date(2022, 12, 31), 15),
    (date(2023, 1, 1), date(2023, 12, 31), 19),
    (date(2024, 1, 1), date(2024, 6, 30), 13),
)
TIER_BY_TENURE = {
    "new": (TIERS, (80, 16, 3, 1)),
    "established": (TIERS, (52, 30, 14, 4)),
    "long": (TIERS, (40, 33, 20, 7)),
}
FAVOURITE = {
    "F young": (DEPARTMENTS, (8, 36, 12, 26, 8, 10)),
    "F older": (DEPARTMENTS, (6, 30, 24, 18, 5, 17)),
    "M young": (DEPARTMENTS, (30, 18, 8, 5, 24, 15)),
    "M older": (DEPARTMENTS, (22, 15, 20, 4, 15, 24)),
}
OTHER_FAVOURITE = (DEPARTMENTS, (14, 26, 18, 14, 10, 18))
TIER_ORDERS = {"bronze": 4.0, "silver": 10.0, "gold": 20.0, "platinum": 40.0}
NO_ORDER_SHARE = 0.25
TIER_ORDER_VALUE = {"bronze": 45.0, "silver": 55.0, "gold": 66.0, "platinum": 80.0}
ORDER_VALUE_PER_YEAR = 0.04
RETURN_RATE = {"electronics": 0.08, "fashion": 0.28, "home": 0.07, "beauty": 0.03,
               "sports": 0.12, "grocery": 0.01}  # fmt: skip
FROM_FAVOURITE = 0.6


def tenure_days(b: gen.Block) -> np.ndarray:
    """Return the days from each shopper's sign-up to AS_OF."""
    signup = b["signup_date"].to_numpy().astype("datetime64[D]")
    return (np.datetime64(AS_OF, "D") - signup).astype(np.int64)


def return_rate(favourite: pl.Series) -> np.ndarray:
    """Return a shopper's chance that an order comes back, from their favourite department."""
    mean = sum(RETURN_RATE.values()) / len(RETURN_RATE)
    rate = favourite.replace_strict(RETURN_RATE, return_dtype=pl.Float64).to_numpy()
    return FROM_FAVOURITE * rate + (1 - FROM_FAVOURITE) * mean


def _tenure_band(b: gen.Block) -> np.ndarray:
    days = tenure_days(b)
    return np.where(days < 365, "new", np.where(days < 3 * 365, "established", "long"))


def _profile(b: gen.Block) -> pl.Series:
    young = np.where(b["age"].to_numpy() < 35, "young", "older")
    return pl.Series(b["gender"].to_numpy() + " " + young)


@depends(("loyalty_tier", "signup_date"), "typical orders by tier, prorated for the newly joined")
def _orders(b: gen.Block) -> np.ndarray:
    tier = b["loyalty_tier"]
    typical = tier.replace_strict(TIER_ORDERS, return_dtype=pl.Float64).to_numpy()
    days = tenure_days(b)
    orders = np.floor(typical * np.minimum(days / 365, 1.0) * np.exp(0.5 * b.normal()))
    new = days < 365
    # Lane 2: the normal above uses uniform lanes 0 and 1.
    lapsed = (tier == "bronze").to_numpy() & ~new & (b.uniform(2) < NO_ORDER_SHARE)
    return np.where(new, np.maximum(orders, 1), np.where(lapsed, 0, orders)).astype(np.int64)


@depends(
    ("loyalty_tier", "signup_date"), "lognormal around the tier's median, 4% more a year of tenure"
)
def _order_value(b: gen.Block) -> np.ndarray:
    median = b["loyalty_tier"].replace_strict(TIER_ORDER_VALUE, return_dtype=pl.Float64)
    years = tenure_days(b) / 365.25
    value = median.to_numpy() * (1 + ORDER_VALUE_PER_YEAR * years) * np.exp(0.45 * b.normal())
    return np.round(np.clip(value, 5, 2_000), 2)


@depends(("orders_12m", "avg_order_value"), "orders x average order value")
def _spend(b: gen.Block) -> np.ndarray:
    return np.round(b["orders_12m"].to_numpy() * b["avg_order_value"].to_numpy(), 2)


@depends(
    ("orders_12m", "signup_date"),
    "exponential gap of mean 365 / orders; 365 or more without orders; at most the tenure",
)
def _days_since_last_order(b: gen.Block) -> np.ndarray:
    orders = b["orders_12m"].to_numpy()
    gap = np.floor(-np.log(1 - b.uniform()) * 365 / np.maximum(orders, 0.5))
    days = np.where(orders == 0, 365 + gap, np.minimum(gap, 364))
    return np.minimum(days, tenure_days(b)).astype(np.int64)


@depends(
    ("orders_12m", "favourite_department"),
    "binomial: each order returned at its department's rate, six in ten from the favourite",
)
def _returns(b: gen.Block) -> np.ndarray:
    orders = b["orders_12m"].to_numpy()
    rate = return_rate(b["favourite_department"])
    return stats.binom.ppf(b.uniform(), orders, rate).astype(np.int64)


def _flag(name: str, generate: gen.Generator, description: str = "") -> Column:
    return Column(name, "boolean", generate, nullable=False, description=description, csv=FLAG)


CUSTOMER_TABLE = Table(
    name=CUSTOMERS,
    description=(
        "Online shoppers: profile, loyalty tier, buying habits, consents and favourite "
        "department; tier by tenure, orders and order value by tier, returns by department"
    ),
    rows=1000,
    primary_key=("customer_id",),
    csv=CsvMapping(description="one shopper per line, columns named as the table"),
    columns=(
        Column(
            "customer_id",
            "text",
            gen.formatted_id("RC", 8),
            nullable=False,
            csv=CsvColumn(aliases=("id", "customerId"), required=True),
        ),
        Column("age", "integer", gen.truncnormal(39, 14, low=18, high=85), description="years"),
        Column("gender", "text", gen.choice(("F", "M", "O"), (56, 42, 2)), description="F, M or O"),
        Column("signup_date", "date", gen.periods(SIGNUPS), nullable=False),
        Column(
            "loyalty_tier",
            "text",
            depends(
                "signup_date",
                "weights by tenure: under a year bronze 80, silver 16, gold 3, platinum 1; "
                "one to three years 52/30/14/4; longer 40/33/20/7",
            )(gen.choice_by(_tenure_band, TIER_BY_TENURE)),
            nullable=False,
        ),
        Column(
            "favourite_department",
            "text",
            depends(
                ("gender", "age"),
                "weights of electronics/fashion/home/beauty/sports/grocery by gender and age: "
                "F under 35 8/36/12/26/8/10, F 35+ 6/30/24/18/5/17, M under 35 30/18/8/5/24/15, "
                "M 35+ 22/15/20/4/15/24, others 14/26/18/14/10/18",
            )(gen.choice_by(_profile, FAVOURITE, default=OTHER_FAVOURITE)),
            nullable=False,
        ),
        Column("orders_12m", "integer", _orders, nullable=False),
        Column("avg_order_value", "decimal", _order_value, nullable=False, description="USD"),
        Column("spend_12m", "decimal", _spend, nullable=False, description="USD"),
        Column("days_since_last_order", "integer", _days_since_last_order, nullable=False),
        Column("returns_12m", "integer", _returns, nullable=False),
        _flag(
            "app_user",
            gen.choice_by(
                "loyalty_tier",
                {"bronze": ((True, False), (35, 65)), "silver": ((True, False), (55, 45))},
                default=((True, False), (75, 25)),
            ),
        ),
        _flag("email_opt_in", gen.choice([True, False], (78, 22))),
        _flag(
            "sms_opt_in",
            gen.choice_by(
                "email_opt_in", {True: ((True, False), (40, 60)), False: ((True, False), (8, 92))}
            ),
        ),
        _flag(
            "cart_abandoned_30d",
            depends("orders_12m", "logit -1.6 + 0.08 per order (up to 20)")(
                gen.bernoulli(lambda b: -1.6 + 0.08 * np.minimum(b["orders_12m"].to_numpy(), 20))
            ),
            "left a full cart in the last 30 days",
        ),
    ),
)
