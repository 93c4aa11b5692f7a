"""An upload of customers removes the history of those gone with a plan that holds on every
supported PostgreSQL: the history analysed first, ids compared in the customer key's collation."""

import io
import json
from typing import Any

from psycopg_pool import ConnectionPool

from seedpacks.config import Settings
from seedpacks.packs.registry import PACKS
from seedpacks.seeding import operations, partitions
from seedpacks.seeding.tenancy import tenant_schema
from seedpacks.seeding.upload import prune_statement

PACK = PACKS["starbucks"]


def _upload_customers(pool: ConnectionPool, settings: Settings, tenant: str) -> None:
    """Load starbucks, then upload its customers anew: half of the loaded ones, and newcomers."""
    operations.load_dataset(pool, settings, tenant=tenant, key=PACK.key)
    with pool.connection() as conn:
        kept = [
            row[0]
            for row in conn.execute(
                "SELECT DISTINCT customer_id FROM interactions WHERE tenant_id = %s ORDER BY 1",
                (tenant,),
            )
        ]
    ids = kept[: len(kept) // 2] + [f"newcomer-{i}" for i in range(2000)]
    lines = ["gender,age,id,became_member_on,income", *(f"F,40,{i},20170101,50000" for i in ids)]
    data = "\n".join(lines).encode()
    operations.upload_table(
        pool,
        settings.model_copy(update={"rate_limit": 1000}),
        tenant=tenant,
        key=PACK.key,
        schema="starbucks_customers",
        stream=io.BytesIO(data),
        size=len(data),
    )


def _plan_nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [plan, *(node for child in plan.get("Plans", ()) for node in _plan_nodes(child))]


def test_an_upload_of_customers_leaves_the_loaded_history_analysed(
    pool: ConnectionPool, settings: Settings, tenant: str
) -> None:
    _upload_customers(pool, settings, tenant)
    with pool.connection() as conn:
        for parent in partitions.PARENTS:
            name = partitions.partition_name(parent, tenant)
            row = conn.execute(
                "SELECT count(*) FROM pg_stats WHERE tablename = %s AND attname = 'customer_id'",
                (name,),
            ).fetchone()
            assert row == (1,), f"{name} has no statistics"


def test_pruning_compares_ids_in_the_key_collation_so_the_key_index_can_serve(
    pool: ConnectionPool, settings: Settings, tenant: str
) -> None:
    """With hashing and merging ruled out, the anti join probes the customers' key index; in
    two collations that index cannot serve, and each history row rescans the customers."""
    _upload_customers(pool, settings, tenant)
    with pool.connection() as conn, conn.transaction():
        conn.execute("SET LOCAL enable_hashjoin = off")
        conn.execute("SET LOCAL enable_mergejoin = off")
        for history_table in ("interactions", "interaction_summaries"):
            statement = prune_statement(
                pack=PACK, pg_schema=tenant_schema(tenant), history_table=history_table
            )
            explained = conn.execute(
                b"EXPLAIN (FORMAT JSON) " + statement.as_bytes(conn), (tenant, PACK.key)
            ).fetchone()
            assert explained is not None
            plan = explained[0]
            nodes = _plan_nodes((plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"])
            customers = [n for n in nodes if n.get("Relation Name") == "starbucks_customers"]
            assert customers, nodes
            assert all(n["Node Type"] in ("Index Scan", "Index Only Scan") for n in customers), (
                history_table,
                [n["Node Type"] for n in nodes],
            )
