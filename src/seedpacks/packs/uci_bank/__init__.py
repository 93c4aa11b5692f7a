"""UCI Bank Marketing: a Portuguese bank's term-deposit phone campaign, after the public data set.

One offer on three contact types, five kinds of model side by side (a scorecard, a Bayesian rate,
gradient-boosted trees and two bandits), no contact policies and no segments: the pack for
comparing models on a single, well-known conversion problem.
"""

from seedpacks.packs.model import Pack
from seedpacks.packs.uci_bank.calls import CAMPAIGN_TABLE
from seedpacks.packs.uci_bank.customers import CUSTOMER_TABLE
from seedpacks.packs.uci_bank.entities import (
    CATEGORIES,
    CHANNELS,
    CREATIVES,
    DECISION_FLOWS,
    EXPERIMENTS,
    GROUND_TRUTH,
    MODELS,
    OFFERS,
    OUTCOME_TYPES,
    QUALIFICATION_RULES,
)

PACK = Pack(
    key="uci-bank",
    name="UCI Bank Marketing",
    description=(
        "Term-deposit phone campaign modelled on the public UCI Bank Marketing data set — "
        "one offer, five model types in a 60/20/20 experiment."
    ),
    source="uci",
    testing_focus="Model comparison on a single-offer conversion problem with a known truth",
    tables=(CUSTOMER_TABLE, CAMPAIGN_TABLE),
    categories=CATEGORIES,
    channels=CHANNELS,
    offers=OFFERS,
    creatives=CREATIVES,
    qualification_rules=QUALIFICATION_RULES,
    outcome_types=OUTCOME_TYPES,
    models=MODELS,
    experiments=EXPERIMENTS,
    decision_flows=DECISION_FLOWS,
    ground_truth=GROUND_TRUTH,
)
