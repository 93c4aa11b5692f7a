"""Retail e-commerce: the dense contact-policy web, models, flow, segments and ground truth."""

from datetime import date

from seedpacks.packs.flows import nba_flow
from seedpacks.packs.model import (
    AlgorithmModel,
    Arm,
    ContactPolicy,
    Experiment,
    Feature,
    Filter,
    GroundTruth,
    OutcomeType,
    Segment,
)
from seedpacks.packs.retail.entities import CHANNELS, MECHANICS, offer_id
from seedpacks.packs.retail.tables import CUSTOMERS, DEPARTMENTS

_PERCENT_OFF = ("pct10", "pct20", "pct30", "flash_sale", "clearance")

# Thirteen policies of six kinds: the pack's reason to exist is to test how they interact.
CONTACT_POLICIES = (
    ContactPolicy("rt_policy_cap", "Contact cap", "frequency_cap",
                  {"maxPerDay": 2, "maxPerWeek": 6, "maxPerMonth": 15}),
    ContactPolicy("rt_policy_sms", "SMS weekly cap", "frequency_cap",
                  {"maxPerWeek": 1, "maxPerMonth": 3}, scope="channel", scope_ref="rt_sms"),
    ContactPolicy("rt_policy_cooldown", "Offer cooldown", "cooldown",
                  {"cooldownHours": 72, "per": "offer"}),
    *(
        ContactPolicy(f"rt_policy_{d}_one_discount", f"One {d} discount a week",
                      "mutual_exclusion",
                      {"offers": [offer_id(d, m) for m in _PERCENT_OFF], "windowDays": 7},
                      scope="category", scope_ref=f"rt_{d}")
        for d in DEPARTMENTS
    ),
    ContactPolicy("rt_policy_deepest", "Deepest discounts never together", "mutual_exclusion",
                  {"offers": [offer_id(d, m) for d in DEPARTMENTS for m in ("pct30", "flash_sale")],
                   "windowDays": 14}),
    ContactPolicy("rt_policy_dismissals", "Three dismissals silence a department",
                  "outcome_based",
                  {"outcomes": ["dismissed"], "count": 3, "windowDays": 30, "per": "category"}),
    ContactPolicy("rt_policy_returners", "Serial returners get no electronics promotions",
                  "segment_exclusion", {"segment": "rt_seg_returners"},
                  scope="category", scope_ref="rt_electronics"),
    ContactPolicy("rt_policy_flash_budget", "Electronics flash sale budget", "budget_cap",
                  {"maxRedemptions": 500}, scope="offer",
                  scope_ref=offer_id("electronics", "flash_sale")),
)  # fmt: skip

OUTCOME_TYPES = (
    OutcomeType("rt_ot_impression", "impression", "Impression", "neutral"),
    OutcomeType("rt_ot_click", "click", "Click", "neutral"),
    OutcomeType("rt_ot_purchase", "purchase", "Purchase", "positive"),
    OutcomeType("rt_ot_ignored", "ignored", "Ignored", "negative"),
    OutcomeType("rt_ot_dismissed", "dismissed", "Dismissed", "negative"),
    OutcomeType("rt_ot_unsubscribed", "unsubscribed", "Unsubscribed", "negative"),
)

MODELS = (
    AlgorithmModel("rt_model_priority", "retail-priority", "Priority x business value",
                   "priority_weighted", {"weights": {"priority": 0.7, "businessValue": 0.3}}),
    AlgorithmModel("rt_model_scorecard", "retail-scorecard", "Shopper value scorecard",
                   "scorecard",
                   {"baseScore": 40, "rules": [
                       {"field": f"{CUSTOMERS}.orders_12m", "operator": ">=", "value": 10,
                        "points": 15},
                       {"field": f"{CUSTOMERS}.cart_abandoned_30d", "operator": "=",
                        "value": True, "points": 10},
                       {"field": f"{CUSTOMERS}.days_since_last_order", "operator": ">=",
                        "value": 180, "points": -15},
                   ]}),
    AlgorithmModel("rt_model_bayes", "retail-bayesian", "Offer purchase rate (Bayesian)",
                   "bayesian", {"prior": {"alpha": 1, "beta": 15}}, learns_from_history=True),
    AlgorithmModel("rt_model_thompson", "retail-thompson", "Offer Thompson bandit",
                   "thompson_bandit", {"prior": {"alpha": 1, "beta": 1}},
                   learns_from_history=True),
    AlgorithmModel("rt_model_epsilon", "retail-epsilon-greedy", "Offer epsilon-greedy",
                   "epsilon_greedy", {"epsilon": 0.2}, learns_from_history=True),
)  # fmt: skip

