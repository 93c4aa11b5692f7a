"""A tenant's own packs: pack files stored in PostgreSQL (tenant_packs), and the one resolver.

Service functions taking a connection: the caller owns the transaction. Registering and
deleting take the tenant's seed lock (seeding/tenancy.py), as loads and removals do, so a
definition cannot change between a load's resolve and its commit.
"""

import hashlib
from collections import OrderedDict
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

from seedpacks.config import Settings, get_settings
from seedpacks.errors import BadRequest, Conflict, OperationInProgress, PackNotFound, SeedError
from seedpacks.packfile import parse_pack
from seedpacks.packfile.limits import MAX_BYTES
from seedpacks.packs.describe import metadata
from seedpacks.packs.model import Pack
from seedpacks.packs.registry import PACKS
from seedpacks.seeding.tenancy import register_tenant, try_lock_tenant

# Literal path segments under /api/v1/seed-dataset: a pack with such a key could not be named.
RESERVED_KEYS = frozenset({"infer", "definition", "status", "upload"})
MEDIA_TYPES = {
    "application/yaml": "yaml",
    "text/yaml": "yaml",
    "application/x-yaml": "yaml",
    "application/json": "json",
    "text/plain": "",
}
_CACHE_SIZE = 128
_cache: OrderedDict[tuple[str, str, str], Pack] = OrderedDict()


class UnsupportedMediaType(SeedError):
    status = 415


def source_of(pack_key: str) -> str:
    """Return "builtin" for a pack of the package, "custom" otherwise."""
    return "builtin" if pack_key in PACKS else "custom"


def list_entry(pack: Pack) -> dict[str, Any]:
    """Return the pack's list entry: its metadata, `source` builtin or custom, `dataSource`."""
    return {**metadata(pack), "source": source_of(pack.key), "dataSource": pack.source}


def _compile(*, tenant: str, key: str, document: str, sha: str, settings: Settings | None) -> Pack:
    """Return the compiled pack of a stored document, parsed once per (tenant, key, sha256)."""
    cached = _cache.get((tenant, key, sha))
    if cached is not None:
        _cache.move_to_end((tenant, key, sha))
        return cached
    pack = parse_pack(document, origin=f"pack {key}", settings=settings or get_settings())
    _cache[(tenant, key, sha)] = pack
    while len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return pack


def find_custom_pack(
    conn: psycopg.Connection, *, tenant: str, key: str, settings: Settings | None = None
) -> Pack | None:
    """Return the tenant's registered pack `key`, or None."""
    row = conn.execute(
        "SELECT document, sha256 FROM tenant_packs WHERE tenant_id = %s AND key = %s",
        (tenant, key),
    ).fetchone()
    if row is None:
        return None
    return _compile(tenant=tenant, key=key, document=row[0], sha=row[1], settings=settings)


def resolve_pack(
    conn: psycopg.Connection, *, tenant: str, key: str, settings: Settings | None = None
) -> Pack:
    """Return the built-in pack `key` or the tenant's own, or raise PackNotFound (404)."""
    pack = PACKS.get(key) or find_custom_pack(conn, tenant=tenant, key=key, settings=settings)
    if pack is None:
        raise PackNotFound(key)
    return pack


def custom_packs(
    conn: psycopg.Connection, *, tenant: str, settings: Settings | None = None
) -> list[Pack]:
    """Return the tenant's registered packs, by key."""
    rows = conn.execute(
        "SELECT key, document, sha256 FROM tenant_packs WHERE tenant_id = %s ORDER BY key",
        (tenant,),
    ).fetchall()
    return [
        _compile(tenant=tenant, key=k, document=d, sha=s, settings=settings) for k, d, s in rows
    ]


def document_format(media_type: str, text: bytes) -> str:
    """Return "yaml" or "json" for a body of `media_type`; 415 for another type."""
    kind = MEDIA_TYPES.get(media_type.split(";")[0].strip().lower())
    if kind is None:
        raise UnsupportedMediaType(
            f"Content-Type {media_type or '(none)'} is not a pack file's: send the file as "
            f"{', '.join(MEDIA_TYPES)}.",
        )
    return kind or ("json" if text.lstrip()[:1] == b"{" else "yaml")


