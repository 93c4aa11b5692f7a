"""Bad pack files are refused with every problem, each at its line and path."""

import contextlib
import copy
import json
import random

import numpy as np
import pytest
import yaml

from seedpacks.errors import InvalidPackFile, Problem
from seedpacks.packfile import parse_pack, starter_file
from seedpacks.packs.describe import describe
from seedpacks.seeding.generate import Generator

STARTER = starter_file("demo")


def _edited(old: str, new: str) -> str:
    assert STARTER.count(old) == 1, old
    return STARTER.replace(old, new)


def _line(text: str, fragment: str) -> int:
    """Return the line of `fragment`'s one occurrence in `text`."""
    assert text.count(fragment) == 1, fragment
    return text[: text.index(fragment)].count("\n") + 1


def _problems(text: str) -> list[Problem]:
    with pytest.raises(InvalidPackFile) as refused:
        parse_pack(text)
    assert refused.value.status == 400
    body = refused.value.body()
    assert body["problems"] == [p.as_json() for p in refused.value.problems]
    return refused.value.problems


# (what is wrong, old text, new text, where the problem is: a fragment of the new text's line,
# its path, words of its message)
CASES = [
    (
        "unknown key",
        "    priority: 70\n",
        "    priority: 70\n    colour: red\n",
        "colour: red",
        "offers[0].colour",
        "unknown key 'colour'; known: id, name, category",
    ),
    (
        "wrong type",
        "rows: 500",
        "rows: lots",
        "rows: lots",
        "tables[0].rows",
        "valid integer",
    ),
    (
        "unknown channel in a creative",
        "gold_web, offer: gold_upgrade, channel: web,",
        "gold_web, offer: gold_upgrade, channel: wbe,",
        "channel: wbe",
        "creatives[1].channel",
        "unknown channel 'wbe'; known: email, web",
    ),
    (
        "unknown column in a Param",
        "median: {by: tier,",
        "median: {by: tierr,",
        "median: {by: tierr",
        "tables[0].columns[3].generate.lognormal.median.by",
        "unknown column 'tierr'; known: member_id, age, tier",
    ),
    (
        "later column in a Param",
        "{chance: {steps: age,",
        "{chance: {steps: joined_on,",
        "steps: joined_on",
        "tables[0].columns[4].generate.chance.steps",
        "column 'joined_on' comes after it",
    ),
    (
        "weights and values of different lengths",
        "weights: [60, 30, 10]",
        "weights: [60, 30]",
        "weights: [60, 30]",
        "tables[0].columns[2].generate.choice.weights",
        "3 values but 2 weights",
    ),
    (
        "low above high",
        "low: 18, high: 90",
        "low: 90, high: 18",
        "low: 90, high: 18",
        "tables[0].columns[1].generate.truncnormal",
        "low 90.0 is above high 18.0",
    ),
    (
        "a correlation matrix that is not one",
        "    indexes: [[tier]]\n",
        "    indexes: [[tier]]\n    copulas:\n      - {name: spend_age, columns: [age, "
        "monthly_spend], correlation: [[1, 0.5], [0.4, 1]]}\n",
        "- {name: spend_age",
        "tables[0].copulas[0]",
        "symmetric with ones on its diagonal",
    ),
    (
        "a duplicate id",
        "- {id: bundle_web,",
        "- {id: gold_web,",
        "- {id: gold_web, offer: accessory_bundle",
        "creatives[3].id",
        "id 'gold_web' is already used by creatives[1]",
    ),
    (
        "a YAML syntax error",
        "    rows: 1500\n",
        "    rows: [1500\n",
        "primary_key: [order_id]",
        "",
        "YAML syntax",
    ),
    (
        "an anchor",
        "  - id: products\n",
        "  - &p id: products\n",
        "&p id: products",
        "",
        "anchors (&name) are not allowed",
    ),
    (
        "a tag",
        "rows: 500",
        "rows: !!python/object/apply:os.system [ls]",
        "rows: !!python",
        "",
        "tags (tag:yaml.org,2002:python/object/apply:os.system) are not allowed",
    ),
    (
        "two generator kinds",
        "generate: {row_number: {}}",
        "generate: {row_number: {}, hex_id: {}}",
        "hex_id: {}",
        "tables[1].columns[0].generate",
        "give exactly one generator kind (given: row_number, hex_id)",
    ),
    (
        "a key given twice",
        "    rows: 1500\n",
        "    rows: 1500\n    rows: 1600\n",
        "rows: 1600",
        "tables[1].rows",
        "'rows' is given twice",
    ),
    (
        "a reference without its references entry",
        "    references: [{column: member_id, table: demo_members, target: member_id}]\n",
        "",
        "generate: {reference: {table: demo_members",
        "tables[1].columns[1].generate.reference",
        "declare the reference in the table's references",
    ),
    (
        "a primary key that repeats",
        "generate: {formatted_id: {prefix: M, width: 6}}",
        "generate: {choice: {values: [a, b]}}",
        "primary_key: [member_id]",
        "tables[0].primary_key",
        "no primary key column is generated by a kind whose values never repeat",
    ),
    (
        "missing values in a column that is not nullable",
        "        generate: {choice: {values: [basic, silver, gold], weights: [60, 30, 10]}}\n",
        "        generate: {choice: {values: [basic, silver, gold], weights: [60, 30, 10]}}\n"
        "        missing: 0.1\n",
        "nullable: false\n        generate: {choice: {values: [basic",
        "tables[0].columns[2].nullable",
        "tier is not nullable, yet asks for missing values",
    ),
    (
        "a value of the wrong type for its column",
        "values: [basic, silver, gold]",
        "values: [basic, silver, true]",
        "values: [basic, silver, true]",
        "tables[0].columns[2].generate.choice.values[2]",
        "true is not a text value of tier (true and false are not text: quote them)",
    ),
    (
        "an experiment that does not sum to 100",
        "{m_bandit: 90, m_priority: 10}",
        "{m_bandit: 90, m_priority: 20}",
        "{m_bandit: 90, m_priority: 20}",
        "experiments[0].traffic_split",
        "the shares sum to 110, not 100",
    ),
    (
        "a ground-truth arm on an unknown feature",
        "weights: {age: -0.4}",
        "weights: {agee: -0.4}",
        "weights: {agee: -0.4}",
        "ground_truth.arms[3].weights.agee",
        "unknown feature 'agee'; known: age, gold, opted_in, spend",
    ),
    (
        "a generator kind for another column type",
        "generate: {dates: {start: 2018-01-01, end: 2024-06-30}}",
        "generate: {formatted_id: {prefix: J}}",
        "generate: {formatted_id: {prefix: J}}",
        "tables[0].columns[5].generate.formatted_id",
        "formatted_id fills text columns; joined_on is date",
    ),
    (
        "fixed values in a table that scales",
        "generate: {row_number: {}}",
        "generate: {fixed: [1, 2, 3]}",
        "generate: {fixed: [1, 2, 3]}",
        "tables[1].columns[0].generate.fixed",
        "the table must have scales: false and rows: 3",
    ),
    (
        "a segment comparing a number column with text (its view would fail)",
        'filters: [{field: age, operator: "<", value: 30}]',
        'filters: [{field: age, operator: "<", value: thirty}]',
        "value: thirty",
        "segments[0].filters[0].value",
        "'thirty' is not an integer value of age",
    ),
    (
        "an empty index",
        "indexes: [[tier]]",
        "indexes: [[]]",
        "indexes: [[]]",
        "tables[0].indexes[0]",
        "at least 1 item",
    ),
    (
        "a primary key column given twice",
        "primary_key: [order_id]",
        "primary_key: [order_id, order_id]",
        "primary_key: [order_id, order_id]",
        "tables[1].primary_key[1]",
        "'order_id' is in the primary key twice",
    ),
    (
        "no interactions",
        "interactions: 1000",
        "interactions: 0",
        "interactions: 0",
        "ground_truth.interactions",
        "greater than or equal to 1",
    ),
    (
        "a feature equal to NULL",
        "{name: gold, column: tier, kind: equals, value: gold}",
        "{name: gold, column: tier, kind: equals}",
        "{name: gold, column: tier, kind: equals}",
        "ground_truth.features[2].value",
        "a NULL is kind is_null",
    ),
    (
        "a channel type the platform does not know",
        "channel_type: web,",
        "channel_type: telegram,",
        "channel_type: telegram",
        "channels[1].channel_type",
        "Input should be 'email', 'push'",
    ),
    (
        "a creative weight above 100",
        "template_type: banner, headline: Go gold,",
        "template_type: banner, weight: 101, headline: Go gold,",
        "weight: 101",
        "creatives[1].weight",
        "less than or equal to 100",
    ),
    (
        "choice_by without a default, a value of its column without options",
        "      - name: monthly_spend\n",
        "      - {name: plan, type: text, generate: {choice_by: {column: tier, options: [\n"
        "          {when: gold, values: [annual]}, {when: silver, values: [monthly]}]}}}\n"
        "      - name: monthly_spend\n",
        "- {name: plan",
        "tables[0].columns[3].generate.choice_by.options",
        "give a default, or options for these values of tier: 'basic'",
    ),
    (
        "choice_by without a default, on a column of unlisted values",
        "      - name: monthly_spend\n",
        "      - {name: band, type: text, generate: {choice_by: {column: age, options: [\n"
        "          {when: 30, values: [young]}]}}}\n"
        "      - name: monthly_spend\n",
        "- {name: band",
        "tables[0].columns[3].generate.choice_by.options",
        "give a default: age can take values not listed in a file",
    ),
    (
        "a NULL among a parameter's values",
        "values: {basic: 40,",
        "values: {null: 40,",
        "values: {null: 40,",
        "tables[0].columns[3].generate.lognormal.median.values.None",
        "the key null is not valid: a NULL takes the default",
    ),
]


