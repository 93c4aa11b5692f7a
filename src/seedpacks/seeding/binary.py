"""PostgreSQL's binary COPY format, encoded column-wise from polars frames with numpy.

The server parses binary rows for a half to two thirds of the CPU that CSV costs it (no quote
scanning, no digit parsing; measured on starbucks at scale 1000: customers 0.95 s -> 0.47 s,
events 2.7 s -> 1.8 s, history 1.0 s -> 0.5 s of server CPU). A row is an int16 field
count, then per field an int32 length (-1 for NULL) and the value's big-endian payload.
Rows have different lengths (texts, NULLs), so each row's start is known only from the
lengths of all its fields: the encoder adds them up first, then writes each field's bytes at
its place in the result, every row's value as one numpy element (a void of the value's width)
through a view of the result's byte windows. No Python per row, no per-byte index arrays, no
padded copy to squeeze afterwards: the bytes go straight to their place in the result.

Values are encoded so that the server stores exactly what the CSV path stores: timestamps
truncated to the second (as the CSV renders them), numerics rounded as `numeric_in` would.
A column that cannot promise that (a numeric half-way between two cents, an integer out of
its range) makes `encode` return None, and the caller sends that chunk as CSV.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import polars as pl

SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
TRAILER = b"\xff\xff"

# PostgreSQL type oids the encoder writes.
BOOL, INT8, INT2, INT4, TEXT, FLOAT8, VARCHAR, DATE = 16, 20, 21, 23, 25, 701, 1043, 1082
TIMESTAMP, TIMESTAMPTZ, NUMERIC = 1114, 1184, 1700
SUPPORTED = frozenset(
    {BOOL, INT8, INT2, INT4, TEXT, FLOAT8, VARCHAR, DATE, TIMESTAMP, TIMESTAMPTZ, NUMERIC}
)

# Smaller frames go as CSV: binary encoding has a fixed cost per column that a few thousand
# rows do not earn back. Measured on starbucks (medians of 38 loads each, interleaved): at
# scale 1 its 18,030 events as CSV loaded in 84.2-103.5 ms against 88.2-106.1 in binary; at
# scale 3, 54,090 events, binary won (201 ms against 219).
FROM_ROWS = 30_000

_PG_EPOCH_DAYS = 10_957  # 2000-01-01 in days since 1970-01-01
_PG_EPOCH_US = _PG_EPOCH_DAYS * 86_400 * 1_000_000
_NUMERIC_NEG = 0x4000
_INTEGERS = {INT2: (">i2", 1 << 15), INT4: (">i4", 1 << 31), INT8: (">i8", 1 << 63)}


@dataclass(frozen=True)
class PgType:
    """A target column's type: its oid and type modifier (as in pg_attribute)."""

    oid: int
    typmod: int = -1


@dataclass
class _Field:
    """One column's encoded values: the non-NULL values' bytes, a (values, width) matrix when
    they all have `width` bytes, else joined (1-D); and each row's length in bytes (-1 for
    NULL), None when every row has a value of the matrix's width."""

    payload: np.ndarray  # uint8
    lengths: np.ndarray | None = None  # int32


class Unencodable(ValueError):
    """A column's values cannot be sent in binary with the CSV path's exact result."""


def supports(dtypes: Mapping[str, pl.DataType], types: Mapping[str, PgType]) -> bool:
    """Return whether every column (polars dtype -> PostgreSQL type) has a binary encoding."""
    for name, dtype in dtypes.items():
        target = types.get(name)
        if target is None or target.oid not in SUPPORTED:
            return False
        if target.oid in (TEXT, VARCHAR) and dtype != pl.String:
            return False
        if target.oid == DATE and dtype != pl.Date:
            return False
        if target.oid in (TIMESTAMP, TIMESTAMPTZ) and not (
            isinstance(dtype, pl.Datetime) and dtype.time_zone is None
        ):
            return False  # a zoned one renders in its own zone in the CSV
        if target.oid == NUMERIC and not (dtype.is_numeric() and _numeric_scale(target) >= 0):
            return False
        if target.oid in _INTEGERS and not dtype.is_integer():
            return False  # the CSV would carry "1.0" or "true", which the server refuses
        if (target.oid == FLOAT8 and not dtype.is_numeric()) or (
            target.oid == BOOL and dtype != pl.Boolean
        ):
            return False
    return True


