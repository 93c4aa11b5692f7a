"""The insurance pack, shipped only as a pack file: its stated figures hold at scale 20 (20,000
customers, 36,000 policies), each within four standard errors, and the server starts with it at
the largest scale."""

import math
import os
import subprocess
import sys
import time
from functools import cache
from pathlib import Path

import httpx
import polars as pl
import pytest

from seedpacks.config import Settings
from seedpacks.packs.files import file_text, load_file_pack
from seedpacks.packs.registry import PACKS
from seedpacks.seeding.generate import Generator
from tests.conftest import as_role
from tests.helpers import free_port

SCALE = 20
SIGMAS = 4.0
# The figures insurance.yaml states, written out again so that a changed figure fails a test.
ROWS = {"insurance_customers": 1000, "insurance_policies": 1800, "insurance_claims": 500,
        "insurance_renewals": 1200}  # fmt: skip
REGIONS = {"urban": 0.45, "suburban": 0.35, "rural": 0.20}
MOTOR_BY_AGE = ((18, 24, 0.35), (25, 75, 0.60), (76, 90, 0.30))
LIFE_BY_DEPENDANTS = {0: 0.10, 1: 0.25, 2: 0.35, 3: 0.40}
PRODUCTS = {"motor": 0.50, "home": 0.35, "life": 0.15}
CLAIM_FREE = 0.72
NOT_RENEWED = 0.30


@cache
def table(name: str) -> pl.DataFrame:
    return pl.concat(Generator(PACKS["insurance"], seed=42, scale=SCALE).chunks(name))


def assert_share(flags: pl.Series, expected: float) -> None:
    n = flags.len()
    error = math.sqrt(expected * (1 - expected) / n)
    assert abs(flags.mean() - expected) <= SIGMAS * error, (flags.mean(), expected, n)


def test_it_is_registered_from_its_file_with_the_stated_tables() -> None:
    pack = PACKS["insurance"]
    assert "format: seedpacks/v1" in file_text(name="insurance")
    assert {t.name: t.rows for t in pack.tables} == ROWS
    assert {o.id for o in pack.offers} >= {"ins_home_cover", "ins_motor_cover", "ins_life_cover"}
    assert {c.id for c in pack.categories} == {"ins_cross_sell", "ins_retention"}
    assert len(pack.ground_truth.arms) == 12


def test_ids_never_repeat_and_every_reference_resolves() -> None:
    customers, policies = table("insurance_customers"), table("insurance_policies")
    assert customers.height == 1000 * SCALE and customers["customer_id"].is_unique().all()
    assert policies["policy_id"].is_unique().all()
    assert policies["customer_id"].is_in(customers["customer_id"].implode()).all()
    for name, key in (("insurance_claims", "claim_id"), ("insurance_renewals", "renewal_id")):
        rows = table(name)
        assert rows[key].is_unique().all()
        assert rows["policy_id"].is_in(policies["policy_id"].implode()).all()


def test_the_customers_follow_the_stated_shares() -> None:
    customers = table("insurance_customers")
    assert customers["age"].min() >= 18 and customers["age"].max() <= 90
    for region, share in REGIONS.items():
        assert_share(customers["region"] == region, share)
    for low, high, share in MOTOR_BY_AGE:
        band = customers.filter(pl.col("age").is_between(low, high))
        assert_share(band["has_motor"], share)
    for dependants, share in LIFE_BY_DEPENDANTS.items():
        assert_share(customers.filter(pl.col("dependants") == dependants)["has_life"], share)
    assert_share(customers["claims_last_3y"] == 0, CLAIM_FREE)
    # Home cover grows with age; app use falls with it.
    young, old = customers.filter(pl.col("age") < 35), customers.filter(pl.col("age") > 60)
    assert young["has_home"].mean() < old["has_home"].mean()
    assert young["uses_app"].mean() > old["uses_app"].mean()


def test_policies_claims_and_renewals_follow_the_stated_shares() -> None:
    policies = table("insurance_policies")
    for product, share in PRODUCTS.items():
        assert_share(policies["product"] == product, share)
    medians = {
        str(product): float(median)
        for product, median in policies.group_by("product")
        .agg(pl.col("premium").median())
        .iter_rows()
    }
    assert medians["motor"] > medians["life"] > medians["home"]
    assert_share(table("insurance_renewals")["outcome"] != "renewed", NOT_RENEWED)


def test_it_parses_at_a_scale_beyond_the_per_file_row_limit(settings: Settings) -> None:
    huge = settings.model_copy(update={"max_scale": 1_000_000, "pack_file_max_rows": 1000})
    pack = load_file_pack(name="insurance", settings=huge)
    assert pack.key == "insurance"


def test_the_server_starts_with_it_at_a_million_times_scale(
    database_url: str, tmp_path: Path
) -> None:
    port = free_port()
    env = {**os.environ, "SEEDPACKS_DATABASE_URL": database_url, "SEEDPACKS_MAX_SCALE": "1000000"}
    command = [sys.executable, "-m", "seedpacks", "serve", "--port", str(port), "--no-access-log"]
    log = tmp_path / "serve.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen(command, env=env, stderr=stderr)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server exited: {log.read_text()[-2000:]}")
            assert time.monotonic() < deadline, "the server did not answer /healthz"
            try:
                if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        listed = httpx.get(f"{url}/api/v1/seed-dataset", headers=as_role("t"), timeout=30)
        assert "insurance" in [d["key"] for d in listed.json()["datasets"]]
    finally:
        process.terminate()
        process.wait(timeout=60)
