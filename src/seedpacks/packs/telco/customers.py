"""Telco customers, after the public IBM Telco Customer Churn file (7,043 customers, 21 columns).

Columns keep the file's meaning in snake_case; Yes/No columns are booleans, the three-valued
service columns ('No internet service', 'No phone service') stay text as published. Correlations
follow the file: contracts lengthen with tenure, charges add up from the services taken,
TotalCharges ~ tenure x MonthlyCharges (blank for new customers), churn concentrates in new,
month-to-month, fiber, electronic-check customers.
"""

import numpy as np
import polars as pl

from seedpacks.packs import gen
from seedpacks.packs.model import Column, CsvColumn, CsvMapping, Table

CUSTOMERS = "telco_customers"
M2M, ONE_YEAR, TWO_YEAR = "Month-to-month", "One year", "Two year"
NO_INTERNET = "No internet service"
YES_NO = {"true": ["Yes", "1"], "false": ["No", "0"]}


def _yes_no(alias: str) -> CsvColumn:
    return CsvColumn(aliases=(alias,), parse=YES_NO)


def _flag(share: float) -> gen.Generator:
    return gen.choice([True, False], [share, 1 - share])


def _tenure(b: gen.Block) -> np.ndarray:
    # U-shaped like the file (many one-month and 72-month customers; mean 32, median 29):
    # a Kumaraswamy draw by its closed-form inverse, plus a few brand-new (0-month) customers.
    u = b.uniform(0)
    x = (1 - (1 - u) ** (1 / TENURE_SHAPE[1])) ** (1 / TENURE_SHAPE[0])
    months = np.clip(np.floor(1 + 72 * x), 1, 72).astype(np.int64)
    return np.where(b.uniform(1) < 0.0016, 0, months)


TENURE_SHAPE = (0.48, 0.66)


def _contract(b: gen.Block) -> pl.Series:
    tenure = b["tenure"].to_numpy()
    p_m2m = 1 / (1 + np.exp(-(2.7 - 0.075 * tenure)))
    p_two = (1 - p_m2m) / (1 + np.exp(-(-2.4 + 0.05 * tenure)))
    u = b.uniform()
    return pl.Series(np.where(u < p_m2m, M2M, np.where(u < p_m2m + p_two, TWO_YEAR, ONE_YEAR)))


def _add_on(dsl: float, fiber: float) -> gen.Generator:
    """An internet add-on: 'No internet service' without internet, else Yes/No."""
    return gen.choice_by(
        "internet_service",
        {
            "No": ((NO_INTERNET,), (1,)),
            "DSL": (("Yes", "No"), (dsl, 1 - dsl)),
            "Fiber optic": (("Yes", "No"), (fiber, 1 - fiber)),
        },
    )


_PAYMENTS = ("Electronic check", "Mailed check", "Bank transfer (automatic)",
             "Credit card (automatic)")  # fmt: skip


def _monthly_charges(b: gen.Block) -> np.ndarray:
    """The price of the services taken, to the nearest 0.05 like the file (18.25-118.75)."""
    yes = {name: (b[name] == "Yes").to_numpy() for name in _PRICED}
    price = (
        20.0 * b["phone_service"].to_numpy()
        + 5.0 * yes["multiple_lines"]
        + np.where(
            b["internet_service"] == "DSL", 25.0, np.where(b["internet_service"] == "No", 0.0, 55.0)
        )
        + 5.0 * (yes["online_security"] + yes["online_backup"])
        + 5.0 * (yes["device_protection"] + yes["tech_support"])
        + 10.0 * (yes["streaming_tv"] + yes["streaming_movies"])
        + 1.5 * b.normal()
    )
    return np.clip(np.round(price * 20) / 20, 18.25, 118.75)


_PRICED = ("multiple_lines", "online_security", "online_backup", "device_protection",
           "tech_support", "streaming_tv", "streaming_movies")  # fmt: skip


def _total_charges(b: gen.Block) -> pl.Series:
    """tenure x monthly charges, give or take price changes; NULL (blank) at tenure 0."""
    tenure = b["tenure"].to_numpy()
    monthly = b["monthly_charges"].to_numpy()
    drift = np.where(tenure <= 1, 1.0, np.clip(1 + 0.04 * b.normal(), 0.85, 1.15))
    total = np.round(np.maximum(monthly * tenure * drift, monthly), 2)
    return pl.Series(total).scatter(np.flatnonzero(tenure == 0), None)


CHURN_INTERCEPT = -2.36


def _churn(b: gen.Block) -> np.ndarray:
    contract = b["contract"]
    internet = b["internet_service"]
    logit = (
        CHURN_INTERCEPT
        + 1.1 * (contract == M2M).to_numpy()
        - 1.4 * (contract == TWO_YEAR).to_numpy()
        - 0.035 * (b["tenure"].to_numpy() - 32)
        + 0.9 * (internet == "Fiber optic").to_numpy()
        - 0.9 * (internet == "No").to_numpy()
        + 0.45 * (b["payment_method"] == "Electronic check").to_numpy()
        + 0.3 * b["senior_citizen"].to_numpy()
        + 0.3 * b["paperless_billing"].to_numpy()
        - 0.4 * (b["tech_support"] == "Yes").to_numpy()
        - 0.35 * (b["online_security"] == "Yes").to_numpy()
    )
    return b.uniform() < 1 / (1 + np.exp(-logit))


