"""`seedpacks pack register | delete` against the test database: a tenant's own pack from the
command line, listed with its source, shown, loaded, simulated and deleted like over HTTP."""

import json
import uuid
from pathlib import Path

import pytest
import yaml

from seedpacks.packfile import starter_file
from tests.cli.own_packs import KEY, listed_packs, ok
from tests.cli.test_cli import Run, assert_one_line_error


@pytest.fixture
def tenant() -> str:
    return f"cli-own-{uuid.uuid4().hex[:10]}"


def test_register_then_again_replaces_and_the_list_shows_both_sources(
    cli: Run, tenant: str, starter: Path
) -> None:
    first = ok(cli("pack", "register", str(starter), "--tenant", tenant))
    assert first.stdout.startswith(f"registered: {KEY} ({KEY} starter pack) for tenant '{tenant}'")
    assert f"`seedpacks load {KEY} --tenant {tenant}`" in first.stdout
    again = ok(cli("pack", "register", str(starter), "--tenant", tenant, "--key", KEY))
    assert again.stdout.startswith(f"replaced: {KEY} ")
    listed = listed_packs(cli, tenant)
    assert listed[KEY]["source"] == "custom" and listed[KEY]["dataSource"] == "synthetic"
    assert listed["telco"]["source"] == "builtin" and listed["telco"]["dataSource"] == "ibm"
    table = ok(cli("list", "--tenant", tenant)).stdout
    assert "Data source" in table
    row = next(line for line in table.splitlines() if f" {KEY} " in line)
    assert "custom" in row and "synthetic" in row
    telco = next(line for line in table.splitlines() if " telco " in line)
    assert "builtin" in telco and "ibm" in telco
    assert KEY not in listed_packs(cli, tenant + "-b")


def test_register_json_says_whether_it_was_created(cli: Run, tenant: str, tmp_path: Path) -> None:
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(yaml.safe_load(starter_file("mine")), default=str))
    created = json.loads(ok(cli("pack", "register", str(path), "-t", tenant, "--json")).stdout)
    assert created["key"] == "mine" and created["source"] == "custom"
    assert created["created"] is True and created["loaded"] is False
    again = json.loads(ok(cli("pack", "register", str(path), "-t", tenant, "--json")).stdout)
    assert again["created"] is False


def test_a_bad_file_lists_every_problem_with_its_line_and_exits_2(
    cli: Run, tenant: str, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        starter_file("bad").replace(
            "gold_web, offer: gold_upgrade, channel: web,",
            "gold_web, offer: gold_upgrade, channel: wbe,",
        )
    )
    refused = cli("pack", "register", str(bad), "--tenant", tenant)
    assert_one_line_error(refused, 2, "bad.yaml has 2 problems")
    lines = refused.stdout.splitlines()
    assert len(lines) == 2 and all(line.startswith(f"{bad}: line ") for line in lines), lines
    assert "creatives[1].channel: unknown channel 'wbe'; known: email, web" in lines[0]
    assert "ground_truth.arms[1]" in lines[1]
    as_json = cli("pack", "register", str(bad), "--tenant", tenant, "--json")
    assert as_json.exit_code == 2
    body = json.loads(as_json.stdout)
    assert body["valid"] is False and all(p["line"] for p in body["problems"])
    assert "bad" not in listed_packs(cli, tenant)


def test_a_wrong_key_or_a_builtin_key_is_refused(
    cli: Run, tenant: str, starter: Path, tmp_path: Path
) -> None:
    wrong = cli("pack", "register", str(starter), "--tenant", tenant, "--key", "other")
    assert_one_line_error(wrong, 2, "--key is 'other'", f"declares key '{KEY}'")
    builtin = tmp_path / "insurance.yaml"
    builtin.write_text(starter_file("insurance"))
    refused = cli("pack", "register", str(builtin), "--tenant", tenant)
    assert_one_line_error(refused, 4, "'insurance' is a built-in pack's key")
    assert set(listed_packs(cli, tenant)) == set(listed_packs(cli, tenant + "-b"))


