"""The rate limit, below the HTTP layer: windows per tenant, and a limit of 0 switched off."""

import pytest
from psycopg_pool import ConnectionPool

from seedpacks.errors import RateLimited
from seedpacks.seeding.ratelimit import check_rate_limit


def test_the_limit_counts_per_tenant_and_says_how_long_to_wait(
    pool: ConnectionPool, tenant: str
) -> None:
    with pool.connection() as conn:
        for _ in range(2):
            check_rate_limit(conn, tenant=tenant, limit=2, window=30)
        with pytest.raises(RateLimited) as refused:
            check_rate_limit(conn, tenant=tenant, limit=2, window=30)
        check_rate_limit(conn, tenant=tenant + "-other", limit=2, window=30)
    assert refused.value.status == 429
    assert 1 <= int(refused.value.headers["Retry-After"]) <= 30


def test_a_limit_of_zero_turns_the_limit_off(pool: ConnectionPool, tenant: str) -> None:
    with pool.connection() as conn:
        for _ in range(20):
            check_rate_limit(conn, tenant=tenant, limit=0, window=60)
        row = conn.execute(
            "SELECT count(*) FROM seed_rate_events WHERE tenant_id = %s", (tenant,)
        ).fetchone()
    assert row is not None and row[0] == 0
