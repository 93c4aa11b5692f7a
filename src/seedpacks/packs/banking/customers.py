"""Banking customers: profile, means, credit score and the products they hold.

The dependencies a retail banker expects, with the figures they follow (UK customers, scores
on the 300-850 FICO scale):

- Age: a normal of mean 47 and sd 17 truncated to 18-90 (mean 48.4, near the UK adult median
  age of 48). Employment by life stage: under 25s 55% employed and 34% students, 25-65 74%
  employed and 14% self-employed, over 65 82% retired.
- Income rises to mid-career and falls after it, as full-time earnings by age do in the ONS
  survey of hours and earnings (ASHE 2023): for the employed and self-employed the median is
  the status's median (employed 32,000 GBP, self-employed 30,000) times 0.62 at 18-21, 0.86 at
  22-29, 1.06 at 30-39, 1.13 at 40-49, 1.07 at 50-59 and 0.93 from 60; retired 21,000 (the
  pensioner median), students 9,000, unemployed 12,000; lognormal around these medians (log-sd
  0.5, self-employed 0.8, retired 0.45, students 0.5, unemployed 0.4).
- Credit score by age as in Experian's 2023 State of Credit (mean FICO by generation): 680 up
  to 26, 690 at 27-42, 709 at 43-58, 745 at 59-77 and 760 from 78, within-age sd about 75
  (a normal of sd 80 truncated to 300-850). Income and score are joined by a Gaussian copula
  of correlation 0.35 (Spearman 0.34 among people of one age band and status): scores rise
  with income, but income explains only part of a score.
- Tenure with the bank is at most age - 18 years (nobody banks with us before 18) and at most
  40, skewed to shorter relationships: a draw u**1.3 of that span.
- Online or mobile banking by age, as ONS internet-banking use: 85% up to 24, 91% at 25-34,
  89% at 35-44, 82% at 45-54, 71% at 55-64, 55% at 65-74, 27% from 75.
- A credit card by credit score: 15% below 580, 45% at 580-669, 65% at 670-739, 80% from 740
  (about 62% overall, as the FCA's Financial Lives survey finds for UK adults).
- Lending is refused below a score of 580: nobody there holds a loan or a mortgage. From 580 a
  personal or car loan is held by 10% of under 25s, 18% at 25-44, 12% at 45-64, 4% after.
- Mortgages by age, shaped as the English Housing Survey's mortgagors: 4% up to 24, 35% at
  25-34, 52% at 35-44, 45% at 45-54, 22% at 55-64, 6% at 65-74, 2% after; times 0.3 below
  20,000 GBP of income, 1.3 at 35,000-59,999 and 1.5 from 60,000 (capped at 95%).
- Savings by income (35% below 15,000 GBP, 55% to 29,999, 70% to 59,999, 85% from 60,000),
  10 points fewer under 35 and 8 points more from 65. Insurance with a mortgage 70% (a
  mortgage needs buildings cover), without 25%.
- The average current-account balance is lognormal around 45% of the monthly gross income
  (log-sd 0.8).
"""

import numpy as np
import polars as pl

from seedpacks.packs import gen
from seedpacks.packs.depend import By, Linear, Steps, Sum, depends
from seedpacks.packs.model import Column, Copula, CsvColumn, CsvMapping, Table

CUSTOMERS = "banking_customers"
FLAG = CsvColumn(parse={"true": ["Yes", "Y", "1"], "false": ["No", "N", "0"]})
EMPLOYMENT = ("employed", "self_employed", "retired", "student", "unemployed")
# Median yearly gross income (GBP) and its log-sd by employment status.
INCOME = {
    "employed": (32_000, 0.5),
    "self_employed": (30_000, 0.8),
    "retired": (21_000, 0.45),
    "student": (9_000, 0.5),
    "unemployed": (12_000, 0.4),
}
# Earnings by age relative to the all-age median (the shape of ONS ASHE 2023, full time).
EARNINGS_BY_AGE = Steps("age", ((21, 0.62), (29, 0.86), (39, 1.06), (49, 1.13), (59, 1.07)), 0.93)
WORKING = ("employed", "self_employed")
# Mean score before truncation to 300-850, so that the truncated means are Experian's
# 680, 690, 709, 745 and 760.
CREDIT_BY_AGE = Steps("age", ((26, 684), (42, 695), (58, 718), (77, 767)), 792)
REFUSED_BELOW = 580
LOAN_BY_AGE = Steps("age", ((24, 0.10), (44, 0.18), (64, 0.12)), 0.04)
MORTGAGE_BY_AGE = Steps(
    "age", ((24, 0.04), (34, 0.35), (44, 0.52), (54, 0.45), (64, 0.22), (74, 0.06)), 0.02
)
MORTGAGE_BY_INCOME = Steps("annual_income", ((19_999, 0.3), (34_999, 1.0), (59_999, 1.3)), 1.5)


def _life_stage(b: gen.Block) -> np.ndarray:
    age = b["age"].to_numpy()
    return np.where(age < 25, "young", np.where(age >= 66, "senior", "prime"))


