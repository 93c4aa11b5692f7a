"""The pack's data tables: members (profile file), the portfolio, the event transcript."""

from datetime import date

from seedpacks.packs import gen
from seedpacks.packs.depend import By, Steps
from seedpacks.packs.model import (
    Column,
    Copula,
    CsvColumn,
    CsvMapping,
    Journey,
    Reference,
    Table,
)
from seedpacks.packs.starbucks import journeys
from seedpacks.packs.starbucks.portfolio import PORTFOLIO
from seedpacks.packs.starbucks.truth import CUSTOMERS, EVENTS

_UNKNOWN = 0.128  # share of profiles with unknown age, gender and income (age 118 in the file)


def _profile(inner: gen.Generator) -> gen.Generator:
    # One draw per customer, shared by gender, age and income: they are unknown together.
    return gen.missing_together(inner, "profile_unknown", _UNKNOWN)


# In the public profile file women are older (57.6 against 52.1) and earn more (71,300 against
# 61,200); income rises with age (Pearson 0.31), and its ceiling is set by age: nobody aged 35
# or less earns over 75,000, nobody aged 36-45 over 100,000.
_AGE = gen.truncnormal(
    mean=By("gender", {"F": 57.2, "M": 50.6}, default=53.4),
    sd=By("gender", {"F": 18.6, "M": 20.0}, default=19.3),
    low=18,
    high=101,
)
_INCOME = gen.truncnormal(
    mean=By("gender", {"F": 71_800, "M": 56_600}, default=61_000),
    sd=27_000,
    low=30_000,
    high=Steps("age", ((35, 75_000), (45, 100_000)), 120_000),
    decimals=-3,
)
_PROFILE_COPULA = Copula(
    "age_income",
    ("age", "income"),
    ((1.0, 0.14), (0.14, 1.0)),
    "income rises with age (Pearson 0.31 in the public profile file, bounds included)",
)
# Sign-ups by half year: they bunch from August 2015 and from August 2017 (public file).
_SIGNUPS = (
    (date(2013, 7, 29), date(2013, 12, 31), 286),
    (date(2014, 1, 1), date(2014, 12, 31), 691),
    (date(2015, 1, 1), date(2015, 7, 31), 340),
    (date(2015, 8, 1), date(2015, 12, 31), 1490),
    (date(2016, 1, 1), date(2016, 12, 31), 3526),
    (date(2017, 1, 1), date(2017, 7, 31), 2620),
    (date(2017, 8, 1), date(2017, 12, 31), 3849),
    (date(2018, 1, 1), date(2018, 7, 26), 4198),
)


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
                _profile(gen.choice(["M", "F", "O"], [57.2, 41.3, 1.5])),
                description="M, F or O; NULL when unknown",
                csv=CsvColumn(sentinels=("",)),
            ),
            Column(
                "age",
                "integer",
                _profile(_AGE),
                description="years; NULL when unknown",
                csv=CsvColumn(sentinels=("118", "")),
            ),
            Column(
                "income",
                "decimal",
                _profile(_INCOME),
                description="yearly income in USD; NULL when unknown",
                csv=CsvColumn(sentinels=("",)),
            ),
            Column(
                "became_member_on",
                "date",
                gen.periods(_SIGNUPS),
                nullable=False,
                description="membership start",
                csv=CsvColumn(parse={"date_formats": ["%Y%m%d", "%Y-%m-%d"]}, required=True),
            ),
        ),
        copulas=(_PROFILE_COPULA,),
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
        name=EVENTS,
        description="The event transcript: offers received, viewed, completed, and transactions",
        rows=journeys.EVENTS_PER_UNIT,
        journey=Journey(
            customers=CUSTOMERS,
            build=journeys.build,
            impressions=journeys.impressions,
            description=(journeys.__doc__ or "").strip(),
            rules=journeys.RULES,
        ),
        primary_key=("id",),
        references=(Reference("person", CUSTOMERS, "id"),),
        csv=CsvMapping(
            description="The public transcript file: person,event,value,time; value is a JSON "
            "(or Python-style) object holding 'offer id', 'offer_id', 'reward' or 'amount'; "
            "time in hours. Rows are numbered 1, 2, ... as ids when the file has no id column.",
            generated=("id",),
        ),
        columns=(
            Column("id", "bigint", gen.from_journey(), nullable=False),
            Column("person", "text", gen.from_journey(), nullable=False),
            Column(
                "event",
                "text",
                gen.from_journey(),
                nullable=False,
            ),
            Column(
                "offer_id",
                "text",
                gen.from_journey(),
                description="the offer received, viewed or completed",
                csv=CsvColumn(derive={"column": "value", "json_keys": ("offer id", "offer_id")}),
            ),
            Column(
                "amount",
                "decimal",
                gen.from_journey(),
                description="transaction USD",
                csv=CsvColumn(derive={"column": "value", "json_keys": ("amount",)}),
            ),
            Column(
                "reward",
                "decimal",
                gen.from_journey(),
                description="reward of a completed offer",
                csv=CsvColumn(derive={"column": "value", "json_keys": ("reward",)}),
            ),
            Column(
                "time",
                "integer",
                gen.from_journey(),
                nullable=False,
                description="hours since the start of the test",
            ),
        ),
    ),
)
