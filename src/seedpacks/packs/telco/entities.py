"""Telco retention: offers by churn risk, channels, rules, policies, models, flow, ground truth."""

from datetime import date

from seedpacks.packs.flows import nba_flow
from seedpacks.packs.model import (
    AlgorithmModel,
    Arm,
    Category,
    Channel,
    ContactPolicy,
    Creative,
    Experiment,
    Feature,
    Filter,
    GroundTruth,
    Offer,
    OutcomeType,
    QualificationRule,
    Segment,
    SubCategory,
)
from seedpacks.packs.telco.account import M2M, TWO_YEAR
from seedpacks.packs.telco.customers import CUSTOMERS

CATEGORIES = (
    Category(
        "tel_retention",
        "Telco: Retention",
        "Keep customers at risk of leaving",
        {"goal": "retention"},
        (
            SubCategory("tel_ret_discount", "Loyalty discounts"),
            SubCategory("tel_ret_contract", "Contract upgrades"),
        ),
    ),
    Category(
        "tel_upsell",
        "Telco: Upsell",
        "Grow the services a customer takes",
        {"goal": "upsell"},
        (
            SubCategory("tel_up_internet", "Internet upgrades"),
            SubCategory("tel_up_addons", "Add-ons"),
        ),
    ),
    Category(
        "tel_service",
        "Telco: Service",
        "Fix what makes customers unhappy",
        {"goal": "service"},
        (SubCategory("tel_svc_support", "Support"), SubCategory("tel_svc_billing", "Billing")),
    ),
)

CHANNELS = (
    Channel("tel_email", "Email", "email", "file"),
    Channel("tel_sms", "SMS", "sms", "api"),
    Channel("tel_app", "My Account App", "in_app", "api", ("home_banner", "bill_page")),
    Channel("tel_retention_desk", "Retention Desk", "call_center", "manual"),
)

# (id, name, category, sub-category, priority, business value, monthly cost to the operator)
_OFFERS = (
    ("tel_loyalty_discount", "20% loyalty discount for 6 months", "tel_retention",
     "tel_ret_discount", 85, 420.0, 13.0),
    ("tel_one_year_deal", "One-year contract, 2 months free", "tel_retention",
     "tel_ret_contract", 80, 600.0, 11.0),
    ("tel_price_lock", "Two-year price lock", "tel_retention", "tel_ret_contract", 75, 900.0, 4.0),
    ("tel_fiber_upgrade", "Upgrade to fiber optic", "tel_upsell", "tel_up_internet", 60, 360.0,
     0.0),
    ("tel_streaming_bundle", "Streaming bundle, 3 months free", "tel_upsell", "tel_up_addons", 45,
     240.0, 6.0),
    ("tel_security_pack", "Online security and backup pack", "tel_upsell", "tel_up_addons", 40,
     180.0, 0.0),
    ("tel_tech_support", "Free premium tech support", "tel_service", "tel_svc_support", 55, 150.0,
     5.0),
    ("tel_autopay", "Switch to autopay, $5 off", "tel_service", "tel_svc_billing", 50, 120.0, 5.0),
)  # fmt: skip

OFFERS = tuple(
    Offer(
        oid,
        name,
        category,
        sub,
        description=f"{name} (Telco {category.removeprefix('tel_')} offer)",
        priority=priority,
        business_value=value,
        budget=20000.0 if cost else None,
        start_date=date(2024, 1, 1),
        end_date=date(2024, 12, 31),
        attributes={"monthlyCostToOperator": cost},
    )
    for oid, name, category, sub, priority, value, cost in _OFFERS
)

_TEMPLATES = {"tel_email": "email", "tel_sms": "sms", "tel_app": "banner",
              "tel_retention_desk": "call_script"}  # fmt: skip
CREATIVES = tuple(
    Creative(
        f"{offer.id}_{channel.id.removeprefix('tel_')}",
        offer.id,
        channel.id,
        f"{offer.name} ({channel.name})",
        _TEMPLATES[channel.id],
        subject=offer.name if channel.id == "tel_email" else None,
        headline=offer.name,
        body=f"{offer.name}: a thank-you for staying with us.",
        cta="Call me back" if channel.id == "tel_retention_desk" else "Claim now",
        weight=100 if channel.id != "tel_sms" or offer.category == "tel_retention" else 40,
    )
    for offer in OFFERS
    for channel in CHANNELS
)

