"""The Sample Data page in headless Chromium: load with a moving progress bar, confirm a forced
replace, remove, show a bad upload's line-numbered error, and speak in words to other roles."""

import time
from collections.abc import Callable
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from seedpacks.packs.registry import PACKS
from tests.conftest import as_role

OpenPage = Callable[..., Any]
Shot = Callable[[Any, str], None]


def card(page: Page, name: str) -> Any:
    return page.locator("article.card").filter(has=page.get_by_role("heading", name=name))


def load_by_api(client: httpx.Client, tenant: str, key: str = "starbucks") -> None:
    response = client.post(f"/api/v1/seed-dataset/{key}", headers=as_role(tenant))
    assert response.status_code == 201, response.text


def test_loading_moves_the_progress_bar_then_shows_counts_and_entities(
    open_page: OpenPage, tenant: str, screenshot: Shot
) -> None:
    page = open_page(tenant)
    starbucks = card(page, "Starbucks Offers")
    expect(starbucks).to_contain_text("Multi-channel loyalty offers")
    screenshot(page, "1-packs")
    # A larger scale makes the load last several of the page's one-second polls.
    starbucks.get_by_label("Scale ×").fill("30")
    starbucks.get_by_role("button", name="Load Starbucks Offers").click()
    seen: list[float] = []
    deadline = time.monotonic() + 90
    scales: set[str] = set()
    while not page.locator("#notice").is_visible() and time.monotonic() < deadline:
        seen.append(float(page.locator("#progress").evaluate("e => e.value")))
        scales.add(starbucks.get_by_label("Scale ×").input_value())
        if 0 < seen[-1] < 100 and len([v for v in seen if 0 < v < 100]) == 1:
            screenshot(page, "2-loading")
        time.sleep(0.1)
    assert any(0 < value < 100 for value in seen), seen
    assert seen == sorted(seen)
    # The cards are redrawn during the load; the scale typed stays.
    assert scales == {"30"}, scales
    expect(page.locator("#notice")).to_have_text("Starbucks Offers loaded successfully.")
    expect(page.locator("#percent")).to_have_text("100%")
    expect(page.locator("[data-count=starbucks_customers_rows] dd")).to_have_text("30,000")
    expect(page.locator("#offers-table tbody tr")).to_have_count(10)
    expect(page.locator("#channels-table tbody tr")).to_have_count(6)
    expect(page.locator("#segments-table tbody tr").first).to_contain_text(",")
    expect(starbucks.locator(".badge.loaded")).to_have_text("Loaded")
    expect(starbucks.locator(".loaded-as")).to_have_text("Loaded at scale 30 with seed 42.")
    expect(starbucks.get_by_label("Scale ×")).to_have_value("30")
    screenshot(page, "3-loaded")
    page.reload()  # the page knows the loaded scale and seed without having loaded it
    expect(card(page, "Starbucks Offers").locator(".loaded-as")).to_have_text(
        "Loaded at scale 30 with seed 42."
    )


def test_cards_show_rows_and_interactions_and_keep_their_buttons_inside(
    open_page: OpenPage, tenant: str, client: httpx.Client, screenshot: Shot
) -> None:
    load_by_api(client, tenant)
    page = open_page(tenant)
    starbucks = card(page, "Starbucks Offers")
    planned = client.get("/api/v1/seed-dataset/starbucks", headers=as_role(tenant)).json()
    counts = planned["plannedCounts"]
    rows = sum(n for name, n in counts.items() if name.endswith("_rows"))
    expect(starbucks.locator("[data-fact='table rows'] dd")).to_have_text(f"{rows:,}")
    expect(starbucks.locator("[data-fact=interactions] dd")).to_have_text(
        f"{counts['interactions']:,}"
    )
    padding = starbucks.evaluate("e => parseFloat(getComputedStyle(e).paddingRight)")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        box = starbucks.bounding_box()
        assert box
        # Inside the card's content box, not out over its padding to the border.
        left, right = box["x"] + padding, box["x"] + box["width"] - padding
        for name in ("Reload Starbucks Offers", "Remove Starbucks Offers"):
            button = starbucks.get_by_role("button", name=name).bounding_box()
            assert button, name
            inside = left <= button["x"] and button["x"] + button["width"] <= right + 0.5
            assert inside, (width, name, left, right, button)
        screenshot(page, f"8-card-{width}px")


