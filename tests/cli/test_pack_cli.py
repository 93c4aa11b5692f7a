"""`seedpacks pack new | validate | show` and `seedpacks load FILE`, against the test database
(tests/cli/test_load_file_cli.py has what `load FILE` registers)."""

import json
import uuid
from pathlib import Path

from seedpacks.packfile import starter_file
from tests.cli.test_cli import Run, assert_one_line_error


def test_new_writes_the_starter_file_and_refuses_to_overwrite_it(cli: Run, tmp_path: Path) -> None:
    path = tmp_path / "insurer.yaml"
    written = cli("pack", "new", "insurer", "-o", str(path))
    assert written.exit_code == 0, written.output
    assert path.read_text() == starter_file("insurer")
    assert "key: insurer\n" in path.read_text() and "insurer_members" in path.read_text()
    again = cli("pack", "new", "insurer", "-o", str(path))
    assert_one_line_error(again, 2, "exists", "--force")
    assert cli("pack", "new", "insurer", "-o", str(path), "--force").exit_code == 0
    assert_one_line_error(cli("pack", "new", "Bad Key!"), 2, "is not a pack key")
    printed = cli("pack", "new", "other", "-o", "-")
    assert printed.exit_code == 0 and printed.stdout == starter_file("other")


def test_validate_lists_every_problem_with_line_and_path(cli: Run, tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(starter_file("good"))
    ok = cli("pack", "validate", str(good))
    assert ok.exit_code == 0, ok.output
    assert "valid: good starter pack (good)" in ok.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        starter_file("bad")
        .replace(
            "gold_web, offer: gold_upgrade, channel: web,",
            "gold_web, offer: gold_upgrade, channel: wbe,",
        )
        .replace("rows: 500", "rows: lots")
    )
    refused = cli("pack", "validate", str(bad))
    assert_one_line_error(refused, 2, "bad.yaml has 1 problem")
    (line,) = refused.stdout.splitlines()
    assert line.startswith(f"{bad}: line ") and ", tables[0].rows: Input should be" in line
    bad.write_text(
        starter_file("bad").replace(
            "gold_web, offer: gold_upgrade, channel: web,",
            "gold_web, offer: gold_upgrade, channel: wbe,",
        )
    )
    listed = cli("pack", "validate", str(bad), "--json")
    assert listed.exit_code == 2
    body = json.loads(listed.stdout)
    assert body["valid"] is False
    assert [p["path"] for p in body["problems"]] == ["creatives[1].channel", "ground_truth.arms[1]"]
    assert body["problems"][0]["message"] == "unknown channel 'wbe'; known: email, web"
    assert isinstance(body["problems"][0]["line"], int)


def test_show_plans_the_rows_and_the_ground_truth_at_a_scale(cli: Run, tmp_path: Path) -> None:
    path = tmp_path / "shop.yaml"
    path.write_text(starter_file("shop"))
    shown = cli("pack", "show", str(path), "--scale", "3", "--json")
    assert shown.exit_code == 0, shown.output
    description = json.loads(shown.stdout)
    assert description["plannedCounts"]["shop_members_rows"] == 1500
    assert description["plannedCounts"]["shop_orders_rows"] == 4500
    assert len(description["groundTruth"]["arms"]) == 4
    text = cli("pack", "show", str(path))
    assert text.exit_code == 0 and "shop_members" in text.stdout
    assert (
        "Ground truth: P(accepted) = sigmoid" in text.stdout
        and "spend +0.6, opted_in +0.8" in text.stdout
    )
    assert_one_line_error(cli("pack", "show", str(path), "--scale", "5000"), 2, "scale")


def test_load_registers_a_pack_file_and_remove_takes_its_key(cli: Run, tmp_path: Path) -> None:
    tenant = f"cli-{uuid.uuid4().hex[:12]}"
    path = tmp_path / "shop.yml"
    path.write_text(starter_file("shop"))
    loaded = cli("load", str(path), "--tenant", tenant, "--json")
    assert loaded.exit_code == 0, loaded.output
    body = json.loads(loaded.stdout)
    assert body["datasetKey"] == "shop" and body["counts"]["shop_members_rows"] == 500
    assert body["definition"] == "registered"
    listed = json.loads(cli("status", "--tenant", tenant, "--json").stdout)
    assert listed["currentlyLoaded"] == "shop"
    removed = cli("remove", "shop", "--tenant", tenant)
    assert removed.exit_code == 0, removed.output
    assert "removed successfully" in removed.stdout
    # The file's pack stays registered: removed, it is a known pack that is not loaded.
    again = cli("remove", "shop", "--tenant", tenant)
    assert_one_line_error(again, 3, "shop starter pack is not loaded for this tenant")
    path.write_text(starter_file("shop").replace("rows: 500", "rows: lots"))
    bad = cli("load", str(path), "--tenant", tenant)
    assert_one_line_error(bad, 2, "shop.yml has 1 problem")
    (line,) = bad.stdout.splitlines()
    assert line.startswith(f"{path}: line ") and ", tables[0].rows: Input should be" in line
    missing = cli("load", str(tmp_path / "none.yaml"), "--tenant", tenant)
    assert_one_line_error(missing, 2, "cannot read")
    path.write_text(starter_file("telco"))
    builtin = cli("load", str(path), "--tenant", tenant)
    assert_one_line_error(builtin, 4, "'telco' is a built-in pack's key", "another key")
