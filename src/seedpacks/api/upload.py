"""`POST /api/v1/seed-dataset/{key}/upload`: a multipart CSV streamed into a pack table.

The body is parsed as it arrives (python-multipart's streaming parser, pulled from a worker
thread), so the file part flows into PostgreSQL's COPY without ever being held whole in memory.
A file part that arrives before the `schema` field is spooled to a temporary file on disk.

While the file flows, the upload holds a pooled connection and its tenant's lock. So a process
takes at most SEEDPACKS_MAX_UPLOADS uploads at once (past it, 503 with Retry-After), and a
client that stops sending is cut off after SEEDPACKS_BODY_TIMEOUT_SECONDS (api/limits.py): the
transaction rolls back and both are given back.
"""

import re
import tempfile
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import anyio.from_thread
from fastapi import APIRouter, Depends, Request
from psycopg_pool import ConnectionPool
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from seedpacks.api import answers
from seedpacks.api.answers import EXAMPLES
from seedpacks.api.auth import Identity, require
from seedpacks.api.deps import AppSettings, Pool
from seedpacks.api.limits import BodyRefused
from seedpacks.api.openapi import errors, success
from seedpacks.api.seed_datasets import Key
from seedpacks.config import Settings
from seedpacks.errors import BadRequest, PayloadTooLarge, RequestTimeout, ServerBusy
from seedpacks.seeding import operations
from seedpacks.seeding.upload_stream import limited

router = APIRouter(prefix="/api/v1/seed-dataset", tags=["seed datasets"])

Admin = Annotated[Identity, Depends(require("admin", action="upload seed dataset files"))]

# The route bounds its body's size itself (api/limits.py leaves it the stall timeout).
UPLOAD_PATH = re.compile(r"^/api/v1/seed-dataset/[^/]+/upload$")
RETRY_BUSY_SECONDS = 5
# Room for the multipart envelope (boundaries, part headers, the schema field) around the file.
ENVELOPE_BYTES = 64 * 1024
FIELD_MAX_BYTES = 1024
# Body chunks are gathered into blocks of about this size per hop from the event loop.
PULL_BYTES = 256 * 1024


def body_blocks(request: Request) -> Iterator[bytes]:
    """Return the request body as blocks, read from the event loop on demand (backpressure)."""
    stream = request.stream()

    async def pull() -> bytes:
        block = bytearray()
        try:
            async for chunk in stream:
                block += chunk
                if len(block) >= PULL_BYTES:
                    break
        except BodyRefused as exc:
            # A SeedError, so the upload's status records the reason, not an internal error.
            raise RequestTimeout(exc.detail) from None
        return bytes(block)

    while block := anyio.from_thread.run(pull):
        yield block


class Part:
    """One part of the multipart body; its data must be read before the next part is."""

    def __init__(self, reader: "MultipartReader", headers: dict[bytes, bytes]) -> None:
        self._reader = reader
        disposition, options = parse_options_header(headers.get(b"content-disposition", b""))
        self.name = options.get(b"name", b"").decode("utf-8", "replace")
        self.filename = options.get(b"filename", b"").decode("utf-8", "replace")
        self.done = False

    def data(self) -> Iterator[bytes]:
        while not self.done:
            event = self._reader.next_event()
            if event is None or event[0] == "end":
                self.done = True
            elif event[0] == "data":
                yield event[1]

    def text(self, *, limit: int) -> str:
        value = b""
        for block in self.data():
            value += block
            if len(value) > limit:
                raise BadRequest(f"Form field '{self.name}' is longer than {limit} bytes.")
        try:
            return value.decode("utf-8").strip()
        except UnicodeDecodeError:
            raise BadRequest(f"Form field '{self.name}' is not UTF-8 text.") from None


class MultipartReader:
    """A pull-style reader over python-multipart's push parser."""

    def __init__(self, blocks: Iterator[bytes], boundary: bytes) -> None:
        self._blocks = blocks
        self._events: deque[tuple[str, Any]] = deque()
        self._header_field = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._finished = False
        self._parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._part_begin,
                "on_header_field": self._field,
                "on_header_value": self._value,
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
                "on_part_data": self._data,
                "on_part_end": lambda: self._events.append(("end", None)),
            },
        )

    def _part_begin(self) -> None:
        self._headers = {}

    def _field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def _value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._header_field.lower()] = self._header_value
        self._header_field = self._header_value = b""

    def _headers_finished(self) -> None:
        self._events.append(("part", dict(self._headers)))

    def _data(self, data: bytes, start: int, end: int) -> None:
        if end > start:
            self._events.append(("data", data[start:end]))

    def next_event(self) -> tuple[str, Any] | None:
        while not self._events:
            if self._finished:
                return None
            block = next(self._blocks, None)
            try:
                if block is None:
                    self._finished = True
                    self._parser.finalize()
                else:
                    self._parser.write(block)
            except MultipartParseError as exc:
                raise BadRequest(f"The multipart body could not be parsed: {exc}.") from None
        return self._events.popleft()

    def parts(self) -> Iterator[Part]:
        current: Part | None = None
        while True:
            if current is not None and not current.done:
                for _ in current.data():
                    pass  # skip what the caller left unread
            event = self.next_event()
            if event is None:
                return
            if event[0] == "part":
                current = Part(self, event[1])
                yield current


