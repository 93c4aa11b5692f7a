"""Bounds on every request before a route sees it: header size, body size, a body that stalls.

An ASGI middleware of the app itself, so the bounds hold however the app is served (uvicorn,
the tests' server, another ASGI server). A body is never buffered here: the bytes are counted
as the route reads them, and the wait for each next part is bounded, so a client that stops
sending is cut off instead of holding what its request holds (a connection, a tenant's lock).
"""

import asyncio
import re
from collections.abc import Sequence

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from seedpacks.config import Settings

# The client cannot go on with a request cut off mid-body: the connection closes after it.
CLOSE = {"Connection": "close"}


class BodyRefused(HTTPException):
    """A body over its limit (413) or stalled (408).

    An HTTPException, as FastAPI passes those on when they arise while it reads a body (any
    other error there becomes a 400 naming no reason).
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status_code=status, detail=message, headers=CLOSE)


def too_large(*, limit: int) -> BodyRefused:
    """Return the 413 of a body over `limit` bytes."""
    return BodyRefused(
        413,
        f"The request body is larger than {limit} bytes, the limit of this endpoint "
        "(SEEDPACKS_MAX_BODY_BYTES): send a smaller body.",
    )


def stalled(*, seconds: float) -> BodyRefused:
    """Return the 408 of a body of which nothing arrived for `seconds`."""
    return BodyRefused(
        408,
        f"No part of the request body arrived for {seconds:g} s, so the request was cut off "
        "(SEEDPACKS_BODY_TIMEOUT_SECONDS): send the body without pausing.",
    )


def header_size(headers: Sequence[tuple[bytes, bytes]]) -> tuple[int, int | None]:
    """Return the total size of the header names and values, and the declared Content-Length."""
    total, length = 0, None
    for name, value in headers:
        total += len(name) + len(value)
        if name == b"content-length" and value.isdigit():
            length = int(value)
    return total, length


class RequestLimits:
    """Refuse oversized headers (431) and bodies (413), and cut off stalled bodies (408).

    Paths matching one of `own_limit` (uploads) bound their body size themselves, with a limit
    of their own; the stall timeout holds for them too.
    """

    def __init__(
        self, app: ASGIApp, *, settings: Settings, own_limit: Sequence[re.Pattern[str]] = ()
    ) -> None:
        self.app = app
        self.max_headers = settings.max_header_bytes
        self.max_body = settings.max_body_bytes
        self.timeout = settings.body_timeout_seconds
        self.own_limit = tuple(own_limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        size, declared = header_size(scope["headers"])
        if size > self.max_headers:
            message = (
                f"The request headers take {size} bytes; at most {self.max_headers} are accepted "
                "(SEEDPACKS_MAX_HEADER_BYTES): send fewer or shorter headers."
            )
            await refuse(scope, receive, send, status=431, message=message)
            return
        path = scope["path"]
        limit = None if any(p.match(path) for p in self.own_limit) else self.max_body
        if limit is not None and declared is not None and declared > limit:
            # Refused from the declared length alone: not a byte of the body is read.
            refused = too_large(limit=limit)
            await refuse(scope, receive, send, status=413, message=refused.detail)
            return
        await self.app(scope, bounded(receive, limit=limit, timeout=self.timeout), send)


def bounded(receive: Receive, *, limit: int | None, timeout: float) -> Receive:
    """Wrap `receive`: raise BodyRefused past `limit` bytes or after `timeout` s of silence."""
    received = 0
    more = True

    async def receive_bounded() -> Message:
        nonlocal received, more
        if not more:
            # The body is in: what comes now is the disconnect, which may come as late as the
            # response does (a streaming response listens for it).
            return await receive()
        try:
            async with asyncio.timeout(timeout):
                message = await receive()
        except TimeoutError:
            raise stalled(seconds=timeout) from None
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            more = message.get("more_body", False)
            if limit is not None and received > limit:
                raise too_large(limit=limit)
        else:
            more = False
        return message

    return receive_bounded


async def refuse(scope: Scope, receive: Receive, send: Send, *, status: int, message: str) -> None:
    """Answer the request with the error `{status, message}` and close the connection."""
    response = JSONResponse({"status": status, "message": message}, status, headers=CLOSE)
    await response(scope, receive, send)
