"""A pack file's CSV mapping works as a Python pack's: aliases, words, date formats, drop rules."""

import io

import pytest
from psycopg import sql
from psycopg_pool import ConnectionPool

from seedpacks.config import Settings
from seedpacks.errors import InvalidPackFile
from seedpacks.packfile import parse_pack, starter_file
from seedpacks.seeding import operations
from seedpacks.seeding.tenancy import tenant_schema

STARTER = starter_file("csvdemo")
MAPPED = (
    STARTER.replace(
        "    indexes: [[tier]]\n",
        "    indexes: [[tier]]\n"
        "    csv:\n"
        "      description: one member per line\n"
        "      drop_rows:\n"
        "        - {when: {column: tier, operator: '=', value: unknown}, reason: tier unknown}\n",
    )
    .replace(
        "        generate: {formatted_id: {prefix: M, width: 6}}\n",
        "        generate: {formatted_id: {prefix: M, width: 6}}\n"
        "        csv: {aliases: [MemberID], required: true}\n",
    )
    .replace(
        "        generate: {chance:",
        "        csv: {parse: {true: [Y], false: [N]}}\n        generate: {chance:",
    )
    .replace(
        "        generate: {dates: {start: 2018-01-01, end: 2024-06-30}}\n",
        "        generate: {dates: {start: 2018-01-01, end: 2024-06-30}}\n"
        "        csv: {parse: {date_formats: ['%d/%m/%Y']}}\n",
    )
)
CSV = b"""MemberID,age,tier,monthly_spend,email_opt_in,joined_on
M9,30,gold,120.5,Y,31/12/2020
M10,,basic,10,N,01/02/2021
M11,44,unknown,5,N,01/02/2021
"""


def test_an_upload_into_a_file_pack_table_follows_its_mapping(
    pool: ConnectionPool, settings: Settings, tenant: str
) -> None:
    pack = parse_pack(MAPPED)
    operations.load_dataset(pool, settings, tenant=tenant, key=pack.key, pack=pack)
    result = operations.upload_table(
        pool, settings, tenant=tenant, key=pack.key, schema="csvdemo_members",
        stream=io.BytesIO(CSV), size=len(CSV), pack=pack,
    )  # fmt: skip
    assert result["rowsInserted"] == 2 and result["rowsDropped"] == {"tier unknown": 1}
    with pool.connection() as conn:
        stored = conn.execute(
            sql.SQL(
                "SELECT member_id, age, email_opt_in, joined_on::text FROM {} ORDER BY member_id"
            ).format(sql.Identifier(tenant_schema(tenant), "csvdemo_members"))
        ).fetchall()
    assert stored == [("M10", None, False, "2021-02-01"), ("M9", 30, True, "2020-12-31")]


@pytest.mark.parametrize(
    ("old", "new", "path", "words"),
    [
        ("column: tier, operator", "column: tierr, operator",
         "tables[0].csv.drop_rows[0].when.column", "unknown column 'tierr'"),
        ("'%d/%m/%Y'", "'%d/%Q/%Y'", "tables[0].columns[5].csv.parse.date_formats[0]",
         "date format directive %Q is not supported"),
        ("false: [N]", "false: N", "tables[0].columns[4].csv.parse.false", "valid list"),
        ("required: true}", "required: true, derive: {colum: x}}",
         "tables[0].columns[0].csv.derive.colum", "unknown key 'colum'"),
        ("description: one member per line\n", "delimiters: ['||']\n",
         "tables[0].csv.delimiters[0]", "should match pattern"),
    ],
)  # fmt: skip
def test_a_mapping_that_cannot_work_is_refused(old: str, new: str, path: str, words: str) -> None:
    text = MAPPED.replace(old, new)
    assert text != MAPPED
    with pytest.raises(InvalidPackFile) as refused:
        parse_pack(text)
    assert any(p.path == path and words in p.message for p in refused.value.problems), [
        str(p) for p in refused.value.problems
    ]