def _boundary(request: Request) -> bytes:
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise BadRequest(
            "Send the upload as multipart/form-data with the fields 'file' (the CSV) and 'schema' "
            "(the target table), e.g. curl -F file=@customers.csv -F schema=starbucks_customers."
        )
    return boundary


def _check_length(request: Request, max_bytes: int) -> int | None:
    """Refuse a body declared larger than the limit before reading any of it."""
    declared = request.headers.get("content-length")
    if declared is None or not declared.isdigit():
        return None
    if int(declared) > max_bytes + ENVELOPE_BYTES:
        raise PayloadTooLarge(
            f"The upload is {int(declared)} bytes; files may be at most "
            f"{max_bytes // (1 << 20)} MB ({max_bytes} bytes).",
            maxBytes=max_bytes,
        )
    return int(declared)


_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "schema"],
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": "The CSV"},
                        "schema": {"type": "string", "description": "The pack table"},
                    },
                }
            }
        },
    }
}


@router.post(
    "/{key}/upload",
    summary="Replace a pack table's rows with an uploaded CSV file",
    response_model=None,
    responses=success(answers.Uploaded, EXAMPLES["upload"])
    | errors(
        400,
        403,
        404,
        408,
        409,
        413,
        429,
        503,
        e503="SEEDPACKS_MAX_UPLOADS uploads are in progress on this server: try again after "
        "Retry-After seconds.",
        e400="Missing field, schema not in the pack, pack not loaded, no CSV mapping, "
        "a CSV the table cannot take (the message names line, column and value), no rows.",
    ),
    openapi_extra=_BODY,
)
def upload_csv(
    key: Key, request: Request, who: Admin, pool: Pool, settings: AppSettings
) -> dict[str, Any]:
    operations.find_pack(pool, tenant=who.tenant, key=key, settings=settings)
    size = _check_length(request, settings.upload_max_bytes)
    boundary = _boundary(request)
    with upload_slot(request, settings, work="uploads"):
        return _upload(request, key, who.tenant, pool, settings, boundary=boundary, size=size)


@contextmanager
def upload_slot(request: Request, settings: Settings, *, work: str) -> Iterator[None]:
    """Hold one of the server's SEEDPACKS_MAX_UPLOADS slots, or refuse with a 503 at once.

    Uploads and inferences share the slots: both read a whole file and work on it.
    """
    slots = request.app.state.upload_slots
    if not slots.acquire(blocking=False):
        raise ServerBusy(
            f"{settings.max_uploads} {work} are already in progress on this server "
            f"(SEEDPACKS_MAX_UPLOADS); try again in {RETRY_BUSY_SECONDS} s.",
            retry_after=RETRY_BUSY_SECONDS,
        )
    try:
        yield
    finally:
        slots.release()


def _upload(
    request: Request,
    key: str,
    tenant: str,
    pool: ConnectionPool,
    settings: Settings,
    *,
    boundary: bytes,
    size: int | None,
) -> dict[str, Any]:
    """Parse the multipart body as it arrives and upload its file part into the pack table."""
    max_bytes = settings.upload_max_bytes
    body = limited(body_blocks(request), max_bytes=max_bytes + ENVELOPE_BYTES)
    schema: str | None = None
    # A file part that comes before the schema field waits on disk, never in memory.
    with tempfile.TemporaryFile() as spool:
        spooled = False
        for part in MultipartReader(body, boundary).parts():
            if part.name == "schema" and schema is None:
                schema = part.text(limit=FIELD_MAX_BYTES)
            elif part.name == "file" and not spooled and schema:
                return operations.upload_table(
                    pool,
                    settings,
                    tenant=tenant,
                    key=key,
                    schema=schema,
                    stream=part.data(),
                    size=size,
                )
            elif part.name == "file" and not spooled:
                for block in limited(part.data(), max_bytes=max_bytes):
                    spool.write(block)
                spooled = True
        if not spooled:
            missing = "'file'" + (" and 'schema'" if not schema else "")
            raise BadRequest(
                f"Missing form field {missing}: send the CSV file as 'file' and the target "
                "table as 'schema'."
            )
        if not schema:
            raise BadRequest("Missing form field 'schema': name the pack table to upload into.")
        size = spool.tell()
        spool.seek(0)
        return operations.upload_table(
            pool, settings, tenant=tenant, key=key, schema=schema, stream=spool, size=size
        )
