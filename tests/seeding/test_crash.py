"""A seed operation whose process is killed changes nothing and its status reads `failed`.

The service runs as a process of its own (`seedpacks serve`), named in pg_stat_activity by
PGAPPNAME, so a test can see how far its operation got before it kills it with SIGKILL, then
check through another service process (the tests' own, which never saw the operation, as a
restarted one would not have) that the status reads `failed`, everything reads as before, and
the next operation goes through.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import httpx
import pytest
from psycopg import sql
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from seedpacks.seeding.load import STEP_SCHEMAS
from seedpacks.seeding.remove import REMOVE_STEPS
from seedpacks.seeding.upload import STEP_FINISH, STEP_RECEIVE
from tests.conftest import as_role
from tests.helpers import free_port, tenant_footprint

BASE = "/api/v1/seed-dataset"
STOPPED = "stopped before it finished"
PROFILE = (Path(__file__).parent.parent / "fixtures" / "upload" / "profile.csv").read_bytes()
# Long enough that the server has begun its COPY at the midpoint (it reads the body by MB).
LONG_PROFILE = PROFILE + PROFILE.split(b"\n", 1)[1] * 8000
BOUNDARY = "seedpacks-crash-boundary"

_LOADER = """
import sys
from seedpacks import db
from seedpacks.config import Settings
from seedpacks.seeding.operations import load_dataset

settings = Settings(database_url=sys.argv[1])
pool = db.open_pool(sys.argv[1], min_size=1, max_size=4)
load_dataset(pool, settings, tenant=sys.argv[2], key="starbucks", scale=400)
"""


def test_a_killed_load_reads_failed_and_leaves_nothing(
    client: httpx.Client, database_url: str, tenant: str, pool: ConnectionPool
) -> None:
    process = subprocess.Popen([sys.executable, "-c", _LOADER, database_url, tenant])
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            status = client.get(f"{BASE}/starbucks/status", headers=as_role(tenant)).json()
            if status["status"] == "running" and status.get("rowsDone", 0) > 0:
                break
            assert process.poll() is None, "the load ended before it could be killed"
            time.sleep(0.05)
        else:
            raise AssertionError("the load never reported rows")
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    finally:
        if process.poll() is None:
            process.kill()
    status = _settled(client, tenant)
    assert status["status"] == "failed"
    assert STOPPED in status["error"]
    assert tenant_footprint(pool, tenant) == {}
    # The tenant is free again: a new load goes through.
    assert client.post(f"{BASE}/starbucks", headers=as_role(tenant)).status_code == 201


@contextmanager
def _service(database_url: str, name: str) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """Run `seedpacks serve` on a free loopback port for the block; yield it and its URL."""
    port = free_port()
    env = {
        **os.environ,
        "SEEDPACKS_DATABASE_URL": database_url,
        "SEEDPACKS_RATE_LIMIT": "0",
        "PGAPPNAME": name,
    }
    command = [sys.executable, "-m", "seedpacks", "serve", "--port", str(port), "--no-access-log"]
    process = subprocess.Popen(command, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, "the service did not start"
            assert time.monotonic() < deadline, "the service did not answer /healthz"
            try:
                if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        yield process, url
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _in_background(call: Callable[[], Any]) -> threading.Thread:
    """Run `call` on a thread; the killed service ends it with a transport error, ignored."""

    def run() -> None:
        with suppress(httpx.TransportError):
            call()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _backend(pool: ConnectionPool, name: str, ready: Callable[[dict[str, Any]], bool]) -> None:
    """Wait until a backend of the service named `name` is in a state `ready` accepts."""
    deadline = time.monotonic() + 120
    with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        while time.monotonic() < deadline:
            rows = cur.execute(
                "SELECT state, wait_event_type, query, backend_xid IS NOT NULL AS wrote"
                " FROM pg_stat_activity WHERE application_name = %s",
                (name,),
            ).fetchall()
            if any(ready(row) for row in rows):
                return
            time.sleep(0.05)
    raise AssertionError(f"the service's operation never got there: {rows}")


def _kill(process: subprocess.Popen[bytes]) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait()


def _settled(client: httpx.Client, tenant: str) -> dict[str, Any]:
    """Return the tenant's status once it no longer reads `running`."""
    deadline = time.monotonic() + 60
    while True:
        status: dict[str, Any] = client.get(
            f"{BASE}/starbucks/status", headers=as_role(tenant)
        ).json()
        if status["status"] != "running" or time.monotonic() > deadline:
            return status
        time.sleep(0.1)


def _snapshot(pool: ConnectionPool, tenant: str) -> dict[str, Any]:
    """Return what the tenant's pack is: its loaded row, its row counts, a digest of each table."""
    with pool.connection() as conn:
        loaded = conn.execute(
            "SELECT dataset_key, seed, scale, pg_schema, counts, manifest, loaded_at"
            " FROM loaded_datasets WHERE tenant_id = %s",
            (tenant,),
        ).fetchone()
        digests = {}
        tables = conn.execute(
            "SELECT pg_schema, table_name FROM data_schemas WHERE tenant_id = %s", (tenant,)
        ).fetchall()
        for pg_schema, table in tables:
            row = conn.execute(
                sql.SQL(
                    "SELECT count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM {} t"
                ).format(sql.Identifier(pg_schema, table))
            ).fetchone()
            digests[table] = row
    return {"loaded": loaded, "footprint": tenant_footprint(pool, tenant), "tables": digests}


@contextmanager
def _loaded_row_locked(pool: ConnectionPool, tenant: str) -> Iterator[None]:
    """Hold the tenant's loaded_datasets row locked: an operation's last write to it waits."""
    with pool.connection() as conn, conn.transaction():
        conn.execute("SELECT 1 FROM loaded_datasets WHERE tenant_id = %s FOR UPDATE", (tenant,))
        yield


