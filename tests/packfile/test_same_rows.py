"""A file and a Python declaration calling the same factories with the same arguments make the
same rows: the starter's tables, declared again in Python, generate identical frames."""

import dataclasses
from datetime import date, datetime

import numpy as np

from seedpacks.packfile import parse_pack, starter_file
from seedpacks.packs import gen
from seedpacks.packs.depend import By, Steps
from seedpacks.packs.model import Column, Reference, Table
from seedpacks.seeding.generate import Generator

MEMBERS, ORDERS = "same_members", "same_orders"

PYTHON_TABLES = (
    Table(
        name=MEMBERS,
        description="One row per member",
        rows=500,
        primary_key=("member_id",),
        indexes=(("tier",),),
        columns=(
            Column("member_id", "text", gen.formatted_id("M", 6), nullable=False),
            Column("age", "integer",
                   gen.null_fraction(gen.truncnormal(41, 13, low=18, high=90), 0.02)),
            Column("tier", "text", gen.choice(["basic", "silver", "gold"], [60, 30, 10]),
                   nullable=False),
            Column(
                "monthly_spend",
                "decimal",
                gen.lognormal_by(By("tier", {"basic": 40, "silver": 90, "gold": 200}, 40), 0.5,
                                 low=0, high=5000),
            ),
            Column("email_opt_in", "boolean", gen.chance(Steps("age", ((30, 0.5), (50, 0.7)), 0.8)),
                   nullable=False),
            Column("joined_on", "date", gen.dates(date(2018, 1, 1), date(2024, 6, 30))),
        ),
    ),
    Table(
        name=ORDERS,
        description="Orders of the members",
        rows=1500,
        primary_key=("order_id",),
        references=(Reference("member_id", MEMBERS, "member_id"),),
        columns=(
            Column("order_id", "bigint", gen.row_number(), nullable=False),
            Column("member_id", "text", gen.reference(MEMBERS, "member_id"), nullable=False),
            Column("ordered_at", "timestamp", gen.timestamps(datetime(2024, 1, 1), 180)),
            Column("amount", "decimal", gen.lognormal(45, 0.7, low=1, high=2000)),
        ),
    ),
)  # fmt: skip


def test_the_starter_file_makes_the_rows_of_its_python_declaration() -> None:
    from_file = parse_pack(starter_file("same"))
    in_python = dataclasses.replace(from_file, tables=PYTHON_TABLES)
    for scale in (1, 3):
        files, pythons = (Generator(p, seed=42, scale=scale) for p in (from_file, in_python))
        for table in PYTHON_TABLES:
            idx = np.arange(table.rows_at(scale), dtype=np.int64)
            expected = pythons.frame(table.name, idx)
            assert expected.height == table.rows_at(scale)
            assert files.frame(table.name, idx).equals(expected), table.name
    ages = files.frame(MEMBERS, np.arange(1500))["age"]
    assert 0 < ages.null_count() < 100 and ages.drop_nulls().min() >= 18
