"""Banking NBA: categories, channels, offers, rules, policies, models, flow, segments, truth."""

from datetime import date

from seedpacks.packs.banking.tables import CUSTOMERS, PRODUCT_ROWS
from seedpacks.packs.flows import nba_flow
from seedpacks.packs.model import (
    AlgorithmModel,
    Category,
    Channel,
    ContactPolicy,
    Creative,
    Experiment,
    Offer,
    OutcomeType,
    QualificationRule,
    SubCategory,
)

CATEGORIES = (
    Category(
        "bk_cards",
        "Banking: Credit Cards",
        "Credit cards",
        {"family": "card"},
        (SubCategory("bk_cards_rewards", "Rewards cards"),
         SubCategory("bk_cards_bt", "Balance transfer")),
    ),
    Category(
        "bk_loans",
        "Banking: Personal Loans",
        "Unsecured and vehicle lending",
        {"family": "loan"},
        (SubCategory("bk_loans_personal", "Personal loans"),
         SubCategory("bk_loans_vehicle", "Vehicle finance")),
    ),
    Category(
        "bk_mortgages",
        "Banking: Mortgages",
        "Home lending",
        {"family": "mortgage"},
        (SubCategory("bk_mort_ftb", "First-time buyers"),
         SubCategory("bk_mort_switch", "Remortgage")),
    ),
    Category(
        "bk_savings",
        "Banking: Savings",
        "Savings and deposits",
        {"family": "savings"},
        (SubCategory("bk_sav_instant", "Instant access"),
         SubCategory("bk_sav_fixed", "Fixed term")),
    ),
    Category(
        "bk_insurance",
        "Banking: Insurance",
        "Protection products",
        {"family": "insurance"},
        (SubCategory("bk_ins_general", "General insurance"),
         SubCategory("bk_ins_life", "Life and protection")),
    ),
)  # fmt: skip

CHANNELS = (
    Channel("bk_branch", "Branch", "branch", "manual", ("advisor_desk",)),
    Channel("bk_mobile", "Mobile App", "in_app", "api", ("home_card", "accounts_banner")),
    Channel("bk_email", "Email", "email", "file"),
    Channel("bk_call_centre", "Call Centre", "call_center", "manual"),
)

_PLACEMENT = {
    "bk_cashback_card": ("bk_cards", "bk_cards_rewards", 70, 180.0),
    "bk_travel_card": ("bk_cards", "bk_cards_rewards", 65, 260.0),
    "bk_balance_transfer": ("bk_cards", "bk_cards_bt", 60, 150.0),
    "bk_personal_loan": ("bk_loans", "bk_loans_personal", 75, 450.0),
    "bk_car_loan": ("bk_loans", "bk_loans_vehicle", 60, 520.0),
    "bk_ftb_mortgage": ("bk_mortgages", "bk_mort_ftb", 90, 2400.0),
    "bk_remortgage": ("bk_mortgages", "bk_mort_switch", 85, 1800.0),
    "bk_easy_saver": ("bk_savings", "bk_sav_instant", 50, 90.0),
    "bk_fixed_bond": ("bk_savings", "bk_sav_fixed", 55, 140.0),
    "bk_home_insurance": ("bk_insurance", "bk_ins_general", 45, 120.0),
    "bk_life_insurance": ("bk_insurance", "bk_ins_life", 50, 300.0),
    "bk_travel_insurance": ("bk_insurance", "bk_ins_general", 35, 40.0),
}

OFFERS = tuple(
    Offer(
        code,
        name,
        _PLACEMENT[code][0],
        _PLACEMENT[code][1],
        description=f"{name}: a {family} product",
        priority=_PLACEMENT[code][2],
        business_value=_PLACEMENT[code][3],
        budget=50000.0 if family in ("card", "loan") else None,
        start_date=date(2024, 1, 1),
        end_date=date(2024, 12, 31),
        attributes={"family": family, "ratePct": rate, "annualFee": fee},
    )
    for code, name, family, rate, fee, _score, _income in PRODUCT_ROWS
)

_TEMPLATES = {"bk_branch": "advisor_script", "bk_mobile": "card", "bk_email": "email",
              "bk_call_centre": "call_script"}  # fmt: skip
CREATIVES = tuple(
    Creative(
        f"{offer.id}_{channel.id.removeprefix('bk_')}",
        offer.id,
        channel.id,
        f"{offer.name} ({channel.name})",
        _TEMPLATES[channel.id],
        subject=f"Your {offer.name}" if channel.id == "bk_email" else None,
        headline=offer.name,
        body=offer.description,
        cta="Book an appointment" if channel.id == "bk_branch" else "Apply now",
        # Mortgages sell face to face; a mortgage card in the app is shown less.
        weight=40 if offer.category == "bk_mortgages" and channel.id == "bk_mobile" else 100,
    )
    for offer in OFFERS
    for channel in CHANNELS
)


def _attribute(field: str, operator: str, value: object, **extra: object) -> dict[str, object]:
    return {"field": f"{CUSTOMERS}.{field}", "operator": operator, "value": value, **extra}


