"""The FastAPI application: a pool on the configured database, migrations at start-up."""

import asyncio
import gc
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline

from seedpacks import __version__, bridge, db
from seedpacks.api import (
    answers,
    auth,
    custom_packs,
    decisioning,
    errors,
    export,
    hosts,
    infer,
    limits,
    openapi,
    pack_files,
    read,
    seed_datasets,
    upload,
    web,
    whoami,
)
from seedpacks.api.params import reject_unknown_query
from seedpacks.auth.modes import Authenticator
from seedpacks.config import Settings, get_settings

HEALTH_TIMEOUT = 5.0


def _select_one(pool: bridge.LoopPool) -> None:
    with pool.connection() as conn:
        conn.execute("SELECT 1")


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the database is opened when it starts serving."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = db.database_url(settings)
        pool = db.open_pool(url, min_size=settings.pool_min_size, max_size=settings.pool_max_size)
        with pool.connection() as conn:
            db.migrate(conn)
        app.state.pool = pool
        # The decisioning hot path runs on the event loop (see bridge.py), with its own pool.
        app.state.loop_pool = bridge.LoopPool(url, size=settings.decision_pool_size)
        # /healthz has a connection of its own: no other request can take it away.
        app.state.health_pool = bridge.LoopPool(url, size=1, timeout=HEALTH_TIMEOUT)
        # Move everything alive after start-up (the modules: numpy, polars, FastAPI...) out of
        # the collector's sight: a full collection then scans only what requests left behind,
        # 2 ms instead of 60 ms, which showed as recommend's p99 (bench/bench_recommend.py).
        gc.freeze()
        try:
            yield
        finally:
            app.state.loop_pool.close()
            app.state.health_pool.close()
            pool.close()
            db.release_embedded()

    # Swagger UI's script and styles come from the package, not a CDN: /docs works offline.
    app = FastAPIOffline(
        title="seedpacks",
        version=__version__,
        description="Dataset packs for a next-best-action decisioning platform, on PostgreSQL.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    # Built here, so a credential mode that cannot work fails before the server starts.
    app.state.authenticator = Authenticator(
        settings, headers=auth.identify, loop_pool=lambda: app.state.loop_pool
    )
    app.state.upload_slots = threading.BoundedSemaphore(settings.max_uploads)
    app.state.simulation_slots = threading.BoundedSemaphore(settings.max_simulations)
    app.add_middleware(
        limits.RequestLimits,
        settings=settings,
        own_limit=[upload.UPLOAD_PATH, infer.INFER_PATH, custom_packs.PACK_PATH],
    )
    if settings.auth == "headers":
        # Added last, so it runs first: a Host not served is refused before anything else.
        app.add_middleware(hosts.HostCheck, allowed=settings.allowed_hosts)
    errors.install(app)
    # A query parameter a route does not take is a 400 on every API route, never ignored.
    exact = [Depends(reject_unknown_query)]
    # infer before seed_datasets: POST /seed-dataset/infer is not a load of a pack 'infer'.
    for module in (
        infer,
        custom_packs,
        seed_datasets,
        upload,
        read,
        export,
        decisioning,
        whoami,
        pack_files,
    ):
        app.include_router(module.router, dependencies=exact)
    openapi.install(app, max_scale=settings.max_scale, auth=settings.auth)
    web.install(app)

    @app.get(
        "/healthz",
        tags=["health"],
        summary="200 once the database answers",
        response_model=None,
        responses={
            **openapi.success(answers.Health, {"status": "ok"}),
            **openapi.errors(503, e503="The database is not reachable."),
        },
    )
    async def healthz(request: Request) -> JSONResponse:
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT):
                await bridge.run(_select_one, request.app.state.health_pool)
        except Exception:
            return JSONResponse({"status": 503, "message": "The database is not reachable."}, 503)
        return JSONResponse({"status": "ok"})

    return app
