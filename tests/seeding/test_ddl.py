"""Pack tables as created: id columns (keys and references) compare bytewise, others do not."""

import psycopg
from psycopg_pool import ConnectionPool

from seedpacks.packs.registry import PACKS
from seedpacks.seeding import ddl
from tests.seeding.test_determinism import load, rolled_back


def test_keys_and_references_compare_bytewise_and_join_the_history_as_they_are(
    pool: ConnectionPool, database_url: str, tenant: str
) -> None:
    pack = PACKS["starbucks"]
    with rolled_back(database_url) as conn:
        load(conn, tenant, pack)
        schema = conn.execute(
            "SELECT pg_schema FROM loaded_datasets WHERE tenant_id = %s", (tenant,)
        ).fetchone()
        assert schema is not None
        collations = dict(
            conn.execute(
                "SELECT c.relname || '.' || a.attname, coalesce(l.collname, '')"
                " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " LEFT JOIN pg_collation l ON l.oid = a.attcollation AND a.attcollation <> 0"
                " WHERE n.nspname = %s AND a.attnum > 0 AND c.relkind = 'r'"
                " AND a.atttypid = 'text'::regtype",
                (schema[0],),
            ).fetchall()
        )
        bytewise = {name for name, collation in collations.items() if collation == "C"}
        assert bytewise == {
            "starbucks_customers.id",
            "starbucks_offers.id",
            "starbucks_events.person",
        }
        assert ddl.bytewise_columns(pack.table("starbucks_customers")) == {"id"}
        assert "starbucks_customers.gender" in collations  # text, the database's collation
        # Customer ids meet the history's (bytewise since migration 0006) without a COLLATE.
        joined = conn.execute(
            psycopg.sql.SQL(
                "SELECT count(*) FROM {} c JOIN interactions i ON i.customer_id = c.id"
                " WHERE i.tenant_id = %s"
            ).format(psycopg.sql.Identifier(schema[0], "starbucks_customers")),
            (tenant,),
        ).fetchone()
        assert joined is not None and joined[0] > 0
