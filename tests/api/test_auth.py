"""Identity headers: exactly what is trimmed, refused and trusted, on every kind of route."""

import httpx
import pytest

from tests.conftest import as_role

LIST = "/api/v1/seed-dataset"
RECOMMEND = "/api/v1/recommend"
BODY = {"customerId": "c1", "channel": "web"}


def _raw(tenant: bytes, role: bytes = b"admin") -> list[tuple[bytes, bytes]]:
    return [(b"X-Tenant-Id", tenant), (b"X-User-Role", role)]


@pytest.mark.parametrize("look_alike", [b"\xa0acme\x85", b"acme\xa0", b"ac\x85me", b"acme\xad"])
def test_a_tenant_with_other_separators_or_controls_is_400(
    client: httpx.Client, look_alike: bytes
) -> None:
    answer = client.get(LIST, headers=_raw(look_alike))
    assert answer.status_code == 400
    assert "X-Tenant-Id" in answer.json()["message"]


@pytest.mark.parametrize("role", [b"admin\xa0", b"\x85admin", b"adm\xa0in"])
def test_a_look_alike_role_is_refused(client: httpx.Client, tenant: str, role: bytes) -> None:
    answer = client.get(LIST, headers=_raw(tenant.encode(), role))
    assert answer.status_code == 401
    assert "X-User-Role" in answer.json()["message"]


def test_direct_decisioning_routes_refuse_look_alike_tenants(client: httpx.Client) -> None:
    answer = client.post(RECOMMEND, json=BODY, headers=_raw(b"acme\xa0", b"editor"))
    assert answer.status_code == 400
    assert "X-Tenant-Id" in answer.json()["message"]


@pytest.mark.parametrize("name", [b"X-Tenant-Id", b"X-User-Role"])
def test_a_repeated_identity_header_is_400(client: httpx.Client, tenant: str, name: bytes) -> None:
    headers = [*_raw(tenant.encode(), b"viewer"), (name, b"admin")]
    for method, path in (("GET", LIST), ("POST", RECOMMEND)):
        answer = client.request(method, path, headers=headers, json=BODY)
        assert answer.status_code == 400, path
        assert name.decode() in answer.json()["message"]


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example"])
def test_a_host_that_is_not_loopback_is_refused(
    client: httpx.Client, tenant: str, host: str
) -> None:
    headers = {**as_role(tenant, "editor"), "Host": host}
    for method, path in (("GET", f"{LIST}/starbucks"), ("POST", RECOMMEND)):
        answer = client.request(method, path, headers=headers, json=BODY)
        assert answer.status_code == 400, path
        assert "Host" in answer.json()["message"]


@pytest.mark.parametrize(
    "host", ["localhost", "localhost:9", "127.0.0.1", "127.8.9.1:80", "[::1]:1"]
)
def test_loopback_hosts_are_accepted(client: httpx.Client, tenant: str, host: str) -> None:
    answer = client.get(LIST, headers={**as_role(tenant), "Host": host})
    assert answer.status_code == 200
