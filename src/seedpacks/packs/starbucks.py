"""Starbucks Offers: the public Starbucks rewards-app portfolio, customers and event transcript.

The 10 offers are the real portfolio (ids, rewards, difficulty, duration in days, channels);
customers follow the public profile file's distributions; the history is drawn from a ground
truth in which BOGO appeals to higher incomes, discounts to lower ones, and social/mobile beat web.
"""

from datetime import date

import numpy as np
import polars as pl

from seedpacks.packs import gen
from seedpacks.packs.model import (
    AlgorithmModel,
    Arm,
    Category,
    Channel,
    Column,
    ContactPolicy,
    CsvColumn,
    CsvMapping,
    DecisionFlow,
    Experiment,
    Feature,
    Filter,
    FlowNode,
    GroundTruth,
    Offer,
    OutcomeType,
    Pack,
    QualificationRule,
    Reference,
    Segment,
    SubCategory,
    Table,
)
from seedpacks.packs.model import Creative as CreativeSpec

# (id, offer_type, reward, difficulty, duration days, channels) as published in portfolio.json.
PORTFOLIO = (
    ("ae264e3637204a6fb9bb56bc8210ddfd", "bogo", 10, 10, 7, ("email", "mobile", "social")),
    ("4d5c57ea9a6940dd891ad53e9dbe8da0", "bogo", 10, 10, 5, ("web", "email", "mobile", "social")),
    ("3f207df678b143eea3cee63160fa8bed", "informational", 0, 0, 4, ("web", "email", "mobile")),
    ("9b98b8c7a33c4b65b9aebfe6a799e6d9", "bogo", 5, 5, 7, ("web", "email", "mobile")),
    ("0b1e1539f2cc45b7b9fa7c272da2e1d7", "discount", 5, 20, 10, ("web", "email")),
    ("2298d6c36e964ae4a3e7e9706d1fb8c2", "discount", 3, 7, 7, ("web", "email", "mobile", "social")),
    (
        "fafdcd668e3743c1bb461111dcafc2a4",
        "discount",
        2,
        10,
        10,
        ("web", "email", "mobile", "social"),
    ),
    ("5a8bc65990b245e5a138643cd4eb9837", "informational", 0, 0, 3, ("email", "mobile", "social")),
    ("f19421c1d4aa40978ebb69ca19b0e20d", "bogo", 5, 5, 5, ("web", "email", "mobile", "social")),
    ("2906b810c7d4411798c6938adc9daaa5", "discount", 2, 10, 7, ("web", "email", "mobile")),
)

CHANNELS = (
    Channel("email", "Email", "email", "file"),
    Channel("mobile", "Mobile Push", "push", "api"),
    Channel("social", "Social", "social", "api", ("feed", "stories")),
    Channel("web", "Web", "web", "api", ("homepage_hero", "offers_page")),
    Channel("in_app", "In-App Message", "in_app", "api", ("home_card",)),
    Channel("sms", "SMS", "sms", "api"),
)

CATEGORIES = (
    Category(
        "sb_bogo",
        "Starbucks: BOGO",
        "Buy one, get one free rewards",
        {"offerType": "bogo"},
        (SubCategory("sb_bogo_5", "BOGO $5"), SubCategory("sb_bogo_10", "BOGO $10")),
    ),
    Category(
        "sb_discount",
        "Starbucks: Discount",
        "Spend-and-save discounts",
        {"offerType": "discount"},
        (
            SubCategory("sb_discount_small", "Discount $2-3"),
            SubCategory("sb_discount_large", "Discount $5"),
        ),
    ),
    Category(
        "sb_info",
        "Starbucks: Informational",
        "Product announcements, no reward",
        {"offerType": "informational"},
        (
            SubCategory("sb_info_short", "3-day announcement"),
            SubCategory("sb_info_long", "4-day announcement"),
        ),
    ),
)


def _sub_category(offer_type: str, reward: int, duration: int) -> str:
    if offer_type == "bogo":
        return "sb_bogo_10" if reward >= 10 else "sb_bogo_5"
    if offer_type == "discount":
        return "sb_discount_large" if reward >= 5 else "sb_discount_small"
    return "sb_info_short" if duration <= 3 else "sb_info_long"


def _name(offer_type: str, reward: int, difficulty: int, duration: int) -> str:
    if offer_type == "bogo":
        return f"BOGO ${reward} on ${difficulty}, {duration} days"
    if offer_type == "discount":
        return f"${reward} off ${difficulty}, {duration} days"
    return f"New beverages announcement, {duration} days"


