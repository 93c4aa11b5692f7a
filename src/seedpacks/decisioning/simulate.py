"""Simulate decisions against the loaded pack's ground truth and measure how good they are.

Each simulated decision draws a customer, asks the real recommend function for one offer on the
channel, samples the customer's response from the pack's true response probabilities, and
responds, so the models learn as they would in production. The baselines are expectations under
the same truth for the same drawn customers: a uniformly random offer, the best single offer in
hindsight, and the per-customer oracle (each customer's best offer; like the other baselines it
ignores qualification rules and contact policies, so it is an upper bound).

The clock: decisions are timed by a simulated clock passed as the request's context time, so
contact policies see realistic gaps. It starts at the later of now and one day after the tenant's
latest interaction (a second run never sees the first run's future), and advances so that each
customer is visited once every `days_between_visits` days on average (7 by default): with
1,000 customers, 10 simulated minutes per decision. Daily caps and cooldowns then bind about as
often as for a customer who opens the app weekly.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import polars as pl
import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool

from seedpacks.decisioning.context import Context
from seedpacks.decisioning.flow import RecommendRequest, recommend
from seedpacks.decisioning.respond import RespondRequest, respond
from seedpacks.decisioning.setup import Setup, get_setup
from seedpacks.errors import BadRequest, Conflict
from seedpacks.packs.custom import find_custom_pack
from seedpacks.packs.model import GroundTruth, Pack
from seedpacks.packs.registry import PACKS
from seedpacks.packs.truth import all_probabilities, feature_matrix

MAX_DECISIONS = 100_000
POLICIES = ("flow", "random", "oracle")
REGRET_POINTS = 20


@dataclass
class Truth:
    """The truth on one channel: P(positive) per customer (rows) and offer (columns)."""

    channel: str
    customers: list[str]
    offers: list[str]
    p: np.ndarray
    row: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.row = {c: i for i, c in enumerate(self.customers)}
        self.column = {o: j for j, o in enumerate(self.offers)}

    def of(self, customer: str, offer: str) -> float:
        j = self.column.get(offer)
        return 0.0 if j is None else float(self.p[self.row[customer], j])


@dataclass
class Result:
    pack: str
    policy: str
    channel: str
    decisions: int
    positives: int
    expected: float
    no_offer: int
    random: float
    best_single: float
    best_offer: str
    oracle: float
    regret: list[dict[str, float]]
    clock: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        realized = self.positives / self.decisions if self.decisions else 0.0
        return {
            "pack": self.pack,
            "policy": self.policy,
            "channel": self.channel,
            "decisions": self.decisions,
            "positiveRate": {
                "flow": round(realized, 4) if self.policy == "flow" else None,
                "random": round(self.random, 4),
                "bestSingleOffer": round(self.best_single, 4),
                "oracle": round(self.oracle, 4),
                "policy": round(realized, 4),
                "policyExpected": round(self.expected / max(self.decisions, 1), 4),
            },
            "bestSingleOfferId": self.best_offer,
            "decisionsWithoutOffer": self.no_offer,
            "regret": self.regret,
            "clock": self.clock,
        }


def _plain(values: list[Any]) -> list[Any]:
    return [float(v) if isinstance(v, Decimal) else v for v in values]


def read_truth(pool: ConnectionPool, setup: Setup, truth: GroundTruth, channel: str) -> Truth:
    """Return the true response probabilities of the tenant's customers on `channel`."""
    schema = setup.schemas.get(truth.customer_table)
    if schema is None:
        raise Conflict(f"The loaded pack has no customer table '{truth.customer_table}'.")
    names = sorted({truth.customer_id} | {f.column for f in truth.features})
    with pool.connection() as conn:
        rows = conn.execute(
            sql.SQL("SELECT {} FROM {} ORDER BY 1").format(
                sql.SQL(", ").join(sql.Identifier(n) for n in names),
                sql.Identifier(schema["pg_schema"], truth.customer_table),
            )
        ).fetchall()
    columns = {n: pl.Series(n, _plain([r[i] for r in rows])) for i, n in enumerate(names)}
    p_all = all_probabilities(truth, feature_matrix(truth, columns))
    arms = [(a, arm.offer) for a, arm in enumerate(truth.arms) if arm.channel == channel]
    if not arms:
        raise BadRequest(f"The ground truth has no response model on channel '{channel}'.")
    return Truth(
        channel=channel,
        customers=[str(v) for v in columns[truth.customer_id].to_list()],
        offers=[offer for _, offer in arms],
        p=p_all[:, [a for a, _ in arms]],
    )


