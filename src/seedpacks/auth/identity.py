"""The caller's identity, however it was established: a tenant and one of three roles."""

import unicodedata
from dataclasses import dataclass

from seedpacks.errors import Forbidden

ROLES = ("admin", "editor", "viewer")
MAX_TENANT_LENGTH = 200


@dataclass(frozen=True)
class Identity:
    tenant: str
    role: str


class MisconfiguredAuth(Exception):
    """The SEEDPACKS_AUTH settings cannot work (a missing key file, no issuer, ...)."""


def tenant_problem(tenant: str) -> str | None:
    """Return why `tenant` cannot be a tenant id, or None when it can."""
    if not tenant:
        return "the tenant id is empty"
    if len(tenant) > MAX_TENANT_LENGTH:
        return f"the tenant id is longer than {MAX_TENANT_LENGTH} characters"
    # As for the identity headers: controls and separators other than a plain space make
    # look-alike tenants ("acme" and "acme\u00a0").
    for char in tenant:
        if char != " " and unicodedata.category(char)[0] in "CZ":
            return f"the tenant id contains the character U+{ord(char):04X}"
    if tenant != tenant.strip(" "):
        return "the tenant id starts or ends with a space"
    return None


def check_role(who: Identity, roles: tuple[str, ...], *, action: str) -> Identity:
    """Return `who` if its role is one of `roles`; 403 naming the roles that may `action`."""
    if who.role not in roles:
        allowed = " or ".join(roles)
        raise Forbidden(f"Role '{who.role}' may not {action}; this needs role {allowed}.")
    return who
