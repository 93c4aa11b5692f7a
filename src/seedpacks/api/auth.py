"""Trusted-gateway identity: the tenant and role come in the X-Tenant-Id and X-User-Role headers."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header

from seedpacks.errors import Forbidden, Unauthorized

ROLES = ("admin", "editor", "viewer")
# The roles each `require` dependency admits; the OpenAPI document derives its 403s from it.
ADMITTED: dict[Callable[..., Awaitable["Identity"]], tuple[str, ...]] = {}


@dataclass(frozen=True)
class Identity:
    tenant: str
    role: str


async def identity(
    x_tenant_id: Annotated[str | None, Header(description="The tenant the call acts on.")] = None,
    x_user_role: Annotated[str | None, Header(description="admin, editor or viewer.")] = None,
) -> Identity:
    """Return the caller's identity, or raise 401 when it is missing or unknown."""
    tenant = (x_tenant_id or "").strip()
    if not tenant:
        raise Unauthorized("Missing X-Tenant-Id header: send the id of the tenant to act on.")
    if len(tenant) > 200:
        raise Unauthorized("X-Tenant-Id is longer than 200 characters.")
    role = (x_user_role or "").strip().lower()
    if role not in ROLES:
        shown = f"'{x_user_role}'" if x_user_role else "missing"
        raise Unauthorized(f"X-User-Role is {shown}: send one of admin, editor or viewer.")
    return Identity(tenant=tenant, role=role)


def require(*roles: str, action: str) -> Callable[..., Awaitable[Identity]]:
    """Return a dependency that admits only `roles` (403 for any other known role)."""

    # async: pure checks, so no hop through the thread pool on every request.
    async def dependency(who: Annotated[Identity, Depends(identity)]) -> Identity:
        if who.role not in roles:
            allowed = " or ".join(roles)
            raise Forbidden(f"Role '{who.role}' may not {action}; this needs role {allowed}.")
        return who

    ADMITTED[dependency] = roles
    return dependency
