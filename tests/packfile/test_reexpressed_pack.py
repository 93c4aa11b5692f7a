"""Issue 13's proof of completeness: the banking pack re-expressed as a pack file
(packs/files/banking.yaml) is the Python pack: the same entities, tables and ground truth, the
same rows, and loaded by the generic loader the same manifests, table by table."""

import dataclasses
import sys

import numpy as np
import pytest
from psycopg_pool import ConnectionPool

from seedpacks.config import get_settings
from seedpacks.packfile import parse_pack
from seedpacks.packs import files
from seedpacks.packs.depend import Dependent
from seedpacks.packs.describe import describe
from seedpacks.packs.model import Pack, Table
from seedpacks.packs.registry import PACKS
from seedpacks.seeding.generate import Generator
from tests.seeding.test_determinism import load, rolled_back

PYTHON = PACKS["banking"]
TEXT = files.file_text(name="banking")
FILE = files.load_file_pack(name="banking")
# (seed, scale) of the comparisons: scale 1, and a larger scale with another seed.
LOADS = ((42, 1), (7, 4))


def test_the_file_keeps_the_python_packs_key_and_is_not_registered() -> None:
    assert FILE.key == PYTHON.key == "banking"
    assert "banking" not in files.BUILT_IN
    assert all(pack.key != "banking" for pack in files.built_in_packs())


def test_every_entity_and_the_ground_truth_equal_the_python_declaration() -> None:
    for field in dataclasses.fields(Pack):
        if field.name != "tables":
            assert getattr(FILE, field.name) == getattr(PYTHON, field.name), field.name
    assert len(FILE.ground_truth.arms) == 48 and len(FILE.creatives) == 48


def _without_generators(table: Table) -> Table:
    return dataclasses.replace(
        table, columns=tuple(dataclasses.replace(c, generate=None) for c in table.columns)
    )


def test_every_table_equals_the_python_declaration_but_for_its_generator_functions() -> None:
    assert [t.name for t in FILE.tables] == [t.name for t in PYTHON.tables]
    for ours, theirs in zip(FILE.tables, PYTHON.tables, strict=True):
        # Names, types, nullability, descriptions, CSV mappings, decimals, keys, references,
        # indexes, copulas, rows and scaling.
        assert _without_generators(ours) == _without_generators(theirs), ours.name


def _depends_on(pack: Pack) -> dict[tuple[str, str], set[str]]:
    return {
        (t.name, c.name): set(c.generate.on)
        for t in pack.tables
        for c in t.columns
        if isinstance(c.generate, Dependent)
    }


@pytest.mark.parametrize("scale", [1, 10])
def test_the_description_is_the_python_packs_but_for_the_rules_wording(scale: int) -> None:
    ours, theirs = describe(FILE, scale), describe(PYTHON, scale)
    for body in (ours, theirs):
        for table in body["tables"]:
            table["dependencies"]["columns"] = None
    assert ours == theirs  # entities, tables, planned counts and the ground truth
    # The same columns follow the same others (the order they are named in may differ).
    assert _depends_on(FILE) == _depends_on(PYTHON)


@pytest.mark.parametrize(("seed", "scale"), LOADS)
def test_every_column_and_the_interactions_are_the_python_packs(seed: int, scale: int) -> None:
    ours, theirs = (
        Generator(FILE, seed=seed, scale=scale),
        Generator(PYTHON, seed=seed, scale=scale),
    )
    for table in PYTHON.tables:
        rows = np.arange(table.rows_at(scale))
        mine, python = ours.frame(table.name, rows), theirs.frame(table.name, rows)
        assert mine.schema == python.schema, table.name
        for column in python.columns:
            assert mine[column].equals(python[column]), f"{table.name}.{column}"
    rows = np.arange(PYTHON.ground_truth.interactions * scale)
    assert ours.interactions(rows).equals(theirs.interactions(rows))


@pytest.mark.parametrize(("seed", "scale"), LOADS)
def test_loaded_in_two_tenants_the_file_and_the_python_pack_give_identical_manifests(
    seed: int, scale: int, pool: ConnectionPool, database_url: str, tenant: str
) -> None:
    with rolled_back(database_url) as conn:
        python = load(conn, f"{tenant}-py", PYTHON, seed=seed, scale=scale)
        ours = load(conn, f"{tenant}-file", FILE, seed=seed, scale=scale)
    assert set(ours.manifest) == {t.name for t in PYTHON.tables} | {"interactions"}
    assert ours.manifest == python.manifest
    assert ours.counts == python.counts
    assert ours.manifest["banking_transactions"]["rows"] == 5000 * scale


def _edited(old: str, new: str) -> Pack:
    assert TEXT.count(old) == 1, old
    # Bounded by the largest scale alone, as the packaged file is (files.load_file_pack).
    unbounded = get_settings().model_copy(update={"pack_file_max_rows": sys.maxsize})
    return parse_pack(TEXT.replace(old, new), settings=unbounded)


def test_changing_one_weight_of_the_file_changes_that_tables_manifest(
    pool: ConnectionPool, database_url: str, tenant: str
) -> None:
    # The region's weights (London 18 -> 19) and the travel debits' income elasticity.
    regions = _edited(
        "weights: [18, 16, 14, 18, 12, 8, 14]", "weights: [19, 16, 14, 18, 12, 8, 14]"
    )
    travel = _edited("cash: 0.2, travel: 0.7", "cash: 0.2, travel: 0.71")
    with rolled_back(database_url) as conn:
        python = load(conn, f"{tenant}-py", PYTHON).manifest
        by_region = load(conn, f"{tenant}-region", regions).manifest
        by_travel = load(conn, f"{tenant}-travel", travel).manifest
    customers, transactions = "banking_customers", "banking_transactions"
    assert by_region[customers]["rows"] == python[customers]["rows"]
    assert by_region[customers]["hashSum"] != python[customers]["hashSum"]
    assert by_region[transactions] == python[transactions]  # no transaction reads the region
    assert by_travel[customers] == python[customers]
    assert by_travel[transactions]["hashSum"] != python[transactions]["hashSum"]
