"""A pack whose history comes from its journeys: in the database, every interaction is one of
the event table's offers received, and every offer received is one interaction."""

import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool

from seedpacks.packs.registry import PACKS
from seedpacks.seeding.load import load_pack, load_steps
from seedpacks.seeding.progress import Progress
from seedpacks.seeding.tenancy import tenant_schema


def test_loaded_interactions_and_events_agree_row_for_row(
    database_url: str, pool: ConnectionPool, tenant: str
) -> None:
    pack = PACKS["starbucks"]
    truth = pack.ground_truth
    progress = Progress(
        None, tenant=tenant, dataset_key=pack.key, operation="load", steps=load_steps(pack, 2)
    )
    with (
        psycopg.connect(database_url, autocommit=True) as conn,
        conn.transaction(force_rollback=True),
    ):
        load_pack(conn, tenant=tenant, pack=pack, seed=5, scale=2, progress=progress)
        events = sql.Identifier(tenant_schema(tenant), "starbucks_events")
        received = sql.SQL(
            "SELECT person AS customer_id, offer_id, %(start)s::timestamp"
            " + make_interval(hours => time) AS occurred_at"
            " FROM {} WHERE event = 'offer received'"
        ).format(events)
        history = sql.SQL(
            "SELECT customer_id, offer_id, occurred_at FROM interactions WHERE tenant_id = %(t)s"
        )
        row = conn.execute(
            sql.SQL(
                "SELECT (SELECT count(*) FROM ({r}) r),"
                " (SELECT count(*) FROM (({r}) EXCEPT ALL ({h})) a),"
                " (SELECT count(*) FROM (({h}) EXCEPT ALL ({r})) b)"
            ).format(r=received, h=history),
            {"t": tenant, "start": truth.start},
        ).fetchone()
        completed = conn.execute(
            sql.SQL(
                "SELECT (SELECT count(*) FROM {} WHERE event = 'offer completed'),"
                " (SELECT count(*) FROM interactions WHERE tenant_id = %(t)s AND outcome = %(p)s)"
            ).format(events),
            {"t": tenant, "p": truth.positive_outcome},
        ).fetchone()
    assert row == (truth.interactions * 2, 0, 0)
    assert completed is not None and completed[0] == completed[1] > 0
