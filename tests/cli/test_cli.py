"""The `seedpacks` command against the test database: every command, exit codes, --json, and
progress output that stays plain when nobody is watching a terminal."""

import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from click.testing import Result

from seedpacks import db
from seedpacks.config import get_settings
from seedpacks.packs.registry import PACKS
from tests.helpers import free_port

Run = Callable[..., Result]
STEP_LINE = re.compile(r"^\[ {0,2}\d{1,3}%\] \S")


@pytest.fixture
def tenant() -> str:
    return f"cli-{uuid.uuid4().hex[:12]}"


def assert_plain(text: str) -> None:
    assert "\x1b" not in text and "\r" not in text, repr(text[:200])


def assert_one_line_error(result: Result, code: int, *words: str) -> None:
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    # Progress lines of a failed operation may come first; the reason is one line, the last.
    lines = [line for line in result.stderr.splitlines() if not STEP_LINE.match(line)]
    assert len(lines) == 1 and lines[0].startswith("seedpacks: error: "), result.stderr
    assert result.stderr.endswith(lines[0] + "\n")
    for word in words:
        assert word in lines[0]


def test_list_shows_a_table_and_json_with_the_loaded_marker(cli: Run, tenant: str) -> None:
    result = cli("list", "--tenant", tenant)
    assert result.exit_code == 0, result.stderr
    assert_plain(result.stdout)
    assert "Starbucks Offers" in result.stdout and "loaded" not in result.stdout.split("Loaded")[1]
    listing = json.loads(cli("list", "--tenant", tenant, "--json").stdout)
    assert listing["currentlyLoaded"] is None
    starbucks = next(d for d in listing["datasets"] if d["key"] == "starbucks")
    assert starbucks["offerCount"] == 10 and starbucks["loaded"] is False


def test_show_describes_a_pack_and_its_tables(cli: Run) -> None:
    result = cli("show", "starbucks")
    assert result.exit_code == 0, result.stderr
    assert_plain(result.stdout)
    for text in ("Starbucks Offers", "Testing focus", "starbucks_customers", "became_member_on"):
        assert text in result.stdout
    assert "Planned counts at scale 1" in result.stdout and "Ground truth" in result.stdout
    described = json.loads(cli("show", "starbucks", "--scale", "3", "--json").stdout)
    assert described["key"] == "starbucks" and described["schemaCount"] == 3
    assert described["plannedCounts"]["starbucks_customers_rows"] == 3000
    customers = next(t for t in described["tables"] if t["name"] == "starbucks_customers")
    assert {"id", "gender", "age", "income"} <= {f["name"] for f in customers["columns"]}


def test_a_pack_loads_with_plain_progress_then_removes(cli: Run, tenant: str) -> None:
    loaded = cli("load", "starbucks", "--tenant", tenant, "--scale", "2")
    assert loaded.exit_code == 0, loaded.stderr
    assert_plain(loaded.stdout + loaded.stderr)
    lines = loaded.stderr.splitlines()
    assert all(STEP_LINE.match(line) for line in lines), lines
    percents = [int(line[1:4]) for line in lines]
    assert percents == sorted(percents) and percents[-1] == 100 and lines[-1].endswith("Done")
    assert any("Loading starbucks_customers" in line for line in lines)
    assert "Starbucks Offers loaded successfully" in loaded.stdout
    assert re.search(r"starbucks_customers_rows\s+│\s+2,000", loaded.stdout)

    listing = json.loads(cli("list", "--tenant", tenant, "--json").stdout)
    assert listing["currentlyLoaded"] == "starbucks"
    status = json.loads(cli("status", "--tenant", tenant, "--json").stdout)
    assert status["currentlyLoaded"] == "starbucks" and status["status"] == "completed"
    assert status["progress"] == 100
    human = cli("status", "--tenant", tenant)
    assert human.exit_code == 0 and "completed" in human.stdout
    assert_plain(human.stdout)

    removed = cli("remove", "starbucks", "--tenant", tenant, "--json")
    assert removed.exit_code == 0, removed.stderr
    body = json.loads(removed.stdout)
    assert body["counts"]["starbucks_customers_rows"] == 2000
    assert_one_line_error(
        cli("remove", "starbucks", "--tenant", tenant), 3, "not loaded", "nothing to remove"
    )
    idle = json.loads(cli("status", "--tenant", tenant, "--json").stdout)
    assert idle["currentlyLoaded"] is None


