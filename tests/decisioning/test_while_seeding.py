"""Decisions and seed operations on one tenant: decisions wait for nothing and never see half a
pack; loads and removals wait only for decisions already in flight."""

import time
from collections import Counter
from collections.abc import Callable

import httpx
from psycopg_pool import ConnectionPool

from seedpacks.packs.registry import PACKS
from tests.conftest import as_role
from tests.decisioning.helpers import customers, deciding

BASE = "/api/v1/seed-dataset"


def _until_decided(statuses: Counter[int], count: int) -> None:
    deadline = time.monotonic() + 60
    while statuses[200] < count:
        assert time.monotonic() < deadline, f"decisions stalled at {statuses}"
        time.sleep(0.01)


def test_a_forced_reload_and_a_removal_under_a_stream_of_decisions(
    client: httpx.Client, server: str, pool: ConnectionPool, fresh_tenant: Callable[[str], str]
) -> None:
    tenant = fresh_tenant("starbucks")
    ids = [str(r["id"]) for r in customers(pool, tenant, PACKS["starbucks"])[:50]]
    with deciding(server, tenant, ids) as (statuses, messages):
        _until_decided(statuses, 5)
        reload = client.post(f"{BASE}/starbucks?force=true&scale=5", headers=as_role(tenant))
        _until_decided(statuses, statuses[200] + 5)  # decisions resume on the new pack
        removed = client.delete(f"{BASE}/starbucks", headers=as_role(tenant))
    assert reload.status_code == 201, reload.text
    assert removed.status_code == 200, removed.text
    # Every answer is a decision or a sentence saying why not: never a 500 or a deadlock.
    assert set(statuses) <= {200, 404, 409}, (statuses, messages)
    assert all(
        "seed operation" in m or "No dataset pack" in m or "customer" in m for m in messages
    ), messages
