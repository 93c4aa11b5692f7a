"""A tenant's own packs: `PUT /api/v1/seed-dataset/{key}` registers a pack file (YAML or JSON),
`DELETE /api/v1/seed-dataset/{key}/definition` deletes it. Stored in PostgreSQL, seen only by the
tenant; once registered it is listed, described, loaded, uploaded into and removed as a
built-in pack is. The body is bounded by the pack file limit (packfile/limits.py).
"""

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse

from seedpacks.api import answers
from seedpacks.api.answers import EXAMPLES
from seedpacks.api.auth import Identity, require
from seedpacks.api.deps import AppSettings, Pool
from seedpacks.api.openapi import errors, success
from seedpacks.api.upload import body_blocks
from seedpacks.errors import PayloadTooLarge
from seedpacks.packfile.limits import MAX_BYTES
from seedpacks.packs import custom
from seedpacks.seeding.upload_stream import limited

router = APIRouter(prefix="/api/v1/seed-dataset", tags=["seed datasets"])

Admin = Annotated[Identity, Depends(require("admin", action="register packs"))]
Key = Annotated[str, Path(description="the key of the tenant's own pack (the file's key)")]

# The route bounds its body itself, by the pack file limit (api/limits.py leaves it the stall
# timeout); other methods on the path read no body.
PACK_PATH = re.compile(r"^/api/v1/seed-dataset/[^/]+$")

_BODY = {
    "requestBody": {
        "required": True,
        "description": "A pack file (docs/pack-files.md); `seedpacks pack new` writes a starter.",
        "content": {
            media: {"schema": {"type": "string"}}
            for media in ("application/yaml", "application/json", "text/plain")
        },
    }
}


@router.put(
    "/{key}",
    summary="Register (or replace) the tenant's own pack from a pack file (YAML or JSON)",
    response_model=None,
    responses=success(answers.DatasetSummary, EXAMPLES["registered"], description="Replaced.")
    | success(answers.DatasetSummary, EXAMPLES["registered"], status=201, description="Created.")
    | errors(
        400,
        403,
        409,
        413,
        415,
        e400="The file is not a valid pack file (`problems` lists each with its line), its key "
        "is not the one in the path, or the key is reserved.",
        e409="A built-in pack's key, the pack is loaded, or a seed operation is in progress.",
        e413=f"The file is larger than a pack file may be ({MAX_BYTES} bytes).",
        e415="The body is not YAML, JSON or plain text.",
    ),
    openapi_extra=_BODY,
)
def register_pack(
    key: Key, request: Request, who: Admin, pool: Pool, settings: AppSettings
) -> JSONResponse:
    text = _read_body(request)
    pack, created = custom.register_own_pack(
        pool,
        tenant=who.tenant,
        key=key,
        text=text,
        media_type=request.headers.get("content-type", ""),
        settings=settings,
    )
    entry = {**custom.list_entry(pack), "loaded": False}
    return JSONResponse(entry, status_code=201 if created else 200)


@router.delete(
    "/{key}/definition",
    summary="Delete the tenant's own pack (not while it is loaded)",
    response_model=None,
    responses=success(answers.Deleted, EXAMPLES["deleted"])
    | errors(
        403,
        404,
        409,
        e404="The tenant has no pack of its own with that key.",
        e409="A built-in pack, the pack is loaded, or a seed operation is in progress.",
    ),
)
def delete_pack(key: Key, who: Admin, pool: Pool) -> dict[str, Any]:
    return custom.delete_own_pack(pool, tenant=who.tenant, key=key)


def _read_body(request: Request) -> bytes:
    """Return the body, refusing one over the pack file limit (413) as soon as it shows."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BYTES:
        raise _too_large(int(declared))
    try:
        return b"".join(limited(body_blocks(request), max_bytes=MAX_BYTES))
    except PayloadTooLarge:
        raise _too_large(None) from None


def _too_large(size: int | None) -> PayloadTooLarge:
    got = f"The file is {size:,} bytes" if size else "The file is too large"
    return PayloadTooLarge(
        f"{got}; a pack file is at most {MAX_BYTES:,} bytes: make it smaller (fewer values "
        "in its lists).",
        maxBytes=MAX_BYTES,
    )
