"""The Host check, on every route: in headers mode only loopback names and SEEDPACKS_ALLOWED_HOSTS.

Headers mode trusts identity headers, so a web page whose DNS name is rebound to 127.0.0.1
could act as anyone on a developer's local server; refusing Host names nobody configured
stops it. It guards every route (the page, /docs and /healthz too), so it runs as a middleware
before any of them. In the credential modes the Host is not checked: a page on another origin
holds no key.
"""

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from seedpacks.api.limits import refuse
from seedpacks.auth.modes import is_loopback

_HTTP_WHITESPACE = " \t"


def _host_name(host: str) -> str:
    """Return the Host header's name without its port (and an IPv6 address without brackets)."""
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def refused_host(host: str, *, allowed: str) -> str | None:
    """Return why `host` is not served (loopback, or in `allowed`: comma-separated, `*` any)."""
    host = host.strip(_HTTP_WHITESPACE)
    names = {name.strip().lower() for name in allowed.split(",") if name.strip()}
    name = _host_name(host)
    if "*" in names or is_loopback(name) or name.lower() in names:
        return None
    return (
        f"Host '{host}' is not served: call the server at localhost, or add the name to "
        "SEEDPACKS_ALLOWED_HOSTS."
    )


class HostCheck:
    """Answer 400 to a request whose Host is not served, whatever its route."""

    def __init__(self, app: ASGIApp, *, allowed: str) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            why = refused_host(Headers(scope=scope).get("host") or "", allowed=self.allowed)
            if why is not None:
                await refuse(scope, receive, send, status=400, message=why)
                return
        await self.app(scope, receive, send)
