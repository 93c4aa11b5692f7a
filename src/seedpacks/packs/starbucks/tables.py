"""The pack's data tables: members (profile file), the portfolio, the event transcript."""

from datetime import date

import numpy as np
import polars as pl

from seedpacks.packs import gen, rng
from seedpacks.packs.model import (
    Column,
    CsvColumn,
    CsvMapping,
    Reference,
    Table,
)
from seedpacks.packs.starbucks.portfolio import PORTFOLIO

CUSTOMERS = "starbucks_customers"
_UNKNOWN = 0.128  # share of profiles with unknown age, gender and income (age 118 in the file)


def _unknown(b: gen.Block) -> np.ndarray:
    # One draw per customer, shared by gender, age and income: they are unknown together.
    return b.uniform_named("profile_unknown") < _UNKNOWN


def _event_offer(b: gen.Block) -> pl.Series:
    offers = pl.Series([p[0] for p in PORTFOLIO])
    picked = offers.gather(np.floor(b.uniform() * len(PORTFOLIO)).astype(np.int64))
    return picked.scatter(np.flatnonzero((b["event"] == "transaction").to_numpy()), None)


def _event_amount(b: gen.Block) -> pl.Series:
    # Drawn for transactions only: a row's draw depends on its number, not on the others.
    keep = np.flatnonzero((b["event"] == "transaction").to_numpy())
    normal = rng.normal(b.key(), b.idx[keep])
    amount = np.full(len(b), np.nan)
    amount[keep] = np.round(np.clip(9.0 * np.exp(0.9 * normal), 0.05, 1000.0), 2)
    return pl.Series(amount, nan_to_null=True)


def _event_reward(b: gen.Block) -> pl.Series:
    """The completed offer's reward (NULL for other events), from the offer_id column's draw."""
    rewards = np.array([float(p[2]) for p in PORTFOLIO])
    completed = np.flatnonzero((b["event"] == "offer completed").to_numpy())
    draw = rng.uniform(rng.stream_key(b.pack, b.seed, b.table, "offer_id", ""), b.idx[completed])
    reward = np.full(len(b), np.nan)
    reward[completed] = rewards[np.floor(draw * len(PORTFOLIO)).astype(np.int64)]
    return pl.Series(reward, nan_to_null=True)


TABLES = (
    Table(
        name=CUSTOMERS,
        description="Rewards-app members, as in the public profile file",
        rows=1000,
        primary_key=("id",),
        columns=(
            Column(
                "id",
                "text",
                gen.hex_id(32),
                nullable=False,
                description="member id",
                csv=CsvColumn(aliases=("customer_id", "person"), required=True),
            ),
            Column(
                "gender",
                "text",
                gen.null_where(gen.choice(["M", "F", "O"], [57.2, 41.3, 1.5]), _unknown),
                description="M, F or O; NULL when unknown",
                csv=CsvColumn(sentinels=("",)),
            ),
            Column(
                "age",
                "integer",
                gen.null_where(gen.normal(54.4, 17.4, low=18, high=101), _unknown),
                description="years; NULL when unknown",
                csv=CsvColumn(sentinels=("118", "")),
            ),
            Column(
                "income",
                "decimal",
                gen.null_where(
                    gen.normal(65400, 21600, low=30000, high=120000, decimals=-3), _unknown
                ),
                description="yearly income in USD; NULL when unknown",
                csv=CsvColumn(sentinels=("",)),
            ),
            Column(
                "became_member_on",
                "date",
                gen.dates(
                    date(2013, 7, 29),
                    date(2018, 7, 26),
                    weights_by_year={
                        2013: 286,
                        2014: 691,
                        2015: 1830,
                        2016: 3526,
                        2017: 6469,
                        2018: 4198,
                    },
                ),
                nullable=False,
                description="membership start",
                csv=CsvColumn(parse={"date_formats": ["%Y%m%d", "%Y-%m-%d"]}, required=True),
            ),
        ),
        indexes=(("income",),),
        csv=CsvMapping(
            description="The public profile file: gender,age,id,became_member_on,income; "
            "age 118 with empty gender and income is an unknown profile, kept with NULLs."
        ),
    ),
    Table(
        name="starbucks_offers",
        description="The offer portfolio, as in the public portfolio file",
        rows=len(PORTFOLIO),
        scales=False,
        primary_key=("id",),
        csv=CsvMapping(
            description="The public portfolio file: reward,channels,difficulty,duration,"
            "offer_type,id; channels as a JSON or Python-style list, duration in days (7 or 7.0)."
        ),
        columns=(
            Column("id", "text", gen.fixed([p[0] for p in PORTFOLIO]), nullable=False),
            Column("offer_type", "text", gen.fixed([p[1] for p in PORTFOLIO]), nullable=False),
            Column("reward", "integer", gen.fixed([p[2] for p in PORTFOLIO]), nullable=False),
            Column("difficulty", "integer", gen.fixed([p[3] for p in PORTFOLIO]), nullable=False),
            Column(
                "duration",
                "integer",
                gen.fixed([p[4] for p in PORTFOLIO]),
                nullable=False,
                description="days",
            ),
            Column(
                "channels",
                "json",
                gen.fixed(['["' + '", "'.join(p[5]) + '"]' for p in PORTFOLIO]),
                nullable=False,
                description="JSON list of channels",
            ),
        ),
    ),
    Table(
        name="starbucks_events",
        description="The event transcript: offers received, viewed, completed, and transactions",
        rows=3000,
        primary_key=("id",),
        references=(Reference("person", CUSTOMERS, "id"),),
        indexes=(("person",),),
        csv=CsvMapping(
            description="The public transcript file: person,event,value,time; value is a JSON "
            "(or Python-style) object holding 'offer id', 'offer_id', 'reward' or 'amount'; "
            "time in hours. Rows are numbered 1, 2, ... as ids when the file has no id column.",
            generated=("id",),
        ),
        columns=(
            Column("id", "bigint", gen.row_number(), nullable=False),
            Column("person", "text", gen.reference(CUSTOMERS, "id"), nullable=False),
            Column(
                "event",
                "text",
                gen.choice(
                    ["transaction", "offer received", "offer viewed", "offer completed"],
                    [45.3, 24.9, 18.8, 11.0],
                ),
                nullable=False,
            ),
            Column(
                "offer_id",
                "text",
                gen.derived(_event_offer),
                description="the offer received, viewed or completed",
                csv=CsvColumn(derive={"column": "value", "json_keys": ("offer id", "offer_id")}),
            ),
            Column(
                "amount",
                "decimal",
                gen.derived(_event_amount),
                description="transaction USD",
                csv=CsvColumn(derive={"column": "value", "json_keys": ("amount",)}),
            ),
            Column(
                "reward",
                "decimal",
                gen.derived(_event_reward),
                description="reward of a completed offer",
                csv=CsvColumn(derive={"column": "value", "json_keys": ("reward",)}),
            ),
            Column(
                "time",
                "integer",
                gen.derived(lambda b: 6 * np.floor(b.uniform() * 120)),
                nullable=False,
                description="hours since the start of the test",
            ),
        ),
    ),
)
