"""SEEDPACKS_AUTH=api-key over HTTP: the key alone decides tenant and role, on the usual routes
and on the direct decisioning routes alike; unknown, revoked and expired keys are 401."""

import uuid
from collections.abc import Callable, Iterator
from datetime import datetime

import httpx
import pytest
from psycopg_pool import ConnectionPool

from seedpacks.api.app import create_app
from seedpacks.auth import keys
from seedpacks.config import Settings
from seedpacks.seeding import operations
from tests.helpers import serving

LIST = "/api/v1/seed-dataset"
ME = "/api/v1/auth/me"
RECOMMEND = "/api/v1/recommend"
BODY = {"customerId": "c1", "channel": "web"}
MakeKey = Callable[..., str]


@pytest.fixture(scope="module")
def key_server(settings: Settings, pool: ConnectionPool) -> Iterator[str]:
    # No cache, so that a revocation shows at once (tests/auth/test_keys.py tests the cache).
    changed = settings.model_copy(update={"auth": "api-key", "api_key_cache_seconds": 0})
    with serving(create_app(changed)) as url:
        yield url


@pytest.fixture
def http(key_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=key_server, timeout=60) as client:
        yield client


@pytest.fixture
def make_key(pool: ConnectionPool, tenant: str) -> MakeKey:
    def make(role: str = "admin", *, of: str | None = None, **kwargs: object) -> str:
        with pool.connection() as conn:
            created = keys.create_key(conn, tenant=of or tenant, role=role, **kwargs)  # type: ignore[arg-type]
        return str(created["key"])

    return make


def test_a_key_works_as_x_api_key_and_as_bearer(
    http: httpx.Client, make_key: MakeKey, tenant: str
) -> None:
    key = make_key("editor")
    for headers in ({"X-API-Key": key}, {"Authorization": f"Bearer {key}"}):
        answer = http.get(ME, headers=headers)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"tenant": tenant, "role": "editor"}
    assert http.get("/api/v1/auth").json() == {"mode": "api-key", "credential": "api-key"}


def test_without_a_key_identity_headers_grant_nothing(http: httpx.Client, tenant: str) -> None:
    answer = http.get(LIST, headers={"X-Tenant-Id": tenant, "X-User-Role": "admin"})
    assert answer.status_code == 401
    assert "API key" in answer.json()["message"]
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_unknown_revoked_and_expired_keys_are_401(
    http: httpx.Client, make_key: MakeKey, pool: ConnectionPool, tenant: str
) -> None:
    revoked, expired = make_key(), make_key(expires_days=1)
    with pool.connection() as conn:
        keys.revoke_key(conn, tenant=tenant, key_id=revoked.split("_")[1])
        conn.execute(
            "UPDATE api_keys SET expires_at = now() - interval '1 minute'"
            " WHERE tenant_id = %s AND id = %s",
            (tenant, expired.split("_")[1]),
        )
    made_up = "sp_0123456789ab_" + "x" * 43
    for key, words in ((made_up, "not valid"), (revoked, "revoked"), (expired, "expired")):
        for method, path in (("GET", LIST), ("POST", RECOMMEND)):
            answer = http.request(method, path, headers={"X-API-Key": key}, json=BODY)
            assert answer.status_code == 401, (key, path)
            assert words in answer.json()["message"]


def test_identity_headers_cannot_change_who_a_key_is(
    http: httpx.Client, make_key: MakeKey, pool: ConnectionPool, tenant: str
) -> None:
    key = make_key("viewer")
    other = f"{tenant}-other"
    for method, path in (("GET", ME), ("POST", RECOMMEND), ("POST", f"{LIST}/starbucks")):
        for header in ({"X-Tenant-Id": other}, {"X-User-Role": "admin"}):
            answer = http.request(method, path, headers={"X-API-Key": key, **header}, json=BODY)
            assert answer.status_code == 403, (path, header, answer.text)
            assert "cannot change" in answer.json()["message"]
    assert operations.loaded_key(pool, tenant=other) is None
    # Headers that repeat the key's own identity (a gateway passing them on) are fine.
    same = {"X-API-Key": key, "X-Tenant-Id": tenant, "X-User-Role": "viewer"}
    assert http.get(ME, headers=same).status_code == 200


