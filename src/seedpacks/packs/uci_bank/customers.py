"""UCI Bank Marketing: the clients of the term-deposit campaign, as in the public files.

`bank_customers` holds the union of the two public files' columns (bank-full.csv and
bank-additional-full.csv), so either file uploads into it; generated rows follow bank-full's
conventions (pdays -1 and poutcome 'unknown' when never contacted before) plus the economic
context columns of bank-additional. Marginals follow the public bank-full.csv (45,211 rows).
"""

import numpy as np
import polars as pl

from seedpacks.packs import gen
from seedpacks.packs.model import Column, CsvColumn, CsvMapping, Table

CUSTOMERS = "bank_customers"
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
UNKNOWN = CsvColumn(sentinels=("unknown", ""))

# (year, month, emp.var.rate, cons.price.idx, cons.conf.idx, euribor3m, nr.employed, weight):
# the economic context of the campaign's months, as in bank-additional-full.csv.
REGIMES = (
    (2008, "may", 1.1, 93.994, -36.4, 4.857, 5191.0, 8),
    (2009, "may", -1.8, 92.893, -46.2, 1.313, 5099.1, 3),
    (2010, "may", -1.8, 93.876, -40.0, 0.697, 5008.7, 1),
    (2008, "jun", 1.4, 94.465, -41.8, 4.961, 5228.1, 5),
    (2009, "jun", -2.9, 92.963, -40.8, 1.262, 5076.2, 1),
    (2008, "jul", 1.4, 93.918, -42.7, 4.962, 5228.1, 5),
    (2009, "jul", -2.9, 92.469, -33.6, 1.072, 5076.2, 1),
    (2008, "aug", 1.4, 93.444, -36.1, 4.964, 5228.1, 4),
    (2009, "aug", -2.9, 92.201, -31.4, 0.869, 5076.2, 1),
    (2008, "oct", -0.1, 93.798, -40.4, 4.860, 5195.8, 1),
    (2010, "oct", -1.1, 94.601, -49.5, 1.000, 4963.6, 1),
    (2008, "nov", -0.1, 93.200, -42.0, 4.076, 5195.8, 3),
    (2009, "nov", -3.4, 92.649, -30.1, 0.716, 5017.5, 1),
    (2009, "dec", -3.0, 92.713, -33.0, 0.720, 5023.5, 1),
    (2009, "jan", -1.8, 92.756, -45.9, 1.300, 5099.1, 1),
    (2009, "feb", -1.8, 92.756, -45.9, 1.266, 5099.1, 1),
    (2009, "mar", -1.8, 92.843, -50.0, 1.811, 5099.1, 1),
    (2010, "mar", -1.8, 93.369, -34.8, 0.655, 5008.7, 1),
    (2009, "apr", -1.8, 93.075, -47.1, 1.405, 5099.1, 3),
    (2010, "apr", -1.8, 93.749, -34.6, 0.659, 5008.7, 1),
    (2010, "sep", -1.1, 94.199, -37.5, 0.880, 4963.6, 1),
)


def _age_band(b: gen.Block) -> np.ndarray:
    age = b["age"].to_numpy()
    return np.where(age < 26, "young", np.where(age >= 55, "senior", "prime"))


def _age(b: gen.Block) -> np.ndarray:
    # Right-skewed like the file: quartiles 33 / 39 / 48, range 18-95.
    return np.clip(np.rint(18 + 21 * np.exp(0.45 * b.normal())), 18, 95).astype(np.int64)


