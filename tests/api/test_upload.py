"""`POST /api/v1/seed-dataset/{key}/upload` over real HTTP: every status code, streaming, memory."""

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
from psycopg_pool import ConnectionPool

from seedpacks.seeding.tenancy import try_lock_tenant
from tests.conftest import as_role

BASE = "/api/v1/seed-dataset"
URL = f"{BASE}/starbucks/upload"
PROFILE = (Path(__file__).parent.parent / "fixtures" / "upload" / "profile.csv").read_bytes()
BOUNDARY = "seedpacks-test-boundary"
LIMIT = 50 * 1024 * 1024


def multipart(*parts: tuple[str, bytes]) -> bytes:
    """Return a multipart body with the parts in the given order (`file` gets a filename)."""
    body = b""
    for name, value in parts:
        filename = '; filename="upload.csv"' if name == "file" else ""
        body += (
            (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"{filename}\r\n\r\n'
            ).encode()
            + value
            + b"\r\n"
        )
    return body + f"--{BOUNDARY}--\r\n".encode()


def headers(tenant: str, role: str = "admin") -> dict[str, str]:
    return {**as_role(tenant, role), "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


def load(client: httpx.Client, tenant: str) -> None:
    assert client.post(f"{BASE}/starbucks", headers=as_role(tenant)).status_code == 201


def test_upload_answers_200_with_the_reference_body(client: httpx.Client, tenant: str) -> None:
    load(client, tenant)
    response = client.post(
        URL,
        headers=as_role(tenant),
        data={"schema": "starbucks_customers"},
        files={"file": ("profile.csv", PROFILE, "text/csv")},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert {k: body[k] for k in ("message", "rowsInserted", "schemaName", "datasetKey")} == {
        "message": "Uploaded 10 rows to starbucks_customers",
        "rowsInserted": 10,
        "schemaName": "starbucks_customers",
        "datasetKey": "starbucks",
    }
    status = client.get(f"{BASE}/starbucks/status", headers=as_role(tenant, "viewer")).json()
    assert status["status"] == "completed" and status["operation"] == "upload"
    assert status["rowsInserted"] == 10


def test_the_file_may_come_before_the_schema_field(client: httpx.Client, tenant: str) -> None:
    load(client, tenant)
    body = multipart(("file", PROFILE), ("schema", b"starbucks_customers"))
    response = client.post(URL, headers=headers(tenant), content=body)
    assert response.status_code == 200, response.text
    assert response.json()["rowsInserted"] == 10


def _post(client: httpx.Client, tenant: str, body: bytes) -> httpx.Response:
    return client.post(URL, headers=headers(tenant), content=body)


def test_400_for_missing_fields_foreign_schemas_and_unloaded_packs(
    client: httpx.Client, tenant: str
) -> None:
    not_loaded = _post(
        client, tenant, multipart(("schema", b"starbucks_customers"), ("file", PROFILE))
    )
    assert not_loaded.status_code == 400
    assert "load it first" in not_loaded.json()["message"]
    cases = {
        multipart(("schema", b"starbucks_customers")): "Missing form field 'file'",
        multipart(("file", PROFILE)): "Missing form field 'schema'",
        multipart(): "Missing form field 'file' and 'schema'",
        multipart(("schema", b"bank_customers"), ("file", PROFILE)): "not part of Starbucks",
    }
    for body, expected in cases.items():
        response = _post(client, tenant, body)
        assert response.status_code == 400, (expected, response.text)
        assert response.json()["status"] == 400
        assert expected in response.json()["message"], response.json()
    plain = client.post(URL, headers=as_role(tenant), data={"schema": "starbucks_customers"})
    assert plain.status_code == 400 and "multipart/form-data" in plain.json()["message"]


def test_400_for_files_the_table_cannot_take(client: httpx.Client, tenant: str) -> None:
    load(client, tenant)
    header = PROFILE.split(b"\n")[0] + b"\n"
    cases = {
        b"id\n": "no column for",
        PROFILE.replace(b",55,", b",fifty,"): (
            "Line 3, column 'age': 'fifty' is not a whole number."
        ),
        header: "No valid rows",
        PROFILE.replace(b"F,", b"\xc9,"): "Line 3 is not valid UTF-8",
    }
    for file, expected in cases.items():
        response = _post(
            client, tenant, multipart(("schema", b"starbucks_customers"), ("file", file))
        )
        assert response.status_code == 400, (expected, response.text)
        assert expected in response.json()["message"], response.json()


def test_unknown_keys_are_404_and_identity_is_required(client: httpx.Client, tenant: str) -> None:
    body = multipart(("schema", b"x"), ("file", PROFILE))
    response = client.post(f"{BASE}/no-such-pack/upload", headers=headers(tenant), content=body)
    assert response.status_code == 404 and "no-such-pack" in response.json()["message"]
    assert client.post(URL, content=body).status_code == 401
    for role in ("editor", "viewer"):
        response = client.post(URL, headers=headers(tenant, role), content=body)
        assert response.status_code == 403 and role in response.json()["message"]


def test_another_seed_operation_running_for_the_tenant_is_409(
    client: httpx.Client, tenant: str, pool: ConnectionPool
) -> None:
    load(client, tenant)
    body = multipart(("schema", b"starbucks_customers"), ("file", PROFILE))
    with pool.connection() as conn, conn.transaction():
        assert try_lock_tenant(conn, tenant)
        response = client.post(URL, headers=headers(tenant), content=body)
    assert response.status_code == 409
    assert "Another seed operation" in response.json()["message"]


def test_uploads_count_against_the_load_rate_limit(client: httpx.Client, tenant: str) -> None:
    body = multipart(("schema", b"starbucks_customers"), ("file", PROFILE))
    for _ in range(5):
        assert client.post(URL, headers=headers(tenant), content=body).status_code == 400
    limited = client.post(URL, headers=headers(tenant), content=body)
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    assert client.post(f"{BASE}/starbucks", headers=as_role(tenant)).status_code == 429


def _rss() -> int:
    return int(psutil.Process().memory_info().rss)


class PeakMemory:
    """Sample this process's resident memory (client and in-process server) every 5 ms."""

    def __init__(self) -> None:
        self.base = self.peak = _rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss())
            time.sleep(0.005)

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def _body(file_bytes: int, *, schema_first: bool = True) -> Iterator[bytes]:
    """Yield a multipart body whose file holds exactly `file_bytes` bytes of profile rows."""
    schema = multipart(("schema", b"starbucks_customers"))[: -len(f"--{BOUNDARY}--\r\n")]
    if schema_first:
        yield schema
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
    ).encode()
    header = b"gender,age,id,became_member_on,income\n"
    yield header
    sent, row = len(header), 0
    while sent < file_bytes:
        block = b"".join(b"F,55,%032x,20170715,72000.0\n" % (row + i) for i in range(2000))
        row += 2000
        block = block[: file_bytes - sent]
        sent += len(block)
        yield block
    yield b"\r\n" + (b"" if schema_first else schema) + f"--{BOUNDARY}--\r\n".encode()


