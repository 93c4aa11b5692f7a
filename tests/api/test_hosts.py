"""The Host check holds on every route in headers mode: the page, /docs and /healthz too."""

import httpx
import pytest

from seedpacks.api.app import create_app
from seedpacks.config import Settings
from tests.helpers import serving

ROUTES = ["/healthz", "/docs", "/openapi.json", "/", "/api/v1/seed-dataset"]


@pytest.mark.parametrize("path", ROUTES)
def test_a_host_not_served_is_400_on_every_route(client: httpx.Client, path: str) -> None:
    answer = client.get(path, headers={"Host": "rebound.example"})
    assert answer.status_code == 400, path
    body = answer.json()
    assert body["status"] == 400
    assert "Host 'rebound.example' is not served" in body["message"]
    assert "SEEDPACKS_ALLOWED_HOSTS" in body["message"]


@pytest.mark.parametrize("path", ROUTES[:4])
def test_loopback_hosts_are_served_on_every_route(client: httpx.Client, path: str) -> None:
    for host in ("localhost:8000", "127.0.0.1", "[::1]:80"):
        assert client.get(path, headers={"Host": host}).status_code == 200, (path, host)


def test_allowed_hosts_are_served(database_url: str) -> None:
    settings = Settings(database_url=database_url, allowed_hosts="seedpacks.example, other.example")
    with serving(create_app(settings)) as url, httpx.Client(base_url=url) as http:
        assert http.get("/healthz", headers={"Host": "seedpacks.example:443"}).status_code == 200
        assert http.get("/healthz", headers={"Host": "OTHER.example"}).status_code == 200
        assert http.get("/healthz", headers={"Host": "third.example"}).status_code == 400
