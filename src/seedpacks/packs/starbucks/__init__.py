"""Starbucks Offers: the public Starbucks rewards-app portfolio, customers and event transcript.

The 10 offers are the real portfolio (ids, rewards, difficulty, duration in days, channels);
customers follow the public profile file's distributions and dependencies (tables.py); each
member's events are one journey through the offer funnel (journeys.py), and the platform's
interaction history is that journey's offers received, row for row, drawn from the ground truth
(truth.py): completion rises with income, unknown profiles complete far less.
"""

from seedpacks.packs.model import Pack
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
)
from seedpacks.packs.starbucks.tables import TABLES
from seedpacks.packs.starbucks.truth import GROUND_TRUTH

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
