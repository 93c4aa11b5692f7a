"""`pack infer` on the repository's own CSV files: the inferred pack parses, its customer table
reproduces the file's marginals and main dependencies, and no row of the file comes out.

tests/fixtures/infer/telco-customers-2000.csv is the built-in telco pack's customer table at
seed 13 and scale 2 (Generator(PACKS["telco"], seed=13, scale=2).frame(...).write_csv): big
enough for the dependencies, and its dependencies are known.
"""

from pathlib import Path

import numpy as np
import polars as pl
import psycopg
import pytest
from psycopg import sql
from psycopg_pool import ConnectionPool
from scipy import stats

from seedpacks.packfile import parse_pack
from seedpacks.packfile.csvfile import read_csv
from seedpacks.packfile.dependence import cramers_v, eta_squared
from seedpacks.packfile.infer import infer_pack_file
from seedpacks.packfile.infer_table import Profiled, profile_file
from seedpacks.packs.model import Pack
from seedpacks.seeding.generate import Generator
from seedpacks.seeding.load import load_pack, load_steps
from seedpacks.seeding.progress import Progress
from seedpacks.seeding.tenancy import tenant_schema
from seedpacks.seeding.upload import UPLOAD_STEPS, upload_csv

FIXTURES = Path(__file__).parents[1] / "fixtures"
FILES = sorted((FIXTURES / "upload").glob("*.csv")) + [
    FIXTURES / "infer" / "telco-customers-2000.csv"
]
BIG = FILES[-1]
ROWS = 5000


def _inferred(path: Path, *, rows: int = ROWS) -> tuple[Pack, Profiled, pl.DataFrame]:
    """Return the pack inferred from the file, the file's profile and the generated table."""
    data = path.read_bytes()
    pack = parse_pack(infer_pack_file(data, key="mine", rows=rows), origin=path.name)
    table = pack.tables[0]
    frame = Generator(pack, seed=1, scale=1).frame(table.name, np.arange(rows, dtype=np.int64))
    return pack, profile_file(read_csv(data)), frame


@pytest.fixture(scope="module")
def big() -> tuple[Pack, Profiled, pl.DataFrame]:
    return _inferred(BIG)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_the_inferred_table_has_the_files_marginals(path: Path) -> None:
    pack, profiled, frame = _inferred(path)
    for p in profiled.profiles:
        source, made = profiled.typed[p.name], frame[p.name]
        assert frame.schema[p.name] == source.dtype or p.type == "decimal", p.name
        assert made.null_count() / len(made) == pytest.approx(p.missing, abs=0.03), p.name
        if p.role == "category":
            expected = source.drop_nulls().value_counts(normalize=True)
            got = made.drop_nulls().value_counts(normalize=True)
            both = expected.join(got, on=p.name, how="full", coalesce=True).fill_null(0)
            gap = (both["proportion"] - both["proportion_right"]).abs().max()
            # four standard errors of a share of the rows with a value
            assert gap <= 4 * np.sqrt(0.25 / made.drop_nulls().len()), (p.name, both)
        elif p.role == "numeric":
            x = source.drop_nulls().to_physical().cast(pl.Float64).to_numpy()
            y = made.drop_nulls().to_physical().cast(pl.Float64).to_numpy()
            # Each quantile of the file is one of the table's within 3 points of probability
            # (values as rounded: whole numbers, days or the column's decimals).
            step = 10.0**-p.decimals if p.type == "decimal" else 0.5
            for probability in (0.1, 0.25, 0.5, 0.75, 0.9):
                q = np.quantile(x, probability)
                below, upto = np.mean(y < q - step), np.mean(y <= q + step)
                assert below - 0.03 <= probability <= upto + 0.03, (p.name, probability, q)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_no_row_of_the_file_is_generated(path: Path) -> None:
    _, profiled, frame = _inferred(path)
    source = pl.DataFrame(profiled.typed)
    made = frame.select(source.columns).cast(dict(source.schema))
    copied = made.join(source.unique(), on=source.columns, how="semi", nulls_equal=True)
    assert copied.height == 0


