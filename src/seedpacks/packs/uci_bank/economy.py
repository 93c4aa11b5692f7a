"""UCI Bank Marketing: the campaign's calendar and the economic context of each call.

bank-additional-full.csv is in time order, May 2008 to November 2010, and its five economic
indicators are functions of the call's date: the employment variation rate and the number
employed are quarterly, the consumer price and confidence indices monthly, the 3-month Euribor
daily. The calls fall into 26 such monthly periods; every client's row draws one period (with
the file's weights), a working day in it, and reads all its context from that day, so the
indicators agree with each other (euribor3m, emp.var.rate and nr.employed correlate above 0.9)
and with the month, yet the Euribor varies within a month.
"""

import numpy as np
import polars as pl

from seedpacks.packs import gen
from seedpacks.packs.depend import depends

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
PERIOD_STREAM = "call_period"

# (year, month, emp.var.rate, cons.price.idx, cons.conf.idx, nr.employed, euribor3m on the
# first and the last day of the month, calls): the 26 periods of bank-additional-full.csv,
# with its row counts (41,188 in all). The Euribor moves in a straight line through a month.
PERIODS = (
    (2008, "may", 1.1, 93.994, -36.4, 5191.0, 4.855, 4.866, 7763),
    (2008, "jun", 1.4, 94.465, -41.8, 5228.1, 4.866, 4.961, 4374),
    (2008, "jul", 1.4, 93.918, -42.7, 5228.1, 4.955, 4.968, 6685),
    (2008, "aug", 1.4, 93.444, -36.1, 5228.1, 4.958, 4.968, 5175),
    (2008, "oct", -0.1, 93.798, -40.4, 5195.8, 5.045, 4.936, 67),
    (2008, "nov", -0.1, 93.200, -42.0, 5195.8, 4.191, 3.879, 3616),
    (2008, "dec", -0.2, 92.756, -45.9, 5176.3, 3.669, 3.053, 10),
    (2009, "mar", -1.8, 92.843, -50.0, 5099.1, 1.811, 1.531, 282),
    (2009, "apr", -1.8, 93.075, -47.1, 5099.1, 1.483, 1.405, 2458),
    (2009, "may", -1.8, 92.893, -46.2, 5099.1, 1.384, 1.250, 5794),
    (2009, "jun", -2.9, 92.963, -40.8, 5076.2, 1.262, 1.099, 715),
    (2009, "jul", -2.9, 92.469, -33.6, 5076.2, 1.072, 0.899, 178),
    (2009, "aug", -2.9, 92.201, -31.4, 5076.2, 0.884, 0.861, 770),
    (2009, "sep", -3.4, 92.379, -29.8, 5017.5, 0.810, 0.754, 267),
    (2009, "oct", -3.4, 92.431, -26.9, 5017.5, 0.754, 0.720, 447),
    (2009, "nov", -3.4, 92.649, -30.1, 5017.5, 0.722, 0.716, 357),
    (2009, "dec", -3.0, 92.713, -33.0, 5023.5, 0.720, 0.700, 172),
    (2010, "mar", -1.8, 93.369, -34.8, 5008.7, 0.655, 0.635, 264),
    (2010, "apr", -1.8, 93.749, -34.6, 5008.7, 0.640, 0.659, 174),
    (2010, "may", -1.8, 93.876, -40.0, 5008.7, 0.668, 0.700, 212),
    (2010, "jun", -1.7, 94.055, -39.8, 4991.6, 0.715, 0.767, 229),
    (2010, "jul", -1.7, 94.215, -40.3, 4991.6, 0.790, 0.899, 311),
    (2010, "aug", -1.7, 94.027, -38.3, 4991.6, 0.889, 0.900, 233),
    (2010, "sep", -1.1, 94.199, -37.5, 4963.6, 0.880, 0.884, 303),
    (2010, "oct", -1.1, 94.601, -49.5, 4963.6, 0.951, 1.000, 204),
    (2010, "nov", -1.1, 94.767, -50.8, 4963.6, 1.030, 1.050, 128),
)
_YEAR = np.array([p[0] for p in PERIODS])
_MONTH = np.array([MONTHS.index(p[1]) for p in PERIODS])
_CUMULATIVE = np.cumsum([p[8] for p in PERIODS], dtype=np.float64)
_CUMULATIVE /= _CUMULATIVE[-1]
_CUMULATIVE[-1] = 1.0


