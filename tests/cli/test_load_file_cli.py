"""`seedpacks load FILE` against the test database: the file is registered as the tenant's own
pack in the load's transaction, so every command works on it afterwards, and a load that fails
leaves the definitions as they were."""

import json
import uuid
from pathlib import Path

import pytest

from seedpacks.packfile import starter_file
from seedpacks.seeding import operations
from tests.cli.own_packs import KEY, listed_packs, ok
from tests.cli.test_cli import Run, assert_one_line_error


@pytest.fixture
def tenant() -> str:
    return f"cli-file-{uuid.uuid4().hex[:10]}"


def _name(cli: Run, tenant: str) -> str:
    """Return the name of the tenant's stored definition of KEY."""
    return str(json.loads(ok(cli("show", KEY, "--tenant", tenant, "--json")).stdout)["name"])


def _status(cli: Run, tenant: str) -> dict[str, object]:
    return dict(json.loads(ok(cli("status", "--tenant", tenant, "--json")).stdout))


def test_a_loaded_file_is_registered_and_every_command_works_on_it(
    cli: Run, tenant: str, starter: Path, tmp_path: Path
) -> None:
    loaded = ok(cli("load", str(starter), "--tenant", tenant))
    first, second = loaded.stdout.splitlines()[:2]
    assert first == f"registered pack '{KEY}' for tenant '{tenant}'."
    assert second.startswith(f"{KEY} starter pack loaded successfully into tenant '{tenant}'")
    entry = listed_packs(cli, tenant)[KEY]
    assert entry["source"] == "custom" and entry["loaded"] is True
    assert KEY not in listed_packs(cli, tenant + "-b")
    assert _status(cli, tenant)["currentlyLoaded"] == KEY
    truth = tmp_path / "truth.json"
    ok(cli("export", "--ground-truth", "--tenant", tenant, "-o", str(truth)))
    assert json.loads(truth.read_text())["datasetKey"] == KEY
    members = tmp_path / "members.csv"
    ok(cli("export", f"{KEY}_members", "--tenant", tenant, "-o", str(members)))
    assert len(members.read_text().splitlines()) == 1 + 500
    simulated = ok(cli("simulate", KEY, "--decisions", "40", "--tenant", tenant))
    assert simulated.stdout.startswith(f"{KEY}: 40 decisions by policy 'flow'")
    other = cli("remove", "telco", "--tenant", tenant)
    assert_one_line_error(other, 3, "is not loaded for this tenant (homecover starter pack is")
    removed = ok(cli("remove", KEY, "--tenant", tenant))
    assert removed.stdout.startswith(f"{KEY} starter pack removed successfully")
    assert _status(cli, tenant)["currentlyLoaded"] is None
    # Removed, the pack stays the tenant's own: loaded again by its key.
    assert _name(cli, tenant) == f"{KEY} starter pack"
    again = json.loads(ok(cli("load", KEY, "--tenant", tenant, "--json")).stdout)
    assert again["datasetKey"] == KEY and "definition" not in again


def test_json_keeps_the_loads_answer_and_says_what_was_registered(
    cli: Run, tenant: str, starter: Path
) -> None:
    body = json.loads(ok(cli("load", str(starter), "--tenant", tenant, "--json")).stdout)
    assert body["definition"] == "registered" and body["replaced"] is None
    assert body["datasetKey"] == KEY and body["counts"][f"{KEY}_members_rows"] == 500
    assert body["manifest"]
    ok(cli("remove", KEY, "--tenant", tenant))
    body = json.loads(ok(cli("load", str(starter), "--tenant", tenant, "--json")).stdout)
    assert body["definition"] == "replaced" and body["replaced"] is None


