"""Read a customer CSV for profiling: as text columns, its delimiter sniffed as uploads do."""

import io
import re
from dataclasses import dataclass

import polars as pl

from seedpacks.errors import BadRequest
from seedpacks.seeding.upload_stream import read_header, sniff_delimiter, split_header

DELIMITERS = (",", ";", "\t", "|")
# Rows profiled at most (the first ones): enough for every dependency, bounded in memory.
MAX_ROWS = 200_000
# Names a table column may take (as pack files require): lower snake case, at most 63 bytes.
_NAME_LIMIT = 63


@dataclass(frozen=True)
class CsvFile:
    """The file's columns as text (blank and absent cells NULL), with their header names."""

    frame: pl.DataFrame
    headers: tuple[str, ...]
    names: tuple[str, ...]
    delimiter: str


def column_name(header: str) -> str:
    """Return a header as a table column name: camelCase and punctuation become snake_case."""
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", header.strip())
    name = re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")
    if not name:
        name = "column"
    if not name[0].isalpha():
        name = f"c_{name}"
    return name[:_NAME_LIMIT].rstrip("_")


def read_csv(data: bytes) -> CsvFile:
    """Return the file's rows as text columns; 400 for a file that cannot be profiled."""
    header_line, body = read_header(iter([data]))
    delimiter = sniff_delimiter(header_line, DELIMITERS)
    headers = split_header(header_line, delimiter)
    if len(headers) < 2:
        raise BadRequest(
            "The file has a single column: a customer file to profile needs at least two "
            f"columns separated by one of {', '.join(repr(d) for d in DELIMITERS)}."
        )
    blank = [i + 1 for i, h in enumerate(headers) if not h]
    if blank:
        raise BadRequest(f"Column {blank[0]} of the header has no name: name every column.")
    names = _unique_names(headers)
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        raise BadRequest(
            f"Line {line} is not valid UTF-8 (byte 0x{body[exc.start]:02X}): save the file as "
            "UTF-8 and try again."
        ) from None
    try:
        frame = pl.read_csv(
            io.BytesIO(body),
            separator=delimiter,
            infer_schema=False,
            new_columns=list(names),
            quote_char='"',
            n_rows=MAX_ROWS,
        )
    except (pl.exceptions.PolarsError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BadRequest(
            f"The file could not be read as CSV ({first}): check that every line has as many "
            f"fields as the header ({len(headers)}) and that quotes are closed."
        ) from None
    frame = frame.with_columns(pl.all().str.strip_chars())
    frame = frame.with_columns(
        pl.when(pl.all().str.len_chars() > 0).then(pl.all()).otherwise(None).name.keep()
    )
    if frame.height == 0:
        raise BadRequest("The file has a header but no rows: send a file with customer rows.")
    return CsvFile(frame, headers, names, delimiter)


def _unique_names(headers: tuple[str, ...]) -> tuple[str, ...]:
    """Return the column names of the headers; 400 when two headers are the same column."""
    names = [column_name(h) for h in headers]
    seen: dict[str, str] = {}
    for header, name in zip(headers, names, strict=True):
        if name in seen:
            raise BadRequest(
                f"The header's columns '{seen[name]}' and '{header}' both become the table column "
                f"'{name}': rename one of them."
            )
        seen[name] = header
    return tuple(names)
