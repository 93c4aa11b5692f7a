"""A tenant's own pack, once loaded, answers everywhere a built-in pack does: table exports,
the ground truth, profiles, the ground truth's rates, decisions, simulations and status.

Each test runs on the registered starter file ("homecover") and on a built-in pack (telco), with
the same assertions; another tenant sees none of the registered pack.
"""

import csv
import io
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pyarrow.parquet as pq
import pytest
from psycopg import sql
from psycopg_pool import ConnectionPool

from seedpacks.decisioning.simulate import simulate
from seedpacks.packfile import parse_pack, starter_file
from seedpacks.packs.describe import ground_truth
from seedpacks.packs.model import Pack
from seedpacks.packs.registry import PACKS
from seedpacks.seeding.tenancy import tenant_schema
from tests.conftest import as_role

BASE = "/api/v1/seed-dataset"
CUSTOM, BUILTIN = "homecover", "telco"
DAY = "2031-03-04"  # far from the packs' history: no contact policy binds yet


@dataclass(frozen=True)
class Loaded:
    tenant: str
    pack: Pack

    @property
    def customers(self) -> str:
        return self.pack.ground_truth.customer_table


def _register(client: httpx.Client, tenant: str) -> None:
    answer = client.put(
        f"{BASE}/{CUSTOM}",
        headers={**as_role(tenant), "Content-Type": "application/yaml"},
        content=starter_file(CUSTOM),
    )
    assert answer.status_code == 201, answer.text


def _loaded(server: str, key: str) -> Iterator[Loaded]:
    tenant = f"everywhere-{key}-{uuid.uuid4().hex[:8]}"
    with httpx.Client(base_url=server, timeout=120) as client:
        if key == CUSTOM:
            _register(client, tenant)
        answer = client.post(f"{BASE}/{key}?seed=5", headers=as_role(tenant))
        assert answer.status_code == 201, answer.text
        pack = PACKS.get(key) or parse_pack(starter_file(CUSTOM), origin="the starter file")
        yield Loaded(tenant=tenant, pack=pack)
        client.delete(f"{BASE}/{key}", headers=as_role(tenant))


@pytest.fixture(scope="module", params=[CUSTOM, BUILTIN])
def loaded(request: pytest.FixtureRequest, server: str) -> Iterator[Loaded]:
    """A tenant with the registered starter pack, or the built-in one, loaded at seed 5."""
    yield from _loaded(server, request.param)


@pytest.fixture(scope="module")
def custom(server: str) -> Iterator[Loaded]:
    """A tenant with the registered starter pack loaded at seed 5."""
    yield from _loaded(server, CUSTOM)


def _first_customer(pool: ConnectionPool, loaded: Loaded) -> str:
    truth = loaded.pack.ground_truth
    with pool.connection() as conn:
        row = conn.execute(
            sql.SQL("SELECT {} FROM {} ORDER BY 1 LIMIT 1").format(
                sql.Identifier(truth.customer_id),
                sql.Identifier(tenant_schema(loaded.tenant), truth.customer_table),
            )
        ).fetchone()
    assert row is not None
    return str(row[0])


def test_a_table_exports_as_csv_and_parquet_with_its_declared_columns(
    client: httpx.Client, loaded: Loaded
) -> None:
    table = loaded.pack.table(loaded.customers)
    declared = [c.name for c in table.columns]
    url = f"/api/v1/schemas/{loaded.customers}/export"
    answer = client.get(url, headers=as_role(loaded.tenant, "viewer"))
    assert answer.status_code == 200, answer.text
    assert f'filename="{loaded.customers}.csv"' in answer.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0] == declared and len(rows) - 1 == table.rows
    parquet = client.get(f"{url}?format=parquet", headers=as_role(loaded.tenant))
    assert parquet.status_code == 200, parquet.text
    read = pq.read_table(io.BytesIO(parquet.content))
    assert read.num_rows == table.rows and read.schema.names == declared
    for column in table.columns:
        if column.type == "decimal":  # the scale comes from the pack's declaration
            assert read.schema.field(column.name).type.scale == column.decimals