class Encoder:
    """Encodes frames for one table's COPY, reusing its scratch memory from chunk to chunk.

    Fresh memory costs a page fault per 4 KiB on first touch, as much as the encoding itself;
    the matrix and the texts' bytes are kept instead, and only the result is new. (Holding the
    texts as Python bytes to the end of the chunk made it a third slower: the freed heap went
    back to the system, and its pages faulted in again at every chunk.) One thread at a time.
    """

    def __init__(self, types: Mapping[str, PgType], *, from_rows: int = FROM_ROWS) -> None:
        self.types = dict(types)
        self.from_rows = from_rows
        self._matrix = np.empty(0, dtype=np.uint8)
        self._texts: dict[str, np.ndarray] = {}

    def suits(self, frame: pl.DataFrame) -> bool:
        """Return whether to send the frame in binary: rows enough, every column encodable."""
        return frame.height >= self.from_rows and supports(dict(frame.schema), self.types)

    def encode(self, frame: pl.DataFrame) -> memoryview | None:
        """Return the frame's rows in binary COPY format (no signature or trailer), or None when
        some value has no binary encoding the server would store as it stores the CSV's."""
        # Lengths, NULLs and text bytes of all columns in two polars passes, not one per column.
        # The texts come joined as Binary: bytes straight from polars, no Python str between.
        texts = [c for c in frame.columns if self.types[c].oid in (TEXT, VARCHAR)]
        others = [c for c in frame.columns if c not in texts and frame[c].null_count()]
        info = frame.select(
            pl.col(texts).str.len_bytes().cast(pl.Int32).fill_null(-1), pl.col(others).is_null()
        )
        joined = frame.select(pl.col(texts).str.join("", ignore_nulls=True).cast(pl.Binary))
        try:
            fields = [
                self._text(name, info[name].to_numpy(), frame[name].null_count(), joined)
                if name in texts
                else _field(
                    frame[name], self.types[name], info[name].to_numpy() if name in others else None
                )
                for name in frame.columns
            ]
        except (Unencodable, pl.exceptions.InvalidOperationError):  # e.g. UInt64 beyond int8
            return None
        return self._assemble(fields, frame.height)

    def _text(self, name: str, lengths: np.ndarray, nulls: int, joined: pl.DataFrame) -> _Field:
        """Encode a text column from its byte lengths (-1 for NULL) and its values joined.

        The bytes are copied into the column's scratch memory, followed by a longest value's
        worth of spare bytes: a value's window of that width can be read from any value's start.
        """
        data = np.frombuffer(joined[name].item() or b"", dtype=np.uint8)
        values = len(lengths) - nulls
        width = int(lengths.max()) if values else 0
        scratch = self._texts.get(name)
        if scratch is None or len(scratch) < len(data) + width:  # room for a longer next chunk
            scratch = self._texts[name] = np.empty((len(data) + width) * 9 // 8, dtype=np.uint8)
        scratch[: len(data)] = data
        if len(data) == width * values:  # all as long as the longest (ids): a row each
            return _Field(scratch[: len(data)].reshape(values, width), lengths if nulls else None)
        return _Field(scratch[: len(data) + width], lengths)

    def _assemble(self, fields: list[_Field], rows: int) -> memoryview:
        """Write the rows: each field's length, then its bytes, where the row has got to.

        Neighbouring pieces that every row has at one width (the field count, the lengths and
        values of fields without NULLs of one width) are gathered into one matrix and written
        together; texts of a few lengths can end such a run (see `_padded`). Each row's start
        comes from the lengths of all its fields, added up first.
        """
        if not rows:
            return memoryview(b"")
        row_bytes = np.full(rows, 2 + 4 * len(fields) + _fixed_width(fields), dtype=np.int64)
        for f in fields:
            if f.lengths is not None:
                row_bytes += np.maximum(f.lengths, 0)
        at = np.cumsum(row_bytes)  # where each row's next piece goes, once less its own bytes
        out = np.empty(int(at[-1]), dtype=np.uint8)
        at -= row_bytes
        run: list[np.ndarray | bytes] = [len(fields).to_bytes(2, "big")]
        for i, f in enumerate(fields):
            if f.lengths is None:  # the same length and width in every row
                run += [f.payload.shape[1].to_bytes(4, "big"), f.payload]
                continue
            run.append(f.lengths.astype(">i4"))
            sizes = np.maximum(f.lengths, 0)
            # The bytes every row has after this field: the later fields' lengths and fixed values.
            room = 4 * (len(fields) - i - 1) + _fixed_width(fields[i + 1 :])
            padded = _padded(f.payload, sizes, room)
            if padded is not None:  # the values end the run, at their longest one's width
                run.append(padded)
            width = self._write_run(out, at, run)
            run = []
            if padded is not None:
                at += width - padded.itemsize
            else:
                at += width
                _write_values(out, at, f.payload, f.lengths)
            at += sizes
        if run:
            self._write_run(out, at, run)
        return out.data

    def _write_run(self, out: np.ndarray, at: np.ndarray, run: list[np.ndarray | bytes]) -> int:
        """Write pieces every row has (arrays of a row each, or bytes the same in all rows) side
        by side at `at`; return their width. Several go through a scratch matrix first: one copy
        into the result, not one each."""
        if len(run) == 1 and isinstance(run[0], np.ndarray):
            return _scatter(out, at, run[0])
        rows = len(at)
        width = sum(len(p) if isinstance(p, bytes) else p.nbytes // rows for p in run)
        if self._matrix.size < rows * width:
            self._matrix = np.empty(rows * width, dtype=np.uint8)
        matrix = self._matrix[: rows * width].reshape(rows, width)
        offset = 0
        for piece in run:
            if isinstance(piece, bytes):  # the same in every row: numpy repeats it, as a whole
                slot = matrix[:, offset : offset + len(piece)].view(f"V{len(piece)}")
                slot[:] = np.frombuffer(piece, dtype=f"V{len(piece)}")
                offset += len(piece)
            else:
                offset += _put(matrix, offset, piece)
        return _scatter(out, at, matrix)


def _fixed_width(fields: list[_Field]) -> int:
    """Return the bytes of the fields' values that every row has at one width."""
    return sum(f.payload.shape[1] for f in fields if f.lengths is None)


def _put(matrix: np.ndarray, at: int, values: np.ndarray) -> int:
    """Write one value per row into the matrix's columns from `at`, a row at a time; return the
    values' width in bytes.

    Each row's bytes are one numpy element (a void of the slot's width): a single strided copy
    instead of a loop over the slot's bytes for each of the rows.
    """
    values = np.ascontiguousarray(values).reshape(len(matrix), -1)
    width = values.shape[1] * values.itemsize
    if width:
        slot = matrix[:, at : at + width].view(f"V{width}")
        slot[:, 0] = values.view(f"V{width}")[:, 0]
    return width


def _windows(data: np.ndarray, width: int) -> np.ndarray:
    """Return every `width` bytes of data that start at a byte, as one void element each.

    The windows overlap; an index into them is a byte offset, so numpy moves a value of any
    width at any offset as one element.
    """
    windows = np.lib.stride_tricks.as_strided(data, (len(data) - width + 1, width), (1, 1))
    return windows.view(f"V{width}")[:, 0]


def _scatter(out: np.ndarray, at: np.ndarray, values: np.ndarray) -> int:
    """Write values (a value or a row of bytes per position) to out at the positions; return
    their width. The positions' windows must not overlap: numpy does not promise an order."""
    values = np.ascontiguousarray(values)
    width = values.itemsize * (values.shape[1] if values.ndim == 2 else 1)
    if width and len(at):
        _windows(out, width)[at] = values.view(f"V{width}").reshape(len(at))
    return width


def _padded(payload: np.ndarray, sizes: np.ndarray, room: int) -> np.ndarray | None:
    """Return every row's text at the longest one's width (a void each), when the bytes past
    each value's end fall on the row's next pieces (at least `room` bytes, written after it
    and over them); else None. A NULL's window reads the next values' bytes, as spare ones.
    """
    if payload.ndim == 2:
        return None
    width = int(sizes.max())
    if width - int(sizes.min()) > room:
        return None
    starts = np.cumsum(sizes) - sizes  # (the last windows read the payload's spare bytes)
    return _windows(payload, width)[starts]


def _write_values(
    out: np.ndarray, at: np.ndarray, payload: np.ndarray, lengths: np.ndarray
) -> None:
    """Write the non-NULL values of one field at their rows' positions, `lengths` bytes each.

    numpy moves elements of one width: values of different lengths go in groups, one per power
    of two, each value cut into the pieces its length's bits make (13 = 8 + 4 + 1).
    """
    present = lengths >= 0
    if not present.all():  # NULLs have no bytes (compress: ~7x faster than at[present])
        at, lengths = at.compress(present), lengths.compress(present)
    if payload.ndim == 2:  # one width
        _scatter(out, at, payload)
        return
    starts = np.cumsum(lengths) - lengths
    for bit in (1 << b for b in range(int(lengths.max(initial=0)).bit_length())):
        rows = np.flatnonzero(lengths & bit)
        offset = lengths[rows] & -(bit << 1)  # the bytes of the higher bits come first
        _scatter(out, at[rows] + offset, _windows(payload, bit)[starts[rows] + offset])


def _field(series: pl.Series, target: PgType, nulls: np.ndarray | None) -> _Field:
    """Encode a column of a fixed-width type: its non-NULL values, then the rows' lengths."""
    payload = _values(series.drop_nulls() if nulls is not None else series, target)
    if nulls is None:
        return _Field(payload)
    width = payload.shape[1]
    return _Field(payload, width - nulls * np.int32(width + 1))  # -1 for NULL (np.where is slow)


def _values(series: pl.Series, target: PgType) -> np.ndarray:
    """Return the values (no NULLs) as a matrix of their big-endian bytes, a row each."""
    oid = target.oid
    if oid == BOOL:
        return _bytes(series.to_numpy(), "u1")
    if oid == FLOAT8:
        return _bytes(series.cast(pl.Float64).to_numpy(), ">f8")
    if oid in _INTEGERS:
        dtype, limit = _INTEGERS[oid]
        ints = series.cast(pl.Int64).to_numpy()
        if len(ints) and (ints.min() < -limit or ints.max() >= limit):
            raise Unencodable(series.name)
        return _bytes(ints, dtype)
    if oid == DATE:
        days = series.cast(pl.Date).to_physical().to_numpy().astype(np.int64)
        return _bytes(days - _PG_EPOCH_DAYS, ">i4")
    if oid in (TIMESTAMP, TIMESTAMPTZ):
        # The CSV renders whole seconds ("%Y-%m-%d %H:%M:%S"): truncate as it does.
        stamps = series.cast(pl.Datetime("us")).to_physical().to_numpy()
        seconds = np.floor_divide(stamps.astype(np.int64), 1_000_000) * 1_000_000
        return _bytes(seconds - _PG_EPOCH_US, ">i8")
    return _numeric(series, target)


def _bytes(values: np.ndarray, dtype: str) -> np.ndarray:
    data = values.astype(dtype)
    return data.view(np.uint8).reshape(len(data), data.itemsize)


def _numeric_scale(target: PgType) -> int:
    """Return the declared scale of a numeric(p, s) column (-1 when unconstrained)."""
    if target.typmod < 4:
        return -1
    return (((target.typmod - 4) & 0x7FF) ^ 1024) - 1024  # 11 bits, signed since PostgreSQL 15


def _numeric(series: pl.Series, target: PgType) -> np.ndarray:
    """Encode numeric(p, s) values: ndigits, weight, sign, dscale, then base-10000 digits.

    `numeric_in` rounds the CSV's decimal text half away from zero at the column's scale; the
    float's scaled value is rounded here instead, which agrees unless it lies near a half.
    """
    scale = _numeric_scale(target)
    scaled = series.cast(pl.Float64).to_numpy() * 10.0**scale
    units = np.rint(scaled)
    if len(units) and not np.abs(scaled - units).max() <= 0.4:  # also NaN and infinities
        raise Unencodable(series.name)
    # Digits group by four decimals: shift the units to a scale that is a multiple of four.
    frac_groups = -(-scale // 4)
    shift = 10 ** (4 * frac_groups - scale)
    magnitude = np.abs(units)
    top = float(magnitude.max()) * shift if len(units) else 0.0
    if top >= 2.0**62:
        raise Unencodable(series.name)
    groups = max(frac_groups + 1, 1)
    while 10_000**groups <= top:
        groups += 1
    words = np.empty((len(units), 4 + groups), dtype=">i2")
    words[:, 0] = groups
    words[:, 1] = groups - 1 - frac_groups  # weight: the first digit's power of 10,000
    words[:, 2] = np.where(units < 0, _NUMERIC_NEG, 0)
    words[:, 3] = scale
    rest = magnitude.astype(np.int64) * shift
    for g in range(groups - 1, 0, -1):
        rest, words[:, 4 + g] = np.divmod(rest, 10_000)
    words[:, 4] = rest
    return words.view(np.uint8).reshape(len(units), words.shape[1] * 2)
