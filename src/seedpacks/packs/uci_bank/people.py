"""UCI Bank Marketing: who the clients are (age, job, marital status, education, default).

Each job has its own age distribution (students about 26 years old, the retired about 62, the
others 38-46, as in bank-additional-full.csv); the age column draws the file's counts per
year of age and the job column P(job | age) by Bayes' rule from those distributions, so both
the age marginal and each job's share and mean age come out as in the file. Marital status
follows age (singles 33.7 on average, the married older), education follows the job
(management and admin. mostly university degrees, blue-collar basic schooling) and, within a
job, age (basic.4y clients 48 years old on average), and an unknown default status follows
education.
"""

import numpy as np
import polars as pl
from scipy import special

from seedpacks.packs import gen
from seedpacks.packs.depend import depends

# Clients by age in bank-additional-full.csv (17-98; mean 40.0, sd 10.4, quartiles 32/38/47).
AGE_COUNTS = {
    17: 5, 18: 28, 19: 42, 20: 65, 21: 102, 22: 137, 23: 226, 24: 463, 25: 598, 26: 698,
    27: 851, 28: 1001, 29: 1453, 30: 1714, 31: 1947, 32: 1846, 33: 1833, 34: 1745, 35: 1759,
    36: 1780, 37: 1475, 38: 1407, 39: 1432, 40: 1161, 41: 1278, 42: 1142, 43: 1055, 44: 1011,
    45: 1103, 46: 1030, 47: 928, 48: 979, 49: 839, 50: 875, 51: 754, 52: 754, 53: 733,
    54: 684, 55: 648, 56: 704, 57: 646, 58: 576, 59: 463, 60: 283, 61: 73, 62: 62, 63: 55,
    64: 57, 65: 44, 66: 57, 67: 26, 68: 33, 69: 34, 70: 47, 71: 53, 72: 34, 73: 34, 74: 32,
    75: 24, 76: 34, 77: 20, 78: 27, 79: 14, 80: 31, 81: 20, 82: 17, 83: 17, 84: 7, 85: 15,
    86: 8, 87: 1, 88: 22, 89: 2, 90: 0, 91: 2, 92: 4, 93: 0, 94: 1, 95: 1, 96: 0, 97: 0, 98: 2,
}  # fmt: skip
AGES = np.array(list(AGE_COUNTS))
# Job: (weight, mean age, sd of age) of P(age | job), a lognormal above 16. Fitted so that, on
# the file's age counts, each job's share and mean age come out as in bank-additional-full.csv:
# admin. 25.3 % (mean age 38.2), blue-collar 22.5 % (39.6), technician 16.4 % (38.5), services
# 9.6 % (38.0), management 7.1 % (42.4), retired 4.2 % (62.0), entrepreneur 3.5 % (41.7),
# self-employed 3.5 % (40.0), housemaid 2.6 % (45.5), unemployed 2.5 % (40.0), student 2.1 %
# (26.5, bank-full's figure), unknown (NULL) 0.8 % (45.6).
JOBS: dict[str | None, tuple[float, float, float]] = {
    "admin.": (24.18, 39.78, 9.3),
    "blue-collar": (22.27, 40.78, 9.3),
    "technician": (15.91, 39.77, 8.9),
    "services": (9.16, 39.64, 9.3),
    "management": (7.37, 43.0, 9.3),
    "retired": (9.54, 68.57, 9.7),
    "entrepreneur": (3.65, 42.28, 9.0),
    "self-employed": (3.42, 41.46, 10.0),
    "housemaid": (2.75, 47.15, 11.7),
    "unemployed": (2.45, 41.29, 9.7),
    "student": (1.02, 30.01, 5.0),
    None: (0.86, 47.45, 12.0),
}


def _age_given_job() -> np.ndarray:
    """Return jobs x ages: P(age | job), a lognormal above 16.0 with the job's mean and sd."""
    rows = []
    for _, mean, sd in JOBS.values():
        s2 = np.log(1 + (sd / (mean - 16.0)) ** 2)
        mu = np.log(mean - 16.0) - s2 / 2
        edges = np.log(np.append(AGES - 0.5, AGES[-1] + 0.5) - 16.0)
        mass = np.diff(special.ndtr((edges - mu) / np.sqrt(s2)))
        rows.append(mass / mass.sum())
    return np.array(rows)


