"""Respond: record what the customer did with a decision, and let the learning models learn.

Idempotent by key: the first call stores its answer under (tenant, key) in the same transaction
as its effects; a repeat waits for that transaction (the key's row is locked until it commits)
and then answers the stored answer without recording anything.
"""

from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import errors
from psycopg.types.json import Jsonb

from seedpacks.decisioning.setup import get_setup
from seedpacks.errors import BadRequest, Conflict, NotFound

# The learning models' rows, locked in one order before _LEARN updates them.
_LOCK_MODELS = """
SELECT 1 FROM algorithm_models
WHERE tenant_id = %(t)s AND dataset_key = %(k)s
  AND model_type IN ('thompson_bandit', 'epsilon_greedy', 'bayesian')
ORDER BY key FOR UPDATE
"""
# One statement per learning model type; the row lock of UPDATE makes concurrent responses
# add up instead of overwriting each other (the new state is computed from the locked row).
_LEARN = """
UPDATE algorithm_models SET state = CASE model_type
 WHEN 'thompson_bandit' THEN jsonb_set(state, '{arms}', coalesce(state->'arms', '{}')
  || jsonb_build_object(%(o)s::text, coalesce(state->'arms'->%(o)s::text, '{}')
   || jsonb_build_object(
    'alpha', coalesce((state->'arms'->%(o)s::text->>'alpha')::numeric,
                      (config->'prior'->>'alpha')::numeric, 1) + %(pos)s::int,
    'beta', coalesce((state->'arms'->%(o)s::text->>'beta')::numeric,
                     (config->'prior'->>'beta')::numeric, 1) + %(neg)s::int)), true)
 WHEN 'epsilon_greedy' THEN jsonb_set(state, '{arms}', coalesce(state->'arms', '{}')
  || jsonb_build_object(%(o)s::text, coalesce(state->'arms'->%(o)s::text, '{}')
   || jsonb_build_object(
    'totalReward', coalesce((state->'arms'->%(o)s::text->>'totalReward')::numeric, 0)
                   + %(pos)s::int,
    'pulls', coalesce((state->'arms'->%(o)s::text->>'pulls')::numeric, 0) + 1)), true)
 ELSE jsonb_set(state, '{posteriors}', coalesce(state->'posteriors', '{}')
  || jsonb_build_object(%(o)s::text, coalesce(state->'posteriors'->%(o)s::text, '{}')
   || jsonb_build_object(
    'positives', coalesce((state->'posteriors'->%(o)s::text->>'positives')::numeric, 0)
                 + %(pos)s::int,
    'trials', coalesce((state->'posteriors'->%(o)s::text->>'trials')::numeric, 0) + 1)), true)
 END
WHERE tenant_id = %(t)s AND dataset_key = %(k)s
  AND model_type IN ('thompson_bandit', 'epsilon_greedy', 'bayesian')
RETURNING key, model_type,
  coalesce(state->'arms'->%(o)s::text, state->'posteriors'->%(o)s::text)
"""


@dataclass(frozen=True)
class RespondRequest:
    customer_id: str
    recommendation_id: str
    rank: int
    outcome: str
    idempotency_key: str

    def fingerprint(self) -> dict[str, Any]:
        return {
            "customerId": self.customer_id,
            "recommendationId": self.recommendation_id,
            "rank": self.rank,
            "outcome": self.outcome,
        }


