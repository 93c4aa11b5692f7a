"""The Sample Data page on a server that needs an API key or a token: it asks for it, keeps it in
sessionStorage only, sends it on every call, shows whom it grants, and asks again on a 401."""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from psycopg_pool import ConnectionPool

from seedpacks.api.app import create_app
from seedpacks.auth import keys
from seedpacks.config import Settings
from seedpacks.seeding import operations
from tests.auth.jwt_keys import AUDIENCE, ISSUER, pem, rsa_key, token
from tests.helpers import serving

Shot = Callable[[Any, str], None]
PROVIDER = rsa_key()


@pytest.fixture(scope="module")
def key_server(settings: Settings) -> Iterator[str]:
    changed = settings.model_copy(update={"auth": "api-key", "api_key_cache_seconds": 0})
    with serving(create_app(changed)) as url:
        yield url


@pytest.fixture
def page(browser: Any, key_server: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(key_server + "/")
    yield page
    context.close()


def _key(pool: ConnectionPool, tenant: str, role: str) -> str:
    with pool.connection() as conn:
        return str(keys.create_key(conn, tenant=tenant, role=role)["key"])


def _sign_in(page: Page, key: str) -> None:
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()


def test_the_page_asks_for_a_key_and_acts_as_it(
    page: Page, pool: ConnectionPool, tenant: str, screenshot: Shot
) -> None:
    sent: list[dict[str, str]] = []
    # Every call but the one asking how to authenticate (made on opening) carries the key.
    page.on(
        "request",
        lambda r: (
            sent.append(r.headers)
            if "/api/v1/" in r.url and not r.url.endswith("/api/v1/auth")
            else None
        ),
    )
    expect(page.locator("#packs")).to_contain_text("This server needs your API key")
    expect(page.locator("#tenant")).to_be_hidden()
    screenshot(page, "8-asks-for-a-key")

    made_up = "sp_0123456789ab_" + "x" * 43
    _sign_in(page, made_up)
    expect(page.get_by_role("alert")).to_contain_text("The API key is not valid")
    expect(page.get_by_label("API key")).to_be_visible()

    key = _key(pool, tenant, "admin")
    _sign_in(page, key)
    expect(page.locator("#who")).to_have_text(f"Tenant {tenant} · admin")
    starbucks = page.locator("article.card[data-key=starbucks]")
    starbucks.get_by_role("button", name="Load Starbucks Offers").click()
    expect(page.locator("#notice")).to_have_text("Starbucks Offers loaded successfully.")
    expect(page.locator("#offers-table tbody tr")).to_have_count(10)
    screenshot(page, "9-signed-in-with-a-key")
    assert operations.loaded_key(pool, tenant=tenant) == "starbucks"
    assert {h.get("x-api-key") for h in sent} == {made_up, key}
    assert not any("x-tenant-id" in h or "x-user-role" in h for h in sent)
    assert page.evaluate("sessionStorage.getItem('seedpacks.credential')") == key
    assert page.evaluate("Object.keys(localStorage)") == []

    page.reload()
    expect(page.locator("#who")).to_have_text(f"Tenant {tenant} · admin")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("API key")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('seedpacks.credential')") is None


def test_a_viewer_key_reads_and_a_revoked_key_is_asked_again(
    page: Page, pool: ConnectionPool, tenant: str
) -> None:
    viewer = _key(pool, tenant, "viewer")
    _sign_in(page, viewer)
    expect(page.locator("#who")).to_have_text(f"Tenant {tenant} · viewer")
    expect(page.locator("#note")).to_contain_text("Role viewer may read the loaded pack")
    with pool.connection() as conn:
        keys.revoke_key(conn, tenant=tenant, key_id=viewer.split("_")[1])
    page.reload()
    expect(page.get_by_role("alert")).to_contain_text("was revoked")
    expect(page.get_by_label("API key")).to_be_visible()


@pytest.fixture(scope="module")
def token_server(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    public = Path(tmp_path_factory.mktemp("idp")) / "idp.pem"
    public.write_text(pem(PROVIDER))
    changed = settings.model_copy(
        update={
            "auth": "jwt",
            "jwt_public_key_file": public,
            "jwt_issuer": ISSUER,
            "jwt_audience": AUDIENCE,
        }
    )
    with serving(create_app(changed)) as url:
        yield url


def test_with_jwt_the_page_sends_the_token_as_bearer(
    browser: Any, token_server: str, tenant: str
) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(token_server + "/")
        sent: list[str] = []
        # The API calls carry the token; the browser's own (the favicon) carry nothing.
        page.on(
            "request",
            lambda r: sent.append(r.headers.get("authorization", "")) if "/api/" in r.url else None,
        )
        page.get_by_label("Bearer token").fill(token(PROVIDER, tenant=tenant, role="editor"))
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator("#who")).to_have_text(f"Tenant {tenant} · editor")
        expect(page.locator("#note")).to_contain_text("Role editor may read the loaded pack")
        assert sent and all(value.startswith("Bearer ey") for value in sent)
    finally:
        context.close()
