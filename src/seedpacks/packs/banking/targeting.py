"""Banking NBA: segments (as views) and the ground truth of who takes up which product where."""

from datetime import date

from seedpacks.packs.banking.entities import CHANNELS, OFFERS
from seedpacks.packs.banking.tables import CUSTOMERS
from seedpacks.packs.model import Arm, Feature, Filter, GroundTruth, Segment

SEGMENTS = (
    Segment("bk_seg_prime", "Prime Credit", CUSTOMERS, (Filter("credit_score", ">=", 740),),
            "Credit score 740 or more"),
    Segment("bk_seg_affluent", "Mass Affluent", CUSTOMERS,
            (Filter("annual_income", ">=", 75000),), "Income of 75,000 GBP or more"),
    Segment("bk_seg_young_digital", "Young Digital", CUSTOMERS,
            (Filter("age", "<", 35), Filter("digital_active", "=", True))),
    Segment("bk_seg_mortgage_prospects", "Mortgage Prospects", CUSTOMERS,
            (Filter("has_mortgage", "=", False), Filter("age", ">=", 25), Filter("age", "<=", 45),
             Filter("annual_income", ">=", 35000)),
            "25-45, earning 35,000 GBP or more, no mortgage yet"),
    Segment("bk_seg_no_savings", "No Savings", CUSTOMERS, (Filter("has_savings", "=", False),)),
    Segment("bk_seg_low_credit", "Low Credit", CUSTOMERS, (Filter("credit_score", "<", 580),),
            "Excluded from lending offers"),
)  # fmt: skip

# Ground truth: each product appeals to its life stage and means, and much less to holders of
# it already; the app works for the digitally active, the branch for older customers and
# mortgages, the call centre for loans.
_OFFER_TRUTH: dict[str, tuple[float, dict[str, float]]] = {
    "bk_cashback_card": (-2.0, {"income": 0.2, "credit": 0.4, "has_card": -1.2, "age": -0.2}),
    "bk_travel_card": (-2.6, {"income": 0.6, "credit": 0.5, "has_card": -0.6}),
    "bk_balance_transfer": (-2.4, {"has_card": 0.9, "credit": 0.2, "income": -0.1}),
    "bk_personal_loan": (-2.5, {"age": -0.3, "has_loan": -1.0, "income": 0.1, "credit": -0.2}),
    "bk_car_loan": (-2.8, {"age": -0.2, "income": 0.3, "has_loan": -0.6}),
    "bk_ftb_mortgage": (-3.0, {"age": -0.5, "income": 0.6, "has_mortgage": -2.0}),
    "bk_remortgage": (-2.6, {"has_mortgage": 1.5, "age": 0.2}),
    "bk_easy_saver": (-1.8, {"has_savings": -0.8, "income": 0.3, "age": 0.3}),
    "bk_fixed_bond": (-2.4, {"age": 0.6, "income": 0.4, "has_savings": 0.5}),
    "bk_home_insurance": (-2.5, {"has_mortgage": 1.0, "age": 0.2}),
    "bk_life_insurance": (-2.9, {"has_mortgage": 0.8, "age": 0.3}),
    "bk_travel_insurance": (-2.7, {"income": 0.4, "age": -0.1}),
}
_CHANNEL_TRUTH: dict[str, tuple[float, dict[str, float]]] = {
    "bk_mobile": (0.2, {"digital": 0.8, "age": -0.3}),
    "bk_email": (-0.1, {"digital": 0.2}),
    "bk_branch": (-0.3, {"digital": -0.5, "age": 0.4}),
    "bk_call_centre": (-0.2, {"age": 0.3}),
}
_FAMILY_CHANNEL_LIFT = {("mortgage", "bk_branch"): 0.6, ("loan", "bk_call_centre"): 0.3}


def _arm(offer: str, family: str, channel: str) -> Arm:
    base, weights = _OFFER_TRUTH[offer]
    lift, extra = _CHANNEL_TRUTH[channel]
    lift += _FAMILY_CHANNEL_LIFT.get((family, channel), 0.0)
    merged = {k: round(weights.get(k, 0.0) + extra.get(k, 0.0), 4) for k in {*weights, *extra}}
    return Arm(offer, channel, round(base + lift, 4), dict(sorted(merged.items())))


GROUND_TRUTH = GroundTruth(
    customer_table=CUSTOMERS,
    customer_id="customer_id",
    features=(
        Feature("income", "annual_income", "numeric", center=42000, spread=25000),
        Feature("credit", "credit_score", "numeric", center=690, spread=70),
        Feature("age", "age", "numeric", center=45, spread=15),
        Feature("digital", "digital_active", "equals", value=True),
        Feature("has_card", "has_credit_card", "equals", value=True),
        Feature("has_loan", "has_personal_loan", "equals", value=True),
        Feature("has_mortgage", "has_mortgage", "equals", value=True),
        Feature("has_savings", "has_savings", "equals", value=True),
    ),
    arms=tuple(
        _arm(offer.id, str(offer.attributes["family"]), channel.id)
        for offer in OFFERS
        for channel in CHANNELS
    ),
    positive_outcome="applied",
    negative_outcome="declined",
    interactions=1000,
    start=date(2024, 4, 1),
    days=60,
)