def test_the_ground_truth_is_the_loaded_packs_at_its_scale_and_seed(
    client: httpx.Client, loaded: Loaded
) -> None:
    answer = client.get("/api/v1/ground-truth", headers=as_role(loaded.tenant, "viewer"))
    assert answer.status_code == 200, answer.text
    key = loaded.pack.key
    assert f'filename="{key}-ground-truth.json"' in answer.headers["content-disposition"]
    expected = {"datasetKey": key, "seed": 5, "scale": 1, **ground_truth(loaded.pack, 1)}
    assert answer.json() == expected


def test_the_profile_and_the_rates_picture_the_loaded_pack(
    client: httpx.Client, loaded: Loaded
) -> None:
    profile = client.get(
        f"/api/v1/schemas/{loaded.customers}/profile", headers=as_role(loaded.tenant, "viewer")
    )
    assert profile.status_code == 200, profile.text
    body = profile.json()
    table = loaded.pack.table(loaded.customers)
    assert body["datasetKey"] == loaded.pack.key and body["rows"] == table.rows
    assert [c["name"] for c in body["columns"]] == [c.name for c in table.columns]
    rates = client.get("/api/v1/ground-truth/rates", headers=as_role(loaded.tenant)).json()
    truth = loaded.pack.ground_truth
    names = {o.id: o.name for o in loaded.pack.offers}
    assert rates["datasetKey"] == loaded.pack.key and rates["customers"] == table.rows
    assert rates["offers"] == [
        {"id": offer, "name": names[offer]} for offer in dict.fromkeys(a.offer for a in truth.arms)
    ]
    assert all(0 < rate < 1 for row in rates["rates"] for rate in row if rate is not None)


def test_a_decision_and_its_response_run_on_the_loaded_pack(
    client: httpx.Client, pool: ConnectionPool, loaded: Loaded
) -> None:
    customer = _first_customer(pool, loaded)
    channel = loaded.pack.ground_truth.arms[0].channel
    decided = client.post(
        "/api/v1/recommend",
        headers=as_role(loaded.tenant, "editor"),
        json={"customerId": customer, "channel": channel, "context": {"time": f"{DAY}T09:00:00Z"}},
    )
    assert decided.status_code == 200, decided.text
    body = decided.json()
    assert body["customerId"] == customer and body["channel"] == channel
    assert body["count"] >= 1, body
    offers = {o.id for o in loaded.pack.offers}
    assert all(d["offerId"] in offers for d in body["decisions"])
    first = body["decisions"][0]
    responded = client.post(
        "/api/v1/respond",
        headers=as_role(loaded.tenant, "editor"),
        json={
            "customerId": customer,
            "recommendationId": body["recommendationId"],
            "rank": first["rank"],
            "outcome": loaded.pack.ground_truth.positive_outcome,
            "idempotencyKey": uuid.uuid4().hex,
        },
    )
    assert responded.status_code == 200, responded.text


def test_a_simulation_runs_against_the_packs_ground_truth(
    client: httpx.Client, pool: ConnectionPool, loaded: Loaded
) -> None:
    started = client.post(
        "/api/v1/simulate",
        headers=as_role(loaded.tenant),
        json={"decisions": 60, "policy": "oracle", "seed": 2},
    )
    assert started.status_code == 202, started.text
    state = started.json()
    while state["status"] == "running":
        time.sleep(0.2)
        state = client.get(
            f"/api/v1/simulate/{state['simulationId']}", headers=as_role(loaded.tenant)
        ).json()
    assert state["status"] == "completed", state
    result = state["result"]
    assert result["pack"] == loaded.pack.key and result["decisions"] == 60
    rates = result["positiveRate"]
    assert 0 < rates["random"] <= rates["bestSingleOffer"] <= rates["oracle"] < 1
    assert result["bestSingleOfferId"] in {o.id for o in loaded.pack.offers}
    # The service function the CLI calls, naming the pack it expects.
    direct = simulate(pool, tenant=loaded.tenant, decisions=20, pack_key=loaded.pack.key)
    assert direct.pack == loaded.pack.key and direct.decisions == 20


