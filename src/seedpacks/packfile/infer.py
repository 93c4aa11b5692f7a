"""Infer a pack file from a customer CSV: a table like the file's, and a starter setup around it.

The table reproduces the file's column types, missing shares, marginals and main pairwise
dependencies (packfile/dependence.py) without copying a row: categories appear as values with
their shares, numbers only as quantile points, ids as id generators.
"""

import re
from importlib import resources

from seedpacks.errors import BadRequest
from seedpacks.packfile.csvfile import read_csv
from seedpacks.packfile.emit import dump
from seedpacks.packfile.infer_starter import starter_sections
from seedpacks.packfile.infer_table import profile_file, table_document

KEY = re.compile(r"^[a-z][a-z0-9_-]{1,39}$")
# Customers at scale 1 when not asked for: the file's size, within these bounds.
DEFAULT_ROWS = (100, 10_000)


# The OpenAPI example: the pack file inferred from tests/fixtures/upload/profile.csv (10 rows
# of the public Starbucks profile file) with key "members"; a test keeps it current.
EXAMPLE_KEY, EXAMPLE_SOURCE = "members", "profile.csv"


def example_file() -> str:
    """Return the pack file inferred from the sample profile file (the API's example)."""
    return (resources.files("seedpacks.packfile") / "infer-example.yaml").read_text("utf-8")


def infer_pack_file(data: bytes, *, key: str, rows: int | None = None, source: str = "") -> str:
    """Return the text of a pack file (YAML) inferred from the CSV file's bytes."""
    if not KEY.match(key):
        raise BadRequest(
            f"'{key}' is not a pack key: use 2-40 lower-case letters, digits, '-' or '_', "
            "starting with a letter."
        )
    if rows is not None and rows < 1:
        raise BadRequest(f"rows must be at least 1 (got {rows}).")
    csv = read_csv(data)
    profiled = profile_file(csv)
    table = f"{key.replace('-', '_')}_customers"
    if rows is None:
        rows = min(max(profiled.rows, DEFAULT_ROWS[0]), DEFAULT_ROWS[1])
    document = {
        "format": "seedpacks/v1",
        "key": key,
        "name": f"{key} (inferred)",
        "description": f"Customers profiled from {source or 'a CSV file'}, with a starter "
        "decisioning setup to edit",
        "source": "inferred",
        "testing_focus": "Your own customer schema with its distributions and dependencies",
        "tables": [table_document(profiled, name=table, rows=rows, delimiter=csv.delimiter)],
        **starter_sections(profiled, key=key, table=table),
    }
    header = (
        f"Inferred by `seedpacks pack infer` from {source or 'a CSV file'} "
        f"({profiled.rows} rows, {len(profiled.profiles)} columns).\n"
        "No row of the file is in here: categories are listed with their shares, numbers and\n"
        "dates only as quantiles. Edit freely; `seedpacks pack validate` checks the result."
    )
    return dump(document, header=header)
