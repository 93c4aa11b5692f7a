"""compute and the expression parameter: a closed grammar whose numbers are those of the same
formula in a Python pack; a bad expression is a problem at its line and path."""

import numpy as np
import polars as pl
import pytest

from seedpacks.packfile import parse_pack
from seedpacks.packfile.expression import MAX_DEPTH, MAX_LENGTH, Invalid, parse
from seedpacks.packs import gen
from seedpacks.packs.depend import By, Steps
from tests.packfile.same_values import (
    MEMBERS,
    ORDERS,
    STARTER,
    column_values,
    problems_of,
    same,
    with_columns,
)


def _compute(expression: str, *, type: str = "decimal", extra: str = "") -> str:
    quoted = expression.replace("'", "''")
    return with_columns(
        f"      - name: computed\n        type: {type}\n        generate:\n"
        f"          compute:\n            expression: '{quoted}'\n{extra}"
    )


def _computed(expression: str, *, type: str = "decimal", extra: str = "") -> pl.Series:
    pack = parse_pack(_compute(expression, type=type, extra=extra))
    return column_values(pack, MEMBERS, "computed")


INCOME = """\
            with:
              median: {by: tier, values: {basic: 30000, silver: 45000, gold: 70000}, default: 0}
              factor: {steps: age, bands: [[29, 0.8], [49, 1.1]], default: 0.9}
"""


def test_compute_makes_the_numbers_of_the_same_formula_in_python() -> None:
    expression = (
        "round(clip(median * where(age >= 30, factor, 1) * exp(0.5 * normal()), 3000, 500000), -2)"
    )
    pack = parse_pack(_compute(expression, extra=INCOME))
    median = By("tier", {"basic": 30000, "silver": 45000, "gold": 70000}, 0)
    factor = Steps("age", ((29, 0.8), (49, 1.1)), 0.9)

    def income(b: gen.Block) -> np.ndarray:
        age = b["age"].cast(pl.Float64).to_numpy()
        with np.errstate(invalid="ignore"):
            value = median(b) * np.where(age >= 30, factor(b), 1.0) * np.exp(0.5 * b.normal())
        return np.round(np.clip(value, 3_000, 500_000), -2)

    values = same(pack, MEMBERS, "computed", gen.derived(income))
    assert values.null_count() == 0 and (values % 100 == 0).all()
    assert pack.table(MEMBERS).column("computed").generate.on == ("tier", "age")  # type: ignore[union-attr]


def test_compute_fills_an_integer_column_with_draws_of_its_own_lanes() -> None:
    expression = "floor(uniform() ** 1.3 * (min(age - 18, 40) + 1)) + (uniform(2) < 0.5)"
    pack = parse_pack(_compute(expression, type="integer"))

    def tenure(b: gen.Block) -> pl.Series:
        age = b["age"].to_numpy()
        span = np.minimum(age - 18, 40) + 1
        years = np.floor(b.uniform() ** 1.3 * span) + (b.uniform(2) < 0.5)
        return pl.Series(years).fill_nan(None).cast(pl.Int64)

    values = same(pack, MEMBERS, "computed", gen.derived(tenure))
    ages = column_values(pack, MEMBERS, "age")
    # A NULL age is NaN, and NaN is NULL: as the Python formula's NULL.
    assert values.is_null().equals(ages.is_null())
    assert (values.drop_nulls() >= 0).all()


def test_an_expression_parameter_is_a_probability_of_earlier_columns() -> None:
    text = with_columns(
        """\
      - name: lendable
        type: boolean
        generate:
          chance:
            expression: where(monthly_spend >= 60, by_age, 0)
            with: {by_age: {steps: age, bands: [[30, 0.2], [50, 0.4]], default: 0.1}}
"""
    )
    pack = parse_pack(text)
    by_age = Steps("age", ((30, 0.2), (50, 0.4)), 0.1)

    def lendable(b: gen.Block) -> np.ndarray:
        return (b["monthly_spend"].to_numpy() >= 60) & (b.uniform() < by_age(b))

    values = same(pack, MEMBERS, "lendable", gen.derived(lendable))
    spend = column_values(pack, MEMBERS, "monthly_spend")
    assert not values.filter(spend < 60).any() and values.filter(spend >= 60).any()


