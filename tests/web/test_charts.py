"""The loaded pack's charts in headless Chromium: the ground truth's heatmap holds the rates
route's numbers, each table's columns are drawn from its profile, and a simulation run from the
page draws its four series; screenshots at 1280 and 390 px in test-output/web/."""

from collections.abc import Callable
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.conftest import as_role
from tests.web.conftest import SCREENSHOTS
from tests.web.test_sample_data import load_by_api

OpenPage = Callable[..., Any]
Shot = Callable[[Any, str], None]


def percent_shown(text: str) -> float:
    assert text.endswith("%"), text
    return float(text[:-1])


def spread(column: dict[str, Any], profile: dict[str, Any]) -> bool:
    """Whether a bar chart would show nearly nothing but "other values" (the page names it)."""
    other = [v["count"] for v in column.get("values", []) if v.get("other")]
    return bool(other) and other[0] >= 0.9 * profile["profiledRows"]


def shoot_both_widths(page: Page, screenshot: Shot, name: str, parts: dict[str, str]) -> None:
    """Screenshot the page, then each of `parts` (name: selector) at 1280 and 390 px."""
    screenshot(page, f"{name}-page")  # makes the folder
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(400)  # the heatmap and line chart redraw for the new width
        for part, selector in parts.items():
            path = SCREENSHOTS / f"{name}-{part}-{width}.png"
            page.locator(selector).screenshot(path=str(path))
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_heatmap_and_the_distributions_show_the_apis_numbers(
    open_page: OpenPage, tenant: str, client: httpx.Client, screenshot: Shot
) -> None:
    load_by_api(client, tenant)
    headers = as_role(tenant, "viewer")
    rates = client.get("/api/v1/ground-truth/rates", headers=headers).json()
    names = {
        c["id"]: c["name"] for c in client.get("/api/v1/channels", headers=headers).json()["items"]
    }
    page = open_page(tenant, "viewer")
    heatmap = page.locator("#truth-chart svg[data-chart=heatmap]")
    expect(heatmap).to_be_visible()
    known = [
        (i, j, rate)
        for i, row in enumerate(rates["rates"])
        for j, rate in enumerate(row)
        if rate is not None
    ]
    absent = sum(rate is None for row in rates["rates"] for rate in row)
    cells = heatmap.locator("rect.cell")
    expect(cells).to_have_count(len(known))
    expect(heatmap.locator("[data-cell=none]")).to_have_count(absent)
    assert absent > 0  # starbucks sends some offers on some channels only
    for k, (i, j, rate) in enumerate(known):
        offer, channel = rates["offers"][i], rates["channels"][j]
        cell = cells.nth(k)
        assert cell.get_attribute("data-offer") == offer["id"]
        assert cell.get_attribute("data-channel") == channel
        title = cell.locator("title").text_content() or ""
        assert title.startswith(f"{offer['name']} on {names[channel]}: "), title
        shown = heatmap.locator("text.value").nth(k).text_content() or ""
        assert abs(percent_shown(shown) - 100 * rate) <= 0.5 + 1e-9, (shown, rate)
    heads = heatmap.locator("text.head")
    expect(heads).to_have_count(len(rates["channels"]))
    assert [h.locator("title").text_content() for h in heads.all()] == [
        names[c] for c in rates["channels"]
    ]
    # The same numbers as a table, for screen readers.
    rows = page.locator("#truth-chart table.chart-data tbody tr")
    expect(rows).to_have_count(len(rates["offers"]))
    assert rows.first.locator("td").first.text_content() == rates["offers"][0]["name"]

    schemas = client.get("/api/v1/schemas?limit=500", headers=headers).json()["items"]
    sections = page.locator("#distributions details.profile")
    expect(sections).to_have_count(len(schemas))
    for schema in schemas:
        section = page.locator(f"#distributions details[data-table={schema['name']}]")
        if not section.evaluate("e => e.open"):
            section.locator("summary").click()
        profile = client.get(f"/api/v1/schemas/{schema['name']}/profile", headers=headers).json()
        charted = [c for c in profile["columns"] if c["chart"] != "none" and not spread(c, profile)]
        figures = section.locator("figure.chart-figure")
        expect(figures).to_have_count(len(charted))
        for figure, column in zip(figures.all(), charted, strict=True):
            assert figure.locator("figcaption").text_content() == column["name"]
            nulls = 1 if round(profile["profiledRows"] * column["nullShare"]) else 0
            svg = figure.locator(f"svg[data-chart={column['chart']}]")
            if column["chart"] == "histogram":
                expect(svg.locator("rect.bar:not(.null)")).to_have_count(len(column["counts"]))
            else:
                expect(svg.locator("rect.bar:not(.null)")).to_have_count(len(column["values"]))
            expect(svg.locator("rect.bar.null")).to_have_count(nulls)
            if nulls:
                assert "NULL" in (svg.get_attribute("aria-label") or "")
    # Offer ids read as the offers' names.
    offer_names = {o["id"]: o["name"] for o in rates["offers"]}
    offer_id = page.locator("#distributions details[data-table=starbucks_events] figure").filter(
        has=page.get_by_text("offer_id", exact=True)
    )
    labels = offer_id.locator("svg text.tick.end").all_text_contents()
    assert len([label for label in labels if label.startswith(("BOGO", "$"))]) == len(offer_names)
    # A customer's id in the events: named, not pictured as a dozen bars of 0.2 %.
    expect(
        page.locator("#distributions details[data-table=starbucks_events] .wide")
    ).to_contain_text("spread over too many values to picture: person")
    # starbucks_customers: age, gender and income unknown together in about 13 % of profiles.
    gender = page.locator("#distributions details[data-table=starbucks_customers] figure").filter(
        has=page.get_by_text("gender", exact=True)
    )
    expect(gender.locator("rect.bar.null title")).to_contain_text("NULL: ")
    # A viewer sees the pictures, and is told who may simulate.
    expect(page.locator("#simulate-form")).to_be_hidden()
    expect(page.locator("#simulate-note")).to_have_text("Only an admin can run a simulation.")
    shoot_both_widths(
        page,
        screenshot,
        "charts",
        {
            "truth": "#pictures > .panel >> nth=0",
            "customers": "details[data-table=starbucks_customers]",
            "events": "details[data-table=starbucks_events]",
        },
    )


