"""API keys in the database: shown once, stored as a hash, refused once revoked or expired, and
their use recorded at most once a minute; the server's short cache of looked-up keys."""

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from psycopg_pool import ConnectionPool

from seedpacks.auth import keys
from seedpacks.auth.identity import Identity
from seedpacks.auth.key_cache import KeyCache
from seedpacks.errors import BadRequest, NotFound, Unauthorized


@pytest.fixture
def tenant() -> str:
    return f"keys-{uuid.uuid4().hex[:12]}"


def _create(pool: ConnectionPool, tenant: str, role: str = "admin", **kwargs: object) -> str:
    with pool.connection() as conn:
        return str(keys.create_key(conn, tenant=tenant, role=role, **kwargs)["key"])  # type: ignore[arg-type]


def _stored(pool: ConnectionPool, tenant: str) -> list[tuple[object, ...]]:
    with pool.connection() as conn:
        return conn.execute("SELECT * FROM api_keys WHERE tenant_id = %s", (tenant,)).fetchall()


def test_a_key_is_shown_once_and_only_its_hash_is_stored(pool: ConnectionPool, tenant: str) -> None:
    with pool.connection() as conn:
        created = keys.create_key(conn, tenant=tenant, role="editor", name="ci", expires_days=7)
    key = created["key"]
    assert keys.well_formed(key) and key.startswith(f"sp_{created['id']}_")
    (row,) = _stored(pool, tenant)
    assert key not in repr(row) and key.split("_")[-1] not in repr(row)
    assert keys.digest(key) in row
    with pool.connection() as conn:
        listed = keys.list_keys(conn, tenant=tenant)
    assert [k["id"] for k in listed] == [created["id"]]
    assert "key" not in listed[0] and listed[0]["role"] == "editor" and listed[0]["name"] == "ci"
    assert listed[0]["state"] == "active" and listed[0]["expiresAt"] is not None


def test_a_key_grants_its_tenant_and_role(pool: ConnectionPool, tenant: str) -> None:
    key = _create(pool, tenant, "viewer")
    with pool.connection() as conn:
        assert keys.verify_key(conn, key=key) == Identity(tenant=tenant, role="viewer")


@pytest.mark.parametrize(
    "key", ["", "sp_", "not a key", "sp_0123456789ab_" + "A" * 43, "sp_0123456789ab_" + "A" * 44]
)
def test_unknown_or_malformed_keys_are_401(pool: ConnectionPool, key: str) -> None:
    with pool.connection() as conn, pytest.raises(Unauthorized, match="not valid"):
        keys.verify_key(conn, key=key)


def test_a_revoked_key_is_401_and_revoking_again_changes_nothing(
    pool: ConnectionPool, tenant: str
) -> None:
    key = _create(pool, tenant)
    key_id = key.split("_")[1]
    with pool.connection() as conn:
        first = keys.revoke_key(conn, tenant=tenant, key_id=key_id)
        again = keys.revoke_key(conn, tenant=tenant, key_id=key_id)
        assert first["state"] == "revoked" and again["revokedAt"] == first["revokedAt"]
        with pytest.raises(Unauthorized, match="revoked"):
            keys.verify_key(conn, key=key)
        # Another tenant cannot revoke it, nor learn it exists.
        with pytest.raises(NotFound):
            keys.revoke_key(conn, tenant=f"{tenant}-other", key_id=key_id)


def test_an_expired_key_is_401(pool: ConnectionPool, tenant: str) -> None:
    key = _create(pool, tenant, expires_days=1)
    with pool.connection() as conn:
        conn.execute(
            "UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE tenant_id = %s",
            (tenant,),
        )
        with pytest.raises(Unauthorized, match="expired"):
            keys.verify_key(conn, key=key)
        assert keys.list_keys(conn, tenant=tenant)[0]["state"] == "expired"


@pytest.mark.parametrize(
    ("tenant_id", "role", "days", "words"),
    [
        ("", "admin", None, "empty"),
        ("acme\u00a0", "admin", None, r"U\+00A0"),
        ("acme", "owner", None, "admin, editor or viewer"),
        ("acme", "admin", 0, "days"),
    ],
)
def test_creating_a_key_checks_its_tenant_role_and_expiry(
    pool: ConnectionPool, tenant_id: str, role: str, days: int | None, words: str
) -> None:
    with pool.connection() as conn, pytest.raises(BadRequest, match=words):
        keys.create_key(conn, tenant=tenant_id, role=role, expires_days=days)


