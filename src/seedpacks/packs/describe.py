"""Plain-JSON descriptions of a pack: list metadata, table fields, CSV formats."""

from typing import Any

from seedpacks.packs.model import Pack, Table


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


def csv_format(table: Table) -> dict[str, Any] | None:
    """Return how an uploaded CSV maps onto `table`, or None when it takes no uploads."""
    if table.csv is None:
        return None
    return {
        "description": table.csv.description,
        "delimiters": list(table.csv.delimiters),
        "columns": [
            {
                "name": col.name,
                "type": col.type,
                "aliases": list(col.csv.aliases),
                "sentinels": list(col.csv.sentinels),
                "parse": dict(col.csv.parse),
                "derive": dict(col.csv.derive),
                "required": col.csv.required or col.name in table.primary_key,
            }
            for col in table.columns
        ],
        "dropRows": [dict(rule) for rule in table.csv.drop_rows],
        "generated": list(table.csv.generated),
    }
