"""The standard next-best-action decision flow, which every pack declares with its own settings."""

from collections.abc import Mapping, Sequence
from typing import Any

from seedpacks.packs.model import DecisionFlow, FlowNode


def nba_flow(
    id: str,
    key: str,
    name: str,
    *,
    experiment: str,
    customers: str,
    customer_key: str,
    stages: Sequence[str] = ("eligibility", "fit", "match"),
    rank: Mapping[str, Any] | None = None,
    limit: int = 5,
) -> DecisionFlow:
    """Return inventory -> match_creatives -> enrich -> qualify -> contact_policy -> score
    (by `experiment`) -> rank -> response over the pack's customer table."""
    return DecisionFlow(
        id,
        key,
        name,
        experiment=experiment,
        nodes=(
            FlowNode("inventory", {"status": "active"}),
            FlowNode("match_creatives", {"selection": "weighted"}),
            FlowNode("enrich", {"tables": [customers], "key": customer_key}),
            FlowNode("qualify", {"stages": list(stages)}),
            FlowNode("contact_policy", {"policies": "all"}),
            FlowNode("score", {"method": "experiment", "experiment": experiment}),
            FlowNode("rank", dict(rank or {"by": "score", "tieBreaker": "priority"})),
            FlowNode("response", {"limit": limit, "recordImpressions": True}),
        ),
    )