def test_an_expression_reads_the_referenced_row() -> None:
    columns = """\
      - name: doubled
        type: decimal
        generate: {compute: {expression: "round(member_id.monthly_spend * 2 + amount, 2)"}}
"""
    pack = parse_pack(with_columns(columns, table=ORDERS))

    def doubled(b: gen.Block) -> np.ndarray:
        u = gen.rng.uniform(gen.rng.stream_key(b.pack, b.seed, b.table, "member_id", ""), b.idx)
        rows = gen.referenced_rows(b, MEMBERS, u)
        spend = b.lookup(MEMBERS, "monthly_spend", rows).to_numpy()
        return np.round(spend * 2 + b["amount"].to_numpy(), 2)

    same(pack, ORDERS, "doubled", gen.derived(doubled))
    on = pack.table(ORDERS).column("doubled").generate.on  # type: ignore[union-attr]
    assert on == ("member_id", "demo_members.monthly_spend", "amount")


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("1 + 2 * 3", 7),
        ("-2 ** 2", -4),
        ("2 ** 3 ** 2", 512),
        ("2 ** -1", 0.5),
        ("(1 + 2) * 3", 9),
        ("7 / 2 - 1", 2.5),
        ("1 < 2 and not 2 < 1", 1),
        ("0 or 3 >= 3", 1),
        ("max(1, 5, 3) - min(4, 2)", 3),
        ("clip(12, 0, 10) + abs(-1) + sqrt(4) + ceil(0.2) + floor(1.7)", 15),
        ("round(2.567, 1) + round(1234, -2)", 1202.6),
        ("where(0, 1, 2) + where(1 == 1, 10, 20) + (1 != 1)", 12),
        ("exp(log(3))", 3),
        (".5e1 + 1.", 6),
    ],
)
def test_the_grammar_follows_pythons_precedence(expression: str, value: float) -> None:
    values = _computed(expression)
    assert values.n_unique() == 1 and values[0] == pytest.approx(value)


def test_a_null_is_nan_and_compares_false_but_unequal_as_in_numpy() -> None:
    ages = column_values(parse_pack(STARTER), MEMBERS, "age")
    values = _computed("where(age > 0, 1, 0) + 2 * (age != age) + 4 * (age == age)", type="integer")
    assert values.null_count() == 0
    assert values.filter(ages.is_null()).to_list() == [2] * ages.null_count()
    assert set(values.filter(ages.is_not_null())) == {5}
    assert _computed("age * 2", type="integer").is_null().equals(ages.is_null())


@pytest.mark.parametrize(
    ("expression", "extra", "words"),
    [
        ("1 +", "", "the expression ends too early (at character 4)"),
        ("1 + $", "", "unexpected '$' (at character 5)"),
        ("(1 + 2", "", "expected ')' (at character 7)"),
        ("1 2", "", "unexpected '2' (at character 3)"),
        ("1 < 2 < 3", "", "compare two values at a time"),
        ("__import__('os')", "", "unexpected"),
        ("open(1)", "", "unknown function open; known: min, max"),
        ("clip(1, 2)", "", "clip takes 3 arguments, not 2"),
        ("min", "", "min is a function: write min(...)"),
        ("colour * 2", "", "unknown column 'colour'"),
        ("tier * 2", "", "tier is a text column: read it through a parameter of with"),
        ("joined_on + 1", "", "joined_on is a date column"),
        ("computed + 1", "", "column 'computed' is this column"),
        ("uniform(age)", "", "the lane must be a whole number as written"),
        ("normal(99)", "", "the lane must be from 0 to 15"),
        ("round(1, 0.5)", "", "the digits must be a whole number"),
        ("1", "            with: {x: 2}\n", "the expression does not use x of with"),
        ("age", "            with: {age: 2}\n", "'age' names a function or a column"),
        ("x", "            with: {x: {by: colour, values: {}, default: 0}}\n", "unknown column"),
        ("1" + " + 1" * 400, "", "more than 300 parts"),
        ("(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1), "", f"nests more than {MAX_DEPTH}"),
    ],
)
def test_a_bad_expression_is_a_problem_at_its_line_and_path(
    expression: str, extra: str, words: str
) -> None:
    text = _compute(expression, extra=extra)
    problems = problems_of(text)
    at = "expression"
    if extra:
        at = "with.x.by" if "unknown column" in words else "with"
    fragment = "            with:" if at != "expression" else "            expression:"
    line = text[: text.index(fragment)].count("\n") + 1
    path = f"tables[0].columns[6].generate.compute.{at}"
    assert [(p.line, p.path) for p in problems] == [(line, path)], problems
    assert words in problems[0].message


def test_an_expression_longer_than_the_limit_is_refused() -> None:
    problems = problems_of(_compute("1" * (MAX_LENGTH + 1)))
    assert problems[0].path == "tables[0].columns[6].generate.compute.expression"
    assert "longer than" in problems[0].message or "2000 characters" in problems[0].message
    with pytest.raises(Invalid, match="longer than"):
        parse("1" * (MAX_LENGTH + 1))


def test_compute_fills_number_and_boolean_columns_only() -> None:
    (problem,) = problems_of(_compute("1", type="text"))
    assert problem.path == "tables[0].columns[6].generate.compute"
    assert problem.message == (
        "compute fills integer or bigint or decimal or boolean columns; computed is text"
    )
