"""Interaction history: summaries per customer x offer x channel, and models trained from it."""

from typing import Any

import polars as pl
import psycopg
from psycopg.types.json import Jsonb

from seedpacks.packs.model import AlgorithmModel, Pack

# Loaded history rows are numbered 1, 2, ... (their row numbers); decisions' interactions take
# ids from the sequence, above this bound (migration 0010): the two never collide.
DECISION_IDS_FROM = 10**12

SUMMARY_KEYS = ("customer_id", "offer_id", "channel_id")
SUMMARY_COLUMNS = (*SUMMARY_KEYS, "impressions", "positives", "negatives", "last_contact_at")


def summary_part(pack: Pack, history: pl.DataFrame) -> pl.DataFrame:
    """Return one chunk of history summarised per customer x offer x channel."""
    kinds = {o.key: o.classification for o in pack.outcome_types}
    kind = pl.col("outcome").replace_strict(kinds, default="neutral", return_dtype=pl.String)
    return history.group_by(SUMMARY_KEYS).agg(
        impressions=pl.len().cast(pl.Int64),
        positives=(kind == "positive").sum().cast(pl.Int64),
        negatives=(kind == "negative").sum().cast(pl.Int64),
        last_contact_at=pl.col("occurred_at").max(),
    )


def combine_parts(parts: list[pl.DataFrame]) -> pl.DataFrame:
    """Merge chunk summaries into one row per key, in key order (cheap to index)."""
    if not parts:
        return pl.DataFrame(schema={name: pl.String for name in SUMMARY_KEYS})
    merged = (
        pl.concat(parts)
        .group_by(SUMMARY_KEYS)
        .agg(pl.col("impressions", "positives", "negatives").sum(), pl.col("last_contact_at").max())
    )
    return merged.sort(SUMMARY_KEYS).select(SUMMARY_COLUMNS)


def summarise(conn: psycopg.Connection, *, tenant: str, dataset_key: str) -> int:
    """Build the interaction summaries of the tenant's pack from its history in the database.

    The loader summarises the history it generates instead (`summary_part`), which spares the
    database a 500,000-row aggregate at scale 1000; this is for history changed afterwards.
    """
    cur = conn.execute(
        "INSERT INTO interaction_summaries (tenant_id, dataset_key, customer_id, offer_id,"
        " channel_id, impressions, positives, negatives, last_contact_at)"
        " SELECT i.tenant_id, i.dataset_key, i.customer_id, i.offer_id, i.channel_id, count(*),"
        "  count(*) FILTER (WHERE o.classification = 'positive'),"
        "  count(*) FILTER (WHERE o.classification = 'negative'), max(i.occurred_at)"
        " FROM interactions i JOIN outcome_types o"
        "  ON o.tenant_id = i.tenant_id AND o.key = i.outcome"
        " WHERE i.tenant_id = %s AND i.dataset_key = %s"
        " GROUP BY i.tenant_id, i.dataset_key, i.customer_id, i.offer_id, i.channel_id",
        (tenant, dataset_key),
    )
    return cur.rowcount


def offer_outcomes(
    conn: psycopg.Connection, *, tenant: str, dataset_key: str
) -> dict[str, tuple[int, int]]:
    """Return {offer id: (positives, negatives)} over the pack's stored summaries."""
    rows = conn.execute(
        "SELECT offer_id, sum(positives), sum(negatives) FROM interaction_summaries"
        " WHERE tenant_id = %s AND dataset_key = %s GROUP BY offer_id",
        (tenant, dataset_key),
    ).fetchall()
    return {offer: (int(pos), int(neg)) for offer, pos, neg in rows}


def model_state(
    model: AlgorithmModel, offers: list[str], outcomes: dict[str, tuple[int, int]]
) -> dict[str, Any]:
    """Return the state a model starts from, given each offer's positives and negatives."""
    counts = {offer: outcomes.get(offer, (0, 0)) for offer in offers}
    if model.model_type == "thompson_bandit":
        return {"arms": {o: {"alpha": p + 1, "beta": n + 1} for o, (p, n) in counts.items()}}
    if model.model_type == "epsilon_greedy":
        return {
            "arms": {o: {"totalReward": p, "pulls": p + n} for o, (p, n) in counts.items()},
            "epsilon": model.config.get("epsilon", 0.1),
        }
    # bayesian: a Beta posterior of each offer's positive rate
    return {"posteriors": {o: {"positives": p, "trials": p + n} for o, (p, n) in counts.items()}}


def train_models(
    conn: psycopg.Connection,
    *,
    tenant: str,
    pack: Pack,
    outcomes: dict[str, tuple[int, int]] | None = None,
) -> int:
    """Set the state of the pack's history-learning models from each offer's (positives,
    negatives), by default read from the tenant's summaries; return how many were trained."""
    learners = [m for m in pack.models if m.learns_from_history]
    if not learners:
        return 0
    if outcomes is None:
        outcomes = offer_outcomes(conn, tenant=tenant, dataset_key=pack.key)
    offers = [o.id for o in pack.offers]
    with conn.pipeline():
        for model in learners:
            conn.execute(
                "UPDATE algorithm_models SET state = %s WHERE tenant_id = %s AND id = %s",
                (Jsonb(model_state(model, offers, outcomes)), tenant, model.id),
            )
    return len(learners)
