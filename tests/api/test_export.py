"""Exports through HTTP: a pack table as CSV or Parquet, whole and in key order, and the loaded
pack's ground truth as JSON; any role of the tenant, nobody else."""

import csv
import io
import uuid
from collections.abc import Iterator
from decimal import Decimal

import httpx
import polars as pl
import psycopg
import pyarrow.parquet as pq
import pytest

from seedpacks.catalog import export, profile
from seedpacks.packs.describe import ground_truth
from seedpacks.packs.registry import PACKS
from seedpacks.packs.truth import all_probabilities, feature_matrix
from seedpacks.seeding.generate import Generator
from seedpacks.seeding.tenancy import tenant_schema
from tests.conftest import as_role

BASE = "/api/v1/schemas"


@pytest.fixture(scope="module")
def loaded(server: str) -> Iterator[str]:
    """A tenant with starbucks loaded at scale 2, seed 9, shared by this module's tests."""
    tenant = f"export-{uuid.uuid4().hex[:12]}"
    with httpx.Client(base_url=server, timeout=120) as client:
        response = client.post(
            "/api/v1/seed-dataset/starbucks?scale=2&seed=9", headers=as_role(tenant)
        )
        assert response.status_code == 201, response.text
        yield tenant
        client.delete("/api/v1/seed-dataset/starbucks", headers=as_role(tenant))


def _database_rows(database_url: str, tenant: str, table: str, key: str) -> list[tuple]:
    with psycopg.connect(database_url) as conn:
        return conn.execute(
            psycopg.sql.SQL("SELECT * FROM {} ORDER BY {}").format(
                psycopg.sql.Identifier(tenant_schema(tenant), table), psycopg.sql.Identifier(key)
            )
        ).fetchall()


