"""The decisioning half of an inferred pack: a small, working setup to edit around the table.

Three offers in two categories on email, SMS and web, one creative each per channel, a
propensity rule, a contact cap, three models in an experiment, the standard flow, a segment
and a ground truth whose features are the profiled columns.
"""

import re
from typing import Any

import numpy as np

from seedpacks.packfile.emit import Noted
from seedpacks.packfile.infer_table import Profiled
from seedpacks.packfile.profile import Profile

_CHANNELS = (("email", "Email", "email", "file"), ("sms", "SMS", "sms", "api"),
             ("web", "Website", "web", "api"))  # fmt: skip
# Channel lifts of the true response: email the baseline.
_CHANNEL_LIFT = {"email": 0.0, "sms": -0.3, "web": -0.5}
# offer: (name, category, priority, business value, base log-odds)
_OFFERS = {
    "welcome": ("Welcome offer", "growth", 60, 20.0, -2.0),
    "upgrade": ("Upgrade offer", "growth", 50, 45.0, -2.6),
    "loyalty": ("Loyalty reward", "retention", 40, 15.0, -2.2),
}
_CATEGORIES = {"growth": "Growth", "retention": "Retention"}
_MAX_FEATURES = 4


def starter_sections(profiled: Profiled, *, key: str, table: str) -> dict[str, Any]:
    """Return every section of the pack but its tables, over the inferred `table`."""
    p = key.replace("-", "_")
    customer_id = profiled.id_column() or "row_id"
    features = _features(profiled)
    offers = [f"{p}_{o}" for o in _OFFERS]
    channels = [f"{p}_{c[0]}" for c in _CHANNELS]
    sections: dict[str, Any] = {
        "categories": [
            {"id": f"{p}_{c}", "name": name, "description": f"{name} offers"}
            for c, name in _CATEGORIES.items()
        ],
        "channels": [
            {"id": f"{p}_{c}", "name": name, "channel_type": kind, "delivery_mode": mode}
            for c, name, kind, mode in _CHANNELS
        ],
        "offers": [
            {
                "id": f"{p}_{o}",
                "name": name,
                "category": f"{p}_{category}",
                "description": f"{name}: edit the name, value and budget",
                "priority": priority,
                "business_value": value,
            }
            for o, (name, category, priority, value, _) in _OFFERS.items()
        ],
        "creatives": _creatives(p, offers, channels),
        "qualification_rules": [
            {
                "id": f"{p}_rule_propensity",
                "name": "Minimum propensity",
                "stage": "match",
                "rule_type": "propensity_threshold",
                "config": {"minScore": 0.01},
            }
        ],
        "contact_policies": [
            {
                "id": f"{p}_policy_cap",
                "name": "Contact cap",
                "policy_type": "frequency_cap",
                "config": {"maxPerDay": 1, "maxPerWeek": 3, "maxPerMonth": 8},
            }
        ],
        "outcome_types": [
            {"id": f"{p}_ot_{k}", "key": k, "name": k.capitalize(), "classification": c}
            for k, c in (
                ("impression", "neutral"),
                ("click", "neutral"),
                ("accept", "positive"),
                ("ignore", "negative"),
            )
        ],  # fmt: skip
        "models": _models(p, table, features),
        "experiments": [
            {
                "id": f"{p}_experiment",
                "key": f"{key}-bandit-vs-rules",
                "name": "Bandit vs scorecard vs priority",
                "champion": f"{p}_model_thompson",
                "traffic_split": {
                    f"{p}_model_thompson": 50,
                    f"{p}_model_scorecard": 25,
                    f"{p}_model_priority": 25,
                },
            }
        ],
        "decision_flows": [_flow(p, key, table, customer_id)],
        "segments": _segments(p, table, features),
        "ground_truth": _truth(profiled, table, customer_id, features, offers, channels),
    }
    return sections


def _creatives(p: str, offers: list[str], channels: list[str]) -> list[dict[str, Any]]:
    out = []
    for offer in offers:
        name = _OFFERS[offer.removeprefix(p + "_")][0]
        for channel in channels:
            short = channel.removeprefix(p + "_")
            out.append(
                {
                    "id": f"{offer}_{short}",
                    "offer": offer,
                    "channel": channel,
                    "name": f"{name} ({short})",
                    "template_type": "banner" if short == "web" else short,
                    "headline": name,
                    "body": "Edit this text.",
                    "cta": "Find out more",
                }
            )
    return out


def _features(profiled: Profiled) -> list[tuple[Profile, dict[str, Any]]]:
    """Return up to four features of the true response: numbers first, then categories."""
    numeric = [p for p in profiled.profiles if p.role == "numeric" and p.type != "date"]
    numeric = [p for p in numeric if p.type != "timestamp"]
    categories = [p for p in profiled.profiles if p.role == "category" and p.distinct >= 2]
    chosen = numeric[:2] + categories[: _MAX_FEATURES - len(numeric[:2])]
    out = []
    for p in chosen:
        values = profiled.typed[p.name].drop_nulls()
        if p.role == "numeric":
            x = values.cast(float).to_numpy()
            q1, median, q3 = (float(v) for v in np.quantile(x, [0.25, 0.5, 0.75]))
            spread = (q3 - q1) / 1.35 or float(np.std(x)) or 1.0
            out.append(
                (p, {"name": p.name, "column": p.name, "kind": "numeric",
                     "center": round(median, 4), "spread": round(spread, 4)})
            )  # fmt: skip
        else:
            top = True if p.type == "boolean" else values.value_counts(sort=True)[p.name][0]
            name = p.name if p.type == "boolean" else f"{p.name}_{_slug(top)}"
            out.append((p, {"name": name, "column": p.name, "kind": "equals", "value": top}))
    return out


