"""The history is drawn from the declared ground truth: each offer's positive rate in a scale-50
history lies within 3 standard errors of what the truth predicts for the customers it reached."""

import numpy as np
import polars as pl
import pytest

from seedpacks.packs.registry import PACKS
from seedpacks.packs.truth import feature_matrix, probabilities
from seedpacks.seeding.generate import Generator

SCALE = 50


def history_with_truth(key: str) -> pl.DataFrame:
    """The generated history, each row with its true P(positive) recomputed from the customer."""
    pack = PACKS[key]
    truth = pack.ground_truth
    generator = Generator(pack, seed=42, scale=SCALE)
    customers = pl.concat(generator.chunks(truth.customer_table)).with_columns(
        pl.col(truth.customer_id).cast(pl.String).alias("customer_id")
    )
    history = pl.concat(generator.interaction_chunks())
    joined = history.join(customers, on="customer_id", how="left", validate="m:1")
    assert joined.height == history.height
    arms = {(arm.offer, arm.channel): i for i, arm in enumerate(truth.arms)}
    pairs = zip(joined["offer_id"], joined["channel_id"], strict=True)
    # An offer with no arm (starbucks' informational offers) can never be positive.
    arm = np.array([arms.get(pair, -1) for pair in pairs], dtype=np.int64)
    columns = {f.column: joined[f.column] for f in truth.features}
    p = np.zeros(len(arm))
    armed = arm >= 0
    p[armed] = probabilities(truth, feature_matrix(truth, columns)[armed], arm[armed])
    return joined.select("offer_id", "outcome").with_columns(p=pl.Series(p))


@pytest.mark.parametrize("key", sorted(PACKS))
def test_each_offer_converts_at_its_true_rate_within_three_standard_errors(key: str) -> None:
    truth = PACKS[key].ground_truth
    history = history_with_truth(key)
    assert set(history["outcome"].unique()) <= {truth.positive_outcome, truth.negative_outcome}
    per_offer = history.group_by("offer_id").agg(
        n=pl.len(),
        observed=(pl.col("outcome") == truth.positive_outcome).mean(),
        expected=pl.col("p").mean(),
        # The positives are a sum of independent Bernoulli(p_i): variance sum p_i (1 - p_i).
        se=(pl.col("p") * (1 - pl.col("p"))).sum().sqrt() / pl.len(),
    )
    assert set(per_offer["offer_id"]) >= {arm.offer for arm in truth.arms}
    for row in per_offer.iter_rows(named=True):
        assert abs(row["observed"] - row["expected"]) <= 3 * row["se"], row
