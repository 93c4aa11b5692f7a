"""Counter-based random numbers: a value depends only on (stream key, row number, lane).

That makes generation independent of chunk size and order, and keeps the rows of a smaller scale
as the prefix of a larger one.
"""

import hashlib

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_LANE = np.uint64(0xD6E8FEB86659FD93)


def stream_key(*parts: object) -> np.uint64:
    """Derive a 64-bit stream key from the parts' text (pack, seed, table, column, ...)."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()
    return np.uint64(int.from_bytes(digest[:8], "little"))


def bits(key: np.uint64, idx: np.ndarray, lane: int = 0) -> np.ndarray:
    """Return 64 well-mixed bits per row number (splitmix64 of the counter)."""
    # The lane offset wraps modulo 2**64 in Python: numpy warns on scalar overflow.
    offset = np.uint64(lane * int(_LANE) % (1 << 64))
    x = idx.astype(np.uint64) * _GOLDEN + key + offset
    x ^= x >> np.uint64(30)
    x *= _M1
    x ^= x >> np.uint64(27)
    x *= _M2
    x ^= x >> np.uint64(31)
    return x


def uniform(key: np.uint64, idx: np.ndarray, lane: int = 0) -> np.ndarray:
    """Return floats in [0, 1), one per row number."""
    return (bits(key, idx, lane) >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def normal(key: np.uint64, idx: np.ndarray, lane: int = 0) -> np.ndarray:
    """Return standard normal values (Box-Muller over two lanes)."""
    u1 = 1.0 - uniform(key, idx, 2 * lane)
    u2 = uniform(key, idx, 2 * lane + 1)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


def hex_strings(key: np.uint64, idx: np.ndarray, width: int = 32) -> np.ndarray:
    """Return lowercase hex strings of `width` (<= 32) characters, one per row number."""
    words = np.stack([bits(key, idx, 0), bits(key, idx, 1)], axis=1).astype(">u8")
    text = words.tobytes().hex()
    return np.frombuffer(text.encode(), dtype="S32").astype(f"U{width}")