_AGE_CUMULATIVE = np.cumsum(list(AGE_COUNTS.values())) / sum(AGE_COUNTS.values())
_AGE_CUMULATIVE[-1] = 1.0
# P(job | age) by Bayes' rule: each job's share times its P(age | job), normalised per age.
_JOINT = np.array([share for share, _, _ in JOBS.values()])[:, None] * _age_given_job()
_JOB_CUMULATIVE = np.cumsum(_JOINT / _JOINT.sum(axis=0), axis=0).T  # ages x jobs
_JOB_CUMULATIVE[:, -1] = 1.0


def age(b: gen.Block) -> np.ndarray:
    """Ages 17-98 with the file's counts per year of age."""
    return AGES[np.searchsorted(_AGE_CUMULATIVE, b.uniform(), side="right")]


_JOB_RULE = "P(job | age) by Bayes' rule from each job's weight and lognormal age (mean, sd): "
_JOB_RULE += ", ".join(f"{j or 'unknown'} {w:g} ({m:g}, {s:g})" for j, (w, m, s) in JOBS.items())


@depends("age", _JOB_RULE)
def job(b: gen.Block) -> pl.Series:
    cumulative = _JOB_CUMULATIVE[b["age"].to_numpy() - AGES[0]]
    pick = (cumulative <= b.uniform()[:, None]).sum(axis=1)
    return pl.Series(list(JOBS), dtype=pl.String).gather(np.minimum(pick, len(JOBS) - 1))


def _marital_weights(ages: np.ndarray) -> np.ndarray:
    """Return rows x (single, married, divorced, unknown) weights by age."""
    single = 0.668 / (1 + np.exp((ages - 33.89) / 4.783)) + 0.054
    divorced = 0.193 / (1 + np.exp(-(ages - 36.68) / 6.101))
    unknown = np.full(len(ages), 0.002)
    return np.column_stack([single, 1 - single - divorced - unknown, divorced, unknown])


_MARITAL_RULE = "by age: singles young (mean 33.7), the married older (42), the divorced "
_MARITAL_RULE += "(widowed counted in) oldest (45); 0.2 % unknown"


@depends("age", _MARITAL_RULE)
def marital(b: gen.Block) -> pl.Series:
    cumulative = np.cumsum(_marital_weights(b["age"].to_numpy().astype(np.float64)), axis=1)
    pick = (cumulative <= b.uniform()[:, None]).sum(axis=1)
    return pl.Series(["single", "married", "divorced", None], dtype=pl.String).gather(
        np.minimum(pick, 3)
    )