OFFERS = tuple(
    Offer(
        id=oid,
        name=_name(kind, reward, difficulty, duration),
        category={"bogo": "sb_bogo", "discount": "sb_discount"}.get(kind, "sb_info"),
        sub_category=_sub_category(kind, reward, duration),
        description=f"{kind} offer from the Starbucks rewards-app portfolio",
        priority={"bogo": 70, "discount": 60}.get(kind, 30) + reward,
        business_value=float(max(difficulty - reward, 1) * 10),
        budget=5000.0 if reward else None,
        start_date=date(2024, 1, 1),
        end_date=date(2024, 12, 31),
        attributes={
            "offerType": kind,
            "reward": reward,
            "difficulty": difficulty,
            "durationDays": duration,
            "portfolioChannels": list(channels),
        },
    )
    for oid, kind, reward, difficulty, duration, channels in PORTFOLIO
)

_TEMPLATES = {
    "email": "email",
    "mobile": "push",
    "social": "social_post",
    "web": "banner",
    "in_app": "card",
    "sms": "sms",
}

CREATIVES = tuple(
    CreativeSpec(
        id=f"{offer.id[:8]}_{channel.id}",
        offer=offer.id,
        channel=channel.id,
        name=f"{offer.name} ({channel.name})",
        template_type=_TEMPLATES[channel.id],
        subject=offer.name if channel.id == "email" else None,
        headline=offer.name,
        body=f"{offer.description.capitalize()}. "
        f"Valid for {offer.attributes['durationDays']} days.",
        cta="Activate in the app" if offer.attributes["reward"] else "Learn more",
        weight=100 if channel.id in offer.attributes["portfolioChannels"] else 20,
    )
    for offer in OFFERS
    for channel in CHANNELS
)

OUTCOME_TYPES = (
    OutcomeType("ot_impression", "impression", "Impression", "neutral"),
    OutcomeType("ot_viewed", "viewed", "Offer viewed", "neutral"),
    OutcomeType("ot_click", "click", "Click", "positive"),
    OutcomeType("ot_completed", "completed", "Offer completed", "positive"),
    OutcomeType("ot_ignored", "ignored", "Ignored until expiry", "negative"),
    OutcomeType("ot_dismissed", "dismissed", "Dismissed", "negative"),
)

CUSTOMERS = "starbucks_customers"
_UNKNOWN = 0.128  # share of profiles with unknown age, gender and income (age 118 in the file)


def _unknown(b: gen.Block) -> np.ndarray:
    # One draw per customer, shared by gender, age and income: they are unknown together.
    return b.uniform_named("profile_unknown") < _UNKNOWN


def _event_offer(b: gen.Block) -> pl.Series:
    offers = pl.Series([p[0] for p in PORTFOLIO])
    picked = offers.gather(np.floor(b.uniform() * len(PORTFOLIO)).astype(np.int64))
    return picked.scatter(np.flatnonzero((b["event"] == "transaction").to_numpy()), None)


def _event_amount(b: gen.Block) -> pl.Series:
    amount = np.round(np.clip(9.0 * np.exp(0.9 * b.normal()), 0.05, 1000.0), 2)
    keep = (b["event"] == "transaction").to_numpy()
    return pl.Series(amount).scatter(np.flatnonzero(~keep), None)


def _event_reward(b: gen.Block) -> pl.Series:
    rewards = {p[0]: float(p[2]) for p in PORTFOLIO}
    reward = b["offer_id"].replace_strict(rewards, default=None, return_dtype=pl.Float64)
    return reward.scatter(np.flatnonzero((b["event"] != "offer completed").to_numpy()), None)