def respond(conn: psycopg.Connection, *, tenant: str, request: RespondRequest) -> dict[str, Any]:
    """Record an outcome of a served decision once per idempotency key; return the answer."""
    setup = get_setup(conn, tenant=tenant)
    if not request.idempotency_key.strip():
        raise BadRequest("Send an idempotencyKey (or an Idempotency-Key header).")
    classification = setup.outcomes.get(request.outcome)
    if classification is None:
        known = ", ".join(sorted(setup.outcomes))
        raise BadRequest(f"Unknown outcome '{request.outcome}'; known outcomes: {known}.")
    # The run and the claim of the key travel in one round trip; an unknown recommendation
    # fails the claim's foreign key, and a request found invalid below rolls the claim back.
    try:
        with conn.pipeline():
            run_cur = conn.execute(
                "SELECT customer_id, channel_id, dataset_key, decisions,"
                " coalesce(decided_at, created_at) + (clock_timestamp() - created_at)"
                " FROM decision_runs WHERE tenant_id = %s AND id = %s",
                (tenant, request.recommendation_id),
            )
            claim_cur = conn.execute(
                "INSERT INTO respond_requests (tenant_id, idempotency_key, recommendation_id,"
                " rank, request) VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING 1",
                (
                    tenant,
                    request.idempotency_key,
                    request.recommendation_id,
                    request.rank,
                    Jsonb(request.fingerprint()),
                ),
            )
    except errors.ForeignKeyViolation:
        raise NotFound(
            f"No recommendation '{request.recommendation_id}' for this tenant.",
            recommendationId=request.recommendation_id,
        ) from None
    run = run_cur.fetchone()
    if run is None:
        raise NotFound(f"No recommendation '{request.recommendation_id}' for this tenant.")
    customer, channel_id, dataset_key, decisions, occurred_at = run
    if customer != request.customer_id:
        raise BadRequest(
            f"Recommendation '{request.recommendation_id}' was made for another customer, "
            f"not '{request.customer_id}'."
        )
    decision = next((d for d in decisions if d["rank"] == request.rank), None)
    if decision is None:
        raise BadRequest(
            f"Recommendation '{request.recommendation_id}' has no rank {request.rank}; "
            f"it has {len(decisions)} decision(s)."
        )
    if claim_cur.fetchone() is None:
        return _replay(conn, tenant=tenant, request=request)

    offer_id = decision["offerId"]
    positive, negative = int(classification == "positive"), int(classification == "negative")
    with conn.pipeline():
        conn.execute(
            "INSERT INTO interactions (tenant_id, dataset_key, customer_id, offer_id,"
            " creative_id, channel_id, outcome, occurred_at, recommendation_id)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                tenant,
                dataset_key,
                customer,
                offer_id,
                decision.get("creativeId"),
                channel_id,
                request.outcome,
                occurred_at,
                request.recommendation_id,
            ),
        )
        learned = None
        if positive or negative:
            conn.execute(
                "INSERT INTO interaction_summaries (tenant_id, dataset_key, customer_id,"
                " offer_id, channel_id, positives, negatives) VALUES (%s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (tenant_id, customer_id, offer_id, channel_id) DO UPDATE SET"
                " positives = interaction_summaries.positives + excluded.positives,"
                " negatives = interaction_summaries.negatives + excluded.negatives",
                (tenant, dataset_key, customer, offer_id, channel_id, positive, negative),
            )
            # Lock the learning models in one order first: the UPDATE takes its rows in heap
            # order, which two concurrent responses can see differently (a row's new version
            # moves), and then each waited for a row the other held: a deadlock.
            conn.execute(_LOCK_MODELS, {"t": tenant, "k": dataset_key})
            learned = conn.execute(
                _LEARN,
                {"o": offer_id, "pos": positive, "neg": negative, "t": tenant, "k": dataset_key},
            )
    updates = [
        {"modelKey": key, "modelType": kind, "arm": arm}
        for key, kind, arm in sorted(learned.fetchall() if learned else [])
    ]
    answer = {
        "recorded": True,
        "recommendationId": request.recommendation_id,
        "customerId": customer,
        "rank": request.rank,
        "offerId": offer_id,
        "outcome": request.outcome,
        "classification": classification,
        "occurredAt": occurred_at.isoformat(),
        "modelUpdates": updates,
        "idempotencyKey": request.idempotency_key,
    }
    conn.execute(
        "UPDATE respond_requests SET response = %s WHERE tenant_id = %s AND idempotency_key = %s",
        (Jsonb(answer), tenant, request.idempotency_key),
    )
    return answer


def _replay(conn: psycopg.Connection, *, tenant: str, request: RespondRequest) -> dict[str, Any]:
    row = conn.execute(
        "SELECT request, response FROM respond_requests"
        " WHERE tenant_id = %s AND idempotency_key = %s",
        (tenant, request.idempotency_key),
    ).fetchone()
    if row is None:
        return _answered_decision(conn, tenant=tenant, request=request)
    if row[1] is None:
        raise Conflict("A response with this idempotency key is still being recorded; retry.")
    if row[0] != request.fingerprint():
        raise Conflict(
            f"Idempotency key '{request.idempotency_key}' was already used for a different "
            "response; use a new key for a new response.",
            firstRequest=row[0],
        )
    answer: dict[str, Any] = row[1]
    return answer


def _answered_decision(
    conn: psycopg.Connection, *, tenant: str, request: RespondRequest
) -> dict[str, Any]:
    """Return the answer already recorded for the decision (same outcome), or raise 409."""
    row = conn.execute(
        "SELECT request, response FROM respond_requests"
        " WHERE tenant_id = %s AND recommendation_id = %s AND rank = %s",
        (tenant, request.recommendation_id, request.rank),
    ).fetchone()
    if row is None or row[1] is None:
        raise Conflict("A response to this decision is still being recorded; retry.")
    if row[0] != request.fingerprint():
        raise Conflict(
            f"Recommendation '{request.recommendation_id}' rank {request.rank} already has the "
            f"outcome '{row[0]['outcome']}': a decision takes one outcome.",
            firstRequest=row[0],
        )
    answer: dict[str, Any] = row[1]
    return answer