QUALIFICATION_RULES = (
    QualificationRule("bk_rule_adult", "Adults only", "eligibility", "attribute_condition",
                      _attribute("age", ">=", 18)),
    QualificationRule("bk_rule_card_score", "Credit score for cards", "eligibility",
                      "attribute_condition", _attribute("credit_score", ">=", 620),
                      scope="category", scope_ref="bk_cards"),
    QualificationRule("bk_rule_loan_income", "Income for loans", "eligibility",
                      "attribute_condition", _attribute("annual_income", ">=", 20000),
                      scope="category", scope_ref="bk_loans"),
    QualificationRule("bk_rule_ftb", "No mortgage yet", "eligibility", "attribute_condition",
                      _attribute("has_mortgage", "=", False),
                      scope="offer", scope_ref="bk_ftb_mortgage"),
    QualificationRule("bk_rule_remortgage", "Has a mortgage to switch", "eligibility",
                      "attribute_condition", _attribute("has_mortgage", "=", True),
                      scope="offer", scope_ref="bk_remortgage"),
    QualificationRule("bk_rule_travel_score", "Prime credit for the travel card", "fit",
                      "attribute_condition", _attribute("credit_score", ">=", 720),
                      scope="offer", scope_ref="bk_travel_card"),
    QualificationRule("bk_rule_first_card", "No card yet for cashback", "fit",
                      "attribute_condition", _attribute("has_credit_card", "=", False),
                      scope="offer", scope_ref="bk_cashback_card"),
    QualificationRule("bk_rule_mortgage_income", "Income for mortgages", "fit",
                      "attribute_condition", _attribute("annual_income", ">=", 35000),
                      scope="category", scope_ref="bk_mortgages"),
    QualificationRule("bk_rule_saver", "No savings yet", "fit", "attribute_condition",
                      _attribute("has_savings", "=", False),
                      scope="offer", scope_ref="bk_easy_saver"),
    QualificationRule("bk_rule_declined_lending", "A lending offer at most every 14 days",
                      "fit", "recency_check",
                      {"minDays": 14, "per": "offer"},
                      scope="category", scope_ref="bk_loans"),
    QualificationRule("bk_rule_digital", "Digital customers on mobile", "match",
                      "attribute_condition",
                      _attribute("digital_active", "=", True, multiplier=1.5),
                      scope="channel", scope_ref="bk_mobile"),
    QualificationRule("bk_rule_propensity", "Minimum propensity", "match",
                      "propensity_threshold", {"minScore": 0.01}),
)  # fmt: skip

CONTACT_POLICIES = (
    ContactPolicy("bk_policy_cap", "Contact cap", "frequency_cap",
                  {"maxPerDay": 1, "maxPerWeek": 3, "maxPerMonth": 8}),
    ContactPolicy("bk_policy_calls", "Call centre twice a month", "frequency_cap",
                  {"maxPerMonth": 2}, scope="channel", scope_ref="bk_call_centre"),
    ContactPolicy("bk_policy_cooldown", "Offer cooldown", "cooldown",
                  {"cooldownHours": 336, "per": "offer"}),
    ContactPolicy("bk_policy_one_debt", "One new debt at a time", "mutual_exclusion",
                  {"categories": ["bk_mortgages", "bk_loans", "bk_cards"], "windowDays": 30}),
    ContactPolicy("bk_policy_low_credit", "No lending to low credit scores",
                  "segment_exclusion",
                  {"segment": "bk_seg_low_credit", "categories": ["bk_loans", "bk_cards"]}),
)  # fmt: skip

OUTCOME_TYPES = (
    OutcomeType("bk_ot_impression", "impression", "Impression", "neutral"),
    OutcomeType("bk_ot_click", "click", "Click", "neutral"),
    OutcomeType("bk_ot_applied", "applied", "Applied", "positive"),
    OutcomeType("bk_ot_opened", "opened", "Product opened", "positive"),
    OutcomeType("bk_ot_declined", "declined", "Declined", "negative"),
    OutcomeType("bk_ot_rejected", "rejected", "Application rejected", "negative"),
)

MODELS = (
    AlgorithmModel(
        "bk_model_scorecard",
        "banking-scorecard",
        "Cross-sell scorecard",
        "scorecard",
        {
            "baseScore": 40,
            "rules": [
                _attribute("credit_score", ">=", 740, points=15),
                _attribute("annual_income", ">=", 60000, points=10),
                _attribute("digital_active", "=", True, points=8),
                _attribute("tenure_years", ">=", 5, points=5),
                _attribute("has_personal_loan", "=", True, points=-10),
            ],
        },
    ),
    AlgorithmModel(
        "bk_model_logistic",
        "banking-logistic",
        "Application propensity (logistic regression)",
        "logistic_regression",
        {
            "bias": -3.0,
            "weights": {
                f"{CUSTOMERS}.credit_score": 0.002,
                f"{CUSTOMERS}.annual_income": 0.00001,
                f"{CUSTOMERS}.digital_active": 0.4,
            },
        },
    ),
    AlgorithmModel("bk_model_bayes", "banking-bayesian", "Offer take-up rate (Bayesian)",
                   "bayesian", {"prior": {"alpha": 1, "beta": 20}}, learns_from_history=True),
    AlgorithmModel("bk_model_thompson", "banking-thompson", "Offer Thompson bandit",
                   "thompson_bandit", {"prior": {"alpha": 1, "beta": 1}},
                   learns_from_history=True),
    AlgorithmModel("bk_model_epsilon", "banking-epsilon-greedy", "Offer epsilon-greedy",
                   "epsilon_greedy", {"epsilon": 0.1}, learns_from_history=True),
)  # fmt: skip

EXPERIMENTS = (
    Experiment(
        "bk_experiment",
        "banking-cross-sell",
        "Thompson bandit vs logistic vs scorecard",
        champion="bk_model_thompson",
        traffic_split={"bk_model_thompson": 50, "bk_model_logistic": 30, "bk_model_scorecard": 20},
    ),
)

DECISION_FLOWS = (
    nba_flow(
        "bk_flow",
        "banking-nba",
        "Banking next best action",
        experiment="bk_experiment",
        customers=CUSTOMERS,
        customer_key="customer_id",
        rank={"by": "score", "tieBreaker": "businessValue"},
        limit=3,
    ),
)
