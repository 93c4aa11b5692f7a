"""Print the retail pack's figures next to the targets its docstrings state (issue 11).

    python bench/retail_figures.py [--scale 20] [--seed 42]

Scale 20 gives 20,000 shoppers and 80,000 orders.
"""

import argparse
from datetime import date

import polars as pl

from seedpacks.packs.registry import PACKS
from seedpacks.seeding.generate import Generator

AS_OF, FIRST_DAY = date(2024, 7, 1), date(2024, 1, 1)


def figures(scale: int, seed: int) -> list[tuple[str, float | None, float]]:
    g = Generator(PACKS["retail"], seed=seed, scale=scale)
    c = pl.concat(g.chunks("retail_customers")).with_columns(
        tenure=(pl.lit(AS_OF) - pl.col("signup_date")).dt.total_days()
    )
    o = pl.concat(g.chunks("retail_orders")).join(c, on="customer_id")
    out = [("share F", 0.56, (c["gender"] == "F").mean())]
    for band, (lo, hi), bronze, platinum in (("new", (0, 364), 0.80, 0.01),
                                             ("1-3 years", (365, 1094), 0.52, 0.04),
                                             ("3+ years", (1095, 10**5), 0.40, 0.07)):  # fmt: skip
        tiers = c.filter(pl.col("tenure").is_between(lo, hi))["loyalty_tier"]
        out.append((f"bronze share, tenure {band}", bronze, (tiers == "bronze").mean()))
        out.append((f"platinum share, tenure {band}", platinum, (tiers == "platinum").mean()))
    for profile, gender, young, department, share in (
        ("women under 35", "F", True, "beauty", 0.26),
        ("women 35+", "F", False, "home", 0.24),
        ("men under 35", "M", True, "electronics", 0.30),
        ("men 35+", "M", False, "grocery", 0.24),
    ):
        cell = c.filter(pl.col("gender") == gender, (pl.col("age") < 35) == young)
        got = (cell["favourite_department"] == department).mean()
        out.append((f"favourite {department}, {profile}", share, got))
    old = c.filter(pl.col("tenure") >= 365)
    for tier, typical, value in (("bronze", 4, 45), ("silver", 10, 55), ("gold", 20, 66),
                                 ("platinum", 40, 80)):  # fmt: skip
        cell = old.filter(pl.col("loyalty_tier") == tier)
        # The typical count is the median before rounding down (of those who ordered: a
        # quarter of bronze did not), so half of them order at least that often.
        bought = cell.filter(pl.col("orders_12m") > 0)["orders_12m"]
        out.append(
            (f"share of {tier} with orders_12m >= {typical}", 0.5, (bought >= typical).mean())
        )
        years = cell["tenure"] / 365.25
        base = (cell["avg_order_value"] / (1 + 0.04 * years)).median()
        out.append((f"median order value / tenure factor, {tier}", value, base))
    for department, rate in (("fashion", 0.28), ("grocery", 0.01)):
        cell = c.filter(pl.col("favourite_department") == department)
        got = cell["returns_12m"].sum() / cell["orders_12m"].sum()
        out.append((f"returns/orders, favourite {department}", 0.6 * rate + 0.4 * 0.0983, got))
    day = o["ordered_at"].dt.date()
    out.append(("orders before sign-up (count)", 0, (day < o["signup_date"]).sum()))
    last = o.select(pl.lit(AS_OF) - pl.duration(days=pl.col("days_since_last_order"))).to_series()
    out.append(("orders after the last order (count)", 0, (day > last).sum()))
    per = o.group_by("customer_id", "loyalty_tier").len()
    for tier in ("bronze", "platinum"):
        got = per.filter(pl.col("loyalty_tier") == tier)["len"].mean()
        out.append((f"half-year orders per ordering {tier} shopper", None, got))
    gaps = (
        o.sort("customer_id", "ordered_at")
        .with_columns(gap=pl.col("ordered_at").diff().over("customer_id").dt.total_hours() / 24)
        .drop_nulls("gap")
    )
    for tier in ("bronze", "silver", "gold", "platinum"):
        got = gaps.filter(pl.col("loyalty_tier") == tier)["gap"].median()
        out.append((f"median days between repeat orders, {tier}", None, got))
    for department, one, factor in (("electronics", 0.70, 1.8), ("grocery", 0.08, 0.85)):
        cell = o.filter(pl.col("department") == department)
        out.append((f"one-item orders, {department}", one, (cell["items"] == 1).mean()))
        got = (cell["total"] / cell["avg_order_value"]).mean()
        out.append((f"mean total / shopper's order value, {department}", factor, got))
    out.append(
        (
            "Spearman(items, total)",
            None,
            o.select(pl.corr("items", "total", method="spearman")).item(),
        )
    )
    out.append(("returned share, fashion orders", 0.28,
                o.filter(pl.col("department") == "fashion")["returned"].mean()))  # fmt: skip
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    for name, target, got in figures(args.scale, args.seed):
        shown = "-" if target is None else f"{target:.3f}"
        print(f"{name:50s} {shown:>10s} {float(got):>10.3f}")
