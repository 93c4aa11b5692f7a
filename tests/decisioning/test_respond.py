"""Respond through HTTP on every registered pack: idempotency, online learning, concurrency."""

import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from psycopg_pool import ConnectionPool

from seedpacks.packs.model import Pack
from seedpacks.packs.registry import PACKS
from seedpacks.seeding.history import DECISION_IDS_FROM
from tests.conftest import as_role
from tests.decisioning.helpers import DAY, customers, qualifying, recommend, respond

Loaded = Callable[[str], str]
ALL_PACKS = pytest.mark.parametrize("key", sorted(PACKS))


def _decision(
    client: httpx.Client, pool: ConnectionPool, tenant: str, pack: Pack, nth: int, hour: int = 9
) -> dict[str, Any]:
    """Return a fresh recommendation with one decision for the nth qualifying customer."""
    for row in qualifying(customers(pool, tenant, pack), pack)[nth:]:
        body = recommend(
            client,
            tenant,
            customerId=str(row[pack.ground_truth.customer_id]),
            channel=pack.ground_truth.arms[0].channel,
            limit=1,
            context={"time": f"{DAY}T{hour:02d}:00:00Z"},
        ).json()
        if body["decisions"]:
            return body
    raise AssertionError("no customer got a decision")


def _answer(
    client: httpx.Client, tenant: str, rec: dict[str, Any], outcome: str, key: str | None = None
) -> httpx.Response:
    """Respond to the recommendation's first decision (a fresh idempotency key by default)."""
    return respond(
        client,
        tenant,
        customerId=rec["customerId"],
        recommendationId=rec["recommendationId"],
        rank=1,
        outcome=outcome,
        idempotencyKey=key or f"key-{uuid.uuid4().hex}",
    )


def _snapshot(pool: ConnectionPool, tenant: str, recommendation: dict[str, Any]) -> tuple[Any, ...]:
    with pool.connection() as conn:
        interactions = conn.execute(
            "SELECT count(*) FROM interactions WHERE tenant_id = %s AND recommendation_id = %s",
            (tenant, recommendation["recommendationId"]),
        ).fetchone()
        summaries = conn.execute(
            "SELECT offer_id, channel_id, impressions, positives, negatives FROM"
            " interaction_summaries WHERE tenant_id = %s AND customer_id = %s ORDER BY 1, 2",
            (tenant, recommendation["customerId"]),
        ).fetchall()
        models = conn.execute(
            "SELECT key, state FROM algorithm_models WHERE tenant_id = %s ORDER BY key", (tenant,)
        ).fetchall()
    return interactions, summaries, models


def _arms(pool: ConnectionPool, tenant: str, offer: str) -> dict[str, dict[str, Any]]:
    with pool.connection() as conn:
        rows = conn.execute(
            "SELECT model_type, coalesce(state->'arms'->%s, state->'posteriors'->%s)"
            " FROM algorithm_models WHERE tenant_id = %s"
            " AND model_type IN ('thompson_bandit', 'epsilon_greedy', 'bayesian')",
            (offer, offer, tenant),
        ).fetchall()
    return {kind: arm for kind, arm in rows}


@ALL_PACKS
def test_respond_twice_with_one_idempotency_key_changes_nothing_the_second_time(
    key: str, client: httpx.Client, pool: ConnectionPool, loaded_tenant: Loaded
) -> None:
    pack, tenant = PACKS[key], loaded_tenant(key)
    rec = _decision(client, pool, tenant, pack, nth=40)
    call = {
        "customerId": rec["customerId"],
        "recommendationId": rec["recommendationId"],
        "rank": 1,
        "outcome": pack.ground_truth.positive_outcome,
        "idempotencyKey": f"key-{uuid.uuid4().hex}",
    }
    first = respond(client, tenant, **call)
    assert first.status_code == 200, first.text
    assert first.json()["recorded"] is True
    after_first = _snapshot(pool, tenant, rec)
    second = respond(client, tenant, **call)
    assert second.status_code == 200
    assert second.json() == first.json()
    assert _snapshot(pool, tenant, rec) == after_first

    # The key may come as a header instead (for another decision: each takes one outcome).
    header_key = f"hdr-{uuid.uuid4().hex}"
    by_header_rec = _decision(client, pool, tenant, pack, nth=41)
    by_header = {
        **{k: v for k, v in call.items() if k != "idempotencyKey"},
        "customerId": by_header_rec["customerId"],
        "recommendationId": by_header_rec["recommendationId"],
    }
    headers = {**as_role(tenant, "editor"), "Idempotency-Key": header_key}
    one = client.post("/api/v1/respond", headers=headers, json=by_header)
    assert one.status_code == 200 and one.json()["idempotencyKey"] == header_key
    snapshot = _snapshot(pool, tenant, by_header_rec)
    two = client.post("/api/v1/respond", headers=headers, json=by_header)
    assert two.json() == one.json()
    assert _snapshot(pool, tenant, by_header_rec) == snapshot

    # The same key for a different response is refused, not silently replayed.
    other = respond(client, tenant, **{**call, "outcome": pack.ground_truth.negative_outcome})
    assert other.status_code == 409
    assert "already used" in other.json()["message"]


