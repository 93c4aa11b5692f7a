"""Pack tables as created: id columns (keys and references) compare bytewise, others do not."""

import dataclasses

import psycopg
from psycopg_pool import ConnectionPool

from seedpacks.packs.registry import PACKS
from seedpacks.seeding import ddl
from seedpacks.seeding.copy import column_types
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


def _indexes(conn: psycopg.Connection, pg_schema: str) -> set[str]:
    rows = conn.execute(
        "SELECT tablename || ': ' || regexp_replace(indexdef, '^.* USING btree ', '')"
        " FROM pg_indexes WHERE schemaname = %s",
        (pg_schema,),
    ).fetchall()
    return {row[0] for row in rows}


def test_a_load_builds_the_keys_and_only_the_indexes_a_table_declares(
    pool: ConnectionPool, database_url: str, tenant: str
) -> None:
    """Built-in packs declare no index: nothing the platform runs filters their tables on a
    column other than a key (README, Performance); a custom pack's declared index is built."""
    pack = PACKS["starbucks"]
    events = pack.table("starbucks_events")
    declaring = dataclasses.replace(
        pack,
        tables=tuple(
            dataclasses.replace(t, indexes=(("person",),)) if t is events else t
            for t in pack.tables
        ),
    )
    with rolled_back(database_url) as conn:
        load(conn, f"{tenant}-a", pack)
        load(conn, f"{tenant}-b", declaring)
        schemas = dict(
            conn.execute(
                "SELECT tenant_id, pg_schema FROM loaded_datasets WHERE tenant_id LIKE %s",
                (f"{tenant}-%",),
            ).fetchall()
        )
        keys = {f"{t.name}: ({', '.join(t.primary_key)})" for t in pack.tables}
        assert _indexes(conn, schemas[f"{tenant}-a"]) == keys
        assert _indexes(conn, schemas[f"{tenant}-b"]) == {*keys, "starbucks_events: (person)"}


def test_the_column_types_the_encoder_is_given_are_those_the_server_creates(
    database_url: str,
) -> None:
    """A load renders its first chunks before the tables exist, with ddl.column_types: for every
    built-in pack's tables, and a table with a column of each type, they are pg_attribute's."""
    customers = PACKS["starbucks"].table("starbucks_customers")
    some = customers.columns[-1]
    every_type = dataclasses.replace(
        customers,
        name="every_type",
        columns=(
            customers.columns[0],  # the key
            *(dataclasses.replace(some, name=f"a_{kind}", type=kind) for kind in ddl.TYPE_OIDS),
            dataclasses.replace(some, name="four_decimals", type="decimal", decimals=4),
        ),
    )
    tables = [every_type, *(table for pack in PACKS.values() for table in pack.tables)]
    with rolled_back(database_url) as conn:
        ddl.create_schema(conn, "column_types")
        for table in tables:
            ddl.create_table(conn, pg_schema="column_types", table=table)
            created = column_types(conn, psycopg.sql.Identifier("column_types", table.name))
            assert ddl.column_types(table) == created, table.name
