"""Fixtures: one tenant per pack with that pack loaded, shared by the decisioning tests."""

import uuid
from collections.abc import Callable, Iterator

import pytest
from psycopg_pool import ConnectionPool

from seedpacks.config import Settings
from seedpacks.seeding import operations


@pytest.fixture(scope="session")
def loaded_tenant(pool: ConnectionPool, settings: Settings) -> Iterator[Callable[[str], str]]:
    """Return a function giving a tenant with pack `key` loaded (loaded once per session)."""
    tenants: dict[str, str] = {}

    def get(key: str) -> str:
        if key not in tenants:
            tenant = f"dec-{key}-{uuid.uuid4().hex[:8]}"
            operations.load_dataset(pool, settings, tenant=tenant, key=key)
            tenants[key] = tenant
        return tenants[key]

    yield get


@pytest.fixture
def fresh_tenant(pool: ConnectionPool, settings: Settings) -> Callable[[str], str]:
    """Return a function loading pack `key` into a new tenant (for tests that change state)."""

    def load(key: str) -> str:
        tenant = f"dec-{key}-{uuid.uuid4().hex[:8]}"
        operations.load_dataset(pool, settings, tenant=tenant, key=key)
        return tenant

    return load
