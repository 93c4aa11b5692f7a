"""Each tenant's history and summaries are partitions of their own: built by the load,
attached at its end, replaced by a forced reload, dropped by the removal, without blocking other
tenants' decisions for more than a moment; existing rows migrate into partitions."""

import threading
import time

import httpx
import psycopg
import pytest
from psycopg import sql
from psycopg_pool import ConnectionPool

from seedpacks import db
from seedpacks.packs.registry import PACKS
from seedpacks.seeding import partitions
from seedpacks.seeding.history import DECISION_IDS_FROM
from seedpacks.seeding.partitions import HISTORY, PARENTS, SUMMARIES, Parent, partition_name
from tests.conftest import as_role
from tests.decisioning.helpers import customers, deciding
from tests.helpers import counts_in_database, post_at_once, tenant_footprint

BASE = "/api/v1/seed-dataset"
COUNT_KEYS = {HISTORY: "interactions", SUMMARIES: "interactionSummaries"}


def _partitions(conn: psycopg.Connection, tenant: str) -> list[tuple[str, str]]:
    """Return (table, partition bound) of every table named for `tenant`'s partitions, attached
    or not (a leftover bare table shows as 'not attached')."""
    return conn.execute(
        "SELECT c.relname, coalesce(pg_get_expr(c.relpartbound, c.oid), 'not attached')"
        " FROM pg_class c WHERE c.relkind = 'r'"
        " AND (c.relname LIKE %s || '%%' OR c.relname LIKE %s || '%%') ORDER BY c.relname",
        [partition_name(p, tenant) for p in PARENTS],
    ).fetchall()


def _attached(tenant: str) -> list[tuple[str, str]]:
    return sorted((partition_name(p, tenant), f"FOR VALUES IN ('{tenant}')") for p in PARENTS)


def _indexes(conn: psycopg.Connection, parent: Parent, tenant: str) -> dict[str, str]:
    """Return {partition's index: parent index it is attached to}."""
    rows = conn.execute(
        "SELECT i.inhrelid::regclass::text, i.inhparent::regclass::text FROM pg_inherits i"
        " JOIN pg_index x ON x.indexrelid = i.inhrelid WHERE x.indrelid = %s::regclass",
        (partition_name(parent, tenant),),
    ).fetchall()
    return dict(rows)


def _index_definitions(conn: psycopg.Connection, table: str) -> dict[str, str]:
    """Return {index of `table`: its columns}."""
    rows = conn.execute(
        "SELECT indexname, regexp_replace(indexdef, '^.* USING btree ', '') FROM pg_indexes"
        " WHERE tablename = %s",
        (table,),
    ).fetchall()
    return dict(rows)


