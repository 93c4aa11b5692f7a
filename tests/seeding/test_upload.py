"""CSV upload through the service function: the public files as published, round trips, errors."""

import dataclasses
import io
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from psycopg import sql
from psycopg_pool import ConnectionPool

from seedpacks.config import Settings
from seedpacks.errors import BadRequest, PackNotLoaded
from seedpacks.packs import starbucks
from seedpacks.packs.model import CsvMapping, Pack
from seedpacks.packs.registry import PACKS
from seedpacks.seeding import operations
from seedpacks.seeding.tenancy import tenant_schema

FIXTURES = Path(__file__).parent.parent / "fixtures" / "upload"


@pytest.fixture
def roomy(settings: Settings) -> Settings:
    """The session settings without the rate limit getting in the way of many uploads."""
    return settings.model_copy(update={"rate_limit": 1000})


def load(pool: ConnectionPool, settings: Settings, tenant: str, key: str = "starbucks") -> None:
    operations.load_dataset(pool, settings, tenant=tenant, key=key)


def upload(
    pool: ConnectionPool,
    settings: Settings,
    tenant: str,
    schema: str,
    data: bytes,
    *,
    key: str = "starbucks",
    pack: Pack | None = None,
) -> dict[str, Any]:
    return operations.upload_table(
        pool,
        settings,
        tenant=tenant,
        key=key,
        schema=schema,
        stream=io.BytesIO(data),
        size=len(data),
        pack=pack,
    )


def rows(pool: ConnectionPool, tenant: str, table: str, order: str = "id") -> list[tuple[Any, ...]]:
    with pool.connection() as conn:
        return conn.execute(
            sql.SQL("SELECT * FROM {} ORDER BY {}").format(
                sql.Identifier(tenant_schema(tenant), table), sql.Identifier(order)
            )
        ).fetchall()