QUALIFICATION_RULES = (
    QualificationRule(
        "tel_rule_active",
        "Past the first month",
        "eligibility",
        "attribute_condition",
        {"field": f"{CUSTOMERS}.tenure", "operator": ">=", "value": 1},
        scope="category",
        scope_ref="tel_retention",
    ),
    QualificationRule(
        "tel_rule_internet",
        "Internet customers only",
        "eligibility",
        "attribute_condition",
        {"field": f"{CUSTOMERS}.internet_service", "operator": "!=", "value": "No"},
        scope="category",
        scope_ref="tel_upsell",
    ),
    QualificationRule(
        "tel_rule_dsl",
        "DSL customers for fiber",
        "eligibility",
        "attribute_condition",
        {"field": f"{CUSTOMERS}.internet_service", "operator": "=", "value": "DSL"},
        scope="offer",
        scope_ref="tel_fiber_upgrade",
    ),
    QualificationRule(
        "tel_rule_m2m",
        "Month-to-month for contract deals",
        "fit",
        "attribute_condition",
        {"field": f"{CUSTOMERS}.contract", "operator": "=", "value": M2M},
        scope="offer",
        scope_ref="tel_one_year_deal",
    ),
    QualificationRule(
        "tel_rule_not_two_year",
        "No price lock on two-year contracts",
        "fit",
        "attribute_condition",
        {"field": f"{CUSTOMERS}.contract", "operator": "!=", "value": TWO_YEAR},
        scope="offer",
        scope_ref="tel_price_lock",
    ),
    QualificationRule(
        "tel_rule_echeck",
        "Electronic-check payers for autopay",
        "fit",
        "attribute_condition",
        {"field": f"{CUSTOMERS}.payment_method", "operator": "=", "value": "Electronic check"},
        scope="offer",
        scope_ref="tel_autopay",
    ),
    QualificationRule(
        "tel_rule_high_bill",
        "High bills favour discounts",
        "match",
        "attribute_condition",
        {
            "field": f"{CUSTOMERS}.monthly_charges",
            "operator": ">=",
            "value": 80,
            "multiplier": 1.3,
        },
        scope="offer",
        scope_ref="tel_loyalty_discount",
    ),
    QualificationRule(
        "tel_rule_propensity", "Minimum propensity", "match", "propensity_threshold",
        {"minScore": 0.02},
    ),
)  # fmt: skip

CONTACT_POLICIES = (
    ContactPolicy(
        "tel_policy_cap",
        "Contact cap",
        "frequency_cap",
        {"maxPerDay": 1, "maxPerWeek": 2, "maxPerMonth": 4},
    ),
    ContactPolicy(
        "tel_policy_desk",
        "Retention desk once a month",
        "frequency_cap",
        {"maxPerMonth": 1},
        scope="channel",
        scope_ref="tel_retention_desk",
    ),
    ContactPolicy(
        "tel_policy_cooldown", "Offer cooldown", "cooldown", {"cooldownHours": 168, "per": "offer"}
    ),
    ContactPolicy(
        "tel_policy_declined",
        "Respect a no",
        "outcome_based",
        {"outcomes": ["declined"], "windowDays": 30, "per": "offer"},
    ),
    ContactPolicy(
        "tel_policy_no_stacking",
        "One retention deal at a time",
        "mutual_exclusion",
        {
            "offers": ["tel_loyalty_discount", "tel_one_year_deal", "tel_price_lock"],
            "windowDays": 30,
        },
        scope="category",
        scope_ref="tel_retention",
    ),
)

OUTCOME_TYPES = (
    OutcomeType("tel_ot_impression", "impression", "Impression", "neutral"),
    OutcomeType("tel_ot_click", "click", "Click", "neutral"),
    OutcomeType("tel_ot_accepted", "accepted", "Accepted", "positive"),
    OutcomeType("tel_ot_declined", "declined", "Declined", "negative"),
    OutcomeType("tel_ot_churned", "churned", "Churned anyway", "negative"),
)

MODELS = (
    AlgorithmModel(
        "tel_model_scorecard",
        "telco-churn-scorecard",
        "Churn-risk scorecard",
        "scorecard",
        {
            "baseScore": 30,
            "rules": [
                {"field": f"{CUSTOMERS}.contract", "operator": "=", "value": M2M, "points": 25},
                {"field": f"{CUSTOMERS}.tenure", "operator": "<", "value": 12, "points": 20},
                {
                    "field": f"{CUSTOMERS}.internet_service",
                    "operator": "=",
                    "value": "Fiber optic",
                    "points": 10,
                },
                {
                    "field": f"{CUSTOMERS}.payment_method",
                    "operator": "=",
                    "value": "Electronic check",
                    "points": 10,
                },
                {
                    "field": f"{CUSTOMERS}.senior_citizen",
                    "operator": "=",
                    "value": True,
                    "points": 5,
                },
            ],
        },
    ),
    AlgorithmModel(
        "tel_model_logistic",
        "telco-acceptance-logistic",
        "Offer acceptance (logistic regression)",
        "logistic_regression",
        {
            "bias": -2.2,
            "weights": {
                f"{CUSTOMERS}.tenure": -0.02,
                f"{CUSTOMERS}.monthly_charges": 0.01,
                f"{CUSTOMERS}.senior_citizen": 0.2,
            },
        },
    ),
    AlgorithmModel(
        "tel_model_thompson",
        "telco-thompson",
        "Offer Thompson bandit",
        "thompson_bandit",
        {"prior": {"alpha": 1, "beta": 1}},
        learns_from_history=True,
    ),
    AlgorithmModel(
        "tel_model_epsilon",
        "telco-epsilon-greedy",
        "Offer epsilon-greedy",
        "epsilon_greedy",
        {"epsilon": 0.15},
        learns_from_history=True,
    ),
)