@depends(
    ("employment_status", "age"),
    "lognormal around the status's median; for the employed and self-employed times an "
    "earnings factor by age (0.62 at 18-21 up to 1.13 at 40-49, 0.93 from 60)",
)
def _income(b: gen.Block) -> np.ndarray:
    status = b["employment_status"]
    median = status.replace_strict({k: v[0] for k, v in INCOME.items()}, return_dtype=pl.Float64)
    sigma = status.replace_strict({k: v[1] for k, v in INCOME.items()}, return_dtype=pl.Float64)
    working = status.is_in(WORKING).to_numpy()
    factor = np.where(working, EARNINGS_BY_AGE(b), 1.0)
    value = median.to_numpy() * factor * np.exp(sigma.to_numpy() * b.normal())
    return np.round(np.clip(value, 3_000, 500_000), -2)


@depends("age", "u**1.3 of the years since 18, at most 40: never longer than an adult life")
def _tenure_years(b: gen.Block) -> np.ndarray:
    span = np.minimum(b["age"].to_numpy() - 18, 40) + 1
    return np.floor(b.uniform() ** 1.3 * span).astype(np.int64)


def _lendable(b: gen.Block) -> np.ndarray:
    return b["credit_score"].to_numpy() >= REFUSED_BELOW


@depends(("age", "credit_score"), "by bands of age (10%, 18%, 12%, 4%); none below a score of 580")
def _has_loan(b: gen.Block) -> np.ndarray:
    return _lendable(b) & (b.uniform() < LOAN_BY_AGE(b))


@depends(
    ("age", "annual_income", "credit_score"),
    "rate by age band (peak 52% at 35-44) times an income factor (0.3 to 1.5), at most 95%; "
    "none below a score of 580",
)
def _has_mortgage(b: gen.Block) -> np.ndarray:
    rate = np.minimum(MORTGAGE_BY_AGE(b) * MORTGAGE_BY_INCOME(b), 0.95)
    return _lendable(b) & (b.uniform() < rate)


_SAVINGS = Sum(
    (
        Steps("annual_income", ((14_999, 0.35), (29_999, 0.55), (59_999, 0.70)), 0.85),
        Steps("age", ((34, -0.10), (64, 0.0)), 0.08),
    )
)


def _flag(name: str, generate: gen.Generator, description: str) -> Column:
    return Column(name, "boolean", generate, nullable=False, description=description, csv=FLAG)


CUSTOMER_TABLE = Table(
    name=CUSTOMERS,
    description=(
        "Retail bank customers: profile, means, credit score and the products they hold; "
        "income by age and status, score by age and income, holdings by life stage and means"
    ),
    rows=1000,
    primary_key=("customer_id",),
    csv=CsvMapping(description="one customer per line, columns named as the table"),
    copulas=(
        Copula(
            "income_credit",
            ("annual_income", "credit_score"),
            ((1.0, 0.35), (0.35, 1.0)),
            "credit scores rise with income (correlation 0.35 of the normal scores)",
        ),
    ),
    columns=(
        Column(
            "customer_id",
            "text",
            gen.formatted_id("BK", 7),
            nullable=False,
            csv=CsvColumn(aliases=("id", "customerId"), required=True),
        ),
        Column("age", "integer", gen.truncnormal(47, 17, low=18, high=90), nullable=False),
        Column(
            "employment_status",
            "text",
            depends(
                "age",
                "weights of employed/self-employed/retired/student/unemployed by age: under 25 "
                "55/3/0/34/8, 25-65 74/14/3/1/8, over 65 10/8/82/0/0",
            )(
                gen.choice_by(
                    _life_stage,
                    {
                        "young": (EMPLOYMENT, (55, 3, 0, 34, 8)),
                        "prime": (EMPLOYMENT, (74, 14, 3, 1, 8)),
                        "senior": (EMPLOYMENT, (10, 8, 82, 0, 0)),
                    },
                )
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
        Column(
            "credit_score",
            "integer",
            gen.truncnormal(CREDIT_BY_AGE, 80, low=300, high=850),
            nullable=False,
            description="300-850",
        ),
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
        _flag(
            "digital_active",
            gen.chance(
                Steps(
                    "age",
                    ((24, 0.85), (34, 0.91), (44, 0.89), (54, 0.82), (64, 0.71), (74, 0.55)),
                    0.27,
                )
            ),
            "used mobile or online banking in the last 30 days",
        ),
        _flag(
            "has_credit_card",
            gen.chance(Steps("credit_score", ((579, 0.15), (669, 0.45), (739, 0.65)), 0.80)),
            "holds a credit card",
        ),
        _flag("has_personal_loan", _has_loan, "has a personal or car loan"),
        _flag("has_mortgage", _has_mortgage, "has a mortgage"),
        _flag("has_savings", gen.chance(_SAVINGS), "holds a savings account"),
        _flag(
            "has_insurance",
            gen.chance(By("has_mortgage", {True: 0.70}, default=0.25)),
            "holds any bank insurance",
        ),
        Column(
            "avg_monthly_balance",
            "decimal",
            depends("annual_income", "lognormal around 45% of a month's income (log-sd 0.8)")(
                gen.lognormal_by(Linear("annual_income", 0.45 / 12, 0, 0), 0.8, low=0, high=5e6)
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
