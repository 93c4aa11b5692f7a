"""Helpers of the tests of a tenant's own packs on the command line."""

import json

from click.testing import Result

from tests.cli.test_cli import Run

KEY = "homecover"  # "insurance" is a built-in pack's key


def ok(result: Result) -> Result:
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
    return result


def listed_packs(cli: Run, tenant: str) -> dict[str, dict[str, object]]:
    listing = json.loads(ok(cli("list", "--tenant", tenant, "--json")).stdout)
    return {entry["key"]: entry for entry in listing["datasets"]}
