"""Print the starbucks pack's figures next to the public files' (the targets of issue 11).

    python bench/starbucks_figures.py [--scale 17] [--seed 42]

Scale 17 gives the public profile file's 17,000 members and about its 306,534 events.
"""

import argparse

import polars as pl

from seedpacks.packs.registry import PACKS
from seedpacks.seeding.generate import Generator


def figures(scale: int, seed: int) -> list[tuple[str, float, float]]:
    g = Generator(PACKS["starbucks"], seed=seed, scale=scale)
    c = pl.concat(g.chunks("starbucks_customers"))
    e = pl.concat(g.chunks("starbucks_events"))
    offers = pl.concat(g.chunks("starbucks_offers"))
    known = c.filter(pl.col("age").is_not_null())
    out = []
    out.append(("r(age, income)", 0.31, known.select(pl.corr("age", "income")).item()))
    for band, cap in (((0, 35), 75_000), ((36, 45), 100_000)):
        top = known.filter(pl.col("age").is_between(*band))["income"].max()
        out.append((f"max income aged {band[0]}-{band[1]}", cap, top))
    for g_, inc, age in (("F", 71_300, 57.6), ("M", 61_200, 52.1)):
        part = known.filter(pl.col("gender") == g_)
        out.append((f"mean income {g_}", inc, part["income"].mean()))
        out.append((f"mean age {g_}", age, part["age"].mean()))
    out.append(("mean age", 54.4, known["age"].mean()))
    out.append(("sd age", 17.4, known["age"].std()))
    out.append(("mean income", 65_405, known["income"].mean()))
    out.append(("sd income", 21_598, known["income"].std()))
    out.append(("median income", 64_000, known["income"].median()))
    per = e.group_by("person").len()["len"]
    out.append(("events per member", 18.0, per.mean()))
    out.append(("median events per member", 17, per.median()))
    out.append(("p90 events per member", 27, per.quantile(0.9)))
    out.append(("max events per member", 51, per.max()))
    shares = e["event"].value_counts(normalize=True)
    for kind, share in (
        ("transaction", 0.453),
        ("offer received", 0.249),
        ("offer viewed", 0.188),
        ("offer completed", 0.110),
    ):
        out.append(
            (f"share {kind}", share, shares.filter(pl.col("event") == kind)["proportion"].item())
        )
    tx = e.filter(pl.col("event") == "transaction")
    out.append(("mean amount", 12.78, tx["amount"].mean()))
    out.append(("median amount", 8.89, tx["amount"].median()))
    spend = (
        tx.group_by("person")
        .agg(pl.col("amount").mean().alias("m"))
        .join(c, left_on="person", right_on="id")
    )
    out.append(
        (
            "r(member mean amount, income)",
            0.49,
            spend.drop_nulls("income").select(pl.corr("m", "income")).item(),
        )
    )
    out.append(("unknown mean amount", 3.0, spend.filter(pl.col("age").is_null())["m"].mean()))
    out.append(("known mean amount", 14.0, spend.filter(pl.col("age").is_not_null())["m"].mean()))
    rec = e.filter(pl.col("event") == "offer received").join(c, left_on="person", right_on="id")
    comp = e.filter(pl.col("event") == "offer completed").join(c, left_on="person", right_on="id")
    for lo, hi, target in ((30_000, 50_000, 0.36), (100_000, 120_000, 0.61)):
        r = rec.filter(
            pl.col("income").is_between(lo, hi, closed="left" if hi < 120_000 else "both")
        ).height
        k = comp.filter(
            pl.col("income").is_between(lo, hi, closed="left" if hi < 120_000 else "both")
        ).height
        out.append((f"completed/received income {lo}-{hi}", target, k / r))
    out.append(
        (
            "completed/received unknown",
            0.0,
            comp.filter(pl.col("age").is_null()).height
            / rec.filter(pl.col("age").is_null()).height,
        )
    )
    kinds = dict(zip(offers["id"], offers["offer_type"], strict=True))
    for oid in offers["id"]:
        r = rec.filter(pl.col("offer_id") == oid).height
        k = comp.filter(pl.col("offer_id") == oid).height
        v = e.filter((pl.col("event") == "offer viewed") & (pl.col("offer_id") == oid)).height
        out.append((f"offer {oid[:6]} {kinds[oid][:5]} completed/viewed per received", 0, 0))
        out.append(("   completed", 0, k / r))
        out.append(("   viewed", 0, v / r))
    years = c["became_member_on"]
    for y in (2015, 2017):
        inyear = years.filter(years.dt.year() == y)
        out.append((f"share of {y} sign-ups Jul-Dec", 0.0, (inyear.dt.month() >= 7).mean()))
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=17)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    for name, target, got in figures(args.scale, args.seed):
        print(f"{name:55s} {target:>10.3f} {float(got):>10.3f}")
