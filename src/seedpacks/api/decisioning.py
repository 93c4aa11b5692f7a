"""The decisioning API: recommend, respond, and a ground-truth simulation."""

from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, Header, Path
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import Response

from seedpacks import bridge
from seedpacks.api import answers
from seedpacks.api.answers import EXAMPLES
from seedpacks.api.auth import Identity, authenticate, require
from seedpacks.api.deps import LoopPoolDep, Pool
from seedpacks.api.direct import DirectRoute, direct, is_json
from seedpacks.api.openapi import errors, success
from seedpacks.decisioning import jobs
from seedpacks.decisioning.flow import MAX_LIMIT, RecommendRequest, recommend
from seedpacks.decisioning.respond import RespondRequest, respond
from seedpacks.decisioning.simulate import MAX_DECISIONS
from seedpacks.errors import BadRequest

# recommend and respond answer through DirectRoute's lean path (api/direct.py).
router = APIRouter(prefix="/api/v1", tags=["decisioning"], route_class=DirectRoute)

_decider = require("admin", "editor", action="make decisions")
Decider = Annotated[Identity, Depends(_decider)]
Admin = Annotated[Identity, Depends(require("admin", action="run simulations"))]


def _without_nul(value: str) -> str:
    # PostgreSQL text cannot hold a NUL character: refuse it here rather than fail in a query.
    if "\x00" in value:
        raise ValueError("must not contain a NUL character (\\u0000)")
    return value


Text = Annotated[str, AfterValidator(_without_nul)]
# Far more than any pack's customer has, far fewer than would take the event loop for long.
MAX_ATTRIBUTES = 1000
MAX_NAME_LENGTH = 200
MAX_JSON_DEPTH = 16


def _checked_json(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """Refuse a JSON object nested too deep, or with a NUL in any name or string inside it."""
    stack: list[tuple[Any, int]] = [(value, 1)] if value is not None else []
    while stack:
        node, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise ValueError(f"must not nest lists and objects more than {MAX_JSON_DEPTH} deep")
        if isinstance(node, dict):
            for name in node:
                _without_nul(name)
            children = node.values()
        else:
            children = node
        for child in children:
            if isinstance(child, str):
                _without_nul(child)
            elif isinstance(child, dict | list):
                stack.append((child, depth + 1))
    return value


def _bounded_attributes(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    if len(value) > MAX_ATTRIBUTES:
        raise ValueError(f"has {len(value)} names; send at most {MAX_ATTRIBUTES}")
    for name in value:
        if len(name) > MAX_NAME_LENGTH:
            raise ValueError(f"has a name of {len(name)} characters; at most {MAX_NAME_LENGTH}")
    return _checked_json(value)


Attributes = Annotated[
    dict[str, Any] | None,
    AfterValidator(_bounded_attributes),
    Field(
        description=f"Overrides of customer attributes: at most {MAX_ATTRIBUTES} names of up to "
        f"{MAX_NAME_LENGTH} characters, values nested at most {MAX_JSON_DEPTH} levels deep",
        json_schema_extra={"maxProperties": MAX_ATTRIBUTES},
    ),
]
CustomerId = Annotated[Text, Field(min_length=1, coerce_numbers_to_str=True)]
B = TypeVar("B", bound=BaseModel)


class RecommendBody(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLES["recommendBody"]]})

    customerId: CustomerId
    channel: Annotated[Text, Field(min_length=1, description="channel id or name")]
    limit: Annotated[int | None, Field(ge=1, le=MAX_LIMIT)] = None
    decisionFlowKey: Text | None = None
    attributes: Attributes = None
    context: Annotated[dict[str, Any] | None, AfterValidator(_checked_json)] = Field(
        None, description='{"time": ISO 8601} decides as of that time (default: now)'
    )
    excludeOffers: list[Text] = []
    debug: bool = False


class RespondBody(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLES["respondBody"]]})

    customerId: CustomerId
    recommendationId: Annotated[Text, Field(min_length=1)]
    rank: Annotated[int, Field(ge=1)]
    outcome: Annotated[Text, Field(min_length=1)]
    idempotencyKey: Text | None = None


class SimulateBody(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLES["simulateBody"]]})

    decisions: Annotated[int, Field(ge=1, le=MAX_DECISIONS)] = 1000
    policy: Literal["flow", "random", "oracle"] = "flow"
    seed: Annotated[int, Field(ge=0, lt=2**32)] = 0
    channel: Text | None = None


@router.post(
    "/recommend",
    summary="The next best offers for a customer on a channel",
    response_model=None,
    responses=success(answers.Recommendation, EXAMPLES["recommend"])
    | errors(
        404,
        409,
        503,
        e404="No such customer in the loaded pack, or no such decision flow.",
        e409="No pack is loaded, or its decision flow references something missing.",
        e503="No database connection came free within 30 s.",
    ),
)
async def recommend_route(body: RecommendBody, who: Decider, pool: LoopPoolDep) -> JSONResponse:
    return await _recommend_answer(body, who, pool)


