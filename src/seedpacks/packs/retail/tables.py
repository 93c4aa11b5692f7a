"""Retail e-commerce tables: shoppers with their loyalty tier and habits, and their orders."""

from datetime import date, datetime

import numpy as np
import polars as pl

from seedpacks.packs import gen
from seedpacks.packs.model import Column, CsvColumn, CsvMapping, Reference, Table

CUSTOMERS = "retail_customers"
ORDERS = "retail_orders"
DEPARTMENTS = ("electronics", "fashion", "home", "beauty", "sports", "grocery")
TIERS = ("bronze", "silver", "gold", "platinum")
FLAG = CsvColumn(parse={"true": ["Yes", "Y", "1"], "false": ["No", "N", "0"]})
_TIER_ORDERS = {"bronze": 3.0, "silver": 7.0, "gold": 14.0, "platinum": 26.0}


def _orders(b: gen.Block) -> np.ndarray:
    # Orders in the last 12 months grow with the tier; a quarter of bronze shoppers bought nothing.
    typical = b["loyalty_tier"].replace_strict(_TIER_ORDERS, return_dtype=pl.Float64).to_numpy()
    orders = np.floor(typical * np.exp(0.5 * b.normal()))
    return np.where((b["loyalty_tier"] == "bronze").to_numpy() & (b.uniform() < 0.25), 0, orders)


def _days_since_last_order(b: gen.Block) -> np.ndarray:
    orders = b["orders_12m"].to_numpy()
    gap = -np.log(1 - b.uniform()) * 365 / np.maximum(orders, 0.5)
    return np.where(orders == 0, 365 + np.floor(gap), np.minimum(np.floor(gap), 364)).astype(
        np.int64
    )


def _spend(b: gen.Block) -> np.ndarray:
    return np.round(b["orders_12m"].to_numpy() * b["avg_order_value"].to_numpy(), 2)


def _customer_rows(b: gen.Block) -> np.ndarray:
    return gen.referenced_rows(b, CUSTOMERS, b.uniform_named("customer"))


def _order_department(b: gen.Block) -> pl.Series:
    # Six in ten orders come from the shopper's favourite department.
    favourite = b.lookup(CUSTOMERS, "favourite_department", _customer_rows(b))
    other = pl.Series(DEPARTMENTS).gather(np.floor(b.uniform(1) * len(DEPARTMENTS)).astype(int))
    return pl.Series(np.where(b.uniform(0) < 0.6, favourite.to_numpy(), other.to_numpy()))


_BASKET = {"electronics": 140.0, "fashion": 65.0, "home": 80.0, "beauty": 35.0, "sports": 70.0,
           "grocery": 55.0}  # fmt: skip
_RETURN_RATE = {"electronics": 0.08, "fashion": 0.28, "home": 0.07, "beauty": 0.03,
                "sports": 0.12, "grocery": 0.01}  # fmt: skip


def _total(b: gen.Block) -> np.ndarray:
    basket = b["department"].replace_strict(_BASKET, return_dtype=pl.Float64).to_numpy()
    gross = basket * np.exp(0.6 * b.normal()) * np.sqrt(b["items"].to_numpy())
    return np.round(gross * (1 - b["discount_pct"].to_numpy() / 100), 2)


def _returned(b: gen.Block) -> np.ndarray:
    rate = b["department"].replace_strict(_RETURN_RATE, return_dtype=pl.Float64).to_numpy()
    return b.uniform() < rate


CUSTOMER_TABLE = Table(
    name=CUSTOMERS,
    description="Online shoppers: loyalty tier, buying habits, consents and favourite department",
    rows=1000,
    primary_key=("customer_id",),
    indexes=(("loyalty_tier",), ("favourite_department",)),
    csv=CsvMapping(description="one shopper per line, columns named as the table"),
    columns=(
        Column(
            "customer_id",
            "text",
            gen.formatted_id("RC", 8),
            nullable=False,
            csv=CsvColumn(aliases=("id", "customerId"), required=True),
        ),
        Column(
            "signup_date", "date", gen.dates(date(2018, 1, 1), date(2024, 6, 30)), nullable=False
        ),
        Column("loyalty_tier", "text", gen.choice(TIERS, (55, 28, 13, 4)), nullable=False),
        Column(
            "favourite_department",
            "text",
            gen.choice(DEPARTMENTS, (14, 26, 18, 14, 10, 18)),
            nullable=False,
        ),
        Column("orders_12m", "integer", _orders, nullable=False),
        Column(
            "avg_order_value",
            "decimal",
            gen.lognormal(58, 0.45, low=8, high=900),
            nullable=False,
            description="USD",
        ),
        Column("spend_12m", "decimal", _spend, nullable=False, description="USD"),
        Column("days_since_last_order", "integer", _days_since_last_order, nullable=False),
        Column(
            "returns_12m",
            "integer",
            lambda b: np.floor(b["orders_12m"].to_numpy() * 0.12 * np.exp(0.9 * b.normal())).astype(
                np.int64
            ),
            nullable=False,
        ),  # fmt: skip
        Column(
            "app_user",
            "boolean",
            gen.choice_by(
                "loyalty_tier",
                {"bronze": ((True, False), (35, 65)), "silver": ((True, False), (55, 45))},
                default=((True, False), (75, 25)),
            ),
            nullable=False,
            csv=FLAG,
        ),
        Column(
            "email_opt_in", "boolean", gen.choice([True, False], (78, 22)), nullable=False, csv=FLAG
        ),  # fmt: skip
        Column(
            "sms_opt_in",
            "boolean",
            gen.choice_by(
                "email_opt_in", {True: ((True, False), (40, 60)), False: ((True, False), (8, 92))}
            ),
            nullable=False,
            csv=FLAG,
        ),
        Column(
            "cart_abandoned_30d",
            "boolean",
            gen.bernoulli(lambda b: -1.6 + 0.08 * np.minimum(b["orders_12m"].to_numpy(), 20)),
            nullable=False,
            description="left a full cart in the last 30 days",
            csv=FLAG,
        ),
    ),
)

ORDER_TABLE = Table(
    name=ORDERS,
    description="Orders of 2024: department, basket size, discount and returns",
    rows=4000,
    primary_key=("id",),
    references=(Reference("customer_id", CUSTOMERS, "customer_id"),),
    indexes=(("customer_id",), ("ordered_at",)),
    csv=CsvMapping(description="one order per line; ids are generated", generated=("id",)),
    columns=(
        Column("id", "bigint", gen.row_number(), nullable=False),
        Column(
            "customer_id",
            "text",
            lambda b: b.lookup(CUSTOMERS, "customer_id", _customer_rows(b)),
            nullable=False,
            csv=CsvColumn(required=True),
        ),
        Column(
            "ordered_at", "timestamp", gen.timestamps(datetime(2024, 1, 1), 182), nullable=False
        ),
        Column("department", "text", gen.derived(_order_department), nullable=False),
        Column(
            "items", "integer", gen.choice(range(1, 9), (40, 25, 13, 8, 6, 4, 2, 2)), nullable=False
        ),  # fmt: skip
        Column(
            "discount_pct",
            "integer",
            gen.choice((0, 10, 20, 30), (62, 20, 12, 6)),
            nullable=False,
            description="promotion applied, percent",
        ),
        Column("total", "decimal", _total, nullable=False, description="USD after discount"),
        Column("returned", "boolean", _returned, nullable=False, csv=FLAG),
    ),
)