def as_dicts(pool: ConnectionPool, tenant: str, table: str) -> list[dict[str, Any]]:
    with pool.connection() as conn:
        cur = conn.execute(
            sql.SQL("SELECT * FROM {} ORDER BY id").format(
                sql.Identifier(tenant_schema(tenant), table)
            )
        )
        names = [d.name for d in cur.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def test_the_public_profile_file_keeps_every_customer_with_unknowns_as_null(
    pool: ConnectionPool, roomy: Settings, tenant: str
) -> None:
    load(pool, roomy, tenant)
    data = (FIXTURES / "profile.csv").read_bytes()
    result = upload(pool, roomy, tenant, "starbucks_customers", data)
    assert result["message"] == "Uploaded 10 rows to starbucks_customers"
    assert result["rowsInserted"] == 10
    assert result["schemaName"] == "starbucks_customers"
    assert result["datasetKey"] == "starbucks"
    by_id = {r["id"]: r for r in as_dicts(pool, tenant, "starbucks_customers")}
    assert len(by_id) == 10
    unknown = by_id["68be06ca386d4c31939f3a4f0e3dd783"]
    assert (unknown["gender"], unknown["age"], unknown["income"]) == (None, None, None)
    assert str(unknown["became_member_on"]) == "2017-02-12"
    known = by_id["0610b486422d4921ae7d2bf64640c50b"]
    assert (known["gender"], known["age"], float(known["income"])) == ("F", 55, 112000.0)
    assert sum(r["age"] is None for r in by_id.values()) == 5


def test_progress_reports_the_upload_by_bytes(
    pool: ConnectionPool, roomy: Settings, tenant: str
) -> None:
    load(pool, roomy, tenant)
    data = (FIXTURES / "profile.csv").read_bytes()
    seen: list[dict[str, Any]] = []
    operations.upload_table(
        pool,
        roomy,
        tenant=tenant,
        key="starbucks",
        schema="starbucks_customers",
        stream=[data[:100], data[100:]],
        size=len(data),
        listener=seen.append,
    )
    assert all(v["operation"] == "upload" for v in seen)
    assert [v["status"] for v in seen][0] == "running" and seen[-1]["status"] == "completed"
    assert any(v.get("bytesTotal") == len(data) for v in seen)
    assert seen[-1]["progress"] == 100 and seen[-1]["rowsInserted"] == 10


def test_a_byte_order_mark_and_crlf_line_endings_are_accepted(
    pool: ConnectionPool, roomy: Settings, tenant: str
) -> None:
    load(pool, roomy, tenant)
    data = b"\xef\xbb\xbf" + (FIXTURES / "profile.csv").read_bytes().replace(b"\n", b"\r\n")
    assert upload(pool, roomy, tenant, "starbucks_customers", data + b"\r\n")["rowsInserted"] == 10


def test_the_public_portfolio_file_takes_python_lists_and_float_durations(
    pool: ConnectionPool, roomy: Settings, tenant: str
) -> None:
    load(pool, roomy, tenant)
    data = (FIXTURES / "portfolio.csv").read_bytes()
    assert upload(pool, roomy, tenant, "starbucks_offers", data)["rowsInserted"] == 4
    by_id = {r["id"]: r for r in as_dicts(pool, tenant, "starbucks_offers")}
    assert by_id["ae264e3637204a6fb9bb56bc8210ddfd"]["channels"] == ["email", "mobile", "social"]
    assert by_id["9b98b8c7a33c4b65b9aebfe6a799e6d9"]["channels"] == ["web", "email", "mobile"]
    assert by_id["3f207df678b143eea3cee63160fa8bed"]["duration"] == 4
    assert by_id["9b98b8c7a33c4b65b9aebfe6a799e6d9"]["duration"] == 7


def test_the_public_transcript_file_spreads_its_value_objects_over_columns(
    pool: ConnectionPool, roomy: Settings, tenant: str
) -> None:
    load(pool, roomy, tenant)
    data = (FIXTURES / "transcript.csv").read_bytes()
    # Events must name customers (the table's declared reference): upload the file's people.
    people = sorted({line.split(b",")[0] for line in data.splitlines()[1:]})
    profile = b"gender,age,id,became_member_on,income\n" + b"".join(
        b"F,40," + person + b",20170715,50000\n" for person in people
    )
    upload(pool, roomy, tenant, "starbucks_customers", profile)
    assert upload(pool, roomy, tenant, "starbucks_events", data)["rowsInserted"] == 7
    events = as_dicts(pool, tenant, "starbucks_events")
    assert [e["id"] for e in events] == [1, 2, 3, 4, 5, 6, 7]
    received, _, viewed, spent, completed, _, completed_json = events
    assert received["offer_id"] == "9b98b8c7a33c4b65b9aebfe6a799e6d9"
    assert (received["amount"], received["reward"]) == (None, None)
    assert viewed["event"] == "offer viewed" and viewed["time"] == 6
    assert spent["offer_id"] is None and float(spent["amount"]) == 0.83
    assert completed["offer_id"] == "2906b810c7d4411798c6938adc9daaa5"
    assert float(completed["reward"]) == 2.0
    assert completed_json["offer_id"] == "9b98b8c7a33c4b65b9aebfe6a799e6d9"
    assert float(completed_json["reward"]) == 5.0 and completed_json["time"] == 132


def test_both_uci_bank_files_upload_into_the_union_of_their_columns(
    pool: ConnectionPool, roomy: Settings, tenant: str
) -> None:
    if "uci-bank" not in PACKS:
        pytest.skip("the uci-bank pack is not registered")
    load(pool, roomy, tenant, "uci-bank")
    full = (FIXTURES / "bank-full.csv").read_bytes()
    result = upload(pool, roomy, tenant, "bank_customers", full, key="uci-bank")
    assert result["rowsInserted"] == 6
    first = as_dicts(pool, tenant, "bank_customers")[0]
    assert first["age"] == 58 and first["job"] == "management"
    assert first["default_credit"] == "no" and first["balance"] == 2143
    assert first["contact"] is None and first["emp_var_rate"] is None
    assert first["poutcome"] == "unknown" and first["y"] == "no"

    # the other file, with CRLF line endings as one of the published files has
    additional = (FIXTURES / "bank-additional-full.csv").read_bytes().replace(b"\n", b"\r\n")
    result = upload(pool, roomy, tenant, "bank_customers", additional, key="uci-bank")
    assert result["rowsInserted"] == 5
    customers = as_dicts(pool, tenant, "bank_customers")
    assert [c["id"] for c in customers] == [1, 2, 3, 4, 5]
    first, second, *_, last = customers
    assert first["balance"] is None and first["day"] is None
    assert first["day_of_week"] == "mon" and first["education"] == "basic.4y"
    assert float(first["emp_var_rate"]) == 1.1 and float(first["cons_price_idx"]) == 93.994
    assert float(first["euribor3m"]) == 4.857 and float(first["nr_employed"]) == 5191
    assert second["default_credit"] is None
    assert last["job"] is None and last["housing"] is None and last["y"] == "yes"


def test_the_ibm_telco_churn_file_uploads_as_published(
    pool: ConnectionPool, roomy: Settings, tenant: str
) -> None:
    if "telco" not in PACKS:
        pytest.skip("the telco pack is not registered")
    load(pool, roomy, tenant, "telco")
    data = (FIXTURES / "telco-customer-churn.csv").read_bytes().replace(b"\n", b"\r\n")
    result = upload(pool, roomy, tenant, "telco_customers", data, key="telco")
    assert result["rowsInserted"] == 6
    with pool.connection() as conn:
        cur = conn.execute(
            sql.SQL("SELECT * FROM {} ORDER BY customer_id").format(
                sql.Identifier(tenant_schema(tenant), "telco_customers")
            )
        )
        names = [d.name for d in cur.description or ()]
        by_id = {r[0]: dict(zip(names, r, strict=True)) for r in cur.fetchall()}
    new = by_id["4472-LVYGI"]
    assert new["tenure"] == 0 and new["total_charges"] is None
    assert float(new["monthly_charges"]) == 52.55
    assert (new["partner"], new["dependents"], new["senior_citizen"]) == (True, True, False)
    senior = by_id["9237-HQITU"]
    assert senior["senior_citizen"] is True and senior["churn"] is True
    assert senior["internet_service"] == "Fiber optic"
    assert by_id["7590-VHVEG"]["multiple_lines"] == "No phone service"
    assert by_id["7590-VHVEG"]["payment_method"] == "Electronic check"


def _export(pool: ConnectionPool, tenant: str, table: str) -> bytes:
    statement = sql.SQL("COPY {} TO STDOUT WITH CSV HEADER").format(
        sql.Identifier(tenant_schema(tenant), table)
    )
    out = io.BytesIO()
    with pool.connection() as conn, conn.cursor() as cur, cur.copy(statement) as copy:
        for block in copy:
            out.write(block)
    return out.getvalue()


@pytest.mark.parametrize("key", sorted(PACKS))
def test_every_pack_table_takes_back_what_postgresql_exports(
    pool: ConnectionPool, roomy: Settings, tenant: str, key: str
) -> None:
    load(pool, roomy, tenant, key)
    for table in PACKS[key].tables:
        if table.csv is None:
            continue
        before = rows(pool, tenant, table.name, table.primary_key[0])
        exported = _export(pool, tenant, table.name)
        result = upload(pool, roomy, tenant, table.name, exported, key=key)
        assert result["rowsInserted"] == len(before), table.name
        assert rows(pool, tenant, table.name, table.primary_key[0]) == before, table.name


def test_a_bad_value_names_line_column_value_and_expectation(
    pool: ConnectionPool, roomy: Settings, tenant: str
) -> None:
    load(pool, roomy, tenant)
    header = b"gender,age,id,became_member_on,income\n"
    cases = {
        b"F,55,a,20170715,1\nM,abc,b,20170715,2\n": (
            "Line 3, column 'age': 'abc' is not a whole number."
        ),
        b"F,55,a,20171315,1\n": "Line 2, column 'became_member_on': '20171315' is not a date",
        b"F,55,a,20170715,lots\n": "Line 2, column 'income': 'lots' is not a number.",
        b"F,55,a,20170715,1\nM,56,a,20170715,1\n": (
            "Line 3, column 'id': 'a' repeats the key of line 2"
        ),
        b"F,55,,20170715,1\n": "Line 2, column 'id': a value is required",
        b"F,55,a,20170715,1\nF,5.5,b,20170715,1\n": "Line 3, column 'age': '5.5' is not",
        b'F,55,"multi\nline",20170715,1\nM,x,b,20170715,1\n': "Line 4, column 'age': 'x'",
        b"F,55,a,20170715,1,extra\n": "Line 2 has more fields than the header's 5.",
        b"F,55,a\n": "Line 2 has fewer fields than the header's 5.",
        b'F,55,"a,20170715,1\n': 'A quoted field (") is never closed',
        b"F,55,caf\xe9,20170715,1\n": "Line 2 is not valid UTF-8",
        b"": "No valid rows",
    }
    for body, expected in cases.items():
        with pytest.raises(BadRequest) as caught:
            upload(pool, roomy, tenant, "starbucks_customers", header + body)
        assert caught.value.status == 400
        assert expected in caught.value.message, (body, caught.value.message)
    for data, expected in (
        (b"", "The file is empty"),
        (b"\xff\xfeg\x00", "UTF-16"),
        (b"gender,age,became_member_on\nF,5,20170715\n", "has no column for 'id'"),
        (b"gend\xe9r,id,became_member_on\n", "Line 1 (the header) is not valid UTF-8"),
    ):
        with pytest.raises(BadRequest) as caught:
            upload(pool, roomy, tenant, "starbucks_customers", data)
        assert expected in caught.value.message, (data, caught.value.message)


def test_a_bad_row_at_line_40000_leaves_the_old_rows_and_segments_untouched(
    pool: ConnectionPool, roomy: Settings, tenant: str, tmp_path: Path
) -> None:
    load(pool, roomy, tenant)
    before = rows(pool, tenant, "starbucks_customers")
    with pool.connection() as conn:
        segments_before = conn.execute(
            "SELECT id, customer_count FROM segments WHERE tenant_id = %s", (tenant,)
        ).fetchall()
    n = 50_000
    frame = pl.DataFrame(
        {
            "gender": ["F", "M"] * (n // 2),
            "age": pl.Series([str(20 + i % 60) for i in range(n)]),
            "id": [f"{i:032x}" for i in range(n)],
            "became_member_on": ["20170715"] * n,
            "income": [50000.0 + i % 70 * 1000 for i in range(n)],
        }
    )
    bad = 40_000 - 2  # line 1 is the header
    frame = frame.with_columns(
        age=pl.when(pl.int_range(pl.len()) == bad).then(pl.lit("abc")).otherwise("age")
    )
    path = tmp_path / "profile.csv"
    frame.write_csv(path)
    with pytest.raises(BadRequest) as caught, path.open("rb") as handle:
        operations.upload_table(
            pool,
            roomy,
            tenant=tenant,
            key="starbucks",
            schema="starbucks_customers",
            stream=handle,
            size=path.stat().st_size,
        )
    assert caught.value.message == "Line 40000, column 'age': 'abc' is not a whole number."
    assert rows(pool, tenant, "starbucks_customers") == before
    with pool.connection() as conn:
        segments_after = conn.execute(
            "SELECT id, customer_count FROM segments WHERE tenant_id = %s", (tenant,)
        ).fetchall()
        status = operations.dataset_status(pool, tenant=tenant)
    assert segments_after == segments_before
    assert status["status"] == "failed" and status["operation"] == "upload"
    assert "Line 40000" in status["error"]


def test_segments_history_and_counts_follow_the_new_customers(
    pool: ConnectionPool, roomy: Settings, tenant: str
) -> None:
    load(pool, roomy, tenant)
    kept = rows(pool, tenant, "starbucks_customers")[:3]
    lines = ["gender,age,id,became_member_on,income"]
    lines += [f"F,40,{r[0]},20170101,95000" for r in kept[:2]]  # high income: in the segment
    lines += [f"M,40,{kept[2][0]},20170101,40000", "O,41,newcomer,20170101,91000"]
    result = upload(pool, roomy, tenant, "starbucks_customers", "\n".join(lines).encode())
    assert result["rowsInserted"] == 4
    with pool.connection() as conn:
        (count,) = conn.execute(
            "SELECT customer_count FROM segments WHERE tenant_id = %s", (tenant,)
        ).fetchone() or (None,)
        view = conn.execute(
            sql.SQL("SELECT count(*) FROM {}").format(
                sql.Identifier(tenant_schema(tenant), "seg_high_income_members")
            )
        ).fetchone()
        customers = {
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT customer_id FROM interactions WHERE tenant_id = %s", (tenant,)
            )
        }
        summaries = conn.execute(
            "SELECT coalesce(sum(positives), 0), coalesce(sum(negatives), 0)"
            " FROM interaction_summaries WHERE tenant_id = %s",
            (tenant,),
        ).fetchone()
        arms = conn.execute(
            "SELECT state FROM algorithm_models WHERE tenant_id = %s AND id = 'sb_model_thompson'",
            (tenant,),
        ).fetchone()
        counts = conn.execute(
            "SELECT counts FROM loaded_datasets WHERE tenant_id = %s", (tenant,)
        ).fetchone()
        status = operations.dataset_status(pool, tenant=tenant)
    assert count == 3 and view == (3,)
    assert customers <= {r[0] for r in kept}
    assert summaries and arms and counts
    alpha = sum(arm["alpha"] - 1 for arm in arms[0]["arms"].values())
    beta = sum(arm["beta"] - 1 for arm in arms[0]["arms"].values())
    assert (alpha, beta) == (summaries[0], summaries[1])
    assert counts[0]["starbucks_customers_rows"] == 4
    assert counts[0]["segmentCustomers"] == 3
    assert status["status"] == "completed" and status["operation"] == "upload"


def _variant(**csv: Any) -> Pack:
    """Starbucks whose customer table has another CSV mapping (or none, csv=None)."""
    customers = starbucks.PACK.table("starbucks_customers")
    mapping = None if csv.get("none") else dataclasses.replace(CsvMapping(), **csv)
    tables = tuple(
        dataclasses.replace(t, csv=mapping) if t.name == customers.name else t
        for t in starbucks.PACK.tables
    )
    return dataclasses.replace(starbucks.PACK, tables=tables)


def test_declared_drop_rules_drop_rows_and_say_why(
    pool: ConnectionPool, roomy: Settings, tenant: str
) -> None:
    load(pool, roomy, tenant)
    pack = _variant(
        drop_rows=(
            {"when": {"column": "age", "operator": "<", "value": 18}, "reason": "minors"},
            {"when": {"column": "gender", "operator": "=", "value": "X"}, "reason": "test rows"},
        )
    )
    data = (
        b"gender,age,id,became_member_on,income\n"
        b"F,17,a,20170101,1\nX,40,b,20170101,1\nM,40,c,20170101,1\nX,12,d,20170101,1\n"
    )
    result = upload(pool, roomy, tenant, "starbucks_customers", data, pack=pack)
    assert result["rowsInserted"] == 1
    assert result["rowsDropped"] == {"minors": 2, "test rows": 1}
    assert [r[0] for r in rows(pool, tenant, "starbucks_customers")] == ["c"]
    only_dropped = b"gender,age,id,became_member_on,income\nF,17,a,20170101,1\n"
    with pytest.raises(BadRequest, match="every row was dropped"):
        upload(pool, roomy, tenant, "starbucks_customers", only_dropped, pack=pack)


def test_schemas_outside_the_pack_or_without_mapping_and_unloaded_packs_are_400(
    pool: ConnectionPool, roomy: Settings, tenant: str
) -> None:
    data = (FIXTURES / "profile.csv").read_bytes()
    with pytest.raises(PackNotLoaded, match="load it first") as not_loaded:
        upload(pool, roomy, tenant, "starbucks_customers", data)
    assert not_loaded.value.status == 400  # the API reference's code for this upload
    load(pool, roomy, tenant)
    with pytest.raises(BadRequest, match="not part of Starbucks Offers"):
        upload(pool, roomy, tenant, "bank_customers", data)
    with pytest.raises(BadRequest, match="does not support CSV upload"):
        upload(pool, roomy, tenant, "starbucks_customers", data, pack=_variant(none=True))


def _stored_manifest(pool: ConnectionPool, tenant: str) -> dict[str, Any]:
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT manifest FROM loaded_datasets WHERE tenant_id = %s", (tenant,)
        ).fetchone()
    assert row is not None
    return dict(row[0])


def test_the_stored_manifest_follows_an_upload(
    pool: ConnectionPool, roomy: Settings, tenant: str
) -> None:
    loaded = operations.load_dataset(pool, roomy, tenant=tenant, key="starbucks")["manifest"]
    exported = _export(pool, tenant, "starbucks_customers")
    upload(pool, roomy, tenant, "starbucks_customers", exported)
    same = _stored_manifest(pool, tenant)
    # The same rows back: the same fingerprint, now marked as uploaded.
    assert same["starbucks_customers"] == {**loaded["starbucks_customers"], "source": "upload"}
    assert same["starbucks_events"] == loaded["starbucks_events"]
    assert same["interactions"] == loaded["interactions"]

    fewer = b"\n".join(exported.splitlines()[:101]) + b"\n"
    upload(pool, roomy, tenant, "starbucks_customers", fewer)
    changed = _stored_manifest(pool, tenant)
    assert changed["starbucks_customers"]["rows"] == 100
    assert changed["starbucks_customers"]["hashSum"] != loaded["starbucks_customers"]["hashSum"]
    # Customers gone from the table take their history with them, and the manifest says so.
    assert changed["interactions"]["rows"] < loaded["interactions"]["rows"]
