"""Banking NBA tables: the product catalogue and six months of account and card transactions
(the customers are in customers.py).

Transactions follow their customer: credits are a month's net pay (75% of the gross income
over 12), labelled by the customer's employment (salary for the employed and self-employed,
pension for the retired, benefits for the unemployed, allowance for students); a debit's
amount is lognormal (log-sd 0.6) around its category's median for an income of 32,000 GBP,
times (income / 32,000) to the category's income elasticity: groceries 0.3 and utilities 0.2
(necessities), cash 0.2, dining, shopping and transfers 0.5, housing 0.6 and travel 0.7
(luxuries). The elasticities are chosen, not measured: they follow the pattern of the ONS
Family Spending survey, where richer households spend more on everything but proportionally
less on food and fuel and more on travel and recreation.
"""

from datetime import date

import numpy as np
import polars as pl

from seedpacks.packs import gen
from seedpacks.packs.banking.customers import CUSTOMER_TABLE, CUSTOMERS, FLAG
from seedpacks.packs.depend import depends
from seedpacks.packs.model import Column, CsvColumn, CsvMapping, Reference, Table

__all__ = ["CUSTOMER_TABLE", "CUSTOMERS", "FLAG", "PRODUCT_ROWS", "PRODUCT_TABLE", "PRODUCTS",
           "TRANSACTION_TABLE", "TRANSACTIONS"]  # fmt: skip

PRODUCTS = "banking_products"
TRANSACTIONS = "banking_transactions"

# (code, name, family, rate %, annual fee, minimum credit score, minimum income)
PRODUCT_ROWS = (
    ("bk_cashback_card", "Cashback Credit Card", "card", 22.9, 0, 620, 12000),
    ("bk_travel_card", "Travel Rewards Card", "card", 24.9, 95, 720, 35000),
    ("bk_balance_transfer", "0% Balance Transfer Card", "card", 0.0, 0, 680, 15000),
    ("bk_personal_loan", "Personal Loan", "loan", 7.4, 0, 600, 20000),
    ("bk_car_loan", "Car Loan", "loan", 6.2, 0, 620, 20000),
    ("bk_ftb_mortgage", "First-Time Buyer Mortgage", "mortgage", 4.6, 999, 660, 35000),
    ("bk_remortgage", "Remortgage Switch", "mortgage", 4.2, 0, 640, 30000),
    ("bk_easy_saver", "Easy Access Saver", "savings", 3.9, 0, 300, 0),
    ("bk_fixed_bond", "1-Year Fixed Bond", "savings", 4.8, 0, 300, 0),
    ("bk_home_insurance", "Home Insurance", "insurance", 0.0, 240, 300, 0),
    ("bk_life_insurance", "Life Cover", "insurance", 0.0, 180, 300, 0),
    ("bk_travel_insurance", "Annual Travel Insurance", "insurance", 0.0, 60, 300, 0),
)


_TXN_CATEGORIES = ("groceries", "dining", "shopping", "utilities", "transfer", "cash", "travel",
                   "housing", "salary")  # fmt: skip
# Median amount per debit category for an income of 32,000 GBP, and its income elasticity.
DEBITS = {"groceries": (45, 0.3), "dining": (28, 0.5), "shopping": (60, 0.5),
          "utilities": (85, 0.2), "transfer": (150, 0.5), "cash": (60, 0.2),
          "travel": (320, 0.7), "housing": (950, 0.6)}  # fmt: skip
REFERENCE_INCOME = 32_000
NET_OF_GROSS = 0.75
# The monthly credit's name by the customer's employment.
CREDITS = {"employed": "salary", "self_employed": "salary", "retired": "pension",
           "unemployed": "benefits", "student": "allowance"}  # fmt: skip


def _customer_rows(b: gen.Block) -> np.ndarray:
    return gen.referenced_rows(b, CUSTOMERS, b.uniform_named("customer"))


def _customer(b: gen.Block, column: str) -> pl.Series:
    return b.lookup(CUSTOMERS, column, _customer_rows(b))


_DRAW = gen.choice(_TXN_CATEGORIES, (24, 12, 15, 10, 10, 6, 3, 5, 15))