EXPERIMENTS = (
    Experiment(
        "rt_experiment",
        "retail-bandits-vs-priority",
        "Bandits vs priority ranking",
        champion="rt_model_thompson",
        traffic_split={"rt_model_thompson": 40, "rt_model_epsilon": 30, "rt_model_priority": 30},
    ),
)

DECISION_FLOWS = (
    nba_flow(
        "rt_flow",
        "retail-promotions",
        "Retail promotion picker",
        experiment="rt_experiment",
        customers=CUSTOMERS,
        customer_key="customer_id",
        rank={"by": "score", "tieBreaker": "priority", "maxPerCategory": 1},
        limit=4,
    ),
)

SEGMENTS = (
    Segment("rt_seg_vip", "VIP Gold and Platinum", CUSTOMERS,
            (Filter("loyalty_tier", "in", ["gold", "platinum"]),)),
    Segment("rt_seg_lapsed", "Lapsed 180 Days", CUSTOMERS,
            (Filter("days_since_last_order", ">=", 180),)),
    Segment("rt_seg_cart", "Cart Abandoners", CUSTOMERS,
            (Filter("cart_abandoned_30d", "=", True),)),
    Segment("rt_seg_returners", "Serial Returners", CUSTOMERS, (Filter("returns_12m", ">=", 4),),
            "Four or more returns in 12 months"),
    Segment("rt_seg_app", "App Users", CUSTOMERS, (Filter("app_user", "=", True),)),
)  # fmt: skip

# Ground truth: shoppers buy promotions of their favourite department; deep discounts win back
# the lapsed and cart abandoners, loyalty perks please the top tiers, new arrivals the frequent
# buyers; push works for app users, social ads least.
_MECHANIC_WEIGHTS = {
    "pct10": {"cart": 0.3},
    "pct20": {"cart": 0.4, "lapsed": 0.2},
    "pct30": {"cart": 0.5, "lapsed": 0.4},
    "flash_sale": {"cart": 0.4, "orders": 0.2},
    "clearance": {"lapsed": 0.3, "orders": -0.1},
    "free_shipping": {"orders": 0.3, "cart": 0.6},
    "points2x": {"gold": 0.6, "platinum": 0.9, "orders": 0.2},
    "bogo": {"orders": 0.1},
    "bundle": {"orders": 0.2, "gold": 0.2},
    "new_arrivals": {"orders": 0.4, "lapsed": -0.4, "platinum": 0.4},
}
_CHANNEL_TRUTH: dict[str, tuple[float, dict[str, float]]] = {
    "rt_email": (0.0, {}),
    "rt_push": (-0.4, {"app": 1.0}),
    "rt_web": (-0.3, {"orders": 0.2}),
    "rt_sms": (0.1, {}),
    "rt_social": (-0.5, {"lapsed": 0.2}),
}
_DEPARTMENT_LIFT = {"electronics": -0.2, "fashion": 0.1, "home": 0.0, "beauty": 0.1,
                    "sports": -0.1, "grocery": 0.3}  # fmt: skip


def _arm(department: str, mechanic: str, channel: str) -> Arm:
    lift, extra = _CHANNEL_TRUTH[channel]
    weights = {**_MECHANIC_WEIGHTS[mechanic], f"fav_{department}": 1.2}
    merged = {k: round(weights.get(k, 0.0) + extra.get(k, 0.0), 4) for k in {*weights, *extra}}
    base = MECHANICS[mechanic][3] + _DEPARTMENT_LIFT[department] + lift
    return Arm(
        offer_id(department, mechanic), channel, round(base, 4), dict(sorted(merged.items()))
    )


GROUND_TRUTH = GroundTruth(
    customer_table=CUSTOMERS,
    customer_id="customer_id",
    features=(
        *(Feature(f"fav_{d}", "favourite_department", "equals", value=d) for d in DEPARTMENTS),
        Feature("gold", "loyalty_tier", "equals", value="gold"),
        Feature("platinum", "loyalty_tier", "equals", value="platinum"),
        Feature("orders", "orders_12m", "numeric", center=6, spread=6),
        Feature("lapsed", "days_since_last_order", "numeric", center=90, spread=120),
        Feature("cart", "cart_abandoned_30d", "equals", value=True),
        Feature("app", "app_user", "equals", value=True),
    ),
    arms=tuple(_arm(d, m, c.id) for d in DEPARTMENTS for m in MECHANICS for c in CHANNELS),
    positive_outcome="purchase",
    negative_outcome="ignored",
    interactions=3000,
    start=date(2024, 7, 1),
    days=30,
)
