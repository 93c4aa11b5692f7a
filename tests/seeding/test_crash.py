"""A load whose process is killed leaves nothing behind and its status reads `failed`."""

import os
import signal
import subprocess
import sys
import time

import httpx
from psycopg_pool import ConnectionPool

from tests.conftest import as_role
from tests.helpers import tenant_footprint

BASE = "/api/v1/seed-dataset"

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
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = client.get(f"{BASE}/starbucks/status", headers=as_role(tenant)).json()
        if status["status"] != "running":
            break
        time.sleep(0.1)
    assert status["status"] == "failed"
    assert "stopped before it finished" in status["error"]
    assert tenant_footprint(pool, tenant) == {}
    # The tenant is free again: a new load goes through.
    assert client.post(f"{BASE}/starbucks", headers=as_role(tenant)).status_code == 201
