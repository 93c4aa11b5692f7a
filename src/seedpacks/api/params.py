"""Query parameters: the yes/no flag's accepted words, and no parameter a route does not take."""

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.requests import Request

from seedpacks.errors import BadRequest

_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no", ""}
# The values `flag` accepts, for the OpenAPI document (JSON Schema regexes have no (?i) flag).
FLAG_PATTERN = r"^\s*([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee]|[Yy][Ee][Ss]|[Nn][Oo]|1|0)?\s*$"
# What a pattern means, for the 400 of a value that does not match it (never the regex itself).
PATTERN_MEANINGS = {FLAG_PATTERN: "true or false"}


def flag(name: str, value: str | None) -> bool:
    """Return the yes/no query parameter `name` as a bool."""
    text = (value or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadRequest(f"Query parameter '{name}' must be true or false; got {value!r}.")


def _query_names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def declared_query(route: APIRoute) -> frozenset[str]:
    """Return the names of the query parameters `route` takes."""
    return frozenset(_query_names(route.dependant))


async def reject_unknown_query(request: Request) -> None:
    """Refuse a query parameter the route does not take: a misspelt `?forse=true` is not a load."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    taken = declared_query(route)
    unknown = sorted(set(request.query_params) - taken)
    if unknown:
        accepted = ", ".join(f"'{name}'" for name in sorted(taken)) or "none"
        raise BadRequest(
            f"Unknown query parameter {', '.join(repr(n) for n in unknown)}: "
            f"this endpoint takes {accepted}.",
            unknownParameters=unknown,
        )
