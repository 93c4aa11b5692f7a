"""The manifest: what the documented queries give on the committed data; a changed row shows."""

from typing import Any

import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool

from seedpacks.config import Settings
from seedpacks.packs.registry import PACKS
from seedpacks.seeding import operations
from seedpacks.seeding.tenancy import tenant_schema

# The queries as the README gives them to users, word for word.
TABLE_QUERY = (
    "SELECT count(*), sum(hashint8extended(hash_record_extended(t, 0), 0))"
    ' FROM "{schema}"."{table}" AS t'
)
HISTORY_QUERY = (
    "SELECT count(*), sum(hashint8extended(hash_record_extended("
    "(customer_id, offer_id, creative_id, channel_id, outcome, occurred_at), 0), 0))"
    " FROM interactions WHERE tenant_id = %s AND dataset_key = %s"
)


def _entry(row: tuple[Any, ...] | None) -> dict[str, Any]:
    assert row is not None
    return {"rows": row[0], "hashSum": str(row[1] or 0)}


def _table(conn: psycopg.Connection, schema: str, table: str) -> dict[str, Any]:
    query = TABLE_QUERY.format(schema=schema, table=table)
    return _entry(conn.execute(query).fetchone())  # type: ignore[arg-type]  # names checked


def test_the_documented_queries_give_the_stored_manifest_and_see_a_changed_row(
    pool: ConnectionPool, settings: Settings, tenant: str
) -> None:
    body = operations.load_dataset(pool, settings, tenant=tenant, key="starbucks")
    loaded = body["manifest"]
    schema = tenant_schema(tenant)
    try:
        with pool.connection() as conn:
            stored = conn.execute(
                "SELECT manifest FROM loaded_datasets WHERE tenant_id = %s", (tenant,)
            ).fetchone()
            assert stored is not None and stored[0] == loaded
            for table in PACKS["starbucks"].tables:
                assert _table(conn, schema, table.name) == loaded[table.name], table.name
            history = _entry(conn.execute(HISTORY_QUERY, (tenant, "starbucks")).fetchone())
            assert history == loaded["interactions"]

            customers = sql.Identifier(schema, "starbucks_customers")
            with conn.transaction(force_rollback=True):
                # One value of one row, a cent: another sum, the same count.
                conn.execute(
                    sql.SQL(
                        "UPDATE {} SET income = income + 0.01"
                        " WHERE id = (SELECT min(id) FROM {} WHERE income IS NOT NULL)"
                    ).format(customers, customers)
                )
                changed = _table(conn, schema, "starbucks_customers")
                assert changed["rows"] == loaded["starbucks_customers"]["rows"]
                assert changed["hashSum"] != loaded["starbucks_customers"]["hashSum"]
            with conn.transaction(force_rollback=True):
                # Two rows trading their ages: every value is still there, in other rows.
                first, second = conn.execute(
                    sql.SQL(
                        "SELECT DISTINCT ON (age) id, age FROM {} WHERE age IS NOT NULL"
                        " ORDER BY age, id LIMIT 2"
                    ).format(customers)
                ).fetchall()
                for (who, _), (_, age) in ((first, second), (second, first)):
                    conn.execute(
                        sql.SQL("UPDATE {} SET age = %s WHERE id = %s").format(customers),
                        (age, who),
                    )
                assert _table(conn, schema, "starbucks_customers") != loaded["starbucks_customers"]
            with conn.transaction(force_rollback=True):
                # The same rows written again, stored elsewhere in the table: the same sum.
                conn.execute(
                    sql.SQL(
                        "WITH gone AS (DELETE FROM {} WHERE id IN (SELECT id FROM {}"
                        " ORDER BY id LIMIT 50) RETURNING *) INSERT INTO {} SELECT * FROM gone"
                    ).format(customers, customers, customers)
                )
                assert _table(conn, schema, "starbucks_customers") == loaded["starbucks_customers"]
    finally:
        operations.remove_dataset(pool, tenant=tenant, key="starbucks")