def test_status_and_the_list_report_the_load(client: httpx.Client, loaded: Loaded) -> None:
    key = loaded.pack.key
    status = client.get(f"{BASE}/{key}/status", headers=as_role(loaded.tenant, "viewer"))
    assert status.status_code == 200, status.text
    assert status.json()["status"] == "completed" and status.json()["datasetKey"] == key
    listing = client.get(BASE, headers=as_role(loaded.tenant)).json()
    assert listing["currentlyLoaded"] == key
    entry = next(d for d in listing["datasets"] if d["key"] == key)
    assert entry["loaded"] is True
    assert entry["source"] == ("custom" if key == CUSTOM else "builtin")


def test_the_loaded_definition_stays_and_keeps_answering(
    client: httpx.Client, custom: Loaded
) -> None:
    deleted = client.delete(f"{BASE}/{CUSTOM}/definition", headers=as_role(custom.tenant))
    assert deleted.status_code == 409, deleted.text
    truth = client.get("/api/v1/ground-truth", headers=as_role(custom.tenant))
    assert truth.status_code == 200 and truth.json()["datasetKey"] == CUSTOM


def test_another_tenant_gets_404_for_all_of_it(
    client: httpx.Client, pool: ConnectionPool, custom: Loaded
) -> None:
    other = as_role(f"other-{uuid.uuid4().hex[:8]}")
    table = f"/api/v1/schemas/{custom.customers}"
    for url in (
        f"{BASE}/{CUSTOM}",
        f"{table}/export",
        f"{table}/profile",
        "/api/v1/ground-truth",
        "/api/v1/ground-truth/rates",
    ):
        assert client.get(url, headers=other).status_code == 404, url
    assert client.post(f"{BASE}/{CUSTOM}", headers=other).status_code == 404
    customer = _first_customer(pool, custom)
    decided = client.post(
        "/api/v1/recommend",
        headers={**other, "X-User-Role": "editor"},
        json={"customerId": customer, "channel": "email"},
    )
    assert decided.status_code == 409  # nothing loaded there: no customers to decide for


def test_each_tenant_exports_the_truth_of_its_own_pack_of_that_key(
    client: httpx.Client, custom: Loaded
) -> None:
    other = f"theirs-{uuid.uuid4().hex[:8]}"
    theirs = starter_file(CUSTOM).replace("intercept: -2.2", "intercept: -0.5")
    answer = client.put(
        f"{BASE}/{CUSTOM}",
        headers={**as_role(other), "Content-Type": "application/yaml"},
        content=theirs,
    )
    assert answer.status_code == 201, answer.text
    assert client.get("/api/v1/ground-truth", headers=as_role(other)).status_code == 404
    assert client.post(f"{BASE}/{CUSTOM}?seed=5", headers=as_role(other)).status_code == 201
    try:
        mine = client.get("/api/v1/ground-truth", headers=as_role(custom.tenant)).json()
        their = client.get("/api/v1/ground-truth", headers=as_role(other)).json()
        assert mine["arms"][0]["intercept"] == -2.2 and their["arms"][0]["intercept"] == -0.5
        assert mine["arms"][1:] == their["arms"][1:]
    finally:
        client.delete(f"{BASE}/{CUSTOM}", headers=as_role(other))


def test_an_enrich_node_naming_no_table_reads_the_ground_truths_customers(
    client: httpx.Client, pool: ConnectionPool
) -> None:
    tenant = f"enrich-{uuid.uuid4().hex[:8]}"
    text = starter_file(CUSTOM).replace(
        "config: {tables: [homecover_members], key: member_id}", "config: {}"
    )
    assert "{type: enrich, config: {}}" in text
    answer = client.put(
        f"{BASE}/{CUSTOM}",
        headers={**as_role(tenant), "Content-Type": "application/yaml"},
        content=text,
    )
    assert answer.status_code == 201, answer.text
    assert client.post(f"{BASE}/{CUSTOM}", headers=as_role(tenant)).status_code == 201
    try:
        pack = parse_pack(text, origin="the edited starter file")
        customer = _first_customer(pool, Loaded(tenant=tenant, pack=pack))
        decided = client.post(
            "/api/v1/recommend",
            headers=as_role(tenant, "editor"),
            json={"customerId": customer, "channel": "web", "debug": True},
        )
        assert decided.status_code == 200, decided.text
        assert decided.json()["customerId"] == customer
    finally:
        client.delete(f"{BASE}/{CUSTOM}", headers=as_role(tenant))