_JOBS = (
    "blue-collar",
    "management",
    "technician",
    "admin.",
    "services",
    "retired",
    "self-employed",
    "entrepreneur",
    "unemployed",
    "housemaid",
    "student",
    None,
)
_JOB_BY_AGE = {
    "young": (_JOBS, (12, 4, 8, 10, 12, 0, 1, 0, 4, 1, 50, 0.5)),
    "prime": (_JOBS, (22.8, 22.0, 18.0, 11.9, 9.6, 0.95, 3.6, 3.4, 3.0, 2.4, 1.5, 0.7)),
    "senior": (_JOBS, (12, 14, 8, 7, 5, 40, 3, 3, 2, 6, 0, 0.5)),
}
_MARITAL_BY_AGE = {
    "young": (("single", "married", "divorced"), (85, 13, 2)),
    "prime": (("married", "single", "divorced"), (60, 29, 11)),
    "senior": (("married", "divorced", "single"), (73, 19, 8)),
}
_EDUCATION = ("primary", "secondary", "tertiary", None)
_EDUCATION_BY_JOB = {
    "management": (_EDUCATION, (2, 13, 82, 3)),
    "blue-collar": (_EDUCATION, (39, 55, 1, 5)),
    "technician": (_EDUCATION, (2, 68, 27, 3)),
    "admin.": (_EDUCATION, (4, 82, 11, 3)),
    "services": (_EDUCATION, (8, 83, 5, 4)),
    "retired": (_EDUCATION, (35, 44, 16, 5)),
    "self-employed": (_EDUCATION, (8, 37, 53, 2)),
    "entrepreneur": (_EDUCATION, (12, 36, 46, 6)),
    "unemployed": (_EDUCATION, (20, 55, 22, 3)),
    "housemaid": (_EDUCATION, (51, 32, 14, 3)),
    "student": (_EDUCATION, (4, 54, 24, 18)),
    None: (_EDUCATION, (18, 25, 13, 44)),
}
# Calls with an unknown contact type all happened in May-July 2008 in the public file.
_MONTH_BY_CONTACT = {
    None: (("may", "jun", "jul"), (60, 35, 5)),
}
_MONTH_KNOWN = (MONTHS, (4.4, 8.2, 1.5, 9.1, 18.5, 2.4, 19.4, 19.4, 1.8, 2.3, 12.3, 0.7))
_CAMPAIGN = (
    tuple(range(1, 21)) + (22, 25, 28, 32, 38, 44, 50, 63),
    (17544, 12505, 5521, 3522, 1764, 1291, 735, 540, 327, 266, 201, 155, 133, 93, 84, 79, 69,
     51, 44, 43, 80, 60, 40, 30, 12, 6, 3, 1),
)  # fmt: skip
_PREVIOUS = (
    tuple(range(0, 16)) + (20, 25, 30, 40, 55, 275),
    (36954, 2772, 2106, 1142, 714, 459, 277, 205, 129, 92, 67, 65, 44, 38, 19, 20, 60, 25,
     12, 8, 2, 1),
)  # fmt: skip


def _regime(b: gen.Block) -> np.ndarray:
    """Index into REGIMES of each row's call month (one draw shared by the context columns)."""
    months = b["month"].to_numpy()
    u = b.uniform_named("econ_regime")
    picked = np.zeros(len(b), dtype=np.int64)
    for month in MONTHS:
        rows = np.flatnonzero(months == month)
        options = [i for i, r in enumerate(REGIMES) if r[1] == month]
        w = np.cumsum([REGIMES[i][7] for i in options], dtype=np.float64)
        chosen = np.searchsorted(w / w[-1], u[rows], side="right")
        picked[rows] = np.array(options)[np.minimum(chosen, len(options) - 1)]
    return picked


def _call_date(b: gen.Block) -> np.ndarray:
    """A working day in the row's call month and year (the bank calls Monday to Friday)."""
    regime = _regime(b)
    years = np.array([r[0] for r in REGIMES])[regime]
    months = np.array([MONTHS.index(r[1]) for r in REGIMES])[regime]
    first = (years - 1970).astype("datetime64[Y]").astype("datetime64[M]") + months
    days = ((first + 1).astype("datetime64[D]") - first.astype("datetime64[D]")).astype(np.int64)
    start = first.astype("datetime64[D]")
    # Redraw weekend days a few times (calls are Monday to Friday), then move what is left.
    day = start + np.floor(b.uniform_named("call_day") * days).astype(np.int64)
    for attempt in range(1, 4):
        redraw = start + np.floor(b.uniform_named(f"call_day{attempt}") * days).astype(np.int64)
        day = np.where((day.astype(np.int64) + 3) % 7 >= 5, redraw, day)
    weekday = (day.astype(np.int64) + 3) % 7  # 0 = Monday
    back, forward = day + np.where(weekday == 5, -1, -2), day + np.where(weekday == 5, 2, 1)
    moved = np.where(back >= start, back, forward)
    return np.where(weekday >= 5, moved, day)


