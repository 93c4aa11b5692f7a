"""A tenant's own packs on the Sample Data page: the "Add a pack" form registers a pack file and
lists a bad one's problems with their lines; the card says "Your pack", loads and removes like
the others and deletes its pack; only an admin of that tenant sees any of it."""

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from playwright.sync_api import Page, expect
from psycopg_pool import ConnectionPool

from seedpacks.api.app import create_app
from seedpacks.auth import keys
from seedpacks.config import Settings
from seedpacks.packfile import starter_file
from seedpacks.packfile.limits import MAX_BYTES
from seedpacks.packs.registry import PACKS
from tests.conftest import as_role
from tests.helpers import serving
from tests.web.test_sample_data import card

OpenPage = Callable[..., Any]
Shot = Callable[[Any, str], None]
BASE = "/api/v1/seed-dataset"
NAME = "homecover starter pack"  # the name starter_file("homecover") gives the pack


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def register_by_api(client: httpx.Client, tenant: str, key: str = "homecover") -> None:
    headers = {**as_role(tenant), "Content-Type": "application/yaml"}
    answer = client.put(f"{BASE}/{key}", headers=headers, content=starter_file(key))
    assert answer.status_code == 201, answer.text


def register_by_form(page: Page, file: Path) -> None:
    page.locator("#own-file").set_input_files(str(file))
    page.get_by_role("button", name="Register").click()


def listed(client: httpx.Client, tenant: str) -> dict[str, dict[str, Any]]:
    answer = client.get(BASE, headers=as_role(tenant))
    assert answer.status_code == 200, answer.text
    return {entry["key"]: entry for entry in answer.json()["datasets"]}


def test_the_form_registers_a_file_and_its_card_says_your_pack(
    open_page: OpenPage, tenant: str, client: httpx.Client, tmp_path: Path, screenshot: Shot
) -> None:
    page = open_page(tenant)
    expect(page.get_by_role("heading", name="Add a pack")).to_be_visible()
    expect(card(page, "Starbucks Offers")).to_be_visible()
    assert "homecover" not in listed(client, tenant)
    file = write(tmp_path, "homecover.yaml", starter_file("homecover"))
    page.locator("#own-file").set_input_files(str(file))
    expect(page.locator("#own-key")).to_have_value("homecover")  # from the file's key: line
    page.get_by_role("button", name="Register").click()
    expect(page.locator("#notice")).to_have_text("Pack 'homecover' registered.")
    mine = card(page, NAME)
    expect(mine.locator(".badge.own")).to_have_text("Your pack")
    expect(mine.locator(".badge:not(.own):not(.loaded)")).to_have_text("synthetic")
    expect(mine.locator("[data-fact=offers] dd")).to_have_text("2")
    expect(mine.get_by_role("button", name=f"Delete pack {NAME}")).to_be_enabled()
    # The built-in cards: their data source, and neither the badge nor a Delete button.
    starbucks = card(page, "Starbucks Offers")
    expect(starbucks.locator(".badge")).to_have_text(PACKS["starbucks"].source)
    expect(page.locator("article.card .badge.own")).to_have_count(1)
    expect(page.get_by_role("button", name="Delete pack")).to_have_count(1)
    assert page.locator("#own-key").input_value() == ""  # the form is ready for the next
    screenshot(page, "own-1-registered")
    assert listed(client, tenant)["homecover"]["source"] == "custom"

    register_by_form(page, file)
    expect(page.locator("#notice")).to_have_text("Pack 'homecover' replaced.")
    expect(page.locator("article.card .badge.own")).to_have_count(1)

    # On a phone the card's buttons wrap inside it, the form's fields under one another.
    page.set_viewport_size({"width": 390, "height": 900})
    delete = mine.get_by_role("button", name=f"Delete pack {NAME}")
    # The list re-renders after the replace: measure the card and its button once both show,
    # in one evaluation, so that neither is caught between two renderings.
    expect(delete).to_be_visible()
    box, button = delete.evaluate(
        "b => [b.closest('article.card'), b].map(e => {"
        " const r = e.getBoundingClientRect(); return {x: r.x, width: r.width}; })"
    )
    assert box["x"] <= button["x"] and button["x"] + button["width"] <= box["x"] + box["width"]
    form = page.locator("#own-pack").bounding_box()
    assert form and form["x"] + form["width"] <= 390
    screenshot(page, "own-4-phone")


def test_a_json_file_is_sent_as_json_under_the_key_typed(
    open_page: OpenPage, tenant: str, client: httpx.Client, pool: ConnectionPool, tmp_path: Path
) -> None:
    document = yaml.safe_load(starter_file("mine"))
    document["name"] = "Mine in JSON"
    file = write(tmp_path, "mine.json", json.dumps(document, default=str))
    page = open_page(tenant)
    page.locator("#own-file").set_input_files(str(file))
    expect(page.locator("#own-key")).to_have_value("mine")
    page.get_by_role("button", name="Register").click()
    expect(page.locator("#notice")).to_have_text("Pack 'mine' registered.")
    expect(card(page, "Mine in JSON").locator(".badge.own")).to_be_visible()
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT format FROM tenant_packs WHERE tenant_id = %s AND key = 'mine'", (tenant,)
        ).fetchone()
    assert row == ("json",)

    # A key typed by hand is the one sent: not the file's, so the server's sentence shows.
    page.locator("#own-key").fill("yours")
    page.locator("#own-file").set_input_files(str(file))
    expect(page.locator("#own-key")).to_have_value("yours")
    page.get_by_role("button", name="Register").click()
    result = page.locator("#own-result")
    expect(result).to_contain_text("The path names the pack 'yours' but the file's key is 'mine'")
    assert "yours" not in listed(client, tenant)


