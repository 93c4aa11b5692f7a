"""Print the banking pack's figures next to the targets its docstrings state (issue 11).

    python bench/banking_figures.py [--scale 20] [--seed 42]

Scale 20 gives 20,000 customers and 100,000 transactions.
"""

import argparse
import math

import numpy as np
import polars as pl

from seedpacks.packs.registry import PACKS
from seedpacks.seeding.generate import Generator


def _band(column: str, low: float, high: float) -> pl.Expr:
    return pl.col(column).is_between(low, high)


def figures(scale: int, seed: int) -> list[tuple[str, float, float]]:
    g = Generator(PACKS["banking"], seed=seed, scale=scale)
    c = pl.concat(g.chunks("banking_customers"))
    t = pl.concat(g.chunks("banking_transactions")).join(c, on="customer_id")
    out = [("mean age", 48.4, c["age"].mean())]
    employed = c.filter(pl.col("employment_status") == "employed")
    for (lo, hi), factor in (((18, 21), 0.62), ((22, 29), 0.86), ((30, 39), 1.06),
                             ((40, 49), 1.13), ((50, 59), 1.07), ((60, 90), 0.93)):  # fmt: skip
        got = employed.filter(_band("age", lo, hi))["annual_income"].median()
        out.append((f"median income, employed {lo}-{hi}", 32_000 * factor, got))
    for status, median in (("retired", 21_000), ("student", 9_000), ("unemployed", 12_000)):
        got = c.filter(pl.col("employment_status") == status)["annual_income"].median()
        out.append((f"median income, {status}", median, got))
    for (lo, hi), mean in (((18, 26), 680), ((27, 42), 690), ((43, 58), 709), ((59, 77), 745),
                           ((78, 90), 760)):  # fmt: skip
        out.append((f"mean credit score {lo}-{hi}", mean, c.filter(_band("age", lo, hi))
                    ["credit_score"].mean()))  # fmt: skip
    band = employed.filter(_band("age", 30, 39))
    rho = band.select(pl.corr("annual_income", "credit_score", method="spearman")).item()
    out.append(("Spearman(income, score), employed 30-39", 6 / math.pi * math.asin(0.175), rho))
    out.append(("tenure > age - 18 (count)", 0, (c["tenure_years"] > c["age"] - 18).sum()))
    for (lo, hi), share in (((18, 24), 0.85), ((45, 54), 0.82), ((65, 74), 0.55), ((75, 90), 0.27)):
        got = c.filter(_band("age", lo, hi))["digital_active"].mean()
        out.append((f"digital share {lo}-{hi}", share, got))
    for (lo, hi), share in (((300, 579), 0.15), ((580, 669), 0.45), ((670, 739), 0.65),
                            ((740, 850), 0.80)):  # fmt: skip
        got = c.filter(_band("credit_score", lo, hi))["has_credit_card"].mean()
        out.append((f"credit card share, score {lo}-{hi}", share, got))
    low = c.filter(pl.col("credit_score") < 580)
    out.append(("loans or mortgages below 580 (count)", 0,
                (low["has_personal_loan"] | low["has_mortgage"]).sum()))  # fmt: skip
    mid = c.filter(pl.col("credit_score") >= 580, _band("annual_income", 20_000, 34_999))
    for (lo, hi), rate in (((25, 34), 0.35), ((35, 44), 0.52), ((45, 54), 0.45), ((55, 64), 0.22)):
        got = mid.filter(_band("age", lo, hi))["has_mortgage"].mean()
        out.append((f"mortgage share {lo}-{hi}, income 20-35k", rate, got))
    out.append(("insurance share with a mortgage", 0.70,
                c.filter(pl.col("has_mortgage"))["has_insurance"].mean()))  # fmt: skip
    ratio = c["avg_monthly_balance"] / (c["annual_income"] / 12)
    out.append(("median balance / monthly income", 0.45, ratio.median()))
    for category, elasticity in (("groceries", 0.3), ("dining", 0.5), ("travel", 0.7),
                                 ("housing", 0.6)):  # fmt: skip
        d = t.filter(pl.col("category") == category)
        x = np.log(d["annual_income"].to_numpy() / 32_000)
        slope = np.polyfit(x, np.log(-d["amount"].to_numpy()), 1)[0]
        out.append((f"income elasticity of {category}", elasticity, slope))
    retired = t.filter(pl.col("employment_status") == "retired", pl.col("amount") > 0)
    out.append(("retired credits named pension (share)", 1.0,
                (retired["category"] == "pension").mean()))  # fmt: skip
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    for name, target, got in figures(args.scale, args.seed):
        print(f"{name:45s} {target:>10.3f} {float(got):>10.3f}")
