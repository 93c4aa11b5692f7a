"""How to authenticate to this server, and who the caller is: what the page asks first."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from seedpacks.api.auth import Identity, identity

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])

CREDENTIAL = {"headers": "identity-headers", "api-key": "api-key", "jwt": "bearer-token"}


class AuthMode(BaseModel):
    mode: Literal["headers", "api-key", "jwt"]
    credential: Literal["identity-headers", "api-key", "bearer-token"]


class Caller(BaseModel):
    tenant: str
    role: Literal["admin", "editor", "viewer"]


@router.get("", summary="The server's authentication mode (no credential needed)")
async def auth_mode(request: Request) -> AuthMode:
    mode = request.app.state.settings.auth
    return AuthMode(mode=mode, credential=CREDENTIAL[mode])  # type: ignore[arg-type]


@router.get("/me", summary="The tenant and role the caller's credential or headers grant")
async def me(who: Annotated[Identity, Depends(identity)]) -> Caller:
    return Caller(tenant=who.tenant, role=who.role)  # type: ignore[arg-type]
