"""SEEDPACKS_AUTH=jwt over HTTP: a token of the configured provider decides tenant and role on
every route, the direct decisioning ones included; refused tokens are 401 with a challenge."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from seedpacks.api.app import create_app
from seedpacks.config import Settings
from tests.auth.jwt_keys import AUDIENCE, ISSUER, rsa_key, token, write_jwks
from tests.helpers import serving

ME = "/api/v1/auth/me"
RECOMMEND = "/api/v1/recommend"
BODY = {"customerId": "c1", "channel": "web"}
PROVIDER, IMPOSTOR = rsa_key(), rsa_key()


@pytest.fixture(scope="module")
def jwt_server(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    jwks = write_jwks(Path(tmp_path_factory.mktemp("jwt")) / "jwks.json", {"k1": PROVIDER})
    changed = settings.model_copy(
        update={
            "auth": "jwt",
            "jwt_jwks_file": jwks,
            "jwt_issuer": ISSUER,
            "jwt_audience": AUDIENCE,
        }
    )
    with serving(create_app(changed)) as url:
        yield url


@pytest.fixture
def http(jwt_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=jwt_server, timeout=60) as client:
        yield client


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def test_a_good_token_decides_tenant_and_role(http: httpx.Client, tenant: str) -> None:
    answer = http.get(ME, headers=bearer(token(PROVIDER, kid="k1", tenant=tenant, role="editor")))
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"tenant": tenant, "role": "editor"}
    # On the direct route too: identity and role pass, and the tenant has no pack loaded.
    decided = http.post(RECOMMEND, headers=bearer(token(PROVIDER, tenant=tenant)), json=BODY)
    assert decided.status_code == 409, decided.text
    viewer = bearer(token(PROVIDER, tenant=tenant, role="viewer"))
    assert http.post(RECOMMEND, headers=viewer, json=BODY).status_code == 403


@pytest.mark.parametrize(
    ("made", "words"),
    [
        (lambda: token(PROVIDER, expires_in=-120), "expired"),
        (lambda: token(IMPOSTOR), "signature"),
        (lambda: token(PROVIDER, iss="https://evil.example/"), "issuer"),
        (lambda: token(PROVIDER, aud="other"), "audience"),
        (lambda: token(PROVIDER, drop=("tenant",)), "'tenant' claim"),
    ],
)
def test_refused_tokens_are_401_on_every_kind_of_route(
    http: httpx.Client, made: object, words: str
) -> None:
    value = made()  # type: ignore[operator]
    for method, path in (("GET", ME), ("GET", "/api/v1/offers"), ("POST", RECOMMEND)):
        answer = http.request(method, path, headers=bearer(value), json=BODY)
        assert answer.status_code == 401, (path, answer.text)
        assert words in answer.json()["message"]
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_identity_headers_grant_nothing_and_cannot_override(
    http: httpx.Client, tenant: str
) -> None:
    headers_only = {"X-Tenant-Id": tenant, "X-User-Role": "admin"}
    assert http.get(ME, headers=headers_only).status_code == 401
    # An API-key header is not a credential in this mode.
    assert http.get(ME, headers={"X-API-Key": "sp_whatever"}).status_code == 401
    overridden = {**bearer(token(PROVIDER, tenant=tenant, role="viewer")), "X-User-Role": "admin"}
    for method, path in (("GET", ME), ("POST", RECOMMEND)):
        assert http.request(method, path, headers=overridden, json=BODY).status_code == 403


def test_the_openapi_document_shows_the_bearer_scheme(http: httpx.Client) -> None:
    document = http.get("/openapi.json").json()
    assert document["components"]["securitySchemes"] == {
        "BearerToken": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    }
    operation = document["paths"]["/api/v1/recommend"]["post"]
    assert operation["security"] == [{"BearerToken": []}]
    assert "token" in operation["responses"]["401"]["description"]
    assert http.get("/api/v1/auth").json()["mode"] == "jwt"