def test_no_row_of_the_file_is_generated_even_leaving_the_ids_out(big: tuple) -> None:
    _, profiled, frame = big
    columns = [p.name for p in profiled.profiles if p.role != "id"]
    source = pl.DataFrame(profiled.typed).select(columns)
    made = frame.select(columns).cast(dict(source.schema))
    assert made.join(source.unique(), on=columns, how="semi", nulls_equal=True).height == 0


def test_ids_are_generated_in_the_files_shape_never_copied(big: tuple) -> None:
    _, profiled, frame = big
    ids = frame["customer_id"]
    assert ids.n_unique() == len(ids)
    assert ids.str.contains(r"^\d{4}-[A-Z]{5}$").all()
    assert not ids.is_in(profiled.typed["customer_id"].implode()).any()


def test_the_copula_keeps_the_files_rank_correlation(big: tuple) -> None:
    pack, profiled, frame = big
    (copula,) = pack.tables[0].copulas
    assert {"tenure", "total_charges"} <= set(copula.columns)
    for a, b in [("tenure", "total_charges")]:
        source = stats.spearmanr(
            profiled.typed[a].to_numpy(), profiled.typed[b].to_numpy(), nan_policy="omit"
        ).statistic
        made = stats.spearmanr(frame[a].to_numpy(), frame[b].to_numpy(), nan_policy="omit")
        assert made.statistic == pytest.approx(source, abs=0.1)
        assert source > 0.8


def test_categories_follow_their_parent_as_in_the_file(big: tuple) -> None:
    pack, profiled, frame = big
    table = pack.tables[0]
    assert profiled.parents["online_security"].column == "internet_service"
    assert "internet_service" in table.column("online_security").generate.on
    pairs = [("internet_service", "online_security"), ("phone_service", "multiple_lines")]
    for parent, child in pairs:
        source = cramers_v(profiled.typed[parent], profiled.typed[child])
        assert cramers_v(frame[parent], frame[child]) == pytest.approx(source, abs=0.1)
    # monthly charges by internet service: quantiles per service
    source = eta_squared(profiled.typed["internet_service"], profiled.typed["monthly_charges"])
    made = eta_squared(frame["internet_service"], frame["monthly_charges"])
    assert source > 0.5 and made == pytest.approx(source, abs=0.1)


def test_the_inferred_pack_loads_and_the_file_uploads_back(
    database_url: str, pool: ConnectionPool, tenant: str
) -> None:
    data = BIG.read_bytes()
    pack = parse_pack(infer_pack_file(data, key="mine", rows=500), origin=BIG.name)
    table = pack.tables[0]
    schema = tenant_schema(tenant)
    with (
        psycopg.connect(database_url, autocommit=True) as conn,
        conn.transaction(force_rollback=True),
    ):
        steps = load_steps(pack, 1)
        progress = Progress(
            None, tenant=tenant, dataset_key=pack.key, operation="load", steps=steps
        )
        result = load_pack(conn, tenant=tenant, pack=pack, seed=3, scale=1, progress=progress)
        assert result.counts[table.count_key] == 500
        name = sql.Identifier(schema, table.name)
        rows, fiber = conn.execute(
            sql.SQL("SELECT count(*), avg((internet_service = 'Fiber optic')::int) FROM {}").format(
                name
            )
        ).fetchone()
        assert rows == 500 and float(fiber) == pytest.approx(0.45, abs=0.06)
        progress = Progress(
            None, tenant=tenant, dataset_key=pack.key, operation="upload", steps=UPLOAD_STEPS
        )
        uploaded = upload_csv(
            conn,
            tenant=tenant,
            pack=pack,
            table=table,
            pg_schema=schema,
            chunks=[data],
            size=len(data),
            progress=progress,
        )
        assert uploaded.rows == 2000
