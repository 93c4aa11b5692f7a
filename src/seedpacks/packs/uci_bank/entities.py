"""UCI Bank Marketing: offer, channels, rules, models, experiment, flow and ground truth."""

from datetime import date

from seedpacks.packs.flows import nba_flow
from seedpacks.packs.model import (
    AlgorithmModel,
    Category,
    Channel,
    Creative,
    Experiment,
    Offer,
    OutcomeType,
    QualificationRule,
    SubCategory,
)
from seedpacks.packs.uci_bank.truth import CUSTOMERS, GROUND_TRUTH, OFFER

__all__ = ["GROUND_TRUTH"]

CATEGORIES = (
    Category(
        "uci_deposits",
        "UCI Bank: Deposits",
        "Savings products sold by outbound calls",
        {"productLine": "deposits"},
        (SubCategory("uci_term", "Term Deposits", "Fixed-term deposits"),),
    ),
)

CHANNELS = (
    Channel("uci_cellular", "Cellular", "phone", "manual"),
    Channel("uci_telephone", "Telephone", "phone", "manual"),
    Channel("uci_unknown", "Unknown", "phone", "manual"),
)

OFFERS = (
    Offer(
        OFFER,
        "Term Deposit Subscription",
        "uci_deposits",
        "uci_term",
        description="Subscribe a fixed-term deposit with the bank",
        priority=80,
        business_value=150.0,
        start_date=date(2008, 5, 1),
        end_date=date(2010, 11, 30),
        attributes={"product": "term_deposit", "termMonths": 12},
    ),
)

CREATIVES = tuple(
    Creative(
        f"uci_script_{channel.id.removeprefix('uci_')}",
        OFFER,
        channel.id,
        f"Term deposit call script ({channel.name})",
        "call_script",
        headline="A term deposit that works for you",
        body="Introduce the 12-month term deposit, its fixed rate and early-withdrawal terms.",
        cta="Agree to open the deposit",
    )
    for channel in CHANNELS
)

QUALIFICATION_RULES = (
    QualificationRule(
        "uci_rule_employment",
        "Has Employment",
        "eligibility",
        "attribute_condition",
        {
            "field": f"{CUSTOMERS}.job",
            "operator": "not_in",
            "value": ["unemployed", "student"],
            "unknownPasses": False,
        },
    ),
    QualificationRule(
        "uci_rule_no_default",
        "No Default",
        "fit",
        "attribute_condition",
        {"field": f"{CUSTOMERS}.default_credit", "operator": "=", "value": "no"},
    ),
)

OUTCOME_TYPES = (
    OutcomeType("uci_ot_call", "call", "Call made", "neutral"),
    OutcomeType("uci_ot_no_answer", "no_answer", "No answer", "neutral"),
    OutcomeType("uci_ot_subscribed", "subscribed", "Subscribed", "positive"),
    OutcomeType("uci_ot_declined", "declined", "Declined", "negative"),
)

MODELS = (
    AlgorithmModel(
        "uci_model_scorecard",
        "uci-scorecard",
        "Term deposit scorecard",
        "scorecard",
        {
            "baseScore": 40,
            "rules": [
                {"field": f"{CUSTOMERS}.poutcome", "operator": "=", "value": "success"}
                | {"points": 30},
                {"field": f"{CUSTOMERS}.housing", "operator": "=", "value": "no", "points": 10},
                {"field": f"{CUSTOMERS}.loan", "operator": "=", "value": "no", "points": 5},
                {"field": f"{CUSTOMERS}.age", "operator": ">=", "value": 60, "points": 10},
                {"field": f"{CUSTOMERS}.balance", "operator": ">=", "value": 1000, "points": 5},
                {"field": f"{CUSTOMERS}.campaign", "operator": ">", "value": 3, "points": -10},
            ],
        },
    ),
    AlgorithmModel(
        "uci_model_bayes",
        "uci-bayesian",
        "Subscription rate (Bayesian)",
        "bayesian",
        {"prior": {"alpha": 1, "beta": 8}},
        learns_from_history=True,
    ),
    AlgorithmModel(
        "uci_model_gbm",
        "uci-gradient-boosted",
        "Gradient-boosted trees",
        "gradient_boosted",
        {
            "baseScore": -2.0,
            "learningRate": 0.3,
            "trees": [
                {"field": f"{CUSTOMERS}.duration", "threshold": 320, "left": -0.6, "right": 1.4},
                {"field": f"{CUSTOMERS}.poutcome", "equals": "success", "left": -0.1, "right": 2},
                {"field": f"{CUSTOMERS}.housing", "equals": "yes", "left": 0.3, "right": -0.4},
                {"field": f"{CUSTOMERS}.age", "threshold": 60, "left": -0.05, "right": 0.5},
            ],
        },
    ),
    AlgorithmModel(
        "uci_model_thompson",
        "uci-thompson",
        "Channel Thompson bandit",
        "thompson_bandit",
        {"prior": {"alpha": 1, "beta": 1}},
        learns_from_history=True,
    ),
    AlgorithmModel(
        "uci_model_epsilon",
        "uci-epsilon-greedy",
        "Epsilon-greedy",
        "epsilon_greedy",
        {"epsilon": 0.1},
        learns_from_history=True,
    ),
)

EXPERIMENTS = (
    Experiment(
        "uci_experiment",
        "uci-model-comparison",
        "Gradient-boosted vs bandit vs scorecard",
        champion="uci_model_gbm",
        traffic_split={"uci_model_gbm": 60, "uci_model_thompson": 20, "uci_model_scorecard": 20},
    ),
)

DECISION_FLOWS = (
    nba_flow(
        "uci_flow",
        "uci-term-deposit",
        "Term deposit outbound calls",
        experiment="uci_experiment",
        customers=CUSTOMERS,
        customer_key="id",
        stages=("eligibility", "fit"),
        rank={"by": "score"},
        limit=1,
    ),
)
