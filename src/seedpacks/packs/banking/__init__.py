"""Banking NBA: a retail bank cross-selling cards, loans, mortgages, savings and insurance.

Eligibility by credit score, income and the products a customer already holds; four channels
from branch to app; policies that cap contacts, never push two new debts in a month and keep
lending away from low credit scores; six segments as views. The pack for testing eligibility
rules and product-holding logic.
"""

from seedpacks.packs.banking.customers import CUSTOMER_TABLE
from seedpacks.packs.banking.entities import (
    CATEGORIES,
    CHANNELS,
    CONTACT_POLICIES,
    CREATIVES,
    DECISION_FLOWS,
    EXPERIMENTS,
    MODELS,
    OFFERS,
    OUTCOME_TYPES,
    QUALIFICATION_RULES,
)
from seedpacks.packs.banking.tables import PRODUCT_TABLE, TRANSACTION_TABLE
from seedpacks.packs.banking.targeting import GROUND_TRUTH, SEGMENTS
from seedpacks.packs.model import Pack

PACK = Pack(
    key="banking",
    name="Banking NBA",
    description=(
        "Retail bank cross-sell across branch, app, email and call centre — credit cards, "
        "loans, mortgages, savings and insurance, with eligibility rules and segments."
    ),
    source="synthetic",
    testing_focus="Eligibility by credit score, income and existing products; debt exclusions",
    tables=(CUSTOMER_TABLE, PRODUCT_TABLE, TRANSACTION_TABLE),
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