@depends(
    ("customer_id", f"{CUSTOMERS}.employment_status"),
    "debits by share; a credit is named by the customer's employment",
)
def _category(b: gen.Block) -> pl.Series:
    drawn = gen.as_series(_DRAW(b))
    credit = _customer(b, "employment_status").replace_strict(CREDITS, return_dtype=pl.String)
    return pl.select(pl.when(drawn == "salary").then(credit).otherwise(drawn)).to_series()


@depends(
    ("customer_id", "category", f"{CUSTOMERS}.annual_income"),
    "credits a month's net pay; debits lognormal around the category's median times "
    "(income / 32,000) to the category's elasticity",
)
def _amount(b: gen.Block) -> np.ndarray:
    category = b["category"]
    income = _customer(b, "annual_income").to_numpy()
    debit = ~category.is_in(list(CREDITS.values())).to_numpy()
    medians = {k: float(v[0]) for k, v in DEBITS.items()}
    elasticity = {k: float(v[1]) for k, v in DEBITS.items()}
    median = category.replace_strict(medians, default=0.0, return_dtype=pl.Float64).to_numpy()
    slope = category.replace_strict(elasticity, default=0.0, return_dtype=pl.Float64).to_numpy()
    spent = median * (income / REFERENCE_INCOME) ** slope * np.exp(0.6 * b.normal())
    return np.where(debit, -np.round(spent, 2), np.round(income / 12 * NET_OF_GROSS, 2))


PRODUCT_TABLE = Table(
    name=PRODUCTS,
    description="The product catalogue behind the offers, with its lending criteria",
    rows=len(PRODUCT_ROWS),
    scales=False,
    primary_key=("product_code",),
    csv=CsvMapping(description="one product per line, columns named as the table"),
    columns=(
        Column("product_code", "text", gen.fixed([p[0] for p in PRODUCT_ROWS]), nullable=False),
        Column("name", "text", gen.fixed([p[1] for p in PRODUCT_ROWS]), nullable=False),
        Column(
            "family",
            "text",
            gen.fixed([p[2] for p in PRODUCT_ROWS]),
            nullable=False,
            description="card, loan, mortgage, savings or insurance",
        ),
        Column("rate_pct", "decimal", gen.fixed([p[3] for p in PRODUCT_ROWS]), nullable=False),
        Column("annual_fee", "decimal", gen.fixed([float(p[4]) for p in PRODUCT_ROWS])),
        Column("min_credit_score", "integer", gen.fixed([p[5] for p in PRODUCT_ROWS])),
        Column("min_income", "decimal", gen.fixed([float(p[6]) for p in PRODUCT_ROWS])),
    ),
)

TRANSACTION_TABLE = Table(
    name=TRANSACTIONS,
    description="Six months of account and card transactions (salary credits, debits by category)",
    rows=5000,
    primary_key=("id",),
    references=(Reference("customer_id", CUSTOMERS, "customer_id"),),
    csv=CsvMapping(description="one transaction per line; ids are generated", generated=("id",)),
    columns=(
        Column("id", "bigint", gen.row_number(), nullable=False),
        Column(
            "customer_id",
            "text",
            lambda b: b.lookup(CUSTOMERS, "customer_id", _customer_rows(b)),
            nullable=False,
            csv=CsvColumn(required=True),
        ),
        Column("posted_on", "date", gen.dates(date(2024, 1, 1), date(2024, 6, 30)), nullable=False),
        Column(
            "category",
            "text",
            _category,
            nullable=False,
            description="a debit category, or salary, pension, benefits or allowance (credits)",
        ),
        Column(
            "channel",
            "text",
            gen.choice_by(
                "category",
                {
                    **{credit: (("transfer",), (1,)) for credit in dict.fromkeys(CREDITS.values())},
                    "housing": (("direct_debit",), (1,)),
                    "utilities": (("direct_debit", "online"), (85, 15)),
                    "cash": (("atm", "branch"), (90, 10)),
                    "transfer": (("online", "mobile", "branch"), (45, 45, 10)),
                },
                default=(("card", "online", "mobile"), (70, 15, 15)),
            ),
            nullable=False,
            description="card, online, mobile, atm, branch, direct_debit or transfer",
        ),
        Column(
            "amount",
            "decimal",
            _amount,
            nullable=False,
            description="GBP; credits positive, debits negative",
        ),
    ),
)