def _last_used(pool: ConnectionPool, tenant: str) -> datetime | None:
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT last_used_at FROM api_keys WHERE tenant_id = %s", (tenant,)
        ).fetchone()
    assert row is not None
    return row[0]  # type: ignore[no-any-return]


def test_use_is_recorded_at_most_once_a_minute(pool: ConnectionPool, tenant: str) -> None:
    key = _create(pool, tenant)
    assert _last_used(pool, tenant) is None
    with pool.connection() as conn:
        keys.verify_key(conn, key=key)
    first = _last_used(pool, tenant)
    assert first is not None
    with pool.connection() as conn:
        keys.verify_key(conn, key=key)
    assert _last_used(pool, tenant) == first
    with pool.connection() as conn:
        conn.execute(
            "UPDATE api_keys SET last_used_at = now() - interval '61 seconds' WHERE tenant_id = %s",
            (tenant,),
        )
        keys.verify_key(conn, key=key)
    later = _last_used(pool, tenant)
    assert later is not None and later >= first


def test_a_revoked_keys_use_is_not_recorded(pool: ConnectionPool, tenant: str) -> None:
    key = _create(pool, tenant)
    with pool.connection() as conn:
        keys.revoke_key(conn, tenant=tenant, key_id=key.split("_")[1])
        with pytest.raises(Unauthorized):
            keys.verify_key(conn, key=key)
    assert _last_used(pool, tenant) is None


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _record(role: str = "admin", **changes: object) -> keys.KeyRecord:
    fields: dict[str, object] = {
        "tenant": "acme",
        "id": "0123456789ab",
        "role": role,
        "expires_at": None,
        "revoked_at": None,
        "last_used_at": None,
    }
    return keys.KeyRecord(**{**fields, **changes})  # type: ignore[arg-type]


KEY = "sp_0123456789ab_" + "k" * 43


def test_the_cache_looks_a_key_up_once_per_period() -> None:
    clock, looked_up = _Clock(), []
    records = {keys.digest(KEY): _record()}

    async def lookup(key_digest: bytes) -> keys.KeyRecord | None:
        looked_up.append(key_digest)
        await asyncio.sleep(0.01)
        return records.get(key_digest)

    cache = KeyCache(lookup=lookup, seconds=5, clock=clock)

    async def scenario() -> None:
        # Ten calls at once share one lookup.
        found = await asyncio.gather(*(cache.identity(KEY) for _ in range(10)))
        assert set(found) == {Identity(tenant="acme", role="admin")} and len(looked_up) == 1
        clock.now = 4.9
        await cache.identity(KEY)
        assert len(looked_up) == 1
        # Revoked meanwhile: seen once the entry is stale.
        records[keys.digest(KEY)] = _record(revoked_at=datetime.now(UTC))
        clock.now = 5.1
        with pytest.raises(Unauthorized, match="revoked"):
            await cache.identity(KEY)
        assert len(looked_up) == 2
        # A malformed key is refused without a lookup.
        with pytest.raises(Unauthorized):
            await cache.identity("sp_nonsense")
        assert len(looked_up) == 2

    asyncio.run(scenario())


def test_a_cached_key_stops_working_the_moment_it_expires() -> None:
    expiring = _record(expires_at=datetime.now(UTC))

    async def lookup(key_digest: bytes) -> keys.KeyRecord | None:
        return expiring

    cache = KeyCache(lookup=lookup, seconds=3600, clock=_Clock())
    with pytest.raises(Unauthorized, match="expired"):
        asyncio.run(cache.identity(KEY))


def test_the_cache_holds_a_bounded_number_of_keys() -> None:
    looked_up: list[bytes] = []

    async def lookup(key_digest: bytes) -> keys.KeyRecord | None:
        looked_up.append(key_digest)
        return None

    cache = KeyCache(lookup=lookup, seconds=60, max_entries=3, clock=_Clock())
    made_up = [f"sp_{n:012x}_" + "x" * 43 for n in range(5)]

    async def scenario() -> None:
        for key in [*made_up, made_up[-1], made_up[0]]:
            with pytest.raises(Unauthorized):
                await cache.identity(key)

    asyncio.run(scenario())
    assert len(cache._entries) == 3
    # The last key came from the cache; the first had been evicted and was looked up again.
    assert len(looked_up) == 6
