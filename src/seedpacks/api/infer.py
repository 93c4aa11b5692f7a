"""`POST /api/v1/seed-dataset/infer`: a pack file inferred from an uploaded customer CSV.

Admins only: the pack file is what an admin registers (PUT /api/v1/seed-dataset/{key}), and
profiling costs CPU. The route touches no tenant data. The body is bounded like an upload's
(SEEDPACKS_UPLOAD_MAX_BYTES) and takes one of the upload slots (SEEDPACKS_MAX_UPLOADS) while it
profiles, so that inferring cannot starve uploads of the server's cores.
"""

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from python_multipart.multipart import parse_options_header

from seedpacks.api.auth import Identity, require
from seedpacks.api.deps import AppSettings
from seedpacks.api.openapi import errors
from seedpacks.api.upload import (
    ENVELOPE_BYTES,
    FIELD_MAX_BYTES,
    MultipartReader,
    _check_length,
    body_blocks,
    upload_slot,
)
from seedpacks.errors import BadRequest
from seedpacks.packfile.infer import example_file, infer_pack_file
from seedpacks.seeding.upload_stream import limited

router = APIRouter(prefix="/api/v1/seed-dataset", tags=["pack files"])

Admin = Annotated[Identity, Depends(require("admin", action="infer pack files"))]

# The route bounds its body's size itself (api/limits.py leaves it the stall timeout).
INFER_PATH = re.compile(r"^/api/v1/seed-dataset/infer$")
MEDIA_TYPE = "application/yaml"

_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "key"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "The customer CSV (UTF-8; delimiter , ; tab or |)",
                        },
                        "key": {"type": "string", "description": "The new pack's key"},
                        "rows": {
                            "type": "integer",
                            "minimum": 1,
                            "description": "Customers at scale 1 (default: the file's rows, "
                            "100 to 10,000)",
                        },
                    },
                }
            }
        },
    }
}


@router.post(
    "/infer",
    summary="Infer a pack file (YAML) from a customer CSV: its columns, marginals and "
    "dependencies, and a starter decisioning setup",
    response_class=Response,
    responses={
        200: {
            "description": "The pack file, commented with what was inferred; no row of the file "
            "is in it. Register it with PUT /api/v1/seed-dataset/{key}.",
            "content": {MEDIA_TYPE: {"schema": {"type": "string"}, "example": example_file()}},
        },
        **errors(
            400,
            403,
            408,
            413,
            503,
            e400="Missing field, a bad key, or a file that cannot be profiled (empty, one "
            "column, no rows, not UTF-8, unreadable CSV); the message says which.",
            e503="SEEDPACKS_MAX_UPLOADS uploads or inferences are in progress on this server: "
            "try again after Retry-After seconds.",
        ),
    },
    openapi_extra=_BODY,
)
def infer_pack(request: Request, who: Admin, settings: AppSettings) -> Response:
    _check_length(request, settings.upload_max_bytes)
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise BadRequest(
            "Send the CSV as multipart/form-data with the fields 'file' and 'key', e.g. "
            "curl -F file=@customers.csv -F key=insurance."
        )
    with upload_slot(request, settings, work="uploads or inferences"):
        fields, data = _read_form(request, boundary, max_bytes=settings.upload_max_bytes)
        text = infer_pack_file(
            data, key=fields["key"], rows=fields.get("rows"), source=fields.get("filename", "")
        )
    return Response(text, media_type=MEDIA_TYPE)


def _read_form(
    request: Request, boundary: bytes, *, max_bytes: int
) -> tuple[dict[str, Any], bytes]:
    """Return the form's fields (key, rows, the file's name) and the file's bytes."""
    body = limited(body_blocks(request), max_bytes=max_bytes + ENVELOPE_BYTES)
    fields: dict[str, Any] = {}
    data: bytes | None = None
    for part in MultipartReader(body, boundary).parts():
        if part.name == "file" and data is None:
            data = b"".join(limited(part.data(), max_bytes=max_bytes))
            fields["filename"] = part.filename
        elif part.name in ("key", "rows") and part.name not in fields:
            fields[part.name] = part.text(limit=FIELD_MAX_BYTES)
    given = {"file": data is not None, "key": "key" in fields}
    missing = [name for name, there in given.items() if not there]
    if missing:
        raise BadRequest(
            f"Missing form field {' and '.join(repr(m) for m in missing)}: send the CSV as "
            "'file' and the new pack's key as 'key'."
        )
    if "rows" in fields:
        if not fields["rows"].isdigit():
            raise BadRequest(f"Form field 'rows' is {fields['rows']!r}: send a whole number.")
        fields["rows"] = int(fields["rows"])
    assert data is not None
    return fields, data
