"""Generators that follow several earlier columns (no database)."""

import numpy as np
import polars as pl
import pytest

from seedpacks.packs import gen
from seedpacks.packs.depend import Dependent


def _block(rows: int) -> gen.Block:
    b = gen.Block(
        pack="test",
        seed=1,
        scale=1,
        table="t",
        idx=np.arange(rows, dtype=np.int64),
        table_rows=lambda _: rows,
        lookup=lambda *_: pl.Series([]),
    )
    b.values["a"] = pl.Series([i % 2 == 0 for i in range(rows)])
    b.values["b"] = pl.Series(["x" if i % 3 else "y" for i in range(rows)])
    b.column = "c"
    return b


def test_choice_by_columns_draws_by_the_tuple_of_values_and_declares_them() -> None:
    b = _block(30_000)
    generator = gen.choice_by_columns(
        ("a", "b"),
        {(True, "x"): (("p", "q"), (1, 0)), (False, "x"): (("p", "q"), (1, 3))},
        default=(("r",), (1,)),
    )
    assert isinstance(generator, Dependent) and generator.on == ("a", "b")
    frame = pl.DataFrame({"a": b["a"], "b": b["b"], "c": generator(b)})
    assert (frame.filter(pl.col("a") & (pl.col("b") == "x"))["c"] == "p").all()
    assert (frame.filter(pl.col("b") == "y")["c"] == "r").all()
    other = frame.filter(~pl.col("a") & (pl.col("b") == "x"))
    share, error = (other["c"] == "q").mean(), np.sqrt(0.75 * 0.25 / other.height)
    assert abs(share - 0.75) <= 4 * error


def test_choice_by_columns_without_default_names_an_unlisted_combination() -> None:
    generator = gen.choice_by_columns(("a", "b"), {(True, "x"): (("p",), (1,))})
    with pytest.raises(ValueError, match="no options"):
        generator(_block(10))
