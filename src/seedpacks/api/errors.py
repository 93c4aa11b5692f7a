"""Render every error as JSON `{status, message, ...}`: SeedErrors, bad requests, the unexpected."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match

from seedpacks.api.params import PATTERN_MEANINGS
from seedpacks.errors import SeedError, ServerBusy

log = logging.getLogger(__name__)


def _json(status: int, message: str, **extra: object) -> JSONResponse:
    return JSONResponse({"status": status, "message": message, **extra}, status_code=status)


_PLACES = {"query": "query parameter", "path": "path parameter", "header": "header"}
_KINDS = {
    list: "an array",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "true or false",
}


def _whole_body(error: dict[str, Any]) -> str:
    got = error.get("input")
    if error.get("type") == "missing":
        return "The request needs a JSON object as its body."
    if isinstance(got, bytes | str):
        # Without Content-Type: application/json the body is not parsed as JSON at all.
        return "The body must be a JSON object, sent with Content-Type: application/json."
    return f"The body must be a JSON object, not {_KINDS.get(type(got), 'that')}."


def _describe(error: dict[str, Any]) -> str:
    """Say what is wrong with one field, as a caller would name it (never a regex or a loc)."""
    place, *names = error.get("loc") or ("request",)
    kind, got = error.get("type"), error.get("input")
    if place == "body" and kind == "json_invalid":
        reason = str(error.get("ctx", {}).get("error", "invalid JSON"))
        where = f" at character {names[0]}" if names else ""
        return f"The body is not valid JSON: {reason[:1].lower()}{reason[1:]}{where}."
    if place == "body" and not names:
        return _whole_body(error)
    name = ".".join(str(n) for n in names)
    subject = f"{_PLACES.get(str(place), 'body field')} '{name}'"
    if kind == "missing":
        return f"{subject} is required."
    if kind == "string_pattern_mismatch":
        meaning = PATTERN_MEANINGS.get(str(error.get("ctx", {}).get("pattern")))
        expected = f"must be {meaning}" if meaning else "has a value it does not accept (see /docs)"
        return f"{subject} {expected}; got {got!r}."
    shown = f"; got {got!r}" if got is not None and not isinstance(got, dict) else ""
    return f"{subject}: {error.get('msg', 'invalid')}{shown}."


def _validation_message(exc: RequestValidationError) -> str:
    sentences = [_describe(error) for error in exc.errors()]
    return "Invalid request: " + " ".join(sentences)


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