EXPERIMENTS = (
    Experiment(
        "tel_experiment",
        "telco-bandits",
        "Thompson vs epsilon-greedy vs logistic",
        champion="tel_model_thompson",
        traffic_split={"tel_model_thompson": 50, "tel_model_epsilon": 25, "tel_model_logistic": 25},
    ),
)

DECISION_FLOWS = (
    nba_flow(
        "tel_flow",
        "telco-retention",
        "Telco retention next best action",
        experiment="tel_experiment",
        customers=CUSTOMERS,
        customer_key="customer_id",
        limit=3,
    ),
)

SEGMENTS = (
    Segment(
        "tel_seg_high_risk",
        "High Churn Risk",
        CUSTOMERS,
        (Filter("contract", "=", M2M), Filter("tenure", "<", 12)),
        "Month-to-month customers in their first year",
    ),
    Segment(
        "tel_seg_fiber_m2m",
        "Fiber Month-to-Month",
        CUSTOMERS,
        (Filter("internet_service", "=", "Fiber optic"), Filter("contract", "=", M2M)),
    ),
    Segment(
        "tel_seg_seniors", "Senior Customers", CUSTOMERS, (Filter("senior_citizen", "=", True),)
    ),
    Segment(
        "tel_seg_echeck",
        "Electronic Check Payers",
        CUSTOMERS,
        (Filter("payment_method", "=", "Electronic check"),),
    ),
    Segment(
        "tel_seg_loyal",
        "Long-Tenure Loyal",
        CUSTOMERS,
        (Filter("tenure", ">=", 48), Filter("contract", "=", TWO_YEAR)),
    ),
)

# Ground truth: customers at risk (new, month-to-month, fiber, high bills, already leaving) take
# retention deals; loyal customers ignore them but buy add-ons; the retention desk converts best,
# SMS worst; seniors answer the phone.
_OFFER_TRUTH: dict[str, tuple[float, dict[str, float]]] = {
    "tel_loyalty_discount": (-1.6, {"m2m": 0.7, "tenure": -0.4, "monthly": 0.5, "churn": 0.9}),
    "tel_one_year_deal": (-1.9, {"m2m": 0.9, "tenure": -0.2, "churn": 0.6, "fiber": 0.2}),
    "tel_price_lock": (-2.3, {"m2m": 0.3, "tenure": 0.3, "monthly": 0.4, "churn": 0.3}),
    "tel_fiber_upgrade": (-2.4, {"dsl": 0.8, "tenure": 0.2, "senior": -0.3}),
    "tel_streaming_bundle": (-2.0, {"fiber": 0.5, "monthly": 0.3, "senior": -0.4}),
    "tel_security_pack": (-2.5, {"fiber": 0.3, "senior": 0.3, "tenure": 0.2}),
    "tel_tech_support": (-1.8, {"fiber": 0.4, "senior": 0.5, "churn": 0.4}),
    "tel_autopay": (-1.5, {"echeck": 0.8, "tenure": 0.1}),
}
_CHANNEL_TRUTH: dict[str, tuple[float, dict[str, float]]] = {
    "tel_email": (0.0, {}),
    "tel_sms": (-0.4, {"senior": -0.3}),
    "tel_app": (0.1, {"senior": -0.5}),
    "tel_retention_desk": (0.4, {"senior": 0.4}),
}


def _arm(offer: str, channel: str) -> Arm:
    base, weights = _OFFER_TRUTH[offer]
    lift, extra = _CHANNEL_TRUTH[channel]
    merged = {k: round(weights.get(k, 0.0) + extra.get(k, 0.0), 4) for k in {*weights, *extra}}
    return Arm(offer, channel, round(base + lift, 4), dict(sorted(merged.items())))


GROUND_TRUTH = GroundTruth(
    customer_table=CUSTOMERS,
    customer_id="customer_id",
    features=(
        Feature("m2m", "contract", "equals", value=M2M),
        Feature("tenure", "tenure", "numeric", center=32, spread=24),
        Feature("monthly", "monthly_charges", "numeric", center=65, spread=30),
        Feature("fiber", "internet_service", "equals", value="Fiber optic"),
        Feature("dsl", "internet_service", "equals", value="DSL"),
        Feature("echeck", "payment_method", "equals", value="Electronic check"),
        Feature("senior", "senior_citizen", "equals", value=True),
        Feature("churn", "churn", "equals", value=True),
    ),
    arms=tuple(_arm(offer.id, channel.id) for offer in OFFERS for channel in CHANNELS),
    positive_outcome="accepted",
    negative_outcome="declined",
    interactions=800,
    start=date(2024, 3, 1),
    days=60,
)