def test_50_mb_plus_one_byte_is_413_while_memory_stays_flat(
    client: httpx.Client, tenant: str, pool: ConnectionPool
) -> None:
    load(client, tenant)
    with PeakMemory() as memory:
        response = client.post(URL, headers=headers(tenant), content=_body(LIMIT + 1))
    assert response.status_code == 413, response.text
    assert "50 MB" in response.json()["message"]
    growth = (memory.peak - memory.base) / 2**20
    assert growth < 30, f"resident memory grew by {growth:.0f} MB"
    status = client.get(f"{BASE}/starbucks/status", headers=as_role(tenant)).json()
    assert status["status"] == "failed" and status["operation"] == "upload"
    customers = client.get(BASE, headers=as_role(tenant)).json()["currentlyLoaded"]
    assert customers == "starbucks"


def test_a_file_before_its_schema_waits_on_disk_and_is_413_past_the_limit(
    client: httpx.Client, tenant: str
) -> None:
    load(client, tenant)
    with PeakMemory() as memory:
        response = client.post(
            URL, headers=headers(tenant), content=_body(LIMIT + 1, schema_first=False)
        )
    assert response.status_code == 413, response.text
    assert (memory.peak - memory.base) / 2**20 < 30
    assert client.get(f"{BASE}/starbucks/status", headers=as_role(tenant)).json()["status"] == (
        "completed"
    )


def test_a_declared_length_over_the_limit_is_413_before_the_body_is_read(
    client: httpx.Client, tenant: str
) -> None:
    declared = LIMIT + 1024 * 1024

    def body() -> Iterator[bytes]:
        yield b"x" * 65536
        # The server answers from the headers; a client still sending would block here.
        for _ in range(declared // 65536 - 1):
            yield b"x" * 65536
        yield b"x" * (declared % 65536)

    with PeakMemory() as memory:
        response = client.post(
            URL,
            headers={**headers(tenant), "Content-Length": str(declared)},
            content=body(),
        )
    assert response.status_code == 413
    assert response.json()["maxBytes"] == LIMIT
    assert (memory.peak - memory.base) / 2**20 < 30
