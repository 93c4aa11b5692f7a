"""`seedpacks pack infer FILE.csv --key K`: a pack file from a customer CSV, no database."""

from pathlib import Path

from click.testing import Result
from typer.testing import CliRunner

from seedpacks.cli import app
from seedpacks.packfile import parse_pack
from seedpacks.packfile.infer import infer_pack_file
from tests.cli.test_cli import assert_one_line_error

PROFILE = Path(__file__).parents[1] / "fixtures" / "upload" / "profile.csv"


def _run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def test_infer_writes_a_pack_file_that_validates(tmp_path: Path) -> None:
    out = tmp_path / "members.yaml"
    written = _run(
        "pack", "infer", str(PROFILE), "--key", "members", "-o", str(out), "--rows", "50"
    )
    assert written.exit_code == 0, written.output
    assert out.read_text() == infer_pack_file(
        PROFILE.read_bytes(), key="members", rows=50, source="profile.csv"
    )
    assert parse_pack(out.read_text()).tables[0].rows == 50
    checked = _run("pack", "validate", str(out))
    assert checked.exit_code == 0 and "valid" in checked.stdout
    again = _run("pack", "infer", str(PROFILE), "--key", "members", "-o", str(out))
    assert_one_line_error(again, 2, "exists", "--force")
    printed = _run("pack", "infer", str(PROFILE), "--key", "members", "-o", "-")
    assert printed.exit_code == 0 and printed.stdout.startswith("# Inferred by `seedpacks pack")


def test_infer_says_in_one_line_why_a_file_cannot_be_profiled(tmp_path: Path) -> None:
    lonely = tmp_path / "ids.csv"
    lonely.write_text("customer_id\nC1\nC2\n")
    assert_one_line_error(_run("pack", "infer", str(lonely), "--key", "mine"), 2, "single column")
    bad_key = _run("pack", "infer", str(PROFILE), "--key", "Mine!", "-o", "-")
    assert_one_line_error(bad_key, 2, "is not a pack key")
