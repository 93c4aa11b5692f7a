"""Retail e-commerce tables: the orders of the first half of 2024 (the shoppers are in
customers.py).

Orders follow their shopper:

- Each order falls to a shopper with probability proportional to the orders they are expected
  to place in the half year: orders_12m times the share of a year they were active in it, from
  their sign-up (or 1 January) to their last order (AS_OF - days_since_last_order). So order
  frequency follows the tier, no order precedes its shopper's sign-up or follows their last
  order, and a shopper's repeat orders are spread evenly over that window (the frequent
  reorder sooner: the gap between consecutive orders shrinks with the tier).
- Six in ten orders come from the shopper's favourite department, the rest from any.
- Items by department: electronics mostly one (70%), grocery baskets large (a typical 5).
- An order's total is the shopper's average order value times the department's factor
  (electronics 1.8, home 1.15, sports 1.0, fashion 0.95, grocery 0.85, beauty 0.6), times the
  square root of its items relative to the department's typical basket, times a lognormal
  factor of log-sd 0.4, less its discount; on average an order in a department is worth the
  shopper's average order value times the factor, so bigger baskets and better customers make
  bigger orders.
- Returned with the department's rate (fashion 28%, sports 12%, electronics 8%, home 7%,
  beauty 3%, grocery 1%).
"""

from datetime import date

import numpy as np
import polars as pl

from seedpacks.packs import gen
from seedpacks.packs.depend import By, depends
from seedpacks.packs.model import Column, CsvColumn, CsvMapping, Reference, Table
from seedpacks.packs.retail.customers import (
    AS_OF,
    CUSTOMER_TABLE,
    CUSTOMERS,
    DEPARTMENTS,
    FLAG,
    FROM_FAVOURITE,
    RETURN_RATE,
    TIERS,
)

__all__ = ["CUSTOMER_TABLE", "CUSTOMERS", "DEPARTMENTS", "ORDER_TABLE", "ORDERS", "TIERS"]

ORDERS = "retail_orders"
FIRST_DAY = date(2024, 1, 1)
ITEMS = range(1, 9)
ITEMS_BY_DEPARTMENT = {
    "electronics": (70, 20, 6, 2, 1, 1, 0, 0),
    "fashion": (35, 28, 16, 9, 6, 3, 2, 1),
    "home": (45, 25, 13, 7, 5, 3, 1, 1),
    "beauty": (30, 28, 18, 10, 7, 4, 2, 1),
    "sports": (50, 25, 12, 6, 4, 2, 1, 0),
    "grocery": (8, 10, 12, 14, 15, 15, 13, 13),
}
DEPARTMENT_FACTOR = {"electronics": 1.8, "fashion": 0.95, "home": 1.15, "beauty": 0.6,
                     "sports": 1.0, "grocery": 0.85}  # fmt: skip
DISCOUNTS = ((0, 10, 20, 30), (62, 20, 12, 6))
ORDER_SPREAD = 0.4


def _mean(values: tuple[float, ...], weights: tuple[float, ...]) -> float:
    return float(np.dot(values, weights) / np.sum(weights))


# What makes a department's mean total its factor times the shopper's average order value:
# E[sqrt(items)] per department, E[lognormal factor] and E[1 - discount].
_ROOT_ITEMS = {
    d: _mean(tuple(np.sqrt(ITEMS)), weights) for d, weights in ITEMS_BY_DEPARTMENT.items()
}
_KEPT = 1 - _mean(DISCOUNTS[0], DISCOUNTS[1]) / 100


