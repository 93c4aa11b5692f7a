"""Starbucks members behave like the public transcript's: the funnel holds for every event, and
the public files' figures come out within sampling error (generated in memory, no database)."""

import math
from datetime import datetime, time
from functools import cache

import numpy as np
import polars as pl

from seedpacks.packs.registry import PACKS
from seedpacks.packs.starbucks.journeys import LAST_HOUR, MOMENTS, ORDER, STEP, in_order
from seedpacks.seeding.generate import Generator

# Scale 17 gives the public profile file's 17,000 members (and about its 306,534 events).
FILE_SCALE = 17


@cache
def tables(scale: int, seed: int = 42) -> dict[str, pl.DataFrame]:
    g = Generator(PACKS["starbucks"], seed=seed, scale=scale)
    names = ("starbucks_customers", "starbucks_events", "starbucks_offers")
    out = {name.removeprefix("starbucks_"): pl.concat(g.chunks(name)) for name in names}
    out["interactions"] = pl.concat(g.interaction_chunks())
    return out


def _receipts_of(events: pl.DataFrame, offers: pl.DataFrame, kind: str) -> pl.DataFrame:
    """Return the `kind` events, each with the latest receipt of its offer by its member at or
    before it (null columns when there is none)."""
    received = (
        events.filter(pl.col("event") == "offer received")
        .select("person", "offer_id", received_at="time")
        .sort("received_at")
    )
    return (
        events.filter(pl.col("event") == kind)
        .sort("time")
        .join_asof(
            received,
            left_on="time",
            right_on="received_at",
            by=["person", "offer_id"],
            strategy="backward",
        )
        .join(
            offers.select(
                offer_id="id",
                kind="offer_type",
                hours=pl.col("duration") * 24,
                difficulty="difficulty",
                offer_reward="reward",
            ),
            on="offer_id",
        )
    )


def test_every_event_of_a_scale_50_load_obeys_the_funnel() -> None:
    t = tables(50)
    events, offers = t["events"], t["offers"]
    assert events.height == 18_030 * 50
    # Each member's events come together, in time order, on the 6-hour clock.
    assert events["id"].is_sorted()
    runs = events.select((pl.col("person") != pl.col("person").shift()).fill_null(True).sum())
    assert runs.item() == events["person"].n_unique()
    assert events["person"].n_unique() > 49_900  # a member may have no event at all
    assert events.select((pl.col("time").diff().over("person") >= 0).all()).item()
    assert ((events["time"] % STEP == 0) & events["time"].is_between(0, LAST_HOUR)).all()
    # Offers arrive at the test's six moments only.
    received = events.filter(pl.col("event") == "offer received")
    assert set(received["time"].unique()) == set(MOMENTS.tolist())
    # Views and completions follow a receipt of the same offer, within its duration.
    for kind in ("offer viewed", "offer completed"):
        matched = _receipts_of(events, offers, kind)
        assert matched["received_at"].null_count() == 0, kind
        assert (matched["time"] <= matched["received_at"] + matched["hours"]).all(), kind
    completed = _receipts_of(events, offers, "offer completed")
    assert completed.height > 0
    assert (completed["kind"] != "informational").all()
    assert (completed["reward"] == completed["offer_reward"]).all()
    # Per member and offer, at every moment: no more views than receipts so far and no more
    # completions than views so far (each receipt viewed at most once, each completion of a
    # viewed receipt; a view at the completion's hour counts).
    order = {"offer received": 0, "offer viewed": 1, "offer completed": 2}
    funnel = (
        events.filter(pl.col("event").is_in(list(order)))
        .with_columns(step=pl.col("event").replace_strict(order, return_dtype=pl.Int8))
        .sort("person", "offer_id", "time", "step")
        .with_columns(
            **{
                name: (pl.col("step") == step).cum_sum().over("person", "offer_id")
                for name, step in (("received", 0), ("viewed", 1), ("completed", 2))
            }
        )
    )
    assert (funnel["viewed"] <= funnel["received"]).all()
    assert (funnel["completed"] <= funnel["viewed"]).all()
    # Every completion has a transaction of that member, at that hour, reaching the difficulty.
    spent = (
        events.filter(pl.col("event") == "transaction")
        .group_by("person", "time")
        .agg(pl.max("amount"))
    )
    paid = completed.join(spent, on=["person", "time"], how="left", suffix="_paid")
    assert (paid["amount_paid"] >= paid["difficulty"]).all()


def test_the_history_is_the_transcripts_offers_received_row_for_row() -> None:
    t = tables(3)
    events, history = t["events"], t["interactions"]
    received = events.filter(pl.col("event") == "offer received")
    start = PACKS["starbucks"].ground_truth.start
    assert history.height == received.height == 4_487 * 3
    assert (history["customer_id"] == received["person"]).all()
    assert (history["offer_id"] == received["offer_id"]).all()
    at = received.select(pl.lit(datetime.combine(start, time())) + pl.duration(hours="time"))
    assert (history["occurred_at"] == at.to_series()).all()
    # Per member and offer, as many positive impressions as completions.
    truth = PACKS["starbucks"].ground_truth
    positives = (
        history.filter(pl.col("outcome") == truth.positive_outcome)
        .group_by(person="customer_id", offer_id="offer_id")
        .len()
        .sort("person", "offer_id")
    )
    completions = (
        events.filter(pl.col("event") == "offer completed")
        .group_by("person", "offer_id")
        .len()
        .sort("person", "offer_id")
    )
    assert positives.equals(completions)
    assert set(history["outcome"]) == {truth.positive_outcome, truth.negative_outcome}
    # The creative and channel of an impression are the offer's own.
    assert (history["creative_id"].str.ends_with("_" + history["channel_id"])).all()


