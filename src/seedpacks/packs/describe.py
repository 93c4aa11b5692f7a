"""Plain-JSON descriptions of a pack: list metadata, table fields, CSV formats, the full
description with planned counts and the ground truth."""

import dataclasses
from collections.abc import Mapping
from datetime import date
from typing import Any

from seedpacks.packs.depend import Dependent
from seedpacks.packs.model import Column, GroundTruth, Pack, Table


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


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def plain(value: Any) -> Any:
    """Return a declaration as JSON-ready data: camelCase keys, lists, ISO dates."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {_camel(f.name): plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def entities(pack: Pack) -> dict[str, Any]:
    """Return every platform entity the pack creates, as declared."""
    return {
        "categories": plain(pack.categories),
        "channels": plain(pack.channels),
        "offers": plain(pack.offers),
        "creatives": plain(pack.creatives),
        "qualificationRules": plain(pack.qualification_rules),
        "contactPolicies": plain(pack.contact_policies),
        "outcomeTypes": plain(pack.outcome_types),
        "models": plain(pack.models),
        "experiments": plain(pack.experiments),
        "decisionFlows": plain(pack.decision_flows),
        "segments": plain(pack.segments),
    }


def tables(pack: Pack, scale: int) -> list[dict[str, Any]]:
    """Return the pack's data tables: columns, keys, planned rows and accepted CSV format."""
    return [
        {
            "name": t.name,
            "description": t.description,
            "rows": t.rows_at(scale),
            "scales": t.scales,
            "primaryKey": list(t.primary_key),
            "indexes": [list(columns) for columns in t.indexes],
            "references": plain(t.references),
            "columns": table_fields(t),
            "dependencies": dependencies(t),
            "csvFormat": csv_format(t),
        }
        for t in pack.tables
    ]


def dependencies(table: Table) -> dict[str, Any]:
    """Return what ties the table's columns together: per column the columns it follows and
    its rule, the copulas correlating columns, and the journey its rows come from."""
    journey = table.journey
    return {
        "columns": [
            {
                "column": col.name,
                "dependsOn": list(col.generate.on),
                "rule": col.generate.rule,
                **({"sharesDrawWith": list(col.generate.shares)} if col.generate.shares else {}),
            }
            for col in table.columns
            if isinstance(col.generate, Dependent)
        ],
        "copulas": [
            {
                "name": c.name,
                "columns": list(c.columns),
                "correlation": [list(row) for row in c.correlation],
                "description": c.description,
                "definition": COPULA,
            }
            for c in table.copulas
        ],
        "journey": None
        if journey is None
        else {
            "customers": journey.customers,
            "description": journey.description,
            "rules": list(journey.rules),
        },
    }


COPULA = (
    "a Gaussian copula: the columns' draws are standard normals with this correlation matrix, "
    "each mapped through its column's own distribution, so ranks correlate as declared"
)


def planned_counts(pack: Pack, scale: int) -> dict[str, int | None]:
    """Return the load's counts as far as the declaration fixes them (None: known after it)."""
    counts: dict[str, int | None] = {
        "schemas": len(pack.tables),
        "categories": len(pack.categories),
        "subCategories": len(pack.sub_categories),
        "channels": len(pack.channels),
        "offers": len(pack.offers),
        "creatives": len(pack.creatives),
        "qualificationRules": len(pack.qualification_rules),
        "contactPolicies": len(pack.contact_policies),
        "outcomeTypes": len(pack.outcome_types),
        "models": len(pack.models),
        "experiments": len(pack.experiments),
        "decisionFlows": len(pack.decision_flows),
        "segments": len(pack.segments),
    }
    counts |= {t.count_key: t.rows_at(scale) for t in pack.tables}
    counts["interactions"] = pack.ground_truth.interactions * scale
    counts["interactionSummaries"] = None
    counts["segmentCustomers"] = None
    return counts


UNKNOWN_UNTIL_LOADED = {
    "interactionSummaries": "distinct customer x offer x channel triples of the sampled history: "
    "at most `interactions`, known once the history is drawn",
    "segmentCustomers": "customers matching the segments' filters: depends on the drawn values",
}

FORMULA = (
    "P(positive | customer, offer, channel) = 1 / (1 + exp(-(intercept + sum(weight_f * x_f))))"
)
FEATURE_KINDS = {
    "numeric": "x = (value - center) / spread; 0 when the value is NULL",
    "equals": "x = 1 when value equals `value`, else 0 (NULL counts as 0)",
    "is_null": "x = 1 when the value is NULL, else 0",
}


def ground_truth(pack: Pack, scale: int) -> dict[str, Any]:
    """Return the response function the history is drawn from, ready to check a model against."""
    truth = pack.ground_truth
    names = [f.name for f in truth.features]
    return {
        "formula": FORMULA,
        "customerTable": truth.customer_table,
        "customerId": truth.customer_id,
        "features": [{**plain(f), "definition": FEATURE_KINDS[f.kind]} for f in truth.features],
        "featureKinds": FEATURE_KINDS,
        "arms": [
            {
                "offer": arm.offer,
                "channel": arm.channel,
                "intercept": arm.intercept,
                "weights": {name: float(arm.weights.get(name, 0.0)) for name in names},
            }
            for arm in truth.arms
        ],
        "positiveOutcome": truth.positive_outcome,
        "negativeOutcome": truth.negative_outcome,
        "interactions": truth.interactions * scale,
        "start": truth.start.isoformat(),
        "days": truth.days,
        "sampling": _sampling(truth),
    }


def _sampling(truth: GroundTruth) -> str:
    source = truth.history_from
    if source is not None:
        return (
            f"the history is {source.table}'s impressions, row for row, from the same customer "
            "journeys: each offer the journey sent (customer, offer, channel, time: start plus "
            "the event's hours) is one interaction, positive when the journey completed it with "
            "the arm's probability (an offer without an arm never is); a creative of that offer "
            "and channel is drawn by weight"
        )
    return (
        "each interaction draws a customer uniformly (from the same scale unit), an arm "
        "uniformly, a creative of that offer and channel by weight, a time uniformly in "
        "[start, start + days), and a positive outcome with the arm's probability"
    )


def describe(pack: Pack, scale: int = 1) -> dict[str, Any]:
    """Return the pack's full description for `scale`."""
    return {
        **metadata(pack),
        "scale": scale,
        "entities": entities(pack),
        "tables": tables(pack, scale),
        "plannedCounts": planned_counts(pack, scale),
        "unknownUntilLoaded": UNKNOWN_UNTIL_LOADED,
        "groundTruth": ground_truth(pack, scale),
    }
