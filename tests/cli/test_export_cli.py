"""`seedpacks export`: a loaded pack table to a file (CSV or Parquet), the ground truth as JSON,
whole or not at all, with exit codes that say what went wrong."""

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from seedpacks.packs.describe import ground_truth
from seedpacks.packs.registry import PACKS
from tests.cli.test_cli import Run, assert_one_line_error, tenant  # noqa: F401


def test_export_writes_each_format_and_the_ground_truth(
    cli: Run,  # noqa: F811
    tenant: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli("load", "telco", "--tenant", tenant, "--seed", "4").exit_code == 0
    try:
        done = cli("export", "telco_customers", "--tenant", tenant)
        assert done.exit_code == 0, done.stderr
        assert "bytes to telco_customers.csv" in done.stdout
        with (tmp_path / "telco_customers.csv").open(newline="") as f:
            rows = list(csv.reader(f))
        assert rows[0] == [c.name for c in PACKS["telco"].table("telco_customers").columns]
        assert len(rows) == 1001
        out = tmp_path / "sub.parquet"
        done = cli(
            "export", "telco_customers", "--format", "parquet", "-o", str(out), "--tenant", tenant
        )
        assert done.exit_code == 0, done.stderr
        table = pq.read_table(out)
        assert table.num_rows == 1000 and table.column_names == rows[0]
        assert not list(tmp_path.glob("*.part"))
        done = cli("export", "--ground-truth", "-o", "-", "--tenant", tenant)
        assert done.exit_code == 0, done.stderr
        truth = json.loads(done.stdout)
        assert (truth.pop("datasetKey"), truth.pop("seed"), truth.pop("scale")) == ("telco", 4, 1)
        assert truth == json.loads(json.dumps(ground_truth(PACKS["telco"], 1)))
    finally:
        cli("remove", "telco", "--tenant", tenant)


def test_export_mistakes_exit_with_a_reason_and_write_nothing(
    cli: Run,  # noqa: F811
    tenant: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert_one_line_error(cli("export", "--tenant", tenant), 2, "SCHEMA or --ground-truth")
    assert_one_line_error(
        cli("export", "starbucks_customers", "--tenant", tenant), 3, "No data schema named"
    )
    assert_one_line_error(
        cli("export", "x", "--format", "xlsx", "--tenant", tenant), 2, "csv or parquet"
    )
    assert_one_line_error(cli("export", "--ground-truth", "--tenant", tenant), 3, "No pack")
    assert list(tmp_path.iterdir()) == []
