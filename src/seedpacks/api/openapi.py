"""The OpenAPI document tells the truth about errors: every one is `{status, message, ...}`.

Routes declare the errors of their own logic with `responses=errors(404, 409)`; `install`
adds what follows from how a route is built: 400 where FastAPI would have said 422 (the app
answers invalid input with 400), 401 where the route needs an identity, and 403 where its role
check admits only some roles. The security schemes are those of the configured SEEDPACKS_AUTH
mode; in the credential modes the identity headers are not parameters (they grant nothing).
"""

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict

from seedpacks.api.auth import ADMITTED, ROLES

DESCRIPTIONS = {
    400: "Invalid request: a parameter, header or body field is wrong; the message says which.",
    401: "Missing or unknown identity: send X-Tenant-Id and X-User-Role (admin, editor, viewer).",
    403: "The caller's role may not do this.",
    404: "Not found: the message says what (pack, schema, or the pack is not loaded).",
    409: "Conflict with the tenant's state: a pack is loaded, or a seed operation is running.",
    408: "The client stopped sending the body for SEEDPACKS_BODY_TIMEOUT_SECONDS: cut off.",
    413: "The request body is larger than the limit; the message names it.",
    431: "The request headers are larger than SEEDPACKS_MAX_HEADER_BYTES.",
    429: "Rate limit reached for the tenant: wait Retry-After seconds.",
    503: "The database stayed busy or out of reach too long: nothing changed; try again shortly.",
}
# The 401 of the credential modes (SEEDPACKS_AUTH), instead of the one above.
CREDENTIAL_401 = {
    "api-key": "Missing, unknown, revoked or expired API key: send X-API-Key or a Bearer key.",
    "jwt": "Missing or refused bearer token: expired, wrongly signed, wrong issuer or audience,"
    " or without the tenant and role claims.",
}
_REF = "#/components/schemas/ErrorBody"
IDENTITY_HEADERS = {"x-tenant-id", "x-user-role"}
# No control, format or separator character but an inner ASCII space (api/auth.py refuses them
# with a 400), as far as a header's Latin-1 can carry them: C0, DEL, C1, NBSP, soft hyphen.
_EDGE, _INNER = r"[^\x00-\x20\x7f-\xa0\xad]", r"[^\x00-\x1f\x7f-\xa0\xad]"
HEADER_SCHEMAS = {"x-tenant-id": {"pattern": f"^{_EDGE}({_INNER}*{_EDGE})?$"}}
SCHEMES: dict[str, dict[str, dict[str, Any]]] = {
    "headers": {
        "TenantHeader": {"type": "apiKey", "in": "header", "name": "X-Tenant-Id"},
        "RoleHeader": {"type": "apiKey", "in": "header", "name": "X-User-Role"},
    },
    "api-key": {
        "ApiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        "ApiKeyBearer": {"type": "http", "scheme": "bearer", "description": "an API key"},
    },
    "jwt": {"BearerToken": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
}
# Each entry is one way to authenticate (both headers together; either form of the key).
SECURITY: dict[str, list[dict[str, list[str]]]] = {
    "headers": [{"TenantHeader": [], "RoleHeader": []}],
    "api-key": [{"ApiKeyHeader": []}, {"ApiKeyBearer": []}],
    "jwt": [{"BearerToken": []}],
}


class ErrorBody(BaseModel):
    """Every error response: the HTTP status, a sentence to act on, and context fields."""

    model_config = ConfigDict(extra="allow")

    status: int
    message: str


def _response(code: int, description: str | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description or DESCRIPTIONS[code],
        "content": {"application/json": {"schema": {"$ref": _REF}}},
    }
    if code == 429:
        response["headers"] = {
            "Retry-After": {
                "description": "Seconds until the tenant may load or upload again.",
                "schema": {"type": "integer"},
            }
        }
    return response


def errors(*codes: int, **described: str) -> dict[int | str, dict[str, Any]]:
    """Return the `responses=` of a route that answers `codes` with an ErrorBody.

    Keyword arguments `e404="..."` replace a code's generic description.
    """
    return {
        code: {"model": ErrorBody, **_response(code, described.get(f"e{code}"))} for code in codes
    }


def success(
    model: type[BaseModel], example: Any, *, status: int = 200, description: str = "Success."
) -> dict[int | str, dict[str, Any]]:
    """Return the `responses=` entry of a route's success body: its model and a real example.

    The route declares `response_model=None` and returns its plain dict: the model documents
    the answer and never reshapes it.
    """
    return {
        status: {
            "model": model,
            "description": description,
            "content": {"application/json": {"example": example}},
        }
    }


def _has_identity(operation: dict[str, Any]) -> bool:
    return any(p.get("name", "").lower() == "x-tenant-id" for p in operation.get("parameters", []))


def _secure(operation: dict[str, Any], *, auth: str) -> None:
    operation["security"] = SECURITY[auth]
    if auth == "headers":
        # The route answers their absence itself (401, not a validation error), but a caller
        # must send them, as text.
        for parameter in operation["parameters"]:
            name = parameter.get("name", "").lower()
            if name in IDENTITY_HEADERS:
                parameter["required"] = True
                parameter["schema"] = {"type": "string", **HEADER_SCHEMAS.get(name, {})}
    else:
        operation["parameters"] = [
            p for p in operation["parameters"] if p.get("name", "").lower() not in IDENTITY_HEADERS
        ]
        if not operation["parameters"]:
            del operation["parameters"]
    described = CREDENTIAL_401.get(auth)
    if described is None:
        operation["responses"].setdefault("401", _response(401))
    else:
        # A route's own 401 speaks of identity headers; in this mode a credential is asked for.
        operation["responses"]["401"] = _response(401, described)


def _admitted(dependant: Dependant) -> tuple[str, ...] | None:
    for sub in dependant.dependencies:
        roles = ADMITTED.get(sub.call) if sub.call else None  # type: ignore[arg-type]
        if roles is None:
            roles = _admitted(sub)
        if roles is not None:
            return roles
    return None


def _api_routes(app: FastAPI) -> Iterator[Any]:
    """Yield every API route, also those of included routers (FastAPI >= 0.130 nests them)."""
    nested = getattr(routing, "iter_route_contexts", None)
    for route in nested(app.routes) if nested else app.routes:
        if isinstance(getattr(route, "original_route", route), APIRoute):
            yield route


def _add_forbidden(app: FastAPI, document: dict[str, Any]) -> None:
    for route in _api_routes(app):
        if not route.include_in_schema:
            continue
        roles = _admitted(route.dependant)
        if roles is None or set(roles) >= set(ROLES):
            continue
        for method in route.methods or ():
            operation = document["paths"].get(route.path_format, {}).get(method.lower())
            if operation is not None:
                operation["responses"].setdefault("403", _response(403))


def _restore_examples(app: FastAPI, document: dict[str, Any]) -> None:
    # FastAPI drops every null from the document, the examples' nulls too ("replaced": null
    # of a first load): put back the examples as the routes declare them.
    for route in _api_routes(app):
        if not route.include_in_schema:
            continue
        for code, response in (route.responses or {}).items():
            example = response.get("content", {}).get("application/json", {}).get("example")
            for method in (route.methods or ()) if example is not None else ():
                operation = document["paths"].get(route.path_format, {}).get(method.lower())
                if operation is not None:
                    documented = operation["responses"][str(code)]["content"]
                    documented["application/json"]["example"] = example


def _rewrite(document: dict[str, Any], *, max_scale: int, auth: str) -> None:
    for path in document.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                # The largest scale is a setting, so the route cannot declare it statically.
                if parameter.get("in") == "query" and parameter.get("name") == "scale":
                    parameter["schema"]["maximum"] = max_scale
                    parameter["description"] += f", 1 to {max_scale}"
            responses = operation.setdefault("responses", {})
            if responses.pop("422", None) is not None:
                responses.setdefault("400", _response(400))
            if _has_identity(operation):
                _secure(operation, auth=auth)
            # The bounds of api/limits.py hold on every route.
            if "requestBody" in operation:
                responses.setdefault("408", _response(408))
                responses.setdefault("413", _response(413))
            responses.setdefault("431", _response(431))
    document.setdefault("components", {})["securitySchemes"] = SCHEMES[auth]
    schemas = document["components"].setdefault("schemas", {})
    schemas.setdefault("ErrorBody", ErrorBody.model_json_schema())
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)


def install(app: FastAPI, *, max_scale: int, auth: str = "headers") -> None:
    """Make `app.openapi()` document the app's real error responses and limits."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            _rewrite(document, max_scale=max_scale, auth=auth)
            _add_forbidden(app, document)
            _restore_examples(app, document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