def _day(b: gen.Block) -> np.ndarray:
    when = _call_date(b)
    return (when - when.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1


def _day_of_week(b: gen.Block) -> pl.Series:
    weekday = (_call_date(b).astype(np.int64) + 3) % 7
    return pl.Series(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]).gather(weekday)


def _context(position: int) -> gen.Generator:
    values = np.array([r[position] for r in REGIMES], dtype=np.float64)
    return lambda b: values[_regime(b)]


def _balance(b: gen.Block) -> np.ndarray:
    # Median about 450, mean about 1,360, 8 % overdrawn and 8 % exactly zero, like the file.
    u, z = b.uniform(0), b.normal(1)
    positive = np.exp(np.log(629) + 1.4 * z)
    negative = -np.exp(np.log(250) + 1.1 * z)
    value = np.where(u < 0.083, negative, np.where(u < 0.161, 0.0, positive))
    return np.clip(np.rint(value), -8019, 102127).astype(np.int64)


def _pdays(b: gen.Block) -> np.ndarray:
    # Days since a previous campaign's contact: -1 when there was none; peaks at 3, 6, 12 months.
    u, z = b.uniform(0), b.normal(1)
    days = np.where(
        u < 0.3,
        95 + 15 * z,
        np.where(u < 0.6, 185 + 20 * z, np.where(u < 0.85, 350 + 30 * z, 1 + 870 * b.uniform(2))),
    )
    days = np.clip(np.rint(days), 1, 871).astype(np.int64)
    return np.where(b["previous"].to_numpy() == 0, -1, days)


_MONTH_EFFECT = {
    "mar": 1.6, "sep": 1.3, "oct": 1.3, "dec": 1.3, "apr": 0.3, "feb": 0.2,
    "may": -0.45, "jul": -0.2, "jan": -0.3, "nov": -0.1,
}  # fmt: skip
Y_INTERCEPT = -2.04


def _y(b: gen.Block) -> pl.Series:
    """Subscribed: long calls, a previous success, cellular contact and some months help."""
    logit = (
        Y_INTERCEPT
        + 1.5 * np.log(np.maximum(b["duration"].to_numpy(), 5) / 180)
        + 3.0 * (b["poutcome"] == "success").to_numpy()
        + 0.5 * (b["poutcome"] == "other").to_numpy()
        - 1.1 * b["contact"].is_null().to_numpy()
        - 0.55 * (b["housing"] == "yes").fill_null(False).to_numpy()
        - 0.45 * (b["loan"] == "yes").fill_null(False).to_numpy()
        + 0.6 * (b["age"].to_numpy() >= 60)
        + 0.4 * (b["age"].to_numpy() < 25)
        - 0.1 * np.minimum(b["campaign"].to_numpy() - 1, 10)
        + b["month"].replace_strict(_MONTH_EFFECT, default=0.0, return_dtype=pl.Float64).to_numpy()
    )
    yes = b.uniform() < 1 / (1 + np.exp(-logit))
    return pl.Series(np.where(yes, "yes", "no"))


def _dotted(name: str) -> CsvColumn:
    return CsvColumn(aliases=(name,))


