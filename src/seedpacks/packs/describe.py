"""Plain-JSON descriptions of a pack: list metadata, table fields, CSV formats."""

from typing import Any

from seedpacks.packs.model import Column, Pack, Table


def metadata(pack: Pack) -> dict[str, Any]:
    """Return the list entry of the API reference (without the tenant's `loaded` flag)."""
    return {
        "key": pack.key,
        "name": pack.name,
        "description": pack.description,
        "source": pack.source,
        "csvFiles": list(pack.csv_files),
        "testingFocus": pack.testing_focus,
        "schemaCount": len(pack.tables),
        "offerCount": len(pack.offers),
        "modelCount": len(pack.models),
        "channelCount": len(pack.channels),
        "categoryCount": len(pack.categories),
        "creativeCount": len(pack.creatives),
    }


def table_fields(table: Table) -> list[dict[str, Any]]:
    return [
        {
            "name": col.name,
            "type": col.type,
            "nullable": col.nullable and col.name not in table.primary_key,
            "description": col.description,
        }
        for col in table.columns
    ]


_ACCEPTS = {
    "text": "any text",
    "integer": "a whole number (7 or 7.0)",
    "bigint": "a whole number (7 or 7.0)",
    "decimal": "a number (1234.5, -3, 1e3)",
    "boolean": "yes/no, true/false, 1/0, t/f, on/off (any case)",
    "date": "YYYY-MM-DD or YYYYMMDD",
    "timestamp": "YYYY-MM-DD hh:mm:ss",
    "json": "JSON, or a Python-style literal such as ['a', 'b'] or {'k': 1}",
}


def _accepts(col: Column) -> str:
    formats = col.csv.parse.get("date_formats")
    if col.type in ("date", "timestamp") and formats:
        return " or ".join(formats)
    words = [str(w) for key in ("true", "false") for w in col.csv.parse.get(key, ())]
    if col.type == "boolean" and words:
        return f"{_ACCEPTS['boolean']}, or {'/'.join(words)}"
    return _ACCEPTS[col.type]


def _source(col: Column, table: Table) -> str:
    assert table.csv is not None
    derive = col.csv.derive
    if derive.get("column"):
        keys = " or ".join(repr(k) for k in derive.get("json_keys", (col.name,)))
        return f"its own column, else key {keys} of the JSON column '{derive['column']}'"
    if col.name in table.csv.generated:
        return "its own column, else numbered 1, 2, ... in file order"
    return "its own column (names match ignoring case, spaces, dots and underscores)"


def _required(col: Column, table: Table) -> bool:
    """Whether the file must have this column (no generated or derived value stands in)."""
    assert table.csv is not None
    if col.name in table.csv.generated or col.csv.derive.get("column"):
        return False
    return col.csv.required or not col.nullable or col.name in table.primary_key


def csv_format(table: Table) -> dict[str, Any] | None:
    """Return how an uploaded CSV maps onto `table`, or None when it takes no uploads."""
    if table.csv is None:
        return None
    return {
        "description": table.csv.description,
        "delimiters": list(table.csv.delimiters),
        "encoding": "UTF-8, with or without a byte-order mark",
        "header": "required on the first line; columns in any order; unknown columns ignored",
        "columns": [
            {
                "name": col.name,
                "type": col.type,
                "aliases": list(col.csv.aliases),
                "sentinels": list(col.csv.sentinels),
                "parse": dict(col.csv.parse),
                "derive": dict(col.csv.derive),
                "required": _required(col, table),
                "accepts": _accepts(col),
                "from": _source(col, table),
                "empty": "NULL"
                if col.nullable and col.name not in table.primary_key
                else "an error: a value is required",
            }
            for col in table.columns
        ],
        "dropRows": [dict(rule) for rule in table.csv.drop_rows],
        "generated": list(table.csv.generated),
    }
