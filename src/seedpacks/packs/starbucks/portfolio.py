"""The real Starbucks rewards-app portfolio: its 10 offers, their channels and creatives."""

from datetime import date

from seedpacks.packs.model import (
    Category,
    Channel,
    Offer,
    OutcomeType,
    SubCategory,
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