def test_a_simulation_from_the_page_draws_flow_random_best_offer_and_oracle(
    open_page: OpenPage, tenant: str, client: httpx.Client, screenshot: Shot
) -> None:
    load_by_api(client, tenant)
    page = open_page(tenant)
    jobs: list[dict[str, Any]] = []
    page.on(
        "response",
        lambda r: jobs.append(r.json()) if "/api/v1/simulate/" in r.url and r.ok else None,
    )
    expect(page.locator("#truth-chart svg")).to_be_visible()
    form = page.locator("#simulate-form")
    form.get_by_label("Decisions").fill("200")
    form.get_by_label("Channel").select_option("mobile")
    form.get_by_role("button", name="Simulate").click()
    lines = page.locator("#simulation-chart svg[data-chart=lines]")
    expect(lines).to_be_visible(timeout=60_000)
    result = jobs[-1]["result"]
    assert (result["decisions"], result["channel"]) == (200, "mobile")
    expect(form.locator(".simulate-status")).to_contain_text("200 decisions on mobile")
    series = lines.locator("[data-series]")
    assert [s.get_attribute("data-series") for s in series.all()] == [
        "flow",
        "oracle",
        "random",
        "best single offer",
    ]
    # Told apart by dash pattern, not by colour alone: four different patterns.
    dashes = [s.get_attribute("stroke-dasharray") for s in series.all()]
    assert len(set(dashes)) == 4, dashes
    points = result["regret"]
    for name in ("flow", "oracle", "random"):
        path = lines.locator(f"path[data-series={name}]").get_attribute("d") or ""
        assert path.count("L") == len(points) - 1
    end = points[-1]
    finals = {
        "flow": end["expectedRate"],
        "oracle": end["oracleRate"],
        "random": end["randomRate"],
        "best": result["positiveRate"]["bestSingleOffer"],
    }
    for cls, rate in finals.items():
        label = lines.locator(f"text[data-label={cls}]").text_content() or ""
        assert abs(percent_shown(label.split()[-1]) - 100 * rate) <= 0.5 + 1e-9, (label, rate)
    rows = page.locator("#simulation-chart table.chart-data tbody tr")
    expect(rows).to_have_count(len(points))
    assert rows.last.locator("td").first.text_content() == "200"
    shoot_both_widths(page, screenshot, "charts", {"simulation": "#pictures > .panel >> nth=1"})
