"""The ground-truth simulation: the Thompson-bandit flow learns, random does not."""

import time
from collections.abc import Callable

import httpx
from psycopg_pool import ConnectionPool

from seedpacks.decisioning.simulate import simulate
from tests.conftest import as_role

Loaded = Callable[[str], str]


def test_the_thompson_flow_beats_random_and_nears_the_best_single_offer(
    pool: ConnectionPool, fresh_tenant: Loaded
) -> None:
    tenant = fresh_tenant("starbucks")
    result = simulate(pool, tenant=tenant, decisions=3000, policy="flow", seed=7).as_json()
    rates = result["positiveRate"]
    assert result["decisions"] == 3000
    assert rates["random"] < rates["bestSingleOffer"] < rates["oracle"]
    # About 0.39 against 0.30: ten standard errors of a 3,000-decision rate apart.
    assert rates["flow"] > rates["random"] + 0.05
    assert rates["flow"] >= 0.85 * rates["bestSingleOffer"]
    regret = [point["cumulativeRegret"] for point in result["regret"]]
    assert regret == sorted(regret) and result["regret"][-1]["decisions"] == 3000
    # The curve's rates so far end at the whole run's.
    last = result["regret"][-1]
    assert last["positiveRate"] == rates["flow"]
    assert abs(last["randomRate"] - rates["random"]) < 1e-3
    assert abs(last["oracleRate"] - rates["oracle"]) < 1e-3
    assert all(p["randomRate"] <= p["oracleRate"] for p in result["regret"])
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT count(*) FROM decision_runs WHERE tenant_id = %s", (tenant,)
        ).fetchone()
    assert row is not None and row[0] == 3000


def test_simulate_over_http_runs_in_the_background_and_reports_every_rate(
    client: httpx.Client, loaded_tenant: Loaded
) -> None:
    tenant = loaded_tenant("starbucks")
    started = client.post(
        "/api/v1/simulate",
        headers=as_role(tenant),
        json={"decisions": 200, "policy": "oracle", "seed": 3},
    )
    assert started.status_code == 202, started.text
    job = started.json()["simulationId"]
    again = client.post("/api/v1/simulate", headers=as_role(tenant), json={"decisions": 5})
    assert again.status_code in (202, 409)  # 409 while the first one runs
    state = started.json()
    while state["status"] == "running":
        time.sleep(0.2)
        state = client.get(f"/api/v1/simulate/{job}", headers=as_role(tenant)).json()
    assert state["status"] == "completed", state
    body = state["result"]
    assert body["policy"] == "oracle" and body["decisions"] == 200
    assert set(body["positiveRate"]) >= {"flow", "random", "bestSingleOffer", "oracle"}
    assert body["positiveRate"]["policyExpected"] > body["positiveRate"]["random"]
    while (
        again.status_code == 202
        and client.get(
            f"/api/v1/simulate/{again.json()['simulationId']}", headers=as_role(tenant)
        ).json()["status"]
        == "running"
    ):
        time.sleep(0.2)
    unknown = client.get("/api/v1/simulate/nope", headers=as_role(tenant))
    assert unknown.status_code == 404
    editor = client.post("/api/v1/simulate", headers=as_role(tenant, "editor"), json={})
    assert editor.status_code == 403
    empty = client.post("/api/v1/simulate", headers=as_role("nobody-loaded"), json={})
    assert empty.status_code == 409
