"""Request-scoped access to the process's pool and settings."""

from typing import Annotated

from fastapi import Depends, Request
from psycopg_pool import ConnectionPool

from seedpacks.config import Settings


def pool(request: Request) -> ConnectionPool:
    return request.app.state.pool  # type: ignore[no-any-return]


def settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


Pool = Annotated[ConnectionPool, Depends(pool)]
AppSettings = Annotated[Settings, Depends(settings)]
