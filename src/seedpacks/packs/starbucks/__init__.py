"""Starbucks Offers: the public Starbucks rewards-app portfolio, customers and event transcript.

The 10 offers are the real portfolio (ids, rewards, difficulty, duration in days, channels);
customers follow the public profile file's distributions; the history is drawn from a ground
truth in which BOGO appeals to higher incomes, discounts to lower ones, and social/mobile beat web.
"""

from datetime import date

from seedpacks.packs.model import (
    Arm,
    Feature,
    GroundTruth,
    Pack,
)
from seedpacks.packs.starbucks.entities import (
    CONTACT_POLICIES,
    DECISION_FLOWS,
    EXPERIMENTS,
    MODELS,
    QUALIFICATION_RULES,
    SEGMENTS,
)
from seedpacks.packs.starbucks.portfolio import (
    CATEGORIES,
    CHANNELS,
    CREATIVES,
    OFFERS,
    OUTCOME_TYPES,
    PORTFOLIO,
)
from seedpacks.packs.starbucks.tables import CUSTOMERS, TABLES

# Ground truth: BOGO appeals to higher incomes and older members, discounts to lower incomes;
# harder offers convert less; social and mobile beat web; unknown profiles respond less.
_TYPE_BASE = {"bogo": -0.6, "discount": -0.5, "informational": -1.6}
_TYPE_WEIGHTS = {
    "bogo": {"income": 0.45, "age": 0.15, "female": 0.25, "unknown": -0.7},
    "discount": {"income": -0.35, "age": 0.05, "female": 0.1, "unknown": -0.5},
    "informational": {"income": 0.0, "age": -0.1, "female": 0.0, "unknown": -0.3},
}
_CHANNEL_LIFT = {"email": 0.0, "mobile": 0.25, "social": 0.35, "web": -0.2}

GROUND_TRUTH = GroundTruth(
    customer_table=CUSTOMERS,
    customer_id="id",
    features=(
        Feature("income", "income", "numeric", center=65000, spread=20000),
        Feature("age", "age", "numeric", center=55, spread=17),
        Feature("female", "gender", "equals", value="F"),
        Feature("unknown", "age", "is_null"),
    ),
    arms=tuple(
        Arm(
            oid,
            channel,
            round(_TYPE_BASE[kind] - 0.06 * difficulty + 0.08 * reward + _CHANNEL_LIFT[channel], 4),
            _TYPE_WEIGHTS[kind],
        )
        for oid, kind, reward, difficulty, _duration, channels in PORTFOLIO
        for channel in channels
    ),
    positive_outcome="completed",
    negative_outcome="ignored",
    interactions=500,
    start=date(2024, 1, 1),
    days=30,
)

PACK = Pack(
    key="starbucks",
    name="Starbucks Offers",
    description=(
        "Full NBA pipeline with Starbucks loyalty offers — multi-channel delivery, "
        "Thompson Bandit, segments."
    ),
    source="kaggle",
    testing_focus="Multi-channel loyalty offers with frequency capping",
    tables=TABLES,
    categories=CATEGORIES,
    channels=CHANNELS,
    offers=OFFERS,
    creatives=CREATIVES,
    qualification_rules=QUALIFICATION_RULES,
    contact_policies=CONTACT_POLICIES,
    outcome_types=OUTCOME_TYPES,
    models=MODELS,
    experiments=EXPERIMENTS,
    decision_flows=DECISION_FLOWS,
    segments=SEGMENTS,
    ground_truth=GROUND_TRUTH,
)
