"""The decisioning API's 4xx answers: each a sentence saying what is wrong."""

import uuid
from collections.abc import Callable

import httpx
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from seedpacks.decisioning.setup import invalidate
from seedpacks.packs.registry import PACKS
from tests.conftest import as_role
from tests.decisioning.helpers import DAY, customers, recommend, respond

Loaded = Callable[[str], str]


def test_recommend_and_respond_without_a_loaded_pack_are_409(
    client: httpx.Client, tenant: str
) -> None:
    for response in (
        recommend(client, tenant, customerId="c1", channel="email"),
        respond(
            client,
            tenant,
            customerId="c1",
            recommendationId="r",
            rank=1,
            outcome="click",
            idempotencyKey="k",
        ),
    ):
        assert response.status_code == 409
        assert response.json()["status"] == 409
        assert "No dataset pack is loaded" in response.json()["message"]


def test_recommend_rejects_bad_requests_clearly(
    client: httpx.Client, pool: ConnectionPool, loaded_tenant: Loaded
) -> None:
    tenant = loaded_tenant("starbucks")
    customer = customers(pool, tenant, PACKS["starbucks"])[0]["id"]
    unknown_customer = recommend(client, tenant, customerId="nobody", channel="email")
    assert unknown_customer.status_code == 404
    assert "nobody" in unknown_customer.json()["message"]
    unknown_channel = recommend(client, tenant, customerId=customer, channel="pigeon")
    assert unknown_channel.status_code == 400
    assert "pigeon" in unknown_channel.json()["message"]
    assert "email" in unknown_channel.json()["message"]
    for limit in (0, 51):
        response = recommend(client, tenant, customerId=customer, channel="email", limit=limit)
        assert response.status_code == 400
        assert "limit" in response.json()["message"]
    assert recommend(client, tenant, channel="email").status_code == 400
    bad_time = recommend(
        client, tenant, customerId=customer, channel="email", context={"time": "teatime"}
    )
    assert bad_time.status_code == 400
    unknown_flow = recommend(
        client, tenant, customerId=customer, channel="email", decisionFlowKey="no-flow"
    )
    assert unknown_flow.status_code == 404
    assert "starbucks-nba" in unknown_flow.json()["message"]
    body = {"customerId": customer, "channel": "email"}
    viewer = client.post("/api/v1/recommend", headers=as_role(tenant, "viewer"), json=body)
    assert viewer.status_code == 403
    assert client.post("/api/v1/recommend", json=body).status_code == 401


def test_a_flow_referencing_something_missing_is_409_naming_it(
    client: httpx.Client, pool: ConnectionPool, fresh_tenant: Loaded
) -> None:
    tenant = fresh_tenant("starbucks")
    customer = customers(pool, tenant, PACKS["starbucks"])[0]["id"]
    with pool.connection() as conn:
        (nodes,) = conn.execute(
            "SELECT nodes FROM decision_flows WHERE tenant_id = %s", (tenant,)
        ).fetchone() or (None,)
    assert nodes
    for node_type, config, missing in (
        ("score", {"model": "no-such-model"}, "no-such-model"),
        (
            "score",
            {"method": "experiment", "experiment": "no-such-experiment"},
            "no-such-experiment",
        ),
        ("enrich", {"tables": ["no_such_table"], "key": "id"}, "no_such_table"),
        ("qualify", {"stages": ["eligibility", "vibes"]}, "vibes"),
    ):
        broken = [{**n, "config": config} if n["type"] == node_type else n for n in nodes]
        with pool.connection() as conn:
            conn.execute(
                "UPDATE decision_flows SET nodes = %s WHERE tenant_id = %s",
                (Jsonb(broken), tenant),
            )
        invalidate(tenant)
        response = recommend(client, tenant, customerId=customer, channel="email")
        assert response.status_code == 409, response.text
        assert missing in response.json()["message"]
    with pool.connection() as conn:
        conn.execute(
            "UPDATE decision_flows SET nodes = %s WHERE tenant_id = %s", (Jsonb(nodes), tenant)
        )
        conn.execute(
            'UPDATE qualification_rules SET config = config || \'{"field": "x.nope"}\''
            " WHERE tenant_id = %s AND id = 'sb_rule_member'",
            (tenant,),
        )
    invalidate(tenant)
    response = recommend(client, tenant, customerId=customer, channel="email")
    assert response.status_code == 409
    assert "x.nope" in response.json()["message"]


def test_respond_rejects_bad_requests_clearly(
    client: httpx.Client, pool: ConnectionPool, loaded_tenant: Loaded
) -> None:
    tenant = loaded_tenant("starbucks")
    customer = customers(pool, tenant, PACKS["starbucks"])[20]["id"]
    rec = recommend(
        client,
        tenant,
        customerId=customer,
        channel="email",
        limit=1,
        context={"time": f"{DAY}T20:00:00Z"},
    ).json()
    good = {
        "customerId": customer,
        "recommendationId": rec["recommendationId"],
        "rank": 1,
        "outcome": "completed",
        "idempotencyKey": uuid.uuid4().hex,
    }
    unknown_outcome = respond(client, tenant, **{**good, "outcome": "delighted"})
    assert unknown_outcome.status_code == 400
    assert "delighted" in unknown_outcome.json()["message"]
    assert "completed" in unknown_outcome.json()["message"]
    for field in ("customerId", "recommendationId", "rank", "outcome"):
        missing = respond(client, tenant, **{k: v for k, v in good.items() if k != field})
        assert missing.status_code == 400, field
        assert field in missing.json()["message"]
    no_key = respond(client, tenant, **{k: v for k, v in good.items() if k != "idempotencyKey"})
    assert no_key.status_code == 400
    assert "Idempotency-Key" in no_key.json()["message"]
    unknown = respond(client, tenant, **{**good, "recommendationId": "no-such-rec"})
    assert unknown.status_code == 404
    assert "no-such-rec" in unknown.json()["message"]
    assert respond(client, tenant, **{**good, "rank": 2}).status_code == 400
    assert respond(client, tenant, **{**good, "customerId": "someone-else"}).status_code == 400
    viewer = client.post("/api/v1/respond", headers=as_role(tenant, "viewer"), json=good)
    assert viewer.status_code == 403
    assert respond(client, tenant, **good).status_code == 200
