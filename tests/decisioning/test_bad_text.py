"""Inputs PostgreSQL cannot take (a NUL character, a time before year 1) are 400s, not 500s."""

from collections.abc import Callable

import httpx
import pytest
from psycopg_pool import ConnectionPool

from seedpacks.packs.registry import PACKS
from tests.conftest import as_role
from tests.decisioning.helpers import customers, recommend, respond

Loaded = Callable[[str], str]


def _is_400_naming(answer: httpx.Response, field: str) -> None:
    assert answer.status_code == 400, answer.text
    assert answer.json()["status"] == 400
    assert field in answer.json()["message"]


def test_a_nul_in_recommend_is_400(client: httpx.Client, loaded_tenant: Loaded) -> None:
    tenant = loaded_tenant("starbucks")
    _is_400_naming(recommend(client, tenant, customerId="c\x001", channel="email"), "customerId")


@pytest.mark.parametrize("field", ["customerId", "recommendationId", "idempotencyKey", "outcome"])
def test_a_nul_in_respond_is_400(
    client: httpx.Client, pool: ConnectionPool, loaded_tenant: Loaded, field: str
) -> None:
    tenant = loaded_tenant("starbucks")
    customer = customers(pool, tenant, PACKS["starbucks"])[0]["id"]
    body = {
        "customerId": customer,
        "recommendationId": "r1",
        "rank": 1,
        "outcome": "click",
        "idempotencyKey": "k1",
    }
    _is_400_naming(respond(client, tenant, **{**body, field: f"{body[field]}\x00"}), field)


def test_a_nul_in_the_simulate_channel_is_400(client: httpx.Client, loaded_tenant: Loaded) -> None:
    tenant = loaded_tenant("starbucks")
    answer = client.post(
        "/api/v1/simulate", json={"decisions": 1, "channel": "em\x00ail"}, headers=as_role(tenant)
    )
    _is_400_naming(answer, "channel")


def test_a_nul_simulation_id_is_a_clear_4xx(client: httpx.Client, loaded_tenant: Loaded) -> None:
    answer = client.get("/api/v1/simulate/%00", headers=as_role(loaded_tenant("starbucks")))
    assert answer.status_code in (400, 404), answer.text
    assert answer.json()["message"]


@pytest.mark.parametrize("time", ["0001-01-01T00:00:00", "0001-01-01T00:00:00+00:00"])
def test_a_decision_time_in_year_1_is_400(
    client: httpx.Client, pool: ConnectionPool, loaded_tenant: Loaded, time: str
) -> None:
    tenant = loaded_tenant("starbucks")
    customer = customers(pool, tenant, PACKS["starbucks"])[0]["id"]
    answer = recommend(client, tenant, customerId=customer, channel="email", context={"time": time})
    _is_400_naming(answer, "time")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("attributes", {"city": "Ber\x00lin"}),
        ("attributes", {"tags": [{"name": "a\x00"}]}),
        ("attributes", {"ci\x00ty": "Berlin"}),
        ("context", {"time": "2031-03-04T00:00:00\x00"}),
        ("context", {"page": {"ref": ["\x00"]}}),
    ],
)
def test_a_nul_in_attributes_or_context_is_400(
    client: httpx.Client, pool: ConnectionPool, loaded_tenant: Loaded, field: str, value: object
) -> None:
    tenant = loaded_tenant("starbucks")
    customer = customers(pool, tenant, PACKS["starbucks"])[0]["id"]
    answer = recommend(client, tenant, customerId=customer, channel="email", **{field: value})
    _is_400_naming(answer, field)
    assert "NUL" in answer.json()["message"]
