"""UCI Bank Marketing: the campaign's call log, consistent with each client's row."""

import numpy as np
import polars as pl

from seedpacks.packs import gen
from seedpacks.packs.model import Column, CsvColumn, CsvMapping, Reference, Table
from seedpacks.packs.uci_bank.customers import CUSTOMERS, UNKNOWN

CAMPAIGNS = "bank_campaigns"


def _customer_rows(b: gen.Block) -> np.ndarray:
    """The client each call went to (one draw shared by the columns that read the client)."""
    return gen.referenced_rows(b, CUSTOMERS, b.uniform_named("client"))


def _attempt(b: gen.Block) -> np.ndarray:
    calls = b.lookup(CUSTOMERS, "campaign", _customer_rows(b)).to_numpy()
    return 1 + np.floor(b.uniform() * calls).astype(np.int64)


def _outcome(b: gen.Block) -> pl.Series:
    """The last call ends the campaign for the client; earlier calls were callbacks or missed."""
    rows = _customer_rows(b)
    last = b["attempt"].to_numpy() == b.lookup(CUSTOMERS, "campaign", rows).to_numpy()
    subscribed = (b.lookup(CUSTOMERS, "y", rows) == "yes").to_numpy()
    missed = b.uniform() < 0.4
    final = np.where(subscribed, "subscribed", "declined")
    return pl.Series(np.where(last, final, np.where(missed, "no_answer", "callback")))


def _call_time(b: gen.Block) -> np.ndarray:
    first = np.datetime64("2008-05-05", "D")  # a Monday
    weeks = (np.datetime64("2010-11-29", "D") - first).astype(np.int64) // 7
    day = first + 7 * np.floor(b.uniform(0) * weeks).astype(np.int64)
    day = day + np.floor(b.uniform(1) * 5).astype(np.int64)
    seconds = np.floor((9 + 9 * b.uniform(2)) * 3600).astype(np.int64)
    return (day.astype("datetime64[s]") + seconds).astype("datetime64[us]")


CAMPAIGN_TABLE = Table(
    name=CAMPAIGNS,
    description="The campaign's call log: every call to a client, its attempt number and result",
    rows=1000,
    primary_key=("id",),
    references=(Reference("customer_id", CUSTOMERS, "id"),),
    csv=CsvMapping(description="one call per line; ids are generated", generated=("id",)),
    columns=(
        Column("id", "bigint", gen.row_number(), nullable=False),
        Column(
            "customer_id",
            "bigint",
            lambda b: b.lookup(CUSTOMERS, "id", _customer_rows(b)),
            nullable=False,
            csv=CsvColumn(aliases=("client_id",), required=True),
        ),
        Column(
            "contact",
            "text",
            lambda b: b.lookup(CUSTOMERS, "contact", _customer_rows(b)),
            description="cellular or telephone; NULL when unknown",
            csv=UNKNOWN,
        ),
        Column(
            "called_at",
            "timestamp",
            _call_time,
            nullable=False,
            description="a working day between May 2008 and November 2010, 9:00-18:00",
        ),
        Column("attempt", "integer", _attempt, nullable=False, description="1 = first call"),
        Column(
            "duration",
            "integer",
            gen.lognormal(120, 1.0, low=0, high=4918, decimals=0),
            nullable=False,
            description="seconds",
        ),
        Column(
            "outcome",
            "text",
            gen.derived(_outcome),
            nullable=False,
            description="subscribed, declined, callback or no_answer",
        ),
    ),
)