@ALL_PACKS
def test_learning_models_move_by_exactly_one_per_response(
    key: str, client: httpx.Client, pool: ConnectionPool, loaded_tenant: Loaded
) -> None:
    pack, tenant = PACKS[key], loaded_tenant(key)
    if not any(m.model_type == "thompson_bandit" for m in pack.models):
        pytest.skip(f"{key} has no Thompson bandit")
    truth = pack.ground_truth
    neutral = next((o.key for o in pack.outcome_types if o.classification == "neutral"), None)
    for nth, outcome, d_alpha, d_beta in (
        (60, truth.positive_outcome, 1, 0),
        (61, truth.negative_outcome, 0, 1),
        (62, neutral, 0, 0),
    ):
        if outcome is None:
            continue
        rec = _decision(client, pool, tenant, pack, nth=nth)
        offer = rec["decisions"][0]["offerId"]
        before = _arms(pool, tenant, offer)
        response = _answer(client, tenant, rec, outcome)
        assert response.status_code == 200, response.text
        after = _arms(pool, tenant, offer)
        thompson = after["thompson_bandit"]
        assert thompson["alpha"] == before["thompson_bandit"]["alpha"] + d_alpha
        assert thompson["beta"] == before["thompson_bandit"]["beta"] + d_beta
        learned = d_alpha + d_beta
        if "epsilon_greedy" in after:
            assert after["epsilon_greedy"]["pulls"] == before["epsilon_greedy"]["pulls"] + learned
            assert (
                after["epsilon_greedy"]["totalReward"]
                == before["epsilon_greedy"]["totalReward"] + d_alpha
            )
        if "bayesian" in after:
            assert after["bayesian"]["trials"] == before["bayesian"]["trials"] + learned
            assert after["bayesian"]["positives"] == before["bayesian"]["positives"] + d_alpha


def test_concurrent_responses_lose_no_arm_update(
    client: httpx.Client, server: str, pool: ConnectionPool, loaded_tenant: Loaded
) -> None:
    pack, tenant = PACKS["starbucks"], loaded_tenant("starbucks")
    recs = [_decision(client, pool, tenant, pack, nth=nth) for nth in range(100, 116)]
    answered = Counter(rec["decisions"][0]["offerId"] for rec in recs)
    before = {offer: _arms(pool, tenant, offer)["thompson_bandit"] for offer in answered}

    def one(rec: dict[str, Any]) -> int:
        with httpx.Client(base_url=server, timeout=60) as own:
            return _answer(own, tenant, rec, "completed").status_code

    with ThreadPoolExecutor(8) as workers:
        assert list(workers.map(one, recs)) == [200] * 16
    for offer, times in answered.items():
        after = _arms(pool, tenant, offer)["thompson_bandit"]
        assert (after["alpha"], after["beta"]) == (
            before[offer]["alpha"] + times,
            before[offer]["beta"],
        )


def test_one_decision_takes_one_outcome_whatever_the_keys(
    client: httpx.Client, pool: ConnectionPool, loaded_tenant: Loaded
) -> None:
    pack, tenant = PACKS["starbucks"], loaded_tenant("starbucks")
    rec = _decision(client, pool, tenant, pack, nth=120)
    offer = rec["decisions"][0]["offerId"]
    before = _arms(pool, tenant, offer)["thompson_bandit"]
    first = _answer(client, tenant, rec, "completed")
    assert first.status_code == 200, first.text
    again = _answer(client, tenant, rec, "completed")
    assert again.status_code == 200 and again.json() == first.json()
    other = _answer(client, tenant, rec, "viewed")
    assert other.status_code == 409, other.text
    assert "completed" in other.json()["message"] and "rank 1" in other.json()["message"]
    after = _arms(pool, tenant, offer)["thompson_bandit"]
    assert after["alpha"] == before["alpha"] + 1 and after["beta"] == before["beta"]


def test_one_idempotency_key_sent_concurrently_records_once(
    client: httpx.Client, server: str, pool: ConnectionPool, loaded_tenant: Loaded
) -> None:
    pack, tenant = PACKS["starbucks"], loaded_tenant("starbucks")
    rec = _decision(client, pool, tenant, pack, nth=90)
    offer = rec["decisions"][0]["offerId"]
    before = _arms(pool, tenant, offer)["thompson_bandit"]
    key = f"same-{uuid.uuid4().hex}"

    def one(_: int) -> dict[str, Any]:
        with httpx.Client(base_url=server, timeout=60) as own:
            response = _answer(own, tenant, rec, "completed", key)
            assert response.status_code == 200, response.text
            return dict(response.json())

    with ThreadPoolExecutor(6) as workers:
        answers = list(workers.map(one, range(6)))
    assert all(a == answers[0] for a in answers)
    after = _arms(pool, tenant, offer)["thompson_bandit"]
    assert after["alpha"] == before["alpha"] + 1


def test_a_loaded_history_is_numbered_by_row_and_decisions_number_above_it(
    client: httpx.Client, pool: ConnectionPool, fresh_tenant: Callable[[str], str]
) -> None:
    pack = PACKS["telco"]
    tenant = fresh_tenant("telco")
    with pool.connection() as conn:
        loaded = conn.execute(
            "SELECT min(id), max(id), count(*) FROM interactions WHERE tenant_id = %s", (tenant,)
        ).fetchone()
    assert loaded == (1, pack.ground_truth.interactions, pack.ground_truth.interactions)
    rec = _decision(client, pool, tenant, pack, nth=3)
    answered = _answer(client, tenant, rec, pack.ground_truth.positive_outcome)
    assert answered.status_code == 200, answered.text
    with pool.connection() as conn:
        recorded = conn.execute(
            "SELECT id FROM interactions WHERE tenant_id = %s AND recommendation_id = %s",
            (tenant, rec["recommendationId"]),
        ).fetchall()
    assert recorded and all(i > DECISION_IDS_FROM for (i,) in recorded)