def test_a_load_attaches_the_tenants_partitions_and_removal_drops_them(
    client: httpx.Client, pool: ConnectionPool, tenant: str
) -> None:
    loaded = client.post(f"{BASE}/telco", headers=as_role(tenant))
    assert loaded.status_code == 201, loaded.text
    history, summaries = (partition_name(p, tenant) for p in (HISTORY, SUMMARIES))
    with pool.connection() as conn:
        assert _partitions(conn, tenant) == _attached(tenant)
        assert _indexes(conn, HISTORY, tenant) == {
            f"{history}_pkey": "interactions_pkey",
            f"{history}_customer": "interactions_customer",
        }
        assert _indexes(conn, SUMMARIES, tenant) == {
            f"{summaries}_pkey": "interaction_summaries_pkey"
        }
        assert _index_definitions(conn, history) == {
            f"{history}_pkey": "(tenant_id, id)",
            f"{history}_customer": "(customer_id, occurred_at)",
        }
        assert _index_definitions(conn, summaries) == {
            f"{summaries}_pkey": "(customer_id, offer_id, channel_id, tenant_id)"
        }
        for parent in PARENTS:
            table = sql.Identifier(partition_name(parent, tenant))
            rows = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(table)).fetchone()
            assert rows == (loaded.json()["counts"][COUNT_KEYS[parent]],)
            # Values inline, as the parent's (migration 0009): no TOAST table to create.
            storage = conn.execute(
                "SELECT c.reltoastrelid::int, array_agg(DISTINCT a.attstorage::text)"
                " FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid"
                " WHERE c.oid = %s::regclass AND a.attnum > 0 AND a.attlen = -1"
                " GROUP BY c.reltoastrelid",
                (partition_name(parent, tenant),),
            ).fetchone()
            assert storage == (0, ["p"])

    removed = client.delete(f"{BASE}/telco", headers=as_role(tenant))
    assert removed.status_code == 200, removed.text
    for key in COUNT_KEYS.values():
        assert removed.json()["counts"][key] == loaded.json()["counts"][key]
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
        assert _partitions(conn, tenant) == _attached(tenant)
        for parent in PARENTS:
            keys = conn.execute(
                sql.SQL("SELECT DISTINCT dataset_key FROM {} WHERE tenant_id = %s").format(
                    sql.Identifier(parent.name)
                ),
                (tenant,),
            ).fetchall()
            assert keys == [("retail",)]
    assert counts_in_database(pool, tenant, "retail") == replaced.json()["counts"]
    assert client.delete(f"{BASE}/retail", headers=as_role(tenant)).status_code == 200
    assert tenant_footprint(pool, tenant) == {}


def test_two_tenants_loading_at_once_each_get_their_own_partition(
    server: str, pool: ConnectionPool, tenant: str
) -> None:
    tenants = [f"{tenant}-a", f"{tenant}-b"]
    answers = post_at_once(
        server, f"{BASE}/uci-bank?scale=4", {who: as_role(who) for who in tenants}
    )
    with pool.connection() as conn:
        for who in tenants:
            assert answers[who].status_code == 201, answers[who].text
            assert _partitions(conn, who) == _attached(who)
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
            conn.execute(
                "INSERT INTO interaction_summaries (tenant_id, dataset_key, customer_id, offer_id,"
                " channel_id, impressions) VALUES (%s, 'p', %s, 'o', 'c', %s)",
                (who, f"c{n}", n),
            )
        before = conn.execute("SELECT * FROM interactions ORDER BY id").fetchall()
        summaries = conn.execute(
            "SELECT * FROM interaction_summaries ORDER BY customer_id"
        ).fetchall()
        monkeypatch.setattr(db, "_migration_files", lambda: files)
        assert db.migrate(conn) == [f[1] for f in files if f[0] >= 7]
        assert conn.execute("SELECT * FROM interactions ORDER BY id").fetchall() == before
        assert conn.execute(
            "SELECT * FROM interaction_summaries ORDER BY customer_id"
        ).fetchall() == (summaries)
        for who in tenants:
            for parent in PARENTS:
                part = sql.Identifier(partition_name(parent, who))
                rows = conn.execute(
                    sql.SQL("SELECT DISTINCT tenant_id, count(*) OVER () FROM {}").format(part)
                ).fetchall()
                assert rows == [(who, 2)]
            # Since migration 0015 the customer index leaves the partition's one tenant out,
            # named as a load names it.
            history = partition_name(HISTORY, who)
            assert _index_definitions(conn, history) == {
                f"{history}_pkey": "(tenant_id, id)",
                f"{history}_customer": "(customer_id, occurred_at)",
            }
            # Since migration 0016 the summaries' key holds the tenant last.
            summaries = partition_name(SUMMARIES, who)
            assert _index_definitions(conn, summaries) == {
                f"{summaries}_pkey": "(customer_id, offer_id, channel_id, tenant_id)"
            }
        # The id sequence survived the old table; since migration 0010 decisions' ids start
        # above 10^12, past the migrated ones and any loaded history's row numbers.
        conn.execute(
            "INSERT INTO interactions (tenant_id, dataset_key, customer_id, offer_id,"
            " channel_id, outcome, occurred_at) VALUES ('acme', 'p', 'c', 'o', 'c', 'x', now())"
        )
        last = conn.execute("SELECT max(id) FROM interactions").fetchone()
        assert last == (DECISION_IDS_FROM + 1,)
        assert max(row[1] for row in before) == len(before)


