"""Read what a pack created for one tenant, a page at a time, in a stable order."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import psycopg
from psycopg import sql

from seedpacks.catalog.entities import SUMMARY_FIELDS, Entity, Field
from seedpacks.errors import NotFound


def _plain(value: Any) -> Any:
    """Return `value` as a JSON-ready Python value (numeric columns come back as Decimal)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _page(items: list[dict[str, Any]], total: int, limit: int, offset: int) -> dict[str, Any]:
    return {"items": items, "total": total, "limit": limit, "offset": offset}


def _select(
    conn: psycopg.Connection,
    *,
    table: sql.Composable,
    fields: tuple[Field, ...],
    where: sql.Composable,
    params: tuple[Any, ...],
    order_by: tuple[str, ...],
    limit: int,
    offset: int,
    camel_case: bool = True,
) -> dict[str, Any]:
    columns = sql.SQL(", ").join(sql.Identifier(f.column) for f in fields)
    order = sql.SQL(", ").join(sql.Identifier(c) for c in order_by)
    rows = conn.execute(
        sql.SQL("SELECT {} FROM {} WHERE {} ORDER BY {} LIMIT %s OFFSET %s").format(
            columns, table, where, order
        ),
        (*params, limit, offset),
    ).fetchall()
    counted = conn.execute(
        sql.SQL("SELECT count(*) FROM {} WHERE {}").format(table, where), params
    ).fetchone()
    keys = [f.name if camel_case else f.column for f in fields]
    items = [{k: _plain(v) for k, v in zip(keys, row, strict=True)} for row in rows]
    return _page(items, counted[0] if counted else 0, limit, offset)


def list_entities(
    conn: psycopg.Connection, *, tenant: str, entity: Entity, limit: int, offset: int
) -> dict[str, Any]:
    """Return one page of the tenant's `entity` rows, ordered by id."""
    return _select(
        conn,
        table=sql.Identifier(entity.table),
        fields=entity.fields,
        where=sql.SQL("tenant_id = %s"),
        params=(tenant,),
        order_by=("id",),
        limit=limit,
        offset=offset,
    )


def interaction_summaries(
    conn: psycopg.Connection, *, tenant: str, customer_id: str | None, limit: int, offset: int
) -> dict[str, Any]:
    """Return one page of the tenant's summaries (one customer's when `customer_id` is given)."""
    where = sql.SQL("tenant_id = %s")
    params: tuple[Any, ...] = (tenant,)
    if customer_id is not None and "\x00" in customer_id:
        return _page([], 0, limit, offset)  # PostgreSQL text cannot hold NUL: no such customer
    if customer_id is not None:
        where = sql.SQL("tenant_id = %s AND customer_id = %s")
        params = (tenant, customer_id)
    return _select(
        conn,
        table=sql.Identifier("interaction_summaries"),
        fields=SUMMARY_FIELDS,
        where=where,
        params=params,
        order_by=("customer_id", "offer_id", "channel_id"),
        limit=limit,
        offset=offset,
    )


def table_rows(
    conn: psycopg.Connection, *, tenant: str, schema_name: str, limit: int, offset: int
) -> dict[str, Any]:
    """Return one page of the rows of the tenant's pack table `schema_name`, by primary key."""
    # PostgreSQL text cannot hold NUL, so no schema has such a name.
    found = (
        None
        if "\x00" in schema_name
        else conn.execute(
            "SELECT dataset_key, pg_schema, table_name, primary_key, fields FROM data_schemas"
            " WHERE tenant_id = %s AND name = %s",
            (tenant, schema_name),
        ).fetchone()
    )
    if found is None:
        raise NotFound(
            f"No data schema named '{schema_name}' in this tenant. "
            "GET /api/v1/schemas lists the loaded pack's schemas.",
            schemaName=schema_name,
        )
    dataset_key, pg_schema, table_name, primary_key, declared = found
    fields = tuple(Field(column=f["name"], type=Any) for f in declared)
    page = _select(
        conn,
        table=sql.Identifier(pg_schema, table_name),
        fields=fields,
        where=sql.SQL("true"),
        params=(),
        order_by=tuple(primary_key),
        limit=limit,
        offset=offset,
        # Pack tables keep the column names they declare (they are what a CSV upload maps onto).
        camel_case=False,
    )
    columns = [f.column for f in fields]
    return {"schemaName": schema_name, "datasetKey": dataset_key, "columns": columns, **page}
