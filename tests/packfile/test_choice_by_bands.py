"""choice_by_bands: the weights by bands of an earlier number column, as choice_by keyed by the
band in a Python pack."""

import numpy as np
import polars as pl

from seedpacks.packfile import parse_pack
from seedpacks.packs import gen
from tests.packfile.same_values import (
    MEMBERS,
    column_values,
    one_problem,
    same,
    with_columns,
)

BANDS = """\
      - name: stage_plan
        type: text
        nullable: false
        generate:
          choice_by_bands:
            column: age
            bands:
              - {upto: 24, values: [starter, plus], weights: [8, 2]}
              - {upto: 65, values: [starter, plus, family], weights: [3, 5, 2]}
            default: {values: [senior, plus], weights: [7, 3]}
"""


def test_choice_by_bands_is_choice_by_keyed_by_the_band() -> None:
    pack = parse_pack(with_columns(BANDS))

    def stage(b: gen.Block) -> np.ndarray:
        age = b["age"].cast(pl.Float64).to_numpy()
        return np.where(np.isnan(age) | (age > 65), "old", np.where(age <= 24, "young", "prime"))

    python = gen.choice_by(
        stage,
        {
            "young": (("starter", "plus"), (8, 2)),
            "prime": (("starter", "plus", "family"), (3, 5, 2)),
            "old": (("senior", "plus"), (7, 3)),
        },
    )
    values = same(pack, MEMBERS, "stage_plan", python)
    ages = column_values(pack, MEMBERS, "age")
    assert set(values.filter(ages.is_null())) <= {"senior", "plus"}
    assert "family" in set(values) and "senior" in set(values)
    column = pack.table(MEMBERS).column("stage_plan")
    assert column.generate.on == ("age",)  # type: ignore[union-attr]


def test_choice_by_bands_refuses_bands_out_of_order_and_text_columns() -> None:
    text = with_columns(BANDS.replace("upto: 65", "upto: 20"))
    one_problem(
        text,
        "bands:\n              - {upto: 24",
        "tables[0].columns[6].generate.choice_by_bands.bands",
        "must increase from band to band",
    )
    text = with_columns(BANDS.replace("column: age", "column: tier"))
    one_problem(
        text,
        "            column: tier",
        "tables[0].columns[6].generate.choice_by_bands.column",
        "bands need a number column",
    )