def test_replacing_a_loaded_pack_asks_first(
    open_page: OpenPage, tenant: str, client: httpx.Client, screenshot: Shot
) -> None:
    other = next(pack for key, pack in PACKS.items() if key != "starbucks")
    load_by_api(client, tenant)
    page = open_page(tenant)
    target = card(page, other.name)
    target.get_by_role("button", name=f"Load {other.name}").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Starbucks Offers is loaded")
    screenshot(page, "4-confirm-replace")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(card(page, "Starbucks Offers").locator(".badge.loaded")).to_be_visible()

    target.get_by_role("button", name=f"Load {other.name}").click()
    dialog.get_by_role("button", name="Replace").click()
    expect(page.locator("#notice")).to_have_text(
        f"{other.name} loaded successfully, replacing Starbucks Offers."
    )
    expect(target.locator(".badge.loaded")).to_be_visible()
    expect(card(page, "Starbucks Offers").locator(".badge.loaded")).to_have_count(0)
    listing = client.get("/api/v1/seed-dataset", headers=as_role(tenant)).json()
    assert listing["currentlyLoaded"] == other.key


def test_removing_the_pack_empties_the_page(
    open_page: OpenPage, tenant: str, client: httpx.Client, screenshot: Shot
) -> None:
    load_by_api(client, tenant)
    page = open_page(tenant)
    expect(page.locator("#loaded")).to_be_visible()
    card(page, "Starbucks Offers").get_by_role("button", name="Remove Starbucks Offers").click()
    page.get_by_role("dialog").get_by_role("button", name="Remove").click()
    expect(page.locator("#notice")).to_have_text("Starbucks Offers removed successfully.")
    expect(page.locator("#loaded")).to_be_hidden()
    expect(page.locator(".badge.loaded")).to_have_count(0)
    screenshot(page, "5-removed")
    assert client.get("/api/v1/offers", headers=as_role(tenant)).json()["total"] == 0


def test_a_viewer_is_told_in_words_and_still_sees_what_is_loaded(
    open_page: OpenPage, tenant: str, client: httpx.Client, screenshot: Shot
) -> None:
    load_by_api(client, tenant)
    page = open_page(tenant, "viewer")
    # Reading but not managing packs is what a viewer is: said plainly, not as an error.
    expect(page.locator("#note")).to_contain_text("Role viewer may read the loaded pack")
    expect(page.get_by_role("alert")).to_be_hidden()
    expect(page.locator("#offers-table tbody tr")).to_have_count(10)
    expect(page.locator("#tenant")).to_have_value(tenant)
    screenshot(page, "6-viewer")


def test_a_bad_upload_shows_the_line_numbered_error(
    open_page: OpenPage, tenant: str, client: httpx.Client, screenshot: Shot
) -> None:
    load_by_api(client, tenant)
    page = open_page(tenant)
    form = page.locator("form.upload[data-schema=starbucks_customers]")
    form.get_by_label("starbucks_customers").set_input_files(
        {
            "name": "customers.csv",
            "mimeType": "text/csv",
            "buffer": b"gender,age,id,became_member_on,income\n"
            b"F,55,a,20170715,1\nM,abc,b,20170715,2\n",
        }
    )
    form.get_by_role("button", name="Upload").click()
    expect(form.locator(".upload-result")).to_contain_text(
        "Line 3, column 'age': 'abc' is not a whole number."
    )
    expect(page.get_by_role("alert")).to_contain_text("Upload into starbucks_customers failed")
    screenshot(page, "7-bad-upload")
    customers = client.get("/api/v1/schemas/starbucks_customers/data", headers=as_role(tenant))
    assert customers.json()["total"] == 1000
