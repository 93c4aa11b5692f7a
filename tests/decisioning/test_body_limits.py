"""Recommend bodies are bounded: in bytes (SEEDPACKS_MAX_BODY_BYTES), attribute names, depth."""

from collections.abc import Callable

import httpx
from psycopg_pool import ConnectionPool

from seedpacks.api.decisioning import MAX_ATTRIBUTES, MAX_JSON_DEPTH
from seedpacks.decisioning.context import override
from seedpacks.packs.registry import PACKS
from tests.conftest import as_role
from tests.decisioning.helpers import customers, recommend

Loaded = Callable[[str], str]


def test_twenty_thousand_attribute_names_are_refused_at_once(
    client: httpx.Client, pool: ConnectionPool, loaded_tenant: Loaded
) -> None:
    tenant = loaded_tenant("starbucks")
    customer = customers(pool, tenant, PACKS["starbucks"])[0]["id"]
    attributes = {f"k{i}": i for i in range(20_000)}
    answer = recommend(client, tenant, customerId=customer, channel="email", attributes=attributes)
    assert answer.status_code == 413, answer.text
    assert "SEEDPACKS_MAX_BODY_BYTES" in answer.json()["message"]


def test_more_attribute_names_than_the_limit_are_400(
    client: httpx.Client, pool: ConnectionPool, loaded_tenant: Loaded
) -> None:
    tenant = loaded_tenant("starbucks")
    customer = customers(pool, tenant, PACKS["starbucks"])[0]["id"]
    attributes = {f"k{i}": i for i in range(MAX_ATTRIBUTES + 1)}
    answer = recommend(client, tenant, customerId=customer, channel="email", attributes=attributes)
    assert answer.status_code == 400, answer.text
    assert "attributes" in answer.json()["message"]
    assert f"at most {MAX_ATTRIBUTES}" in answer.json()["message"]


def test_the_most_attribute_names_allowed_are_decided_on(
    client: httpx.Client, pool: ConnectionPool, loaded_tenant: Loaded
) -> None:
    tenant = loaded_tenant("starbucks")
    customer = customers(pool, tenant, PACKS["starbucks"])[0]["id"]
    attributes = {f"k{i}": i for i in range(MAX_ATTRIBUTES - 1)} | {"age": 30}
    answer = recommend(client, tenant, customerId=customer, channel="email", attributes=attributes)
    assert answer.status_code == 200, answer.text


def test_a_body_nested_too_deep_is_400(client: httpx.Client, tenant: str) -> None:
    nested: object = 1
    for _ in range(MAX_JSON_DEPTH + 1):
        nested = [nested]
    for field in ("attributes", "context"):
        answer = client.post(
            "/api/v1/recommend",
            json={"customerId": "c", "channel": "email", field: {"deep": nested}},
            headers=as_role(tenant, "editor"),
        )
        assert answer.status_code == 400, answer.text
        assert field in answer.json()["message"] and "deep" in answer.json()["message"]


def test_overrides_set_the_qualified_and_the_plain_names() -> None:
    attributes = {"customers.age": 40, "age": 40, "events.age": 1, "city": "Oslo"}
    override(attributes, {"age": 30, "customers.city": "Rome", "x.y.z": 1, "z": 2})
    assert attributes == {
        "customers.age": 30,
        "age": 30,
        "events.age": 30,
        "city": "Rome",
        "customers.city": "Rome",
        "x.y.z": 2,
        "y.z": 2,
        "z": 2,
    }
