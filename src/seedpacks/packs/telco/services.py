"""Telco customers' tenure, services and charges, after the public IBM Telco file.

Figures in comments are the public file's (7,043 customers).
"""

from collections.abc import Sequence

import numpy as np
import polars as pl
from scipy import special

from seedpacks.packs import gen
from seedpacks.packs.depend import depends
from seedpacks.packs.model import Copula

NO_INTERNET = "No internet service"
NO_PHONE = "No phone service"
FIBER = "Fiber optic"

# Kumaraswamy shapes of tenure / 72 by partner: customers with a partner stay longer (mean 42
# months, 18 % at 69 or more) than those without (mean 23, 3.7 %); both U-shaped, with a peak
# of one-month customers (8.7 %) and the file's spike at its 72-month cap (5.1 %).
TENURE_SHAPES = {True: (0.69, 0.53), False: (0.41, 0.90)}
NEW_CUSTOMERS = 0.0016  # tenure 0: 11 of 7,043


@depends(
    "partner",
    "months 0-72, U-shaped; longer with a partner (mean 42, 18 % at 69 or more) than "
    "without (mean 23, 3.7 %)",
)
def tenure(b: gen.Block) -> np.ndarray:
    """Months with the company, by partner; lane 0 is the services copula's draw."""
    u = b.uniform(0)
    partner = b["partner"].to_numpy()
    a = np.where(partner, TENURE_SHAPES[True][0], TENURE_SHAPES[False][0])
    k = np.where(partner, TENURE_SHAPES[True][1], TENURE_SHAPES[False][1])
    # The Kumaraswamy distribution's closed-form quantile keeps the copula's ranks.
    x = (1 - (1 - u) ** (1 / k)) ** (1 / a)
    months = np.clip(np.floor(1 + 72 * x), 1, 72).astype(np.int64)
    return np.where(b.uniform(1) < NEW_CUSTOMERS, 0, months)


# Services taken: a multivariate probit. Each service's Yes is its latent normal above a
# threshold (its share given the internet type); each latent correlates with tenure's
# (long-standing customers have added services: what makes tenure and monthly charges correlate,
# Pearson 0.25 in the file) and through it with the others; the two streaming services go
# together beyond that.
SERVICES = ("multiple_lines", "online_security", "online_backup", "device_protection",
            "tech_support", "streaming_tv", "streaming_movies")  # fmt: skip
_WITH_TENURE = (0.38, 0.47, 0.50, 0.50, 0.46, 0.40, 0.41)
_STREAMING_EXTRA = 0.35  # correlation of TV and movies beyond what tenure explains


def _services_correlation() -> tuple[tuple[float, ...], ...]:
    """Tenure first, then the services: tenure is the common factor of the services."""
    loadings = (1.0, *_WITH_TENURE)
    streaming = {1 + SERVICES.index("streaming_tv"), 1 + SERVICES.index("streaming_movies")}
    return tuple(
        tuple(
            1.0 if i == j else round(a * b + (_STREAMING_EXTRA if {i, j} == streaming else 0), 4)
            for j, b in enumerate(loadings)
        )
        for i, a in enumerate(loadings)
    )


SERVICES_COPULA = Copula(
    "tenure_services",
    ("tenure", *SERVICES),
    _services_correlation(),
    "services are taken more the longer the tenure and go together (one common factor; "
    "streaming TV and movies closer still): tenure and monthly charges correlate "
    "(Pearson 0.25 in the file)",
)


def multiple_lines() -> gen.Generator:
    """Yes for 46.7 % of phone customers, 'No phone service' exactly without phone service."""
    return gen.choice_by(
        "phone_service", {True: (("No", "Yes"), (53.3, 46.7)), False: ((NO_PHONE,), (1,))}
    )


