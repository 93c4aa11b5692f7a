"""Print the telco pack's figures next to the public IBM Telco Customer Churn file's.

    python bench/telco_figures.py [--scale 8] [--seed 42]

Scale 8 gives 8,000 customers, more than the public file's 7,043.
"""

import argparse

import polars as pl

from seedpacks.packs.registry import PACKS
from seedpacks.seeding.generate import Generator


def _share(df: pl.DataFrame, when: pl.Expr, of: pl.Expr) -> float:
    return float(df.filter(of).select(when.mean()).item())


def figures(df: pl.DataFrame) -> list[tuple[str, float, float]]:
    """Return (figure, the public file's value, this data's value)."""
    c = pl.col
    out = [
        ("r(tenure, monthly charges)", 0.248, df.select(pl.corr("tenure", "monthly_charges"))),
        ("r(tenure, total charges)", 0.826, df.select(pl.corr("tenure", "total_charges"))),
        (
            "r(monthly, total charges)",
            0.651,
            df.select(pl.corr("monthly_charges", "total_charges")),
        ),
        ("share tenure >= 69 | partner", 0.18, _share(df, c("tenure") >= 69, c("partner"))),
        ("share tenure >= 69 | no partner", 0.037, _share(df, c("tenure") >= 69, ~c("partner"))),
        ("mean tenure | partner", 42.0, df.filter(c("partner"))["tenure"].mean()),
        ("mean tenure | no partner", 23.4, df.filter(~c("partner"))["tenure"].mean()),
        ("mean tenure", 32.37, df["tenure"].mean()),
        ("sd tenure", 24.56, df["tenure"].std()),
        ("share tenure 1", 0.087, (df["tenure"] == 1).mean()),
        ("share tenure 72", 0.051, (df["tenure"] == 72).mean()),
    ]
    m2m = c("contract") == "Month-to-month"
    for support, target in (("No", 0.77), ("Yes", 0.33)):
        out.append((f"P(month-to-month | tech support {support})", target,
                    _share(df, m2m, c("tech_support") == support)))  # fmt: skip
    for contract, target in (("Month-to-month", 18.0), ("One year", 42.0), ("Two year", 56.7)):
        out.append((f"mean tenure | {contract}", target,
                    df.filter(c("contract") == contract)["tenure"].mean()))  # fmt: skip
    for internet, target in (("Fiber optic", 0.687), ("DSL", 0.505), ("No", 0.343)):
        out.append((f"P(month-to-month | internet {internet})", target,
                    _share(df, m2m, c("internet_service") == internet)))  # fmt: skip
    echeck = c("payment_method") == "Electronic check"
    for internet, target in (("Fiber optic", 0.515), ("DSL", 0.289), ("No", 0.046)):
        out.append((f"P(electronic check | internet {internet})", target,
                    _share(df, echeck, c("internet_service") == internet)))  # fmt: skip
    for method, months in (("Electronic check", 25.2), ("Mailed check", 21.8),
                           ("Bank transfer (automatic)", 43.7)):  # fmt: skip
        paying = df.filter(c("payment_method") == method)["tenure"]
        out.append((f"mean tenure | {method}", months, paying.mean()))
    charges = df["monthly_charges"]
    out += [
        ("max monthly charges", 118.75, charges.max()),
        ("min monthly charges", 18.25, charges.min()),
        ("mean monthly charges", 64.76, charges.mean()),
        ("sd monthly charges", 30.09, charges.std()),
        ("median monthly charges", 70.35, charges.median()),
        ("mean total charges", 2283.3, df["total_charges"].mean()),
        ("median total charges", 1397.5, df["total_charges"].median()),
    ]
    for internet, target in (("No", 21.08), ("DSL", 58.10), ("Fiber optic", 91.50)):
        paid = df.filter(c("internet_service") == internet)["monthly_charges"]
        out.append((f"mean monthly charges | internet {internet}", target, paid.mean()))
    out.append(("P(dependents | partner)", 0.514, _share(df, c("dependents"), c("partner"))))
    out.append(("P(dependents | no partner)", 0.099, _share(df, c("dependents"), ~c("partner"))))
    churn = c("churn")
    out.append(("churn", 0.265, df["churn"].mean()))
    for name, when, target in (
        ("senior", c("senior_citizen"), 0.417),
        ("not senior", ~c("senior_citizen"), 0.236),
        ("no internet", c("internet_service") == "No", 0.074),
        ("fiber", c("internet_service") == "Fiber optic", 0.419),
        ("DSL", c("internet_service") == "DSL", 0.190),
        ("electronic check", echeck, 0.453),
        ("month-to-month", m2m, 0.427),
        ("one year", c("contract") == "One year", 0.113),
        ("two year", c("contract") == "Two year", 0.028),
        ("no tech support", c("tech_support") == "No", 0.416),
        ("tenure 1", c("tenure") == 1, 0.619),
        ("tenure 1-12", c("tenure").is_between(1, 12), 0.474),
        ("tenure 13-24", c("tenure").is_between(13, 24), 0.287),
        ("tenure 25-48", c("tenure").is_between(25, 48), 0.204),
        ("tenure 49-60", c("tenure").is_between(49, 60), 0.144),
        ("tenure 61-72", c("tenure").is_between(61, 72), 0.066),
    ):
        out.append((f"churn | {name}", target, _share(df, churn, when)))
    return [(name, target, float(got.item() if isinstance(got, pl.DataFrame) else got))
            for name, target, got in out]  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=8)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    pack = PACKS["telco"]
    customers = pl.concat(
        Generator(pack, seed=args.seed, scale=args.scale).chunks("telco_customers")
    )
    for name, target, got in figures(customers):
        print(f"{name:50s} {target:>10.3f} {got:>10.3f}")
