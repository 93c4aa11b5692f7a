"""Retail e-commerce: a 60-offer catalogue (6 departments x 10 promotion mechanics) on five
channels, under a dense web of contact policies; models, flow, segments and ground truth."""

from datetime import date

from seedpacks.packs.model import (
    Category,
    Channel,
    Creative,
    Offer,
    QualificationRule,
    SubCategory,
)
from seedpacks.packs.retail.tables import CUSTOMERS, DEPARTMENTS

# mechanic: (name, sub-category group, priority, base log-odds of a purchase)
MECHANICS = {
    "pct10": ("10% off", "discount", 40, -2.8),
    "pct20": ("20% off", "discount", 50, -2.4),
    "pct30": ("30% off", "discount", 60, -2.0),
    "flash_sale": ("24-hour flash sale", "discount", 70, -2.2),
    "clearance": ("Clearance up to 50% off", "discount", 35, -2.7),
    "free_shipping": ("Free shipping", "loyalty", 45, -2.5),
    "points2x": ("Double loyalty points", "loyalty", 30, -3.0),
    "bogo": ("Buy one, get one half price", "merch", 55, -2.6),
    "bundle": ("Bundle and save", "merch", 40, -3.0),
    "new_arrivals": ("New arrivals preview", "merch", 25, -3.2),
}
_GROUPS = {"discount": "Discounts", "loyalty": "Loyalty perks", "merch": "Merchandising"}


def offer_id(department: str, mechanic: str) -> str:
    return f"rt_{department}_{mechanic}"


CATEGORIES = tuple(
    Category(
        f"rt_{d}",
        f"Retail: {d.capitalize()}",
        f"Promotions of the {d} department",
        {"department": d},
        tuple(SubCategory(f"rt_{d}_{g}", f"{d.capitalize()} {label.lower()}")
              for g, label in _GROUPS.items()),
    )
    for d in DEPARTMENTS
)  # fmt: skip

CHANNELS = (
    Channel("rt_email", "Email", "email", "file"),
    Channel("rt_push", "App Push", "push", "api"),
    Channel("rt_web", "Website", "web", "api", ("homepage_hero", "product_page", "cart")),
    Channel("rt_sms", "SMS", "sms", "api"),
    Channel("rt_social", "Social Ads", "social", "api", ("feed", "stories")),
)

OFFERS = tuple(
    Offer(
        offer_id(d, m),
        f"{d.capitalize()}: {name}",
        f"rt_{d}",
        f"rt_{d}_{group}",
        description=f"{name} on {d}",
        priority=priority,
        business_value=round(12.0 + 30 * (priority / 100), 2),
        budget=10000.0 if group == "discount" else None,
        start_date=date(2024, 1, 1),
        end_date=date(2024, 12, 31),
        attributes={"department": d, "mechanic": m},
    )
    for d in DEPARTMENTS
    for m, (name, group, priority, _base) in MECHANICS.items()
)

_TEMPLATES = {"rt_email": "email", "rt_push": "push", "rt_web": "banner", "rt_sms": "sms",
              "rt_social": "social_post"}  # fmt: skip
CREATIVES = tuple(
    Creative(
        f"{offer.id}_{channel.id.removeprefix('rt_')}",
        offer.id,
        channel.id,
        f"{offer.name} ({channel.name})",
        _TEMPLATES[channel.id],
        subject=offer.name if channel.id == "rt_email" else None,
        headline=offer.name,
        body=f"{offer.description.capitalize()}, this week only.",
        cta="Shop now",
        weight=60 if channel.id == "rt_social" else 100,
    )
    for offer in OFFERS
    for channel in CHANNELS
)


def _consent(rule_id: str, name: str, field: str, channel: str) -> QualificationRule:
    return QualificationRule(
        rule_id,
        name,
        "eligibility",
        "attribute_condition",
        {"field": f"{CUSTOMERS}.{field}", "operator": "=", "value": True},
        scope="channel",
        scope_ref=channel,
    )


QUALIFICATION_RULES = (
    _consent("rt_rule_email", "Email consent", "email_opt_in", "rt_email"),
    _consent("rt_rule_sms", "SMS consent", "sms_opt_in", "rt_sms"),
    _consent("rt_rule_push", "App installed", "app_user", "rt_push"),
    QualificationRule(
        "rt_rule_active",
        "Bought within two years",
        "fit",
        "attribute_condition",
        {"field": f"{CUSTOMERS}.days_since_last_order", "operator": "<", "value": 730},
    ),
    QualificationRule(
        "rt_rule_propensity",
        "Minimum propensity",
        "match",
        "propensity_threshold",
        {"minScore": 0.01},
    ),
)