def test_a_pack_not_loaded_exits_3_everywhere_and_says_how_to_load_it(
    cli: Run, tenant: str, tmp_path: Path
) -> None:
    csv = tmp_path / "customers.csv"
    csv.write_text("gender,age,id,became_member_on,income\nF,55,a,20170715,1\n")
    upload = cli("upload", "starbucks", "starbucks_customers", str(csv), "--tenant", tenant)
    # The API answers 400 here (the reference's code for an upload); the CLI, like for a
    # removal (404), exits 3 and names the command that loads it.
    assert_one_line_error(upload, 3, "not loaded", "load it first (`seedpacks load starbucks`)")
    assert "/api/v1" not in upload.stderr
    as_json = cli("upload", "starbucks", "starbucks_customers", str(csv), "-t", tenant, "--json")
    assert as_json.exit_code == 3 and json.loads(as_json.stdout)["status"] == 400
    assert_one_line_error(cli("remove", "starbucks", "--tenant", tenant), 3, "not loaded")


def test_conflicts_exit_4_and_force_replaces(cli: Run, tenant: str) -> None:
    assert cli("load", "starbucks", "--tenant", tenant).exit_code == 0
    again = cli("load", "starbucks", "--tenant", tenant)
    assert_one_line_error(again, 4, "already loaded", "--force")
    forced = cli("load", "starbucks", "--tenant", tenant, "--force", "--seed", "7", "--json")
    assert forced.exit_code == 0, forced.stderr
    body = json.loads(forced.stdout)
    assert (body["replaced"], body["seed"], body["datasetKey"]) == ("starbucks", 7, "starbucks")
    human = cli("remove", "starbucks", "--tenant", tenant)
    assert human.exit_code == 0 and "removed successfully" in human.stdout
    assert_plain(human.stdout)


def test_bad_input_exits_2_unknown_keys_3(cli: Run, tenant: str) -> None:
    assert_one_line_error(cli("load", "starbucks", "--tenant", tenant, "--scale", "0"), 2, "scale")
    usage = cli("load", "starbucks", "--scale", "many")
    assert usage.exit_code == 2 and "--scale" in usage.stderr
    assert_plain(usage.stderr)
    assert_one_line_error(cli("load", "nope", "--tenant", tenant), 3, "'nope'", "seedpacks list")
    assert_one_line_error(cli("show", "nope"), 3, "'nope'")
    assert_one_line_error(cli("remove", "nope", "--tenant", tenant), 3, "'nope'")


def test_json_errors_carry_the_error_body(cli: Run, tenant: str) -> None:
    result = cli("load", "nope", "--tenant", tenant, "--json")
    assert result.exit_code == 3
    assert json.loads(result.stdout) == {
        "status": 404,
        "message": "No dataset pack with key 'nope'. "
        "GET /api/v1/seed-dataset lists the available keys.",
        "datasetKey": "nope",
    }