def _window(b: gen.Block, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the first day and the day after the last on which each shopper could order."""
    signup = b.lookup(CUSTOMERS, "signup_date", rows).to_numpy().astype("datetime64[D]")
    since = b.lookup(CUSTOMERS, "days_since_last_order", rows).to_numpy()
    first = np.maximum(signup, np.datetime64(FIRST_DAY, "D"))
    end = np.minimum(np.datetime64(AS_OF, "D") - since + 1, np.datetime64(AS_OF, "D"))
    return first, np.maximum(end, first)


def expected_orders(b: gen.Block, rows: np.ndarray) -> np.ndarray:
    """Return the orders each shopper is expected to place in the half year."""
    first, end = _window(b, rows)
    orders = b.lookup(CUSTOMERS, "orders_12m", rows).to_numpy()
    return orders * (end - first).astype(np.int64) / 365


def _customer_rows(b: gen.Block) -> np.ndarray:
    return gen.weighted_rows(
        b, CUSTOMERS, b.uniform_named("customer"), lambda rows: expected_orders(b, rows)
    )


def _customer(b: gen.Block, column: str) -> pl.Series:
    return b.lookup(CUSTOMERS, column, _customer_rows(b))


@depends(
    ("customer_id", f"{CUSTOMERS}.signup_date", f"{CUSTOMERS}.days_since_last_order"),
    "uniform over the shopper's window: from sign-up (or 1 January) to their last order",
)
def _ordered_at(b: gen.Block) -> np.ndarray:
    first, end = _window(b, _customer_rows(b))
    seconds = np.floor(b.uniform() * (end - first).astype(np.int64) * 86400).astype(np.int64)
    return (first.astype("datetime64[s]") + seconds).astype("M8[us]")


@depends(
    ("customer_id", f"{CUSTOMERS}.favourite_department"),
    "the shopper's favourite department six times in ten, else any",
)
def _department(b: gen.Block) -> pl.Series:
    favourite = _customer(b, "favourite_department").to_numpy()
    other = np.asarray(DEPARTMENTS)[np.floor(b.uniform(1) * len(DEPARTMENTS)).astype(int)]
    return pl.Series(np.where(b.uniform(0) < FROM_FAVOURITE, favourite, other))


@depends(
    ("customer_id", "department", "items", "discount_pct", f"{CUSTOMERS}.avg_order_value"),
    "the shopper's average order value x the department's factor x sqrt(items) relative to "
    "the department, lognormal (log-sd 0.4), less the discount",
)
def _total(b: gen.Block) -> np.ndarray:
    department = b["department"]
    factor = department.replace_strict(DEPARTMENT_FACTOR, return_dtype=pl.Float64).to_numpy()
    root = department.replace_strict(_ROOT_ITEMS, return_dtype=pl.Float64).to_numpy()
    value = _customer(b, "avg_order_value").to_numpy() * factor
    basket = np.sqrt(b["items"].to_numpy()) / root
    noise = np.exp(ORDER_SPREAD * b.normal() - ORDER_SPREAD**2 / 2)
    kept = (1 - b["discount_pct"].to_numpy() / 100) / _KEPT
    return np.round(value * basket * noise * kept, 2)


ORDER_TABLE = Table(
    name=ORDERS,
    description="Orders of the first half of 2024: department, basket size, value, returns",
    rows=4000,
    primary_key=("id",),
    references=(Reference("customer_id", CUSTOMERS, "customer_id"),),
    csv=CsvMapping(description="one order per line; ids are generated", generated=("id",)),
    columns=(
        Column("id", "bigint", gen.row_number(), nullable=False),
        Column(
            "customer_id",
            "text",
            depends(
                (
                    f"{CUSTOMERS}.orders_12m",
                    f"{CUSTOMERS}.signup_date",
                    f"{CUSTOMERS}.days_since_last_order",
                ),
                "a shopper drawn by their expected orders in the half year: orders_12m times "
                "the share of a year between sign-up (or 1 January) and their last order",
            )(lambda b: _customer(b, "customer_id")),
            nullable=False,
            csv=CsvColumn(required=True),
        ),
        Column("ordered_at", "timestamp", _ordered_at, nullable=False),
        Column("department", "text", _department, nullable=False),
        Column(
            "items",
            "integer",
            gen.choice_by("department", {d: (ITEMS, w) for d, w in ITEMS_BY_DEPARTMENT.items()}),
            nullable=False,
        ),
        Column(
            "discount_pct",
            "integer",
            gen.choice(*DISCOUNTS),
            nullable=False,
            description="promotion applied, percent",
        ),
        Column("total", "decimal", _total, nullable=False, description="USD after discount"),
        Column(
            "returned",
            "boolean",
            gen.chance(By("department", RETURN_RATE, default=0.0)),
            nullable=False,
            csv=FLAG,
        ),
    ),
)