CUSTOMER_TABLE = Table(
    name=CUSTOMERS,
    description="Clients of the term-deposit campaign: one row per client, as in the UCI files",
    rows=1000,
    primary_key=("id",),
    indexes=(("job",), ("y",)),
    csv=CsvMapping(
        description=(
            "bank-full.csv or bank-additional-full.csv as published: ';'-separated, strings "
            "quoted, 'unknown' means missing; columns a file lacks stay NULL; ids are generated"
        ),
        delimiters=(";", ","),
        generated=("id",),
    ),
    columns=(
        Column("id", "bigint", gen.row_number(), nullable=False, description="surrogate key"),
        Column("age", "integer", _age, nullable=False, csv=CsvColumn(required=True)),
        Column(
            "job",
            "text",
            gen.choice_by(_age_band, _JOB_BY_AGE),
            description="admin., blue-collar, management, ...; NULL when unknown",
            csv=UNKNOWN,
        ),
        Column(
            "marital",
            "text",
            gen.choice_by(_age_band, _MARITAL_BY_AGE),
            description="married, single or divorced (widowed counts as divorced)",
            csv=UNKNOWN,
        ),
        Column(
            "education",
            "text",
            gen.choice_by("job", _EDUCATION_BY_JOB),
            description="primary/secondary/tertiary (bank-full) or basic.4y ... university.degree",
            csv=UNKNOWN,
        ),
        Column(
            "default_credit",
            "text",
            gen.choice(["no", "yes"], [98.2, 1.8]),
            description="has credit in default: yes/no (the files' 'default')",
            csv=CsvColumn(aliases=("default",), sentinels=("unknown", "")),
        ),
        Column("balance", "integer", _balance, description="average yearly balance, EUR"),
        Column(
            "housing",
            "text",
            gen.choice_by(
                _age_band,
                {
                    "young": (("yes", "no"), (40, 60)),
                    "prime": (("yes", "no"), (60, 40)),
                    "senior": (("yes", "no"), (25, 75)),
                },
            ),
            description="has a housing loan: yes/no",
            csv=UNKNOWN,
        ),
        Column(
            "loan",
            "text",
            gen.choice(["no", "yes"], [84, 16]),
            description="has a personal loan: yes/no",
            csv=UNKNOWN,
        ),
        Column(
            "contact",
            "text",
            gen.choice(["cellular", None, "telephone"], [64.8, 28.8, 6.4]),
            description="cellular or telephone; NULL when unknown",
            csv=UNKNOWN,
        ),
        Column(
            "month",
            "text",
            gen.choice_by("contact", _MONTH_BY_CONTACT, default=_MONTH_KNOWN),
            nullable=False,
            description="last contact month: jan ... dec",
            csv=CsvColumn(required=True),
        ),
        Column("day", "integer", _day, description="last contact day of month (bank-full only)"),
        Column(
            "day_of_week",
            "text",
            _day_of_week,
            description="last contact weekday: mon ... fri (bank-additional only)",
        ),
        Column(
            "duration",
            "integer",
            gen.lognormal(180, 0.85, low=0, high=4918, decimals=0),
            nullable=False,
            description="last call duration, seconds",
            csv=CsvColumn(required=True),
        ),
        Column(
            "campaign",
            "integer",
            gen.choice(*_CAMPAIGN),
            nullable=False,
            description="contacts during this campaign, including the last",
        ),
        Column(
            "previous",
            "integer",
            gen.choice(*_PREVIOUS),
            nullable=False,
            description="contacts before this campaign",
        ),
        Column(
            "pdays",
            "integer",
            _pdays,
            nullable=False,
            description="days since a previous campaign's contact: -1 (bank-full) or 999 "
            "(bank-additional) when there was none",
        ),
        Column(
            "poutcome",
            "text",
            gen.choice_by(
                lambda b: b["previous"] == 0,
                {
                    True: (("unknown",), (1,)),
                    False: (("failure", "other", "success"), (59.3, 22.3, 18.3)),
                },
            ),
            nullable=False,
            description="previous campaign's outcome: failure, other, success; 'unknown' "
            "(bank-full) or 'nonexistent' (bank-additional) when there was none",
        ),
        Column("emp_var_rate", "decimal", _context(2), decimals=1, csv=_dotted("emp.var.rate")),
        Column("cons_price_idx", "decimal", _context(3), decimals=3, csv=_dotted("cons.price.idx")),
        Column("cons_conf_idx", "decimal", _context(4), decimals=1, csv=_dotted("cons.conf.idx")),
        Column("euribor3m", "decimal", _context(5), decimals=3, description="3-month Euribor"),
        Column("nr_employed", "decimal", _context(6), decimals=1, csv=_dotted("nr.employed")),
        Column(
            "y",
            "text",
            gen.derived(_y),
            nullable=False,
            description="subscribed a term deposit: yes/no",
            csv=CsvColumn(required=True),
        ),
    ),
)