CUSTOMER_TABLE = Table(
    name=CUSTOMERS,
    description="Telecom customers: demographics, services, account and churn, as in the IBM file",
    rows=1000,
    primary_key=("customer_id",),
    indexes=(("contract",), ("churn",)),
    csv=CsvMapping(
        description=(
            "WA_Fn-UseC_-Telco-Customer-Churn.csv as published: the file's CamelCase headers, "
            "Yes/No (SeniorCitizen 1/0) as booleans, blank TotalCharges for 0-month customers"
        ),
        delimiters=(",",),
    ),
    columns=(
        Column(
            "customer_id",
            "text",
            gen.pattern_id("9999-AAAAA"),
            nullable=False,
            description="like 7590-VHVEG",
            csv=CsvColumn(aliases=("customerID",), required=True),
        ),
        Column("gender", "text", gen.choice(["Male", "Female"], [50.5, 49.5]), nullable=False),
        Column(
            "senior_citizen",
            "boolean",
            _flag(0.162),
            nullable=False,
            csv=_yes_no("SeniorCitizen"),
        ),
        Column("partner", "boolean", _flag(0.483), nullable=False, csv=_yes_no("Partner")),
        Column(
            "dependents",
            "boolean",
            gen.choice_by(
                "partner", {True: ((True, False), (50, 50)), False: ((True, False), (11, 89))}
            ),
            nullable=False,
            csv=_yes_no("Dependents"),
        ),
        Column(
            "tenure",
            "integer",
            _tenure,
            nullable=False,
            description="months with the company, 0-72",
            csv=CsvColumn(required=True),
        ),
        Column(
            "phone_service", "boolean", _flag(0.903), nullable=False, csv=_yes_no("PhoneService")
        ),
        Column(
            "multiple_lines",
            "text",
            gen.choice_by(
                "phone_service",
                {True: (("Yes", "No"), (46.7, 53.3)), False: (("No phone service",), (1,))},
            ),
            nullable=False,
            description="Yes, No or 'No phone service'",
            csv=CsvColumn(aliases=("MultipleLines",)),
        ),
        Column(
            "internet_service",
            "text",
            # Customers without phone service all have DSL in the file; fiber comes with a phone.
            gen.choice_by(
                "phone_service",
                {
                    True: (("Fiber optic", "DSL", "No"), (48.7, 27.4, 24.0)),
                    False: (("DSL",), (1,)),
                },
            ),
            nullable=False,
            description="DSL, Fiber optic or No",
            csv=CsvColumn(aliases=("InternetService",)),
        ),
        Column(
            "online_security",
            "text",
            _add_on(0.48, 0.27),
            nullable=False,
            csv=CsvColumn(aliases=("OnlineSecurity",)),
        ),
        Column(
            "online_backup",
            "text",
            _add_on(0.44, 0.45),
            nullable=False,
            csv=CsvColumn(aliases=("OnlineBackup",)),
        ),
        Column(
            "device_protection",
            "text",
            _add_on(0.39, 0.48),
            nullable=False,
            csv=CsvColumn(aliases=("DeviceProtection",)),
        ),
        Column(
            "tech_support",
            "text",
            _add_on(0.48, 0.29),
            nullable=False,
            csv=CsvColumn(aliases=("TechSupport",)),
        ),
        Column(
            "streaming_tv",
            "text",
            _add_on(0.34, 0.60),
            nullable=False,
            csv=CsvColumn(aliases=("StreamingTV",)),
        ),
        Column(
            "streaming_movies",
            "text",
            _add_on(0.34, 0.61),
            nullable=False,
            csv=CsvColumn(aliases=("StreamingMovies",)),
        ),
        Column(
            "contract",
            "text",
            _contract,
            nullable=False,
            description="Month-to-month, One year or Two year",
            csv=CsvColumn(aliases=("Contract",)),
        ),
        Column(
            "paperless_billing",
            "boolean",
            gen.choice_by(
                "internet_service",
                {
                    "Fiber optic": ((True, False), (77, 23)),
                    "DSL": ((True, False), (54, 46)),
                    "No": ((True, False), (29, 71)),
                },
            ),
            nullable=False,
            csv=_yes_no("PaperlessBilling"),
        ),
        Column(
            "payment_method",
            "text",
            gen.choice_by(
                "contract",
                {
                    M2M: (_PAYMENTS, (48, 23, 15, 14)),
                    ONE_YEAR: (_PAYMENTS, (19, 22, 30, 29)),
                    TWO_YEAR: (_PAYMENTS, (8, 23, 35, 34)),
                },
            ),
            nullable=False,
            csv=CsvColumn(aliases=("PaymentMethod",)),
        ),
        Column(
            "monthly_charges",
            "decimal",
            _monthly_charges,
            nullable=False,
            description="USD per month, 18.25-118.75",
            csv=CsvColumn(aliases=("MonthlyCharges",), required=True),
        ),
        Column(
            "total_charges",
            "decimal",
            _total_charges,
            description="USD to date; NULL for customers in their first month (tenure 0)",
            csv=CsvColumn(aliases=("TotalCharges",), sentinels=("", " ")),
        ),
        Column(
            "churn",
            "boolean",
            _churn,
            nullable=False,
            description="left within the last month",
            csv=_yes_no("Churn"),
        ),
    ),
)
