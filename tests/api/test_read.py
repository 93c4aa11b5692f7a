"""The read API through HTTP: every entity list, pagination, pack table rows, summaries,
tenant isolation and roles."""

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from psycopg_pool import ConnectionPool

from seedpacks.catalog.entities import ENTITIES
from tests.conftest import as_role

COUNT_KEYS = {
    "schemas": "schemas",
    "categories": "categories",
    "channels": "channels",
    "offers": "offers",
    "creatives": "creatives",
    "qualification-rules": "qualificationRules",
    "contact-policies": "contactPolicies",
    "outcome-types": "outcomeTypes",
    "algorithm-models": "models",
    "experiments": "experiments",
    "decision-flows": "decisionFlows",
    "segments": "segments",
}


@pytest.fixture(scope="module")
def loaded(server: str) -> Iterator[tuple[str, dict[str, int]]]:
    """A tenant with starbucks loaded, shared by the read-only tests of this module."""
    tenant = f"read-{uuid.uuid4().hex[:12]}"
    with httpx.Client(base_url=server, timeout=120) as client:
        response = client.post("/api/v1/seed-dataset/starbucks", headers=as_role(tenant))
        assert response.status_code == 201, response.text
        yield tenant, response.json()["counts"]
        client.delete("/api/v1/seed-dataset/starbucks", headers=as_role(tenant))


def test_every_entity_lists_what_the_load_counted(
    client: httpx.Client, loaded: tuple[str, dict[str, int]]
) -> None:
    tenant, counts = loaded
    assert {e.path for e in ENTITIES} == set(COUNT_KEYS)
    for entity in ENTITIES:
        response = client.get(f"/api/v1/{entity.path}?limit=500", headers=as_role(tenant))
        assert response.status_code == 200, (entity.path, response.text)
        body = response.json()
        expected = counts[COUNT_KEYS[entity.path]]
        assert body["total"] == expected == len(body["items"]), entity.path
        assert (body["limit"], body["offset"]) == (500, 0)
        ids = [item["id"] for item in body["items"]]
        assert ids == sorted(ids), entity.path
        assert all(item["datasetKey"] == "starbucks" for item in body["items"])
        assert set(body["items"][0]) == {f.name for f in entity.fields}


def test_fields_are_camel_case_and_typed(
    client: httpx.Client, loaded: tuple[str, dict[str, int]]
) -> None:
    tenant, _ = loaded
    offer = client.get("/api/v1/offers?limit=1", headers=as_role(tenant)).json()["items"][0]
    assert {"categoryId", "businessValue", "startDate", "attributes"} <= set(offer)
    assert isinstance(offer["businessValue"], float) and isinstance(offer["priority"], int)
    segment = client.get("/api/v1/segments", headers=as_role(tenant)).json()["items"][0]
    assert segment["customerCount"] > 0 and segment["viewName"].startswith("seg_")


def test_pages_walk_the_list_in_order_without_gaps(
    client: httpx.Client, loaded: tuple[str, dict[str, int]]
) -> None:
    tenant, counts = loaded
    everything = client.get("/api/v1/creatives?limit=500", headers=as_role(tenant)).json()
    walked: list[Any] = []
    for offset in range(0, counts["creatives"] + 7, 7):
        page = client.get(
            f"/api/v1/creatives?limit=7&offset={offset}", headers=as_role(tenant)
        ).json()
        assert page["total"] == counts["creatives"]
        assert len(page["items"]) == max(0, min(7, counts["creatives"] - offset))
        walked += page["items"]
    assert walked == everything["items"]
    default = client.get("/api/v1/creatives", headers=as_role(tenant)).json()
    assert default["limit"] == 50 and len(default["items"]) == 50


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=501", "limit=ten", "offset=-1", "offset=1e3", "limit="]
)
def test_bad_paging_is_400_in_words(client: httpx.Client, tenant: str, query: str) -> None:
    response = client.get(f"/api/v1/offers?{query}", headers=as_role(tenant))
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400
    assert query.split("=")[0] in body["message"]


