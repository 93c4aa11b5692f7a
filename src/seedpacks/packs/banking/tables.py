"""Banking NBA tables: retail customers with the products they hold, the product catalogue and
card/account transactions.

Holdings follow life stage and means: mortgages for 30-60-year-olds with income, savings and
insurance grow with age and income, cards with the credit score; the digitally active are young.
"""

from datetime import date

import numpy as np
import polars as pl

from seedpacks.packs import gen
from seedpacks.packs.model import Column, CsvColumn, CsvMapping, Reference, Table

CUSTOMERS = "banking_customers"
PRODUCTS = "banking_products"
TRANSACTIONS = "banking_transactions"
FLAG = CsvColumn(parse={"true": ["Yes", "Y", "1"], "false": ["No", "N", "0"]})

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


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _life_stage(b: gen.Block) -> np.ndarray:
    age = b["age"].to_numpy()
    return np.where(age < 25, "young", np.where(age >= 66, "senior", "prime"))


_EMPLOYMENT = ("employed", "self_employed", "retired", "student", "unemployed")
_INCOME = {  # median yearly income and spread (log sd) by employment status
    "employed": (42000, 0.5),
    "self_employed": (46000, 0.75),
    "retired": (26000, 0.45),
    "student": (9000, 0.5),
    "unemployed": (12000, 0.4),
}


def _income(b: gen.Block) -> np.ndarray:
    status = b["employment_status"]
    median = status.replace_strict({k: v[0] for k, v in _INCOME.items()}, return_dtype=pl.Float64)
    sigma = status.replace_strict({k: v[1] for k, v in _INCOME.items()}, return_dtype=pl.Float64)
    value = median.to_numpy() * np.exp(sigma.to_numpy() * b.normal())
    return np.round(np.clip(value, 5000, 500000), -2)


def _log_income(b: gen.Block) -> np.ndarray:
    return np.log(b["annual_income"].to_numpy() / 40000)


def _credit_score(b: gen.Block) -> np.ndarray:
    age = b["age"].to_numpy()
    score = 690 + 35 * _log_income(b) + 1.2 * (np.minimum(age, 70) - 45) + 65 * b.normal()
    return np.clip(np.rint(score), 300, 850).astype(np.int64)


def _tenure_years(b: gen.Block) -> np.ndarray:
    span = np.minimum(b["age"].to_numpy() - 18, 40) + 1
    return np.floor(b.uniform() ** 1.3 * span).astype(np.int64)


def _centred_age(b: gen.Block) -> np.ndarray:
    return (b["age"].to_numpy() - 45) / 15


def _credit(b: gen.Block) -> np.ndarray:
    return (b["credit_score"].to_numpy() - 690) / 70


_TXN_CATEGORIES = ("groceries", "dining", "shopping", "utilities", "transfer", "cash", "travel",
                   "housing", "salary")  # fmt: skip
# Median amount per category (salary is a credit, the rest debits).
_TXN_MEDIAN = {"groceries": 45, "dining": 28, "shopping": 60, "utilities": 85, "transfer": 150,
               "cash": 60, "travel": 320, "housing": 950, "salary": 2600}  # fmt: skip


def _customer_rows(b: gen.Block) -> np.ndarray:
    return gen.referenced_rows(b, CUSTOMERS, b.uniform_named("customer"))


def _amount(b: gen.Block) -> np.ndarray:
    category = b["category"]
    median = category.replace_strict(_TXN_MEDIAN, return_dtype=pl.Float64).to_numpy()
    amount = np.round(median * np.exp(0.6 * b.normal()), 2)
    salary = (category == "salary").to_numpy()
    income = b.lookup(CUSTOMERS, "annual_income", _customer_rows(b)).to_numpy()
    return np.where(salary, np.round(income / 12 * 0.75, 2), -amount)


def _holds(logit: gen.Keys) -> gen.Generator:
    return gen.bernoulli(lambda b: np.asarray(logit(b), dtype=np.float64))


def _flag_column(name: str, logit: gen.Keys, description: str) -> Column:
    return Column(name, "boolean", _holds(logit), nullable=False, description=description, csv=FLAG)


