"""Simulations are bounded per process (SEEDPACKS_MAX_SIMULATIONS), so ten started at once
neither deadlock the connection pool nor keep the other endpoints waiting."""

import time
import uuid
from typing import Any

import httpx
from psycopg_pool import ConnectionPool

from seedpacks.config import Settings
from seedpacks.seeding import operations
from tests.conftest import as_role
from tests.helpers import post_at_once

TENANTS = 10


def test_ten_simulations_at_once_do_not_starve_the_pool(
    strict_server: str, strict_settings: Settings, pool: ConnectionPool
) -> None:
    tenants = [f"sim-{uuid.uuid4().hex[:10]}" for _ in range(TENANTS)]
    for tenant in tenants:
        operations.load_dataset(pool, strict_settings, tenant=tenant, key="starbucks")
    answers = post_at_once(
        strict_server,
        "/api/v1/simulate",
        {tenant: {**as_role(tenant), "Content-Type": "application/json"} for tenant in tenants},
        content=b'{"decisions": 200, "seed": 1}',
    )
    started = {t: a for t, a in answers.items() if a.status_code == 202}
    busy = [a for a in answers.values() if a.status_code == 503]
    assert len(started) == strict_settings.max_simulations, [a.text for a in answers.values()]
    assert len(busy) == TENANTS - len(started)
    assert "SEEDPACKS_MAX_SIMULATIONS" in busy[0].json()["message"]
    assert busy[0].headers["Retry-After"] == "10"
    with httpx.Client(base_url=strict_server, timeout=60) as http:
        # The synchronous endpoints keep their connections while the simulations run.
        assert http.get("/healthz").json() == {"status": "ok"}
        assert http.get("/api/v1/seed-dataset", headers=as_role(tenants[0])).status_code == 200
        for tenant, answer in started.items():
            assert _finished(http, tenant, answer)["status"] == "completed"
        # The slots are given back: a refused tenant starts now.
        again = next(t for t in tenants if t not in started)
        retry = http.post("/api/v1/simulate", json={"decisions": 5}, headers=as_role(again))
        assert retry.status_code == 202, retry.text
        assert _finished(http, again, retry)["status"] == "completed"


def _finished(http: httpx.Client, tenant: str, started: httpx.Response) -> dict[str, Any]:
    """Poll the simulation `started` until it is no longer running; return its state."""
    state: dict[str, Any] = started.json()
    deadline = time.monotonic() + 120
    while state["status"] == "running":
        assert time.monotonic() < deadline, state
        time.sleep(0.2)
        job = state["simulationId"]
        state = http.get(f"/api/v1/simulate/{job}", headers=as_role(tenant)).json()
    return state
