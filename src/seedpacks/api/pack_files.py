"""Pack files over HTTP: the JSON Schema a pack file follows (docs/pack-files.md)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from seedpacks.api import answers
from seedpacks.api.auth import Identity, require
from seedpacks.api.openapi import success
from seedpacks.packfile import pack_schema

router = APIRouter(prefix="/api/v1", tags=["pack files"])

Reader = Annotated[Identity, Depends(require("admin", "editor", "viewer", action="read"))]


@router.get(
    "/pack-schema",
    summary="The JSON Schema of a pack file (format seedpacks/v1), for editors and validators",
    response_model=None,
    responses=success(answers.PackSchema, pack_schema()),
)
async def get_pack_schema(who: Reader) -> dict[str, Any]:
    return pack_schema()
