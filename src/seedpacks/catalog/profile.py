"""What a loaded pack looks like, for pictures: each table's column distributions and the
ground truth's response rate per offer and channel over the loaded customers.

Tables of more than `SAMPLE_FROM` rows are profiled on a repeatable sample of about that many
rows (`TABLESAMPLE SYSTEM`), so a picture costs the same at any scale; the answer says so.
"""

from typing import Any

import numpy as np
import polars as pl
import psycopg
from psycopg import sql

from seedpacks.catalog.export import Table, find_table
from seedpacks.errors import NotFound
from seedpacks.packs.custom import resolve_pack
from seedpacks.packs.truth import all_probabilities, feature_matrix

SAMPLE_FROM = 200_000
BINS = 20
TOP_VALUES = 12
NUMERIC = {"integer", "bigint", "decimal"}


def _rows(conn: psycopg.Connection, table: Table) -> tuple[pl.DataFrame, int, bool]:
    """Return the table's rows (or a sample of about SAMPLE_FROM), its row count, and whether
    it was sampled."""
    total = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(table.identifier)).fetchone()
    count = int(total[0]) if total else 0
    sampled = count > SAMPLE_FROM
    source: sql.Composable = table.identifier
    if sampled:
        source = sql.SQL("{} TABLESAMPLE SYSTEM ({}) REPEATABLE (0)").format(
            table.identifier, sql.Literal(round(100 * SAMPLE_FROM / count, 4))
        )
    names = [name for name, _ in table.columns]
    # JSON as its text: psycopg would hand over lists and dicts, which count as no value.
    selected = [
        sql.SQL("{}::text").format(sql.Identifier(n)) if kind == "json" else sql.Identifier(n)
        for n, kind in table.columns
    ]
    cursor = conn.execute(sql.SQL("SELECT {} FROM {}").format(sql.SQL(", ").join(selected), source))
    rows = cursor.fetchall()
    frame = pl.DataFrame({n: [row[i] for row in rows] for i, n in enumerate(names)}, strict=False)
    return frame, count, sampled


def _histogram(values: pl.Series, kind: str) -> dict[str, Any]:
    """Return equal-width bins over the values' range (dates as days)."""
    known = values.drop_nulls()
    if kind == "date":
        numbers = known.cast(pl.Date).cast(pl.Int32).to_numpy().astype(np.float64)
    elif kind == "timestamp":
        numbers = known.cast(pl.Datetime("us")).cast(pl.Int64).to_numpy() / 1e6
    else:
        numbers = known.cast(pl.Float64).to_numpy()
    if len(numbers) == 0:
        return {"edges": [], "counts": []}
    low, high = float(numbers.min()), float(numbers.max())
    integral = kind in {"integer", "bigint", "date"}
    bins = min(BINS, int(high - low) + 1) if integral else BINS
    counts, edges = np.histogram(
        numbers, bins=max(bins, 1), range=(low, high if high > low else low + 1)
    )
    shown: list[Any] = [float(e) for e in edges]
    if kind == "date":
        shown = [str(np.datetime64(int(round(e)), "D")) for e in edges]
    elif kind == "timestamp":
        shown = [str(np.datetime64(int(round(e)), "s")) for e in edges]
    return {"edges": shown, "counts": counts.astype(int).tolist()}


def _column(values: pl.Series, kind: str, key: bool) -> dict[str, Any]:
    n = values.len()
    nulls = values.null_count()
    out: dict[str, Any] = {
        "name": values.name,
        "type": kind,
        "nullShare": round(nulls / n, 4) if n else 0.0,
    }
    known = values.drop_nulls()
    distinct = known.n_unique() if known.len() else 0
    if key or (kind in {"text", "json"} and distinct > max(TOP_VALUES, 0.5 * known.len())):
        out["chart"] = "none"  # identifiers: one value per row says nothing as a picture
        out["distinct"] = distinct
    elif kind in NUMERIC | {"date", "timestamp"} and distinct > TOP_VALUES:
        out["chart"] = "histogram"
        out |= _histogram(values, kind)
    else:
        counts = known.cast(pl.String).value_counts(sort=True)
        top = counts.head(TOP_VALUES)
        other = known.len() - int(top["count"].sum())
        out["chart"] = "bars"
        out["values"] = [
            {"value": v, "count": int(c)}
            for v, c in zip(top[values.name], top["count"], strict=True)
        ]
        if other:
            out["values"].append({"value": None, "other": True, "count": other})
    return out


def table_profile(conn: psycopg.Connection, *, tenant: str, name: str) -> dict[str, Any]:
    """Return the distribution of each column of the tenant's pack table `name`."""
    table = find_table(conn, tenant=tenant, name=name)
    frame, count, sampled = _rows(conn, table)
    return {
        "schemaName": name,
        "datasetKey": table.dataset_key,
        "rows": count,
        "profiledRows": frame.height,
        "sampled": sampled,
        "columns": [
            _column(frame[column], kind, column in table.primary_key)
            for column, kind in table.columns
        ],
    }


def arm_rates(conn: psycopg.Connection, *, tenant: str) -> dict[str, Any]:
    """Return the ground truth's mean P(positive) per offer and channel over the loaded
    customers (a sample of about SAMPLE_FROM of them in a bigger table)."""
    row = conn.execute(
        "SELECT dataset_key FROM loaded_datasets WHERE tenant_id = %s", (tenant,)
    ).fetchone()
    if row is None:
        raise NotFound(
            "No pack is loaded in this tenant, so there is no ground truth to picture. "
            "Load one first (POST /api/v1/seed-dataset/{key} or `seedpacks load KEY`)."
        )
    pack = resolve_pack(conn, tenant=tenant, key=row[0])
    truth = pack.ground_truth
    customers, count, sampled = _rows(
        conn, find_table(conn, tenant=tenant, name=truth.customer_table)
    )
    features = feature_matrix(truth, {f.column: customers[f.column] for f in truth.features})
    p = all_probabilities(truth, features).mean(axis=0) if customers.height else np.zeros(0)
    names = {o.id: o.name for o in pack.offers}
    offers = list(dict.fromkeys(arm.offer for arm in truth.arms))
    channels = list(dict.fromkeys(arm.channel for arm in truth.arms))
    rate = {(arm.offer, arm.channel): float(p[i]) for i, arm in enumerate(truth.arms)}
    return {
        "datasetKey": pack.key,
        "customers": count,
        "profiledCustomers": customers.height,
        "sampled": sampled,
        "offers": [{"id": o, "name": names.get(o, o)} for o in offers],
        "channels": channels,
        # rates[i][j]: offer i on channel j; null where the offer has no arm on that channel
        "rates": [
            [round(rate[(o, c)], 4) if (o, c) in rate else None for c in channels] for o in offers
        ],
    }
