"""A route class for the hot endpoints: the usual FastAPI declaration, a leaner request path.

FastAPI spends about 0.15 ms of server CPU per request on its generic machinery (dependency
solving, body parsing and validation, two exit stacks), as much as a tenth of a recommend
(bench/bench_recommend.py). A route built with `DirectRoute` keeps its FastAPI declaration for
the OpenAPI document, but when `direct(endpoint)` registered a handler for its endpoint, the
handler answers from the raw request first: the same identity checks and the same pydantic
model, called directly. Anything the handler does not take on (a body that is not JSON, a
validation error) it hands back, and FastAPI's own path answers as it always would, so errors
read exactly alike either way.
"""

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

# Returns a response, or None to let FastAPI's own path answer.
Handler = Callable[[Request], Awaitable[Response | None]]
_HANDLERS: dict[Callable[..., Any], Handler] = {}


def direct(endpoint: Callable[..., Any]) -> Callable[[Handler], Handler]:
    """Register the decorated function as `endpoint`'s direct handler."""

    def register(handler: Handler) -> Handler:
        _HANDLERS[endpoint] = handler
        return handler

    return register


def is_json(request: Request) -> bool:
    """Return whether the body is declared JSON (the only kind a direct handler parses)."""
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return kind == "application/json"


class DirectRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        # FastAPI builds its handler here for routes used directly and for included ones alike;
        # it wraps the result in its exit stacks and body-size limit as usual.
        standard = super().get_route_handler()
        endpoint = self.endpoint

        async def handler(request: Request) -> Response:
            lean = _HANDLERS.get(endpoint)
            # A query string is for FastAPI's path to refuse (the route takes no parameters).
            if lean is None or request.scope.get("query_string"):
                return await standard(request)
            response = await lean(request)
            # Request caches the body it read, so FastAPI's path reads the same bytes.
            return response if response is not None else await standard(request)

        return handler
