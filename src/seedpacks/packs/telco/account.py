"""Telco customers' contract, payment and churn: choices by the customer's other columns.

Each is a logit on the columns named in its coefficients; the coefficients were calibrated on
generated customers so that the public IBM Telco file's cross-tabulations come out (figures in
the comments and in the table's docstring).
"""

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from seedpacks.packs import gen
from seedpacks.packs.depend import Rows, depends
from seedpacks.packs.telco.services import FIBER

M2M, ONE_YEAR, TWO_YEAR = "Month-to-month", "One year", "Two year"
CONTRACTS = (M2M, ONE_YEAR, TWO_YEAR)
ECHECK = "Electronic check"
PAYMENTS = (ECHECK, "Mailed check", "Bank transfer (automatic)", "Credit card (automatic)")

Feature = Callable[[Rows], np.ndarray]


def _is(column: str, value: object) -> Feature:
    return lambda b: (b[column] == value).fill_null(False).to_numpy().astype(np.float64)


FEATURES: dict[str, Feature] = {
    "tenure": lambda b: b["tenure"].to_numpy() / 72.0,
    "tech_support": _is("tech_support", "Yes"),
    "online_security": _is("online_security", "Yes"),
    "online_backup": _is("online_backup", "Yes"),
    "device_protection": _is("device_protection", "Yes"),
    "fiber": _is("internet_service", FIBER),
    "no_internet": _is("internet_service", "No"),
    "one_year": _is("contract", ONE_YEAR),
    "two_year": _is("contract", TWO_YEAR),
    "echeck": _is("payment_method", ECHECK),
    "mailed_check": _is("payment_method", "Mailed check"),
    "multiple_lines": _is("multiple_lines", "Yes"),
    "streaming_tv": _is("streaming_tv", "Yes"),
    "streaming_movies": _is("streaming_movies", "Yes"),
    "senior": _is("senior_citizen", True),
    "partner": _is("partner", True),
    "dependents": _is("dependents", True),
    "paperless": _is("paperless_billing", True),
}
_READS = {
    "tenure": "tenure",
    "tech_support": "tech_support",
    "online_security": "online_security",
    "online_backup": "online_backup",
    "device_protection": "device_protection",
    "fiber": "internet_service",
    "no_internet": "internet_service",
    "one_year": "contract",
    "two_year": "contract",
    "echeck": "payment_method",
    "mailed_check": "payment_method",
    "multiple_lines": "multiple_lines",
    "streaming_tv": "streaming_tv",
    "streaming_movies": "streaming_movies",
    "senior": "senior_citizen",
    "partner": "partner",
    "dependents": "dependents",
    "paperless": "paperless_billing",
}


def linear(b: Rows, coefficients: Mapping[str, float]) -> np.ndarray:
    """Return base + the sum of coefficient x feature over the named features."""
    out = np.full(len(b), float(coefficients.get("base", 0.0)))
    for name, weight in coefficients.items():
        if name != "base":
            out += weight * FEATURES[name](b)
    return out


def probabilities(b: Rows, utilities: Sequence[Mapping[str, float]]) -> np.ndarray:
    """Return the multinomial logit's probabilities (rows x choices; the first choice's
    utility is 0)."""
    u = np.stack([np.zeros(len(b)), *(linear(b, c) for c in utilities)], axis=1)
    e = np.exp(u - u.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _reads(*coefficients: Mapping[str, float]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_READS[n] for c in coefficients for n in c if n != "base"))


def _pick(values: Sequence[str], p: np.ndarray, u: np.ndarray) -> np.ndarray:
    cumulative = np.cumsum(p, axis=1)
    index = np.minimum((u[:, None] >= cumulative).sum(axis=1), len(values) - 1)
    return np.asarray(values, dtype=object)[index]


