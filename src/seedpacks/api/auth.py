"""The caller's identity for the routes: SEEDPACKS_AUTH's mode (auth/modes.py) establishes it;
in headers mode (a trusted gateway) the tenant and role come in X-Tenant-Id and X-User-Role."""

import unicodedata
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Header, Request

from seedpacks.auth.identity import ROLES, Identity, check_role
from seedpacks.errors import BadRequest, Unauthorized

# The roles each `require` dependency admits; the OpenAPI document derives its 403s from it.
ADMITTED: dict[Callable[..., Awaitable[Identity]], tuple[str, ...]] = {}


# HTTP's own whitespace; anything else around or inside an identity is refused, not trimmed.
_HTTP_WHITESPACE = " \t"


def _header_value(request: Request, name: str) -> str | None:
    """Return the one value of header `name` trimmed of space and tab; 400 when it repeats."""
    values = request.headers.getlist(name)
    if len(values) > 1:
        raise BadRequest(f"{name} was sent {len(values)} times: send it exactly once.")
    return values[0].strip(_HTTP_WHITESPACE) if values else None


def _refused_character(value: str) -> str | None:
    # Controls, format characters and separators (NBSP, NEL, ...) make look-alike identities;
    # an inner ASCII space is a plain character of a tenant id ("Acme Ltd").
    for char in value:
        if char != " " and unicodedata.category(char)[0] in "CZ":
            return f"U+{ord(char):04X}"
    return None


def identify(request: Request) -> Identity:
    """Return the caller's identity from the headers (400 malformed, 401 missing or unknown)."""
    tenant = _header_value(request, "X-Tenant-Id") or ""
    raw_role = _header_value(request, "X-User-Role")
    if not tenant:
        raise Unauthorized("Missing X-Tenant-Id header: send the id of the tenant to act on.")
    if len(tenant) > 200:
        raise Unauthorized("X-Tenant-Id is longer than 200 characters.")
    refused = _refused_character(tenant)
    if refused:
        raise BadRequest(
            f"X-Tenant-Id contains the character {refused}: send the tenant id without "
            "control or separator characters."
        )
    role = raw_role.lower() if raw_role and raw_role.isascii() else ""
    if role not in ROLES:
        shown = f"{raw_role!r}" if raw_role else "missing"
        raise Unauthorized(f"X-User-Role is {shown}: send one of admin, editor or viewer.")
    return Identity(tenant=tenant, role=role)


async def identity(
    request: Request,
    # Declared for the OpenAPI document; `identify` reads them from the request itself, so that
    # a repeated header is seen.
    x_tenant_id: Annotated[str | None, Header(description="The tenant the call acts on.")] = None,
    x_user_role: Annotated[str | None, Header(description="admin, editor or viewer.")] = None,
) -> Identity:
    """Return the caller's identity, or raise 400/401 when it is malformed, missing or unknown."""
    return await authenticate(request)


async def authenticate(request: Request) -> Identity:
    """Return the caller's identity as the configured SEEDPACKS_AUTH mode establishes it."""
    return await request.app.state.authenticator.identify(request)  # type: ignore[no-any-return]


def require(*roles: str, action: str) -> Callable[..., Awaitable[Identity]]:
    """Return a dependency that admits only `roles` (403 for any other known role)."""

    # async: pure checks, so no hop through the thread pool on every request.
    async def dependency(who: Annotated[Identity, Depends(identity)]) -> Identity:
        return check_role(who, roles, action=action)

    ADMITTED[dependency] = roles
    return dependency