def _threshold(profile: Profile, feature: dict[str, Any]) -> float | int:
    """Return the feature's center as the column stores it (a whole number in an integer one)."""
    center: float = feature["center"]
    return round(center) if profile.type in ("integer", "bigint") else center


def _slug(value: object) -> str:
    return re.sub(r"[^0-9a-z]+", "_", str(value).lower()).strip("_")[:30] or "value"


def _models(p: str, table: str, features: list[tuple[Profile, dict[str, Any]]]) -> list[Any]:
    rules = []
    for profile, feature in features:
        if feature["kind"] == "numeric":
            rules.append({"field": f"{table}.{feature['column']}", "operator": ">=",
                          "value": _threshold(profile, feature), "points": 10})  # fmt: skip
        else:
            rules.append({"field": f"{table}.{feature['column']}", "operator": "=",
                          "value": feature["value"], "points": 5})  # fmt: skip
    return [
        {"id": f"{p}_model_priority", "key": f"{p}-priority", "name": "Priority x business value",
         "model_type": "priority_weighted",
         "config": {"weights": {"priority": 0.7, "businessValue": 0.3}}},
        Noted(
            {"id": f"{p}_model_scorecard", "key": f"{p}-scorecard", "name": "Starter scorecard",
             "model_type": "scorecard", "config": {"baseScore": 50, "rules": rules}},
            "Points for values above the file's median or equal to its most common value.",
        ),
        {"id": f"{p}_model_thompson", "key": f"{p}-thompson", "name": "Offer Thompson bandit",
         "model_type": "thompson_bandit", "config": {"prior": {"alpha": 1, "beta": 1}},
         "learns_from_history": True},
    ]  # fmt: skip


def _flow(p: str, key: str, table: str, customer_id: str) -> dict[str, Any]:
    experiment = f"{p}_experiment"
    return {
        "id": f"{p}_flow",
        "key": f"{key}-nba",
        "name": "Next best action",
        "experiment": experiment,
        "nodes": [
            {"type": "inventory", "config": {"status": "active"}},
            {"type": "match_creatives", "config": {"selection": "weighted"}},
            {"type": "enrich", "config": {"tables": [table], "key": customer_id}},
            {"type": "qualify", "config": {"stages": ["eligibility", "fit", "match"]}},
            {"type": "contact_policy", "config": {"policies": "all"}},
            {"type": "score", "config": {"method": "experiment", "experiment": experiment}},
            {"type": "rank", "config": {"by": "score", "tieBreaker": "priority"}},
            {"type": "response", "config": {"limit": 3, "recordImpressions": True}},
        ],
    }


def _segments(p: str, table: str, features: list[tuple[Profile, dict[str, Any]]]) -> list[Any]:
    if not features:
        return []
    profile, feature = features[0]
    if feature["kind"] == "numeric":
        name, condition = f"High {profile.name}", [">=", _threshold(profile, feature)]
    else:
        name, condition = f"{profile.name} {feature['value']}", ["=", feature["value"]]
    return [
        {
            "id": f"{p}_seg_{profile.name}",
            "name": name,
            "table": table,
            "description": f"Customers whose {profile.name} is {condition[0]} {condition[1]}",
            "filters": [{"field": profile.name, "operator": condition[0], "value": condition[1]}],
        }
    ]


def _truth(
    profiled: Profiled,
    table: str,
    customer_id: str,
    features: list[tuple[Profile, dict[str, Any]]],
    offers: list[str],
    channels: list[str],
) -> Noted:
    names = [f["name"] for _, f in features]
    arms = []
    for i, offer in enumerate(offers):
        base = list(_OFFERS.values())[i][4]
        # Each offer appeals to its own feature and a little against the next one, so that
        # the best offer differs between customers.
        weights = {}
        if names:
            weights[names[i % len(names)]] = 0.8
            if len(names) > 1:
                weights[names[(i + 1) % len(names)]] = -0.3
        for channel in channels:
            lift = _CHANNEL_LIFT[channel.rsplit("_", 1)[1]]
            arms.append({"offer": offer, "channel": channel, "intercept": round(base + lift, 2),
                         "weights": dict(weights)})  # fmt: skip
    truth = {
        "customer_table": table,
        "customer_id": customer_id,
        "positive_outcome": "accept",
        "negative_outcome": "ignore",
        "interactions": 3000,
        "start": "2024-07-01",
        "days": 30,
        "features": [f for _, f in features],
        "arms": arms,
    }
    shown = ", ".join(names) or "none"
    return Noted(truth, f"True response over the profiled columns ({shown}): edit the weights.")
