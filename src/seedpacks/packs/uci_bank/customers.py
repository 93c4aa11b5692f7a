"""UCI Bank Marketing: the clients of the term-deposit campaign, as in the public files.

`bank_customers` holds the union of the two public files' columns (bank-full.csv and
bank-additional-full.csv), so either file uploads into it. Generated rows follow
bank-additional-full.csv (41,188 calls, May 2008 - November 2010): its conventions (pdays 999
and poutcome 'nonexistent' when never called before, its education levels, no unknown contact
type), its marginals and its joint structure, plus bank-full's day of month and balance:

- people.py: age with the file's counts (quartiles 32/38/47), job by age through each job's age
  distribution (students 26.5 years old, the retired 62), marital status by age (singles 33.7,
  the married 42.3), education by job and age (management 70 % and admin. 56 % university
  degrees, blue-collar 80 % basic schooling; basic.4y clients 48 years old), an unknown default
  status (21 %) by education;
- economy.py: the call's period (26 of them) and working day give the month (May a third of
  the calls), the weekday and the five economic indicators, which move together (euribor3m,
  emp.var.rate and nr.employed correlate above 0.9) while the Euribor varies within a month;
- contacts.py: the fixed line in May-June 2008, housing loans in May (60 % against 50 %),
  fewer attempts in 2009-2010, earlier campaigns only from October 2008; pdays 999 and poutcome
  'nonexistent' exactly when previous = 0 (86 % of clients; pdays 999 for 96 %);
- truth.py: `y` (11.3 %) drawn from the pack's ground truth on the client's contact type:
  0.65 after a previous success, students 0.29, the retired 0.23, May 0.064, cellular 0.147
  against 0.052, r(euribor3m, y) = -0.31, r(duration, y) = 0.41 (mean 553 s against 221 s);
  it rises with earlier calls and falls with this campaign's calls.

bench/uci_bank_figures.py prints each figure against the file's.
"""

import numpy as np

from seedpacks.packs import gen
from seedpacks.packs.model import Column, CsvColumn, CsvMapping, Table
from seedpacks.packs.uci_bank import contacts, economy, people
from seedpacks.packs.uci_bank.truth import CUSTOMERS, subscribed

__all__ = ["CUSTOMERS", "CUSTOMER_TABLE", "UNKNOWN"]

UNKNOWN = CsvColumn(sentinels=("unknown", ""))


def _balance(b: gen.Block) -> np.ndarray:
    # Median about 450, mean about 1,360, 8 % overdrawn and 8 % exactly zero, like bank-full.
    u, z = b.uniform(0), b.normal(1)
    positive = np.exp(np.log(629) + 1.4 * z)
    negative = -np.exp(np.log(250) + 1.1 * z)
    value = np.where(u < 0.083, negative, np.where(u < 0.161, 0.0, positive))
    return np.clip(np.rint(value), -8019, 102127).astype(np.int64)


def _dotted(name: str) -> CsvColumn:
    return CsvColumn(aliases=(name,))


CUSTOMER_TABLE = Table(
    name=CUSTOMERS,
    description="Clients of the term-deposit campaign: one row per client, as in the UCI files",
    rows=1000,
    primary_key=("id",),
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
        Column("age", "integer", people.age, nullable=False, csv=CsvColumn(required=True)),
        Column(
            "job",
            "text",
            people.job,
            description="admin., blue-collar, management, ...; NULL when unknown",
            csv=UNKNOWN,
        ),
        Column(
            "marital",
            "text",
            people.marital,
            description="married, single or divorced (widowed counts as divorced)",
            csv=UNKNOWN,
        ),
        Column(
            "education",
            "text",
            people.education,
            description="basic.4y ... university.degree (bank-additional) or "
            "primary/secondary/tertiary (bank-full); NULL when unknown",
            csv=UNKNOWN,
        ),
        Column(
            "default_credit",
            "text",
            people.default_credit,
            description="has credit in default: yes/no, NULL when unknown (the files' 'default')",
            csv=CsvColumn(aliases=("default",), sentinels=("unknown", "")),
        ),
        Column("balance", "integer", _balance, description="average yearly balance, EUR"),
        Column(
            "housing",
            "text",
            contacts.housing,
            description="has a housing loan: yes/no",
            csv=UNKNOWN,
        ),
        Column(
            "loan",
            "text",
            contacts.loan,
            description="has a personal loan: yes/no",
            csv=UNKNOWN,
        ),
        Column(
            "contact",
            "text",
            contacts.contact,
            description="cellular or telephone; NULL when unknown",
            csv=UNKNOWN,
        ),
        Column(
            "month",
            "text",
            economy.month,
            nullable=False,
            description="last contact month: jan ... dec",
            csv=CsvColumn(required=True),
        ),
        Column(
            "day", "integer", economy.day, description="last contact day of month (bank-full only)"
        ),
        Column(
            "day_of_week",
            "text",
            economy.day_of_week,
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
            contacts.campaign,
            nullable=False,
            description="contacts during this campaign, including the last",
        ),
        Column(
            "previous",
            "integer",
            contacts.previous,
            nullable=False,
            description="contacts before this campaign",
        ),
        Column(
            "pdays",
            "integer",
            contacts.pdays,
            nullable=False,
            description="days since a previous campaign's contact: 999 (bank-additional) or -1 "
            "(bank-full) when there was none or it is not known",
        ),
        Column(
            "poutcome",
            "text",
            contacts.poutcome,
            nullable=False,
            description="previous campaign's outcome: failure, success; 'nonexistent' "
            "(bank-additional) or 'unknown' (bank-full) when there was none; 'other' (bank-full)",
        ),
        Column(
            "emp_var_rate",
            "decimal",
            economy.indicator(2),
            decimals=1,
            csv=_dotted("emp.var.rate"),
        ),
        Column(
            "cons_price_idx",
            "decimal",
            economy.indicator(3),
            decimals=3,
            csv=_dotted("cons.price.idx"),
        ),
        Column(
            "cons_conf_idx",
            "decimal",
            economy.indicator(4),
            decimals=1,
            csv=_dotted("cons.conf.idx"),
        ),
        Column(
            "euribor3m", "decimal", economy.euribor3m, decimals=3, description="3-month Euribor"
        ),
        Column(
            "nr_employed",
            "decimal",
            economy.indicator(5),
            decimals=1,
            csv=_dotted("nr.employed"),
        ),
        Column(
            "y",
            "text",
            subscribed,
            nullable=False,
            description="subscribed a term deposit: yes/no",
            csv=CsvColumn(required=True),
        ),
    ),
)
