"""`seedpacks apikey` and `--api-key`: keys printed once and stored as hashes; a command given
a key (or SEEDPACKS_API_KEY) acts as its tenant with its role, in every SEEDPACKS_AUTH mode."""

import json
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from psycopg_pool import ConnectionPool

from seedpacks.auth import keys
from seedpacks.config import get_settings
from seedpacks.seeding import operations
from tests.auth.jwt_keys import AUDIENCE, ISSUER, pem, rsa_key, token

Run = Callable[..., Result]


@pytest.fixture
def tenant() -> str:
    return f"cli-{uuid.uuid4().hex[:12]}"


def _create(cli: Run, tenant: str, role: str = "admin") -> str:
    result = cli("apikey", "create", "--tenant", tenant, "--role", role)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def test_create_prints_the_key_once_and_list_never_shows_it(
    cli: Run, pool: ConnectionPool, tenant: str
) -> None:
    result = cli("apikey", "create", "--tenant", tenant, "--role", "editor", "--name", "ci",
                 "--expires", "30")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    key = result.stdout.strip()
    assert keys.well_formed(key) and result.stdout == key + "\n"
    assert "shown only this once" in result.stderr and "as editor" in result.stderr
    with pool.connection() as conn:
        stored = conn.execute("SELECT * FROM api_keys WHERE tenant_id = %s", (tenant,)).fetchall()
    assert len(stored) == 1 and key.split("_")[-1] not in repr(stored)
    listed = cli("apikey", "list", "--tenant", tenant)
    assert listed.exit_code == 0 and key.split("_")[1] in listed.stdout
    assert key not in listed.stdout and "editor" in listed.stdout and "active" in listed.stdout
    (entry,) = json.loads(cli("apikey", "list", "--tenant", tenant, "--json").stdout)
    assert entry["name"] == "ci" and entry["expiresAt"] and "key" not in entry


def test_revoke_stops_a_key_and_an_unknown_id_is_not_found(cli: Run, tenant: str) -> None:
    key = _create(cli, tenant)
    key_id = key.split("_")[1]
    assert cli("status", "--api-key", key).exit_code == 0
    revoked = cli("apikey", "revoke", key_id, "--tenant", tenant)
    assert revoked.exit_code == 0, revoked.stderr
    assert f"Revoked API key {key_id}" in revoked.stdout
    refused = cli("status", "--api-key", key)
    assert refused.exit_code == 7 and "revoked" in refused.stderr
    missing = cli("apikey", "revoke", key_id, "--tenant", f"{tenant}-x")
    assert missing.exit_code == 3 and "has no API key" in missing.stderr


def test_a_command_with_a_key_acts_as_its_tenant(
    cli: Run, pool: ConnectionPool, tenant: str
) -> None:
    key = _create(cli, tenant)
    loaded = cli("load", "starbucks", "--api-key", key, "--json")
    assert loaded.exit_code == 0, loaded.stderr
    assert operations.loaded_key(pool, tenant=tenant) == "starbucks"
    status = json.loads(cli("status", "--json", env={"SEEDPACKS_API_KEY": key}).stdout)
    assert status["currentlyLoaded"] == "starbucks"
    assert cli("remove", "starbucks", "--api-key", key).exit_code == 0
    assert operations.loaded_key(pool, tenant=tenant) is None


def test_the_keys_role_and_tenant_cannot_be_exceeded(cli: Run, tenant: str) -> None:
    viewer = _create(cli, tenant, "viewer")
    assert cli("status", "--api-key", viewer).exit_code == 0
    refused = cli("load", "starbucks", env={"SEEDPACKS_API_KEY": viewer})
    assert refused.exit_code == 8
    assert "Role 'viewer' may not manage seed datasets" in refused.stderr
    other = cli("status", "--api-key", viewer, "--tenant", f"{tenant}-other")
    assert other.exit_code == 8 and "--tenant" in other.stderr
    unknown = cli("status", "--api-key", "sp_nonsense")
    assert unknown.exit_code == 7 and "not valid" in unknown.stderr


def test_in_jwt_mode_the_credential_is_a_token(
    cli: Run, tenant: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = rsa_key()
    (tmp_path / "idp.pem").write_text(pem(provider))
    for name, value in (
        ("SEEDPACKS_AUTH", "jwt"),
        ("SEEDPACKS_JWT_PUBLIC_KEY_FILE", str(tmp_path / "idp.pem")),
        ("SEEDPACKS_JWT_ISSUER", ISSUER),
        ("SEEDPACKS_JWT_AUDIENCE", AUDIENCE),
    ):
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    good = cli("status", "--json", "--api-key", token(provider, tenant=tenant, role="viewer"))
    assert good.exit_code == 0, good.stderr
    expired = cli("status", "--api-key", token(provider, tenant=tenant, expires_in=-120))
    assert expired.exit_code == 7 and "expired" in expired.stderr
