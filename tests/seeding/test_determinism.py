"""Same pack, seed and scale: the same bytes, in any tenant, on any server, in any chunk size."""

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import numpy as np
import polars as pl
import psycopg
import pytest
from psycopg import sql
from psycopg_pool import ConnectionPool

from seedpacks.packs.model import Pack
from seedpacks.packs.registry import PACKS
from seedpacks.seeding import generate
from seedpacks.seeding.copy import render_csv
from seedpacks.seeding.generate import Generator
from seedpacks.seeding.load import load_pack, load_steps
from seedpacks.seeding.progress import Progress
from seedpacks.seeding.tenancy import tenant_schema
from tests.conftest import as_role

BASE = "/api/v1/seed-dataset"
# Settings a server elsewhere may have that change how values print; the manifest must not care.
FOREIGN_SERVER = "-c TimeZone=Asia/Kathmandu -c DateStyle=SQL,DMY -c extra_float_digits=3"


@contextmanager
def rolled_back(url: str, options: str = "") -> Iterator[psycopg.Connection]:
    """A connection whose one transaction is always rolled back: nothing to clean up."""
    with (
        psycopg.connect(url, autocommit=True, options=options) as conn,
        conn.transaction(force_rollback=True),
    ):
        yield conn


def load(conn: psycopg.Connection, tenant: str, pack: Pack, *, seed: int = 42, scale: int = 1):
    progress = Progress(
        None, tenant=tenant, dataset_key=pack.key, operation="load", steps=load_steps(pack, scale)
    )
    return load_pack(conn, tenant=tenant, pack=pack, seed=seed, scale=scale, progress=progress)


def random_tables(pack: Pack) -> list[str]:
    """The tables whose content depends on the seed (those that grow with the scale)."""
    return [t.name for t in pack.tables if t.scales] + ["interactions"]


@pytest.mark.parametrize("key", sorted(PACKS))
def test_same_seed_same_manifest_in_two_tenants_other_seed_other_data(
    key: str, pool: ConnectionPool, database_url: str, tenant: str
) -> None:
    pack = PACKS[key]
    with rolled_back(database_url) as conn:
        first = load(conn, f"{tenant}-a", pack, seed=42)
        second = load(conn, f"{tenant}-b", pack, seed=42)
        other = load(conn, f"{tenant}-c", pack, seed=43)
    assert first.manifest == second.manifest
    assert set(first.manifest) == {t.name for t in pack.tables} | {"interactions"}
    for table in pack.tables:
        assert first.manifest[table.name]["rows"] == first.counts[table.count_key]
    assert first.manifest["interactions"]["rows"] == first.counts["interactions"]
    for name in random_tables(pack):
        assert other.manifest[name]["hashSum"] != first.manifest[name]["hashSum"], name


def test_two_tenants_loading_through_the_api_get_identical_manifests(
    client: httpx.Client, tenant: str, pool: ConnectionPool
) -> None:
    bodies = []
    for who in (f"{tenant}-x", f"{tenant}-y"):
        response = client.post(f"{BASE}/starbucks?seed=9&scale=2", headers=as_role(who))
        assert response.status_code == 201
        bodies.append(response.json())
        client.delete(f"{BASE}/starbucks", headers=as_role(who))
    assert bodies[0]["manifest"] == bodies[1]["manifest"]
    assert bodies[0]["manifest"]["starbucks_customers"]["rows"] == 2000
    assert all(int(entry["hashSum"]) != 0 for entry in bodies[0]["manifest"].values())


@pytest.mark.parametrize("key", sorted(PACKS))
def test_manifest_ignores_server_settings_and_chunk_size(
    key: str,
    pool: ConnectionPool,
    database_url: str,
    tenant: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pack = PACKS[key]
    with rolled_back(database_url) as conn:
        usual = load(conn, tenant, pack, scale=2).manifest
    monkeypatch.setattr(generate, "CHUNK_ROWS", 777)
    with rolled_back(database_url, FOREIGN_SERVER) as conn:
        elsewhere = load(conn, tenant, pack, scale=2).manifest
    assert elsewhere == usual


def _rows(conn: psycopg.Connection, query: sql.Composable) -> int:
    row = conn.execute(query).fetchone()
    return int(row[0]) if row else 0


@pytest.mark.parametrize("key", sorted(PACKS))
def test_scale_two_keeps_the_rows_of_scale_one(
    key: str, pool: ConnectionPool, database_url: str, tenant: str
) -> None:
    pack = PACKS[key]
    small, big = f"{tenant}-1", f"{tenant}-2"
    with rolled_back(database_url) as conn:
        load(conn, small, pack, scale=1)
        load(conn, big, pack, scale=2)
        for table in pack.tables:
            a = sql.Identifier(tenant_schema(small), table.name)
            b = sql.Identifier(tenant_schema(big), table.name)
            missing = sql.SQL(
                "SELECT count(*) FROM (SELECT * FROM {} EXCEPT ALL SELECT * FROM {}) d"
            )
            assert _rows(conn, missing.format(a, b)) == 0, table.name
            count = sql.SQL("SELECT count(*) FROM {}")
            assert _rows(conn, count.format(b)) == table.rows_at(2), table.name
        history = sql.SQL(
            "SELECT customer_id, offer_id, creative_id, channel_id, outcome, occurred_at"
            " FROM interactions WHERE tenant_id = {}"
        )
        lost = sql.SQL("SELECT count(*) FROM ({} EXCEPT ALL {}) d").format(
            history.format(sql.Literal(small)), history.format(sql.Literal(big))
        )
        assert _rows(conn, lost) == 0


@pytest.mark.parametrize("key", sorted(PACKS))
def test_generated_rows_of_a_smaller_scale_are_the_prefix_of_a_larger_one(key: str) -> None:
    pack = PACKS[key]
    one, three = Generator(pack, seed=5, scale=1), Generator(pack, seed=5, scale=3)
    for table in pack.tables:
        idx = np.arange(table.rows_at(1))
        assert one.frame(table.name, idx).equals(three.frame(table.name, idx)), table.name
    first = np.arange(pack.ground_truth.interactions)
    assert one.interactions(first).equals(three.interactions(first))


def _csv(frames: Iterator[pl.DataFrame]) -> bytes:
    return b"".join(render_csv(frame) for frame in frames)


@pytest.mark.parametrize("key", sorted(PACKS))
def test_chunk_size_does_not_change_a_byte(key: str) -> None:
    generator = Generator(PACKS[key], seed=11, scale=2)
    for table in generator.pack.tables:
        whole = _csv(generator.chunks(table.name, chunk_rows=1_000_000))
        assert _csv(generator.chunks(table.name, chunk_rows=333)) == whole, table.name
    whole = _csv(generator.interaction_chunks(chunk_rows=1_000_000))
    assert _csv(generator.interaction_chunks(chunk_rows=333)) == whole
