"""Contact policies against the customer's interaction history, timed by the decision's clock.

An offer a policy forbids is dropped with the reason. A cap shared by several offers (a global or
category frequency cap, a mutual exclusion) also leaves a budget: how many more of its offers the
response may still show, spent in rank order by the response node.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from seedpacks.decisioning.context import Contact, Context
from seedpacks.decisioning.rules import applies

WINDOWS = (
    ("maxPerDay", 1, "today"),
    ("maxPerWeek", 7, "this week"),
    ("maxPerMonth", 30, "this month"),
)


@dataclass
class Budget:
    """At most `remaining` more offers of `offers` in this response (policy `name`)."""

    name: str
    offers: set[str]
    remaining: int


@dataclass
class Outcome:
    dropped: dict[str, str] = field(default_factory=dict)
    budgets: list[Budget] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def drop(self, offer_id: str, reason: str) -> None:
        """Drop an offer; every policy that forbids it is named."""
        self.dropped[offer_id] = (
            f"{self.dropped[offer_id]}; {reason}" if offer_id in self.dropped else reason
        )


def lookback(policies: list[dict[str, Any]]) -> timedelta:
    """Return how far back the policies look (one history read covers them all)."""
    days = 1.0
    for p in policies:
        c = p["config"]
        days = max(days, *(d for key, d, _ in WINDOWS if key in c), 1.0)
        days = max(days, float(c.get("cooldownHours", 0)) / 24, float(c.get("cooldownDays", 0)))
        days = max(days, float(c.get("windowDays", 0)), float(c.get("withinHours", 0)) / 24)
        if p["policy_type"] == "outcome_based" and "windowDays" not in c:
            days = max(days, 90.0)
    return timedelta(days=min(days, 400.0))


def _in_scope(policy: dict[str, Any], ctx: Context, contact: Contact) -> bool:
    offer = ctx.setup.offers.get(contact.offer_id)
    if offer is None:
        return False
    scope, ref = policy["scope"], policy["scope_ref"]
    if scope == "channel":
        return contact.channel_id == ref
    return applies(policy, offer, contact.channel_id)


def _same_group(per: str, ctx: Context, offer: dict[str, Any], contact: Contact) -> bool:
    if per == "offer":
        return contact.offer_id == offer["id"]
    if per == "category":
        other = ctx.setup.offers.get(contact.offer_id)
        return other is not None and other["category_id"] == offer["category_id"]
    if per == "channel":
        return contact.channel_id == ctx.channel_id
    return True


def _frequency(
    policy: dict[str, Any],
    ctx: Context,
    scoped: list[dict[str, Any]],
    out: Outcome,
    contacts: list[Contact],
) -> None:
    config, per = policy["config"], policy["config"].get("per")
    if per:
        for offer in scoped:
            mine = [c for c in contacts if _same_group(per, ctx, offer, c)]
            for key, days, label in WINDOWS:
                if key in config:
                    used = sum(c.at > ctx.now - timedelta(days=days) for c in mine)
                    if used >= int(config[key]):
                        out.drop(
                            offer["id"],
                            f"frequency cap '{policy['name']}': {used} of {config[key]} "
                            f"contacts {label} (per {per})",
                        )
                        break
        return
    remaining, reason = None, ""
    for key, days, label in WINDOWS:
        if key in config:
            used = sum(c.at > ctx.now - timedelta(days=days) for c in contacts)
            left = int(config[key]) - used
            if remaining is None or left < remaining:
                remaining = left
                reason = (
                    f"frequency cap '{policy['name']}': {used} of {config[key]} contacts {label}"
                )
    if remaining is None:
        return
    if remaining <= 0:
        for offer in scoped:
            out.drop(offer["id"], reason)
    else:
        out.budgets.append(Budget(policy["name"], {o["id"] for o in scoped}, remaining))


def _cooldown(
    policy: dict[str, Any],
    ctx: Context,
    scoped: list[dict[str, Any]],
    out: Outcome,
    contacts: list[Contact],
) -> None:
    config = policy["config"]
    hours = float(config.get("cooldownHours", 24 * float(config.get("cooldownDays", 0))))
    per = config.get("per", "offer")
    since = ctx.now - timedelta(hours=hours)
    for offer in scoped:
        recent = [c.at for c in contacts if c.at > since and _same_group(per, ctx, offer, c)]
        if recent:
            ago = (ctx.now - max(recent)).total_seconds() / 3600
            out.drop(
                offer["id"],
                f"cooldown '{policy['name']}': last contact (per {per}) {ago:.1f} h ago, "
                f"cooldown {hours:g} h",
            )


def _exclusion_group(
    policy: dict[str, Any], ctx: Context, scoped: list[dict[str, Any]]
) -> set[str]:
    config = policy["config"]
    group = set(config.get("offers") or config.get("offerIds") or [])
    for category in config.get("categories") or []:
        group |= {o["id"] for o in ctx.setup.offers.values() if o["category_id"] == category}
    return group or {o["id"] for o in scoped}


def _mutual(
    policy: dict[str, Any],
    ctx: Context,
    scoped: list[dict[str, Any]],
    out: Outcome,
    contacts: list[Contact],
) -> None:
    config = policy["config"]
    group = _exclusion_group(policy, ctx, scoped)
    hours = float(config.get("withinHours", 24 * float(config.get("windowDays", 0))))
    if hours:
        since = ctx.now - timedelta(hours=hours)
        shown = {c.offer_id for c in contacts if c.at > since and c.offer_id in group}
        for offer_id in sorted(group & {o["id"] for o in scoped} - shown):
            if shown:
                out.drop(
                    offer_id,
                    f"mutual exclusion '{policy['name']}': {sorted(shown)[0]} was shown "
                    f"within {hours:g} h",
                )
    out.budgets.append(Budget(policy["name"], group, 1))


def _outcome_based(
    policy: dict[str, Any],
    ctx: Context,
    scoped: list[dict[str, Any]],
    out: Outcome,
    contacts: list[Contact],
) -> None:
    config = policy["config"]
    keys = set(config.get("outcomes") or ([config["outcome"]] if config.get("outcome") else []))
    if config.get("classification"):
        keys |= {k for k, c in ctx.setup.outcomes.items() if c == config["classification"]}
    if not keys:
        keys = {k for k, c in ctx.setup.outcomes.items() if c == "positive"}
    threshold = int(config.get("count", config.get("threshold", 1)))
    per = config.get("per", "offer")
    for offer in scoped:
        hits = [c for c in contacts if c.outcome in keys and _same_group(per, ctx, offer, c)]
        if len(hits) >= threshold:
            out.drop(
                offer["id"],
                f"outcome-based '{policy['name']}': {len(hits)} x {sorted(keys)} (per {per})",
            )


def check(
    ctx: Context,
    offers: list[dict[str, Any]],
    policies: list[dict[str, Any]],
    window: timedelta | None = None,
) -> Outcome:
    """Apply the flow's contact policies to the candidate offers (`window`: their `lookback`)."""
    out = Outcome()
    if not policies:
        return out
    history = ctx.history(window or lookback(policies))
    for policy in policies:
        scoped = [o for o in offers if applies(policy, o, ctx.channel_id)]
        if not scoped:
            continue
        kind = policy["policy_type"]
        if kind == "segment_exclusion":
            ref = str(policy["config"].get("segment") or policy["config"].get("segmentId"))
            if ctx.in_segment(ref, used_by=f"Policy '{policy['id']}'"):
                for offer in scoped:
                    out.drop(
                        offer["id"], f"segment exclusion '{policy['name']}': customer in {ref}"
                    )
            continue
        if kind == "budget_cap":
            out.notes.append(f"budget cap '{policy['name']}' is not enforced per decision")
            continue
        in_scope = [c for c in history if _in_scope(policy, ctx, c)]
        contacts = [c for c in in_scope if c.is_contact]
        if kind == "frequency_cap":
            _frequency(policy, ctx, scoped, out, contacts)
        elif kind == "cooldown":
            _cooldown(policy, ctx, scoped, out, contacts)
        elif kind == "mutual_exclusion":
            _mutual(policy, ctx, scoped, out, contacts)
        elif kind == "outcome_based":
            _outcome_based(policy, ctx, scoped, out, in_scope)
    return out
