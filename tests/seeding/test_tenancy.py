"""Tenant locks: one tenant's seed operation never blocks another tenant, whatever their ids."""

import hashlib
import time
import uuid

import httpx
import psycopg
from psycopg_pool import ConnectionPool

from seedpacks import db
from seedpacks.decisioning import jobs
from seedpacks.packs.registry import get_pack
from seedpacks.seeding.tenancy import register_tenant, try_lock_tenant, try_session_lock
from tests.conftest import as_role
from tests.decisioning.helpers import DAY, customers, recommend

BASE = "/api/v1/seed-dataset"


def _old_key(tenant: str) -> int:
    """The lock key tenants had before tenant_lock_ids: 31 bits of the id's SHA-256."""
    return int.from_bytes(hashlib.sha256(tenant.encode()).digest()[:4], "big") & 0x7FFFFFFF


def colliding_tenants() -> tuple[str, str]:
    """Return two new tenant ids whose old lock keys are equal (a birthday search, ~2^16 ids)."""
    prefix = f"lock-{uuid.uuid4().hex[:8]}"
    seen: dict[int, str] = {}
    number = 0
    while True:
        tenant = f"{prefix}-{number}"
        other = seen.setdefault(_old_key(tenant), tenant)
        if other != tenant:
            return other, tenant
        number += 1


def test_tenants_whose_old_keys_collide_do_not_block_each_other(
    client: httpx.Client, pool: ConnectionPool
) -> None:
    first, second = colliding_tenants()
    assert _old_key(first) == _old_key(second) and first != second
    for tenant in (first, second):
        assert client.post(f"{BASE}/starbucks", headers=as_role(tenant)).status_code == 201
    pack = get_pack("starbucks")
    customer = customers(pool, second, pack)[0][pack.ground_truth.customer_id]
    with pool.connection() as conn, conn.transaction():
        # `first` is in the middle of a seed operation: it holds its seed and data locks.
        assert try_lock_tenant(conn, first)
        same = client.post(f"{BASE}/starbucks?force=true", headers=as_role(first))
        assert same.status_code == 409, same.text
        assert "Another seed operation" in same.json()["message"]
        decision = recommend(
            client, second, customerId=str(customer), channel="web", context={"time": DAY}
        )
        assert decision.status_code == 200, decision.text
        other = client.post(f"{BASE}/starbucks?force=true", headers=as_role(second))
        assert other.status_code == 201, other.text
        status = client.get(f"{BASE}/starbucks/status", headers=as_role(second)).json()
        assert status["status"] == "completed"


def test_a_simulation_of_a_colliding_tenant_does_not_block_another(
    client: httpx.Client, pool: ConnectionPool
) -> None:
    first, second = colliding_tenants()
    for tenant in (first, second):
        assert client.post(f"{BASE}/starbucks", headers=as_role(tenant)).status_code == 201
    body = {"decisions": 5}
    with pool.connection() as conn:
        register_tenant(pool, tenant=first)
        # As the thread running `first`'s simulation holds it.
        assert try_session_lock(conn, lock_class=jobs._LOCK_CLASS, tenant=first)
        try:
            same = client.post("/api/v1/simulate", headers=as_role(first), json=body)
            assert same.status_code == 409, same.text
            started = client.post("/api/v1/simulate", headers=as_role(second), json=body)
            assert started.status_code == 202, started.text
        finally:
            conn.execute("SELECT pg_advisory_unlock_all()")
    job = started.json()["simulationId"]
    state = started.json()
    while state["status"] == "running":
        time.sleep(0.1)
        state = client.get(f"/api/v1/simulate/{job}", headers=as_role(second)).json()
    assert state["status"] == "completed", state


def test_every_tenant_gets_a_number_of_its_own(pool: ConnectionPool) -> None:
    tenants = [f"number-{uuid.uuid4().hex}" for _ in range(3)]
    for tenant in tenants + tenants:  # registering twice keeps the first number
        register_tenant(pool, tenant=tenant)
    with pool.connection() as conn:
        rows = conn.execute(
            "SELECT tenant_id, lock_id FROM tenant_lock_ids WHERE tenant_id = ANY(%s)", (tenants,)
        ).fetchall()
    assert len(rows) == 3 and len({lock_id for _, lock_id in rows}) == 3


def test_the_migration_numbers_the_tenants_with_a_pack_loaded(fresh_database: str) -> None:
    with psycopg.connect(fresh_database, autocommit=True) as conn:
        db.migrate(conn)
        # As the database was before tenant_lock_ids: a tenant with a pack loaded.
        conn.execute("DROP TABLE tenant_lock_ids")
        conn.execute("DELETE FROM schema_migrations WHERE name = '0013_tenant_lock_ids.sql'")
        conn.execute(
            "INSERT INTO loaded_datasets (tenant_id, dataset_key, seed, scale, pg_schema, counts)"
            " VALUES ('before', 'starbucks', 1, 1, 't_before', '{}')"
        )
        assert db.migrate(conn) == ["0013_tenant_lock_ids.sql"]
        row = conn.execute("SELECT lock_id FROM tenant_lock_ids WHERE tenant_id = 'before'")
        assert row.fetchone() is not None
