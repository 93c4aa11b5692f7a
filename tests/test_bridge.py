"""The bridge: synchronous psycopg code run on the event loop, its waits awaited, its pool fair."""

import asyncio
import time

import psycopg
import pytest

from seedpacks import bridge
from seedpacks.errors import NotFound


def _sleep_and_echo(pool: bridge.LoopPool, seconds: float, value: int) -> int:
    with pool.connection() as conn, conn.transaction():
        row = conn.execute("SELECT %s::int FROM pg_sleep(%s)", (value, seconds)).fetchone()
    assert row is not None
    return int(row[0])


def test_queries_wait_on_the_loop_not_in_it(database_url: str) -> None:
    """While one call waits for the database, the loop goes on serving others."""

    async def main() -> tuple[list[int], int, float]:
        pool = bridge.LoopPool(database_url, size=4)
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        tick = asyncio.create_task(ticker())
        started = time.monotonic()
        results = await asyncio.gather(
            *(bridge.run(_sleep_and_echo, pool, 0.5, k) for k in range(4))
        )
        elapsed = time.monotonic() - started
        tick.cancel()
        pool.close()
        return results, ticks, elapsed

    results, ticks, elapsed = asyncio.run(main())
    assert results == [0, 1, 2, 3]
    # Four half-second queries side by side, the ticker running all along: had a query blocked
    # the loop, they would take 2 s and the ticker would hardly have run.
    assert elapsed < 1.5
    assert ticks >= 20


def test_a_full_pool_queues_callers_instead_of_failing(database_url: str) -> None:
    async def main() -> tuple[list[int], int]:
        pool = bridge.LoopPool(database_url, size=2)
        results = await asyncio.gather(
            *(bridge.run(_sleep_and_echo, pool, 0.05, k) for k in range(10))
        )
        opened = pool._open
        pool.close()
        return results, opened

    results, opened = asyncio.run(main())
    assert results == list(range(10))
    assert opened == 2


def test_waiting_longer_than_the_timeout_is_a_503(database_url: str) -> None:
    async def main() -> None:
        pool = bridge.LoopPool(database_url, size=1, timeout=0.2)
        try:
            slow = asyncio.create_task(bridge.run(_sleep_and_echo, pool, 1.0, 1))
            await asyncio.sleep(0.1)
            with pytest.raises(bridge.PoolTimeout) as caught:
                await bridge.run(_sleep_and_echo, pool, 0, 2)
            assert caught.value.status == 503
            assert await slow == 1
        finally:
            pool.close()

    asyncio.run(main())


def test_errors_reach_the_caller_and_the_connection_comes_back_clean(database_url: str) -> None:
    def fails(pool: bridge.LoopPool) -> None:
        with pool.connection() as conn, conn.transaction():
            conn.execute("SELECT 1")
            raise NotFound("no such thing")

    def broken_sql(pool: bridge.LoopPool) -> None:
        with pool.connection() as conn, conn.transaction():
            conn.execute("SELECT * FROM no_such_table")

    def status(pool: bridge.LoopPool) -> str:
        with pool.connection() as conn:
            return conn.info.transaction_status.name

    async def main() -> tuple[str, int]:
        pool = bridge.LoopPool(database_url, size=1)
        with pytest.raises(NotFound, match="no such thing"):
            await bridge.run(fails, pool)
        with pytest.raises(psycopg.errors.UndefinedTable):
            await bridge.run(broken_sql, pool)
        answer = await bridge.run(status, pool), pool._open
        pool.close()
        return answer

    assert asyncio.run(main()) == ("IDLE", 1)


def test_a_cancelled_call_rolls_back_and_frees_its_connection(database_url: str) -> None:
    """A request cancelled mid-query (a client gone, a shutdown) leaves nothing half-done."""
    table = f"bridge_cancel_{time.monotonic_ns()}"

    def write_then_sleep(pool: bridge.LoopPool) -> None:
        with pool.connection() as conn, conn.transaction():
            conn.execute(f"CREATE TABLE {table} (x int)")
            conn.execute("SELECT pg_sleep(5)")

    async def main() -> tuple[int, float]:
        pool = bridge.LoopPool(database_url, size=1)
        task = asyncio.create_task(bridge.run(write_then_sleep, pool))
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # The one slot is free again: a new call gets a fresh connection at once.
        started = time.monotonic()
        value = await bridge.run(_sleep_and_echo, pool, 0, 7)
        pool.close()
        return value, time.monotonic() - started

    value, waited = asyncio.run(main())
    assert value == 7
    assert waited < 2
    with psycopg.connect(database_url) as conn:
        row = conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()
    assert row == (None,)


def test_a_loop_connection_outside_the_bridge_is_an_ordinary_one(database_url: str) -> None:
    with bridge.LoopConnection.connect(database_url, autocommit=True) as conn:
        assert conn.execute("SELECT 41 + 1").fetchone() == (42,)
    pending = asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="bridge.run"):
        bridge.await_(pending)
    pending.close()


def test_a_caller_queued_behind_a_cancelled_call_gets_a_fresh_connection(
    database_url: str,
) -> None:
    async def main() -> tuple[int, int]:
        pool = bridge.LoopPool(database_url, size=1, timeout=10)
        first = asyncio.create_task(bridge.run(_sleep_and_echo, pool, 5, 1))
        await asyncio.sleep(0.3)
        queued = asyncio.create_task(bridge.run(_sleep_and_echo, pool, 0, 2))
        await asyncio.sleep(0.1)
        first.cancel()  # its connection, mid-query, is closed: the queued call opens another
        with pytest.raises(asyncio.CancelledError):
            await first
        value = await asyncio.wait_for(queued, 5)
        opened = pool._open
        pool.close()
        return value, opened

    assert asyncio.run(main()) == (2, 1)


def test_an_idle_connection_the_server_ended_is_replaced_not_handed_out(
    database_url: str,
) -> None:
    """After a database restart (here: its backend terminated), the next call gets a fresh
    connection instead of failing on the dead one."""

    def backend(pool: bridge.LoopPool) -> int:
        with pool.connection() as conn:
            row = conn.execute("SELECT pg_backend_pid()").fetchone()
        assert row is not None
        return int(row[0])

    async def main() -> tuple[int, int]:
        pool = bridge.LoopPool(database_url, size=1)
        first = await bridge.run(backend, pool)
        with psycopg.connect(database_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (first,))
        await asyncio.sleep(0.2)  # the server's goodbye reaches the idle connection's socket
        second = await bridge.run(backend, pool)
        pool.close()
        return first, second

    first, second = asyncio.run(main())
    assert second != first
