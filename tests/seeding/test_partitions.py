"""Each tenant's history is a partition of its own: built by the load, attached at its end,
replaced by a forced reload, dropped by the removal; existing rows migrate into partitions."""

import threading

import httpx
import psycopg
import pytest
from psycopg import sql
from psycopg_pool import ConnectionPool

from seedpacks import db
from seedpacks.seeding.partitions import partition_name
from tests.conftest import as_role
from tests.helpers import counts_in_database, tenant_footprint

BASE = "/api/v1/seed-dataset"


def _partitions(conn: psycopg.Connection, tenant: str) -> list[tuple[str, str]]:
    """Return (partition, bound) of every partition of `interactions` named for `tenant`,
    plus any leftover bare table named for it."""
    return conn.execute(
        "SELECT c.relname, coalesce(pg_get_expr(c.relpartbound, c.oid), 'not attached')"
        " FROM pg_class c WHERE c.relkind = 'r' AND c.relname LIKE %s || '%%'"
        " ORDER BY c.relname",
        (partition_name(tenant),),
    ).fetchall()


def _indexes(conn: psycopg.Connection, tenant: str) -> dict[str, str]:
    """Return {partition's index: parent index it is attached to}."""
    rows = conn.execute(
        "SELECT i.inhrelid::regclass::text, i.inhparent::regclass::text FROM pg_inherits i"
        " JOIN pg_index x ON x.indexrelid = i.inhrelid WHERE x.indrelid = %s::regclass",
        (partition_name(tenant),),
    ).fetchall()
    return dict(rows)


def test_a_load_attaches_the_tenants_partition_and_removal_drops_it(
    client: httpx.Client, pool: ConnectionPool, tenant: str
) -> None:
    loaded = client.post(f"{BASE}/telco", headers=as_role(tenant))
    assert loaded.status_code == 201, loaded.text
    name = partition_name(tenant)
    with pool.connection() as conn:
        assert _partitions(conn, tenant) == [(name, f"FOR VALUES IN ('{tenant}')")]
        assert _indexes(conn, tenant) == {
            f"{name}_pkey": "interactions_pkey",
            f"{name}_customer": "interactions_customer",
        }
        rows = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(name)))
        assert rows.fetchone() == (loaded.json()["counts"]["interactions"],)

    removed = client.delete(f"{BASE}/telco", headers=as_role(tenant))
    assert removed.status_code == 200, removed.text
    assert removed.json()["counts"]["interactions"] == loaded.json()["counts"]["interactions"]
    with pool.connection() as conn:
        assert _partitions(conn, tenant) == []
    assert tenant_footprint(pool, tenant) == {}


def test_a_forced_reload_replaces_the_partition_with_the_new_packs(
    client: httpx.Client, pool: ConnectionPool, tenant: str
) -> None:
    assert client.post(f"{BASE}/starbucks", headers=as_role(tenant)).status_code == 201
    replaced = client.post(f"{BASE}/retail?force=true", headers=as_role(tenant))
    assert replaced.status_code == 201, replaced.text
    with pool.connection() as conn:
        assert _partitions(conn, tenant) == [
            (partition_name(tenant), f"FOR VALUES IN ('{tenant}')")
        ]
        keys = conn.execute(
            "SELECT DISTINCT dataset_key FROM interactions WHERE tenant_id = %s", (tenant,)
        ).fetchall()
    assert keys == [("retail",)]
    assert counts_in_database(pool, tenant, "retail") == replaced.json()["counts"]
    assert client.delete(f"{BASE}/retail", headers=as_role(tenant)).status_code == 200
    assert tenant_footprint(pool, tenant) == {}


def test_two_tenants_loading_at_once_each_get_their_own_partition(
    server: str, pool: ConnectionPool, tenant: str
) -> None:
    tenants = [f"{tenant}-a", f"{tenant}-b"]
    answers: dict[str, httpx.Response] = {}
    start = threading.Barrier(len(tenants))

    def load(who: str) -> None:
        with httpx.Client(base_url=server, timeout=300) as own:
            start.wait()
            answers[who] = own.post(f"{BASE}/uci-bank?scale=4", headers=as_role(who))

    threads = [threading.Thread(target=load, args=(who,)) for who in tenants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with pool.connection() as conn:
        for who in tenants:
            assert answers[who].status_code == 201, answers[who].text
            assert _partitions(conn, who) == [(partition_name(who), f"FOR VALUES IN ('{who}')")]
            count = conn.execute(
                "SELECT count(*) FROM interactions WHERE tenant_id = %s", (who,)
            ).fetchone()
            assert count == (answers[who].json()["counts"]["interactions"],)


def test_decisions_after_removal_are_409_not_a_missing_partition(
    client: httpx.Client, tenant: str
) -> None:
    assert client.post(f"{BASE}/starbucks", headers=as_role(tenant)).status_code == 201
    assert client.delete(f"{BASE}/starbucks", headers=as_role(tenant)).status_code == 200
    editor = as_role(tenant, "editor")
    recommended = client.post(
        "/api/v1/recommend", headers=editor, json={"customerId": "x", "channel": "email"}
    )
    assert recommended.status_code == 409, recommended.text
    responded = client.post(
        "/api/v1/respond",
        headers=editor | {"Idempotency-Key": "k-1"},
        json={"customerId": "x", "recommendationId": "r-1", "rank": 1, "outcome": "completed"},
    )
    assert responded.status_code == 409, responded.text


def test_the_migration_moves_each_tenants_rows_into_its_partition(
    fresh_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = db._migration_files()
    tenants = ["acme", "ümlaut 'quoted'; DROP TABLE x"]
    with psycopg.connect(fresh_database, autocommit=True) as conn:
        monkeypatch.setattr(db, "_migration_files", lambda: [f for f in files if f[0] < 7])
        db.migrate(conn)
        for n, who in enumerate(tenants * 2):
            conn.execute(
                "INSERT INTO interactions (tenant_id, dataset_key, customer_id, offer_id,"
                " channel_id, outcome, occurred_at) VALUES (%s, 'p', %s, 'o', 'c', 'x', now())",
                (who, f"c{n}"),
            )
        before = conn.execute("SELECT * FROM interactions ORDER BY id").fetchall()
        monkeypatch.setattr(db, "_migration_files", lambda: files)
        assert db.migrate(conn) == [f[1] for f in files if f[0] >= 7]
        assert conn.execute("SELECT * FROM interactions ORDER BY id").fetchall() == before
        for who in tenants:
            part = sql.Identifier(partition_name(who))
            rows = conn.execute(
                sql.SQL("SELECT DISTINCT tenant_id, count(*) OVER () FROM {}").format(part)
            ).fetchall()
            assert rows == [(who, 2)]
        # The id sequence survived the old table and goes on after the migrated ids.
        conn.execute(
            "INSERT INTO interactions (tenant_id, dataset_key, customer_id, offer_id,"
            " channel_id, outcome, occurred_at) VALUES ('acme', 'p', 'c', 'o', 'c', 'x', now())"
        )
        last = conn.execute("SELECT max(id) FROM interactions").fetchone()
        assert last == (len(before) + 1,)