def test_a_bad_file_lists_the_servers_problems_with_lines_and_adds_no_card(
    open_page: OpenPage, tenant: str, client: httpx.Client, tmp_path: Path, screenshot: Shot
) -> None:
    text = (
        starter_file("badpack")
        .replace("offer: gold_upgrade, channel: email", "offer: gold_upgrade, channel: emial", 1)
        .replace("category: products", "category: prodcts", 1)
    )
    lines = text.splitlines()
    channel_line = next(n for n, line in enumerate(lines, 1) if "channel: emial" in line)
    headers = {**as_role(tenant), "Content-Type": "application/yaml"}
    answer = client.put(f"{BASE}/badpack", headers=headers, content=text)
    assert answer.status_code == 400, answer.text
    problems = answer.json()["problems"]
    assert len(problems) >= 2

    page = open_page(tenant)
    expect(card(page, "Starbucks Offers")).to_be_visible()
    register_by_form(page, write(tmp_path, "badpack.yml", text))
    items = page.locator("#own-result .problems li")
    expect(items).to_have_count(len(problems))
    expect(items).to_have_text([f"Line {p['line']}, {p['path']}: {p['message']}" for p in problems])
    expect(page.locator("#own-result")).to_contain_text(
        f"Line {channel_line}, creatives[0].channel: unknown channel 'emial'; known: email, web"
    )
    expect(page.locator("#own-result")).to_contain_text("nothing was registered")
    expect(page.locator("#notice")).to_be_hidden()
    expect(page.locator("article.card .badge.own")).to_have_count(0)
    expect(page.locator("article.card")).to_have_count(len(PACKS))
    screenshot(page, "own-2-problems")
    assert "badpack" not in listed(client, tenant)


def test_a_builtin_key_is_refused_with_the_servers_sentence(
    open_page: OpenPage, tenant: str, tmp_path: Path
) -> None:
    page = open_page(tenant)
    register_by_form(page, write(tmp_path, "insurance.yaml", starter_file("insurance")))
    expect(page.locator("#own-result")).to_contain_text(
        "'insurance' is a built-in pack's key; built-in packs cannot be overwritten"
    )
    expect(page.locator("#own-result .problems")).to_have_count(0)
    expect(page.locator("article.card .badge.own")).to_have_count(0)


def test_a_file_over_the_limit_is_refused_with_the_servers_sentence(
    open_page: OpenPage, tenant: str, client: httpx.Client, tmp_path: Path
) -> None:
    text = starter_file("big") + "#" * MAX_BYTES
    page = open_page(tenant)
    register_by_form(page, write(tmp_path, "big.yaml", text))
    expect(page.locator("#own-result")).to_contain_text(
        f"a pack file is at most {MAX_BYTES:,} bytes"
    )
    assert "big" not in listed(client, tenant)


def test_a_file_without_a_key_asks_for_one(
    open_page: OpenPage, tenant: str, tmp_path: Path
) -> None:
    text = starter_file("nokey").replace("key: nokey\n", "", 1)
    page = open_page(tenant)
    register_by_form(page, write(tmp_path, "nokey.yaml", text))
    expect(page.locator("#own-result")).to_have_text(
        "Give the pack a key: the file has no key: line to take it from."
    )


def test_the_card_loads_removes_and_deletes_its_pack(
    open_page: OpenPage, tenant: str, client: httpx.Client, screenshot: Shot
) -> None:
    register_by_api(client, tenant)
    page = open_page(tenant)
    mine = card(page, NAME)
    mine.get_by_role("button", name=f"Load {NAME}").click()
    expect(page.locator("#notice")).to_have_text(f"{NAME} loaded successfully.")
    expect(mine.locator(".badge.loaded")).to_be_visible()
    expect(page.locator("#loaded-title")).to_have_text(f"Loaded pack: {NAME}")
    # Loaded, its definition may not go: the button says so instead of failing.
    delete = mine.get_by_role("button", name=f"Delete pack {NAME}")
    expect(delete).to_be_disabled()
    expect(mine.locator(".own-why")).to_have_text(
        "Remove the loaded pack before you delete its definition."
    )
    screenshot(page, "own-3-loaded")

    mine.get_by_role("button", name=f"Remove {NAME}").click()
    page.get_by_role("dialog").get_by_role("button", name="Remove").click()
    expect(page.locator("#notice")).to_have_text(f"{NAME} removed successfully.")
    expect(delete).to_be_enabled()
    expect(mine.locator(".own-why")).to_have_count(0)

    delete.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(f"Delete {NAME}?")
    dialog.get_by_role("button", name="Cancel").click()
    expect(mine).to_be_visible()
    delete.click()
    dialog.get_by_role("button", name="Delete pack").click()
    expect(page.locator("#notice")).to_have_text("Pack 'homecover' deleted.")
    expect(mine).to_have_count(0)
    expect(page.locator("article.card")).to_have_count(len(PACKS))
    assert "homecover" not in listed(client, tenant)


