"""Print the uci-bank pack's figures next to bank-additional-full.csv's (the targets of issue 11).

    python bench/uci_bank_figures.py [--scale 42] [--seed 42]

Scale 42 gives 42,000 clients, about the public file's 41,188 calls. Targets are the public
file's, but for the issue's own figures (students 0.29, retired 0.23, singles 33.7 and students
26.5 years old), which it took from bank-full.csv.
"""

import argparse

import polars as pl

from seedpacks.packs.registry import PACKS
from seedpacks.seeding.generate import Generator


def _rate(df: pl.DataFrame, condition: pl.Expr) -> float:
    return float(df.filter(condition)["y"].eq("yes").mean() or 0.0)


def figures(scale: int, seed: int) -> list[tuple[str, float, float]]:
    g = Generator(PACKS["uci-bank"], seed=seed, scale=scale)
    c = pl.concat(g.chunks("bank_customers")).with_columns(yes=pl.col("y").eq("yes").cast(int))
    out: list[tuple[str, float, float]] = [("clients", 41_188, c.height)]
    out.append(("y rate", 0.113, float(c["yes"].mean() or 0)))
    for outcome, target in (("success", 0.65), ("failure", 0.142), ("nonexistent", 0.088)):
        out.append((f"y | poutcome {outcome}", target, _rate(c, pl.col("poutcome") == outcome)))
    for job, target in (("student", 0.29), ("retired", 0.23), ("blue-collar", 0.069)):
        out.append((f"y | job {job}", target, _rate(c, pl.col("job") == job)))
    for contact, target in (("cellular", 0.147), ("telephone", 0.052)):
        out.append((f"y | {contact}", target, _rate(c, pl.col("contact") == contact)))
    out.append(("y | default unknown", 0.052, _rate(c, pl.col("default_credit").is_null())))
    months = dict(mar=0.505, apr=0.205, may=0.064, jun=0.105, jul=0.090, aug=0.106)
    months |= dict(sep=0.449, oct=0.439, nov=0.101, dec=0.489)
    for month, target in months.items():
        out.append((f"y | month {month}", target, _rate(c, pl.col("month") == month)))
    out.append(("share of calls in May", 0.334, float((c["month"] == "may").mean() or 0)))
    known = c.filter(pl.col("housing").is_not_null())
    for label, cond in (
        ("May", pl.col("month") == "may"),
        ("other months", pl.col("month") != "may"),
    ):
        share = known.filter(cond)["housing"].eq("yes").mean()
        out.append((f"housing loan share, {label}", 0.0, float(share or 0)))
    for previous, target in ((0, 0.088), (1, 0.212), (2, 0.464), (3, 0.593)):
        out.append((f"y | previous {previous}", target, _rate(c, pl.col("previous") == previous)))
    for calls, target in ((1, 0.130), (2, 0.115), (3, 0.107), (4, 0.094), (5, 0.075)):
        out.append((f"y | campaign {calls}", target, _rate(c, pl.col("campaign") == calls)))
    out.append(("y | campaign >= 10", 0.045, _rate(c, pl.col("campaign") >= 10)))
    out.append(("r(duration, y)", 0.405, c.select(pl.corr("duration", "yes")).item()))
    for y, target in (("yes", 553), ("no", 221)):
        out.append(
            (f"mean duration | y {y}", target, c.filter(pl.col("y") == y)["duration"].mean())
        )
    indicators = ("euribor3m", "emp_var_rate", "nr_employed", "cons_price_idx", "cons_conf_idx")
    for name, target in zip(indicators, (-0.308, -0.298, -0.355, -0.136, 0.055), strict=True):
        out.append((f"r({name}, y)", target, c.select(pl.corr(name, "yes")).item()))
    pairs = (
        ("euribor3m", "emp_var_rate", 0.972),
        ("euribor3m", "nr_employed", 0.945),
        ("emp_var_rate", "nr_employed", 0.907),
        ("emp_var_rate", "cons_price_idx", 0.775),
        ("euribor3m", "cons_price_idx", 0.688),
        ("cons_price_idx", "nr_employed", 0.522),
        ("cons_conf_idx", "euribor3m", 0.278),
        ("previous", "nr_employed", -0.501),
        ("previous", "euribor3m", -0.454),
        ("pdays", "previous", -0.588),
        ("campaign", "euribor3m", 0.135),
    )
    for a, b, target in pairs:
        out.append((f"r({a}, {b})", target, c.select(pl.corr(a, b)).item()))
    out.append(("distinct cons_price_idx", 26, c["cons_price_idx"].n_unique()))
    out.append(("distinct euribor3m", 316, c["euribor3m"].n_unique()))
    may = c.filter(pl.col("month") == "may")
    out.append(("distinct euribor3m in May", 0, may["euribor3m"].n_unique()))
    out.append(("share pdays 999", 0.963, float((c["pdays"] == 999).mean() or 0)))
    out.append(("share previous 0", 0.863, float((c["previous"] == 0).mean() or 0)))
    out.append(("share poutcome success", 0.033, float((c["poutcome"] == "success").mean() or 0)))
    out.append(("mean age", 40.02, c["age"].mean()))
    out.append(("sd age", 10.42, c["age"].std()))
    for q, target in ((0.25, 32), (0.5, 38), (0.75, 47)):
        out.append((f"age quantile {q}", target, c["age"].quantile(q, "lower")))
    for status, target in (("single", 33.7), ("married", 42.3), ("divorced", 44.9)):
        out.append(
            (f"mean age | {status}", target, c.filter(pl.col("marital") == status)["age"].mean())
        )
    for job, target in (("student", 26.5), ("retired", 62.0), ("management", 42.4)):
        out.append((f"mean age | {job}", target, c.filter(pl.col("job") == job)["age"].mean()))
    shares = (
        ("marital", "married", 0.605),
        ("marital", "single", 0.281),
        ("job", "admin.", 0.253),
        ("job", "blue-collar", 0.225),
        ("education", "university.degree", 0.295),
        ("education", "high.school", 0.231),
        ("education", "basic.9y", 0.147),
        ("education", "basic.4y", 0.101),
        ("housing", "yes", 0.524),
        ("loan", "yes", 0.152),
        ("contact", "cellular", 0.635),
    )
    for column, value, target in shares:
        out.append(
            (f"share {column} {value}", target, float(c[column].eq_missing(value).mean() or 0))
        )
    out.append(("share default unknown", 0.209, float(c["default_credit"].is_null().mean() or 0)))
    for job, level, target in (
        ("management", "university.degree", 0.703),
        ("admin.", "university.degree", 0.556),
        ("blue-collar", "basic.*", 0.799),
    ):
        edu = c.filter(pl.col("job") == job)["education"]
        share = (
            edu.str.contains(level.replace("*", "")).mean()
            if "*" in level
            else edu.eq_missing(level).mean()
        )
        out.append((f"share {level} | {job}", target, float(share or 0)))
    out.append(("mean duration", 258.3, c["duration"].mean()))
    out.append(("median duration", 180, c["duration"].median()))
    out.append(("mean campaign", 2.568, c["campaign"].mean()))
    weekday = c["day_of_week"].value_counts(normalize=True).sort("proportion")
    out.append(("smallest weekday share", 0.190, weekday["proportion"][0]))
    out.append(("r(age, y)", 0.030, c.select(pl.corr("age", "yes")).item()))
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=42)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    for name, target, got in figures(args.scale, args.seed):
        print(f"{name:45s} {target:>10.3f} {float(got):>10.3f}")