def test_schema_data_pages_rows_by_primary_key(
    client: httpx.Client, loaded: tuple[str, dict[str, int]]
) -> None:
    tenant, counts = loaded
    url = "/api/v1/schemas/starbucks_customers/data"
    first = client.get(f"{url}?limit=100", headers=as_role(tenant, "viewer")).json()
    second = client.get(f"{url}?limit=100&offset=100", headers=as_role(tenant)).json()
    assert first["total"] == counts["starbucks_customers_rows"]
    assert first["schemaName"] == "starbucks_customers" and first["datasetKey"] == "starbucks"
    schema = client.get("/api/v1/schemas?limit=500", headers=as_role(tenant)).json()
    declared = next(s for s in schema["items"] if s["name"] == "starbucks_customers")
    assert first["columns"] == [f["name"] for f in declared["fields"]]
    key = declared["primaryKey"]
    rows = first["items"] + second["items"]
    keys = [tuple(row[k] for k in key) for row in rows]
    assert len(rows) == 200 and keys == sorted(keys) and len(set(keys)) == 200
    assert set(rows[0]) == set(first["columns"])


def test_unknown_schema_is_404(client: httpx.Client, loaded: tuple[str, dict[str, int]]) -> None:
    tenant, _ = loaded
    response = client.get("/api/v1/schemas/no_such_table/data", headers=as_role(tenant))
    assert response.status_code == 404
    assert "no_such_table" in response.json()["message"]


def test_interaction_summaries_of_one_customer(
    client: httpx.Client, loaded: tuple[str, dict[str, int]], pool: ConnectionPool
) -> None:
    tenant, counts = loaded
    everything = client.get("/api/v1/interaction-summaries?limit=5", headers=as_role(tenant))
    assert everything.json()["total"] == counts["interactionSummaries"]
    customer = everything.json()["items"][0]["customerId"]
    response = client.get(
        "/api/v1/interaction-summaries", params={"customerId": customer}, headers=as_role(tenant)
    )
    body = response.json()
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT count(*) FROM interaction_summaries WHERE tenant_id = %s AND customer_id = %s",
            (tenant, customer),
        ).fetchone()
    assert row and body["total"] == row[0] == len(body["items"]) >= 1
    assert {item["customerId"] for item in body["items"]} == {customer}
    expected = {"offerId", "channelId", "impressions", "positives", "negatives", "lastContactAt"}
    assert expected <= set(body["items"][0])
    nobody = client.get(
        "/api/v1/interaction-summaries", params={"customerId": "nobody"}, headers=as_role(tenant)
    )
    assert nobody.json()["total"] == 0


def test_tenants_see_only_their_own_pack(
    client: httpx.Client, loaded: tuple[str, dict[str, int]], tenant: str
) -> None:
    for entity in ENTITIES:
        body = client.get(f"/api/v1/{entity.path}", headers=as_role(tenant)).json()
        assert body["total"] == 0 and body["items"] == [], entity.path
    summaries = client.get("/api/v1/interaction-summaries", headers=as_role(tenant)).json()
    assert summaries["total"] == 0
    rows = client.get("/api/v1/schemas/starbucks_customers/data", headers=as_role(tenant))
    assert rows.status_code == 404


def test_every_role_reads_and_identity_is_required(
    client: httpx.Client, loaded: tuple[str, dict[str, int]]
) -> None:
    tenant, _ = loaded
    paths = [f"/api/v1/{e.path}" for e in ENTITIES] + [
        "/api/v1/schemas/starbucks_offers/data",
        "/api/v1/interaction-summaries",
    ]
    for path in paths:
        for role in ("admin", "editor", "viewer"):
            assert client.get(path, headers=as_role(tenant, role)).status_code == 200, path
        assert client.get(path).status_code == 401
        anonymous = client.get(path, headers=as_role(tenant, "guest"))
        assert anonymous.status_code == 401
        assert anonymous.json()["status"] == 401
