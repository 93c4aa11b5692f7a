"""Telco retention: a telecom operator's churn-prevention offers, after the IBM Telco data set.

Retention deals target customers by churn risk (new, month-to-month, fiber, electronic check),
upsells the loyal ones; contact policies keep the retention desk from calling too often and
never stack two retention deals. The pack for testing churn-driven targeting and policies.
"""

from seedpacks.packs.model import Pack
from seedpacks.packs.telco.customers import CUSTOMER_TABLE
from seedpacks.packs.telco.entities import (
    CATEGORIES,
    CHANNELS,
    CONTACT_POLICIES,
    CREATIVES,
    DECISION_FLOWS,
    EXPERIMENTS,
    GROUND_TRUTH,
    MODELS,
    OFFERS,
    OUTCOME_TYPES,
    QUALIFICATION_RULES,
    SEGMENTS,
)

PACK = Pack(
    key="telco",
    name="Telco Retention",
    description=(
        "Telecom churn prevention modelled on the public IBM Telco Customer Churn data set — "
        "retention offers by churn risk, bandits, segments."
    ),
    source="ibm",
    testing_focus="Churn-risk targeting with outcome-based and mutual-exclusion policies",
    tables=(CUSTOMER_TABLE,),
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