def period(b: gen.Block) -> np.ndarray:
    """Index into PERIODS of each row's call (one named draw, shared by every column of it)."""
    return np.searchsorted(_CUMULATIVE, b.uniform_named(PERIOD_STREAM), side="right")


def by_period(b: gen.Block, values: dict[tuple[int, str], float], default: float) -> np.ndarray:
    """Return per row the value listed for its call's (year, month), else `default`."""
    table = np.array([values.get((p[0], p[1]), default) for p in PERIODS], dtype=np.float64)
    return table[period(b)]


def _working_days(first: np.datetime64) -> np.ndarray:
    days = np.arange(first, (first.astype("datetime64[M]") + 1).astype("datetime64[D]"))
    return days[(days.astype(np.int64) + 3) % 7 < 5]  # 1970-01-01 was a Thursday


_DAYS = [_working_days(np.datetime64(f"{p[0]}-{MONTHS.index(p[1]) + 1:02d}-01")) for p in PERIODS]


def call_date(b: gen.Block) -> np.ndarray:
    """A working day of the row's call period, uniformly (the bank calls Monday to Friday)."""
    which = period(b)
    u = b.uniform_named("call_day")
    out = np.empty(len(b), dtype="datetime64[D]")
    for k, days in enumerate(_DAYS):
        rows = np.flatnonzero(which == k)
        out[rows] = days[np.floor(u[rows] * len(days)).astype(np.int64)]
    return out


def _progress(b: gen.Block) -> tuple[np.ndarray, np.ndarray]:
    """Return each row's period and how far into the period's working days its call is (0-1)."""
    which, when = period(b), call_date(b)
    first = np.array([d[0] for d in _DAYS])[which]
    span = np.array([max(len(d) - 1, 1) for d in _DAYS])[which]
    return which, np.busday_count(first, when) / span


_RULE = "a function of the call's period and day (one draw shared by the calendar columns)"


@depends((), _RULE, shares=(PERIOD_STREAM,))
def month(b: gen.Block) -> pl.Series:
    return pl.Series(MONTHS).gather(_MONTH[period(b)])


@depends((), _RULE, shares=(PERIOD_STREAM,))
def day(b: gen.Block) -> np.ndarray:
    when = call_date(b)
    return (when - when.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1


@depends((), _RULE, shares=(PERIOD_STREAM,))
def day_of_week(b: gen.Block) -> pl.Series:
    weekday = (call_date(b).astype(np.int64) + 3) % 7
    return pl.Series(["mon", "tue", "wed", "thu", "fri"]).gather(weekday)


def indicator(position: int) -> gen.Generator:
    """The economic indicator at `position` of PERIODS: constant through the call's period."""
    values = np.array([p[position] for p in PERIODS], dtype=np.float64)

    def generate(b: gen.Block) -> np.ndarray:
        return values[period(b)]

    rule = "the value of the call's period (quarterly or monthly, as in the file)"
    return depends((), rule, shares=(PERIOD_STREAM,))(generate)


_EURIBOR_RULE = "the 3-month Euribor on the call's day: from its value on the period's first day "
_EURIBOR_RULE += "to its value on the last, in a straight line"


@depends((), _EURIBOR_RULE, shares=(PERIOD_STREAM,))
def euribor3m(b: gen.Block) -> np.ndarray:
    which, progress = _progress(b)
    start = np.array([p[6] for p in PERIODS])[which]
    end = np.array([p[7] for p in PERIODS])[which]
    return np.round(start + (end - start) * progress, 3)


def call_year(b: gen.Block) -> np.ndarray:
    """Return the year of each row's call."""
    return _YEAR[period(b)]
