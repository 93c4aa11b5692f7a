"""`seedpacks simulate`: a thin command over the same simulation, loading the pack if needed."""

import json
import uuid
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from seedpacks.cli import app
from seedpacks.config import get_settings


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SEEDPACKS_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_simulate_loads_the_pack_and_prints_every_rate(cli_env: None) -> None:
    tenant = f"cli-sim-{uuid.uuid4().hex[:8]}"
    runner = CliRunner()
    result = runner.invoke(
        app, ["simulate", "starbucks", "--decisions", "150", "--tenant", tenant, "--json"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["decisions"] == 150
    assert set(body["positiveRate"]) >= {"flow", "random", "bestSingleOffer", "oracle"}
    assert len(body["regret"]) >= 1
    text = runner.invoke(
        app,
        ["simulate", "starbucks", "--decisions", "50", "--tenant", tenant, "--policy", "random"],
    )
    assert text.exit_code == 0, text.output
    assert "best single offer" in text.stdout and "per-customer oracle" in text.stdout
    other = runner.invoke(app, ["simulate", "uci-bank", "--decisions", "5", "--tenant", tenant])
    assert other.exit_code == 4
    assert "starbucks" in other.stderr