def test_a_delete_the_server_refuses_shows_its_409(
    open_page: OpenPage, tenant: str, client: httpx.Client
) -> None:
    register_by_api(client, tenant)
    page = open_page(tenant)
    mine = card(page, NAME)
    expect(mine.get_by_role("button", name=f"Delete pack {NAME}")).to_be_enabled()
    # Loaded elsewhere (another tab, the CLI) after this page drew its cards.
    assert client.post(f"{BASE}/homecover", headers=as_role(tenant)).status_code == 201
    mine.get_by_role("button", name=f"Delete pack {NAME}").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete pack").click()
    expect(page.get_by_role("alert")).to_contain_text("Pack 'homecover' is loaded for this tenant")
    expect(mine.locator(".badge.loaded")).to_be_visible()  # the list was read again
    expect(mine.get_by_role("button", name=f"Delete pack {NAME}")).to_be_disabled()
    assert "homecover" in listed(client, tenant)


def test_the_schema_link_saves_the_pack_schema(open_page: OpenPage, tenant: str) -> None:
    page = open_page(tenant)
    link = page.get_by_role("link", name="the pack schema")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "pack-schema.json"
    schema = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert schema["title"] == "seedpacks pack file"
    assert "offers" in schema["properties"]


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_other_roles_see_neither_the_form_nor_delete(
    open_page: OpenPage, tenant: str, client: httpx.Client, role: str
) -> None:
    register_by_api(client, tenant)
    page = open_page(tenant, role)
    expect(page.locator("#note")).to_contain_text(f"Role {role} may read the loaded pack")
    expect(page.locator("#own-pack")).to_be_hidden()
    expect(page.get_by_role("button", name="Register")).to_have_count(0)
    expect(page.get_by_role("button", name="Delete pack")).to_have_count(0)
    # Switching to admin in the same page shows both.
    page.locator("#role").select_option("admin")
    expect(page.locator("#own-pack")).to_be_visible()
    expect(card(page, NAME).get_by_role("button", name=f"Delete pack {NAME}")).to_be_visible()


def test_another_tenant_does_not_see_the_pack(
    open_page: OpenPage, tenant: str, tmp_path: Path
) -> None:
    page = open_page(tenant)
    register_by_form(page, write(tmp_path, "homecover.yaml", starter_file("homecover")))
    expect(card(page, NAME).locator(".badge.own")).to_be_visible()
    expect(page.locator("#own-result")).to_contain_text("Pack 'homecover' registered")
    other = open_page(tenant + "-other")
    expect(card(other, "Starbucks Offers")).to_be_visible()
    expect(other.locator("article.card")).to_have_count(len(PACKS))
    expect(card(other, NAME)).to_have_count(0)
    expect(other.locator(".badge.own")).to_have_count(0)
    # Switching tenant in the same page: the other tenant's list, and the form's answer gone.
    page.locator("#tenant").fill(tenant + "-other")
    page.get_by_role("button", name="Switch").click()
    expect(card(page, NAME)).to_have_count(0)
    expect(page.locator("article.card")).to_have_count(len(PACKS))
    expect(page.locator("#own-result")).to_be_empty()


@pytest.fixture(scope="module")
def key_server(settings: Settings) -> Iterator[str]:
    changed = settings.model_copy(update={"auth": "api-key", "api_key_cache_seconds": 0})
    with serving(create_app(changed)) as url:
        yield url


def test_with_an_api_key_the_form_acts_as_the_keys_admin(
    browser: Any, key_server: str, pool: ConnectionPool, tenant: str, tmp_path: Path
) -> None:
    with pool.connection() as conn:
        admin = str(keys.create_key(conn, tenant=tenant, role="admin")["key"])
        viewer = str(keys.create_key(conn, tenant=tenant, role="viewer")["key"])
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(key_server + "/")
        expect(page.locator("#own-pack")).to_be_hidden()
        page.get_by_label("API key").fill(admin)
        page.get_by_role("button", name="Sign in").click()
        register_by_form(page, write(tmp_path, "homecover.yaml", starter_file("homecover")))
        expect(page.locator("#notice")).to_have_text("Pack 'homecover' registered.")
        expect(card(page, NAME).locator(".badge.own")).to_be_visible()
        page.get_by_role("button", name="Sign out").click()
        expect(page.locator("#own-pack")).to_be_hidden()
        page.get_by_label("API key").fill(viewer)
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator("#note")).to_contain_text("Role viewer may read the loaded pack")
        expect(page.locator("#own-pack")).to_be_hidden()
        expect(page.locator("#own-result")).to_be_empty()
    finally:
        context.close()
