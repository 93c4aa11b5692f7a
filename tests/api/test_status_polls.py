"""A load finishes, and every poll of its status answers, under 50 concurrent pollers."""

import threading

import httpx

from tests.conftest import as_role

BASE = "/api/v1/seed-dataset/starbucks"
POLLERS = 50


def test_a_load_finishes_under_fifty_concurrent_status_polls(server: str, tenant: str) -> None:
    done = threading.Event()
    statuses: list[int] = []
    seen: set[str] = set()

    def poll() -> None:
        with httpx.Client(base_url=server, timeout=120) as http:
            while not done.is_set():
                answer = http.get(f"{BASE}/status", headers=as_role(tenant, "viewer"))
                statuses.append(answer.status_code)
                seen.add(answer.json().get("status", "?"))

    pollers = [threading.Thread(target=poll) for _ in range(POLLERS)]
    for poller in pollers:
        poller.start()
    try:
        with httpx.Client(base_url=server, timeout=600) as http:
            loaded = http.post(f"{BASE}?scale=2", headers=as_role(tenant))
    finally:
        done.set()
        for poller in pollers:
            poller.join()
    assert loaded.status_code == 201, loaded.text
    assert statuses and set(statuses) == {200}
    assert "running" in seen