# One year and two year against month-to-month. Contracts lengthen with tenure (mean tenure
# 18 months month-to-month, 42 one year, 57 two year); fiber customers stay month-to-month
# (69 %), customers without internet sign two-year contracts (42 %); customers without tech
# support are month-to-month 77 % of the time, with it 33 %.
CONTRACT_UTILITIES = (
    {"base": -4.76, "tenure": 5.67, "tech_support": 2.26, "online_security": 1.57, "fiber": -1.38,
     "no_internet": 3.27},
    {"base": -6.84, "tenure": 10.75, "tech_support": 0.97, "online_security": 0.77,
     "fiber": -2.73, "no_internet": 3.34},
)  # fmt: skip


@depends(
    _reads(*CONTRACT_UTILITIES),
    "a multinomial logit: longer contracts with tenure, tech support and online security, "
    "shorter with fiber, longer without internet",
)
def contract(b: gen.Block) -> np.ndarray:
    """Month-to-month, One year or Two year."""
    return _pick(CONTRACTS, probabilities(b, CONTRACT_UTILITIES), b.uniform())


# Mailed check, bank transfer, credit card against electronic check. Electronic check is the
# month-to-month payment (48 % of them, 10 % of two-year contracts) and the fiber one (51.5 %),
# mailed checks the no-internet one (51 %) and the newest customers' (mean tenure 22 months,
# electronic check 25), automatic payments the long-standing customers' (44).
PAYMENT_UTILITIES = (
    {"base": -0.04, "tenure": -1.44, "one_year": 0.42, "two_year": 1.68, "fiber": -1.58,
     "no_internet": 2.33},
    {"base": -1.37, "tenure": 1.88, "one_year": 0.4, "two_year": 0.98, "fiber": -0.7,
     "no_internet": 1.74},
    {"base": -1.39, "tenure": 1.61, "one_year": 0.66, "two_year": 1.2, "fiber": -0.64,
     "no_internet": 1.73},
)  # fmt: skip


@depends(
    _reads(*PAYMENT_UTILITIES),
    "a multinomial logit: electronic check for month-to-month and fiber customers, automatic "
    "payments for long contracts and tenures, mailed checks without internet",
)
def payment_method(b: gen.Block) -> np.ndarray:
    """One of the file's four payment methods."""
    return _pick(PAYMENTS, probabilities(b, PAYMENT_UTILITIES), b.uniform())


# Churn falls with tenure: log-odds at these months, interpolated in between.
CHURN_TENURE = ((1, 0.14), (6, -0.82), (12, -1.37), (24, -1.67), (36, -1.8), (48, -1.8),
                (60, -2.0), (72, -2.39))  # fmt: skip
# The file's churn by group, all within sampling error: month-to-month 0.427, one year 0.113,
# two year 0.028; fiber 0.419, DSL 0.190, no internet 0.074; electronic check 0.453; seniors
# 0.417; paperless billing 0.336; without tech support 0.416, without online security 0.418;
# with dependents 0.155; by tenure 0.62 in the first month down to 0.066 after five years.
CHURN_LOGIT = {
    "one_year": -0.34, "two_year": -1.52, "fiber": 0.82, "no_internet": -1.3, "echeck": 0.51,
    "mailed_check": -0.05, "senior": 0.31, "paperless": 0.65, "tech_support": -0.71,
    "online_security": -0.76, "online_backup": -0.35, "device_protection": -0.39,
    "dependents": -0.68, "multiple_lines": 0.27, "streaming_tv": 0.33, "streaming_movies": 0.31,
}  # fmt: skip


def churn_probability(b: Rows) -> np.ndarray:
    """Return each customer's probability of having left within the last month."""
    months, offsets = zip(*CHURN_TENURE, strict=True)
    logit = linear(b, CHURN_LOGIT) + np.interp(b["tenure"].to_numpy(), months, offsets)
    return np.where(b["tenure"].to_numpy() == 0, 0.0, 1 / (1 + np.exp(-logit)))


@depends(
    ("tenure", *_reads(CHURN_LOGIT)),
    "a logit: churn falls with tenure and contract length, rises with fiber, electronic "
    "checks, paperless billing and age, falls with tech support and online security; none "
    "in the first month",
)
def churn(b: gen.Block) -> np.ndarray:
    """Whether the customer left within the last month."""
    return b.uniform() < churn_probability(b)
