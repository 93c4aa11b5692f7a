"""The starter file `seedpacks pack new` writes loads as it is: parsed, loaded, described."""

from psycopg_pool import ConnectionPool

from seedpacks.config import Settings
from seedpacks.packfile import parse_pack, starter_file
from seedpacks.packs.describe import describe
from seedpacks.seeding import operations


def test_the_starter_file_parses_into_a_pack_of_its_key() -> None:
    pack = parse_pack(starter_file("my-shop"))
    assert pack.key == "my-shop"
    assert [t.name for t in pack.tables] == ["my_shop_members", "my_shop_orders"]
    assert {(a.offer, a.channel) for a in pack.ground_truth.arms} <= {
        (c.offer, c.channel) for c in pack.creatives
    }


def test_the_starter_file_loads_into_a_tenant_and_describes_itself(
    pool: ConnectionPool, settings: Settings, tenant: str
) -> None:
    pack = parse_pack(starter_file("starter"))
    body = operations.load_dataset(pool, settings, tenant=tenant, key=pack.key, pack=pack, scale=2)
    assert body["counts"]["starter_members_rows"] == 1000
    assert body["counts"]["starter_orders_rows"] == 3000
    with pool.connection() as conn:
        schema = conn.execute(
            "SELECT pg_schema FROM loaded_datasets WHERE tenant_id = %s", (tenant,)
        ).fetchone()
        assert schema is not None
        tiers = dict(
            conn.execute(
                f'SELECT tier, count(*) FROM "{schema[0]}".starter_members GROUP BY tier'  # noqa: S608
            ).fetchall()
        )
        orphans = conn.execute(
            f'SELECT count(*) FROM "{schema[0]}".starter_orders o LEFT JOIN '  # noqa: S608
            f'"{schema[0]}".starter_members m USING (member_id) WHERE m.member_id IS NULL'
        ).fetchone()
    assert set(tiers) == {"basic", "silver", "gold"} and tiers["basic"] > tiers["gold"]
    assert orphans == (0,)
    description = describe(pack, 2)
    assert description["key"] == "starter"
    assert description["groundTruth"]["arms"]