@pytest.mark.parametrize(("old", "new", "at", "path", "words"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_a_bad_file_is_refused_at_its_line_and_path(
    old: str, new: str, at: str, path: str, words: str
) -> None:
    text = _edited(old, new)
    problems = _problems(text)
    assert any(
        p.path == path and words in p.message and p.line == _line(text, at) for p in problems
    ), [str(p) for p in problems]


def test_every_problem_is_listed_at_once_in_file_order() -> None:
    text = _edited(
        "gold_web, offer: gold_upgrade, channel: web,",
        "gold_web, offer: gold_upgrade, channel: wbe,",
    )
    text = text.replace("weights: [60, 30, 10]", "weights: [60, 30]").replace(
        "low: 18, high: 90", "low: 90, high: 18"
    )
    problems = _problems(text)
    assert [p.path for p in problems] == [
        "creatives[1].channel",
        "tables[0].columns[1].generate.truncnormal",
        "tables[0].columns[2].generate.choice.weights",
        "ground_truth.arms[1]",
    ]
    lines = [p.line for p in problems]
    assert lines == sorted(lines)


def test_a_problem_reads_as_line_path_and_message() -> None:
    problem = Problem(line=42, path="creatives[3].channel", message="unknown channel 'emial'")
    assert str(problem) == "line 42, creatives[3].channel: unknown channel 'emial'"
    assert str(Problem(line=None, path="", message="too big")) == "too big"


def test_an_alias_is_refused_before_it_can_multiply_the_document() -> None:
    text = _edited("  - id: products\n", "  - id: products\n    description: *laugh\n")
    (problem,) = _problems(text)
    assert problem.message == "aliases (*name) are not allowed in a pack file"
    assert problem.line == _line(text, "*laugh")


def test_a_merge_key_is_refused() -> None:
    text = _edited(
        "  - id: products\n    name: Products\n", "  - id: products\n    <<: {name: P}\n"
    )
    (problem,) = _problems(text)
    assert "merge keys (<<) are not allowed" in problem.message
    assert problem.line == _line(text, "<<:")


def test_yaml_1_1_booleans_and_dates_stay_strings() -> None:
    pack = parse_pack(_edited("values: [basic, silver, gold]", "values: [no, on, 2024-01-01]"))
    tiers = Generator(pack, seed=1, scale=1).column("demo_members", "tier", np.arange(200))
    assert set(tiers.to_list()) == {"no", "on", "2024-01-01"}


def test_a_json_pack_file_is_the_same_document() -> None:
    document = yaml.safe_load(STARTER)
    pack = parse_pack(json.dumps(document, default=str, indent=1))
    assert describe(pack, 3) == describe(parse_pack(STARTER), 3)


def test_a_json_file_with_a_problem_has_its_line() -> None:
    document = yaml.safe_load(STARTER)
    document["tables"][0]["rows"] = "lots"
    text = json.dumps(document, default=str, indent=1)
    (problem,) = _problems(text)
    assert problem.path == "tables[0].rows" and problem.line == _line(text, '"rows": "lots"')


def _paths(value: object, path: tuple = ()) -> list[tuple]:
    found = [path]
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, item in items:
        found += _paths(item, (*path, key))
    return found


def test_any_value_anywhere_gets_problems_or_a_pack_never_a_crash() -> None:
    """Values of the starter replaced by odd ones (a fixed sample): problems, or a pack, never
    another exception."""
    document = yaml.safe_load(STARTER)
    odd = [None, -1, 0, 1e15, "x", [], {}, True, 2**40, "age", ["a"], {"by": "tier"}]
    rng = random.Random(5)
    for path in rng.sample(_paths(document)[1:], 100):
        for value in rng.sample(odd, 3):
            changed = copy.deepcopy(document)
            parent = changed
            for key in path[:-1]:
                parent = parent[key]
            parent[path[-1]] = value
            with contextlib.suppress(InvalidPackFile):
                parse_pack(json.dumps(changed, default=str))
