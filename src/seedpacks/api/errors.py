"""Render every error as JSON `{status, message, ...}`: SeedErrors, bad requests, the unexpected."""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match

from seedpacks.errors import SeedError, ServerBusy

log = logging.getLogger(__name__)


def _json(status: int, message: str, **extra: object) -> JSONResponse:
    return JSONResponse({"status": status, "message": message, **extra}, status_code=status)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("query", "path", "body"))
        location = error.get("loc", ("request",))[0]
        got = error.get("input")
        shown = f"; got {got!r}" if got is not None and not isinstance(got, dict) else ""
        parts.append(f"{location} field '{where}': {error.get('msg', 'invalid')}{shown}")
    return "Invalid request: " + "; ".join(parts) + "."


def _allowed_methods(request: Request) -> list[str]:
    # Ask the routes method by method: an included router matches fully only for its own.
    allowed = []
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return allowed


def install(app: FastAPI) -> None:
    """Register the handlers on `app`."""

    @app.exception_handler(SeedError)
    async def seed_error(_: Request, exc: SeedError) -> JSONResponse:
        if isinstance(exc, ServerBusy):
            log.warning("busy: %s", exc.message)
        elif exc.status >= 500:
            log.error("server-side error: %s", exc.message)
        response = JSONResponse(exc.body(), status_code=exc.status)
        response.headers.update(exc.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _json(400, _validation_message(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        messages = {
            404: "No such endpoint: see /docs for the API.",
            405: "This endpoint does not take that HTTP method: see /docs.",
        }
        message = (
            exc.detail
            if isinstance(exc.detail, str) and exc.status_code not in messages
            else messages.get(exc.status_code, str(exc.detail))
        )
        response = _json(exc.status_code, message)
        if exc.headers:
            response.headers.update(exc.headers)
        if exc.status_code == 405:
            # Starlette names only the first route matching the path; list them all.
            response.headers["Allow"] = ", ".join(_allowed_methods(request))
        return response

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return _json(
            500,
            "Internal error: the operation was rolled back and nothing was changed. "
            "The server log has the details.",
        )
