"""Recommend: run the tenant's decision flow node by node for one customer on one channel.

inventory -> match_creatives -> enrich -> qualify -> contact_policy -> score -> rank -> response.
Each node narrows or orders the candidates and notes in the trace why an offer was dropped. The
served decisions are recorded as impressions, which later contact policies count.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import psycopg
from psycopg.types.json import Jsonb

from seedpacks.decisioning import policies, rules
from seedpacks.decisioning.context import Context, enrich
from seedpacks.decisioning.experiment import Assignment, assign
from seedpacks.decisioning.scoring import SCORERS
from seedpacks.decisioning.setup import FlowInvalid, Setup, get_setup
from seedpacks.errors import BadRequest
from seedpacks.seeding.validate import FLOW_NODES

NODES = FLOW_NODES
MAX_LIMIT = 50
# Advisory-lock namespace serialising decisions of one customer (so caps hold under concurrency).
_CUSTOMER_LOCK_CLASS = 0x5EEE
# A caller-supplied scorer replaces the flow's model (the simulation's random and oracle policies).
ScoreOverride = Callable[[Context, list[dict[str, Any]]], list[float]]
# Draws of decisions that ask for no seed. Seeding a generator per decision costs more than the
# rest of the scoring (numpy's SeedSequence); numpy's generators lock, so threads may share it.
_UNSEEDED = np.random.default_rng()


@dataclass(frozen=True)
class RecommendRequest:
    customer_id: str
    channel: str
    limit: int | None = None
    flow: str | None = None
    attributes: dict[str, Any] | None = None
    context: dict[str, Any] | None = None
    exclude_offers: tuple[str, ...] = ()
    debug: bool = False


@dataclass
class Candidate:
    offer: dict[str, Any]
    creative: dict[str, Any] | None = None
    multiplier: float = 1.0
    score: float = 0.0
    notes: list[str] = field(default_factory=list)


EARLIEST_TIME = datetime(1900, 1, 1, tzinfo=UTC)
LATEST_TIME = datetime(2999, 12, 31, 23, 59, 59, tzinfo=UTC)


def decision_time(context: dict[str, Any] | None) -> datetime:
    """Return the decision's clock: the context's `time` (ISO 8601) if given, else now (UTC)."""
    value = (context or {}).get("time") or (context or {}).get("now")
    if not value:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"context.time must be an ISO 8601 time; got {value!r}.") from None
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    # Far from today, lookbacks and windows computed from the clock overflow datetime's range.
    if not EARLIEST_TIME <= parsed <= LATEST_TIME:
        raise BadRequest(
            f"context.time must lie between {EARLIEST_TIME.year} and {LATEST_TIME.year}; "
            f"got {value!r}."
        )
    return parsed


class _Trace:
    def __init__(self, enabled: bool) -> None:
        self.enabled, self.nodes = enabled, []  # type: ignore[var-annotated]

    def node(
        self,
        name: str,
        before: int,
        kept: list[Candidate],
        dropped: dict[str, str],
        setup_offers: dict[str, dict[str, Any]],
        **extra: Any,
    ) -> None:
        if not self.enabled:
            return
        self.nodes.append(
            {
                "node": name,
                "in": before,
                "out": len(kept),
                "dropped": [
                    {"offerId": o, "offerName": setup_offers[o]["name"], "reason": why}
                    for o, why in dropped.items()
                ],
                **extra,
            }
        )


def _choose_creative(
    options: list[dict[str, Any]], rng: np.random.Generator
) -> dict[str, Any] | None:
    """Pick one creative with probability proportional to its weight (0 never)."""
    live = [c for c in options if c["weight"] > 0]
    if len(live) <= 1:
        return live[0] if live else None
    point = rng.random() * sum(c["weight"] for c in live)
    for creative in live:
        point -= creative["weight"]
        if point < 0:
            return creative
    return live[-1]


def _node_configs(flow: dict[str, Any]) -> dict[str, dict[str, Any]]:
    configs = {}
    for node in flow["nodes"]:
        kind = node.get("type")
        if kind not in NODES:
            raise FlowInvalid(
                f"Flow '{flow['key']}' has node type '{kind}'; known types: {', '.join(NODES)}."
            )
        configs[kind] = node.get("config") or {}
    return configs


def _policies(
    setup: Setup, configs: dict[str, dict[str, Any]]
) -> tuple[list[dict[str, Any]], timedelta | None]:
    """Return the contact policies the flow applies, and how far back they look."""
    wanted = configs["contact_policy"].get("policies", "all") if "contact_policy" in configs else []
    chosen = (
        setup.policies if wanted == "all" else [p for p in setup.policies if p["id"] in set(wanted)]
    )
    return chosen, policies.lookback(chosen) if chosen else None


def recommend(
    conn: psycopg.Connection,
    *,
    tenant: str,
    request: RecommendRequest,
    seed: int | None = None,
    score_override: tuple[str, ScoreOverride] | None = None,
) -> dict[str, Any]:
    """Decide the next best offers for a customer on a channel and record them as impressions."""
    customer = str(request.customer_id)
    # Decisions of one customer are serialised (caps hold under concurrency); the lock is taken
    # with the read of the loaded pack, saving a round trip.
    setup = get_setup(conn, tenant=tenant, lock=(_CUSTOMER_LOCK_CLASS, f"{tenant}\x1f{customer}"))
    flow = setup.flow(request.flow)
    configs = setup.derive(("configs", flow["id"]), lambda: _node_configs(flow))
    channel = setup.channel(request.channel)
    if channel is None:
        known = ", ".join(f"{c['id']} ({c['name']})" for c in setup.channels.values())
        raise BadRequest(f"Unknown channel '{request.channel}'; known channels: {known}.")
    limit = request.limit or int(configs.get("response", {}).get("limit", 5))
    if not 1 <= limit <= MAX_LIMIT:
        raise BadRequest(f"limit must be from 1 to {MAX_LIMIT}; got {limit}.")
    now = decision_time(request.context)
    recommendation_id = uuid.uuid4().hex
    rng = np.random.default_rng(seed) if seed is not None else _UNSEEDED
    ctx = Context(conn, tenant, setup, customer, channel["id"], now)
    trace = _Trace(request.debug)

    inventory = configs.get("inventory", {})
    status = inventory.get("status", "active")
    excluded = set(request.exclude_offers)
    dropped = {o: "excluded by the request" for o in sorted(excluded) if o in setup.offers}
    candidates = [
        Candidate(o)
        for o in setup.offers.values()
        if o["status"] == status and o["id"] not in excluded
    ]
    if inventory.get("schedule"):
        today = now.date()
        for c in candidates:
            start, end = c.offer["start_date"], c.offer["end_date"]
            if (start and today < start) or (end and today > end):
                dropped[c.offer["id"]] = f"outside its schedule {start} - {end}"
        candidates = [c for c in candidates if c.offer["id"] not in dropped]
    trace.node("inventory", len(setup.offers), candidates, dropped, setup.offers)
    total = len(candidates)

    before, dropped = len(candidates), {}
    for c in candidates:
        c.creative = _choose_creative(setup.creatives.get((c.offer["id"], channel["id"]), []), rng)
        if c.creative is None:
            dropped[c.offer["id"]] = f"no creative for channel {channel['id']}"
    candidates = [c for c in candidates if c.creative is not None]
    trace.node("match_creatives", before, candidates, dropped, setup.offers)

    chosen, lookback = setup.derive(("policies", flow["id"]), lambda: _policies(setup, configs))
    enrich(ctx, configs.get("enrich", {}), request.attributes, lookback=lookback)
    trace.node(
        "enrich",
        len(candidates),
        candidates,
        {},
        setup.offers,
        attributes=sorted(k for k in ctx.attributes if "." in k) if trace.enabled else None,
    )

    if "qualify" in configs:
        stages = tuple(configs["qualify"].get("stages") or rules.STAGES)
        if set(stages) - set(rules.STAGES):
            raise FlowInvalid(f"Flow '{flow['key']}' qualifies by unknown stages {stages}.")
        covering = setup.derive(
            ("rules", channel["id"], stages), lambda: rules.applicable(setup, channel["id"], stages)
        )
        before, dropped = len(candidates), {}
        for c in candidates:
            reason, c.multiplier, c.notes = rules.qualify(ctx, c.offer, covering[c.offer["id"]])
            if reason:
                dropped[c.offer["id"]] = reason
        candidates = [c for c in candidates if c.offer["id"] not in dropped]
        trace.node("qualify", before, candidates, dropped, setup.offers)
    qualified = len(candidates)

    budgets: list[policies.Budget] = []
    if "contact_policy" in configs:
        outcome = policies.check(ctx, [c.offer for c in candidates], chosen, lookback)
        before = len(candidates)
        candidates = [c for c in candidates if c.offer["id"] not in outcome.dropped]
        budgets = outcome.budgets
        trace.node(
            "contact_policy",
            before,
            candidates,
            outcome.dropped,
            setup.offers,
            budgets=[{"policy": b.name, "remaining": b.remaining} for b in budgets],
            notes=outcome.notes,
        )
    after_policy = len(candidates)

    assignment = _score(ctx, flow, configs, candidates, rng, score_override)
    trace.node(
        "score",
        len(candidates),
        candidates,
        {},
        setup.offers,
        modelKey=assignment.model["key"],
        experiment=assignment.experiment,
        bucket=assignment.bucket,
        scores={c.offer["id"]: round(c.score, 6) for c in candidates} if trace.enabled else None,
    )

    candidates.sort(key=lambda c: (-c.score, -c.offer["priority"], c.offer["id"]))
    trace.node("rank", len(candidates), candidates, {}, setup.offers)

    chosen_candidates: list[Candidate] = []
    dropped = {}
    for c in candidates:
        if len(chosen_candidates) >= limit:
            break
        spent = [b for b in budgets if c.offer["id"] in b.offers]
        empty = next((b for b in spent if b.remaining <= 0), None)
        if empty is not None:
            dropped[c.offer["id"]] = f"'{empty.name}' allows no more offers in this response"
            continue
        for b in spent:
            b.remaining -= 1
        chosen_candidates.append(c)
    trace.node("response", len(candidates), chosen_candidates, dropped, setup.offers, limit=limit)

    decisions = [
        _decision(rank, c, setup.categories, assignment)
        for rank, c in enumerate(chosen_candidates, start=1)
    ]
    if configs.get("response", {}).get("recordImpressions", True):
        _record(
            conn,
            tenant=tenant,
            setup_key=setup.loaded.dataset_key,
            recommendation_id=recommendation_id,
            customer=customer,
            channel_id=channel["id"],
            flow_id=flow["id"],
            now=now,
            decisions=decisions,
        )
    body: dict[str, Any] = {
        "recommendationId": recommendation_id,
        "customerId": customer,
        "channel": channel["id"],
        "decisionFlowKey": flow["key"],
        "decidedAt": now.isoformat(),
        "count": len(decisions),
        "decisions": decisions,
        "traceSummary": {
            "totalCandidates": total,
            "afterQualification": qualified,
            "afterContactPolicy": after_policy,
        },
    }
    if request.debug:
        body["trace"] = trace.nodes
    return body


def _score(
    ctx: Context,
    flow: dict[str, Any],
    configs: dict[str, dict[str, Any]],
    candidates: list[Candidate],
    rng: np.random.Generator,
    override: tuple[str, ScoreOverride] | None,
) -> Assignment:
    if override is not None:
        key, scorer = override
        scores = scorer(ctx, [c.offer for c in candidates])
        assignment = Assignment({"id": "", "key": key, "model_type": key, "config": {}})
    else:
        assignment = assign(ctx.setup, flow, configs.get("score", {}), ctx.customer_id)
        model = assignment.model
        scores = SCORERS[model["model_type"]](model, ctx, [c.offer for c in candidates], rng)
    for c, s in zip(candidates, scores, strict=True):
        c.score = float(s) * c.multiplier
    return assignment


def _decision(
    rank: int, c: Candidate, categories: dict[str, str], assignment: Assignment
) -> dict[str, Any]:
    creative = c.creative or {}
    return {
        "rank": rank,
        "offerId": c.offer["id"],
        "offerName": c.offer["name"],
        "categoryName": categories.get(c.offer["category_id"]),
        "creativeId": creative.get("id"),
        "creative": {
            "templateType": creative.get("template_type"),
            "subject": creative.get("subject"),
            "headline": creative.get("headline"),
            "body": creative.get("body"),
            "cta": creative.get("cta"),
        },
        "score": round(c.score, 6),
        "modelKey": assignment.model["key"],
    }


def _record(
    conn: psycopg.Connection,
    *,
    tenant: str,
    setup_key: str,
    recommendation_id: str,
    customer: str,
    channel_id: str,
    flow_id: str,
    now: datetime,
    decisions: list[dict[str, Any]],
) -> None:
    """Record the run and one impression per decision, and count them in the summaries."""
    stored = [
        {k: d[k] for k in ("rank", "offerId", "creativeId", "score", "modelKey")} for d in decisions
    ]
    conn.execute(
        "WITH d AS (SELECT * FROM unnest(%(offers)s::text[], %(creatives)s::text[])"
        "  AS d(offer_id, creative_id)),"
        " run AS (INSERT INTO decision_runs (tenant_id, id, dataset_key, customer_id, channel_id,"
        "  flow_id, decisions, decided_at) VALUES (%(t)s, %(id)s, %(k)s, %(c)s, %(ch)s, %(flow)s,"
        "  %(decisions)s, %(at)s)),"
        " i AS (INSERT INTO interactions (tenant_id, dataset_key, customer_id, offer_id,"
        "  creative_id, channel_id, outcome, occurred_at, recommendation_id)"
        "  SELECT %(t)s, %(k)s, %(c)s, offer_id, creative_id, %(ch)s, 'impression', %(at)s, %(id)s"
        "  FROM d)"
        " INSERT INTO interaction_summaries (tenant_id, dataset_key, customer_id, offer_id,"
        "  channel_id, impressions, last_contact_at)"
        " SELECT %(t)s, %(k)s, %(c)s, offer_id, %(ch)s, 1, %(at)s FROM d"
        " ON CONFLICT (tenant_id, customer_id, offer_id, channel_id) DO UPDATE SET"
        "  impressions = interaction_summaries.impressions + 1,"
        "  last_contact_at = greatest(interaction_summaries.last_contact_at,"
        "   excluded.last_contact_at)",
        {
            "offers": [d["offerId"] for d in decisions],
            "creatives": [d["creativeId"] for d in decisions],
            "t": tenant,
            "id": recommendation_id,
            "k": setup_key,
            "c": customer,
            "ch": channel_id,
            "flow": flow_id,
            "decisions": Jsonb(stored),
            "at": now,
        },
    )