def test_csv_is_the_whole_table_in_key_order_for_every_role(
    client: httpx.Client, loaded: str, database_url: str
) -> None:
    response = client.get(f"{BASE}/starbucks_customers/export", headers=as_role(loaded, "viewer"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="starbucks_customers.csv"' in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    declared = [c.name for c in PACKS["starbucks"].table("starbucks_customers").columns]
    assert rows[0] == declared
    stored = _database_rows(database_url, loaded, "starbucks_customers", "id")
    assert len(rows) - 1 == len(stored) == 2000
    as_text = [["" if v is None else str(v) for v in row] for row in stored]
    assert rows[1:] == as_text
    assert any(row[declared.index("income")] == "" for row in rows[1:])  # NULL: empty field


def test_parquet_keeps_the_declared_types_and_streams_row_groups(
    client: httpx.Client, loaded: str, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "BATCH_ROWS", 5000)  # the test server runs in this process
    response = client.get(
        f"{BASE}/starbucks_events/export?format=parquet", headers=as_role(loaded, "editor")
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/vnd.apache.parquet"
    file = pq.ParquetFile(io.BytesIO(response.content))
    assert file.metadata.num_rows == 18_030 * 2
    assert file.metadata.num_row_groups == -(-18_030 * 2 // 5000)
    table = file.read()
    types = {f.name: str(f.type) for f in table.schema}
    declared = {c.name: c.type for c in PACKS["starbucks"].table("starbucks_events").columns}
    arrow = {
        "integer": "int32",
        "bigint": "int64",
        "text": "string",
        "decimal": "decimal128(14, 2)",
    }
    assert types == {name: arrow[kind] for name, kind in declared.items()}
    stored = _database_rows(database_url, loaded, "starbucks_events", "id")
    exported = list(zip(*(table.column(n).to_pylist() for n in table.column_names), strict=True))
    assert exported == stored
    assert any(isinstance(row[4], Decimal) for row in exported)


def test_bad_requests_and_other_tenants_get_a_reason(client: httpx.Client, loaded: str) -> None:
    bad = client.get(f"{BASE}/starbucks_events/export?format=xlsx", headers=as_role(loaded))
    assert bad.status_code == 400
    assert bad.json()["message"] == "format must be csv or parquet; got 'xlsx'."
    missing = client.get(f"{BASE}/no_such_table/export", headers=as_role(loaded))
    assert missing.status_code == 404 and "GET /api/v1/schemas" in missing.json()["message"]
    stranger = f"other-{uuid.uuid4().hex[:8]}"
    other = client.get(f"{BASE}/starbucks_events/export", headers=as_role(stranger, "admin"))
    assert other.status_code == 404
    assert client.get(f"{BASE}/starbucks_events/export").status_code == 401


def test_the_ground_truth_downloads_as_loaded(client: httpx.Client, loaded: str) -> None:
    response = client.get("/api/v1/ground-truth", headers=as_role(loaded, "viewer"))
    assert response.status_code == 200, response.text
    assert 'filename="starbucks-ground-truth.json"' in response.headers["content-disposition"]
    body = response.json()
    assert (body.pop("datasetKey"), body.pop("seed"), body.pop("scale")) == ("starbucks", 9, 2)
    assert body == httpx.Response(200, json=ground_truth(PACKS["starbucks"], 2)).json()
    nothing = client.get("/api/v1/ground-truth", headers=as_role(f"none-{uuid.uuid4().hex[:8]}"))
    assert nothing.status_code == 404 and "seedpacks load" in nothing.json()["message"]


def test_a_profile_pictures_each_column_as_stored(
    client: httpx.Client, loaded: str, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    response = client.get(f"{BASE}/starbucks_customers/profile", headers=as_role(loaded, "viewer"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["rows"], body["profiledRows"], body["sampled"]) == (2000, 2000, False)
    columns = {c["name"]: c for c in body["columns"]}
    assert columns["id"]["chart"] == "none"  # the key: one value per row
    stored = _database_rows(database_url, loaded, "starbucks_customers", "id")
    names = [c.name for c in PACKS["starbucks"].table("starbucks_customers").columns]
    incomes = [row[names.index("income")] for row in stored]
    income = columns["income"]
    assert income["chart"] == "histogram" and len(income["counts"]) == len(income["edges"]) - 1
    assert sum(income["counts"]) == sum(v is not None for v in incomes)
    assert income["nullShare"] == round(sum(v is None for v in incomes) / 2000, 4) > 0
    assert income["edges"][0] == min(v for v in incomes if v is not None)
    gender = columns["gender"]
    assert gender["chart"] == "bars"
    genders = [row[names.index("gender")] for row in stored]
    assert {v["value"]: v["count"] for v in gender["values"]} == {
        g: genders.count(g) for g in {"F", "M", "O"}
    }
    joined = columns["became_member_on"]
    assert joined["chart"] == "histogram" and joined["edges"][0].startswith("201")
    # A table over the sampling threshold is profiled on a sample, and says so.
    monkeypatch.setattr(profile, "SAMPLE_FROM", 5000)
    events = client.get(f"{BASE}/starbucks_events/profile", headers=as_role(loaded)).json()
    assert events["sampled"] is True and events["rows"] == 36_060
    assert 0 < events["profiledRows"] < 36_060
    kinds = {
        v["value"] for v in next(c for c in events["columns"] if c["name"] == "event")["values"]
    }
    assert kinds == {"transaction", "offer received", "offer viewed", "offer completed"}


def test_a_json_column_profiles_as_its_text(client: httpx.Client, loaded: str) -> None:
    response = client.get(f"{BASE}/starbucks_offers/profile", headers=as_role(loaded, "viewer"))
    assert response.status_code == 200, response.text
    channels = next(c for c in response.json()["columns"] if c["name"] == "channels")
    assert channels["chart"] == "bars" and channels["type"] == "json"
    shown = {v["value"]: v["count"] for v in channels["values"]}
    assert sum(shown.values()) == 10
    assert all(value.startswith('["') for value in shown), shown


def test_the_rates_heatmap_is_the_truth_over_the_loaded_customers(
    client: httpx.Client, loaded: str
) -> None:
    body = client.get("/api/v1/ground-truth/rates", headers=as_role(loaded, "viewer")).json()
    truth = PACKS["starbucks"].ground_truth
    assert len(body["offers"]) == len({a.offer for a in truth.arms})
    assert set(body["channels"]) == {a.channel for a in truth.arms}
    cells = [r for row in body["rates"] for r in row if r is not None]
    assert len(cells) == len(truth.arms) and all(0 < r < 1 for r in cells)
    # Each cell is the truth's mean over the customers loaded (seed 9, scale 2).
    customers = pl.concat(
        Generator(PACKS["starbucks"], seed=9, scale=2).chunks(truth.customer_table)
    )
    p = all_probabilities(truth, feature_matrix(truth, customers)).mean(axis=0)
    for i, arm in enumerate(truth.arms):
        o = [x["id"] for x in body["offers"]].index(arm.offer)
        assert body["rates"][o][body["channels"].index(arm.channel)] == round(float(p[i]), 4)
    # The best cell beats the worst clearly: the truth is not flat.
    assert max(cells) - min(cells) > 0.2
    nothing = client.get(
        "/api/v1/ground-truth/rates", headers=as_role(f"none-{uuid.uuid4().hex[:8]}")
    )
    assert nothing.status_code == 404
