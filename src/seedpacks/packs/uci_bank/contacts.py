"""UCI Bank Marketing: how and how often each client was called, now and in earlier campaigns.

As in bank-additional-full.csv: the fixed line was the campaign's phone of May and June 2008
(cellular later); the May campaign went to housing-loan holders; calls before this campaign
(`previous`) exist only from October 2008 and grow more common with time; a client never
called before has pdays 999 and poutcome 'nonexistent', exactly; pdays is known for almost every
previous success and few failures; earlier successes are likelier the more earlier calls.
"""

import numpy as np
import polars as pl

from seedpacks.packs import gen
from seedpacks.packs.depend import depends
from seedpacks.packs.uci_bank.economy import PERIOD_STREAM, PERIODS, by_period, call_year

# Share of calls on the fixed line, by call period (May-June 2008 mostly; 36.5 % overall).
_TELEPHONE = {(2008, "may"): 0.80, (2008, "jun"): 0.85, (2008, "jul"): 0.12, (2008, "aug"): 0.06}
_TELEPHONE_OTHERWISE = 0.24


@depends(
    (),
    "telephone for 80-85 % of the calls of May-June 2008, 6-12 % in July-August 2008, "
    "24 % later; cellular otherwise",
    shares=(PERIOD_STREAM,),
)
def contact(b: gen.Block) -> pl.Series:
    fixed = b.uniform() < by_period(b, _TELEPHONE, _TELEPHONE_OTHERWISE)
    return pl.Series(np.where(fixed, "telephone", "cellular"))


HOUSING_UNKNOWN = 0.024  # housing and personal loan unknown together (990 calls of 41,188)
# Share of housing-loan holders among known answers: higher in the May campaign.
HOUSING_YES_MAY, HOUSING_YES_OTHER = 0.60, 0.505


@depends((), "yes for 60 % of May's clients, 50.5 % of the others'", shares=(PERIOD_STREAM,))
def _housing(b: gen.Block) -> pl.Series:
    p = by_period(b, {(y, "may"): HOUSING_YES_MAY for y in (2008, 2009, 2010)}, HOUSING_YES_OTHER)
    return pl.Series(np.where(b.uniform() < p, "yes", "no"))


housing = gen.missing_together(_housing, "loans_unknown", HOUSING_UNKNOWN)
loan = gen.missing_together(
    gen.choice(["no", "yes"], [84.5, 15.5]), "loans_unknown", HOUSING_UNKNOWN
)

CAMPAIGN = (
    tuple(range(1, 36)) + (37, 39, 40, 41, 42, 43, 56),
    (17642, 10570, 5341, 2651, 1599, 979, 629, 400, 283, 225, 177, 125, 92, 69, 51, 51, 58, 33,
     26, 30, 24, 17, 16, 15, 8, 8, 11, 8, 10, 7, 7, 4, 4, 3, 5, 1, 1, 2, 1, 2, 2, 1),
)  # fmt: skip
# Calls of 2009-2010 took fewer attempts (each further attempt 0.8 times as likely as in the
# file as a whole), those of 2008 more, so that together they keep the file's counts.
_LATER = np.array(CAMPAIGN[1], dtype=np.float64) * 0.8 ** np.arange(len(CAMPAIGN[1]))
_LATER_SHARE = sum(p[8] for p in PERIODS if p[0] > 2008) / sum(p[8] for p in PERIODS)
_ALL = np.array(CAMPAIGN[1], dtype=np.float64) / sum(CAMPAIGN[1])
_CAMPAIGN_CUMULATIVE = {
    True: np.cumsum(_LATER / _LATER.sum()),
    False: np.cumsum((_ALL - _LATER_SHARE * _LATER / _LATER.sum()) / (1 - _LATER_SHARE)),
}


@depends(
    (),
    "fewer attempts in 2009-2010 (each further attempt 0.8 times as likely), more in 2008; "
    "the file's counts over the whole campaign",
    shares=(PERIOD_STREAM,),
)
def campaign(b: gen.Block) -> np.ndarray:
    later = call_year(b) > 2008
    u = b.uniform()
    out = np.empty(len(b), dtype=np.int64)
    for flag, cumulative in _CAMPAIGN_CUMULATIVE.items():
        rows = np.flatnonzero(later == flag)
        pick = np.searchsorted(cumulative / cumulative[-1], u[rows], side="right")
        out[rows] = np.array(CAMPAIGN[0])[np.minimum(pick, len(CAMPAIGN[0]) - 1)]
    return out