# Internet by phone service, multiple lines and age: customers without phone service all have
# DSL; fiber goes with multiple lines (66 % of them, 33 % of single lines) and with seniors (73 %
# of seniors have fiber, 5 % no internet).
_INTERNET = ("Fiber optic", "DSL", "No")
INTERNET_WEIGHTS = {
    (True, "Yes", True): (90.0, 8.0, 2.0),
    (True, "Yes", False): (61.3, 24.4, 14.3),
    (True, "No", True): (75.0, 18.0, 7.0),
    (True, "No", False): (26.4, 33.6, 40.0),
}


def internet_service() -> gen.Generator:
    """DSL, Fiber optic or No, by phone service, multiple lines and senior citizen."""
    options: dict[tuple[object, ...], tuple[Sequence[str], Sequence[float]]] = {
        key: (_INTERNET, w) for key, w in INTERNET_WEIGHTS.items()
    }
    for senior in (True, False):
        options[(False, NO_PHONE, senior)] = (("DSL",), (1,))
    return gen.choice_by_columns(("phone_service", "multiple_lines", "senior_citizen"), options)


def add_on(dsl: float, fiber: float) -> gen.Generator:
    """An internet add-on: 'No internet service' exactly without internet, else Yes/No with
    the share given; Yes for the highest draws, so that the copula's factor raises it."""
    return gen.choice_by(
        "internet_service",
        {
            "No": ((NO_INTERNET,), (1,)),
            "DSL": (("No", "Yes"), (1 - dsl, dsl)),
            FIBER: (("No", "Yes"), (1 - fiber, fiber)),
        },
    )


# Prices read off the file: phone 20, a second line 5, DSL 25, fiber 50, each protection add-on
# 5, each streaming service 10; each customer's price deviates by about 3 % (promotions,
# price changes), within the file's range 18.25-118.75.
PRICES = {"multiple_lines": 5.0, "online_security": 5.0, "online_backup": 5.0,
          "device_protection": 5.0, "tech_support": 5.0, "streaming_tv": 10.0,
          "streaming_movies": 10.0}  # fmt: skip
LOWEST, HIGHEST = 18.25, 118.75
DEVIATION = 0.03


@depends(
    ("phone_service", "internet_service", *SERVICES),
    "the price of the services taken (phone 20, second line 5, DSL 25, fiber 50, add-ons 5, "
    "streaming 10 each), give or take 3 %, within 18.25-118.75",
)
def monthly_charges(b: gen.Block) -> np.ndarray:
    """The price of the services taken, to the nearest 0.05 like the file."""
    internet = b["internet_service"]
    price = 20.0 * b["phone_service"].to_numpy() + np.where(
        internet == "DSL", 25.0, np.where(internet == FIBER, 50.0, 0.0)
    )
    for name, amount in PRICES.items():
        price = price + amount * (b[name] == "Yes").to_numpy()
    # A truncated normal deviation (its quantile of the row's draw): no pile-up at the bounds.
    sd = DEVIATION * price
    low, high = special.ndtr((LOWEST - price) / sd), special.ndtr((HIGHEST - price) / sd)
    u = np.clip(low + b.uniform() * (high - low), 1e-12, 1 - 1e-12)
    charged = np.clip(price + sd * special.ndtri(u), LOWEST, HIGHEST)
    return np.clip(np.round(charged * 20) / 20, LOWEST, HIGHEST)


@depends(
    ("tenure", "monthly_charges"),
    "tenure x monthly charges, give or take past price changes (less for long tenures); "
    "NULL (blank in the file) at tenure 0",
)
def total_charges(b: gen.Block) -> pl.Series:
    """What the customer paid so far; NULL in the first month."""
    tenure = b["tenure"].to_numpy()
    monthly = b["monthly_charges"].to_numpy()
    # Past months were billed at other prices: the average deviates less the more months.
    spread = 0.01 + 0.06 / np.sqrt(np.maximum(tenure, 1))
    drift = np.where(tenure <= 1, 1.0, np.clip(1 + spread * b.normal(), 0.85, 1.15))
    total = np.round(np.maximum(monthly * tenure * drift, monthly), 2)
    return pl.Series(total).scatter(np.flatnonzero(tenure == 0), None)
