"""Migrations apply once, even when several processes start at the same time; health answers;
pooled connections the server ended are replaced; servers older than 15 are refused."""

import threading
import time

import httpx
import psycopg

from seedpacks import db


def test_concurrent_start_ups_apply_each_migration_once(fresh_database: str) -> None:
    applied: list[list[str]] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def start_up() -> None:
        try:
            with psycopg.connect(fresh_database, autocommit=True) as conn:
                barrier.wait()
                applied.append(db.migrate(conn))
        except BaseException as exc:  # collected and re-raised in the test thread
            errors.append(exc)

    threads = [threading.Thread(target=start_up) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    files = [name for _, name, _ in db._migration_files()]
    assert sorted(name for names in applied for name in names) == sorted(files)
    with psycopg.connect(fresh_database, autocommit=True) as conn:
        assert db.migrate(conn) == []
        versions = [row[0] for row in conn.execute("SELECT name FROM schema_migrations")]
    assert sorted(versions) == sorted(files)


def test_healthz_answers_once_the_database_is_reachable(client: httpx.Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_a_pooled_connection_the_server_ended_is_replaced_when_lent(database_url: str) -> None:
    """After a database restart (here: its backend terminated), the next operation gets a
    working connection instead of failing on the dead one."""
    pool = db.open_pool(database_url, min_size=1, max_size=1)
    try:
        with pool.connection() as conn:
            first = conn.execute("SELECT pg_backend_pid()").fetchone()
        with psycopg.connect(database_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", first)
        time.sleep(0.2)
        with pool.connection() as conn:
            second = conn.execute("SELECT pg_backend_pid()").fetchone()
    finally:
        pool.close()
    assert second is not None and second != first


def test_servers_older_than_15_are_refused_with_the_reason() -> None:
    assert db.unsupported(140011) == (
        "seedpacks needs PostgreSQL 15 or later; the database server is PostgreSQL 14. "
        "Point SEEDPACKS_DATABASE_URL at a newer server, or leave it unset for the embedded one."
    )
    assert db.unsupported(90624) is not None and "PostgreSQL 9.6." in db.unsupported(90624)
    assert [db.unsupported(v) for v in (150000, 150018, 160004, 180001)] == [None] * 4