def _within(observed: float, expected: float, error: float, sigmas: float = 4.0) -> None:
    assert abs(observed - expected) <= sigmas * error, (observed, expected, error)


def _mean_error(values: pl.Series) -> float:
    return float(values.std()) / math.sqrt(values.len())  # type: ignore[arg-type]


def _correlation_error(r: float, n: int) -> float:
    return (1 - r * r) / math.sqrt(n)


def _ratio_error(k: pl.Series, r: pl.Series) -> float:
    """Standard error of sum(k) / sum(r) over members (a member's offers are not independent)."""
    rate = k.sum() / r.sum()
    residual = (k - rate * r).cast(pl.Float64)
    return float(residual.std()) / (float(r.mean()) * math.sqrt(r.len()))  # type: ignore[arg-type]


def test_profiles_have_the_public_files_dependencies() -> None:
    members = tables(FILE_SCALE)["customers"]
    known = members.filter(pl.col("age").is_not_null())
    r = known.select(pl.corr("age", "income")).item()
    _within(r, 0.31, _correlation_error(0.31, known.height))
    # Nobody aged 35 or less earns over 75,000, nobody 36-45 over 100,000 (yet some come close).
    for low, high, cap in ((18, 35, 75_000), (36, 45, 100_000)):
        band = known.filter(pl.col("age").is_between(low, high))["income"]
        assert band.max() <= cap < band.max() + 5_000  # type: ignore[operator]
    for gender, income, age in (("F", 71_300, 57.6), ("M", 61_200, 52.1)):
        part = known.filter(pl.col("gender") == gender)
        _within(part["income"].mean(), income, _mean_error(part["income"]))  # type: ignore[arg-type]
        _within(part["age"].mean(), age, _mean_error(part["age"]))  # type: ignore[arg-type]
    # Sign-ups bunch in the second half of 2015 and of 2017.
    joined = members["became_member_on"]
    for year in (2015, 2017):
        months = joined.filter(joined.dt.year() == year).dt.month()
        assert (months >= 7).mean() > 0.6, year  # type: ignore[operator]


def test_events_per_member_and_spending_follow_the_public_transcript() -> None:
    t = tables(FILE_SCALE)
    events, members = t["events"], t["customers"]
    per = events.group_by("person").len()["len"]
    _within(per.mean(), 18.0, _mean_error(per))  # type: ignore[arg-type]
    # Counts are whole numbers: the quantiles hold to one event.
    assert abs(per.median() - 17) <= 1 and abs(per.quantile(0.9) - 27) <= 1  # type: ignore[operator]
    assert 45 <= per.max() <= 60  # type: ignore[operator]
    spend = (
        events.filter(pl.col("event") == "transaction")
        .group_by("person")
        .agg(mean=pl.mean("amount"))
        .join(members, left_on="person", right_on="id")
    )
    known = spend.filter(pl.col("income").is_not_null())
    r = known.select(pl.corr("mean", "income")).item()
    _within(r, 0.49, _correlation_error(0.49, known.height))
    unknown = spend.filter(pl.col("income").is_null())["mean"]
    assert unknown.mean() * 3 < known["mean"].mean()  # type: ignore[operator]


def test_completion_rises_with_income_as_in_the_public_transcript() -> None:
    t = tables(FILE_SCALE)
    events, members = t["events"], t["customers"]
    counts = (
        events.filter(pl.col("event").is_in(["offer received", "offer completed"]))
        .group_by("person")
        .agg(
            r=(pl.col("event") == "offer received").sum(),
            k=(pl.col("event") == "offer completed").sum(),
        )
        .join(members, left_on="person", right_on="id")
    )
    for low, high, target in ((30_000, 49_999, 0.36), (100_000, 120_000, 0.61)):
        band = counts.filter(pl.col("income").is_between(low, high))
        rate = band["k"].sum() / band["r"].sum()
        # The figures are given to two digits: their rounding adds to sampling error.
        _within(rate, target, _ratio_error(band["k"], band["r"]) + 0.005 / 4)


def test_events_sort_by_one_packed_key_in_the_five_columns_order() -> None:
    """in_order packs member, time, kind, part and draw into one integer key; its order is the
    five-column sort's, and spans too wide for 63 bits, or a negative value, take that sort."""
    rng = np.random.default_rng(7)
    n = 5000
    frame = pl.DataFrame(
        {
            "_member": rng.integers(0, 300, n),
            "time": rng.integers(0, 715, n) // 6 * 6,
            "_kind": rng.integers(0, 4, n),
            "_part": rng.integers(0, 5, n),
            "_seq": rng.permutation(n),
            "value": rng.random(n),
        }
    )
    wide = frame.with_columns(_seq=pl.col("_seq") * (1 << 40))
    negative = frame.with_columns(time=pl.col("time") - 360)
    for case in (frame, wide, negative):
        assert in_order(case).equals(case.sort(ORDER))
    assert not frame.equals(frame.sort(ORDER))  # the cases are not sorted already
