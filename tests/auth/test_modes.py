"""Where each mode may listen: headers mode only on loopback unless a gateway is vouched for,
and `seedpacks serve` refusing, with the reason, before it starts anything."""

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from seedpacks.auth.modes import is_loopback, serve_refusal
from seedpacks.cli import app
from seedpacks.config import Settings, get_settings


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.4", "seedpacks.example", ""])
def test_other_hosts(host: str) -> None:
    assert not is_loopback(host)


@pytest.mark.parametrize(
    ("changes", "host", "refused"),
    [
        ({}, "127.0.0.1", False),
        ({}, "0.0.0.0", True),
        ({"auth": "headers"}, "::", True),
        ({"allow_trusted_headers": True}, "0.0.0.0", False),
        ({"auth": "api-key"}, "0.0.0.0", False),
        ({"auth": "jwt"}, "0.0.0.0", False),
    ],
)
def test_headers_mode_listens_beyond_loopback_only_when_allowed(
    changes: dict[str, object], host: str, refused: bool
) -> None:
    assert (serve_refusal(Settings(**changes), host=host) is not None) is refused


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    for name in ("SEEDPACKS_AUTH", "SEEDPACKS_ALLOW_TRUSTED_HEADERS", "SEEDPACKS_HOST"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_serve_refuses_headers_mode_on_every_interface(cli: CliRunner) -> None:
    result = cli.invoke(app, ["serve", "--host", "0.0.0.0", "--port", "1"])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("seedpacks: error: refusing to listen on 0.0.0.0")
    assert "admin of every tenant" in result.stderr and "--allow-trusted-headers" in result.stderr


def test_serve_refuses_a_jwt_mode_that_cannot_verify(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEEDPACKS_AUTH", "jwt")
    monkeypatch.setenv("SEEDPACKS_JWT_AUDIENCE", "seedpacks")
    result = cli.invoke(app, ["serve", "--host", "0.0.0.0", "--port", "1"])
    assert result.exit_code == 2, result.output
    assert "SEEDPACKS_JWT_ISSUER" in result.stderr
