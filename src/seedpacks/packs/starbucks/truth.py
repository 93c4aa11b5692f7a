"""The ground truth of Starbucks Offers: who completes which offer, on which channel.

P(completed | customer, offer, channel) is logistic in the customer's income, age, gender and
whether the profile is known. Higher incomes complete more (about 0.36 of offers received at
incomes 30,000-50,000 against 0.61 over 100,000, informational offers counted, as in the public
transcript), the more so for harder offers; women complete more (about 0.54 against 0.40 for
men), buy-one-get-one offers above all, and so do younger members, while older ones prefer
discounts and email or the web: the best offer differs between members. Unknown profiles
complete far less (about 0.10); social and mobile beat web. Informational offers have no arm:
they cannot be completed, so they are never positive.
"""

from datetime import date

from seedpacks.packs.model import Arm, Feature, GroundTruth, HistoryFrom
from seedpacks.packs.starbucks.portfolio import PORTFOLIO

CUSTOMERS = "starbucks_customers"
EVENTS = "starbucks_events"
# Offers received per 1,000 customers: 76,277 in the public transcript's 17,000 profiles.
RECEIVED_PER_UNIT = 4487

# Per offer, the intercept that gives the public transcript's completion rate of that offer
# over the profile mix (fitted on generated profiles: bench/starbucks_figures.py prints both).
_OFFER_BASE = {
    "ae264e3637204a6fb9bb56bc8210ddfd": -0.22,
    "4d5c57ea9a6940dd891ad53e9dbe8da0": -0.37,
    "9b98b8c7a33c4b65b9aebfe6a799e6d9": 0.14,
    "0b1e1539f2cc45b7b9fa7c272da2e1d7": -0.19,
    "2298d6c36e964ae4a3e7e9706d1fb8c2": 0.94,
    "fafdcd668e3743c1bb461111dcafc2a4": 1.08,
    "f19421c1d4aa40978ebb69ca19b0e20d": 0.42,
    "2906b810c7d4411798c6938adc9daaa5": 0.61,
}
_LEVEL = -0.2  # moves every offer together: sets the income bands' completion rates
_CHANNEL_LIFT = {"email": 0.0, "mobile": 0.1, "social": 0.2, "web": -0.15}
# Younger members answer on social and mobile, older ones by email and on the web.
_CHANNEL_AGE = {"email": 0.15, "mobile": -0.05, "social": -0.25, "web": 0.2}
# Women and younger members prefer buy-one-get-one offers, the others discounts: so the best
# offer differs between members (a per-customer oracle beats the best single offer).
_FEMALE = {"bogo": 0.85, "discount": 0.3}
_AGE = {"bogo": -0.1, "discount": 0.2}
_BASE_WEIGHTS = {"other": 0.4, "unknown": -2.1}


def _weights(kind: str, difficulty: int, channel: str) -> dict[str, float]:
    """Return an arm's weights: a harder offer's completion rises more steeply with income."""
    return {
        **_BASE_WEIGHTS,
        "income": round(0.06 + 0.026 * difficulty, 4),
        "age": round(_AGE[kind] + _CHANNEL_AGE[channel], 4),
        "female": _FEMALE[kind],
    }


GROUND_TRUTH = GroundTruth(
    customer_table=CUSTOMERS,
    customer_id="id",
    features=(
        Feature("income", "income", "numeric", center=65000, spread=20000),
        Feature("age", "age", "numeric", center=55, spread=17),
        Feature("female", "gender", "equals", value="F"),
        Feature("other", "gender", "equals", value="O"),
        Feature("unknown", "age", "is_null"),
    ),
    arms=tuple(
        Arm(
            oid,
            channel,
            round(_OFFER_BASE[oid] + _LEVEL + _CHANNEL_LIFT[channel], 4),
            _weights(kind, difficulty, channel),
        )
        for oid, kind, _reward, difficulty, _duration, channels in PORTFOLIO
        if kind != "informational"
        for channel in channels
    ),
    positive_outcome="completed",
    negative_outcome="ignored",
    interactions=RECEIVED_PER_UNIT,
    start=date(2024, 1, 1),
    days=30,
    history_from=HistoryFrom(table=EVENTS, customer="person", offer="offer_id"),
)
