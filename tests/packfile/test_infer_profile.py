"""Profiling a customer file's columns: types, missing values, roles, pooled categories,
dependencies, and the YAML they are written in (no database)."""

from typing import Any

import numpy as np
import polars as pl
import pytest
import yaml

from seedpacks.packfile.csvfile import column_name, read_csv
from seedpacks.packfile.dependence import cramers_v, positive_definite, spearman
from seedpacks.packfile.emit import Noted, dump
from seedpacks.packfile.infer_table import profile_file
from seedpacks.packfile.marginal import OTHER, generator, id_generator
from seedpacks.packfile.profile import Profile, profile_column


def _profile(values: list[str | None], name: str = "x") -> tuple[Profile, pl.Series]:
    return profile_column(name, name, pl.Series(name, values, dtype=pl.String))


@pytest.mark.parametrize(
    ("values", "kind", "parse"),
    [
        (["Yes", "No", "Yes", None], "boolean", {"true": ["Yes"], "false": ["No"]}),
        (["no", "no", "no"], "boolean", {"true": ["yes"], "false": ["no"]}),
        (["3", "-12", "7"], "integer", {}),
        (["3000000000", "1"], "bigint", {}),
        (["1.5", "2", ".25"], "decimal", {}),
        (["20170212", "20180726"], "date", {"date_formats": ["%Y%m%d"]}),
        (["12345678", "20180726"], "integer", {}),
        (["2024-01-31", "2023-12-01"], "date", {"date_formats": ["%Y-%m-%d"]}),
        (["31/01/2024", "01/12/2023"], "date", {"date_formats": ["%d/%m/%Y"]}),
        (["01/31/2024", "12/01/2023"], "date", {"date_formats": ["%m/%d/%Y"]}),
        (["2024-01-31 10:00:00", "2024-02-01 00:00:01"], "timestamp", {}),
        (["a", "1"], "text", {}),
    ],
)
def test_types_are_those_an_upload_of_the_file_reads(
    values: list[str | None], kind: str, parse: dict[str, Any]
) -> None:
    profile, typed = _profile(values)
    assert profile.type == kind
    if parse:
        assert profile.parse == parse
    assert typed.null_count() == values.count(None)


def test_unknown_spellings_are_missing_and_become_the_columns_sentinels() -> None:
    profile, typed = _profile(["1.5", "NA", "2.25", "n/a", "3"])
    assert profile.type == "decimal" and profile.decimals == 2
    assert profile.missing == pytest.approx(0.4) and profile.sentinels == ("NA", "n/a")
    assert typed.to_list() == [1.5, None, 2.25, None, 3.0]


def test_decimals_fit_the_columns_numeric_type() -> None:
    profile, _ = _profile(["123456789012.123456", "1.5"])
    assert profile.decimals == 1  # numeric(14, 1) holds 12 integer digits, no more decimals


def test_roles_ids_categories_and_numbers() -> None:
    many = [f"c{i}" for i in range(40)]
    assert _profile(many, "city")[0].role == "id"  # unique, and enough rows to tell
    assert _profile(many[:5], "city")[0].role == "category"  # five rows say too little
    assert _profile(many[:5], "customer_code")[0].role == "id"  # unless the name says so
    repeated = ["9b98b8c7a33c4b65b9aebfe6a799e6d9", "0b1e1539f2cc45b7b9fa7c272da2e1d7"] * 3
    hashes, _ = _profile(repeated, "person")
    assert hashes.role == "id" and not hashes.unique  # identifiers of another table
    assert _profile(["0", "1"] * 20, "flag")[0].role == "category"
    assert _profile([str(i % 30) for i in range(60)], "n")[0].role == "numeric"


def test_ids_keep_their_shape() -> None:
    def shaped(values: list[str], name: str = "id") -> dict[str, Any]:
        profile, typed = _profile(values, name)
        return id_generator(profile, typed)

    assert shaped(["7590-VHVEG", "5575-GNVDE"]) == {"pattern_id": "9999-AAAAA"}
    assert shaped(["68be06ca386d4c31939f3a4f0e3dd783", "0610b486422d4921ae7d2bf64640c50b"]) == {
        "hex_id": {"width": 32}
    }
    assert shaped(["17", "4"]) == {"row_number": {"start": 1}}
    assert shaped(["AB-1", "AB-22"], "member_id") == {"formatted_id": {"prefix": "ME", "width": 6}}


