"""The units of work behind the API and the CLI: each one tenant-locked transaction.

These are the callers that own transactions; everything they call only executes statements.
"""

import logging
from collections.abc import Callable, Iterable
from typing import Any, BinaryIO

import psycopg
from psycopg_pool import ConnectionPool

from seedpacks.config import Settings
from seedpacks.errors import (
    BadRequest,
    Conflict,
    OperationInProgress,
    PackNotFound,
    PackNotLoaded,
    SeedError,
)
from seedpacks.packfile import parse_pack
from seedpacks.packs.custom import (
    check_key,
    custom_packs,
    find_custom_pack,
    list_entry,
    register_pack,
    resolve_pack,
)
from seedpacks.packs.model import Pack
from seedpacks.packs.registry import PACKS
from seedpacks.seeding.load import load_pack, load_steps
from seedpacks.seeding.progress import Progress, read_progress
from seedpacks.seeding.ratelimit import check_rate_limit
from seedpacks.seeding.remove import REMOVE_STEPS, remove_pack
from seedpacks.seeding.tenancy import register_tenant, try_lock_tenant
from seedpacks.seeding.upload import UPLOAD_STEPS, describe_result, upload_csv, upload_target
from seedpacks.seeding.upload_stream import blocks, limited

log = logging.getLogger(__name__)
Listener = Callable[[dict[str, Any]], None]


def _loaded(conn: psycopg.Connection, tenant: str) -> tuple[str, str] | None:
    """Return the tenant's loaded (dataset key, PostgreSQL schema), or None."""
    row = conn.execute(
        "SELECT dataset_key, pg_schema FROM loaded_datasets WHERE tenant_id = %s", (tenant,)
    ).fetchone()
    return (row[0], row[1]) if row else None


def loaded_key(pool: ConnectionPool, *, tenant: str) -> str | None:
    with pool.connection() as conn:
        loaded = _loaded(conn, tenant)
    return loaded[0] if loaded else None


def _count_call(pool: ConnectionPool, settings: Settings, tenant: str) -> None:
    """Count a load or upload call against the tenant's rate limit (429 past it)."""
    with pool.connection() as conn:
        check_rate_limit(
            conn, tenant=tenant, limit=settings.rate_limit, window=settings.rate_window_seconds
        )


def list_datasets(pool: ConnectionPool, *, tenant: str) -> dict[str, Any]:
    """Return the built-in packs' and the tenant's own packs' entries with its loaded flag."""
    with pool.connection() as conn:
        loaded = _loaded(conn, tenant)
        packs = [*PACKS.values(), *custom_packs(conn, tenant=tenant)]
    current = loaded[0] if loaded else None
    datasets = [{**list_entry(pack), "loaded": pack.key == current} for pack in packs]
    return {"datasets": datasets, "currentlyLoaded": current}


def dataset_status(pool: ConnectionPool, *, tenant: str) -> dict[str, Any]:
    with pool.connection() as conn:
        return read_progress(conn, tenant=tenant)


def check_load_arguments(settings: Settings, *, seed: int, scale: int) -> None:
    if scale < 1 or scale > settings.max_scale:
        raise BadRequest(
            f"scale must be a whole number from 1 to {settings.max_scale}; got {scale}."
        )
    if seed < 0 or seed >= 2**63:
        raise BadRequest(f"seed must be a whole number from 0 to 2^63-1; got {seed}.")


def find_pack(
    pool: ConnectionPool, *, tenant: str, key: str, settings: Settings | None = None
) -> Pack:
    """Return the built-in pack `key` or the tenant's own (404 when neither exists)."""
    with pool.connection() as conn:
        return resolve_pack(conn, tenant=tenant, key=key, settings=settings)


def _check_unchanged(conn: psycopg.Connection, *, tenant: str, pack: Pack, own: bool) -> None:
    """Under the tenant's lock: 409 when the tenant's own pack changed since it was resolved."""
    if not own:
        return
    current = find_custom_pack(conn, tenant=tenant, key=pack.key)
    if current is not pack and current != pack:  # equal: compiled again after a cache eviction
        raise Conflict(
            f"Pack '{pack.key}' was replaced or deleted while this call started: try again.",
            datasetKey=pack.key,
        )


def _pack_name(conn: psycopg.Connection, *, tenant: str, key: str) -> str:
    """Return the name of pack `key`, built-in or the tenant's own (its key when it has none)."""
    pack = PACKS.get(key) or find_custom_pack(conn, tenant=tenant, key=key)
    return pack.name if pack else key