# Share of clients called in an earlier campaign, by year of the call (none before October
# 2008), and how many earlier calls they had (bank-additional-full.csv: 5,625 clients).
_CALLED_BEFORE = {(2008, m): 0.15 for m in ("oct", "nov", "dec")}
_CALLED_BEFORE_BY_YEAR = {2009: 0.353, 2010: 0.50}
_PREVIOUS = ((1, 2, 3, 4, 5, 6, 7), (4561, 754, 216, 70, 18, 5, 1))
_PREVIOUS_CUMULATIVE = np.cumsum(_PREVIOUS[1]) / sum(_PREVIOUS[1])


@depends(
    (),
    "0 for every call before October 2008; then 15 % (late 2008), 35 % (2009) and 50 % "
    "(2010) of clients were called before, 1-7 times",
    shares=(PERIOD_STREAM,),
)
def previous(b: gen.Block) -> np.ndarray:
    share = by_period(
        b,
        _CALLED_BEFORE
        | {
            (year, month): value
            for year, value in _CALLED_BEFORE_BY_YEAR.items()
            for month in ("mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
        },
        0.0,
    )
    count = np.array(_PREVIOUS[0])[
        np.minimum(np.searchsorted(_PREVIOUS_CUMULATIVE, b.uniform(1), side="right"), 6)
    ]
    return np.where(b.uniform(0) < share, count, 0)


# P(earlier success | earlier calls): 1,373 successes among the 5,625 called before.
_SUCCESS_BY_PREVIOUS = {1: 0.15, 2: 0.60}
_SUCCESS_OTHERWISE = 0.80
OUTCOME_STREAM = "previous_outcome"


def _succeeded(b: gen.Block) -> np.ndarray:
    """Whether the client's earlier campaign succeeded (one draw shared by pdays and poutcome)."""
    calls = b["previous"].to_numpy()
    p = np.full(len(b), _SUCCESS_OTHERWISE)
    for count, share in _SUCCESS_BY_PREVIOUS.items():
        p[calls == count] = share
    return (calls > 0) & (b.uniform_named(OUTCOME_STREAM) < p)


@depends(
    "previous",
    "nonexistent when previous = 0; else success (15 % after 1 earlier call, 60 % after 2, "
    "80 % after more) or failure",
    shares=(OUTCOME_STREAM,),
)
def poutcome(b: gen.Block) -> pl.Series:
    before = b["previous"].to_numpy() > 0
    return pl.Series(np.where(_succeeded(b), "success", np.where(before, "failure", "nonexistent")))


PDAYS_NONE = 999
# Days since the earlier campaign's last call when it is known, as in the file (1,515 calls).
_PDAYS = (
    (3, 6, 4, 9, 2, 7, 12, 10, 5, 13, 11, 1, 15, 14, 8, 0, 16, 17, 18, 22, 19, 21, 25, 26, 27, 20),
    (439, 412, 118, 64, 61, 60, 58, 52, 46, 36, 28, 26, 24, 20, 18, 15, 11, 8, 7, 3, 3, 2, 1, 1,
     1, 1),
)  # fmt: skip
_PDAYS_CUMULATIVE = np.cumsum(_PDAYS[1]) / sum(_PDAYS[1])
_PDAYS_KNOWN_SUCCESS, _PDAYS_KNOWN_FAILURE = 0.96, 0.046


@depends(
    "previous",
    "999 when previous = 0; known (0-27 days, mostly 3 or 6) for 96 % of earlier successes "
    "and 4.6 % of failures, 999 otherwise",
    shares=(OUTCOME_STREAM,),
)
def pdays(b: gen.Block) -> np.ndarray:
    success = _succeeded(b)
    before = b["previous"].to_numpy() > 0
    known = b.uniform(0) < np.where(success, _PDAYS_KNOWN_SUCCESS, _PDAYS_KNOWN_FAILURE)
    days = np.array(_PDAYS[0])[
        np.minimum(np.searchsorted(_PDAYS_CUMULATIVE, b.uniform(1), side="right"), 25)
    ]
    return np.where(before & known, days, PDAYS_NONE)
