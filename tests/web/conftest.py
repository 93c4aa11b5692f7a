"""Headless Chromium (Debian's, driven by Playwright) against the live test server."""

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "web"
# Without the background-networking flags Chromium dials Google's hosts at every start, which a
# closed network refuses, many connections at a time.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run installs it")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser: object, server: str) -> Iterator[Callable[..., object]]:
    """Open the Sample Data page as `role` of `tenant` (the identity the page keeps)."""
    contexts = []

    def open_as(tenant: str, role: str = "admin") -> object:
        context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
        contexts.append(context)
        context.add_init_script(
            f"localStorage.setItem('seedpacks.tenant', {tenant!r});"
            f"localStorage.setItem('seedpacks.role', {role!r});"
        )
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(server + "/")
        return page

    yield open_as
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot() -> Callable[[object, str], None]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: object, name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]

    return take