CUSTOMER_TABLE = Table(
    name=CUSTOMERS,
    description="Retail bank customers: profile, means, credit score and the products they hold",
    rows=1000,
    primary_key=("customer_id",),
    indexes=(("credit_score",), ("annual_income",)),
    csv=CsvMapping(description="one customer per line, columns named as the table"),
    columns=(
        Column(
            "customer_id",
            "text",
            gen.formatted_id("BK", 7),
            nullable=False,
            csv=CsvColumn(aliases=("id", "customerId"), required=True),
        ),
        Column("age", "integer", gen.normal(45, 16, low=18, high=90), nullable=False),
        Column(
            "employment_status",
            "text",
            gen.choice_by(
                _life_stage,
                {
                    "young": (_EMPLOYMENT, (55, 3, 0, 34, 8)),
                    "prime": (_EMPLOYMENT, (74, 14, 3, 1, 8)),
                    "senior": (_EMPLOYMENT, (10, 8, 82, 0, 0)),
                },
            ),
            nullable=False,
            description="employed, self_employed, retired, student or unemployed",
        ),
        Column(
            "annual_income",
            "decimal",
            _income,
            nullable=False,
            description="gross yearly income, GBP",
            csv=CsvColumn(aliases=("income",)),
        ),
        Column("credit_score", "integer", _credit_score, nullable=False, description="300-850"),
        Column(
            "region",
            "text",
            gen.choice(
                [
                    "London",
                    "South East",
                    "North West",
                    "Midlands",
                    "Scotland",
                    "Wales",
                    "South West",
                ],
                [18, 16, 14, 18, 12, 8, 14],
            ),
            nullable=False,
        ),
        Column(
            "tenure_years", "integer", _tenure_years, nullable=False, description="with the bank"
        ),
        _flag_column(
            "digital_active",
            lambda b: 1.6 - 1.1 * _centred_age(b),
            "used mobile or online banking in the last 30 days",
        ),
        _flag_column(
            "has_credit_card",
            lambda b: -0.4 + 0.9 * _credit(b) + 0.5 * _log_income(b),
            "holds a credit card",
        ),
        _flag_column(
            "has_personal_loan",
            lambda b: -1.8 + 0.4 * _log_income(b) - 0.4 * _centred_age(b),
            "has a personal or car loan",
        ),
        _flag_column(
            "has_mortgage",
            lambda b: (
                -1.3
                + 0.9 * _log_income(b)
                + 1.4 * ((b["age"].to_numpy() >= 30) & (b["age"].to_numpy() <= 62))
            ),
            "has a mortgage",
        ),
        _flag_column(
            "has_savings",
            lambda b: -0.1 + 0.6 * _log_income(b) + 0.4 * _centred_age(b),
            "holds a savings account",
        ),
        _flag_column(
            "has_insurance",
            lambda b: -1.2 + 1.0 * b["has_mortgage"].to_numpy() + 0.3 * _centred_age(b),
            "holds any bank insurance",
        ),
        Column(
            "avg_monthly_balance",
            "decimal",
            lambda b: np.round(
                b["annual_income"].to_numpy() / 12 * 0.45 * np.exp(0.8 * b.normal()), 2
            ),
            nullable=False,
            description="current account, GBP",
        ),
        Column(
            "preferred_channel",
            "text",
            gen.choice_by(
                "digital_active",
                {
                    True: (("mobile", "email", "branch", "call_centre"), (60, 25, 8, 7)),
                    False: (("branch", "call_centre", "email", "mobile"), (50, 25, 20, 5)),
                },
            ),
            nullable=False,
        ),
    ),
)

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
    indexes=(("customer_id",), ("posted_on",)),
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
            gen.choice(_TXN_CATEGORIES, (24, 12, 15, 10, 10, 6, 3, 5, 15)),
            nullable=False,
        ),
        Column(
            "channel",
            "text",
            gen.choice_by(
                "category",
                {
                    "salary": (("transfer",), (1,)),
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
