"""Id generators: row numbers, formatted and hex ids, and random-looking ids that never collide."""

import numpy as np
import polars as pl

from seedpacks.packs import rng
from seedpacks.packs.block import Block
from seedpacks.packs.model import Generator


def row_number(start: int = 1) -> Generator:
    return lambda b: b.idx.astype(np.int64) + start


def formatted_id(prefix: str, width: int = 6, start: int = 1) -> Generator:
    """Return ids like `C000001`."""

    def gen(b: Block) -> pl.Series:
        digits = pl.Series((b.idx + start).astype(np.int64)).cast(pl.String).str.zfill(width)
        return prefix + digits

    return gen


def hex_id(width: int = 32) -> Generator:
    """Random lowercase hex ids, the same as `rng.hex_strings` (built without Python strings)."""

    def gen(b: Block) -> pl.Series:
        words = np.stack([rng.bits(b.key(), b.idx, 0), rng.bits(b.key(), b.idx, 1)], axis=1)
        text = words.astype(">u8").tobytes().hex().encode()
        series = pl.Series(np.frombuffer(text, dtype="S32")).cast(pl.String)
        return series if width == 32 else series.str.slice(0, width)

    return gen


_RADIX = {"9": "0123456789", "A": "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def pattern_id(pattern: str) -> Generator:
    """Unique ids shaped like `pattern` ("9" a digit, "A" a capital letter, others literal).

    Row numbers go through a seed-keyed bijection of the pattern's id space, so ids look random
    yet never collide (e.g. "9999-AAAAA" gives ids like the IBM Telco file's "7590-VHVEG").
    """
    slots = [(i, _RADIX[ch]) for i, ch in enumerate(pattern) if ch in _RADIX]
    space = int(np.prod([len(alphabet) for _, alphabet in slots], dtype=object))
    if space >= 1 << 42:  # keeps the split multiplication below within 64 bits
        raise ValueError(f"pattern {pattern!r} has too many slots")
    # A golden-ratio multiplier spreads consecutive row numbers over every position of the id.
    multiplier = next(m for m in range(int(space * 0.6180339887), space) if np.gcd(m, space) == 1)
    hi, lo = divmod(multiplier, 1 << 20)

    def gen(b: Block) -> pl.Series:
        if len(b) and int(b.idx.max()) >= space:
            raise ValueError(f"pattern {pattern!r} has only {space} ids")
        offset = np.uint64(int(b.key()) % space)
        x = (b.idx.astype(np.uint64) + offset) % np.uint64(space)
        # (multiplier * x) mod space without overflowing 64 bits: split the multiplier.
        n = np.uint64(space)
        v = (np.uint64(hi) * x) % n
        v = (v * np.uint64(1 << 20)) % n
        v = (v + (np.uint64(lo) * x) % n) % n
        chars = [pl.Series([ch] * len(b), dtype=pl.String) for ch in pattern]
        for position, alphabet in reversed(slots):
            radix = np.uint64(len(alphabet))
            digit = (v % radix).astype(np.int64)
            v //= radix
            chars[position] = pl.Series(list(alphabet)).gather(digit)
        text = chars[0]
        for part in chars[1:]:
            text = text + part
        return text

    return gen
