"""The command line run in-process against the test database."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from seedpacks.cli import app
from seedpacks.config import get_settings
from seedpacks.packfile import starter_file
from tests.cli.own_packs import KEY
from tests.cli.test_cli import Run


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Run]:
    """Run the CLI in-process against the test database (settings are read afresh; no API key
    or auth mode from the environment unless a call passes `env`)."""
    monkeypatch.setenv("SEEDPACKS_DATABASE_URL", database_url)
    monkeypatch.delenv("SEEDPACKS_API_KEY", raising=False)
    monkeypatch.delenv("SEEDPACKS_AUTH", raising=False)
    get_settings.cache_clear()
    runner = CliRunner()

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        return runner.invoke(app, list(args), env=env)

    yield run
    get_settings.cache_clear()


@pytest.fixture
def starter(tmp_path: Path) -> Path:
    """The starter pack file of KEY, written to a temporary directory."""
    path = tmp_path / f"{KEY}.yaml"
    path.write_text(starter_file(KEY), encoding="utf-8")
    return path
