"""The linear-time unique of generated references agrees with numpy's."""

import numpy as np
import pytest

from seedpacks.seeding.generate import _unique


@pytest.mark.parametrize(
    "idx",
    [
        np.array([], dtype=np.int64),
        np.array([7], dtype=np.int64),
        np.array([5, 3, 5, 4, 3, 9], dtype=np.int64),  # dense: marked in a range
        np.random.default_rng(1).integers(1000, 4000, 10_000),  # dense, repeated
        np.array([0, 10**9, 5, 10**9], dtype=np.int64),  # sparse: falls back to sorting
    ],
    ids=["empty", "one", "small", "dense", "sparse"],
)
def test_unique_returns_what_numpy_returns(idx: np.ndarray) -> None:
    unique, inverse = _unique(idx)
    expected, expected_inverse = np.unique(idx, return_inverse=True)
    assert np.array_equal(unique, expected)
    assert np.array_equal(inverse, expected_inverse)
    assert np.array_equal(unique[inverse], idx)