async def _recommend_answer(
    body: RecommendBody, who: Identity, pool: bridge.LoopPool
) -> JSONResponse:
    request = RecommendRequest(
        customer_id=body.customerId,
        channel=body.channel,
        limit=body.limit,
        flow=body.decisionFlowKey,
        attributes=body.attributes,
        context=body.context,
        exclude_offers=tuple(body.excludeOffers),
        debug=body.debug,
    )
    # Plain JSON already: skip FastAPI's generic encoder, the largest cost after the database.
    return JSONResponse(await bridge.run(_recommend, pool, who.tenant, request))


def _recommend(pool: bridge.LoopPool, tenant: str, request: RecommendRequest) -> dict[str, Any]:
    # In a pipeline BEGIN travels with the first query and COMMIT with the impressions' insert:
    # three round trips to the database instead of five.
    with pool.connection() as conn, conn.pipeline(), conn.transaction():
        return recommend(conn, tenant=tenant, request=request)


@router.post(
    "/respond",
    summary="Record a customer's response to a recommended offer",
    response_model=None,
    responses=success(answers.Response, EXAMPLES["respond"])
    | errors(
        404,
        409,
        503,
        e404="No such recommendation for the tenant.",
        e409="No pack is loaded, or the idempotency key was used for a different response.",
        e503="No database connection came free within 30 s.",
    ),
)
async def respond_route(
    body: RespondBody,
    who: Decider,
    pool: LoopPoolDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> dict[str, Any]:
    return await _respond_answer(body, who, pool, idempotency_key)


async def _respond_answer(
    body: RespondBody, who: Identity, pool: bridge.LoopPool, idempotency_key: str | None
) -> dict[str, Any]:
    key = body.idempotencyKey or idempotency_key
    if not key:
        raise BadRequest("Send an idempotencyKey in the body or an Idempotency-Key header.")
    request = RespondRequest(
        customer_id=body.customerId,
        recommendation_id=body.recommendationId,
        rank=body.rank,
        outcome=body.outcome,
        idempotency_key=key,
    )
    return await bridge.run(_respond, pool, who.tenant, request)


def _respond(pool: bridge.LoopPool, tenant: str, request: RespondRequest) -> dict[str, Any]:
    with pool.connection() as conn, conn.transaction():
        return respond(conn, tenant=tenant, request=request)


async def _body_and_decider(request: Request, model: type[B]) -> tuple[B, Identity] | None:
    """The JSON body as `model`, and the caller's identity checked as the `Decider` dependency
    checks it; None for a body FastAPI's own path should answer (not JSON, or invalid)."""
    if not is_json(request):
        return None
    who = await _decider(await authenticate(request))
    try:
        return model.model_validate_json(await request.body()), who
    except ValidationError as exc:
        if any("recursion limit" in error["msg"] for error in exc.errors()):
            # FastAPI's own parser would fail on it too, with a sentence naming no reason.
            raise BadRequest(
                f"The JSON body nests lists and objects too deeply; at most {MAX_JSON_DEPTH} "
                "levels are accepted."
            ) from None
        return None


@direct(recommend_route)
async def _recommend_direct(request: Request) -> Response | None:
    parsed = await _body_and_decider(request, RecommendBody)
    if parsed is None:
        return None
    return await _recommend_answer(*parsed, request.app.state.loop_pool)


@direct(respond_route)
async def _respond_direct(request: Request) -> Response | None:
    parsed = await _body_and_decider(request, RespondBody)
    if parsed is None:
        return None
    key = request.headers.get("idempotency-key")
    return JSONResponse(await _respond_answer(*parsed, request.app.state.loop_pool, key))


@router.post(
    "/simulate",
    status_code=202,
    summary="Start a simulation of decisions against the loaded pack's ground truth",
    response_model=None,
    responses=success(
        answers.Simulation,
        EXAMPLES["simulationStarted"],
        status=202,
        description="Started: poll GET /api/v1/simulate/{simulationId}.",
    )
    | errors(
        409,
        503,
        e409="No pack is loaded, or a simulation is already running.",
        e503="The server runs SEEDPACKS_MAX_SIMULATIONS simulations already: retry after "
        "Retry-After seconds.",
    ),
)
def simulate_route(body: SimulateBody, who: Admin, pool: Pool, request: Request) -> dict[str, Any]:
    return jobs.start(
        pool,
        tenant=who.tenant,
        slots=request.app.state.simulation_slots,
        decisions=body.decisions,
        policy=body.policy,
        seed=body.seed,
        channel=body.channel,
    )


@router.get(
    "/simulate/{simulationId}",
    summary="A simulation's state, and its rates once completed",
    response_model=None,
    responses=success(answers.Simulation, EXAMPLES["simulation"])
    | errors(404, e404="No such simulation for the tenant."),
)
def simulation_route(
    simulationId: Annotated[Text, Path()], who: Admin, pool: Pool
) -> dict[str, Any]:  # noqa: N803
    return jobs.read(pool, tenant=who.tenant, job=simulationId)