def test_a_bad_file_lists_its_problems_and_changes_nothing_stored(
    cli: Run, tenant: str, starter: Path
) -> None:
    ok(cli("load", str(starter), "--tenant", tenant))
    starter.write_text(
        starter_file(KEY)
        .replace("starter pack", "changed pack")
        .replace(
            "gold_web, offer: gold_upgrade, channel: web,",
            "gold_web, offer: gold_upgrade, channel: wbe,",
        )
    )
    for force in ((), ("--force",)):
        refused = cli("load", str(starter), "--tenant", tenant, *force)
        assert_one_line_error(refused, 2, f"{KEY}.yaml has 2 problems")
        lines = refused.stdout.splitlines()
        assert len(lines) == 2 and all(line.startswith(f"{starter}: line ") for line in lines)
        assert "creatives[1].channel: unknown channel 'wbe'; known: email, web" in lines[0]
    as_json = cli("load", str(starter), "--tenant", tenant, "--json")
    assert as_json.exit_code == 2
    assert json.loads(as_json.stdout)["valid"] is False
    assert _name(cli, tenant) == f"{KEY} starter pack"
    assert _status(cli, tenant)["currentlyLoaded"] == KEY
    other = cli("load", str(starter.with_name("none.yaml")), "--tenant", tenant)
    assert_one_line_error(other, 2, "cannot read")


def test_a_file_whose_key_is_a_builtin_packs_is_refused(
    cli: Run, tenant: str, tmp_path: Path
) -> None:
    builtin = tmp_path / "insurance.yaml"
    builtin.write_text(starter_file("insurance"))
    refused = cli("load", str(builtin), "--tenant", tenant, "--force")
    assert_one_line_error(refused, 4, "'insurance' is a built-in pack's key", "another key")
    assert set(listed_packs(cli, tenant)) == set(listed_packs(cli, tenant + "-b"))
    assert _status(cli, tenant)["currentlyLoaded"] is None


def test_a_changed_file_replaces_the_definition_with_force_while_loaded(
    cli: Run, tenant: str, starter: Path
) -> None:
    ok(cli("load", str(starter), "--tenant", tenant))
    starter.write_text(starter_file(KEY).replace("starter pack", "changed pack"))
    refused = cli("load", str(starter), "--tenant", tenant)
    assert_one_line_error(
        refused, 4, "is loaded for this tenant", "depend on its definition", "Add --force"
    )
    assert _name(cli, tenant) == f"{KEY} starter pack"
    forced = ok(cli("load", str(starter), "--tenant", tenant, "--force"))
    first, second = forced.stdout.splitlines()[:2]
    assert first == (
        f"registered pack '{KEY}' (replaced its earlier definition) for tenant '{tenant}'."
    )
    assert second.startswith(f"{KEY} changed pack loaded successfully")
    assert f"replacing {KEY})" in second
    assert _name(cli, tenant) == f"{KEY} changed pack"
    assert listed_packs(cli, tenant)[KEY]["loaded"] is True
    # Not loaded, a changed file replaces the definition without --force.
    ok(cli("remove", KEY, "--tenant", tenant))
    starter.write_text(starter_file(KEY).replace("starter pack", "third pack"))
    body = json.loads(ok(cli("load", str(starter), "--tenant", tenant, "--json")).stdout)
    assert body["definition"] == "replaced" and body["message"].startswith(f"{KEY} third pack")


def test_a_load_that_fails_keeps_the_earlier_definition_and_load(
    cli: Run, tenant: str, starter: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(cli("load", str(starter), "--tenant", tenant))
    other = tmp_path / "otherpack.yaml"
    other.write_text(starter_file("otherpack"))
    busy = cli("load", str(other), "--tenant", tenant)
    assert_one_line_error(busy, 4, f"{KEY} starter pack is currently loaded", "Add --force")
    assert "otherpack" not in listed_packs(cli, tenant)

    real_load = operations.load_pack

    def failing_load(*args: object, **kwargs: object) -> object:
        real_load(*args, **kwargs)  # type: ignore[arg-type]
        raise RuntimeError("the load failed at its end")

    monkeypatch.setattr(operations, "load_pack", failing_load)
    starter.write_text(starter_file(KEY).replace("starter pack", "changed pack"))
    failed = cli("load", str(starter), "--tenant", tenant, "--force")
    assert_one_line_error(failed, 1, "the load failed at its end")
    failed = cli("load", str(other), "--tenant", tenant, "--force")
    assert_one_line_error(failed, 1, "the load failed at its end")
    monkeypatch.setattr(operations, "load_pack", real_load)
    assert _name(cli, tenant) == f"{KEY} starter pack"
    assert "otherpack" not in listed_packs(cli, tenant)
    assert _status(cli, tenant)["currentlyLoaded"] == KEY
    members = tmp_path / "members.csv"
    ok(cli("export", f"{KEY}_members", "--tenant", tenant, "-o", str(members)))
    assert len(members.read_text().splitlines()) == 1 + 500
