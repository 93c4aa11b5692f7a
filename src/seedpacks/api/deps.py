"""Request-scoped access to the process's pool and settings."""

from typing import Annotated

from fastapi import Depends, Request
from psycopg_pool import ConnectionPool

from seedpacks.bridge import LoopPool
from seedpacks.config import Settings


# async: attribute reads, so no hop through the thread pool on every request.
async def pool(request: Request) -> ConnectionPool:
    return request.app.state.pool  # type: ignore[no-any-return]


async def loop_pool(request: Request) -> LoopPool:
    return request.app.state.loop_pool  # type: ignore[no-any-return]


async def settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


Pool = Annotated[ConnectionPool, Depends(pool)]
LoopPoolDep = Annotated[LoopPool, Depends(loop_pool)]
AppSettings = Annotated[Settings, Depends(settings)]