def test_the_keys_role_decides_what_it_may_do(
    http: httpx.Client, make_key: MakeKey, pool: ConnectionPool, tenant: str
) -> None:
    viewer, editor, admin = make_key("viewer"), make_key("editor"), make_key("admin")
    assert http.post(f"{LIST}/starbucks", headers={"X-API-Key": viewer}).status_code == 403
    assert http.post(RECOMMEND, headers={"X-API-Key": viewer}, json=BODY).status_code == 403
    # The editor passes identity and role on the direct route; no pack is loaded yet.
    answer = http.post(RECOMMEND, headers={"X-API-Key": editor}, json=BODY)
    assert answer.status_code == 409, answer.text
    loaded = http.post(f"{LIST}/starbucks", headers={"Authorization": f"Bearer {admin}"})
    assert loaded.status_code == 201, loaded.text
    assert operations.loaded_key(pool, tenant=tenant) == "starbucks"
    assert http.delete(f"{LIST}/starbucks", headers={"X-API-Key": admin}).status_code == 200


def test_use_is_recorded(http: httpx.Client, make_key: MakeKey, pool: ConnectionPool) -> None:
    key = make_key()

    def last_used() -> datetime | None:
        with pool.connection() as conn:
            row = conn.execute(
                "SELECT last_used_at FROM api_keys WHERE key_hash = %s", (keys.digest(key),)
            ).fetchone()
        assert row is not None
        return row[0]  # type: ignore[no-any-return]

    assert last_used() is None
    assert http.post(RECOMMEND, headers={"X-API-Key": key}, json=BODY).status_code == 409
    first = last_used()
    assert first is not None
    # Within the minute another call writes nothing.
    assert http.get(ME, headers={"X-API-Key": key}).status_code == 200
    assert last_used() == first


@pytest.mark.parametrize(
    ("headers", "status", "words"),
    [
        ({"Authorization": "Basic YWRtaW46YWRtaW4="}, 401, "Bearer"),
        ({"Authorization": "Bearer"}, 401, "Bearer"),
        ({"X-API-Key": "sp_a", "Authorization": "Bearer sp_b"}, 400, "different keys"),
    ],
)
def test_malformed_credentials_are_refused(
    http: httpx.Client, headers: dict[str, str], status: int, words: str
) -> None:
    answer = http.get(ME, headers=headers)
    assert answer.status_code == status
    assert words in answer.json()["message"]


def test_a_repeated_key_header_is_400(http: httpx.Client, make_key: MakeKey) -> None:
    key = make_key()
    answer = http.get(ME, headers=[("X-API-Key", key), ("X-API-Key", key)])
    assert answer.status_code == 400 and "X-API-Key" in answer.json()["message"]


def test_any_host_name_is_served_with_a_key(http: httpx.Client, make_key: MakeKey) -> None:
    # The Host check guards headers mode from DNS rebinding; a page on another origin has no key.
    answer = http.get(ME, headers={"X-API-Key": make_key(), "Host": "seedpacks.example"})
    assert answer.status_code == 200


def test_the_openapi_document_shows_the_key_schemes(http: httpx.Client) -> None:
    document = http.get("/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["ApiKeyHeader"] == {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    assert schemes["ApiKeyBearer"]["scheme"] == "bearer" and "TenantHeader" not in schemes
    for path, operations_ in document["paths"].items():
        for operation in operations_.values():
            names = {p["name"].lower() for p in operation.get("parameters", [])}
            assert not names & {"x-tenant-id", "x-user-role"}, path
            if path.startswith("/api/v1/") and path != "/api/v1/auth":
                assert operation["security"] == [{"ApiKeyHeader": []}, {"ApiKeyBearer": []}]
                assert "API key" in operation["responses"]["401"]["description"]


def test_keys_belong_to_their_tenant(http: httpx.Client, make_key: MakeKey, tenant: str) -> None:
    other = f"other-{uuid.uuid4().hex[:8]}"
    mine, theirs = make_key(), make_key(of=other)
    assert http.get(ME, headers={"X-API-Key": mine}).json()["tenant"] == tenant
    assert http.get(ME, headers={"X-API-Key": theirs}).json()["tenant"] == other
