"""Retail e-commerce: a large promotion catalogue under heavy contact policies.

Sixty offers (six departments x ten promotion mechanics) on five channels make 300 creatives
and 300 ground-truth arms; thirteen contact policies of six kinds (caps, cooldowns, per-department
and store-wide mutual exclusions, outcome-based silencing, a segment exclusion, a budget cap)
interact on every decision. The pack for testing ranking and policy logic at catalogue scale.
"""

from seedpacks.packs.model import Pack
from seedpacks.packs.retail.customers import CUSTOMER_TABLE
from seedpacks.packs.retail.entities import (
    CATEGORIES,
    CHANNELS,
    CREATIVES,
    OFFERS,
    QUALIFICATION_RULES,
)
from seedpacks.packs.retail.tables import ORDER_TABLE
from seedpacks.packs.retail.targeting import (
    CONTACT_POLICIES,
    DECISION_FLOWS,
    EXPERIMENTS,
    GROUND_TRUTH,
    MODELS,
    OUTCOME_TYPES,
    SEGMENTS,
)

PACK = Pack(
    key="retail",
    name="Retail E-commerce",
    description=(
        "Online retailer with a 60-offer promotion catalogue across six departments and five "
        "channels — heavy mutual-exclusion, cap, cooldown and budget policies."
    ),
    source="synthetic",
    testing_focus="Large offer catalogue under many interacting contact policies",
    tables=(CUSTOMER_TABLE, ORDER_TABLE),
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
