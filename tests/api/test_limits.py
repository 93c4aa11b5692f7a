"""The bounds of api/limits.py over real HTTP: header size, body size, a body that stalls."""

import httpx

from tests.conftest import as_role
from tests.helpers import answer_of, held_request

RECOMMEND = "/api/v1/recommend"


def test_a_json_body_declared_too_large_is_413_before_it_is_read(server: str, tenant: str) -> None:
    # 105 MB declared, 1 KB sent: the answer comes without waiting for the rest.
    headers = {**as_role(tenant, "editor"), "Content-Type": "application/json"}
    with held_request(
        server, RECOMMEND, headers=headers, length=105 * 1024 * 1024, sent=b"{" + b" " * 1023
    ) as sock:
        status, body = answer_of(sock)
    assert status == 413 and body["status"] == 413
    assert "SEEDPACKS_MAX_BODY_BYTES" in body["message"] and "65536 bytes" in body["message"]


def test_a_chunked_json_body_is_cut_off_at_the_limit(server: str, tenant: str) -> None:
    # No Content-Length to refuse it by: counted as it arrives, refused at the first byte past.
    sock_headers = {
        **as_role(tenant, "editor"),
        "Content-Type": "application/json",
        "Transfer-Encoding": "chunked",
    }
    chunk = b"4000\r\n" + b" " * 0x4000 + b"\r\n"
    with held_request(server, RECOMMEND, headers=sock_headers, length=None) as sock:
        for _ in range(5):  # 80 KiB, then nothing more
            sock.sendall(chunk)
        status, body = answer_of(sock)
    assert status == 413 and "SEEDPACKS_MAX_BODY_BYTES" in body["message"]


def test_headers_over_the_limit_are_431(client: httpx.Client, tenant: str) -> None:
    headers = {**as_role(tenant), **{f"X-Padding-{i}": "x" * 1000 for i in range(20)}}
    answer = client.get("/api/v1/seed-dataset", headers=headers)
    assert answer.status_code == 431
    assert "SEEDPACKS_MAX_HEADER_BYTES" in answer.json()["message"]


def test_a_body_within_the_limits_is_served(client: httpx.Client, tenant: str) -> None:
    # Just under 64 KiB (padding inside the JSON), on the plain path: the limit is the body's.
    body = {"customerId": "c1", "channel": "email", "excludeOffers": ["x" * 60_000]}
    answer = client.post(RECOMMEND, json=body, headers=as_role(tenant, "editor"))
    assert answer.status_code == 409  # no pack loaded: the body itself was taken
    assert "loaded" in answer.json()["message"]


def test_a_stalled_json_body_is_cut_off_and_healthz_answers_meanwhile(
    strict_server: str, tenant: str
) -> None:
    headers = {**as_role(tenant, "editor"), "Content-Type": "application/json"}
    with held_request(strict_server, RECOMMEND, headers=headers, length=100, sent=b"{") as sock:
        assert httpx.get(f"{strict_server}/healthz").json() == {"status": "ok"}
        status, body = answer_of(sock)
    assert status == 408 and "SEEDPACKS_BODY_TIMEOUT_SECONDS" in body["message"]