def _also_loaded(conn: psycopg.Connection, *, tenant: str, key: str | None) -> str:
    """Return " (NAME is loaded)" for the loaded pack `key`, "" when none is."""
    return f" ({_pack_name(conn, tenant=tenant, key=key)} is loaded)" if key else ""


def _run(progress: Progress, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run `work`; record `failed` with the reason once the transaction has rolled back."""
    try:
        return work()
    except SeedError as exc:
        if progress.step_name:
            progress.failed(exc.message)
        raise
    except Exception:
        if progress.step_name:
            # The raw text may show SQL, index names or values: it goes to the log only.
            progress.failed("Internal error: nothing was changed; the server log has the details.")
        log.exception("seed operation failed for tenant %s", progress.tenant)
        raise


def load_dataset(
    pool: ConnectionPool,
    settings: Settings,
    *,
    tenant: str,
    key: str,
    force: bool = False,
    seed: int | None = None,
    scale: int = 1,
    listener: Listener | None = None,
    pack: Pack | None = None,
) -> dict[str, Any]:
    """Load pack `key` for `tenant` in one transaction (replacing the loaded one when forced).

    `pack` loads a pack object under its key without registering it (tests, benchmarks).
    """
    own = pack is None and key not in PACKS
    pack = pack or find_pack(pool, tenant=tenant, key=key, settings=settings)
    return _load(
        pool,
        settings,
        tenant=tenant,
        pack=pack,
        own=own,
        force=force,
        seed=seed,
        scale=scale,
        listener=listener,
    )


def load_pack_file(
    pool: ConnectionPool,
    settings: Settings,
    *,
    tenant: str,
    text: bytes,
    media_type: str,
    origin: str = "pack file",
    force: bool = False,
    seed: int | None = None,
    scale: int = 1,
    listener: Listener | None = None,
) -> dict[str, Any]:
    """Register pack file `text` as the tenant's own pack and load it, in one transaction.

    All or nothing: a load that fails leaves the earlier definition of the key (or none). A
    definition is not replaced while its pack is loaded unless `force` replaces the load too.
    The answer is the load's, with `definition` "registered" (a new key) or "replaced".
    """
    declared = parse_pack(text, origin=origin, settings=settings)
    check_key(declared.key)

    def define(conn: psycopg.Connection) -> tuple[Pack, dict[str, Any]]:
        # After the forced removal, in the load's transaction: nothing of the key is loaded.
        pack, created = register_pack(
            conn,
            tenant=tenant,
            key=declared.key,
            text=text,
            media_type=media_type,
            settings=settings,
        )
        return pack, {"definition": "registered" if created else "replaced"}

    return _load(
        pool,
        settings,
        tenant=tenant,
        pack=declared,
        define=define,
        force=force,
        seed=seed,
        scale=scale,
        listener=listener,
    )


def _load(
    pool: ConnectionPool,
    settings: Settings,
    *,
    tenant: str,
    pack: Pack,
    own: bool = False,
    define: Callable[[psycopg.Connection], tuple[Pack, dict[str, Any]]] | None = None,
    force: bool,
    seed: int | None,
    scale: int,
    listener: Listener | None,
) -> dict[str, Any]:
    """Load `pack`; with `define`, store its definition first, in the same transaction."""
    seed = settings.default_seed if seed is None else seed
    check_load_arguments(settings, seed=seed, scale=scale)
    _count_call(pool, settings, tenant)
    steps = load_steps(pack, scale)
    progress = Progress(pool, tenant=tenant, dataset_key=pack.key, operation="load", steps=steps)
    if listener:
        progress.listeners.append(listener)

    register_tenant(pool, tenant=tenant)

    def work() -> dict[str, Any]:
        with pool.connection() as conn, conn.transaction():
            if not try_lock_tenant(conn, tenant):
                raise OperationInProgress(tenant)
            _check_unchanged(conn, tenant=tenant, pack=pack, own=own)
            loaded = _loaded(conn, tenant)
            current = loaded[0] if loaded else None
            if current and not force:
                name = _pack_name(conn, tenant=tenant, key=current)
                raise _conflict(current, name, pack, redefining=define is not None)
            progress.start()
            if current:
                remove_pack(
                    conn,
                    tenant=tenant,
                    dataset_key=current,
                    progress=progress,
                    drop_history=False,  # replaced by the new load's partition, at its end
                )
            loading, defined = define(conn) if define else (pack, {})
            result = load_pack(
                conn, tenant=tenant, pack=loading, seed=seed, scale=scale, progress=progress
            )
        progress.completed(counts=result.counts, seed=seed, scale=scale)
        return {
            "message": f"{pack.name} loaded successfully",
            "counts": result.counts,
            "datasetKey": pack.key,
            "seed": seed,
            "scale": scale,
            "replaced": current,
            "manifest": result.manifest,
            **defined,
        }

    return _run(progress, work)


def _conflict(current: str, name: str, pack: Pack, *, redefining: bool = False) -> Conflict:
    """Return the 409 of a load while pack `current` (named `name`) is loaded, unforced."""
    if current == pack.key and redefining:
        message = (
            f"{pack.name} is loaded for this tenant, and its rows and manifest depend on its "
            "definition. Add ?force=true to replace its definition and reload it."
        )
    elif current == pack.key:
        message = f"{pack.name} is already loaded. Add ?force=true to reload it."
    else:
        message = f"{name} is currently loaded. Add ?force=true to remove it and load {pack.name}."
    return Conflict(message, currentlyLoaded=current, requestedLoad=pack.key)


def remove_dataset(pool: ConnectionPool, *, tenant: str, key: str) -> dict[str, Any]:
    """Remove pack `key` from `tenant` in one transaction; 404 when it is not loaded."""
    # A pack loaded as an object (load_dataset's `pack`) is not registered: its loaded key
    # names it.
    registered = PACKS.get(key)
    if registered is None:
        with pool.connection() as conn:
            registered = find_custom_pack(conn, tenant=tenant, key=key)
    if registered is None and loaded_key(pool, tenant=tenant) != key:
        raise PackNotFound(key)
    name = registered.name if registered else key
    progress = Progress(
        pool, tenant=tenant, dataset_key=key, operation="remove", steps=REMOVE_STEPS
    )

    register_tenant(pool, tenant=tenant)

    def work() -> dict[str, Any]:
        with pool.connection() as conn, conn.transaction():
            if not try_lock_tenant(conn, tenant):
                raise OperationInProgress(tenant)
            current = (_loaded(conn, tenant) or (None, None))[0]
            if current != key:
                if registered is None:
                    raise PackNotFound(key)
                other = _also_loaded(conn, tenant=tenant, key=current)
                raise PackNotLoaded(
                    f"{name} is not loaded for this tenant{other}; there is nothing to remove.",
                    status=404,
                    datasetKey=key,
                    currentlyLoaded=current,
                )
            progress.start()
            counts = remove_pack(conn, tenant=tenant, dataset_key=key, progress=progress)
        progress.completed(counts=counts)
        return {"message": f"{name} removed successfully", "counts": counts, "datasetKey": key}

    return _run(progress, work)


def upload_table(
    pool: ConnectionPool,
    settings: Settings,
    *,
    tenant: str,
    key: str,
    schema: str,
    stream: Iterable[bytes] | BinaryIO,
    size: int | None = None,
    listener: Listener | None = None,
    pack: Pack | None = None,
) -> dict[str, Any]:
    """Replace the rows of pack table `schema` with a CSV stream, in one transaction."""
    own = pack is None and key not in PACKS
    pack = pack or find_pack(pool, tenant=tenant, key=key, settings=settings)
    table = upload_target(pack, schema)
    _count_call(pool, settings, tenant)
    progress = Progress(
        pool,
        tenant=tenant,
        dataset_key=pack.key,
        operation="upload",
        steps=UPLOAD_STEPS,
        unit="bytes",
    )
    if listener:
        progress.listeners.append(listener)

    register_tenant(pool, tenant=tenant)

    def work() -> dict[str, Any]:
        with pool.connection() as conn, conn.transaction():
            if not try_lock_tenant(conn, tenant):
                raise OperationInProgress(tenant)
            _check_unchanged(conn, tenant=tenant, pack=pack, own=own)
            current, pg_schema = _loaded(conn, tenant) or (None, None)
            if current != pack.key or pg_schema is None:
                other = _also_loaded(conn, tenant=tenant, key=current)
                raise PackNotLoaded(
                    f"{pack.name} is not loaded for this tenant{other}: load it first "
                    f"(POST /api/v1/seed-dataset/{pack.key}), then upload into {schema}.",
                    status=400,
                    datasetKey=pack.key,
                    schemaName=schema,
                )
            progress.start()
            chunks = limited(blocks(stream), max_bytes=settings.upload_max_bytes)
            result = upload_csv(
                conn,
                tenant=tenant,
                pack=pack,
                table=table,
                pg_schema=pg_schema,
                chunks=chunks,
                size=size,
                progress=progress,
            )
        progress.completed(counts=result.counts, rowsInserted=result.rows)
        return {
            "message": f"Uploaded {result.rows} rows to {schema}",
            "rowsInserted": result.rows,
            "schemaName": schema,
            "datasetKey": pack.key,
            **describe_result(result),
        }

    return _run(progress, work)