def _waits_on_loaded_row(row: dict[str, Any]) -> bool:
    return row["wrote"] and row["wait_event_type"] == "Lock" and "loaded_datasets" in row["query"]


def _upload_body(csv: bytes, *, pause: threading.Event | None = None) -> Iterator[bytes]:
    """Yield a multipart upload of `csv`; with `pause`, wait on it midway."""
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="schema"\r\n\r\n'
        "starbucks_customers\r\n"
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="u.csv"\r\n\r\n'
    ).encode()
    half = len(csv) // 2
    yield csv[:half]
    if pause is not None:
        pause.wait(timeout=120)
    yield csv[half:] + f"\r\n--{BOUNDARY}--\r\n".encode()


def _upload(
    url: str, tenant: str, csv: bytes = PROFILE, *, pause: threading.Event | None = None
) -> httpx.Response:
    return httpx.post(
        f"{url}{BASE}/starbucks/upload",
        headers={
            **as_role(tenant),
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        },
        content=_upload_body(csv, pause=pause),
        timeout=120,
    )


def _reported(client: httpx.Client, tenant: str, ready: Callable[[dict[str, Any]], bool]) -> None:
    """Wait until the tenant's status is `running` and `ready` accepts it."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = client.get(f"{BASE}/starbucks/status", headers=as_role(tenant)).json()
        if status["status"] == "running" and ready(status):
            return
        time.sleep(0.05)
    raise AssertionError(f"the operation never got there: {status}")


def _reads_failed(client: httpx.Client, tenant: str, operation: str) -> None:
    """Check that the tenant's last operation reads `failed`, its process having stopped."""
    status = _settled(client, tenant)
    assert status["status"] == "failed", status
    assert status["operation"] == operation and STOPPED in status["error"]


def test_a_killed_forced_replace_keeps_the_loaded_pack(
    client: httpx.Client, database_url: str, tenant: str, pool: ConnectionPool
) -> None:
    assert client.post(f"{BASE}/starbucks", headers=as_role(tenant)).status_code == 201
    before = _snapshot(pool, tenant)
    removing = {name for name, _ in REMOVE_STEPS}
    with _service(database_url, f"crash-{tenant}") as (process, url):
        _in_background(
            lambda: httpx.post(
                f"{url}{BASE}/starbucks?force=true&scale=400", headers=as_role(tenant), timeout=300
            )
        )
        # Past the removal of the loaded pack, into the new one's rows: both in the transaction.
        _reported(
            client,
            tenant,
            lambda s: s["step"] not in removing | {STEP_SCHEMAS} and s.get("rowsDone", 0) > 0,
        )
        _kill(process)
    _reads_failed(client, tenant, "load")
    assert _snapshot(pool, tenant) == before
    replaced = client.post(f"{BASE}/starbucks?force=true&seed=7", headers=as_role(tenant))
    assert replaced.status_code == 201, replaced.text
    assert _snapshot(pool, tenant)["loaded"][1] == 7


def test_a_killed_removal_keeps_the_pack(
    client: httpx.Client, database_url: str, tenant: str, pool: ConnectionPool
) -> None:
    assert client.post(f"{BASE}/starbucks", headers=as_role(tenant)).status_code == 201
    before = _snapshot(pool, tenant)
    name = f"crash-{tenant}"
    with _service(database_url, name) as (process, url), _loaded_row_locked(pool, tenant):
        _in_background(
            lambda: httpx.delete(f"{url}{BASE}/starbucks", headers=as_role(tenant), timeout=120)
        )
        # Its last statement: the pack's tables, views and rows are gone within its transaction.
        _backend(pool, name, _waits_on_loaded_row)
        _kill(process)
        # Still waiting for the row when its client died: the server ends it without the row.
        _reads_failed(client, tenant, "remove")
    assert _snapshot(pool, tenant) == before
    assert client.delete(f"{BASE}/starbucks", headers=as_role(tenant)).status_code == 200
    assert tenant_footprint(pool, tenant) == {}


@pytest.mark.parametrize("moment", [STEP_RECEIVE, STEP_FINISH])
def test_a_killed_upload_keeps_the_old_rows(
    client: httpx.Client, database_url: str, tenant: str, pool: ConnectionPool, moment: str
) -> None:
    assert client.post(f"{BASE}/starbucks", headers=as_role(tenant)).status_code == 201
    before = _snapshot(pool, tenant)
    name = f"crash-{tenant}"
    pause = threading.Event()
    with _service(database_url, name) as (process, url), _loaded_row_locked(pool, tenant):
        if moment == STEP_RECEIVE:
            # The server's COPY is running, half the file in, waiting for the rest.
            _in_background(lambda: _upload(url, tenant, LONG_PROFILE, pause=pause))
            _backend(pool, name, lambda r: r["query"].startswith("COPY") and r["state"] == "active")
        else:
            # Its last statement: the rows are replaced and the history pruned, uncommitted.
            _in_background(lambda: _upload(url, tenant))
            _backend(pool, name, _waits_on_loaded_row)
        _reported(client, tenant, lambda s: s["step"] == moment)
        _kill(process)
        pause.set()
        _reads_failed(client, tenant, "upload")
    assert _snapshot(pool, tenant) == before
    uploaded = _upload(str(client.base_url).rstrip("/"), tenant)
    assert uploaded.status_code == 200, uploaded.text
    after = _snapshot(pool, tenant)["tables"]["starbucks_customers"]
    assert after != before["tables"]["starbucks_customers"]
