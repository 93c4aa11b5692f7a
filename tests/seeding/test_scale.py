"""Scaled loads: streamed in chunks with rows done of rows planned, keyed and analysed after."""

import dataclasses
from typing import Any

import psycopg
import pytest
from psycopg_pool import ConnectionPool

from seedpacks.packs.model import Pack
from seedpacks.packs.registry import PACKS
from seedpacks.seeding import generate, load
from seedpacks.seeding.load import (
    STEP_HISTORY,
    STEP_INDEXES,
    STEP_MANIFEST,
    analysed_tables,
    load_pack,
    load_steps,
    table_step,
)
from seedpacks.seeding.progress import Progress
from seedpacks.seeding.tenancy import tenant_schema

SCALE = 3


class Recording(Progress):
    """Progress that keeps every rows() call and every value it would write."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)
        self.calls: list[tuple[str, int, int]] = []
        self.written: list[dict[str, Any]] = []
        self.listeners.append(self.written.append)

    def rows(self, done: int) -> None:
        self.calls.append((self.step_name, done, self.rows_total))
        super().rows(done)


def test_long_steps_report_rows_done_of_rows_planned(
    pool: ConnectionPool, database_url: str, tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = PACKS["starbucks"]
    monkeypatch.setattr(generate, "CHUNK_ROWS", 1000)
    progress = Recording(
        tenant=tenant, dataset_key=pack.key, operation="load", steps=load_steps(pack, SCALE)
    )
    with (
        psycopg.connect(database_url, autocommit=True) as conn,
        conn.transaction(force_rollback=True),
    ):
        load_pack(conn, tenant=tenant, pack=pack, seed=1, scale=SCALE, progress=progress)
        schema = tenant_schema(tenant)
        analysed = dict(
            conn.execute(
                "SELECT c.relname, c.reltuples FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = %s AND c.relkind = 'r'",
                (schema,),
            ).fetchall()
        )
        with_statistics = {
            row[0]
            for row in conn.execute(
                "SELECT DISTINCT tablename FROM pg_stats WHERE schemaname = %s", (schema,)
            )
        }
        keyed = {
            row[0]
            for row in conn.execute(
                "SELECT conrelid::regclass::text FROM pg_constraint"
                " WHERE contype = 'p' AND connamespace = %s::regnamespace",
                (schema,),
            )
        }
    planned = {table_step(t.name): t.rows_at(SCALE) for t in pack.tables}
    planned[STEP_HISTORY] = pack.ground_truth.interactions * SCALE
    rows = generate.Generator(pack=pack, seed=1, scale=SCALE)
    chunk = {table_step(t.name): rows.chunk_rows(t.name) for t in pack.tables}
    chunk[STEP_HISTORY] = rows.history_chunk_rows()
    for step, total in planned.items():
        done = [d for name, d, t in progress.calls if name == step and t == total]
        assert done == sorted(done) and done[-1] == total, step
        if total > chunk[step]:
            assert len(done) == -(-total // chunk[step]), step  # one report per chunk
        entered = next(v for v in progress.written if v["step"] == step)
        assert (entered["rowsDone"], entered["rowsTotal"]) == (0, total)
    data_rows = sum(t.rows_at(SCALE) for t in pack.tables)
    with_history = data_rows + pack.ground_truth.interactions * SCALE
    for step, total in ((STEP_INDEXES, with_history), (STEP_MANIFEST, with_history)):
        done = [d for name, d, t in progress.calls if name == step and t == total]
        assert done and done[-1] == total, step
    # Every table's row count is known to the planner (the index builds set it), ANALYZE ran
    # on the tables plans filter (the customers, which the segment reads), and every table got
    # its key.
    assert {name: int(n) for name, n in analysed.items()} == {
        t.name: t.rows_at(SCALE) for t in pack.tables
    }
    assert with_statistics == analysed_tables(pack) == {"starbucks_customers"}
    assert len(keyed) == len(pack.tables)


def _fixed_customers(pack: Pack) -> Pack:
    """The pack with a customer table that does not grow: the history's chunks share customers."""
    name = pack.ground_truth.customer_table
    tables = tuple(
        dataclasses.replace(t, scales=False) if t.name == name else t for t in pack.tables
    )
    return dataclasses.replace(pack, tables=tables)


# Starbucks' history comes from its journeys (whole units per chunk); a fixed customer table
# cannot have journeys (each unit's customers are built together), so that case is banking's.
@pytest.mark.parametrize(
    ("key", "fixed"),
    [("starbucks", False), ("banking", True)],
    ids=["customers-scale", "customers-fixed"],
)
def test_summaries_built_from_the_generated_history_match_the_database(
    key: str, fixed: bool, database_url: str, pool: ConnectionPool, tenant: str
) -> None:
    pack = PACKS[key]
    pack = _fixed_customers(pack) if fixed else pack
    progress = Progress(
        None, tenant=tenant, dataset_key=pack.key, operation="load", steps=load_steps(pack, 4)
    )
    with (
        psycopg.connect(database_url, autocommit=True) as conn,
        conn.transaction(force_rollback=True),
    ):
        result = load_pack(conn, tenant=tenant, pack=pack, seed=3, scale=4, progress=progress)
        differences = conn.execute(
            "WITH truth AS (SELECT i.customer_id, i.offer_id, i.channel_id, count(*) AS n,"
            "  count(*) FILTER (WHERE i.outcome = %(pos)s) AS pos,"
            "  count(*) FILTER (WHERE i.outcome = %(neg)s) AS neg, max(i.occurred_at) AS last"
            "  FROM interactions i WHERE i.tenant_id = %(t)s"
            "  GROUP BY i.customer_id, i.offer_id, i.channel_id),"
            " loaded AS (SELECT customer_id, offer_id, channel_id, impressions, positives,"
            "  negatives, last_contact_at FROM interaction_summaries WHERE tenant_id = %(t)s)"
            " SELECT count(*) FROM ((TABLE truth EXCEPT ALL TABLE loaded)"
            "  UNION ALL (TABLE loaded EXCEPT ALL TABLE truth)) d",
            {
                "t": tenant,
                "pos": pack.ground_truth.positive_outcome,
                "neg": pack.ground_truth.negative_outcome,
            },
        ).fetchone()
    assert differences == (0,)
    assert 0 < result.counts["interactionSummaries"] <= result.counts["interactions"]


def test_tables_of_many_rows_are_written_frozen_and_small_ones_are_not(
    database_url: str, tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # COPY FREEZE writes a visibility map: worth it for big tables, a file too many for small.
    monkeypatch.setattr(load, "FREEZE_FROM_ROWS", 5000)
    pack = PACKS["starbucks"]  # at scale 3: 3000 customers, 54,090 events
    progress = Progress(
        None, tenant=tenant, dataset_key=pack.key, operation="load", steps=load_steps(pack, 3)
    )
    with (
        psycopg.connect(database_url, autocommit=True) as conn,
        conn.transaction(force_rollback=True),
    ):
        load_pack(conn, tenant=tenant, pack=pack, seed=1, scale=3, progress=progress)
        schema = tenant_schema(tenant)
        maps = dict(
            conn.execute(
                "SELECT c.relname, pg_relation_size(c.oid, 'vm') > 0 FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = %s AND c.relkind = 'r'",
                (schema,),
            ).fetchall()
        )
    assert maps == {
        "starbucks_customers": False,
        "starbucks_offers": False,
        "starbucks_events": True,
    }
