"""Uploads within bounds: stalled clients are cut off and give back what they held; at most
SEEDPACKS_MAX_UPLOADS at once; a wide CSV header is refused before the rest is read."""

import time
import uuid
from contextlib import ExitStack

import httpx
import pytest
from psycopg_pool import ConnectionPool

from seedpacks.config import Settings
from seedpacks.seeding import operations
from tests.api.test_upload import BASE, BOUNDARY, PROFILE, URL, headers, multipart
from tests.conftest import as_role
from tests.helpers import answer_of, held_request, multipart_head

DECLARED = 10 * 1024 * 1024
STATUS = f"{BASE}/starbucks/status"


@pytest.fixture(scope="module")
def loaded(pool: ConnectionPool, strict_settings: Settings) -> str:
    """A tenant with starbucks loaded; each test leaves its rows as they were."""
    tenant = f"lim-{uuid.uuid4().hex[:10]}"
    operations.load_dataset(pool, strict_settings, tenant=tenant, key="starbucks")
    return tenant


def test_stalled_uploads_hold_neither_the_pool_nor_the_tenant_for_long(
    strict_server: str, loaded: str
) -> None:
    # One client stalls inside the CSV (its upload holds a connection and the tenant's lock),
    # another inside the schema field; 18 more come while they hold the server's two slots.
    # More than the server gathers per read (256 KiB), so the file's rows reach the COPY.
    header, rows = PROFILE.split(b"\n", 1)
    copying = multipart_head(BOUNDARY, schema="starbucks_customers") + header + b"\n"
    copying += rows * (300 * 1024 // len(rows))
    with ExitStack() as held, httpx.Client(base_url=strict_server, timeout=60) as http:
        in_copy = held.enter_context(
            held_request(strict_server, URL, headers=headers(loaded), length=DECLARED, sent=copying)
        )
        other = f"lim-{uuid.uuid4().hex[:10]}"
        in_field = held.enter_context(
            held_request(
                strict_server, URL, headers=headers(other), length=DECLARED, sent=copying[:40]
            )
        )
        deadline = time.monotonic() + 60
        while http.get(STATUS, headers=as_role(loaded)).json()["status"] != "running":
            assert time.monotonic() < deadline, "the stalled upload never reached its COPY"
            time.sleep(0.05)
        refused = [
            http.post(
                URL,
                headers=headers(f"lim-{uuid.uuid4().hex[:10]}"),
                content=multipart(("schema", b"starbucks_customers"), ("file", PROFILE)),
            )
            for _ in range(18)
        ]
        assert {r.status_code for r in refused} == {503}
        assert "SEEDPACKS_MAX_UPLOADS" in refused[0].json()["message"]
        assert refused[0].headers["Retry-After"] == "5"
        # Everything else goes on: the pool is not theirs.
        assert http.get("/healthz").json() == {"status": "ok"}
        assert http.get("/api/v1/seed-dataset", headers=as_role(loaded)).status_code == 200
        for sock in (in_copy, in_field):
            status, body = answer_of(sock)
            assert status == 408 and "SEEDPACKS_BODY_TIMEOUT_SECONDS" in body["message"]
    with httpx.Client(base_url=strict_server, timeout=60) as http:
        state = http.get(STATUS, headers=as_role(loaded)).json()
        assert state["status"] == "failed" and "cut off" in state["error"], state
        # The lock and the slots are free again: the same tenant uploads at once.
        answer = http.post(
            URL,
            headers=headers(loaded),
            content=multipart(("schema", b"starbucks_customers"), ("file", PROFILE)),
        )
        assert answer.status_code == 200, answer.text


def test_a_wide_csv_header_is_refused_before_the_rest_is_read(
    strict_server: str, loaded: str
) -> None:
    # 500,000 one-letter columns: the line is refused at 64 KiB, without waiting for its end.
    wide = b",".join([b"c"] * 500_000)
    sent = multipart_head(BOUNDARY, schema="starbucks_customers") + wide[:300_000]
    with held_request(
        strict_server, URL, headers=headers(loaded), length=DECLARED, sent=sent
    ) as sock:
        status, body = answer_of(sock)
    assert status == 400, body
    assert "header" in body["message"] and "65536 bytes" in body["message"]


def test_a_complete_wide_csv_header_is_400(client: httpx.Client, loaded: str) -> None:
    wide = b",".join([b"c"] * 500_000) + b"\n" + b",".join([b"1"] * 500_000) + b"\n"
    answer = client.post(
        URL,
        headers=headers(loaded),
        content=multipart(("schema", b"starbucks_customers"), ("file", wide)),
    )
    assert answer.status_code == 400 and "65536 bytes" in answer.json()["message"]
