"""Rules, contact policies, models, the experiment, the decision flow and the segment."""

from seedpacks.packs.flows import nba_flow
from seedpacks.packs.model import (
    AlgorithmModel,
    ContactPolicy,
    Experiment,
    Filter,
    QualificationRule,
    Segment,
)
from seedpacks.packs.starbucks.tables import CUSTOMERS

QUALIFICATION_RULES = (
    QualificationRule(
        "sb_rule_member",
        "Active members only",
        "eligibility",
        "attribute_condition",
        {"field": f"{CUSTOMERS}.became_member_on", "operator": "not_null"},
    ),
    QualificationRule(
        "sb_rule_hard_discount",
        "Income for the $20 discount",
        "eligibility",
        "attribute_condition",
        {"field": f"{CUSTOMERS}.income", "operator": ">=", "value": 50000},
        scope="offer",
        scope_ref="0b1e1539f2cc45b7b9fa7c272da2e1d7",
    ),
    QualificationRule(
        "sb_rule_bogo_age",
        "BOGO for adults 21+",
        "fit",
        "attribute_condition",
        {"field": f"{CUSTOMERS}.age", "operator": ">=", "value": 21, "unknownPasses": True},
        scope="category",
        scope_ref="sb_bogo",
    ),
    QualificationRule(
        "sb_rule_new_members",
        "New members prefer discounts",
        "match",
        "attribute_condition",
        {
            "field": f"{CUSTOMERS}.became_member_on",
            "operator": ">=",
            "value": "2017-01-01",
            "multiplier": 1.2,
        },
        scope="category",
        scope_ref="sb_discount",
    ),
    QualificationRule(
        "sb_rule_propensity",
        "Minimum propensity",
        "match",
        "propensity_threshold",
        {"minScore": 0.01},
    ),
)

CONTACT_POLICIES = (
    ContactPolicy(
        "sb_policy_daily",
        "Daily cap",
        "frequency_cap",
        {"maxPerDay": 3, "maxPerWeek": 10, "maxPerMonth": 30},
    ),
    ContactPolicy(
        "sb_policy_cooldown", "Offer cooldown", "cooldown", {"cooldownHours": 24, "per": "offer"}
    ),
    ContactPolicy(
        "sb_policy_info",
        "Informational weekly cap",
        "frequency_cap",
        {"maxPerWeek": 2},
        scope="category",
        scope_ref="sb_info",
    ),
)

MODELS = (
    AlgorithmModel(
        "sb_model_scorecard",
        "starbucks-scorecard",
        "Starbucks member scorecard",
        "scorecard",
        {
            "baseScore": 50,
            "rules": [
                {"field": f"{CUSTOMERS}.income", "operator": ">=", "value": 75000, "points": 15},
                {"field": f"{CUSTOMERS}.age", "operator": ">=", "value": 50, "points": 10},
                {"field": f"{CUSTOMERS}.gender", "operator": "=", "value": "F", "points": 5},
                {
                    "field": f"{CUSTOMERS}.became_member_on",
                    "operator": "<",
                    "value": "2016-01-01",
                    "points": 8,
                },
            ],
        },
    ),
    AlgorithmModel(
        "sb_model_bayes",
        "starbucks-bayesian",
        "Offer completion rate (Bayesian)",
        "bayesian",
        {"prior": {"alpha": 1, "beta": 1}},
        learns_from_history=True,
    ),
    AlgorithmModel(
        "sb_model_thompson",
        "starbucks-thompson",
        "Offer Thompson bandit",
        "thompson_bandit",
        {"prior": {"alpha": 1, "beta": 1}},
        learns_from_history=True,
    ),
)

EXPERIMENTS = (
    Experiment(
        "sb_experiment",
        "starbucks-bandit-vs-scorecard",
        "Thompson bandit vs scorecard",
        champion="sb_model_thompson",
        traffic_split={"sb_model_thompson": 80, "sb_model_scorecard": 20},
    ),
)

DECISION_FLOWS = (
    nba_flow(
        "sb_flow",
        "starbucks-nba",
        "Starbucks next best offer",
        experiment="sb_experiment",
        customers=CUSTOMERS,
        customer_key="id",
    ),
)

SEGMENTS = (
    Segment(
        "sb_segment_high_income",
        "High-Income Members",
        CUSTOMERS,
        (Filter("income", ">=", 90000),),
        "Members with a yearly income of 90,000 USD or more",
    ),
)