EDUCATION = (
    "university.degree",
    "high.school",
    "basic.9y",
    "professional.course",
    "basic.4y",
    "basic.6y",
    None,
    "illiterate",
)
# Per job, percent of each education level of EDUCATION (bank-additional-full.csv's crosstab).
EDUCATION_BY_JOB = {
    "admin.": (55.6, 31.4, 4.2, 3.5, 0.7, 1.4, 3.2, 0.01),
    "blue-collar": (1.0, 9.4, 39.3, 4.9, 24.8, 15.8, 4.8, 0.08),
    "technician": (25.7, 13.2, 5.6, 48.2, 0.9, 1.3, 5.1, 0.01),
    "services": (4.3, 61.7, 9.9, 5.5, 3.5, 5.6, 9.5, 0.01),
    "management": (70.3, 10.8, 5.7, 3.1, 3.5, 2.9, 3.7, 0.01),
    "retired": (16.8, 16.1, 8.5, 14.0, 34.6, 4.3, 5.3, 0.2),
    "entrepreneur": (41.4, 16.0, 14.5, 9.4, 9.3, 4.9, 3.9, 0.1),
    "self-employed": (53.5, 8.3, 15.5, 11.8, 6.2, 1.8, 2.1, 0.2),
    "housemaid": (13.2, 16.4, 8.6, 5.7, 44.9, 7.3, 4.0, 0.1),
    "unemployed": (26.2, 25.6, 18.5, 14.1, 11.0, 3.4, 1.9, 0.01),
    "student": (19.0, 40.9, 11.8, 4.9, 3.0, 1.5, 19.0, 0.01),
    None: (13.6, 11.2, 9.4, 3.6, 15.8, 6.7, 39.4, 0.01),
}
# Within a job, older clients had less schooling: per 10 years of age above 40 the odds of each
# level are multiplied by exp(tilt) (basic.4y averages 47.6 years in the file, university 38.9),
# normalised per job so that each job's mix above stays the file's.
_AGE_TILT = {"basic.4y": 0.7, None: 0.3, "illiterate": 0.5, "university.degree": -0.1}
_TILT = np.array([_AGE_TILT.get(level, -0.05) for level in EDUCATION])
_AGE_SHARE = np.diff(_AGE_CUMULATIVE, prepend=0.0)
_AGE_GIVEN_JOB = _AGE_SHARE[:, None] * np.diff(_JOB_CUMULATIVE, axis=1, prepend=0.0)  # ages x jobs
_AGE_GIVEN_JOB /= _AGE_GIVEN_JOB.sum(axis=0)
_LIFT = np.exp(np.outer((AGES - 40) / 10, _TILT))  # ages x levels


def _education_weights() -> np.ndarray:
    """Return jobs x levels constants c such that P(level | job, age) ~ c * lift(age, level)
    keeps P(level | job) the file's: a few rounds of proportional fitting over the ages."""
    target = np.array([EDUCATION_BY_JOB[j] for j in JOBS], dtype=np.float64)
    target /= target.sum(axis=1, keepdims=True)
    c = target.copy()
    for _ in range(100):
        rows = c[:, None, :] * _LIFT[None, :, :]  # jobs x ages x levels
        rows /= rows.sum(axis=2, keepdims=True)
        achieved = np.einsum("aj,jal->jl", _AGE_GIVEN_JOB, rows)
        c *= target / achieved
    return c


_EDUCATION_WEIGHTS = _education_weights()


@depends(
    ("job", "age"),
    "weights of each level by job ("
    + "; ".join(
        f"{j or 'unknown'}: "
        + ", ".join(f"{e or 'unknown'} {w:g}" for e, w in zip(EDUCATION, ws, strict=True))
        for j, ws in EDUCATION_BY_JOB.items()
    )
    + "), tilted by age: per 10 years above 40 the odds times exp("
    + ", ".join(f"{e or 'unknown'} {t:g}" for e, t in zip(EDUCATION, _TILT, strict=True))
    + ")",
)
def education(b: gen.Block) -> pl.Series:
    jobs = b["job"].replace_strict(
        {j: k for k, j in enumerate(JOBS) if j is not None}, default=len(JOBS) - 1
    )
    weights = _EDUCATION_WEIGHTS[jobs.fill_null(len(JOBS) - 1).to_numpy()]
    weights = weights * _LIFT[b["age"].to_numpy() - AGES[0]]
    cumulative = np.cumsum(weights, axis=1) / weights.sum(axis=1, keepdims=True)
    pick = (cumulative <= b.uniform()[:, None]).sum(axis=1)
    return pl.Series(list(EDUCATION), dtype=pl.String).gather(np.minimum(pick, len(EDUCATION) - 1))


# Percent with an unknown default status (NULL) by education, the rest 'no' but for 3 calls
# in 41,188 answering 'yes': basic schooling hides it most (bank-additional-full.csv).
_DEFAULT_UNKNOWN = {
    "university.degree": 10.8,
    "high.school": 16.0,
    "basic.9y": 31.0,
    "professional.course": 17.5,
    "basic.4y": 40.0,
    "basic.6y": 32.0,
    None: 28.0,
    "illiterate": 44.0,
}
default_credit = gen.choice_by(
    "education",
    {e: (("no", None, "yes"), (100 - u - 0.007, u, 0.007)) for e, u in _DEFAULT_UNKNOWN.items()},
)
