"""Export a tenant's pack table as CSV or Parquet, and its loaded pack's ground truth as JSON.

Both table formats stream: CSV straight from PostgreSQL's COPY, Parquet one row group of
`BATCH_ROWS` rows at a time from a server-side cursor, so memory holds a batch, never the table.
Rows come in primary-key order, so two exports of the same load are byte for byte the same.
"""

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
from psycopg import sql

from seedpacks.errors import BadRequest, NotFound
from seedpacks.packs.custom import resolve_pack
from seedpacks.packs.describe import ground_truth

Format = Literal["csv", "parquet"]
FORMATS: tuple[Format, ...] = ("csv", "parquet")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "parquet": "application/vnd.apache.parquet"}
BATCH_ROWS = 50_000

# The Arrow type of each declared column type ("json" columns export their text).
_ARROW: dict[str, pa.DataType] = {
    "text": pa.string(),
    "json": pa.string(),
    "integer": pa.int32(),
    "bigint": pa.int64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
}


@dataclass(frozen=True)
class Table:
    """A tenant's pack table, as its data schema row declares it."""

    name: str
    dataset_key: str
    identifier: sql.Identifier
    columns: tuple[tuple[str, str], ...]  # (name, declared type)
    primary_key: tuple[str, ...]
    decimals: dict[str, int]


def find_table(conn: psycopg.Connection, *, tenant: str, name: str) -> Table:
    """Return the tenant's pack table `name`, or raise NotFound naming what exists."""
    found = (
        None
        if "\x00" in name  # PostgreSQL text cannot hold NUL, so no schema has such a name
        else conn.execute(
            "SELECT dataset_key, pg_schema, table_name, primary_key, fields FROM data_schemas"
            " WHERE tenant_id = %s AND name = %s",
            (tenant, name),
        ).fetchone()
    )
    if found is None:
        raise NotFound(
            f"No data schema named '{name}' in this tenant. "
            "GET /api/v1/schemas lists the loaded pack's schemas.",
            schemaName=name,
        )
    dataset_key, pg_schema, table_name, primary_key, fields = found
    pack_table = resolve_pack(conn, tenant=tenant, key=dataset_key).table(name)
    return Table(
        name=name,
        dataset_key=dataset_key,
        identifier=sql.Identifier(pg_schema, table_name),
        columns=tuple((f["name"], f["type"]) for f in fields),
        primary_key=tuple(primary_key),
        decimals={c.name: c.decimals for c in pack_table.columns if c.type == "decimal"},
    )


def check_format(value: str) -> Format:
    if value not in FORMATS:
        raise BadRequest(
            f"format must be csv or parquet; got '{value}'.", field="format", value=value
        )
    return value  # type: ignore[return-value]


def file_name(table: Table, fmt: Format) -> str:
    return f"{table.name}.{fmt}"


def _select(table: Table) -> sql.Composed:
    return sql.SQL("SELECT {} FROM {} ORDER BY {}").format(
        sql.SQL(", ").join(sql.Identifier(name) for name, _ in table.columns),
        table.identifier,
        sql.SQL(", ").join(sql.Identifier(c) for c in table.primary_key),
    )


def csv_chunks(conn: psycopg.Connection, table: Table) -> Iterator[bytes]:
    """Yield the table as CSV with a header line, as PostgreSQL's COPY writes it."""
    query = sql.SQL("COPY ({}) TO STDOUT WITH (FORMAT csv, HEADER true)").format(_select(table))
    with conn.cursor().copy(query) as copy:
        for block in copy:
            yield bytes(block)


def arrow_schema(table: Table) -> pa.Schema:
    """Return the Parquet file's schema: each column's declared type, decimals with their scale."""
    return pa.schema(
        [
            pa.field(
                name,
                pa.decimal128(14, table.decimals.get(name, 2))  # numeric(14, s) in the table
                if kind == "decimal"
                else _ARROW[kind],
            )
            for name, kind in table.columns
        ]
    )


def parquet_chunks(conn: psycopg.Connection, table: Table) -> Iterator[bytes]:
    """Yield a Parquet file of the table, one row group per batch, written as it goes."""
    schema = arrow_schema(table)
    sink = _Sink()
    with conn.transaction(), conn.cursor(name="seedpacks_export") as cursor:
        cursor.execute(_select(table))
        with pq.ParquetWriter(sink, schema, compression="zstd") as writer:
            while rows := cursor.fetchmany(BATCH_ROWS):
                writer.write_table(_batch(rows, schema))
                yield sink.take()
        yield sink.take()


def _batch(rows: list[tuple[Any, ...]], schema: pa.Schema) -> pa.Table:
    columns = list(zip(*rows, strict=True))
    return pa.Table.from_arrays(
        [pa.array(values, type=f.type) for values, f in zip(columns, schema, strict=True)],
        schema=schema,
    )


class _Sink(io.RawIOBase):
    """A write-only file that hands its bytes out as they come; `tell` counts every byte
    written, as the Parquet writer records offsets in the file's footer."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._written = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._parts.append(chunk)
        self._written += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._written

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def loaded_ground_truth(conn: psycopg.Connection, *, tenant: str) -> dict[str, Any]:
    """Return the ground truth of the tenant's loaded pack at its loaded scale and seed."""
    row = conn.execute(
        "SELECT dataset_key, seed, scale FROM loaded_datasets WHERE tenant_id = %s", (tenant,)
    ).fetchone()
    if row is None:
        raise NotFound(
            "No pack is loaded in this tenant, so there is no ground truth to export. "
            "Load one first (POST /api/v1/seed-dataset/{key} or `seedpacks load KEY`)."
        )
    key, seed, scale = row
    pack = resolve_pack(conn, tenant=tenant, key=key)
    return {"datasetKey": key, "seed": seed, "scale": scale, **ground_truth(pack, scale)}
