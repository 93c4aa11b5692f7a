"""docs/pack-files.md tells the truth: every kind documented, its examples compile, the schema
file is the served one, and the README's example loads as it is."""

import json
import re
from pathlib import Path

import pytest

from seedpacks.errors import InvalidPackFile
from seedpacks.packfile import pack_schema, parse_pack, starter_file
from seedpacks.packfile.kinds import KINDS

ROOT = Path(__file__).resolve().parent.parent.parent
DOCS = (ROOT / "docs" / "pack-files.md").read_text()
README = (ROOT / "README.md").read_text()


def _blocks(text: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", text, re.S)


def _kind_examples() -> dict[str, str]:
    section = DOCS[DOCS.index("## Generator kinds") : DOCS.index("### Parameters")]
    examples = {}
    for part in section.split("\n### ")[1:]:
        (block,) = _blocks(part)
        examples[part.split("\n", 1)[0]] = block
    return examples


def test_every_generator_kind_is_documented_with_an_example() -> None:
    assert list(_kind_examples()) == list(KINDS)


def test_the_documented_examples_compile_in_a_table_of_the_starter_file() -> None:
    starter = starter_file("demo")
    examples = _kind_examples()
    # Columns of the members table, after its own (age and tier among them); the fixed rows
    # go to a table of their own, and the reference is the starter's own orders.member_id.
    columns = [block for kind, block in examples.items() if kind not in ("fixed", "reference")]
    indented = "".join("      " + line + "\n" for b in columns for line in b.splitlines())
    fixed = "".join("      " + line + "\n" for line in examples["fixed"].splitlines())
    tiers = (
        "  - name: demo_tiers\n    rows: 3\n    scales: false\n    primary_key: [tier_code]\n"
        f"    columns:\n{fixed}"
    )
    orders = "  - name: demo_orders\n"
    text = starter.replace(orders, indented + tiers + orders)
    pack = parse_pack(text)
    names = [c.name for c in pack.table("demo_members").columns]
    assert {"order_no", "income", "plan", "channel_pref", "opted_in"} <= set(names)
    assert "reference: {table: demo_members, column: member_id}" in starter


def test_the_schema_file_is_the_one_the_api_serves() -> None:
    assert json.loads((ROOT / "docs" / "pack-schema.json").read_text()) == pack_schema()


def test_the_readme_example_is_a_complete_pack_file() -> None:
    section = README[README.index("## Your own pack") :]
    pack = parse_pack(_blocks(section)[0])
    assert pack.key == "insurer" and pack.table("insurer_customers").rows == 1000


def test_the_readme_problem_is_the_one_its_example_gets() -> None:
    section = README[README.index("## Your own pack") :]
    example, commands = _blocks(section)[0], re.findall(r"```bash\n(.*?)```", section, re.S)[0]
    claimed = re.search(r'every problem: "(.*?)"', commands)
    assert claimed is not None
    bad = example.replace("channel: app, name: Car", "channel: emial, name: Car")
    with pytest.raises(InvalidPackFile) as refused:
        parse_pack(bad)
    assert claimed[1] in [str(p) for p in refused.value.problems]
