"""All or nothing: failed loads leave the tenant as it was; one operation per tenant at a time."""

import dataclasses
import threading
import time

import httpx
import numpy as np
import pytest
from psycopg_pool import ConnectionPool

from seedpacks.packs import starbucks
from seedpacks.packs.model import Pack
from seedpacks.packs.registry import PACKS
from tests.conftest import as_role
from tests.helpers import counts_in_database, post_at_once, tenant_footprint

BASE = "/api/v1/seed-dataset"


def _failing_pack(key: str) -> Pack:
    """Starbucks with an events generator that fails once half the customers are in."""

    def explode(block: object) -> np.ndarray:
        raise OSError("could not extend file: No space left on device (injected)")

    # The events are built customer by customer, by their journey: break that.
    events = starbucks.PACK.table("starbucks_events")
    assert events.journey is not None
    broken = dataclasses.replace(events, journey=dataclasses.replace(events.journey, build=explode))
    tables = tuple(broken if t.name == events.name else t for t in starbucks.PACK.tables)
    return dataclasses.replace(starbucks.PACK, key=key, name="Broken Starbucks", tables=tables)


@pytest.fixture
def broken(monkeypatch: pytest.MonkeyPatch) -> str:
    pack = _failing_pack("broken-starbucks")
    monkeypatch.setitem(PACKS, pack.key, pack)
    return pack.key


def test_a_load_failing_half_way_leaves_nothing_and_says_why(
    client: httpx.Client, tenant: str, pool: ConnectionPool, broken: str
) -> None:
    response = client.post(f"{BASE}/{broken}", headers=as_role(tenant))
    assert response.status_code == 500
    assert response.json()["status"] == 500
    assert "Traceback" not in response.text
    assert tenant_footprint(pool, tenant) == {}
    status = client.get(f"{BASE}/{broken}/status", headers=as_role(tenant, "viewer")).json()
    assert status["status"] == "failed"
    # The raw exception goes to the server log only; the status row says what happened.
    assert "No space left on device" not in status["error"]
    assert "Internal error" in status["error"] and "nothing was changed" in status["error"]
    assert client.get(BASE, headers=as_role(tenant)).json()["currentlyLoaded"] is None


def test_a_forced_replace_that_fails_keeps_the_old_pack(
    client: httpx.Client, tenant: str, pool: ConnectionPool, broken: str
) -> None:
    loaded = client.post(f"{BASE}/starbucks", headers=as_role(tenant)).json()["counts"]
    conflict = client.post(f"{BASE}/{broken}", headers=as_role(tenant))
    assert conflict.status_code == 409
    assert conflict.json() == {
        "status": 409,
        "currentlyLoaded": "starbucks",
        "requestedLoad": broken,
        "message": "Starbucks Offers is currently loaded. "
        "Add ?force=true to remove it and load Broken Starbucks.",
    }
    failed = client.post(f"{BASE}/{broken}?force=true", headers=as_role(tenant))
    assert failed.status_code == 500
    assert counts_in_database(pool, tenant, "starbucks") == loaded
    assert counts_in_database(pool, tenant, broken)["offers"] == 0
    assert client.get(BASE, headers=as_role(tenant)).json()["currentlyLoaded"] == "starbucks"
    status = client.get(f"{BASE}/starbucks/status", headers=as_role(tenant)).json()
    assert status["status"] == "failed"


def test_force_replaces_one_pack_with_another(
    client: httpx.Client, tenant: str, pool: ConnectionPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = dataclasses.replace(starbucks.PACK, key="starbucks-copy", name="Starbucks Copy")
    monkeypatch.setitem(PACKS, other.key, other)
    client.post(f"{BASE}/starbucks", headers=as_role(tenant))
    replaced = client.post(f"{BASE}/starbucks-copy?force=true", headers=as_role(tenant))
    assert replaced.status_code == 201
    assert replaced.json()["replaced"] == "starbucks"
    assert counts_in_database(pool, tenant, "starbucks")["offers"] == 0
    assert counts_in_database(pool, tenant, "starbucks-copy") == replaced.json()["counts"]


def test_a_second_operation_waits_for_nothing_and_the_poller_sees_progress(
    client: httpx.Client, server: str, tenant: str
) -> None:
    result: dict[str, httpx.Response] = {}

    def load() -> None:
        with httpx.Client(base_url=server, timeout=300) as own:
            result["load"] = own.post(f"{BASE}/starbucks?scale=60", headers=as_role(tenant))

    worker = threading.Thread(target=load)
    worker.start()
    seen: list[dict] = []
    deadline = time.monotonic() + 120
    while worker.is_alive() and time.monotonic() < deadline:
        status = client.get(f"{BASE}/starbucks/status", headers=as_role(tenant, "viewer")).json()
        seen.append(status)
        if status["status"] == "running" and "blocked" not in result:
            result["blocked"] = client.post(f"{BASE}/starbucks?force=true", headers=as_role(tenant))
        time.sleep(0.02)
    worker.join()
    assert result["load"].status_code == 201
    blocked = result["blocked"]
    assert blocked.status_code == 409
    assert "Another seed operation is running" in blocked.json()["message"]
    running = [s for s in seen if s["status"] == "running"]
    assert running and all(s["step"] for s in running)
    progress = [s["progress"] for s in running]
    assert progress == sorted(progress) and progress[-1] > progress[0]
    final = client.get(f"{BASE}/starbucks/status", headers=as_role(tenant)).json()
    assert final["status"] == "completed" and final["progress"] == 100


def test_different_tenants_load_at_the_same_time(
    server: str, tenant: str, pool: ConnectionPool
) -> None:
    tenants = [f"{tenant}-a", f"{tenant}-b", f"{tenant}-c"]
    answers = post_at_once(
        server, f"{BASE}/starbucks?scale=10", {who: as_role(who) for who in tenants}
    )
    for who in tenants:
        assert answers[who].status_code == 201, answers[who].text
        assert counts_in_database(pool, who, "starbucks") == answers[who].json()["counts"]
    manifests = {str(answers[who].json()["manifest"]) for who in tenants}
    assert len(manifests) == 1  # same pack, seed and scale: the same bytes in every tenant