def test_show_load_simulate_and_export_use_the_tenants_pack(
    cli: Run, tenant: str, starter: Path, tmp_path: Path
) -> None:
    assert_one_line_error(cli("show", KEY, "--tenant", tenant), 3, f"'{KEY}'")
    ok(cli("pack", "register", str(starter), "--tenant", tenant))
    shown = ok(cli("show", KEY, "--tenant", tenant))
    assert f"{KEY}_members" in shown.stdout and "Ground truth" in shown.stdout
    assert f"{KEY} starter pack is not loaded (loaded: none) in tenant '{tenant}'." in shown.stdout
    assert_one_line_error(cli("show", KEY, "--tenant", tenant + "-b"), 3, f"'{KEY}'")
    # simulate loads the pack when none is, then names its offers in the report
    simulated = ok(cli("simulate", KEY, "--decisions", "40", "--tenant", tenant))
    assert simulated.stdout.startswith(f"{KEY}: 40 decisions by policy 'flow'")
    assert "best single offer (Gold membership)" in simulated.stdout or (
        "best single offer (Accessory bundle)" in simulated.stdout
    )
    truth = tmp_path / "truth.json"
    ok(cli("export", "--ground-truth", "--tenant", tenant, "-o", str(truth)))
    assert json.loads(truth.read_text())["datasetKey"] == KEY
    members = tmp_path / "members.csv"
    ok(cli("export", f"{KEY}_members", "--tenant", tenant, "-o", str(members)))
    assert len(members.read_text().splitlines()) == 1 + 500


def test_delete_refuses_a_loaded_pack_then_deletes_it(cli: Run, tenant: str, starter: Path) -> None:
    ok(cli("pack", "register", str(starter), "--tenant", tenant))
    ok(cli("load", KEY, "--tenant", tenant))
    refused = cli("pack", "delete", KEY, "--tenant", tenant)
    assert_one_line_error(refused, 4, "is loaded for this tenant", f"`seedpacks remove {KEY}`")
    changed = starter.read_text().replace("starter pack", "changed pack")
    starter.write_text(changed)
    replaced = cli("pack", "register", str(starter), "--tenant", tenant)
    assert_one_line_error(replaced, 4, "before you replace it")
    ok(cli("remove", KEY, "--tenant", tenant))
    deleted = ok(cli("pack", "delete", KEY, "--tenant", tenant))
    assert deleted.stdout == f"deleted: {KEY} from tenant '{tenant}'.\n"
    assert KEY not in listed_packs(cli, tenant)
    assert_one_line_error(cli("pack", "delete", KEY, "--tenant", tenant), 3, f"'{KEY}'")
    assert_one_line_error(cli("pack", "delete", "telco", "--tenant", tenant), 4, "built-in")
    ok(cli("pack", "register", str(starter), "--tenant", tenant))
    as_json = json.loads(ok(cli("pack", "delete", KEY, "-t", tenant, "--json")).stdout)
    assert as_json == {"message": f"Pack '{KEY}' deleted", "datasetKey": KEY}


def test_an_api_key_registers_for_its_own_tenant_and_needs_admin(
    cli: Run, tenant: str, starter: Path
) -> None:
    def key(role: str) -> str:
        created = ok(cli("apikey", "create", "--tenant", tenant, "--role", role))
        return created.stdout.strip()

    editor = cli("pack", "register", str(starter), "--api-key", key("editor"))
    assert_one_line_error(editor, 8, "register packs")
    admin = key("admin")
    ok(cli("pack", "register", str(starter), "--api-key", admin))
    assert listed_packs(cli, tenant)[KEY]["source"] == "custom"
    other = cli("pack", "delete", KEY, "--api-key", admin, "--tenant", tenant + "-b")
    assert_one_line_error(other, 8, f"acts for tenant '{tenant}'")
    ok(cli("pack", "delete", KEY, "--api-key", admin))
