"""The Seed Datasets API (`/api/v1/seed-dataset`): list, describe, load, remove, status."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse

from seedpacks.api import answers
from seedpacks.api.answers import EXAMPLES
from seedpacks.api.auth import Identity, require
from seedpacks.api.deps import AppSettings, Pool
from seedpacks.api.openapi import errors, success
from seedpacks.api.params import FLAG_PATTERN, flag
from seedpacks.packs.custom import list_entry
from seedpacks.packs.describe import describe
from seedpacks.packs.registry import PACKS
from seedpacks.seeding import operations

router = APIRouter(prefix="/api/v1/seed-dataset", tags=["seed datasets"])

Admin = Annotated[Identity, Depends(require("admin", action="manage seed datasets"))]
Reader = Annotated[Identity, Depends(require("admin", "editor", "viewer", action="read"))]
# Neither an enum nor an example: a key outside the list is a documented 404, and a fuzzer
# given real keys would load and remove real packs (at up to the largest scale).
Key = Annotated[
    str, Path(description=f"the pack's key: {', '.join(PACKS)}, or one of the tenant's own")
]


@router.get(
    "",
    summary="List the dataset packs and the tenant's loaded one",
    response_model=None,
    responses={**success(answers.DatasetList, EXAMPLES["list"]), **errors(403)},
)
def list_datasets(who: Admin, pool: Pool) -> dict[str, Any]:
    return operations.list_datasets(pool, tenant=who.tenant)


@router.post(
    "/{key}",
    status_code=201,
    summary="Load a dataset pack into the tenant",
    response_model=None,
    responses=success(answers.Loaded, EXAMPLES["load"], status=201, description="Loaded.")
    | errors(
        400,
        403,
        404,
        409,
        429,
        503,
        e404="No dataset pack with that key.",
        e503="A replace found the shared history tables held by another session for 30 s.",
    ),
)
def load_dataset(
    key: Key,
    who: Admin,
    pool: Pool,
    settings: AppSettings,
    force: Annotated[
        str | None, Query(description='"true" replaces a loaded pack', pattern=FLAG_PATTERN)
    ] = None,
    seed: Annotated[
        int | None, Query(ge=0, le=2**63 - 1, description="random seed; same seed, same rows")
    ] = None,
    scale: Annotated[
        int,
        Query(ge=1, description="multiplies customers, events and interactions"),
    ] = 1,
) -> JSONResponse:
    body = operations.load_dataset(
        pool,
        settings,
        tenant=who.tenant,
        key=key,
        force=flag("force", force),
        seed=seed,
        scale=scale,
    )
    return JSONResponse(body, status_code=201)


@router.delete(
    "/{key}",
    summary="Remove a loaded dataset pack from the tenant",
    response_model=None,
    responses=success(answers.Removed, EXAMPLES["remove"])
    | errors(
        403,
        404,
        409,
        503,
        e404="No dataset pack with that key, or it is not loaded.",
        e503="The shared history tables were held by another session for 30 s.",
    ),
)
def remove_dataset(key: Key, who: Admin, pool: Pool) -> dict[str, Any]:
    return operations.remove_dataset(pool, tenant=who.tenant, key=key)


@router.get(
    "/{key}",
    summary="Describe a pack: entities, tables, planned counts at a scale, its ground truth",
    response_model=None,
    responses=success(answers.Description, EXAMPLES["describe"])
    | errors(400, 404, e404="No dataset pack with that key."),
)
def describe_dataset(
    key: Key,
    who: Reader,
    pool: Pool,
    settings: AppSettings,
    scale: Annotated[int, Query(ge=1, description="the scale the planned counts are for")] = 1,
) -> dict[str, Any]:
    pack = operations.find_pack(pool, tenant=who.tenant, key=key, settings=settings)
    operations.check_load_arguments(settings, seed=0, scale=scale)
    return describe(pack, scale) | list_entry(pack)


@router.get(
    "/{key}/status",
    summary="Progress of the tenant's current or last seed operation",
    response_model=None,
    responses=success(answers.Status, EXAMPLES["status"]),
)
def dataset_status(key: Key, who: Reader, pool: Pool) -> dict[str, Any]:
    return operations.dataset_status(pool, tenant=who.tenant)
