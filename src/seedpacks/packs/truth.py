"""The ground-truth response function of a pack: P(positive | customer, offer, channel)."""

from collections.abc import Mapping

import numpy as np
import polars as pl

from seedpacks.packs.model import Feature, GroundTruth


def feature_values(feature: Feature, column: pl.Series) -> np.ndarray:
    """Return one feature's value per customer; unknown values contribute 0."""
    if feature.kind == "is_null":
        return column.is_null().to_numpy().astype(np.float64)
    if feature.kind == "equals":
        return (column == feature.value).fill_null(False).to_numpy().astype(np.float64)
    numbers = column.cast(pl.Float64).to_numpy()
    x = (numbers - feature.center) / feature.spread
    return np.nan_to_num(x, nan=0.0)


def feature_matrix(truth: GroundTruth, columns: Mapping[str, pl.Series]) -> np.ndarray:
    """Return the customers x features matrix from the customer table's columns."""
    if not truth.features:
        return np.zeros((len(next(iter(columns.values()), [])), 0))
    return np.column_stack([feature_values(f, columns[f.column]) for f in truth.features])


def weight_matrix(truth: GroundTruth) -> tuple[np.ndarray, np.ndarray]:
    """Return (intercepts per arm, arms x features weights)."""
    names = [f.name for f in truth.features]
    intercepts = np.array([arm.intercept for arm in truth.arms], dtype=np.float64)
    weights = np.array(
        [[arm.weights.get(name, 0.0) for name in names] for arm in truth.arms], dtype=np.float64
    ).reshape(len(truth.arms), len(names))
    return intercepts, weights


def probabilities(
    truth: GroundTruth,
    features: np.ndarray,
    arms: np.ndarray,
    matrix: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Return P(positive) for each (customer row of `features`, arm index) pair; `matrix` is
    the truth's `weight_matrix`, when the caller keeps it."""
    intercepts, weights = matrix or weight_matrix(truth)
    logits = intercepts[arms] + np.einsum("ij,ij->i", features, weights[arms])
    return 1.0 / (1.0 + np.exp(-logits))


def all_probabilities(truth: GroundTruth, features: np.ndarray) -> np.ndarray:
    """Return the customers x arms matrix of P(positive)."""
    intercepts, weights = weight_matrix(truth)
    logits = intercepts[None, :] + features @ weights.T
    return 1.0 / (1.0 + np.exp(-logits))