def check_key(key: str) -> None:
    """Refuse a key a tenant's own pack cannot have: a built-in pack's (409) or a reserved one."""
    if key in PACKS:
        raise Conflict(
            f"'{key}' is a built-in pack's key; built-in packs cannot be overwritten or "
            "deleted: register yours under another key.",
            datasetKey=key,
        )
    if key in RESERVED_KEYS:
        raise BadRequest(
            f"'{key}' is reserved (a path of the API under /api/v1/seed-dataset): pick another "
            "key.",
            datasetKey=key,
        )


def _lock_unloaded(conn: psycopg.Connection, *, tenant: str, key: str, doing: str) -> None:
    """Take the tenant's seed lock; 409 while an operation runs or pack `key` is loaded."""
    if not try_lock_tenant(conn, tenant):
        raise OperationInProgress(tenant)
    row = conn.execute(
        "SELECT dataset_key FROM loaded_datasets WHERE tenant_id = %s", (tenant,)
    ).fetchone()
    if row and row[0] == key:
        raise Conflict(
            f"Pack '{key}' is loaded for this tenant, and its rows and manifest depend on its "
            f"definition: remove it (DELETE /api/v1/seed-dataset/{key}) before you {doing} it.",
            datasetKey=key,
            currentlyLoaded=key,
        )


def register_pack(
    conn: psycopg.Connection,
    *,
    tenant: str,
    key: str,
    text: bytes,
    media_type: str,
    settings: Settings,
) -> tuple[Pack, bool]:
    """Store pack file `text` as the tenant's pack `key`; return it and whether it is new.

    The tenant must be registered (tenancy.register_tenant): this takes its seed lock.
    """
    check_key(key)
    fmt = document_format(media_type, text)
    if len(text) > MAX_BYTES:
        raise BadRequest(f"The file is {len(text):,} bytes; a pack file is at most {MAX_BYTES:,}.")
    pack = parse_pack(text, origin=f"pack {key}", settings=settings)
    if pack.key != key:
        raise BadRequest(
            f"The path names the pack '{key}' but the file's key is '{pack.key}': make them "
            "the same.",
            datasetKey=key,
            fileKey=pack.key,
        )
    _lock_unloaded(conn, tenant=tenant, key=key, doing="replace")
    document = text.decode("utf-8")
    sha = hashlib.sha256(text).hexdigest()
    row = conn.execute(
        "INSERT INTO tenant_packs (tenant_id, key, document, format, sha256)"
        " VALUES (%s, %s, %s, %s, %s)"
        " ON CONFLICT (tenant_id, key) DO UPDATE SET document = EXCLUDED.document,"
        " format = EXCLUDED.format, sha256 = EXCLUDED.sha256, updated_at = now()"
        " RETURNING xmax = 0",
        (tenant, key, document, fmt, sha),
    ).fetchone()
    assert row is not None
    _cache[(tenant, key, sha)] = pack
    return pack, bool(row[0])


def delete_pack(conn: psycopg.Connection, *, tenant: str, key: str) -> dict[str, Any]:
    """Delete the tenant's pack `key`; 409 for a built-in or a loaded one, 404 when it has none.

    The tenant must be registered (tenancy.register_tenant): this takes its seed lock.
    """
    if key in PACKS:
        check_key(key)
    _lock_unloaded(conn, tenant=tenant, key=key, doing="delete")
    row = conn.execute(
        "DELETE FROM tenant_packs WHERE tenant_id = %s AND key = %s RETURNING key",
        (tenant, key),
    ).fetchone()
    if row is None:
        raise PackNotFound(key)
    return {"message": f"Pack '{key}' deleted", "datasetKey": key}


def register_own_pack(
    pool: ConnectionPool,
    *,
    tenant: str,
    key: str,
    text: bytes,
    media_type: str,
    settings: Settings,
) -> tuple[Pack, bool]:
    """Register the tenant and store its pack `key` in one transaction (PUT, `pack register`)."""
    register_tenant(pool, tenant=tenant)
    with pool.connection() as conn, conn.transaction():
        return register_pack(
            conn, tenant=tenant, key=key, text=text, media_type=media_type, settings=settings
        )


def delete_own_pack(pool: ConnectionPool, *, tenant: str, key: str) -> dict[str, Any]:
    """Delete the tenant's pack `key` in one transaction (DELETE .../definition, `pack delete`)."""
    register_tenant(pool, tenant=tenant)
    with pool.connection() as conn, conn.transaction():
        return delete_pack(conn, tenant=tenant, key=key)
