"""The Seed Datasets API through HTTP against the real app and PostgreSQL."""

import httpx
from psycopg_pool import ConnectionPool

from seedpacks.packs.registry import PACKS
from tests.conftest import as_role
from tests.helpers import counts_in_database, tenant_footprint

BASE = "/api/v1/seed-dataset"


def test_list_shows_the_starbucks_metadata_of_the_reference(
    client: httpx.Client, tenant: str
) -> None:
    response = client.get(BASE, headers=as_role(tenant))
    assert response.status_code == 200
    body = response.json()
    assert body["currentlyLoaded"] is None
    starbucks = next(d for d in body["datasets"] if d["key"] == "starbucks")
    assert starbucks == {
        "key": "starbucks",
        "name": "Starbucks Offers",
        "description": "Full NBA pipeline with Starbucks loyalty offers — multi-channel delivery, "
        "Thompson Bandit, segments.",
        "source": "builtin",
        "dataSource": "kaggle",
        "csvFiles": [],
        "testingFocus": "Multi-channel loyalty offers with frequency capping",
        "schemaCount": 3,
        "offerCount": 10,
        "modelCount": 3,
        "channelCount": 6,
        "categoryCount": 3,
        "creativeCount": 60,
        "loaded": False,
    }


def test_identity_is_required_and_roles_are_enforced(client: httpx.Client, tenant: str) -> None:
    assert client.get(BASE).status_code == 401
    assert client.get(BASE, headers={"X-Tenant-Id": tenant}).status_code == 401
    assert client.get(BASE, headers={"X-Tenant-Id": "", "X-User-Role": "admin"}).status_code == 401
    bad_role = client.get(BASE, headers=as_role(tenant, "superuser"))
    assert bad_role.status_code == 401
    assert bad_role.json()["status"] == 401
    assert "admin, editor or viewer" in bad_role.json()["message"]
    for role in ("editor", "viewer"):
        headers = as_role(tenant, role)
        for method, path in (
            ("GET", BASE),
            ("POST", f"{BASE}/starbucks"),
            ("DELETE", f"{BASE}/starbucks"),
        ):
            response = client.request(method, path, headers=headers)
            assert response.status_code == 403, (role, method, path)
            assert role in response.json()["message"]
        status = client.get(f"{BASE}/starbucks/status", headers=headers)
        assert status.status_code == 200
        assert status.json() == {"status": "idle", "step": "", "progress": 0}
    assert client.get(f"{BASE}/starbucks/status").status_code == 401


def test_unknown_keys_are_404(client: httpx.Client, tenant: str) -> None:
    for method in ("POST", "DELETE"):
        response = client.request(method, f"{BASE}/no-such-pack", headers=as_role(tenant))
        assert response.status_code == 404
        body = response.json()
        assert body["status"] == 404 and "no-such-pack" in body["message"]


def test_load_counts_agree_with_metadata_database_and_removal(
    client: httpx.Client, tenant: str, pool: ConnectionPool
) -> None:
    listed = next(
        d
        for d in client.get(BASE, headers=as_role(tenant)).json()["datasets"]
        if d["key"] == "starbucks"
    )
    response = client.post(f"{BASE}/starbucks", headers=as_role(tenant))
    assert response.status_code == 201
    body = response.json()
    assert body["message"] == "Starbucks Offers loaded successfully"
    assert body["datasetKey"] == "starbucks"
    counts = body["counts"]
    for meta, key in (
        ("schemaCount", "schemas"),
        ("offerCount", "offers"),
        ("modelCount", "models"),
        ("channelCount", "channels"),
        ("categoryCount", "categories"),
        ("creativeCount", "creatives"),
    ):
        assert counts[key] == listed[meta], key
    assert counts["starbucks_customers_rows"] == 1000
    assert counts["interactions"] == 4487  # one per offer received
    assert counts["segmentCustomers"] > 0
    assert counts_in_database(pool, tenant, "starbucks") == counts

    after = client.get(BASE, headers=as_role(tenant)).json()
    assert after["currentlyLoaded"] == "starbucks"
    assert next(d for d in after["datasets"] if d["key"] == "starbucks")["loaded"] is True

    removed = client.delete(f"{BASE}/starbucks", headers=as_role(tenant))
    assert removed.status_code == 200
    assert removed.json()["message"] == "Starbucks Offers removed successfully"
    removal = removed.json()["counts"]
    assert removal["runs"] == 0
    assert {k: removal[k] for k in counts} == counts
    assert tenant_footprint(pool, tenant) == {}
    assert client.get(BASE, headers=as_role(tenant)).json()["currentlyLoaded"] is None
    again = client.delete(f"{BASE}/starbucks", headers=as_role(tenant))
    assert again.status_code == 404
    assert "not loaded" in again.json()["message"]


