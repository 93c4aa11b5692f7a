"""A pack file asking for too much is refused: size, depth, list and text lengths, counts, rows."""

import json

import pytest
import yaml

from seedpacks.config import Settings
from seedpacks.errors import InvalidPackFile, Problem
from seedpacks.packfile import parse_pack, starter_file
from seedpacks.packfile.limits import MAX_BYTES

STARTER = starter_file("demo")


def _refused(text: str, settings: Settings | None = None) -> list[Problem]:
    with pytest.raises(InvalidPackFile) as refused:
        parse_pack(text, settings=settings)
    return refused.value.problems


def test_a_file_over_one_mebibyte_is_refused_before_it_is_read() -> None:
    text = STARTER + "#" * MAX_BYTES
    (problem,) = _refused(text)
    assert problem.line is None
    assert "a pack file is at most 1,048,576" in problem.message


def test_rows_times_the_largest_scale_beyond_the_server_limit_are_refused() -> None:
    text = STARTER.replace("rows: 500", "rows: 30000")
    (problem,) = _refused(text)
    assert problem.path == "tables"
    assert "plans 32,500,000 rows" in problem.message and "25,000,000" in problem.message
    smaller = Settings(max_scale=10, pack_file_max_rows=400_000)
    assert parse_pack(text, settings=smaller).table("demo_members").rows == 30000
    (problem,) = _refused(text, Settings(max_scale=20, pack_file_max_rows=400_000))
    assert "at the largest scale (20) the pack plans 650,000 rows" in problem.message


def test_a_document_nested_too_deep_is_refused_at_its_line() -> None:
    deep = "{a: " * 40 + "1" + "}" * 40
    text = STARTER.replace("    priority: 70\n", f"    priority: 70\n    attributes: {deep}\n")
    (problem,) = _refused(text)
    assert "nests deeper than 32 levels" in problem.message
    assert problem.line == STARTER[: STARTER.index("    priority: 70")].count("\n") + 2


def test_a_list_too_long_is_refused() -> None:
    values = ", ".join(["a"] * 10_001)
    text = STARTER.replace("values: [basic, silver, gold]", f"values: [{values}]")
    problems = _refused(text)
    assert [p.path for p in problems] == ["tables[0].columns[2].generate.choice.values"]
    assert "the list has 10,001 items; at most 10,000" in problems[0].message


def test_a_text_too_long_is_refused() -> None:
    text = STARTER.replace("name: Gold membership", "name: " + "G" * 10_001)
    (problem,) = _refused(text)
    assert problem.path == "offers[0].name"
    assert "10,001 characters; at most 10,000" in problem.message


def test_too_many_tables_and_columns_are_refused() -> None:
    document = yaml.safe_load(STARTER)
    orders = document["tables"][1]
    document["tables"] += [{**orders, "name": f"more_{i}"} for i in range(19)]
    column = document["tables"][0]["columns"][1]
    document["tables"][0]["columns"] += [{**column, "name": f"c{i}"} for i in range(200)]
    problems = _refused(json.dumps(document, default=str))
    found = {(p.path, p.message.split(";")[0]) for p in problems}
    assert {("tables", "21 tables"), ("tables[0].columns", "206 columns")} <= found


def test_ids_of_a_pattern_too_small_for_the_largest_scale_are_refused() -> None:
    text = STARTER.replace(
        "generate: {formatted_id: {prefix: M, width: 6}}", 'generate: {pattern_id: "M-9999"}'
    )
    (problem,) = _refused(text)
    assert problem.path == "tables[0].columns[0].generate.pattern_id"
    assert "the pattern makes 10,000 ids; the table needs 500,000" in problem.message
