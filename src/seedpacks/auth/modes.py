"""SEEDPACKS_AUTH: how a request's identity is established, and where headers mode may listen.

- `headers`: a trusted gateway sets X-Tenant-Id and X-User-Role (api/auth.py parses them).
- `api-key`: a key made by `seedpacks apikey create`, as X-API-Key or Authorization: Bearer.
- `jwt`: Authorization: Bearer with a token signed by the configured identity provider.

In the two credential modes the credential alone decides the tenant and the role: identity
headers naming another tenant or role are refused (403), never obeyed.
"""

import ipaddress
from collections.abc import Callable
from typing import Any

import psycopg
from starlette.requests import Request

from seedpacks import bridge
from seedpacks.auth import keys, tokens
from seedpacks.auth.identity import Identity
from seedpacks.auth.key_cache import KeyCache
from seedpacks.config import Settings
from seedpacks.errors import BadRequest, Forbidden, Unauthorized

HeaderParser = Callable[[Request], Identity]
# RFC 6750: a 401 for a missing or refused bearer credential says how to authenticate.
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="seedpacks"'}


class Authenticator:
    """Establishes the identity of each request as the configured mode says."""

    def __init__(
        self,
        settings: Settings,
        *,
        headers: HeaderParser,
        loop_pool: Callable[[], bridge.LoopPool],
    ) -> None:
        self.mode = settings.auth
        self._headers, self._loop_pool = headers, loop_pool
        self._tokens = tokens.from_settings(settings) if self.mode == "jwt" else None
        self._keys = KeyCache(lookup=self._find_key, seconds=settings.api_key_cache_seconds)

    async def identify(self, request: Request) -> Identity:
        """Return the caller's identity; 400 malformed, 401 missing or refused, 403 overridden."""
        if self.mode == "headers":
            return self._headers(request)
        try:
            credential = _credential(request, api_key_header=self.mode == "api-key")
            if self._tokens is not None:
                who = self._tokens.identity(credential)
            else:
                who = await self._keys.identity(credential)
        except Unauthorized as exc:
            exc.headers.update(CHALLENGE)
            raise
        refuse_overrides(request.headers.getlist, who)
        return who

    async def _find_key(self, key_digest: bytes) -> keys.KeyRecord | None:
        # The decisions' pool: its connections wait on the event loop, never block it.
        return await bridge.run(_find_key, self._loop_pool(), key_digest)


def _find_key(pool: bridge.LoopPool, key_digest: bytes) -> keys.KeyRecord | None:
    with pool.connection() as conn:
        return keys.find_key(conn, key_digest=key_digest)


def _one(request: Request, name: str) -> str | None:
    values = request.headers.getlist(name)
    if len(values) > 1:
        raise BadRequest(f"{name} was sent {len(values)} times: send it exactly once.")
    return values[0].strip(" \t") if values else None


def _credential(request: Request, *, api_key_header: bool) -> str:
    """Return the bearer credential (or X-API-Key); 401 when there is none."""
    authorization = _one(request, "Authorization")
    bearer = None
    if authorization is not None:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "bearer" or not value.strip(" \t"):
            raise Unauthorized("Send the credential as Authorization: Bearer <credential>.")
        bearer = value.strip(" \t")
    header = _one(request, "X-API-Key") if api_key_header else None
    if header is not None and bearer is not None and header != bearer:
        raise BadRequest("X-API-Key and Authorization carry different keys: send one key.")
    found = header or bearer
    if found:
        return found
    if api_key_header:
        raise Unauthorized(
            "This server needs an API key: send it as X-API-Key or Authorization: Bearer "
            "(an operator creates one with `seedpacks apikey create`)."
        )
    raise Unauthorized(
        "This server needs a bearer token: send Authorization: Bearer <JWT> from the identity "
        "provider."
    )


def refuse_overrides(values: Callable[[str], list[str]], who: Identity) -> None:
    """Refuse (403) identity headers that name another tenant or role than the credential's."""
    for name, granted in (("X-Tenant-Id", who.tenant), ("X-User-Role", who.role)):
        sent = {value.strip(" \t") for value in values(name)}
        if name == "X-User-Role":
            sent = {value.lower() for value in sent}
        if sent - {granted}:
            raise Forbidden(
                f"The credential acts for tenant '{who.tenant}' as {who.role}; {name} cannot "
                "change that: drop the header."
            )


def is_loopback(host: str) -> bool:
    """Return whether listening on `host` serves this machine only."""
    name = host.strip("[]")
    if name.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def serve_refusal(settings: Settings, *, host: str) -> str | None:
    """Return why `seedpacks serve` must not listen on `host` with these settings, or None."""
    if settings.auth != "headers" or settings.allow_trusted_headers or is_loopback(host):
        return None
    return (
        f"refusing to listen on {host} with SEEDPACKS_AUTH=headers: in this mode the server "
        "believes the X-Tenant-Id and X-User-Role any caller sends, so everyone who can reach "
        "the port would be admin of every tenant. Set SEEDPACKS_AUTH=api-key or jwt, or, when "
        "a gateway in front sets those headers and nothing else reaches the port, pass "
        "--allow-trusted-headers (SEEDPACKS_ALLOW_TRUSTED_HEADERS=true)."
    )


def credential_identity(
    conn: psycopg.Connection[Any], settings: Settings, *, credential: str
) -> Identity:
    """Return who `credential` is, as this server would see it: a JWT in jwt mode, else an API
    key (keys work whatever the mode; the command line has no identity headers)."""
    if settings.auth == "jwt":
        return tokens.from_settings(settings).identity(credential)
    return keys.verify_key(conn, key=credential)
