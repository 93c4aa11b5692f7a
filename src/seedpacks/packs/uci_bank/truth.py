"""The ground truth of UCI Bank Marketing: who subscribes a term deposit, on which contact type.

P(subscribed | client, channel) is logistic in the client's row, and the client's own `y` is
drawn from it on the channel the client was called on, so the figures of the file come out of
the truth itself: long calls sell (mean 553 s for subscribers, 221 s for the others), a previous
success sells (0.65), so do earlier contacts, while each further call this campaign lowers the
chance; students (0.29) and the retired (0.23) subscribe most, clients whose default status is
unknown least; the economy matters: in the boom of 2008 (Euribor near 5 %, many employed)
clients hardly subscribed, after the 2009 rate cuts about half did (r(euribor3m, y) = -0.31);
cellular calls convert best (0.147 against 0.052 on the fixed line, partly because the fixed
line was used in the bad months of 2008).
"""

from datetime import date

import numpy as np
import polars as pl

from seedpacks.packs import gen
from seedpacks.packs.depend import depends
from seedpacks.packs.model import Arm, Feature, GroundTruth
from seedpacks.packs.truth import feature_matrix, probabilities

CUSTOMERS = "bank_customers"
OFFER = "uci_term_deposit"
CHANNELS = ("uci_cellular", "uci_telephone", "uci_unknown")

_MONTHS = ("mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# Fitted on generated clients so that the file's figures come out (bench/uci_bank_figures.py).
_WEIGHTS = {
    "duration": 1.72,
    "previous_success": 3.81,
    "previous_failure": -1.33,
    "campaign": -0.08,
    "student": 2.58,
    "retired": 2.01,
    "blue_collar": -0.96,
    "default_unknown": -2.05,
    "nr_employed": -0.08,
    "euribor3m": -1.88,
    "cons_conf_idx": 0.67,
    "cons_price_idx": 0.76,
    "month_mar": 1.87,
    "month_apr": -0.06,
    "month_may": -1.26,
    "month_jun": 0.20,
    "month_jul": 0.15,
    "month_aug": -0.37,
    "month_sep": -0.69,
    "month_oct": -0.14,
    "month_nov": -0.20,
    "month_dec": 0.28,
}
# Cellular, telephone, unknown contact type (bank-full's unknowns converted worst).
_INTERCEPTS = (-2.44, -4.27, -4.77)

FEATURES = (
    Feature("duration", "duration", "numeric", center=258, spread=259),
    Feature("previous_success", "poutcome", "equals", value="success"),
    Feature("previous_failure", "poutcome", "equals", value="failure"),
    Feature("campaign", "campaign", "numeric", center=2.57, spread=2.77),
    Feature("student", "job", "equals", value="student"),
    Feature("retired", "job", "equals", value="retired"),
    Feature("blue_collar", "job", "equals", value="blue-collar"),
    Feature("default_unknown", "default_credit", "is_null"),
    Feature("nr_employed", "nr_employed", "numeric", center=5167, spread=72),
    Feature("euribor3m", "euribor3m", "numeric", center=3.62, spread=1.73),
    Feature("cons_conf_idx", "cons_conf_idx", "numeric", center=-40.5, spread=4.6),
    Feature("cons_price_idx", "cons_price_idx", "numeric", center=93.58, spread=0.58),
) + tuple(Feature(f"month_{m}", "month", "equals", value=m) for m in _MONTHS)

GROUND_TRUTH = GroundTruth(
    customer_table=CUSTOMERS,
    customer_id="id",
    features=FEATURES,
    arms=tuple(
        Arm(OFFER, channel, intercept, _WEIGHTS)
        for channel, intercept in zip(CHANNELS, _INTERCEPTS, strict=True)
    ),
    positive_outcome="subscribed",
    negative_outcome="declined",
    interactions=500,
    start=date(2024, 1, 1),
    days=60,
)

_ARM_BY_CONTACT = {"cellular": 0, "telephone": 1}


@depends(
    tuple(dict.fromkeys(("contact", *(f.column for f in FEATURES)))),
    "drawn from the ground truth's P(subscribed) on the client's contact type (unknown: "
    "the uci_unknown arm); see the pack's ground truth for the weights",
)
def subscribed(b: gen.Block) -> pl.Series:
    columns = {f.column: b[f.column] for f in FEATURES}
    arm = (
        b["contact"].replace_strict(_ARM_BY_CONTACT, default=2, return_dtype=pl.Int64).fill_null(2)
    )
    p = probabilities(GROUND_TRUTH, feature_matrix(GROUND_TRUTH, columns), arm.to_numpy())
    return pl.Series(np.where(b.uniform() < p, "yes", "no"))