def test_other_tenants_decide_on_while_a_tenant_reloads_and_removes(
    client: httpx.Client, server: str, pool: ConnectionPool, tenant: str
) -> None:
    """Dropping and attaching partitions locks the shared parents: others' decisions wait a
    moment, never fail (no deadlock between their two tables and the seed operation's)."""
    other = f"{tenant}-decides"
    assert client.post(f"{BASE}/starbucks", headers=as_role(other)).status_code == 201
    assert client.post(f"{BASE}/starbucks", headers=as_role(tenant)).status_code == 201
    ids = [str(r["id"]) for r in customers(pool, other, PACKS["starbucks"])[:50]]
    with deciding(server, other, ids) as (statuses, _):
        for _ in range(2):
            reload = client.post(f"{BASE}/retail?force=true", headers=as_role(tenant))
            assert reload.status_code == 201, reload.text
            again = client.post(f"{BASE}/starbucks?force=true", headers=as_role(tenant))
            assert again.status_code == 201, again.text
        removed = client.delete(f"{BASE}/starbucks", headers=as_role(tenant))
        assert removed.status_code == 200, removed.text
    assert statuses[200] > 0 and set(statuses) == {200}, statuses
    with pool.connection() as conn:
        assert _partitions(conn, tenant) == []
        assert _partitions(conn, other) == _attached(other)


def test_a_removal_gives_way_to_a_decision_holding_the_other_parent(
    client: httpx.Client, server: str, database_url: str, tenant: str
) -> None:
    """A transaction that read one parent and then needs the other, while a removal takes
    both: the removal lets go instead of waiting, and neither gets a deadlock error."""
    other = f"{tenant}-reads"
    assert client.post(f"{BASE}/telco", headers=as_role(other)).status_code == 201
    assert client.post(f"{BASE}/telco", headers=as_role(tenant)).status_code == 201
    removed: list[httpx.Response] = []
    with httpx.Client(base_url=server, timeout=60) as own:
        removal = threading.Thread(
            target=lambda: removed.append(own.delete(f"{BASE}/telco", headers=as_role(tenant)))
        )
        with psycopg.connect(database_url, autocommit=True) as reader, reader.transaction():
            reader.execute(
                "SELECT count(*) FROM interaction_summaries WHERE tenant_id = %s", (other,)
            )
            removal.start()
            time.sleep(0.5)  # the removal now holds, or keeps retaking, the history's lock
            reader.execute("SELECT count(*) FROM interactions WHERE tenant_id = %s", (other,))
        removal.join()
    assert removed[0].status_code == 200, removed[0].text


def test_a_transaction_left_open_on_the_history_makes_a_removal_give_up_and_keep_everything(
    client: httpx.Client,
    database_url: str,
    pool: ConnectionPool,
    tenant: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(partitions, "LOCK_WAIT_LIMIT", 0.5)
    assert client.post(f"{BASE}/telco", headers=as_role(tenant)).status_code == 201
    before = counts_in_database(pool, tenant, "telco")
    with psycopg.connect(database_url) as idle:  # its transaction stays open until the block ends
        idle.execute("SELECT count(*) FROM interactions WHERE tenant_id = 'nobody'")
        removed = client.delete(f"{BASE}/telco", headers=as_role(tenant))
    assert removed.status_code == 503, removed.text
    message = removed.json()["message"]
    assert "busy for 0.5 s" in message and "nothing changed" in message
    assert counts_in_database(pool, tenant, "telco") == before
    status = client.get(f"{BASE}/telco/status", headers=as_role(tenant)).json()
    assert status["status"] == "failed" and "nothing changed" in status["error"]
    # Once that transaction has ended, the removal goes through.
    assert client.delete(f"{BASE}/telco", headers=as_role(tenant)).status_code == 200
    assert tenant_footprint(pool, tenant) == {}