def test_past_50_values_the_rarest_are_pooled_into_other() -> None:
    values = [f"v{i:02d}" for i in range(60) for _ in range(60 - i)]
    profile, typed = _profile(values)
    choice = generator(profile, typed)["choice"]
    assert len(choice["values"]) == 50 and choice["values"][-1] == OTHER
    assert choice["values"][:3] == ["v00", "v01", "v02"]
    rare = sum(60 - i for i in range(49, 60)) / len(values)
    assert choice["weights"][-1] == pytest.approx(100 * rare, abs=0.01)
    assert sum(choice["weights"]) == pytest.approx(100, abs=0.01)
    few, few_typed = _profile(values[: 60 + 59 + 58])
    assert OTHER not in generator(few, few_typed)["choice"]["values"]


def test_dependencies_are_measured_on_the_rows_where_both_are_known() -> None:
    x = pl.Series([1.0, 2.0, 3.0, None, 5.0])
    assert spearman(x, pl.Series([10, 20, 30, 0, 50])) == (pytest.approx(1.0), 4)
    same = pl.Series(["a", "b"] * 50)
    assert cramers_v(same, same) == pytest.approx(1.0)
    rng = np.random.default_rng(1)
    noise = pl.Series(rng.choice(["x", "y", "z"], 3000))
    assert cramers_v(pl.Series(rng.choice(["a", "b"], 3000)), noise) < 0.05


def test_a_correlation_that_is_no_correlation_matrix_is_made_one() -> None:
    broken = np.array([[1.0, 0.9, -0.9], [0.9, 1.0, 0.9], [-0.9, 0.9, 1.0]])
    assert np.linalg.eigvalsh(broken).min() < 0
    fixed = positive_definite(broken)
    assert np.allclose(np.diag(fixed), 1) and np.allclose(fixed, fixed.T)
    assert np.linalg.eigvalsh(fixed).min() > 0 and (np.round(fixed, 3) == fixed).all()


def test_a_small_file_gets_marginals_but_no_dependencies() -> None:
    data = b"plan;level\n" + b"".join(b"a;1\nb;2\n" for _ in range(10))
    csv = read_csv(data)
    assert csv.delimiter == ";" and csv.frame.height == 20
    profiled = profile_file(csv)
    assert profiled.parents == {} and profiled.copula is None
    bigger = profile_file(read_csv(b"plan;level\n" + b"".join(b"a;1\nb;2\n" for _ in range(20))))
    assert bigger.parents["level"].column == "plan"


def test_header_names_become_snake_case_columns() -> None:
    assert column_name("customerID") == "customer_id"
    assert column_name("emp.var.rate") == "emp_var_rate"
    assert column_name("2nd Phone") == "c_2nd_phone"
    assert column_name("MonthlyCharges") == "monthly_charges"


def test_the_yaml_reads_back_as_written() -> None:
    tricky = ["yes", "No", "null", "a: b", "#x", "x #y", " pad", "2020-01-01", "é", "1.5", "on"]
    document = {
        "s": tricky,
        "n": [0, -1.5, 1e-7, True, None],
        "true": Noted({"when": False, "nested": [[1, 2], {"a": []}]}, "a comment\nover lines"),
        "long": list(range(200)),
    }
    text = dump(document, header="first\nsecond")
    assert text.startswith("# first\n# second\n")
    assert "  # a comment\n  # over lines\n" not in text and "# a comment\n# over lines\n" in text
    back = yaml.safe_load(text)
    assert back["s"] == tricky and back["n"] == [0, -1.5, 1e-7, True, None]
    assert back["true"] == {"when": False, "nested": [[1, 2], {"a": []}]}
    assert back["long"] == list(range(200)) and max(map(len, text.splitlines())) <= 100