TABLES = (
    Table(
        name=CUSTOMERS,
        description="Rewards-app members, as in the public profile file",
        rows=1000,
        primary_key=("id",),
        columns=(
            Column(
                "id",
                "text",
                gen.hex_id(32),
                nullable=False,
                description="member id",
                csv=CsvColumn(aliases=("customer_id", "person"), required=True),
            ),
            Column(
                "gender",
                "text",
                gen.null_where(gen.choice(["M", "F", "O"], [57.2, 41.3, 1.5]), _unknown),
                description="M, F or O; NULL when unknown",
                csv=CsvColumn(sentinels=("",)),
            ),
            Column(
                "age",
                "integer",
                gen.null_where(gen.normal(54.4, 17.4, low=18, high=101), _unknown),
                description="years; NULL when unknown",
                csv=CsvColumn(sentinels=("118", "")),
            ),
            Column(
                "income",
                "decimal",
                gen.null_where(
                    gen.normal(65400, 21600, low=30000, high=120000, decimals=-3), _unknown
                ),
                description="yearly income in USD; NULL when unknown",
                csv=CsvColumn(sentinels=("",)),
            ),
            Column(
                "became_member_on",
                "date",
                gen.dates(
                    date(2013, 7, 29),
                    date(2018, 7, 26),
                    weights_by_year={
                        2013: 286,
                        2014: 691,
                        2015: 1830,
                        2016: 3526,
                        2017: 6469,
                        2018: 4198,
                    },
                ),
                nullable=False,
                description="membership start",
                csv=CsvColumn(parse={"date_formats": ["%Y%m%d", "%Y-%m-%d"]}, required=True),
            ),
        ),
        indexes=(("income",),),
        csv=CsvMapping(
            description="The public profile file: gender,age,id,became_member_on,income; "
            "age 118 with empty gender and income is an unknown profile, kept with NULLs."
        ),
    ),
    Table(
        name="starbucks_offers",
        description="The offer portfolio, as in the public portfolio file",
        rows=len(PORTFOLIO),
        scales=False,
        primary_key=("id",),
        csv=CsvMapping(
            description="The public portfolio file: reward,channels,difficulty,duration,"
            "offer_type,id; channels as a JSON or Python-style list, duration in days (7 or 7.0)."
        ),
        columns=(
            Column("id", "text", gen.fixed([p[0] for p in PORTFOLIO]), nullable=False),
            Column("offer_type", "text", gen.fixed([p[1] for p in PORTFOLIO]), nullable=False),
            Column("reward", "integer", gen.fixed([p[2] for p in PORTFOLIO]), nullable=False),
            Column("difficulty", "integer", gen.fixed([p[3] for p in PORTFOLIO]), nullable=False),
            Column(
                "duration",
                "integer",
                gen.fixed([p[4] for p in PORTFOLIO]),
                nullable=False,
                description="days",
            ),
            Column(
                "channels",
                "json",
                gen.fixed(['["' + '", "'.join(p[5]) + '"]' for p in PORTFOLIO]),
                nullable=False,
                description="JSON list of channels",
            ),
        ),
    ),
    Table(
        name="starbucks_events",
        description="The event transcript: offers received, viewed, completed, and transactions",
        rows=3000,
        primary_key=("id",),
        references=(Reference("person", CUSTOMERS, "id"),),
        indexes=(("person",),),
        csv=CsvMapping(
            description="The public transcript file: person,event,value,time; value is a JSON "
            "(or Python-style) object holding 'offer id', 'offer_id', 'reward' or 'amount'; "
            "time in hours. Rows are numbered 1, 2, ... as ids when the file has no id column.",
            generated=("id",),
        ),
        columns=(
            Column("id", "bigint", gen.row_number(), nullable=False),
            Column("person", "text", gen.reference(CUSTOMERS, "id"), nullable=False),
            Column(
                "event",
                "text",
                gen.choice(
                    ["transaction", "offer received", "offer viewed", "offer completed"],
                    [45.3, 24.9, 18.8, 11.0],
                ),
                nullable=False,
            ),
            Column(
                "offer_id",
                "text",
                gen.derived(_event_offer),
                description="the offer received, viewed or completed",
                csv=CsvColumn(derive={"column": "value", "json_keys": ("offer id", "offer_id")}),
            ),
            Column(
                "amount",
                "decimal",
                gen.derived(_event_amount),
                description="transaction USD",
                csv=CsvColumn(derive={"column": "value", "json_keys": ("amount",)}),
            ),
            Column(
                "reward",
                "decimal",
                gen.derived(_event_reward),
                description="reward of a completed offer",
                csv=CsvColumn(derive={"column": "value", "json_keys": ("reward",)}),
            ),
            Column(
                "time",
                "integer",
                gen.derived(lambda b: 6 * np.floor(b.uniform() * 120)),
                nullable=False,
                description="hours since the start of the test",
            ),
        ),
    ),
)

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
    DecisionFlow(
        "sb_flow",
        "starbucks-nba",
        "Starbucks next best offer",
        experiment="sb_experiment",
        nodes=(
            FlowNode("inventory", {"status": "active"}),
            FlowNode("match_creatives", {"selection": "weighted"}),
            FlowNode("enrich", {"tables": [CUSTOMERS], "key": "id"}),
            FlowNode("qualify", {"stages": ["eligibility", "fit", "match"]}),
            FlowNode("contact_policy", {"policies": "all"}),
            FlowNode("score", {"method": "experiment", "experiment": "sb_experiment"}),
            FlowNode("rank", {"by": "score", "tieBreaker": "priority"}),
            FlowNode("response", {"limit": 5, "recordImpressions": True}),
        ),
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
