"""`GET /api/v1/seed-dataset/{key}`: a pack's full description, through HTTP."""

from typing import Any

import httpx
import numpy as np
import pytest

from seedpacks.packs.registry import PACKS
from seedpacks.packs.truth import feature_matrix, probabilities
from seedpacks.seeding.generate import Generator
from tests.conftest import as_role

BASE = "/api/v1/seed-dataset"


def test_every_role_reads_it_and_mistakes_are_explained(client: httpx.Client, tenant: str) -> None:
    for role in ("admin", "editor", "viewer"):
        response = client.get(f"{BASE}/starbucks", headers=as_role(tenant, role))
        assert response.status_code == 200, role
    assert client.get(f"{BASE}/starbucks").status_code == 401
    missing = client.get(f"{BASE}/no-such-pack", headers=as_role(tenant, "viewer"))
    assert missing.status_code == 404 and missing.json()["status"] == 404
    for scale in ("0", "1001", "-3", "two"):
        bad = client.get(f"{BASE}/starbucks?scale={scale}", headers=as_role(tenant, "viewer"))
        assert bad.status_code == 400, scale
        assert bad.json()["status"] == 400 and "scale" in bad.json()["message"]


def test_starbucks_description_has_entities_tables_and_truth(
    client: httpx.Client, tenant: str
) -> None:
    body = client.get(f"{BASE}/starbucks?scale=3", headers=as_role(tenant, "viewer")).json()
    listed = next(
        d
        for d in client.get(BASE, headers=as_role(tenant)).json()["datasets"]
        if d["key"] == "starbucks"
    )
    assert {k: body[k] for k in listed if k != "loaded"} == {
        k: v for k, v in listed.items() if k != "loaded"
    }
    entities = body["entities"]
    assert len(entities["offers"]) == body["offerCount"] == 10
    assert len(entities["creatives"]) == body["creativeCount"]
    assert [len(c["subCategories"]) for c in entities["categories"]] == [2, 2, 2]
    assert {"qualificationRules", "contactPolicies", "outcomeTypes", "models"} <= set(entities)
    assert entities["experiments"][0]["trafficSplit"] == {
        "sb_model_thompson": 80,
        "sb_model_scorecard": 20,
    }
    customers = next(t for t in body["tables"] if t["name"] == "starbucks_customers")
    assert customers["rows"] == 3000 and customers["primaryKey"] == ["id"]
    age = next(c for c in customers["columns"] if c["name"] == "age")
    assert age == {
        "name": "age",
        "type": "integer",
        "nullable": True,
        "description": "years; NULL when unknown",
    }
    assert (
        "118"
        in next(c for c in customers["csvFormat"]["columns"] if c["name"] == "age")["sentinels"]
    )
    truth = body["groundTruth"]
    assert truth["positiveOutcome"] == "completed" and truth["negativeOutcome"] == "ignored"
    assert truth["interactions"] == 4487 * 3 == body["plannedCounts"]["interactions"]
    income = next(f for f in truth["features"] if f["name"] == "income")
    assert (income["column"], income["kind"], income["center"], income["spread"]) == (
        "income",
        "numeric",
        65000,
        20000,
    )
    assert len(truth["arms"]) == len(PACKS["starbucks"].ground_truth.arms)
    names = {f["name"] for f in truth["features"]}
    assert all(set(arm["weights"]) == names for arm in truth["arms"])


def _probability(truth: dict[str, Any], customers: dict[str, list[Any]], arm: int) -> np.ndarray:
    """The description's formula, applied by hand as a data scientist would."""
    spec = truth["arms"][arm]
    logit = np.full(len(next(iter(customers.values()))), spec["intercept"], dtype=np.float64)
    for feature in truth["features"]:
        values = customers[feature["column"]]
        if feature["kind"] == "numeric":
            x = [0.0 if v is None else (v - feature["center"]) / feature["spread"] for v in values]
        elif feature["kind"] == "equals":
            x = [float(v is not None and v == feature["value"]) for v in values]
        else:
            x = [float(v is None) for v in values]
        logit += spec["weights"][feature["name"]] * np.asarray(x, dtype=np.float64)
    return 1.0 / (1.0 + np.exp(-logit))


@pytest.mark.parametrize("key", sorted(PACKS))
def test_the_described_ground_truth_is_the_one_the_history_is_drawn_from(
    key: str, client: httpx.Client, tenant: str
) -> None:
    pack = PACKS[key]
    truth = client.get(f"{BASE}/{key}", headers=as_role(tenant, "viewer")).json()["groundTruth"]
    declared = pack.ground_truth
    generator = Generator(pack, seed=42, scale=1)
    rows = np.arange(min(200, generator.rows(declared.customer_table)))
    needed = {f.column for f in declared.features}
    columns = {c: generator.column(declared.customer_table, c, rows) for c in needed}
    features = feature_matrix(declared, columns)
    plain = {name: series.to_list() for name, series in columns.items()}
    for arm in range(len(declared.arms)):
        expected = probabilities(declared, features, np.full(len(rows), arm))
        assert np.allclose(_probability(truth, plain, arm), expected), arm


@pytest.mark.parametrize("key", sorted(PACKS))
def test_planned_counts_are_the_load_counts(key: str, client: httpx.Client, tenant: str) -> None:
    planned = client.get(f"{BASE}/{key}?scale=2", headers=as_role(tenant, "viewer")).json()
    loaded = client.post(f"{BASE}/{key}?scale=2", headers=as_role(tenant))
    assert loaded.status_code == 201
    counts = loaded.json()["counts"]
    client.delete(f"{BASE}/{key}", headers=as_role(tenant))
    assert set(planned["plannedCounts"]) == set(counts)
    unknown = set(planned["unknownUntilLoaded"])
    assert unknown == {k for k, v in planned["plannedCounts"].items() if v is None}
    assert {k: v for k, v in planned["plannedCounts"].items() if k not in unknown} == {
        k: v for k, v in counts.items() if k not in unknown
    }
    assert counts["interactionSummaries"] <= counts["interactions"]


def test_the_description_lists_each_tables_dependencies(client: httpx.Client, tenant: str) -> None:
    body = client.get(f"{BASE}/starbucks", headers=as_role(tenant, "viewer")).json()
    tables = {t["name"]: t["dependencies"] for t in body["tables"]}
    customers = {c["column"]: c for c in tables["starbucks_customers"]["columns"]}
    assert customers["income"]["dependsOn"] == ["gender", "age"]
    assert "by bands of age (age <= 35: 75000" in customers["income"]["rule"]
    assert customers["age"]["sharesDrawWith"] == ["profile_unknown"]
    (copula,) = tables["starbucks_customers"]["copulas"]
    assert copula["columns"] == ["age", "income"] and copula["correlation"][0][1] > 0
    journey = tables["starbucks_events"]["journey"]
    assert journey["customers"] == "starbucks_customers"
    assert any("informational offers are never completed" in r for r in journey["rules"])
    assert tables["starbucks_offers"] == {"columns": [], "copulas": [], "journey": None}
    assert "starbucks_events" in body["groundTruth"]["sampling"]
    # Every pack's tables say what their columns follow, in words.
    for key in PACKS:
        described = client.get(f"{BASE}/{key}", headers=as_role(tenant, "viewer")).json()
        for table in described["tables"]:
            for dependency in table["dependencies"]["columns"]:
                assert dependency["rule"], (key, table["name"], dependency["column"])
