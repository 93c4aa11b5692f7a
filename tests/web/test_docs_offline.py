"""/docs and the page in headless Chromium with every request off this machine refused."""

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Route, expect

LOCAL = {"127.0.0.1", "localhost", "::1", "[::1]"}


@pytest.fixture
def offline_page(browser: Any) -> Iterator[tuple[Any, list[str]]]:
    """Yield a page whose requests to other hosts fail, and the URLs that were refused."""
    refused: list[str] = []

    def only_local(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).scheme in ("data", "blob") or urlsplit(url).hostname in LOCAL:
            route.continue_()
        else:
            refused.append(url)
            route.abort("internetdisconnected")

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("**/*", only_local)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page, refused
    context.close()


def test_docs_render_swagger_ui_without_the_internet(
    offline_page: tuple[Any, list[str]], server: str
) -> None:
    page, refused = offline_page
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto(server + "/docs")
    # Swagger UI draws the operations from /openapi.json only once its bundle has run.
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("seedpacks")
    assert refused == []
    assert failed == []


def test_the_page_asks_for_nothing_missing(
    offline_page: tuple[Any, list[str]], server: str
) -> None:
    page, refused = offline_page
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto(server + "/")
    expect(page.locator("article.card").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert refused == []
    assert failed == []  # the favicon included
    expect(page.get_by_role("link", name="API documentation")).to_have_attribute("href", "/docs")
