"""Qualification rules: eligibility and fit drop an offer, match multiplies its score.

A match rule that holds multiplies by its `multiplier` (default 1); one that fails by its
`elseMultiplier` (default 1 when the rule names a multiplier, else 0.5: a soft demotion).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from seedpacks.decisioning.conditions import OPERATORS, holds, plain
from seedpacks.decisioning.context import Context
from seedpacks.decisioning.setup import FlowInvalid, Setup

STAGES = ("eligibility", "fit", "match")
_SUMMARY_METRICS = ("impressions", "positives", "negatives", "positiveRate", "daysSinceLastContact")
# Rule types whose verdict depends on the customer alone: evaluated once per decision, not once
# per candidate offer.
_PER_CUSTOMER = frozenset({"attribute_condition", "segment_required"})


@dataclass(frozen=True)
class Verdict:
    passed: bool
    # What was checked, for the debug trace: "starbucks_customers.income >= 50000 (is 32000.0)".
    detail: str


def applies(item: dict[str, Any], offer: dict[str, Any], channel_id: str) -> bool:
    """Return whether a rule or policy with a scope covers `offer` on `channel_id`."""
    scope, ref = item["scope"], item["scope_ref"]
    if scope == "category":
        return bool(offer["category_id"] == ref)
    if scope == "offer":
        return bool(offer["id"] == ref)
    if scope == "channel":
        return channel_id == ref
    return True


def attribute(ctx: Context, name: str, *, used_by: str) -> Any:
    """Return the customer's attribute `name`; a name the enrich node lacks is a flow defect."""
    if name not in ctx.attributes:
        raise FlowInvalid(
            f"{used_by} reads attribute '{name}', which the flow's enrich node does not provide."
        )
    return ctx.attributes[name]


def _condition(ctx: Context, rule: dict[str, Any], config: dict[str, Any]) -> Verdict:
    name, operator = config.get("field"), config.get("operator", "=")
    if not name or operator not in OPERATORS:
        raise FlowInvalid(f"Rule '{rule['id']}' needs a field and an operator from {OPERATORS}.")
    actual = attribute(ctx, name, used_by=f"Rule '{rule['id']}'")
    shown = f"{name} {operator} {config.get('value', '')}".strip() + f" (is {plain(actual)!r})"
    if actual is None and config.get("unknownPasses"):
        return Verdict(True, shown + ", unknown passes")
    return Verdict(holds(actual, operator, config.get("value")), shown)


def _segment(ctx: Context, rule: dict[str, Any], config: dict[str, Any]) -> Verdict:
    ref = config.get("segment") or config.get("segmentId") or config.get("segmentName")
    if not ref:
        raise FlowInvalid(f"Rule '{rule['id']}' names no segment.")
    inside = ctx.in_segment(str(ref), used_by=f"Rule '{rule['id']}'")
    wanted = not config.get("exclude", False)
    return Verdict(inside == wanted, f"in segment {ref}: {inside}")


def _propensity(ctx: Context, rule: dict[str, Any], offer_id: str) -> Verdict:
    config = rule["config"]
    minimum = float(config.get("minScore", config.get("threshold", 0.0)))
    value = ctx.propensity(offer_id, config.get("model"))
    if value is None:
        return Verdict(True, "no propensity known, passes")
    return Verdict(value >= minimum, f"propensity {value:.3f} >= {minimum}")


def _days_since(ctx: Context, rule: dict[str, Any], offer_id: str) -> float | None:
    config = rule["config"]
    if config.get("field"):
        value = attribute(ctx, config["field"], used_by=f"Rule '{rule['id']}'")
        if isinstance(value, str):
            value = date.fromisoformat(value[:10])
        if isinstance(value, datetime):
            return (ctx.now - value).total_seconds() / 86400
        if isinstance(value, date):
            return float((ctx.now.date() - value).days)
        return None
    per_offer = config.get("per", "offer") == "offer"
    last = [
        s["lastContactAt"]
        for (offer, _), s in ctx.summaries().items()
        if s["lastContactAt"] is not None and (offer == offer_id or not per_offer)
    ]
    last += [
        c.at for c in ctx.history(timedelta(days=31)) if c.offer_id == offer_id or not per_offer
    ]
    last = [at for at in last if at <= ctx.now]
    return (ctx.now - max(last)).total_seconds() / 86400 if last else None