def test_loading_the_loaded_pack_is_409_and_force_reloads(
    client: httpx.Client, tenant: str
) -> None:
    assert client.post(f"{BASE}/starbucks", headers=as_role(tenant)).status_code == 201
    conflict = client.post(f"{BASE}/starbucks", headers=as_role(tenant))
    assert conflict.status_code == 409
    assert conflict.json() == {
        "status": 409,
        "currentlyLoaded": "starbucks",
        "requestedLoad": "starbucks",
        "message": "Starbucks Offers is already loaded. Add ?force=true to reload it.",
    }
    reloaded = client.post(f"{BASE}/starbucks?force=true", headers=as_role(tenant))
    assert reloaded.status_code == 201
    assert reloaded.json()["replaced"] == "starbucks"
    assert reloaded.json()["counts"]["starbucks_customers_rows"] == 1000


def test_the_sixth_load_call_within_a_minute_is_429(client: httpx.Client, tenant: str) -> None:
    statuses = [
        client.post(f"{BASE}/starbucks", headers=as_role(tenant)).status_code for _ in range(5)
    ]
    assert statuses == [201, 409, 409, 409, 409]
    limited = client.post(f"{BASE}/starbucks", headers=as_role(tenant))
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert limited.json()["status"] == 429
    assert "5 load or upload requests per 60 s" in limited.json()["message"]
    # Other tenants have their own window.
    other = as_role(tenant + "-other")
    assert client.post(f"{BASE}/starbucks", headers=other).status_code == 201


def test_two_tenants_are_isolated(client: httpx.Client, tenant: str, pool: ConnectionPool) -> None:
    other = tenant + '/Acme Ltd "quoted"; DROP TABLE offers;--'
    first = client.post(f"{BASE}/starbucks", headers=as_role(tenant)).json()
    second = client.post(f"{BASE}/starbucks?seed=7", headers=as_role(other)).json()
    assert first["counts"] == counts_in_database(pool, tenant, "starbucks")
    assert second["counts"]["starbucks_customers_rows"] == 1000
    assert client.delete(f"{BASE}/starbucks", headers=as_role(tenant)).status_code == 200
    assert tenant_footprint(pool, tenant) == {}
    assert counts_in_database(pool, other, "starbucks") == second["counts"]
    assert client.get(BASE, headers=as_role(other)).json()["currentlyLoaded"] == "starbucks"
    assert client.get(BASE, headers=as_role(tenant)).json()["currentlyLoaded"] is None
    assert client.delete(f"{BASE}/starbucks", headers=as_role(other)).status_code == 200
    assert tenant_footprint(pool, other) == {}


def test_bad_query_parameters_are_400(client: httpx.Client, tenant: str) -> None:
    for query in ("scale=0", "scale=abc", "scale=100000", "seed=-1", "force=maybe"):
        response = client.post(f"{BASE}/starbucks?{query}", headers=as_role(tenant))
        assert response.status_code == 400, query
        assert response.json()["status"] == 400
        assert response.json()["message"]


def test_every_pack_is_registered_once() -> None:
    assert "starbucks" in PACKS
    assert all(key == pack.key for key, pack in PACKS.items())