def test_rate_limit_exits_6(cli: Run, tenant: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEEDPACKS_RATE_LIMIT", "1")
    get_settings.cache_clear()
    assert cli("load", "nope", "--tenant", tenant).exit_code == 3  # 404 before counting
    assert cli("load", "starbucks", "--tenant", tenant, "--scale", "1").exit_code == 0
    assert_one_line_error(cli("load", "starbucks", "--tenant", tenant), 6, "Rate limit")
    assert cli("remove", "starbucks", "--tenant", tenant).exit_code == 0


def test_an_unreachable_database_exits_1_in_one_line(
    cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    monkeypatch.setenv("SEEDPACKS_DATABASE_URL", f"postgresql://nobody@127.0.0.1:{port}/none")
    get_settings.cache_clear()
    assert_one_line_error(cli("list"), 1, "cannot reach the database")


def _environment(database_url: str) -> dict[str, str]:
    return {**os.environ, "SEEDPACKS_DATABASE_URL": database_url, "TERM": "xterm-256color"}


def test_a_real_process_writes_no_terminal_codes_into_pipes(database_url: str, tenant: str) -> None:
    """Through real pipes (TERM says colour): step lines on stderr, the table on stdout."""
    command = [sys.executable, "-m", "seedpacks", "load", "starbucks", "--tenant", tenant]
    done = subprocess.run(
        command, capture_output=True, text=True, env=_environment(database_url), timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert_plain(done.stdout + done.stderr)
    assert all(STEP_LINE.match(line) for line in done.stderr.splitlines()), done.stderr
    assert "starbucks_customers_rows" in done.stdout
    removed = subprocess.run(
        [sys.executable, "-m", "seedpacks", "remove", "starbucks", "--tenant", tenant, "--json"],
        capture_output=True,
        text=True,
        env=_environment(database_url),
        timeout=120,
    )
    assert removed.returncode == 0 and json.loads(removed.stdout)["datasetKey"] == "starbucks"


@contextmanager
def _serving(
    port: int, env: dict[str, str], *options: str, log: Path | None = None
) -> Iterator[None]:
    """Run `seedpacks serve` on `port` until it answers /healthz; SIGTERM it after the block."""
    command = [sys.executable, "-m", "seedpacks", "serve", "--port", str(port), *options]
    stderr = log.open("wb") if log else subprocess.DEVNULL
    process = subprocess.Popen(command, env=env, stderr=stderr)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        yield
    finally:
        process.terminate()  # SIGTERM, as a service manager sends
        process.wait(timeout=60)
        if log:
            stderr.close()  # type: ignore[union-attr]


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_answers_http(database_url: str, workers: int) -> None:
    port = free_port()
    with _serving(port, _environment(database_url), "--workers", str(workers)):
        health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
        assert health.json() == {"status": "ok"}
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
        assert page.status_code == 200 and "Sample Data" in page.text


def test_upload_replaces_a_table_and_bad_files_exit_2_with_the_line(
    cli: Run, tenant: str, tmp_path: Path
) -> None:
    assert cli("load", "starbucks", "--tenant", tenant).exit_code == 0
    good = tmp_path / "customers.csv"
    lines = [f"{'MF'[i % 2]},{20 + i % 60},c{i},20170715,{1000 + i}" for i in range(20_000)]
    good.write_text("gender,age,id,became_member_on,income\n" + "\n".join(lines) + "\n")
    result = cli("upload", "starbucks", "starbucks_customers", str(good), "--tenant", tenant)
    assert result.exit_code == 0, result.stderr
    assert_plain(result.stdout + result.stderr)
    progress = result.stderr.splitlines()
    assert all(STEP_LINE.match(line) for line in progress), progress
    assert progress[0].endswith("Receiving the file") and progress[-1].endswith("Done")
    assert "Uploaded 20000 rows to starbucks_customers" in result.stdout

    bad = tmp_path / "bad.csv"
    bad.write_text("gender,age,id,became_member_on,income\nF,55,a,20170715,1\nM,abc,b,20170715,2\n")
    failed = cli("upload", "starbucks", "starbucks_customers", str(bad), "--tenant", tenant)
    assert_one_line_error(failed, 2, "Line 3, column 'age': 'abc' is not a whole number.")
    as_json = cli("upload", "starbucks", "starbucks_offers", str(bad), "--tenant", tenant, "--json")
    assert as_json.exit_code == 2 and json.loads(as_json.stdout)["status"] == 400
    assert_one_line_error(
        cli("upload", "starbucks", "nope", str(good), "--tenant", tenant), 2, "'nope'"
    )
    missing = cli("upload", "starbucks", "starbucks_customers", str(tmp_path / "none.csv"))
    assert missing.exit_code == 2 and "does not exist" in missing.stderr
    rows = json.loads(
        cli("upload", "starbucks", "starbucks_customers", str(good), "-t", tenant, "--json").stdout
    )
    assert rows["rowsInserted"] == 20_000 and rows["schemaName"] == "starbucks_customers"


def test_simulate_shows_its_progress_and_names_offers(cli: Run, tenant: str) -> None:
    result = cli("simulate", "starbucks", "--decisions", "40", "--tenant", tenant, "--seed", "1")
    assert result.exit_code == 0, result.stderr
    progress = result.stderr.splitlines()
    assert all(STEP_LINE.match(line) for line in progress), progress
    simulating = [line for line in progress if "Simulating decisions" in line]
    assert simulating[-1] == "[100%] Simulating decisions (40/40 decisions)", simulating
    assert len(simulating) >= 4  # a line per quarter in a pipe; a live bar on a terminal
    best = next(line for line in result.stdout.splitlines() if "best single offer (" in line)
    offers = {offer.name for offer in PACKS["starbucks"].offers}
    assert any(f"best single offer ({name})" in best for name in offers), best


def test_help_shows_defaults_and_one_kind_of_placeholder(cli: Run, tenant: str) -> None:
    helps = {c: cli(c, "--help").stdout for c in ("list", "show", "load", "upload", "simulate")}
    helps["serve"] = cli("serve", "--help").stdout
    assert "[default: 42, or SEEDPACKS_DEFAULT_SEED]" in " ".join(helps["load"].split())
    assert "--tenant TENANT" in helps["show"]
    assert "{KEY} {TABLE} {FILE}" in helps["upload"]
    for command, text in helps.items():
        options = [line for line in text.splitlines() if line.lstrip().startswith("-")]
        # An option's value is named in capitals (N, TENANT, ...), never by type (<int>).
        assert not any("<" in line for line in options), (command, options)
    shown = cli("show", "starbucks", "--tenant", tenant)
    assert shown.exit_code == 0, shown.stderr
    assert f"Starbucks Offers is not loaded (loaded: none) in tenant '{tenant}'." in shown.stdout


def test_a_file_over_the_limit_exits_5_before_any_of_it_is_sent(
    cli: Run, tenant: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("load", "starbucks", "--tenant", tenant).exit_code == 0
    monkeypatch.setenv("SEEDPACKS_UPLOAD_MAX_BYTES", "4096")
    get_settings.cache_clear()
    big = tmp_path / "big.csv"
    big.write_text("gender,age,id,became_member_on,income\n" + "F,55,a,20170715,1\n" * 400)
    result = cli("upload", "starbucks", "starbucks_customers", str(big), "--tenant", tenant)
    # Refused from the file's size: no operation began, so no progress, and nothing was read.
    assert_one_line_error(result, 5, "larger than the upload limit", "(4096 bytes)")
    assert "Receiving" not in result.stderr
    status = json.loads(cli("status", "--tenant", tenant, "--json").stdout)
    assert status["operation"] == "load" and status["status"] == "completed"


def test_a_stopped_serve_stops_its_embedded_postgresql(tmp_path: Path) -> None:
    """uvicorn re-raises SIGTERM after its graceful shutdown, skipping exit handlers: the service
    lets go of the embedded server in its lifespan, so `docker stop` leaves nothing running."""
    env = {k: v for k, v in os.environ.items() if k != "SEEDPACKS_DATABASE_URL"}
    env["SEEDPACKS_DATA_DIR"] = str(tmp_path)
    postmaster = tmp_path / "pgdata" / "postmaster.pid"
    log = tmp_path / "serve.log"
    with _serving(free_port(), env, log=log):
        assert postmaster.exists()
        # A new user learns where the data went without reading the code.
        assert f"embedded PostgreSQL, data in {tmp_path}" in log.read_text()
        # Tuned for bulk loads as the service starts it (db.tune_embedded).
        tuned = (tmp_path / "pgdata" / "postgresql.auto.conf").read_text()
        assert f"max_wal_size = '{db.EMBEDDED_MAX_WAL_SIZE}'" in tuned
    deadline = time.monotonic() + 30
    while postmaster.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not postmaster.exists(), "the embedded PostgreSQL is still running"