def _recency(ctx: Context, rule: dict[str, Any], offer_id: str) -> Verdict:
    days = _days_since(ctx, rule, offer_id)
    checks = []
    for key, limit in rule["config"].items():
        if key.startswith("minDays"):
            checks.append((days is None or days >= float(limit), f"days since >= {limit}"))
        elif key.startswith("maxDays") or key == "withinDays":
            checks.append((days is not None and days <= float(limit), f"days since <= {limit}"))
    if not checks:
        raise FlowInvalid(f"Rule '{rule['id']}' (recency_check) sets no minDays/maxDays limit.")
    shown = "; ".join(text for _, text in checks)
    return Verdict(all(ok for ok, _ in checks), f"{shown} (is {days})")


def _metric(ctx: Context, rule: dict[str, Any], offer_id: str) -> Verdict:
    config = rule["config"]
    metric = config.get("metric") or config.get("field")
    operator = config.get("operator", ">=")
    if metric in _SUMMARY_METRICS:
        rows = (
            [s for (offer, _), s in ctx.summaries().items() if offer == offer_id]
            if config.get("per", "offer") == "offer"
            else list(ctx.summaries().values())
        )
        totals = {k: sum(r[k] for r in rows) for k in ("impressions", "positives", "negatives")}
        outcomes = totals["positives"] + totals["negatives"]
        last = [r["lastContactAt"] for r in rows if r["lastContactAt"] is not None]
        value: Any = {
            **totals,
            "positiveRate": totals["positives"] / outcomes if outcomes else None,
            "daysSinceLastContact": (ctx.now - max(last)).total_seconds() / 86400 if last else None,
        }[metric]
    elif metric:
        value = attribute(ctx, metric, used_by=f"Rule '{rule['id']}'")
    else:
        raise FlowInvalid(f"Rule '{rule['id']}' (metric_condition) names no metric.")
    if value is None and config.get("unknownPasses"):
        return Verdict(True, f"{metric} unknown, passes")
    shown = f"{metric} {operator} {config.get('value')} (is {plain(value)!r})"
    return Verdict(holds(value, operator, config.get("value")), shown)


def evaluate(ctx: Context, rule: dict[str, Any], offer_id: str) -> Verdict:
    """Return whether `rule` holds for the context's customer and `offer_id`."""
    kind, config = rule["rule_type"], rule["config"]
    if kind == "attribute_condition":
        return _condition(ctx, rule, config)
    if kind == "segment_required":
        return _segment(ctx, rule, config)
    if kind == "propensity_threshold":
        return _propensity(ctx, rule, offer_id)
    if kind == "recency_check":
        return _recency(ctx, rule, offer_id)
    if kind == "metric_condition":
        return _metric(ctx, rule, offer_id)
    raise FlowInvalid(f"Rule '{rule['id']}' has unknown type '{kind}'.")


def applicable(
    setup: Setup, channel_id: str, stages: tuple[str, ...]
) -> dict[str, list[dict[str, Any]]]:
    """Return, per offer id, the active rules of `stages` that cover it on `channel_id`."""
    return {
        offer_id: [r for r in setup.rules if r["stage"] in stages and applies(r, offer, channel_id)]
        for offer_id, offer in setup.offers.items()
    }


def qualify(
    ctx: Context, offer: dict[str, Any], rules: list[dict[str, Any]]
) -> tuple[str | None, float, list[str]]:
    """Return (why the offer is dropped or None, its match multiplier, match notes) under
    `rules`, the rules that cover it (see `applicable`), highest priority first."""
    multiplier, notes = 1.0, []
    for rule in rules:
        if rule["rule_type"] in _PER_CUSTOMER:
            verdict = ctx.verdicts.get(rule["id"])
            if verdict is None:
                verdict = ctx.verdicts[rule["id"]] = evaluate(ctx, rule, offer["id"])
        else:
            verdict = evaluate(ctx, rule, offer["id"])
        if rule["stage"] != "match":
            if not verdict.passed:
                return f"{rule['stage']} rule '{rule['name']}' failed: {verdict.detail}", 1.0, []
            continue
        config = rule["config"]
        if verdict.passed:
            factor = float(config.get("multiplier", 1.0))
        else:
            factor = float(config.get("elseMultiplier", 1.0 if "multiplier" in config else 0.5))
        if factor != 1.0:
            multiplier *= factor
            notes.append(f"match rule '{rule['name']}' x{factor:g}: {verdict.detail}")
    return None, multiplier, notes