def loaded_pack(conn: psycopg.Connection, *, tenant: str, key: str) -> Pack | None:
    """Return the loaded pack `key`: a built-in one or the tenant's own (None for a pack loaded
    from a file, which the server does not keep)."""
    return PACKS.get(key) or find_custom_pack(conn, tenant=tenant, key=key)


def _start(pool: ConnectionPool, tenant: str) -> datetime:
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT max(occurred_at) FROM interactions WHERE tenant_id = %s", (tenant,)
        ).fetchone()
    now = datetime.now(UTC).replace(microsecond=0)
    latest = row[0] if row else None
    return max(now, latest + timedelta(days=1)) if latest else now


def simulate(
    pool: ConnectionPool,
    *,
    tenant: str,
    decisions: int,
    policy: str = "flow",
    seed: int = 0,
    channel: str | None = None,
    days_between_visits: float = 7.0,
    on_progress: Callable[[int], None] | None = None,
    pack_key: str | None = None,
) -> Result:
    """Run `decisions` simulated decisions on the tenant's loaded pack; return the rates.

    With `pack_key`, the loaded pack must be that one (409 otherwise).
    """
    if policy not in POLICIES:
        raise BadRequest(f"policy must be one of {', '.join(POLICIES)}; got '{policy}'.")
    if not 0 <= seed < 2**32:
        raise BadRequest(f"seed must be from 0 to 2^32-1; got {seed}.")
    if not 1 <= decisions <= MAX_DECISIONS:
        raise BadRequest(f"decisions must be from 1 to {MAX_DECISIONS}; got {decisions}.")
    with pool.connection() as conn:
        setup = get_setup(conn, tenant=tenant)
        if pack_key is not None and pack_key != setup.loaded.dataset_key:
            raise Conflict(
                f"Tenant '{tenant}' has '{setup.loaded.dataset_key}' loaded, not '{pack_key}'; "
                "remove it first or simulate the loaded pack.",
                currentlyLoaded=setup.loaded.dataset_key,
            )
        pack = loaded_pack(conn, tenant=tenant, key=setup.loaded.dataset_key)
    if pack is None:
        raise Conflict(f"The loaded pack '{setup.loaded.dataset_key}' has no known ground truth.")
    truth_spec = pack.ground_truth
    if channel is None:
        counts: dict[str, int] = {}
        for arm in truth_spec.arms:
            counts[arm.channel] = counts.get(arm.channel, 0) + 1
        channel = max(sorted(counts), key=counts.__getitem__)
    found = setup.channel(channel)
    if found is None:
        raise BadRequest(f"Unknown channel '{channel}'.")
    truth = read_truth(pool, setup, truth_spec, found["id"])

    rng = np.random.default_rng(seed)
    drawn = rng.integers(0, len(truth.customers), size=decisions)
    start = _start(pool, tenant)
    step = timedelta(days=days_between_visits) / len(truth.customers)
    override = _override(policy, truth, rng)

    positives, expected, regret, no_offer = 0, 0.0, 0.0, 0
    random_sum, oracle_sum = 0.0, 0.0
    curve: list[dict[str, float]] = []
    every = max(decisions // REGRET_POINTS, 1)
    with pool.connection() as conn:
        # Simulated decisions need no durability wait: a crash loses the tail of a simulation,
        # never its consistency (each decision is still one transaction).
        conn.execute("SET synchronous_commit = off")
        try:
            for i, row in enumerate(drawn):
                p = _decide(
                    conn,
                    tenant=tenant,
                    customer=truth.customers[row],
                    truth=truth,
                    spec=truth_spec,
                    at=start + i * step,
                    seed=seed * 1_000_003 + i,
                    rng=rng,
                    override=override,
                )
                best = float(truth.p[row].max())
                random_sum += float(truth.p[row].mean())
                oracle_sum += best
                if p is None:
                    no_offer += 1
                    regret += best
                else:
                    positives += p[1]
                    expected += p[0]
                    regret += best - p[0]
                if (i + 1) % every == 0 or i + 1 == decisions:
                    n = i + 1
                    # Rates so far, for a chart: the flow's (realised and expected) against
                    # a random offer and the oracle for the same customers.
                    curve.append(
                        {
                            "decisions": n,
                            "cumulativeRegret": round(regret, 3),
                            "positiveRate": round(positives / n, 4),
                            "expectedRate": round(expected / n, 4),
                            "randomRate": round(random_sum / n, 4),
                            "oracleRate": round(oracle_sum / n, 4),
                        }
                    )
                    if on_progress:
                        on_progress(i + 1)
        finally:
            conn.execute("RESET synchronous_commit")

    means = truth.p[drawn].mean(axis=0)
    return Result(
        pack=pack.key,
        policy=policy,
        channel=found["id"],
        decisions=decisions,
        positives=positives,
        expected=expected,
        no_offer=no_offer,
        random=float(means.mean()),
        best_single=float(means.max()),
        best_offer=truth.offers[int(means.argmax())],
        oracle=float(truth.p[drawn].max(axis=1).mean()),
        regret=curve,
        clock={
            "start": start.isoformat(),
            "end": (start + decisions * step).isoformat(),
            "secondsPerDecision": round(step.total_seconds(), 3),
            "daysBetweenVisits": days_between_visits,
        },
    )


def _decide(
    conn: psycopg.Connection,
    *,
    tenant: str,
    customer: str,
    truth: Truth,
    spec: GroundTruth,
    at: datetime,
    seed: int,
    rng: np.random.Generator,
    override: Any,
) -> tuple[float, bool] | None:
    """Recommend one offer, draw the customer's response from the truth and respond.

    Return (the true probability of the chosen offer, whether the response was positive), or
    None when the flow had no offer for the customer.
    """
    request = RecommendRequest(
        customer_id=customer, channel=truth.channel, limit=1, context={"time": at.isoformat()}
    )
    with conn.transaction():
        answer = recommend(conn, tenant=tenant, request=request, seed=seed, score_override=override)
    if not answer["decisions"]:
        return None
    p = truth.of(customer, answer["decisions"][0]["offerId"])
    positive = bool(rng.random() < p)
    with conn.transaction():
        respond(
            conn,
            tenant=tenant,
            request=RespondRequest(
                customer_id=customer,
                recommendation_id=answer["recommendationId"],
                rank=1,
                outcome=spec.positive_outcome if positive else spec.negative_outcome,
                idempotency_key=f"sim-{answer['recommendationId']}",
            ),
        )
    return p, positive


def _override(policy: str, truth: Truth, rng: np.random.Generator) -> Any:
    """Return the scorer that replaces the flow's model under the random and oracle policies."""
    if policy == "random":

        def random_scores(ctx: Context, offers: list[dict[str, Any]]) -> list[float]:
            return [float(x) for x in rng.random(len(offers))]

        return ("simulation-random", random_scores)
    if policy == "oracle":

        def true_scores(ctx: Context, offers: list[dict[str, Any]]) -> list[float]:
            return [truth.of(ctx.customer_id, o["id"]) for o in offers]

        return ("simulation-oracle", true_scores)
    return None


def report(result: dict[str, Any], *, pack: Pack | None = None) -> list[str]:
    """Return a simulation's result as lines for people (the CLI without --json); `pack`, the
    simulated one, names the offers (a built-in pack's key alone does too)."""
    rates = result["positiveRate"]
    pack = pack or PACKS.get(result["pack"])
    names = {offer.id: offer.name for offer in pack.offers} if pack else {}
    best = result["bestSingleOfferId"]
    lines = [
        f"{result['pack']}: {result['decisions']} decisions by policy '{result['policy']}' "
        f"on channel {result['channel']}",
        "positive rate",
    ]
    shown = {
        result["policy"]: rates["policy"],
        "random offer": rates["random"],
        f"best single offer ({names.get(best, best)})": rates["bestSingleOffer"],
        "per-customer oracle": rates["oracle"],
    }
    for name, rate in shown.items():
        share = rate / rates["bestSingleOffer"] if rates["bestSingleOffer"] else 0.0
        lines.append(f"  {name:<52} {rate:7.4f}  ({share:.0%} of the best single offer)")
    if result["decisionsWithoutOffer"]:
        lines.append(f"decisions without an offer: {result['decisionsWithoutOffer']}")
    curve = ", ".join(f"{p['decisions']}: {p['cumulativeRegret']:.1f}" for p in result["regret"])
    lines.append(f"cumulative regret against the oracle: {curve}")
    clock = result["clock"]
    lines.append(
        f"simulated clock {clock['start']} .. {clock['end']} "
        f"({clock['secondsPerDecision']:g} s per decision)"
    )
    return lines
