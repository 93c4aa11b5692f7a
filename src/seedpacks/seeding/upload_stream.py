"""The uploaded bytes on their way to COPY: size limit, byte-order mark, header line, last lines."""

import codecs
import csv
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from seedpacks.errors import BadRequest, PayloadTooLarge

READ_BLOCK = 1 << 20
# The header line must end within this many bytes: room for the 1,000 columns an upload takes
# (upload.MAX_FILE_COLUMNS) at 64 bytes a name. Checked before the line is split into names:
# a 1 MB line of 500,000 one-letter names cost the server 270 MB to split and map.
MAX_HEADER = 64 * 1024
_OTHER_BOMS = {
    codecs.BOM_UTF32_LE: "UTF-32",
    codecs.BOM_UTF32_BE: "UTF-32",
    codecs.BOM_UTF16_LE: "UTF-16",
    codecs.BOM_UTF16_BE: "UTF-16",
}


def blocks(stream: Iterable[bytes] | BinaryIO) -> Iterator[bytes]:
    """Return the stream as an iterator of non-empty byte blocks."""
    if hasattr(stream, "read"):
        reader: BinaryIO = stream  # type: ignore[assignment]
        return iter(lambda: reader.read(READ_BLOCK), b"")
    return (bytes(b) for b in stream if b)


def too_large(max_bytes: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The file is larger than the upload limit of {max_bytes // (1 << 20)} MB "
        f"({max_bytes} bytes); split it or upload fewer rows.",
        maxBytes=max_bytes,
    )


def check_size(size: int, *, max_bytes: int) -> None:
    """Raise PayloadTooLarge for a file whose size is known to be over the limit."""
    if size > max_bytes:
        raise too_large(max_bytes)


def limited(chunks: Iterable[bytes], *, max_bytes: int) -> Iterator[bytes]:
    """Pass the chunks on; raise PayloadTooLarge as soon as more than `max_bytes` arrive."""
    total = 0
    for chunk in chunks:
        total += len(chunk)
        if total > max_bytes:
            raise too_large(max_bytes)
        yield chunk


def _header_end(head: bytes) -> int:
    """Return the index just past the first line break outside quotes, or -1."""
    quoted = False
    for i, byte in enumerate(head):
        if byte == 0x22:
            quoted = not quoted
        elif not quoted and byte in (0x0A, 0x0D):
            if byte == 0x0D and i + 1 < len(head) and head[i + 1] == 0x0A:
                return i + 2
            if byte == 0x0D and i + 1 == len(head):
                return -1  # a CR LF may be split across chunks
            return i + 1
    return -1


def check_header_length(head: bytes, end: int) -> None:
    """Refuse (400) a header line longer than MAX_HEADER bytes; `end` is where it ends, or -1."""
    bom = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
    length = (end if end >= 0 else len(head)) - bom
    if length > MAX_HEADER + 2:  # + its line break
        raise BadRequest(
            f"The file's first line (the header) is longer than {MAX_HEADER // 1024} KiB "
            f"({MAX_HEADER} bytes); an upload takes at most 1,000 columns with names of "
            "ordinary length."
        )


def read_header(chunks: Iterator[bytes]) -> tuple[str, bytes]:
    """Return (header line, the bytes read so far without BOM); 400 for what COPY cannot read."""
    head = b""
    end = -1
    for chunk in chunks:
        head += chunk
        end = _header_end(head[: MAX_HEADER + 2])
        if end >= 0 or len(head) > MAX_HEADER:
            break
    check_header_length(head, end)
    if not head.strip():
        raise BadRequest("The file is empty: send a CSV file with a header line and rows.")
    for bom, name in _OTHER_BOMS.items():
        if head.startswith(bom):
            raise BadRequest(f"The file is encoded as {name}; save it as UTF-8 and upload again.")
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
        end -= len(codecs.BOM_UTF8)
    if end < 0:
        end = len(head)  # a header and no rows
    try:
        header = head[:end].decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise BadRequest(
            f"Line 1 (the header) is not valid UTF-8 (byte 0x{head[exc.start]:02X}): "
            "save the file as UTF-8 and upload again."
        ) from None
    return header, head


def sniff_delimiter(header: str, candidates: tuple[str, ...]) -> str:
    """Return the candidate delimiter that splits the header line most often."""
    quoted = False
    counts = dict.fromkeys(candidates, 0)
    for ch in header:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(candidates, key=lambda d: counts[d])
    return best if counts[best] else candidates[0]


def split_header(header: str, delimiter: str) -> tuple[str, ...]:
    names = next(csv.reader([header], delimiter=delimiter), [])
    return tuple(name.strip() for name in names)


def without_trailing_blank_lines(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Drop blank lines at the very end of the file (COPY would read them as empty records)."""
    held = b""
    for chunk in chunks:
        body = chunk.rstrip(b"\r\n")
        if body:
            yield held + body
            held = chunk[len(body) :]
        else:
            held += chunk
    if held:
        yield b"\r\n" if held.startswith(b"\r\n") else held[:1]
